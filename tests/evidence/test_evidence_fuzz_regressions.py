"""Crashes the evidence-layer fuzzer (``fuzz/run.py --only 'evidence.*'``) found, now fixed.

Each input is rebuilt here from a committed fixture with the fuzzer's change (a few bytes, a
cut); each test checks the promise the crash broke: evidence that cannot be opened is one
clean error (exit 1, a message saying what it is), anything else opens, lists what it can and
reports the damage as problem lines (exit 3).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from fuzz.evidence import exercise
from tests.conftest import DATA
from triage.cli import main
from triage.errors import EvidenceError, ExitStatus
from triage.evidence import open_evidence

PLANTED = Path(__file__).resolve().parents[1] / "hostile" / "data" / "planted.E01"


def scan_status(evidence: Path, tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["scan", str(evidence), "-o", str(tmp_path / "out"), "--no-progress", "-j", "1"]
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_tar_gz_damaged_from_its_first_block_is_one_clean_error(tmp_path):
    """Fuzzer (evidence.gzip x53): zlib.error out of archive_format's sniffing read."""
    data = bytearray(gzip.compress(b"x" * 5000 + bytes(range(256)) * 40, mtime=0))
    data[12] ^= 0xFF  # inside the first deflate block's header
    evidence = tmp_path / "broken.tar.gz"
    evidence.write_bytes(data)
    problems = []
    source = open_evidence(evidence)  # not an archive it can list: a lone file, hashed
    try:
        [entry] = list(source.walk(problems.append))
    finally:
        source.close()
    assert (source.kind, str(entry.path), entry.size) == ("file", "/broken.tar.gz", len(data))
    [line] = problems
    assert line.severity == "error"
    assert line.message.startswith(
        "gzip-compressed data that cannot be decompressed from its start (Error -3 "
    )
    assert line.message.endswith(
        "the file is damaged (check it with `gzip -t`): scanned as one file (hashed only)"
    )
    status, output = scan_status(evidence, tmp_path)
    assert status == 3, output


def test_zip_member_with_an_empty_name_is_listed(tmp_path, scan):
    """Fuzzer (evidence.zip x42): IndexError in ZipInfo.is_dir on an empty file name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"alpha")
        archive.writestr("b.txt", b"bravo")
    data = buffer.getvalue()
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 1)  # b.txt's central record
    data = data[: central + 28] + b"\0\0" + data[central + 30 :]  # its name length: 0
    data = data.replace(b"b.txtPK\x05\x06", b"PK\x05\x06")
    cut = data.index(b"PK\x05\x06")
    size = int.from_bytes(data[cut + 12 : cut + 16], "little") - 5
    data = data[: cut + 12] + size.to_bytes(4, "little") + data[cut + 16 :]
    evidence = tmp_path / "noname.zip"
    evidence.write_bytes(data)
    assert exercise(evidence) is not None
    out = scan(evidence, extractors=[])
    paths = sorted(row["path"] for row in out.files())
    assert "/a.txt" in paths and len(paths) == 2


@pytest.mark.parametrize("directory", [True, False])
def test_zip_needing_an_unknown_version_is_read_or_salvaged(tmp_path, scan, directory):
    """Fuzzer (evidence.zip x4, x2): NotImplementedError "zip file version 8.0" from zipfile,
    out of ZipSource (central directory present) and out of the salvage (local headers)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"alpha")
    data = bytearray(buffer.getvalue())
    data[4] = 80  # local header: version needed 8.0
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 80  # central record: version needed 8.0
    evidence = tmp_path / "v8.zip"
    evidence.write_bytes(data if directory else data[:central])
    out = scan(evidence, extractors=[])
    assert [row["path"] for row in out.files()] == ["/a.txt"]
    walk = [p["message"] for p in out.problems() if p["stage"] == "walk"]
    assert walk[0].startswith("zip central directory unusable (")
    ended = (
        f"central directory found at byte {central} but not readable"
        if directory
        else f"the file ends at byte {central}, after the last member"
    )
    assert walk[0].endswith(f"1 member(s) found by their local headers; {ended}")


def test_e01_that_libewf_cannot_read_is_damage_not_a_crash(tmp_path):
    """Fuzzer (evidence.ewf x3): RuntimeError out of pyewf's read, through TSK's Volume_Info,
    when triage's reader refuses a set and pyewf opens it but cannot read its chunks."""
    data = bytearray(PLANTED.read_bytes())
    for offset, value in ((36882, 0), (36883, 127), (36955, 147), (36957, 95), (36958, 225)):
        data[offset] = value  # the table section's size and checksum, as the fuzzer left them
    evidence = tmp_path / "planted.E01"
    evidence.write_bytes(data)
    status, output = scan_status(evidence, tmp_path)
    assert status == ExitStatus.EVIDENCE_ALTERED  # the stored MD5 no longer matches: exit 5
    assert "E01 media bytes 0-65535 read as zeros: cannot be read" in " ".join(output.split())


def test_e01_cut_inside_its_volume_section_is_one_clean_error(tmp_path):
    """Fuzzer (evidence.ewf x1): struct.error reading a volume section cut short."""
    evidence = tmp_path / "cut.E01"
    evidence.write_bytes(PLANTED.read_bytes()[:960])
    with pytest.raises(EvidenceError) as raised:
        open_evidence(evidence)
    assert str(raised.value) == (
        f"{evidence}: E01 cannot be opened (E01 segment cut.E01 is truncated; cut.E01: damaged "
        "EWF structures (unpack requires a buffer of 20 bytes)); copy the segment file again "
        "from its source"
    )


def test_e01_table_declaring_billions_of_chunks_is_bounded_by_its_section(tmp_path):
    """Fuzzer (evidence.ewf hang x1): a table count of 0x7fffffff made the reader allocate
    offsets for every declared chunk (GBs) and misplace the tables after it."""
    from triage.evidence.ewf_reader import TABLE_HEADER, EwfReader

    reader = EwfReader([PLANTED])
    table = reader._tables[0]
    reader.close()
    data = bytearray(PLANTED.read_bytes())
    header = table.entries - TABLE_HEADER.size
    data[header : header + 4] = (0x7FFFFFFF).to_bytes(4, "little")
    evidence = tmp_path / "planted.E01"
    evidence.write_bytes(data)
    damaged = EwfReader([evidence])
    try:
        assert damaged._tables[0].count == (table.end - table.entries) // 4  # what fits
        assert damaged.read(0, 512) == bytes(512)  # its entries fail their checksum: zeros
        assert damaged.describe_damage().startswith(
            "1 corrupt E01 chunk(s) read as zeros: chunk 0 at media offset 0 is listed in a "
            "damaged chunk table"
        )
    finally:
        damaged.close()


def test_vmdk_naming_its_descriptor_beyond_any_file_is_a_clean_error(tmp_path):
    """Fuzzer (evidence.vm_disk x1): ValueError seeking to descriptorOffset * 512 when libvmdk
    had already refused the header."""
    import tarfile

    with tarfile.open(DATA / "containers" / "vm-disks.tar.gz") as archive:
        data = bytearray(archive.extractfile("fat.vmdk").read())  # type: ignore[union-attr]
    data[28:36] = (2**62).to_bytes(8, "little")  # descriptorOffset, in sectors
    evidence = tmp_path / "fat.vmdk"
    evidence.write_bytes(data)
    with pytest.raises(EvidenceError, match=r"fat\.vmdk: cannot be opened as VMDK: its header "):
        open_evidence(evidence)


def test_unnamed_encrypted_zip_member_is_a_read_problem(tmp_path, scan):
    """Fuzzer (evidence.tar x1, a tar given a zip signature): IndexError out of zipfile, whose
    "is encrypted" message calls ZipInfo.is_dir on an empty name, through ZipSource.open_file."""
    evidence = tmp_path / "odd.zip"
    evidence.write_bytes(bytes.fromhex("504b0304504b0304612f6f6e652e747874") + bytes(13))
    assert exercise(evidence) is not None
    out = scan(evidence, extractors=[])
    assert out.result.status == "done with problems"
    assert [p["stage"] for p in out.problems()] == ["walk", "hash"]


def test_e01_section_size_beyond_the_file_and_impossible_chunk_sizes(tmp_path, scan):
    """Fuzzer (evidence.ewf x1): a table section whose size field says 2**57 made the last
    chunk's stored size overflow 32 bits (OverflowError, raised out of TSK's Volume_Info as
    RuntimeError). The section now ends with the file, so the chunk reads; and a stored size
    no deflate stream can have (damaged entries) reads as a damaged chunk."""
    from triage.evidence.ewf_reader import EwfReader

    data = bytearray((DATA / "containers" / "smart.s01").read_bytes())
    for offset, value in ((370, 2), (411, 99), (413, 224)):
        data[offset] = value  # the table section's size field (and its checksum, refitted)
    evidence = tmp_path / "smart.s01"
    evidence.write_bytes(data)
    out = scan(evidence, extractors=[])
    assert out.result.status == "done", out.problems()
    sha = [row["sha256"] for row in out.files() if row["path"] == "/NOTES.TXT"]
    assert sha == [hashlib.sha256(b"meeting at the docks\n" * 100).hexdigest()]
    reader = EwfReader([evidence])
    table = reader._tables[0]
    reader.close()
    entries = bytearray(data)
    last = table.entries + 4 * (table.count - 1)
    entries[last : last + 4] = (0x80000000 | 4).to_bytes(4, "little")  # a size of ~6000 bytes
    entries[last - 4 : last] = (0x80000000 | 8).to_bytes(4, "little")  # and one below zero
    evidence.write_bytes(entries)
    damaged = EwfReader([evidence])
    try:
        damaged.read(0, damaged.size)
        assert "chunk 30 at media offset 983040 has a table entry giving no usable size" in (
            damaged.describe_damage() or ""
        )
    finally:
        damaged.close()
