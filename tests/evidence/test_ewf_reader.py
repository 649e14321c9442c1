"""triage's own EWF-E01 reader against pyewf, the reference, on every corpus E01.

Corpus: dfvfs_ext2.E01 (EnCase 6, deflate), plaso_image.E01 (deflate best) and the two-segment
plaso_image-split.E01/.E02 (uncompressed chunks with Adler-32). Damaged copies are made in tmp.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pytest

from triage.errors import EvidenceError
from triage.evidence import ewf_reader
from triage.evidence.ewf import find_segments, open_ewf
from triage.evidence.ewf_reader import EwfFormatError, EwfReader

pyewf = pytest.importorskip("pyewf")

CORPUS_E01 = {
    # name: (segments, media size, chunk count, stored MD5 (as pyewf reports it))
    "dfvfs_ext2.E01": (1, 4194304, 128, "196066add11fb71c4c49cf1bb50d6d24"),
    "plaso_image.E01": (1, 102400, 4, "d73c51f10c7ee6a681b7b619ccc6f1c4"),
    "plaso_image-split.E01": (2, 1474560, 45, "38ea5af8a80e16e46c095c9110242fc0"),
}


def reference(segments: list[Path]):
    handle = pyewf.handle()
    handle.open([str(segment) for segment in segments])
    return handle


@pytest.mark.parametrize("inflater", ["default", "zlib"])
@pytest.mark.parametrize("name", sorted(CORPUS_E01))
def test_reader_equals_pyewf_byte_for_byte(corpus, name, monkeypatch, inflater):
    if inflater == "zlib":
        monkeypatch.setattr(ewf_reader, "_libdeflate", None)
    count, size, chunks, md5 = CORPUS_E01[name]
    segments = list(find_segments(corpus / "disk-images" / name))
    assert len(segments) == count
    handle = reference(segments)
    reader = EwfReader(segments)
    try:
        assert (reader.size, reader.chunk_count, reader.chunk_size) == (size, chunks, 32768)
        assert reader.size == handle.get_media_size()
        assert reader.read(0, reader.size) == handle.read_buffer_at_offset(reader.size, 0)
        rng = random.Random(name)
        for _ in range(200):  # reads that start and end inside chunks, across segments
            offset = rng.randrange(reader.size)
            length = rng.randrange(1, 100_000)
            expected = handle.read_buffer_at_offset(min(length, reader.size - offset), offset)
            assert reader.read(offset, length) == expected, (offset, length)
            assert b"".join(reader.read_pieces(offset, length)) == expected
        assert reader.read(reader.size, 10) == b""
        assert reader.read(reader.size - 5, 10) == handle.read_buffer_at_offset(5, size - 5)
        assert reader.stored_hashes == {"md5": md5}
        assert {k.lower(): v for k, v in handle.get_hash_values().items()} == {"md5": md5}
        assert reader.damaged == {} and reader.hash_section_errors == []
    finally:
        reader.close()
        handle.close()


def damaged_copy(corpus: Path, tmp_path: Path, chunk: int, where: float) -> tuple[Path, int]:
    """plaso_image.E01 with one byte flipped inside a deflated chunk's data."""
    source = corpus / "disk-images" / "plaso_image.E01"
    reader = EwfReader([source])
    table, loaded = reader._table_for(chunk)
    offset = loaded.offsets[chunk - table.first_chunk]
    size = loaded.sizes[chunk - table.first_chunk]
    assert loaded.compressed[chunk - table.first_chunk]
    reader.close()
    data = bytearray(source.read_bytes())
    data[offset + int(size * where)] ^= 0x01
    copy = tmp_path / "damaged.E01"
    copy.write_bytes(data)
    return copy, offset


@pytest.mark.parametrize("inflater", ["default", "zlib"])
def test_corrupt_chunk_reads_as_zeros_like_pyewf_and_is_named(
    corpus, tmp_path, monkeypatch, inflater
):
    if inflater == "zlib":  # the fallback when libdeflate (package ``deflate``) is absent
        monkeypatch.setattr(ewf_reader, "_libdeflate", None)
    copy, _ = damaged_copy(corpus, tmp_path, chunk=0, where=0.2)
    reader = EwfReader([copy])
    handle = reference([copy])
    media = reader.read(0, reader.size)
    assert media == handle.read_buffer_at_offset(reader.size, 0)  # libewf zero-fills too
    assert media[:32768] == bytes(32768)
    assert reader.damage_events == 1
    assert list(reader.damaged) == [0]
    assert reader.describe_damage().startswith(
        "1 corrupt E01 chunk(s) read as zeros: chunk 0 at media offset 0 does not inflate"
    )
    reader.read(100, 10)  # a damaged chunk is never cached: every read of it counts
    assert reader.damage_events == 2
    reader.close()
    handle.close()


def test_uncompressed_chunk_with_bad_checksum(corpus, tmp_path):
    """plaso_image-split.E01 stores chunks uncompressed with an Adler-32 after each."""
    segments = find_segments(corpus / "disk-images" / "plaso_image-split.E01")
    reader = EwfReader(segments)
    table, loaded = reader._table_for(3)
    assert not loaded.compressed[3]
    offset = loaded.offsets[3]
    reader.close()
    folder = tmp_path / "split"
    folder.mkdir()
    for segment in segments:
        (folder / segment.name).write_bytes(segment.read_bytes())
    data = bytearray((folder / segments[0].name).read_bytes())
    data[offset + 100] ^= 0xFF
    (folder / segments[0].name).write_bytes(data)
    damaged = EwfReader(find_segments(folder / segments[0].name))
    assert damaged.read(3 * 32768, 32768) == bytes(32768)
    assert damaged.damaged == {3: "fails its Adler-32 checksum"}
    damaged.close()


def test_not_an_e01_and_truncated_sets(corpus, tmp_path):
    garbage = tmp_path / "garbage.E01"
    garbage.write_bytes(b"EVF\x09\x0d\x0a\xff\x00" + b"\x01\x01\x00\x00\x00" + b"\xff" * 200)
    with pytest.raises(EwfFormatError, match="fails its checksum"):
        EwfReader([garbage])
    plain = tmp_path / "plain.E01"
    plain.write_bytes(b"not an image at all" * 10)
    with pytest.raises(EwfFormatError, match="not an EWF-E01 segment"):
        EwfReader([plain])
    # Only the first of two segments: the set check names the missing one.
    lone = tmp_path / "lone"
    lone.mkdir()
    first = corpus / "disk-images" / "plaso_image-split.E01"
    (lone / first.name).write_bytes(first.read_bytes())
    with pytest.raises(EvidenceError, match="plaso_image-split.E02, which is missing"):
        find_segments(lone / first.name)
    # Cut inside the chunk data: the tables after the cut are gone.
    source = corpus / "disk-images" / "dfvfs_ext2.E01"
    data = source.read_bytes()
    reader = EwfReader([source])
    table, loaded = reader._table_for(0)
    cut_at = loaded.offsets[5] + 3
    reader.close()
    cut = tmp_path / "cut.E01"
    cut.write_bytes(data[:cut_at])
    with pytest.raises(EwfFormatError, match="tables list 0 of the 128 chunks"):
        EwfReader([cut])


def test_open_ewf_uses_the_reader_and_keeps_pyewf_metadata(corpus):
    media = open_ewf(corpus / "disk-images" / "dfvfs_ext2.E01")
    try:
        assert media.format == "E01" and media.size == 4194304
        assert media.stored_hashes == {"md5": "196066add11fb71c4c49cf1bb50d6d24"}
        assert media.metadata["case_number"] == "case"
        assert media.metadata["examiner_name"] == "examiner"
        assert media.metadata["reader"].startswith("triage ewf_reader (")
        assert isinstance(media.read_at.__self__, EwfReader)
        assert media.read(0, 4) == media.read_at(0, 4)
    finally:
        media.close()


def test_stored_hash_section_checksum_is_checked(corpus, tmp_path):
    """libewf refuses a hash section that fails its Adler-32; our reader reads and flags it."""
    source = corpus / "disk-images" / "plaso_image.E01"
    data = bytearray(source.read_bytes())
    at = data.find(bytes.fromhex("d73c51f10c7ee6a681b7b619ccc6f1c4"))
    data[at] ^= 0xFF
    copy = tmp_path / "tampered.E01"
    copy.write_bytes(data)
    reader = EwfReader([copy])
    assert reader.stored_hashes == {"md5": "283c51f10c7ee6a681b7b619ccc6f1c4"}
    assert reader.hash_section_errors == ["hash section fails its checksum"]
    reader.close()
    media = open_ewf(copy)  # pyewf refuses the set; ours reads it
    assert media.metadata["stored_hash_problem"] == "hash section fails its checksum"
    assert "checksum does not match" in media.metadata["pyewf_error"]
    media.close()
    # With the section checksum recomputed, libewf opens it too and agrees on the value.
    struct.pack_into("<I", data, at + 32, zlib.adler32(bytes(data[at : at + 32])))
    copy.write_bytes(data)
    handle = reference([copy])
    assert handle.get_hash_values()["MD5"] == "283c51f10c7ee6a681b7b619ccc6f1c4"
    handle.close()
