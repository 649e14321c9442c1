"""The shapes every evidence source shares: picklable addresses, walked entries, partitions.

An :class:`EvidenceSource` is an open handle (pytsk3, pyewf, a tar file...) and never crosses a
process boundary; an :class:`EvidenceLocator` and :class:`FileRef` are plain data that another
process uses to reopen the same evidence and find the same file (the dfvfs path-spec idea).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Literal, Protocol

from triage.timestamps import parse_utc

EntryKind = Literal["file", "dir", "link", "ads", "other"]
NOATIME = getattr(os, "O_NOATIME", 0)  # Linux only; 0 elsewhere


def open_untouched(path: str | bytes | os.PathLike, flags: int = os.O_RDONLY) -> int:
    """``os.open`` for reading evidence without changing its access time (Linux ``O_NOATIME``).

    On a folder of evidence every file's access time is evidence too, and an ordinary read
    updates it (``relatime`` mounts included, once a day). The kernel grants ``O_NOATIME`` to
    the file's owner and to root only (open(2)); anyone else gets EPERM, and the file is then
    opened plainly, as every other tool would.
    """
    if NOATIME:
        try:
            return os.open(path, flags | NOATIME)
        except PermissionError:
            pass
    return os.open(path, flags)


def open_evidence_file(path: str | bytes | os.PathLike, buffering: int = -1) -> BinaryIO:
    """A host file of the evidence (image segment, archive) opened read-only, atime kept."""
    return open(open_untouched(path), "rb", buffering=buffering)  # noqa: SIM115 - caller closes


def copy_untouched(path: str | bytes | os.PathLike, target: Path) -> Path:
    """A private copy of one host file of the evidence, read with its access time kept.

    For libraries that open a path themselves (SQLite reads ``Manifest.db``, regipy a hive):
    they would read the evidence with a plain ``open`` and change its access time.
    """
    with open_evidence_file(path, buffering=0) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return target


@dataclass(frozen=True)
class EvidenceLocator:
    """Enough for another process to reopen the evidence: its kind and where it is."""

    kind: str
    path: Path
    password: str | None = field(default=None, repr=False)
    # Keys for encrypted volumes (--key, --key-file): in memory only, never in a repr or a log;
    # they reach the hashing workers inside the locator through the pool's initializer.
    keys: tuple[str, ...] = field(default=(), repr=False)
    vss: bool = True  # walk Volume Shadow Copies (--no-vss turns it off)
    # Volume keys the scan process derived and proved (volumes.base.VolumeKey), so its hashing
    # workers do not unlock every volume again: in memory only, like ``keys``.
    volume_keys: tuple[Any, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class FileRef:
    """Picklable address of one file inside a source.

    ``partition`` is the index in the source's partition list (disk images only); ``inode`` the
    TSK metadata address; ``attr_id`` the NTFS attribute id of an alternate data stream;
    ``member`` an archive member, an iTunes file ID or a path relative to a directory root.
    """

    partition: int | None = None
    inode: int | None = None
    attr_id: int | None = None
    member: str | None = None


@dataclass(slots=True)  # not frozen: a frozen __init__ costs ~5 us more, paid per walked entry
class EvidenceFile:
    """One walked entry: a file, directory, link, NTFS stream or other node."""

    path: PurePosixPath  # absolute inside its file system ("/Users/bob/x")
    kind: EntryKind
    size: int
    allocated: bool  # False for deleted entries the file system still lists
    ref: FileRef
    modified: datetime | None = None  # UTC-aware, as every time in triage
    accessed: datetime | None = None
    changed: datetime | None = None  # metadata change (inode ctime / NTFS $SI entry modified)
    created: datetime | None = None
    partition: int | None = None
    inode: int | None = None
    note: str | None = None  # e.g. "link target: ../x", "name is not valid UTF-8"


# A walked entry as a row of the store's ``files`` table, in this column order, times as the text
# :func:`~triage.timestamps.format_utc` writes. A source whose walk bounds the scan (a disk of
# small files) builds these directly in ``walk_rows``: no path object, datetime or dataclass per
# entry, which is two thirds of the Python cost of walking an entry.
WALK_COLUMNS = (
    "path", "name", "kind", "size", "allocated", "partition", "inode", "attr_id", "member",
    "mtime", "atime", "ctime", "crtime", "note",
)  # fmt: skip
WalkRow = tuple[
    str, str, str, int, int, int | None, int | None, int | None, str | None,
    str | None, str | None, str | None, str | None, str | None,
]  # fmt: skip


def entry_of_row(row: WalkRow) -> EvidenceFile:
    """The typed entry of a walk row (``walk`` of a source that walks in rows)."""
    path, _, kind, size, allocated, partition, inode, attr_id, member, *times, note = row
    modified, accessed, changed, created = (parse_utc(text) for text in times)
    return EvidenceFile(
        path=PurePosixPath(path),
        kind=kind,  # type: ignore[arg-type] - a walk writes only EntryKind values
        size=size,
        allocated=bool(allocated),
        ref=FileRef(partition, inode, attr_id, member),
        modified=modified,
        accessed=accessed,
        changed=changed,
        created=created,
        partition=partition,
        inode=inode,
        note=note,
    )


@dataclass(frozen=True)
class PartitionInfo:
    """A volume found on a disk image; ``walked`` tells whether triage could read its files."""

    index: int
    slot: str  # TSK slot address, "-" for a bare file system
    start: int  # byte offset in the media
    length: int  # bytes
    description: str  # partition table's type string
    fs_type: str | None  # TSK file system name, None when none was recognised
    walked: bool
    note: str | None = None
    encryption: str | None = None  # BitLocker/LUKS/FileVault/APFS cipher, "none" when decrypted
    lock_state: str | None = None  # unlocked, locked, decrypted, suspended (clear key)...
    snapshots: int | None = None  # Volume Shadow Copies found on this volume
    layers: str | None = None  # the volume path: "BitLocker, unlocked (...), VSS snapshot 1 ..."


@dataclass(frozen=True)
class EvidenceInfo:
    """What the evidence is, for the report's first lines."""

    kind: str  # disk_image, directory, archive, itunes_backup
    format: str  # raw, split raw, E01, VMDK, VHD, VHDX, QCOW2, tar, tar.gz, zip, folder...
    path: str
    size: int | None  # media size for images, total bytes for files
    segments: tuple[str, ...] = ()
    stored_hashes: dict[str, str] = field(default_factory=dict)  # acquisition hashes (E01)
    metadata: dict[str, str] = field(default_factory=dict)  # acquisition headers, backup info


@dataclass(frozen=True)
class Problem:
    """Something that went wrong on part of the evidence; the run goes on."""

    stage: str  # evidence, walk, hash, extract:<id>, report
    message: str
    path: str | None = None
    partition: int | None = None
    inode: int | None = None
    severity: Literal["error", "warning"] = "error"


ProblemSink = Callable[[Problem], None]


class EvidenceSource(Protocol):
    """An open piece of evidence. Read-only by construction: no method writes to it."""

    locator: EvidenceLocator

    def info(self) -> EvidenceInfo: ...

    def partitions(self) -> list[PartitionInfo]: ...

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """Every entry. A source may also have ``walk_rows(problems) -> Iterator[WalkRow]``,
        the same entries as store rows, which the scan then prefers (disk images do)."""

    def open_file(self, ref: FileRef) -> BinaryIO: ...

    def open_media(self) -> BinaryIO | None:
        """The whole evidence as one stream, for the evidence hash; None for folders."""

    def close(self) -> None: ...
