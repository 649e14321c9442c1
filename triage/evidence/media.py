"""Disk-image containers: raw, split raw, E01 and virtual-machine disks, as random-access media.

Each container is recognised from its first bytes (never from its extension) and exposed as a
:class:`Media`: ``read(offset, size)`` over the logical disk, its size, its segment files and,
for E01, the hashes stored at acquisition. Every file is opened read-only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from triage.evidence.base import open_evidence_file, open_untouched

EWF_SIGNATURE = b"EVF\x09\x0d\x0a\xff\x00"
EWF2_SIGNATURE = b"EVF2\x0d\x0a\x81\x00"
QCOW_SIGNATURE = b"QFI\xfb"
VMDK_SPARSE_SIGNATURE = b"KDMV"
VMDK_DESCRIPTOR_MARK = b"# Disk DescriptorFile"
VHDX_SIGNATURE = b"vhdxfile"
VHD_COOKIE = b"conectix"

# name.001 / name.000 / name.raw.001 / name.aa: the numbered or lettered pieces of a split image.
SPLIT_NUMERIC = re.compile(r"^(?P<stem>.+)\.(?P<num>\d{3,})$")
SPLIT_ALPHA = re.compile(r"^(?P<stem>.+)\.(?P<num>[a-z]{2})$")


@dataclass
class Media:
    """A logical disk read from one or more container files."""

    format: str
    size: int
    segments: tuple[Path, ...]
    read_at: Callable[[int, int], bytes]
    close: Callable[[], None]
    stored_hashes: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def single_file(self) -> Path | None:
        """The host file that holds the media byte for byte (a raw image in one piece), else
        None: such media can be mapped, and read by TSK natively, by its file's name."""
        if self.format == "raw" and len(self.segments) == 1:
            return Path(self.segments[0])
        return None

    def read(self, offset: int, size: int) -> bytes:
        """Read up to ``size`` bytes at ``offset``; short only at the end of the media."""
        if offset >= self.size or size <= 0:
            return b""
        return self.read_at(offset, min(size, self.size - offset))


def sniff_container(path: Path) -> str | None:
    """Name the container format from the file's own bytes, or None for plain raw data."""
    with open_evidence_file(path) as handle:
        head = handle.read(512)
        if head.startswith(EWF_SIGNATURE):
            return "E01"
        if head.startswith(EWF2_SIGNATURE):
            return "Ex01"
        if head.startswith(QCOW_SIGNATURE):
            return "QCOW2"
        if head.startswith(VMDK_SPARSE_SIGNATURE) or VMDK_DESCRIPTOR_MARK in head:
            return "VMDK"
        if head.startswith(VHDX_SIGNATURE):
            return "VHDX"
        if head.startswith(VHD_COOKIE):  # dynamic VHD: footer copy at the start
            return "VHD"
        size = os.fstat(handle.fileno()).st_size
        if size >= 512:
            handle.seek(size - 512)
            if handle.read(8) == VHD_COOKIE:  # fixed VHD: footer only at the end
                return "VHD"
    return None


def split_pieces(path: Path) -> tuple[tuple[Path | None, ...], list[str]] | None:
    """The pieces of a split raw image, None where one is missing, and a sentence per gap;
    None when ``path`` is not a piece of a split image. Naming is the only thing that marks a
    split image, so this is the one place that reads names. A gap is not refused: the image is
    read as far as it goes and the gap reported."""
    for pattern, first_values in ((SPLIT_NUMERIC, ("000", "001")), (SPLIT_ALPHA, ("aa",))):
        match = pattern.match(path.name)
        if not match:
            continue
        stem, width = match["stem"], len(match["num"])
        siblings = {}
        for candidate in path.parent.iterdir():
            found = pattern.match(candidate.name)
            if found and found["stem"] == stem and len(found["num"]) == width:
                siblings[found["num"]] = candidate
        if len(siblings) < 2:
            return None
        numbers = sorted(siblings)
        zero = first_values[0].zfill(width)
        start = zero if numbers[0] == zero else first_values[-1].zfill(width)
        expected = _sequence(start, _position(numbers[-1], start) + 1)
        slots = tuple(siblings.get(value) for value in expected)
        gaps = [f"piece {stem}.{value} is missing" for value in expected if value not in siblings]
        return slots, gaps
    return None


def _position(value: str, first: str) -> int:
    if value.isdigit():
        return int(value) - int(first)
    return (ord(value[0]) - ord("a")) * 26 + ord(value[1]) - ord("a")


def _sequence(first: str, count: int) -> list[str]:
    if first.isdigit():
        return [str(int(first) + offset).zfill(len(first)) for offset in range(count)]
    values = []
    for offset in range(count):
        high, low = divmod(offset, 26)
        values.append(chr(ord("a") + high) + chr(ord("a") + low))
    return values


def open_media(path: Path) -> Media:
    """Open a disk image of any supported container as read-only random-access media."""
    container = sniff_container(path)
    if container in ("E01", "Ex01"):
        from triage.evidence.ewf import open_ewf  # noqa: PLC0415 - keeps pyewf off other paths

        return open_ewf(path)
    if container in ("QCOW2", "VMDK", "VHD", "VHDX"):  # libyal, backing chains followed
        from triage.evidence.vm_disk import open_vm_disk  # noqa: PLC0415 - imports this module

        return open_vm_disk(path, container)
    pieces = split_pieces(path)
    if pieces:
        return _open_split(*pieces)
    return _open_raw(path)


def _open_raw(path: Path) -> Media:
    descriptor = open_untouched(path)
    size = os.fstat(descriptor).st_size
    if size == 0 and path.is_block_device():
        size = os.lseek(descriptor, 0, os.SEEK_END)
    return Media(
        format="raw",
        size=size,
        segments=(path,),
        read_at=lambda offset, length: os.pread(descriptor, length, offset),
        close=lambda: os.close(descriptor),
    )


def _open_split(slots: tuple[Path | None, ...], gaps: list[str]) -> Media:
    """Pieces read in order. A missing piece, or a piece shorter than the first (all but the
    last are cut to one size), is a hole of zeros where its bytes should be: every later byte
    stays at its own offset instead of shifting, and the hole is counted and reported."""
    from triage.evidence.damage import DamagedMedia  # noqa: PLC0415

    present = [slot for slot in slots if slot is not None]
    descriptors = {slot: open_untouched(slot) for slot in present}
    actual = {slot: os.fstat(descriptor).st_size for slot, descriptor in descriptors.items()}
    standard = actual[present[0]] if slots[0] is not None else max(actual.values())
    sizes, holes, start = [], [], 0
    for index, slot in enumerate(slots):
        last = index == len(slots) - 1
        size = actual[slot] if slot is not None and (last or actual[slot] > standard) else standard
        if slot is None:
            holes.append((start, start + size, gaps.pop(0) if gaps else "piece is missing"))
        elif actual[slot] < size:
            holes.append(
                (
                    start + actual[slot],
                    start + size,
                    f"piece {slot.name} is {actual[slot]} bytes, {size - actual[slot]} short of "
                    "the others (later pieces kept at their offsets)",
                )
            )
        sizes.append(size)
        start += size
    starts = [sum(sizes[:index]) for index in range(len(sizes))]

    def read_at(offset: int, length: int) -> bytes:
        pieces = []
        for slot, start, size in zip(slots, starts, sizes, strict=True):
            if length <= 0:
                break
            if offset >= start + size:
                continue
            inner = offset - start
            take = min(length, size - inner)
            piece = os.pread(descriptors[slot], take, inner) if slot is not None else b""
            if len(piece) < take:
                piece += bytes(take - len(piece))  # a hole: DamagedMedia counts it
            pieces.append(piece)
            offset += len(piece)
            length -= len(piece)
        return b"".join(pieces)

    def close() -> None:
        for descriptor in descriptors.values():
            os.close(descriptor)

    media = Media("split raw", sum(sizes), tuple(present), read_at, close)
    if holes:
        reader = DamagedMedia(read_at, media.size, (OSError,), holes, what="split raw media")
        media.read_at = reader.read
        media.metadata["container_damage"] = reader.describe_damage() or ""
    return media
