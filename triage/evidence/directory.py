"""A folder of evidence: an extracted or mounted phone or laptop file system.

Walked with ``os.scandir`` without following any symbolic link, so a link planted in the
extraction (``data -> /``) is listed as a link and never entered; files are opened with
``O_NOFOLLOW`` so a link swapped in after the walk is refused too. FIFOs and device nodes are
listed, never opened (opening a FIFO blocks). Folders and files are opened with ``O_NOATIME``
where the kernel allows it, so the scan leaves their access times as they were.
"""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from pathlib import Path
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
    WalkRow,
    entry_of_row,
    open_untouched,
)
from triage.names import NOT_UTF8, from_bytes, not_utf8
from triage.timestamps import EpochText

ENCODED_PREFIX = "b64:"
DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


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


def _time_text(value: int, times: EpochText) -> str | None:
    """A host file time (ns since 1970) as UTC text; None for 0, negative or past year 9999
    (a file system with 64-bit seconds can hold any year)."""
    if value <= 0:
        return None
    seconds, nanos = divmod(value, 1_000_000_000)
    return times(seconds, nanos)


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
        """Every entry under the root, links listed but never followed (see walk_rows)."""
        return map(entry_of_row, self.walk_rows(problems))

    def walk_rows(self, problems: ProblemSink) -> Iterator[WalkRow]:
        """Every entry under the root as store rows, links listed but never followed."""
        times = EpochText()
        stack: list[bytes] = [b""]
        while stack:
            relative = stack.pop()
            absolute = os.path.join(self._root, relative) if relative else self._root
            try:
                # Listed through a descriptor opened without updating the folder's access time;
                # entries are then stat'ed and read relative to it.
                folder = open_untouched(absolute, DIRECTORY_FLAGS)
            except OSError as error:
                problems(
                    Problem(
                        "walk",
                        f"folder cannot be listed: {error.strerror}",
                        self._display(relative),
                    )
                )
                continue
            try:
                yield from self._list(folder, relative, problems, stack, times)
            finally:
                os.close(folder)

    def _list(
        self,
        folder: int,
        relative: bytes,
        problems: ProblemSink,
        stack: list[bytes],
        times: EpochText,
    ) -> Iterator[WalkRow]:
        """The entries of one open folder as store rows; its subfolders are pushed on ``stack``.

        Rows of strings and integers, no path object or datetime per entry: on a million files
        the walk is most of the scan.
        """
        try:
            with os.scandir(folder) as entries:
                listing = sorted((os.fsencode(entry.name), entry) for entry in entries)
        except OSError as error:
            problems(
                Problem(
                    "walk", f"folder cannot be listed: {error.strerror}", self._display(relative)
                )
            )
            return
        subdirs = []
        # Children are built from the folder's path (a UTF-8 sequence never spans a '/', so
        # decoding per name gives the same text as decoding the whole path).
        parent = self._display(relative) if relative else ""
        for name, entry in listing:
            child = os.path.join(relative, name) if relative else name
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError as error:
                problems(
                    Problem("walk", f"entry cannot be read: {error.strerror}", self._display(child))
                )
                continue
            kind = _kind(status.st_mode)
            note = None
            text = from_bytes(name)
            path = f"{parent}/{text}"
            if not_utf8(text):
                note = NOT_UTF8
                problems(Problem("walk", note, path, severity="warning"))
            if kind == "link":
                try:
                    note = "link target: " + os.fsdecode(os.readlink(name, dir_fd=folder))
                except OSError:
                    note = "link target unreadable"
            elif kind == "other":
                note = f"special file (mode {stat.filemode(status.st_mode)}): not opened"
            yield (
                path, text, kind, status.st_size if kind == "file" else 0, 1, None, None, None,
                encode_member(child), _time_text(status.st_mtime_ns, times),
                _time_text(status.st_atime_ns, times), _time_text(status.st_ctime_ns, times),
                None, note,
            )  # fmt: skip
            if kind == "dir":
                subdirs.append(child)
        stack.extend(reversed(subdirs))

    @staticmethod
    def _display(relative: bytes) -> str:
        return "/" + from_bytes(relative)

    def open_file(self, ref: FileRef) -> BinaryIO:
        """Open one regular file read-only, refusing symbolic links and special files."""
        descriptor, _ = self._open_regular(ref)
        return open(descriptor, "rb", buffering=1 << 20)  # noqa: SIM115

    def read_whole(self, ref: FileRef, limit: int) -> bytes | None:
        """A file's whole content from one read, or None when it is over ``limit`` bytes.

        The hashing core reads small files so (no reader object per file). One byte more than
        the size is asked for: a file that grew since it was opened gives None and is read as a
        stream instead; one that shrank gives fewer bytes, which the caller reports.
        """
        descriptor, size = self._open_regular(ref)
        try:
            if size > limit:
                return None
            data = os.read(descriptor, size + 1)
            return data if len(data) <= size else None
        finally:
            os.close(descriptor)

    def _open_regular(self, ref: FileRef) -> tuple[int, int]:
        """(descriptor, size) of one regular file; links, special files and escapes refused."""
        relative = decode_member(ref.member or "")
        if relative.startswith(b"/") or b".." in relative.split(b"/"):
            raise OSError(f"refusing a path outside the evidence folder: {relative!r}")
        descriptor = open_untouched(
            os.path.join(self._root, relative), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
        )
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            os.close(descriptor)
            raise OSError("not a regular file")
        return descriptor, status.st_size

    def host_path(self, ref: FileRef) -> Path:
        """Where the file lives on this machine (used to copy SQLite siblings)."""
        return Path(os.fsdecode(os.path.join(self._root, decode_member(ref.member or ""))))

    def open_media(self) -> BinaryIO | None:
        """A folder is not one stream."""
        return None

    def close(self) -> None:
        """Nothing is held open between reads."""
