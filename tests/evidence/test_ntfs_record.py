"""NTFS MFT records: the initialized size that decides whether a file may be read in place.

Unit cases on records of the ntfs.raw fixture (fixups, torn sectors, wrong entry number,
resident and named streams), and the case that matters: a file whose initialized size is
smaller than its size (patched into a copy of the fixture) is read through TSK, which gives
zeros past it, and hashes to TSK's bytes, not to the stale clusters on the disk.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
from pathlib import Path

import pytest

from triage.evidence import locate, open_evidence
from triage.evidence.ntfs_record import DataSizes, fixed_up, unnamed_data_sizes
from triage.hashing import ALGORITHMS, FileHasher, HashJob

MFT_OFFSET = 4 * 4096  # ntfs.raw: $MFT starts at cluster 4 (fls/istat -o 0 ntfs.raw 0)
RECORD = 1024
BIG_BIN = 75  # /Users/agent1/big.bin, 1.5 MiB of data in one run
ANYDESK = 67  # /Users/agent1/Downloads/AnyDesk.exe, with a Zone.Identifier stream
NOTES = 69  # /Users/agent1/Documents/notes.txt, 21 bytes: resident


def record(image: Path, number: int) -> bytes:
    with open(image, "rb") as handle:
        handle.seek(MFT_OFFSET + number * RECORD)
        return handle.read(RECORD)


def data_attribute_offset(data: bytes) -> int:
    """Offset of the unnamed $DATA attribute in a (fixed-up) record."""
    (offset,) = struct.unpack_from("<H", data, 0x14)
    while True:
        kind, length = struct.unpack_from("<II", data, offset)
        if kind == 0x80 and data[offset + 9] == 0:
            return offset
        offset += length


def test_sizes_of_a_written_file(images):
    sizes = unnamed_data_sizes(record(images["ntfs"], BIG_BIN), BIG_BIN)
    assert sizes == DataSizes(1572864, 1572864)
    assert sizes.fully_initialized


def test_named_streams_do_not_count_and_resident_data_has_no_runs(images):
    """AnyDesk.exe: its unnamed $DATA (1,052 bytes, non-resident) is found past the named
    Zone.Identifier; notes.txt keeps its data in the record, so there is nothing to read."""
    assert unnamed_data_sizes(record(images["ntfs"], ANYDESK), ANYDESK) == DataSizes(1052, 1052)
    assert unnamed_data_sizes(record(images["ntfs"], NOTES), NOTES) is None


def test_fixups_are_checked_and_applied(images):
    raw = record(images["ntfs"], BIG_BIN)
    (usa_offset,) = struct.unpack_from("<H", raw, 4)
    fixed = fixed_up(raw)
    assert fixed is not None
    # The last two bytes of each 512 are restored from the update sequence array.
    assert fixed[510:512] == raw[usa_offset + 2 : usa_offset + 4]
    assert fixed[1022:1024] == raw[usa_offset + 4 : usa_offset + 6]
    torn = bytearray(raw)
    torn[1022] ^= 0xFF  # the second sector was not written with the first
    assert fixed_up(bytes(torn)) is None
    assert unnamed_data_sizes(bytes(torn), BIG_BIN) is None
    assert fixed_up(b"BAAD" + raw[4:]) is None
    assert fixed_up(raw[:40]) is None


def test_a_record_must_be_the_entry_asked_for(images):
    raw = record(images["ntfs"], BIG_BIN)
    assert unnamed_data_sizes(raw, BIG_BIN) is not None
    assert unnamed_data_sizes(raw, BIG_BIN + 1) is None


@pytest.mark.parametrize("garbage", [b"", b"\0" * RECORD, b"FILE" + b"\xff" * (RECORD - 4)])
def test_garbage_is_not_a_record(garbage):
    assert unnamed_data_sizes(garbage, BIG_BIN) is None


def test_file_not_written_to_its_end_is_read_through_tsk(images, tmp_path):
    """big.bin's initialized size patched to 4 KiB: TSK reads zeros past it, so the clusters on
    the disk (still holding the old bytes) must not be hashed in place."""
    image = tmp_path / "ntfs.raw"
    shutil.copy(images["ntfs"], image)
    image.chmod(0o644)
    raw = bytearray(record(image, BIG_BIN))
    at = data_attribute_offset(fixed_up(bytes(raw))) + 0x38
    assert at + 8 < 510  # clear of the first fixup position: no sequence to rewrite
    struct.pack_into("<Q", raw, at, 4096)
    with open(image, "r+b") as handle:
        handle.seek(MFT_OFFSET + BIG_BIN * RECORD)
        handle.write(raw)
    assert unnamed_data_sizes(bytes(raw), BIG_BIN) == DataSizes(1572864, 4096)

    source = open_evidence(image)
    try:
        entry = next(e for e in source.walk(lambda p: None) if e.path.name == "big.bin")
        with source.open_file(entry.ref) as stream:
            through_tsk = stream.read()
        assert source.data_extents(entry.ref) is None
    finally:
        source.close()
    assert len(through_tsk) == 1572864
    assert through_tsk[4096:] == bytes(1572864 - 4096)  # TSK: zeros past the initialized size
    with open(images["ntfs"], "rb") as handle:
        handle.seek(1228800 + 4096)  # big.bin's run (istat): the old bytes are still there
        assert handle.read(4096) != bytes(4096)

    locator = locate(image)
    hasher = FileHasher(locator, ALGORITHMS, False)
    try:
        digest = hasher.hash_one(HashJob(1, entry.ref, entry.size, "big.bin"))
    finally:
        hasher.close()
    assert digest.sha256 == hashlib.sha256(through_tsk).hexdigest()
    assert digest.md5 == hashlib.md5(through_tsk).hexdigest()


def test_an_unreadable_record_only_turns_the_shortcut_off(images, monkeypatch):
    """If the MFT record cannot be read, big.bin is read through TSK: not an error."""
    source = open_evidence(images["ntfs"])
    try:
        entry = next(e for e in source.walk(lambda p: None) if e.path.name == "big.bin")
        assert source.data_extents(entry.ref) is not None

        def unreadable(partition, inode):
            raise OSError("simulated read error")

        monkeypatch.setattr(source, "_mft_record", unreadable)
        assert source.data_extents(entry.ref) is None
    finally:
        source.close()
