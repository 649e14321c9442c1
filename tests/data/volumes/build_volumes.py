#!/usr/bin/env python3
"""Build the committed volume-layer fixtures in this folder (needs ewf-tools: ewfacquire).

    python3 tests/data/volumes/build_volumes.py

Outputs:
  random.E01  an E01 (EnCase 6, no compression) of 32 KiB of seeded pseudo-random bytes: media
              with no partition table, file system or volume (issue 15 item 4)
  sdcard.raw.gz  an SD card: MBR, one exFAT partition (type 0x07, label SDCARD, from
              mkfs.exfat of exfatprogs) holding DCIM-style files written here from the exFAT
              specification (file, stream-extension and file-name entries with their checksums,
              contiguous clusters marked in the allocation bitmap): no exFAT driver or FUSE
              mount needed

The encrypted-volume fixtures (LUKS1 over the NTFS fixture) are not committed: encrypted bytes do
not compress, so tests build them at run time with tests/evidence/volume_fixtures.py.
"""

from __future__ import annotations

import gzip
import random
import struct
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MiB = 1 << 20
SD_FILES = {
    "IMG_0001.JPG": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 20 + b"\xff\xd9",
    "notes.txt": b"meet at the harbour, 21:00\n",
}
# 2024-03-01 09:00:00 as an exFAT (DOS) timestamp: year-1980, month, day, hour, minute, 2 s.
EXFAT_TIME = (44 << 25) | (3 << 21) | (1 << 16) | (9 << 11)


def _rotate_sum(checksum: int, data: bytes, skip: range = range(0)) -> int:
    for index, byte in enumerate(data):
        if index not in skip:
            checksum = (((checksum << 15) | (checksum >> 1)) + byte) & 0xFFFF
    return checksum


def _file_entries(name: str, first_cluster: int, size: int) -> bytes:
    """The directory entry set of one contiguous file (exFAT spec 7.4, 7.6, 7.7)."""
    encoded = name.encode("utf-16-le")
    file_entry = bytearray(32)
    file_entry[0], file_entry[1] = 0x85, 2  # 2 secondary entries: stream extension, one name
    struct.pack_into("<H", file_entry, 4, 0x20)  # archive
    struct.pack_into("<III", file_entry, 8, EXFAT_TIME, EXFAT_TIME, EXFAT_TIME)
    stream = bytearray(32)
    stream[0], stream[1], stream[3] = 0xC0, 0x03, len(name)  # allocation possible, no FAT chain
    struct.pack_into("<H", stream, 4, _rotate_sum(0, name.upper().encode("utf-16-le")))
    struct.pack_into("<Q", stream, 8, size)
    struct.pack_into("<IQ", stream, 20, first_cluster, size)
    file_name = bytearray(32)
    file_name[0] = 0xC1
    file_name[2 : 2 + len(encoded)] = encoded
    entries = bytes(file_entry) + bytes(stream) + bytes(file_name)
    struct.pack_into("<H", file_entry, 2, _rotate_sum(0, entries, range(2, 4)))
    return bytes(file_entry) + bytes(stream) + bytes(file_name)


def add_exfat_files(volume: bytearray, files: dict[str, bytes]) -> None:
    """Write ``files`` into the root folder of a freshly made exFAT volume."""
    fat_offset, fat_length, heap, count, root = struct.unpack_from("<IIIII", volume, 80)
    sector = 1 << volume[108]
    cluster = sector << volume[109]

    def at(number: int) -> int:
        return heap * sector + (number - 2) * cluster

    entries = volume[at(root) : at(root) + cluster]
    bitmap_cluster = next(
        struct.unpack_from("<I", entries, index + 20)[0]
        for index in range(0, cluster, 32)
        if entries[index] == 0x81
    )
    bitmap = at(bitmap_cluster)
    free = root + 1
    slot = next(index for index in range(0, cluster, 32) if entries[index] == 0)
    for name, data in files.items():
        clusters = -(-len(data) // cluster)
        volume[at(free) : at(free) + len(data)] = data
        for number in range(free, free + clusters):
            volume[bitmap + (number - 2) // 8] |= 1 << ((number - 2) % 8)
        entry_set = _file_entries(name, free, len(data))
        start = at(root) + slot
        volume[start : start + len(entry_set)] = entry_set
        slot += len(entry_set)
        free += clusters


def build_sdcard(target: Path) -> None:
    """An MBR SD card with one exFAT partition at 1 MiB holding SD_FILES."""
    with tempfile.TemporaryDirectory() as scratch:
        part = Path(scratch) / "exfat.img"
        with open(part, "wb") as handle:
            handle.truncate(7 * MiB)
        subprocess.run(["mkfs.exfat", "-L", "SDCARD", str(part)], check=True, capture_output=True)
        volume = bytearray(part.read_bytes())
    add_exfat_files(volume, SD_FILES)
    mbr = bytearray(512)
    mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0" * 3, 0x07, b"\0" * 3, 2048, len(volume) // 512)
    mbr[510:512] = b"\x55\xaa"
    disk = bytes(mbr) + bytes(MiB - 512) + bytes(volume)
    target.write_bytes(gzip.compress(disk, mtime=0))


def main() -> None:
    build_sdcard(HERE / "sdcard.raw.gz")
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "random.raw"
        raw.write_bytes(random.Random(7).randbytes(32768))
        target = HERE / "random"
        for old in HERE.glob("random.E0?"):
            old.unlink()
        subprocess.run(
            ["ewfacquire", "-u", "-t", str(target), "-f", "encase6", "-c", "none", "-d", "sha1",
             "-C", "random bytes", "-D", "issue 15 item 4 fixture", "-e", "triage tests",
             "-E", "1", "-N", "seed 7", str(raw)],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
