"""Damaged and layered containers: VM disks with backing chains, SMART E01, damage reported.

Fixtures: ``tests/data/containers`` (built by ``build_containers.py``: a 1 MiB FAT volume
holding /NOTES.TXT, acquired as SMART .s01 and converted to QCOW2 (+ overlay), VHD, VHDX and
VMDK). Each damaged input is a copy of one, cut or overwritten here.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import struct
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import DATA
from triage.cli import main
from triage.errors import EvidenceError
from triage.evidence import open_evidence
from triage.verify import verify_evidence

HERE = DATA / "containers"
NOTES = b"meeting at the docks\n" * 100
NOTES_SHA256 = hashlib.sha256(NOTES).hexdigest()
OVERLAY_NOTES_SHA256 = hashlib.sha256(b"MEETING" + NOTES[7:]).hexdigest()
FAT_MD5 = hashlib.md5(gzip.decompress((HERE / "fat.raw.gz").read_bytes())).hexdigest()


@pytest.fixture
def disks(tmp_path: Path) -> Path:
    """The VM disks unpacked into a fresh folder."""
    folder = tmp_path / "disks"
    with tarfile.open(HERE / "vm-disks.tar.gz") as archive:
        archive.extractall(folder, filter="data")
    return folder


def notes_hash(out) -> str | None:
    rows = out.rows("SELECT sha256 FROM files WHERE path LIKE '%NOTES.TXT'")
    return rows[0]["sha256"] if rows else None


def messages(out) -> list[str]:
    return [f"{p['stage']}: {p['message']}" for p in out.problems()]


@pytest.mark.parametrize("name", ["base.qcow2", "fat.vhd", "fat.vhdx", "fat.vmdk", "split.vmdk"])
def test_each_vm_disk_reads(disks, scan, name):
    out = scan(disks / name, extractors=[])
    assert out.result.status == "done", messages(out)
    assert notes_hash(out) == NOTES_SHA256
    if name != "fat.vhd":  # qemu-img rounds a VHD up to a whole CHS geometry
        assert out.rows("SELECT md5 FROM evidence")[0]["md5"] == FAT_MD5


def test_qcow2_overlay_reads_through_its_backing_file(disks, scan):
    out = scan(disks / "overlay.qcow2", extractors=[])
    assert out.result.status == "done", messages(out)
    assert notes_hash(out) == OVERLAY_NOTES_SHA256  # the overlay's change over the base's bytes
    source = open_evidence(disks / "overlay.qcow2")
    try:
        info = source.info()
    finally:
        source.close()
    assert info.metadata["backing_chain"] == "overlay.qcow2 <- base.qcow2"
    assert info.segments == (str(disks / "overlay.qcow2"), str(disks / "base.qcow2"))


def test_qcow2_overlay_without_its_backing_file_is_a_clean_error(disks, tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(disks / "overlay.qcow2", alone)
    result = CliRunner().invoke(main, ["verify", str(alone / "overlay.qcow2")])
    assert result.exit_code == 1
    assert (
        f"triage: error: {alone / 'overlay.qcow2'}: its backing file 'base.qcow2' is missing; "
        "put it beside overlay.qcow2 (the whole chain in one folder) and scan again"
    ) in result.output


def test_qcow2_backing_file_outside_the_evidence_folder_is_refused(disks):
    """An overlay naming ../base.qcow2 (the base exists there) is not followed out."""
    inner = disks / "inner"
    inner.mkdir()
    data = bytearray((disks / "overlay.qcow2").read_bytes())
    offset, _ = struct.unpack_from(">QI", data, 8)
    data[offset : offset + 13] = b"../base.qcow2"
    struct.pack_into(">I", data, 16, 13)
    (inner / "overlay.qcow2").write_bytes(data)
    with pytest.raises(EvidenceError, match=r"its backing file '\.\./base\.qcow2' is outside "):
        open_evidence(inner / "overlay.qcow2")


def test_vmdk_extent_given_instead_of_its_descriptor(disks):
    with pytest.raises(EvidenceError) as raised:
        open_evidence(disks / "split-s001.vmdk")
    assert str(raised.value) == (
        f"{disks / 'split-s001.vmdk'}: is an extent of a split VMDK, not its descriptor; check "
        "it with `qemu-img check`; a split VMDK opens by its descriptor (the .vmdk text file) "
        "with its extents beside it"
    )


@pytest.mark.parametrize(
    ("name", "keep"),
    [("base.qcow2", 300), ("base.qcow2", 0.5), ("fat.vhd", 0.9), ("fat.vhdx", 300),
     ("fat.vmdk", 300)],
)  # fmt: skip
def test_vm_disk_that_cannot_be_opened_is_a_clean_error(disks, name, keep):
    data = (disks / name).read_bytes()
    cut = disks / f"cut-{name}"
    cut.write_bytes(data[: keep if isinstance(keep, int) else int(len(data) * keep)])
    container = name.rsplit(".", 1)[1].upper()
    with pytest.raises(EvidenceError, match=rf"cannot be opened as {container}: its header is "):
        open_evidence(cut)


@pytest.mark.parametrize(("name", "keep"), [("fat.vmdk", 0.5), ("fat.vhdx", 0.9)])
def test_vm_disk_cut_short_is_read_as_far_as_it_goes_and_reported(disks, scan, name, keep):
    data = (disks / name).read_bytes()
    cut = disks / f"cut-{name}"
    cut.write_bytes(data[: int(len(data) * keep)])
    out = scan(cut, extractors=[])
    assert out.result.status == "done with problems", messages(out)
    found = messages(out)
    assert any("media bytes " in text and "read as zeros" in text for text in found), found
    assert any(text.startswith("hash: evidence ") for text in found), found
    outcome = verify_evidence(cut)
    assert outcome["damaged"] and "read as zeros" in outcome["damaged"]
    assert CliRunner().invoke(main, ["verify", str(cut)]).exit_code == 3


# -- EWF ------------------------------------------------------------------------------------------
def test_smart_s01_verifies_and_scans(scan):
    outcome = verify_evidence(HERE / "smart.s01")
    assert outcome["verification"] == "verified (MD5)"
    assert outcome["md5"] == FAT_MD5
    out = scan(HERE / "smart.s01", extractors=[])
    assert out.result.status == "done", messages(out)
    assert notes_hash(out) == NOTES_SHA256


def zero_chunk_corrupted(source: Path, target: Path) -> int:
    """A copy of an E01 with one deflated chunk that held zeros made undecodable."""
    from triage.evidence.ewf_reader import EwfReader

    reader = EwfReader([source])
    try:
        for index in range(reader.chunk_count):
            table, loaded = reader._table_for(index)
            position = index - table.first_chunk
            if loaded.compressed[position] and not any(
                reader.read(index * reader.chunk_size, reader.chunk_size)
            ):
                start, size = loaded.offsets[position], loaded.sizes[position]
                break
        else:
            raise AssertionError("no zero chunk")
    finally:
        reader.close()
    data = bytearray(source.read_bytes())
    data[start + 2 : start + size - 4] = b"\xff" * (size - 6)
    target.write_bytes(data)
    return index


def test_verify_reports_corrupt_chunks_that_held_zeros(images, tmp_path):
    copy = tmp_path / "zeros.E01"
    index = zero_chunk_corrupted(images["gpt_e01"], copy)
    good = verify_evidence(images["gpt_e01"])
    outcome = verify_evidence(copy)
    assert outcome["md5"] == good["md5"]  # the zeros read match what was acquired...
    assert outcome["verification"].startswith(
        "DAMAGED: verified (MD5, SHA-1) only because the corrupt chunks held zeros when "
        f"acquired; 1 corrupt E01 chunk(s) read as zeros: chunk {index} at media offset "
        f"{index * 32768} does not inflate"
    )  # ...but the container is damaged, and verify says so
    result = CliRunner().invoke(main, ["verify", str(copy)])
    assert result.exit_code == 3
    assert "verification  DAMAGED: verified" in result.output


def test_e01_chunk_table_damaged_with_its_copy_is_damage_not_a_crash(images, tmp_path, scan):
    from triage.evidence.ewf_reader import EwfReader

    source = images["gpt_e01"]
    reader = EwfReader([source])
    table = reader._tables[-1]
    reader.close()
    data = bytearray(source.read_bytes())
    for entries in (table.entries, table.mirror):
        data[entries + 4] ^= 0xFF  # both copies fail their checksum
    copy = tmp_path / "tables.E01"
    copy.write_bytes(data)
    outcome = verify_evidence(copy)
    assert outcome["verification"].startswith("MISMATCH: MD5 stored ")
    assert (
        f"chunk {table.first_chunk} at media offset {table.first_chunk * 32768} is listed in "
        f"a damaged chunk table (segment tables.E01 offset {table.start}) that has no usable "
        "copy" in outcome["verification"]
    )
    out = scan(copy, extractors=[])
    assert out.result.status == "done with problems"
    assert any("damaged chunk table" in text for text in messages(out))


# -- split raw ------------------------------------------------------------------------------------
def split_fat(folder: Path, pieces: int = 4) -> tuple[bytes, int]:
    data = gzip.decompress((HERE / "fat.raw.gz").read_bytes())
    size = len(data) // pieces
    folder.mkdir()
    for index in range(pieces):
        (folder / f"fat.{index + 1:03d}").write_bytes(data[index * size : (index + 1) * size])
    return data, size


def test_split_raw_with_a_missing_piece_is_read_around_the_gap(tmp_path, scan):
    data, size = split_fat(tmp_path / "split")
    (tmp_path / "split" / "fat.003").unlink()
    out = scan(tmp_path / "split" / "fat.001", extractors=[])
    assert out.result.status == "done with problems"
    assert [p["message"] for p in out.problems() if p["stage"] == "evidence"] == [
        f"split raw media bytes {2 * size}-{3 * size - 1} read as zeros: piece fat.003 is missing"
    ]
    assert notes_hash(out) == NOTES_SHA256
    source = open_evidence(tmp_path / "split" / "fat.001")
    try:
        assert source.info().size == len(data)
        assert source.media.read(3 * size, 4096) == data[3 * size : 3 * size + 4096]
    finally:
        source.close()
    assert CliRunner().invoke(main, ["verify", str(tmp_path / "split" / "fat.001")]).exit_code == 3


def test_split_raw_with_a_short_middle_piece_keeps_later_bytes_in_place(tmp_path, scan):
    data, size = split_fat(tmp_path / "split")
    piece = tmp_path / "split" / "fat.002"
    piece.write_bytes(piece.read_bytes()[:-1000])
    source = open_evidence(tmp_path / "split" / "fat.001")
    try:
        assert source.info().size == len(data)  # not 1000 bytes short, every later byte shifted
        assert source.media.read(2 * size, 4096) == data[2 * size : 2 * size + 4096]
        assert source.media.read(2 * size - 1000, 1000) == bytes(1000)
    finally:
        source.close()
    out = scan(tmp_path / "split" / "fat.001", extractors=[])
    message = (
        f"split raw media bytes {2 * size - 1000}-{2 * size - 1} read as zeros: piece fat.002 "
        f"is {size - 1000} bytes, 1000 short of the others (later pieces kept at their offsets)"
    )
    assert [p["message"] for p in out.problems() if p["stage"] == "evidence"] == [message]
    assert f"evidence {message}" in [p["message"] for p in out.problems() if p["stage"] == "hash"]
    outcome = verify_evidence(tmp_path / "split" / "fat.001")
    assert outcome["damaged"] == message


# -- file systems cut short -----------------------------------------------------------------------
def test_ext4_cut_short_is_reported_with_the_missing_blocks(images, tmp_path, scan):
    source = open_evidence(images["gpt"])
    try:
        ext4 = next(part for part in source.partitions() if part.fs_type == "ext4")
    finally:
        source.close()
    data = images["gpt"].read_bytes()[ext4.start : ext4.start + ext4.length]
    cut = tmp_path / "ext4-cut.raw"
    cut.write_bytes(data[: len(data) * 3 // 4])
    out = scan(cut, extractors=[])
    assert out.result.status == "done with problems"
    evidence = [p["message"] for p in out.problems() if p["stage"] == "evidence"]
    blocks, size = len(data) // 1024, 1024  # mke2fs chose 1 KiB blocks for this small volume
    assert evidence == [
        f"ext4 file system in the image (at byte 0) is cut short: it has {blocks} blocks of "
        f"{size} bytes, the image holds {blocks * 3 // 4}; blocks {blocks * 3 // 4}-{blocks - 1} "
        f"(bytes {blocks * 3 // 4 * size}-{len(data) - 1}) are missing: the image is truncated"
    ]


def test_truncated_iso_is_reported(corpus, tmp_path, scan):
    cut = tmp_path / "cut.iso"
    cut.write_bytes((corpus / "disk-images" / "dfvfs_iso9660.raw").read_bytes()[:200000])
    out = scan(cut, extractors=[])
    assert [p["message"] for p in out.problems() if p["stage"] == "evidence"] == [
        "ISO9660 file system in the image (at byte 0) is cut short: it has 179 blocks of 2048 "
        "bytes, the image holds 97; blocks 97-178 (bytes 198656-366591) are missing: the image "
        "is truncated"
    ]
    assert out.result.status == "done with problems"


def test_batch_scans_a_split_image_with_a_missing_piece_as_one_device(tmp_path):
    from triage.case import scan_folder

    split_fat(tmp_path / "seized")
    (tmp_path / "seized" / "fat.002").unlink()
    case = scan_folder(tmp_path / "seized")
    assert [(device.name, Path(device.evidence).name) for device in case.devices] == [
        ("fat", "fat.001")
    ]
