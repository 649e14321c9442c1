"""APFS containers through libfsapfs (pyfsapfs): every volume walked and read.

TSK cannot walk APFS here, so an APFS container is read by libfsapfs: each volume of the
container becomes one partition of the listing (Macintosh HD, its Data volume, Preboot...),
walked with names, sizes, times, symbolic links and extended attributes (resource forks and
the like, listed as streams of their file and hashed), and its files read for hashing and the
extractors. An encrypted volume (FileVault on APFS) is unlocked with a ``--key`` password or
recovery key, or reported locked.
"""

from __future__ import annotations

import io
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from triage.evidence.base import FileRef, PartitionInfo, Problem, ProblemSink, WalkRow
from triage.evidence.media import Media
from triage.evidence.volumes.base import MediaStream
from triage.evidence.volumes.keys import Key
from triage.timestamps import EpochText

SIGNATURE = (32, b"NXSB")
MAX_DEPTH = 512
NANOS = 1_000_000_000


def is_apfs(media: Media, start: int) -> bool:
    """True when the partition starts with an APFS container superblock."""
    offset, signature = SIGNATURE
    return media.read(start + offset, len(signature)) == signature


@dataclass
class ApfsVolume:
    """One volume of a container, unlocked or not."""

    name: str
    identifier: str
    handle: Any  # pyfsapfs.volume
    locked: bool
    encrypted: bool
    opened_by: str | None = None


class ApfsContainer:
    """An APFS container opened over a partition of the media."""

    def __init__(self, media: Media, start: int, length: int, keys: list[Key]) -> None:
        import pyfsapfs  # noqa: PLC0415 - only Mac disks need it

        self._stream = MediaStream(media, start, length)
        self._container = pyfsapfs.container()
        self._container.open_file_object(self._stream)
        self.identifier = str(self._container.identifier)
        self.volumes = [
            self._volume(self._container.get_volume(index), keys)
            for index in range(self._container.number_of_volumes)
        ]

    @staticmethod
    def _volume(handle: Any, keys: list[Key]) -> ApfsVolume:
        name = handle.name or ""
        identifier = str(handle.identifier)
        if not handle.is_locked():
            return ApfsVolume(name, identifier, handle, False, False)
        for key in keys:
            if key.kind == "startup key":
                continue
            for setter, what in (
                (handle.set_password, "password"),
                (handle.set_recovery_password, "recovery key"),
            ):
                try:
                    setter(key.value)
                    if handle.unlock():
                        return ApfsVolume(name, identifier, handle, False, True, what)
                except OSError:
                    continue
        return ApfsVolume(name, identifier, handle, True, True)

    def close(self) -> None:
        """Release the container (its volumes go with it)."""
        self._container.close()


def walk_rows(
    volume: ApfsVolume, part: PartitionInfo, problems: ProblemSink, times: EpochText
) -> Iterator[WalkRow]:
    """Every entry of one APFS volume as store rows (inode = the file entry's identifier)."""
    index = part.index
    try:
        root = volume.handle.get_root_directory()
    except OSError as error:
        problems(Problem("walk", f"APFS root directory unreadable: {error}", "/", index))
        return
    visited = {root.identifier}
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        directory, path, depth = stack.pop()
        children = []
        try:
            count = directory.number_of_sub_file_entries
            for position in range(count):
                entry = directory.get_sub_file_entry(position)
                name = entry.name or ""
                child = f"{path}/{name}"
                rows, descend = _rows(entry, name, child, index, times, problems)
                yield from rows
                if descend:
                    if entry.identifier in visited or depth + 1 >= MAX_DEPTH:
                        problems(
                            Problem(
                                "walk",
                                "APFS folder loop or too deep: not entered",
                                child,
                                index,
                                entry.identifier,
                                "warning",
                            )
                        )
                        continue
                    visited.add(entry.identifier)
                    children.append((entry, child, depth + 1))
        except OSError as error:
            problems(
                Problem(
                    "walk", f"APFS directory listing stopped early: {error}", path or "/", index
                )
            )
        stack.extend(reversed(children))


def _time(entry: Any, getter: str, times: EpochText) -> str | None:
    try:
        value = getattr(entry, getter)()
    except OSError:
        return None
    if not value:
        return None
    seconds, nanos = divmod(value, NANOS)
    return times(seconds, nanos)


def _rows(
    entry: Any, name: str, path: str, index: int, times: EpochText, problems: ProblemSink
) -> tuple[list[WalkRow], bool]:
    mode = entry.file_mode or 0
    kind = (
        "dir"
        if stat.S_ISDIR(mode)
        else "link"
        if stat.S_ISLNK(mode)
        else "file"
        if stat.S_ISREG(mode)
        else "other"
    )
    identifier = entry.identifier
    size = entry.size if kind == "file" else 0
    mtime = _time(entry, "get_modification_time_as_integer", times)
    atime = _time(entry, "get_access_time_as_integer", times)
    ctime = _time(entry, "get_inode_change_time_as_integer", times)
    crtime = _time(entry, "get_creation_time_as_integer", times)
    note = None
    if kind == "link":
        try:
            note = f"link target: {entry.symbolic_link_target}"
        except OSError:
            note = "link target unreadable"
    rows: list[WalkRow] = [
        (
            path,
            name,
            kind,
            size,
            1,
            index,
            identifier,
            None,
            None,
            mtime,
            atime,
            ctime,
            crtime,
            note,
        )
    ]
    try:
        attributes = entry.number_of_extended_attributes
        for position in range(attributes):
            attribute = entry.get_extended_attribute(position)
            if kind == "link" and attribute.name == "com.apple.fs.symlink":
                continue  # the link target, already in the note
            rows.append(
                (f"{path}:{attribute.name}", f"{name}:{attribute.name}", "ads", attribute.size,
                 1, index, identifier, position, None, mtime, atime, ctime, crtime,
                 "extended attribute")
            )  # fmt: skip
    except OSError as error:
        problems(
            Problem(
                "walk",
                f"extended attributes unreadable: {error}",
                path,
                index,
                identifier,
                "warning",
            )
        )
    return rows, kind == "dir"


def read_data(volume: ApfsVolume, ref: FileRef) -> bytes | None:
    """A file's (or extended attribute's) whole data; None when it is not a readable file."""
    entry = volume.handle.get_file_entry_by_identifier(ref.inode)
    if ref.attr_id is not None:
        attribute = entry.get_extended_attribute(ref.attr_id)
        return attribute.read_buffer_at_offset(attribute.size, 0) if attribute.size else b""
    return entry.read_buffer_at_offset(entry.size, 0) if entry.size else b""


def open_data(volume: ApfsVolume, ref: FileRef) -> BinaryIO:
    """A sequential reader over a file's data (or an extended attribute's)."""
    entry = volume.handle.get_file_entry_by_identifier(ref.inode)
    target = entry.get_extended_attribute(ref.attr_id) if ref.attr_id is not None else entry
    return io.BufferedReader(_Reader(target), buffer_size=1 << 20)


def data_size(volume: ApfsVolume, ref: FileRef) -> int:
    """The size of a file's data (or of an extended attribute)."""
    entry = volume.handle.get_file_entry_by_identifier(ref.inode)
    if ref.attr_id is not None:
        return entry.get_extended_attribute(ref.attr_id).size
    return entry.size


class _Reader(io.RawIOBase):
    def __init__(self, target: Any) -> None:
        super().__init__()
        self._target, self._offset, self._size = target, 0, target.size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        length = min(len(buffer), self._size - self._offset)
        if length <= 0:
            return 0
        data = self._target.read_buffer_at_offset(length, self._offset)
        if not data:
            raise OSError(f"no data at offset {self._offset} of {self._size}")
        buffer[: len(data)] = data
        self._offset += len(data)
        return len(data)
