"""One file that is not a container, as a device of its own: a one-file device.

A router's ``/export`` or ``running-config``, a lone SQLite database (an Android ``calllog.db``,
a Chrome ``History``), a registry hive, a plist, a log: handed over on their own, they are the
evidence. The source lists the one file at ``/<its name>`` (with a database's ``-wal`` and
``-journal`` or a hive's ``.LOG1``/``.LOG2`` when they lie beside it: they hold its newest
rows and values); the scan hashes and types it, and
the pipeline offers it to every extractor that reads it by name or by content
(:mod:`triage.one_file`), so a ``History`` without its ``User Data`` folders is still read.

This kind is tried last (:data:`triage.evidence.OPENERS`): a file is first an archive, a known
image container (E01, VMDK, ...), a split raw image or a raw disk image with a partition table
or file system. What the first bytes show to be no disk image (text, SQLite, a hive, a plist,
an ESE database, ...) is a one-file device at once; any other file only once TSK found no
volume in it, and the scan then says so in a problem line (never a silent "clean" scan).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from triage.errors import EvidenceError
from triage.evidence.base import (
    EvidenceFile,
    EvidenceInfo,
    EvidenceLocator,
    FileRef,
    PartitionInfo,
    Problem,
    ProblemSink,
    open_evidence_file,
)
from triage.evidence.media import sniff_container

HEAD_BYTES = 8192
# First bytes that name a file no disk image starts with, and what the file is.
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"regf", "Windows registry hive"),
    (0, b"bplist00", "binary property list"),
    (4, b"\xef\xcd\xab\x89", "ESE database"),
    (0, b"Client UrlCache MMF", "Internet Explorer cache index (index.dat)"),
    (0, b"ElfFile\x00", "Windows event log (EVTX)"),
    (0, b"%PDF-", "PDF document"),
)
CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}  # tab, newline, form feed, CR, escape
# Files that belong to a database or hive and are listed with it when they lie beside it: a
# SQLite write-ahead log or rollback journal (recent rows), a hive's transaction logs.
COMPANIONS = {
    "SQLite database": ("-wal", "-journal", "-shm"),
    "Windows registry hive": (".LOG1", ".LOG2", ".LOG"),
}


def sniff_type(head: bytes) -> str | None:
    """What a file is from its first bytes, when that shows it is no disk image; else None."""
    if not head:
        return "empty file"
    for offset, signature, name in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return name
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text (UTF-16)"
    if b"\x00" in head:
        return None
    controls = sum(1 for byte in head if byte in CONTROL)
    if controls * 100 > len(head):
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<?xml") or text.startswith(b"<plist"):
        return "XML property list" if b"<plist" in head else "XML document"
    return "text"


def read_head(path: Path) -> bytes:
    """The first bytes of a host file, read with its access time kept."""
    with open_evidence_file(path) as handle:
        return handle.read(HEAD_BYTES)


def is_typed_file(path: Path) -> bool:
    """A regular file whose first bytes show a one-file device, not a disk image or container.

    A VMDK descriptor is text, so the image containers are ruled out first.
    """
    if not path.is_file():
        return False
    return sniff_container(path) is None and sniff_type(read_head(path)) is not None


def name_text(name: bytes) -> tuple[str, str | None]:
    """A host file name as text, and a note when it was not valid UTF-8."""
    try:
        return name.decode("utf-8"), None
    except UnicodeDecodeError:
        return name.decode("utf-8", "replace"), f"name is not valid UTF-8: {name!r}"


def companions(path: Path, file_type: str | None) -> dict[str, Path]:
    """The companions of a database or hive beside it, by the suffix they are listed with.

    Names are compared in any case (``NTUSER.DAT`` has ``ntuser.dat.LOG1``); only regular
    files count, and nothing outside the file's own folder.
    """
    suffixes = COMPANIONS.get(file_type or "", ())
    if not suffixes:
        return {}
    wanted = {f"{path.name}{suffix}".casefold(): suffix for suffix in suffixes}
    found: dict[str, Path] = {}
    try:
        entries = sorted(path.parent.iterdir())
    except OSError:
        return {}
    for entry in entries:
        suffix = wanted.get(entry.name.casefold())
        if suffix and suffix not in found and entry.is_file() and not entry.is_symlink():
            found[suffix] = entry
    return found


def _utc(seconds_ns: int) -> datetime | None:
    if seconds_ns <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds_ns / 1e9, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# Names that promise a container: a file so named that opened as none of them is damage, not a
# plain file, so its line is an error (the scan ends "done with problems"), never a warning.
CONTAINER_SUFFIXES = {
    ".e01": "an EWF image",
    ".ex01": "an EWF image",
    ".s01": "an EWF (SMART) image",
    ".l01": "an EWF logical image",
    ".dd": "a raw disk image",
    ".raw": "a raw disk image",
    ".img": "a disk image",
    ".001": "a split raw image",
    ".vmdk": "a VMDK disk",
    ".vhd": "a VHD disk",
    ".vhdx": "a VHDX disk",
    ".qcow2": "a QCOW2 disk",
    ".iso": "an ISO image",
    ".dmg": "a disk image",
    ".tar": "a tar archive",
    ".tgz": "a tar.gz archive",
    ".gz": "a gzip archive",
    ".zip": "a zip archive",
}


def untyped_problem(path: Path) -> Problem:
    """The line for a file of no known type: an error when its name promised a container."""
    promised = CONTAINER_SUFFIXES.get(path.suffix.lower())
    if promised:
        return Problem(
            "walk",
            f"named like {promised} ({path.suffix}) but no such container, partition table or "
            "file system was found in it (damaged or not what its name says): scanned as one "
            "file (hashed and typed only)",
            str(path),
        )
    return Problem(
        "walk",
        "no partition table, file system, container or known file type found: "
        "scanned as one file (hashed and typed only)",
        str(path),
        severity="warning",
    )


def archive_damage(path: Path) -> str | None:
    """Why a compressed file that names itself an archive cannot be read as one, or None."""
    from triage.evidence.archive import archive_format  # noqa: PLC0415 - archive imports base

    try:
        archive_format(path)
    except EvidenceError as error:
        return str(error).removeprefix(f"{path}: ")
    return None


class SingleFileSource:
    """One host file opened as evidence, listed at ``/<name>``; read-only, access time kept."""

    kind = "file"
    sequential = False

    def __init__(self, locator: EvidenceLocator) -> None:
        self.locator = locator
        self._path = locator.path
        status = os.stat(self._path)
        if not stat.S_ISREG(status.st_mode):
            raise EvidenceError(f"{self._path}: not a regular file")
        self._status = status
        self._head = read_head(self._path)
        self.type = sniff_type(self._head)
        self._name, self._note = name_text(os.fsencode(self._path.name))
        self._companions = companions(self._path, self.type)

    def info(self) -> EvidenceInfo:
        """The file itself: its type from its first bytes and where it is listed."""
        metadata = {"type": self.type or "unknown", "listed as": f"/{self._name}"}
        if self._companions:
            metadata["read with"] = ", ".join(path.name for path in self._companions.values())
        return EvidenceInfo(
            kind=self.kind,
            format=f"single file ({self.type or 'unknown type'})",
            path=str(self._path),
            size=self._status.st_size,
            metadata=metadata,
        )

    def partitions(self) -> list[PartitionInfo]:
        """A file has no partitions."""
        return []

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """The one file; a file of no known type says it was read as one file only."""
        path = PurePosixPath("/", self._name)
        if self._note:
            problems(Problem("walk", self._note, str(path), severity="warning"))
        damage = archive_damage(self._path) if self.type is None else None
        if damage:
            problems(Problem("walk", f"{damage}: scanned as one file (hashed only)", str(path)))
        elif self.type is None:
            problems(untyped_problem(self._path))
        yield self._entry(path, self._status, "", self._note)
        for suffix, companion in self._companions.items():
            try:
                status = os.stat(companion)
            except OSError as error:
                problems(Problem("walk", f"cannot be read: {error.strerror}", str(companion)))
                continue
            note = f"{suffix} of {self._name}, beside it"
            yield self._entry(PurePosixPath(f"{path}{suffix}"), status, suffix, note)

    @staticmethod
    def _entry(
        path: PurePosixPath, status: os.stat_result, member: str, note: str | None
    ) -> EvidenceFile:
        return EvidenceFile(
            path=path,
            kind="file",
            size=status.st_size,
            allocated=True,
            ref=FileRef(member=member),
            modified=_utc(status.st_mtime_ns),
            accessed=_utc(status.st_atime_ns),
            changed=_utc(status.st_ctime_ns),
            note=note,
        )

    def open_file(self, ref: FileRef) -> BinaryIO:
        """The file's bytes, or a companion's (by the suffix it was listed with)."""
        member = ref.member or ""
        if not member:
            return open_evidence_file(self._path, buffering=1 << 20)
        if member not in self._companions:
            raise OSError(f"not a file of this evidence: {member!r}")
        return open_evidence_file(self._companions[member], buffering=1 << 20)

    def open_media(self) -> BinaryIO | None:
        """The whole evidence is the file: its hash is the evidence hash."""
        return open_evidence_file(self._path, buffering=1 << 20)

    def close(self) -> None:
        """Nothing is held open."""
