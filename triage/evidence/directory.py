"""A folder of evidence: an extracted or mounted phone or laptop file system.

Walked with ``os.scandir`` without following any symbolic link, so a link planted in the
extraction (``data -> /``) is listed as a link and never entered; files are opened with
``O_NOFOLLOW`` so a link swapped in after the walk is refused too. FIFOs and device nodes are
listed, never opened (opening a FIFO blocks).
"""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from triage.evidence.base import (
    EntryKind,
    EvidenceFile,
    EvidenceInfo,
    EvidenceLocator,
    FileRef,
    PartitionInfo,
    Problem,
    ProblemSink,
)

ENCODED_PREFIX = "b64:"


def encode_member(relative: bytes) -> str:
    """A host path as a store-safe string: UTF-8 as is, anything else base64 with a prefix."""
    try:
        text = relative.decode("utf-8")
        if not text.startswith(ENCODED_PREFIX):
            return text
    except UnicodeDecodeError:
        pass
    return ENCODED_PREFIX + base64.b64encode(relative).decode("ascii")


def decode_member(member: str) -> bytes:
    """The inverse of :func:`encode_member`."""
    if member.startswith(ENCODED_PREFIX):
        return base64.b64decode(member[len(ENCODED_PREFIX) :])
    return member.encode("utf-8")


def _time_ns(value: int) -> datetime | None:
    if value <= 0:
        return None
    seconds, nanos = divmod(value, 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=nanos // 1000)


def _kind(mode: int) -> EntryKind:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "link"
    return "other"


class DirectorySource:
    """A host folder opened as evidence; paths are relative to it, written with a leading '/'."""

    kind = "directory"

    def __init__(self, locator: EvidenceLocator) -> None:
        self.locator = locator
        self._root = os.fsencode(locator.path.resolve())

    def info(self) -> EvidenceInfo:
        """A folder has no single size or acquisition hash."""
        return EvidenceInfo(kind=self.kind, format="folder", path=str(self.locator.path), size=None)

    def partitions(self) -> list[PartitionInfo]:
        """A folder has no partitions."""
        return []

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """Every entry under the root, links listed but never followed."""
        stack: list[bytes] = [b""]
        while stack:
            relative = stack.pop()
            absolute = os.path.join(self._root, relative) if relative else self._root
            try:
                with os.scandir(absolute) as entries:
                    listing = sorted(entries, key=lambda entry: entry.name)
            except OSError as error:
                problems(
                    Problem(
                        "walk",
                        f"folder cannot be listed: {error.strerror}",
                        self._display(relative),
                    )
                )
                continue
            subdirs = []
            for entry in listing:
                child = os.path.join(relative, entry.name) if relative else entry.name
                try:
                    status = entry.stat(follow_symlinks=False)
                except OSError as error:
                    problems(
                        Problem(
                            "walk", f"entry cannot be read: {error.strerror}", self._display(child)
                        )
                    )
                    continue
                kind = _kind(status.st_mode)
                note = None
                display = self._display(child)
                if "\ufffd" in display:
                    note = f"name is not valid UTF-8: {entry.name!r}"
                    problems(Problem("walk", note, display, severity="warning"))
                if kind == "link":
                    try:
                        note = "link target: " + os.fsdecode(os.readlink(entry.path))
                    except OSError:
                        note = "link target unreadable"
                elif kind == "other":
                    note = f"special file (mode {stat.filemode(status.st_mode)}): not opened"
                yield EvidenceFile(
                    path=PurePosixPath(display),
                    kind=kind,
                    size=status.st_size if kind == "file" else 0,
                    allocated=True,
                    ref=FileRef(member=encode_member(child)),
                    modified=_time_ns(status.st_mtime_ns),
                    accessed=_time_ns(status.st_atime_ns),
                    changed=_time_ns(status.st_ctime_ns),
                    note=note,
                )
                if kind == "dir":
                    subdirs.append(child)
            stack.extend(reversed(subdirs))

    @staticmethod
    def _display(relative: bytes) -> str:
        return "/" + relative.decode("utf-8", "replace")

    def open_file(self, ref: FileRef) -> BinaryIO:
        """Open one regular file read-only, refusing symbolic links and special files."""
        relative = decode_member(ref.member or "")
        if relative.startswith(b"/") or b".." in relative.split(b"/"):
            raise OSError(f"refusing a path outside the evidence folder: {relative!r}")
        descriptor = os.open(
            os.path.join(self._root, relative), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
        )
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise OSError("not a regular file")
        return open(descriptor, "rb", buffering=1 << 20)  # noqa: SIM115

    def host_path(self, ref: FileRef) -> Path:
        """Where the file lives on this machine (used to copy SQLite siblings)."""
        return Path(os.fsdecode(os.path.join(self._root, decode_member(ref.member or ""))))

    def open_media(self) -> BinaryIO | None:
        """A folder is not one stream."""
        return None

    def close(self) -> None:
        """Nothing is held open between reads."""
