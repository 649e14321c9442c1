"""Evidence verification: verified, MISMATCH (loud, exit status 3) and no stored hash.

The damaged images are copies of corpus E01s changed in tmp: a byte flipped inside a deflated
chunk, or the stored MD5 changed (with and without its section checksum recomputed).
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.verify import verify_evidence

STORED_MD5 = "d73c51f10c7ee6a681b7b619ccc6f1c4"  # plaso_image.E01, as pyewf reports it
DAMAGED_MD5 = "4c6426ac7ef186464ecbb0d81cbfcb1e"  # its media with chunk 0 read as zeros


def copy_with(corpus: Path, tmp_path: Path, change) -> Path:
    data = bytearray((corpus / "disk-images" / "plaso_image.E01").read_bytes())
    change(data)
    copy = tmp_path / "copy.E01"
    copy.write_bytes(data)
    return copy


def test_corpus_e01_verifies(corpus):
    outcome = verify_evidence(corpus / "disk-images" / "plaso_image-split.E01")
    assert outcome["verification"] == "verified (MD5)"
    assert outcome["md5"] == "38ea5af8a80e16e46c095c9110242fc0"
    assert outcome["size"] == outcome["bytes_read"] == 1474560
    assert outcome["stored_hashes"] == {"md5": "38ea5af8a80e16e46c095c9110242fc0"}
    raw = corpus / "disk-images" / "plaso_tsk_volume_system.raw"  # the same media, raw
    plain = verify_evidence(raw)
    assert plain["verification"] == "no stored hash"
    assert plain["sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    assert plain["md5"] == outcome["md5"]


def test_flipped_chunk_byte_is_a_mismatch_naming_the_chunk(corpus, tmp_path):
    def flip(data: bytearray) -> None:
        data[2028 + 100] ^= 0x01  # inside chunk 0's deflate stream (offset 2028, 755 bytes)

    outcome = verify_evidence(copy_with(corpus, tmp_path, flip))
    assert outcome["md5"] == DAMAGED_MD5
    assert outcome["verification"].startswith(  # then the inflater's own words, in brackets
        f"MISMATCH: MD5 stored {STORED_MD5} computed {DAMAGED_MD5}; 1 corrupt E01 chunk(s) "
        "read as zeros: chunk 0 at media offset 0 does not inflate ("
    )
    assert outcome["error"] is None


def test_changed_stored_hash_is_a_mismatch(corpus, tmp_path):
    def retag(data: bytearray) -> None:
        at = data.find(bytes.fromhex(STORED_MD5))
        data[at : at + 16] = bytes(range(16))
        struct.pack_into("<I", data, at + 32, zlib.adler32(bytes(data[at : at + 32])))

    outcome = verify_evidence(copy_with(corpus, tmp_path, retag))
    assert outcome["verification"] == (
        f"MISMATCH: MD5 stored 000102030405060708090a0b0c0d0e0f computed {STORED_MD5}"
    )


def test_changed_stored_hash_with_bad_section_checksum(corpus, tmp_path):
    def flip(data: bytearray) -> None:
        data[data.find(bytes.fromhex(STORED_MD5))] ^= 0xFF

    outcome = verify_evidence(copy_with(corpus, tmp_path, flip))
    assert outcome["verification"] == (
        f"MISMATCH: MD5 stored 283c51f10c7ee6a681b7b619ccc6f1c4 computed {STORED_MD5}; "
        "hash section fails its checksum"
    )


def test_cli_verify_exit_status_and_json(corpus, tmp_path):
    runner = CliRunner()
    good = runner.invoke(main, ["verify", str(corpus / "disk-images" / "plaso_image.E01")])
    assert good.exit_code == 0
    assert "verification  verified (MD5)" in good.output

    def flip(data: bytearray) -> None:
        data[2028 + 100] ^= 0x01

    bad = runner.invoke(main, ["verify", "--json", str(copy_with(corpus, tmp_path, flip))])
    assert bad.exit_code == 5  # ExitStatus.EVIDENCE_ALTERED (was 3 before 5 existed)
    outcome = json.loads(bad.stdout)
    assert outcome["verification"].startswith("MISMATCH: MD5 stored")
    folder = runner.invoke(main, ["verify", str(tmp_path)])
    assert folder.exit_code == 1
    assert "a folder has no acquisition hash to verify" in folder.output


def test_scan_reports_a_mismatch_and_flags_files_in_the_bad_chunk(corpus, tmp_path, scan):
    """dfvfs_ext2.E01: the three small files lie in blocks 513-515 (1 KiB), i.e. chunk 16."""
    from triage.evidence.ewf_reader import EwfReader

    source = corpus / "disk-images" / "dfvfs_ext2.E01"
    reader = EwfReader([source])
    table, loaded = reader._table_for(16)
    start, size = loaded.offsets[16 - table.first_chunk], loaded.sizes[16 - table.first_chunk]
    reader.close()
    data = bytearray(source.read_bytes())
    data[start + size // 2] ^= 0x01
    copy = tmp_path / "ext2.E01"
    copy.write_bytes(data)
    out = scan(copy, extractors=[], jobs=2)
    evidence = out.rows("SELECT verification FROM evidence")[0]
    assert evidence["verification"].startswith(
        "MISMATCH: MD5 stored 196066add11fb71c4c49cf1bb50d6d24 computed "
    )
    assert (
        "; 1 corrupt E01 chunk(s) read as zeros: chunk 16 at media offset 524288 does not "
        "inflate (" in evidence["verification"]
    )
    problems = [p for p in out.problems() if p["stage"] == "hash"]
    loud = [p for p in problems if p["message"] == "evidence " + evidence["verification"]]
    assert len(loud) == 1 and loud[0]["severity"] == "error"
    flagged = sorted(p["path"] for p in problems if p["message"].startswith("not hashed: part"))
    assert flagged == ["/a_directory/a_file", "/a_directory/another_file", "/passwords.txt"]
    files = {row["path"]: row for row in out.files()}
    assert files["/passwords.txt"]["sha256"] is None
    assert files["/passwords.txt"]["hash_error"].startswith(
        "not hashed: part of the file lies in a corrupt E01 chunk, which reads as zeros (1 "
        "corrupt E01 chunk(s) read as zeros: chunk 16 at media offset 524288 does not inflate ("
    )
    assert out.result.status == "done with problems"


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_of_a_good_e01_is_verified(corpus, scan, jobs):
    out = scan(corpus / "disk-images" / "dfvfs_ext2.E01", extractors=[], jobs=jobs)
    evidence = out.rows("SELECT md5, sha1, sha256, verification, hashed_bytes FROM evidence")[0]
    assert evidence["verification"] == "verified (MD5)"
    assert evidence["md5"] == "196066add11fb71c4c49cf1bb50d6d24"
    assert evidence["hashed_bytes"] == 4194304
    assert not [p for p in out.problems() if p["stage"] == "hash"]
