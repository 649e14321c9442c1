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

from triage.errors import EvidenceError
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


def split_segments(path: Path) -> tuple[Path, ...] | None:
    """The ordered pieces of a split raw image that ``path`` belongs to, or None if not split.

    Naming is the only thing that marks a split image, so this is the one place that reads names.
    The first piece must exist and the numbering must have no gap.
    """
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
        first = next((value for value in first_values if value.zfill(width) == numbers[0]), None)
        if first is None:
            raise EvidenceError(
                f"{path}: split image piece {stem}.{first_values[-1].zfill(width)} is missing; "
                "put all pieces in one folder"
            )
        expected = _sequence(numbers[0], len(numbers))
        missing = [value for value in expected if value not in siblings]
        if missing:
            raise EvidenceError(
                f"{path}: split image piece {stem}.{missing[0]} is missing; "
                "put all pieces in one folder"
            )
        return tuple(siblings[value] for value in expected)
    return None


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
    if container in ("QCOW2", "VMDK", "VHD", "VHDX"):
        return _open_libyal(path, container)
    segments = split_segments(path)
    if segments:
        return _open_split(segments)
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


def _open_split(segments: tuple[Path, ...]) -> Media:
    descriptors = [open_untouched(segment) for segment in segments]
    sizes = [os.fstat(descriptor).st_size for descriptor in descriptors]
    starts = [sum(sizes[:index]) for index in range(len(sizes))]

    def read_at(offset: int, length: int) -> bytes:
        pieces = []
        for descriptor, start, size in zip(descriptors, starts, sizes, strict=True):
            if length <= 0:
                break
            if offset >= start + size:
                continue
            inner = offset - start
            take = min(length, size - inner)
            piece = os.pread(descriptor, take, inner)
            pieces.append(piece)
            offset += len(piece)
            length -= len(piece)
            if len(piece) < take:
                break
        return b"".join(pieces)

    def close() -> None:
        for descriptor in descriptors:
            os.close(descriptor)

    return Media("split raw", sum(sizes), segments, read_at, close)


def _open_libyal(path: Path, container: str) -> Media:
    """QCOW2, VMDK, VHD and VHDX through the libyal bindings, backing chains followed."""
    from triage.evidence.vm_disk import open_vm_disk  # noqa: PLC0415 - imports this module

    return open_vm_disk(path, container)
