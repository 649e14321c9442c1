"""zip archives, read in place (see :mod:`.archive`): members by their local-header offset,
from the central directory or, when that is unusable, from the local headers themselves."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from triage.errors import EvidenceError
from triage.evidence.archive import (
    MAX_BOMB_SIZE,
    MAX_RATIO,
    READ_ERRORS,
    read_error,
    safe_member_path,
    utc_time,
)
from triage.evidence.base import (
    EntryKind,
    EvidenceFile,
    EvidenceInfo,
    EvidenceLocator,
    FileRef,
    PartitionInfo,
    Problem,
    ProblemSink,
    open_evidence_file,
)
from triage.evidence.zip_names import open_zip, zip_member_name
from triage.evidence.zip_salvage import SalvagedZip, central_directory, scan_local_headers

ZIP_READ_ERRORS: tuple[type[BaseException], ...] = (
    *READ_ERRORS,
    zipfile.BadZipFile,
    NotImplementedError,  # a compression method zipfile does not know (deflate64, PPMd)
    RuntimeError,  # an encrypted member
    ValueError,
    LookupError,  # zipfile's own message on an unnamed encrypted member (ZipInfo.is_dir)
    struct.error,
)
ZIP_EXTENDED_TIME = 0x5455  # Info-ZIP "UT" extra field: UTC modification time


class _ZipMemberReader(io.RawIOBase):
    """A zip member's decompressed bytes; a damaged member (bad CRC, broken deflate stream)
    raises OSError like any other unreadable evidence, not zipfile's own exceptions."""

    def __init__(self, member: BinaryIO) -> None:
        self._member = member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._member.read(len(buffer))
        except ZIP_READ_ERRORS as error:
            raise read_error(error) from error
        buffer[: len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        return self._member.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        try:
            return self._member.seek(offset, whence)
        except ZIP_READ_ERRORS as error:
            raise read_error(error) from error

    def tell(self) -> int:
        return self._member.tell()

    def close(self) -> None:
        self._member.close()
        super().close()


class ZipSource:
    """A zip archive; members are random-access by their local-header offset."""

    kind = "archive"
    sequential = False

    def __init__(self, locator: EvidenceLocator) -> None:
        self.locator = locator
        self._file = open_evidence_file(locator.path)
        self.salvaged: str | None = None  # why the members were found by their local headers
        try:
            self._zip = open_zip(self._file)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
            self._zip = self._salvage(error)
        self._masked: set[bytes] = getattr(self._zip.fp, "masked", set())  # see open_zip
        self._by_offset: dict[int, zipfile.ZipInfo] | None = None

    def _salvage(self, error: BaseException) -> zipfile.ZipFile:
        """The members found by their local headers, when the central directory is unusable."""
        length = os.fstat(self._file.fileno()).st_size
        try:
            entries, ended = scan_local_headers(self._file, length)
            if not entries:
                raise EvidenceError(
                    f"{self.locator.path}: zip archive cannot be read ({error}) and holds no "
                    f"member header ({ended}); check that the file is whole"
                )
            view = io.BufferedReader(
                SalvagedZip(self._file, length, central_directory(entries, length)), 1 << 16
            )
            archive = open_zip(view)  # a name flagged UTF-8 that is not: see zip_names
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as failure:
            self._file.close()
            raise EvidenceError(
                f"{self.locator.path}: zip archive cannot be read: {error} ({failure})"
            ) from failure
        except BaseException:
            self._file.close()
            raise
        self.salvaged = (
            f"zip central directory unusable ({error}): {len(entries)} member(s) found by their "
            f"local headers; {ended}"
        )
        return archive

    def info(self) -> EvidenceInfo:
        """The archive file is the evidence."""
        return EvidenceInfo(
            kind=self.kind,
            format="zip",
            path=str(self.locator.path),
            size=self.locator.path.stat().st_size,
        )

    def partitions(self) -> list[PartitionInfo]:
        """Archives have no partitions."""
        return []

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """Every member from the central directory (or from the local headers, said so)."""
        seen: set[str] = set()
        if self.salvaged:
            problems(Problem("walk", self.salvaged, str(self.locator.path)))
        for member in self._zip.infolist():
            name, name_note = zip_member_name(member, self._masked)
            path, note = safe_member_path(name)
            if note or name_note:
                problems(Problem("walk", note or name_note, str(path), severity="warning"))
            note = note or name_note
            if str(path) in seen:
                note = "name appears more than once in the archive"
            seen.add(str(path))
            kind: EntryKind = "dir" if name.endswith("/") else "file"  # is_dir() fails on "\0x"
            mode = member.external_attr >> 16
            if mode and (mode & 0o170000) == 0o120000:
                kind, note = "link", "symbolic link member: not followed"
            bomb = _bomb_reason(member)
            if bomb:
                note = bomb
                problems(Problem("walk", bomb, str(path)))
            modified, zone_note = _zip_time(member)
            yield EvidenceFile(
                path=path,
                kind=kind,
                size=member.file_size if kind == "file" else 0,
                allocated=True,
                ref=FileRef(member=str(member.header_offset)),
                modified=modified,
                note=note or zone_note,
            )

    def open_file(self, ref: FileRef) -> BinaryIO:
        """A reader over one member, decompressed and CRC-checked by zipfile."""
        if self._by_offset is None:
            self._by_offset = {info.header_offset: info for info in self._zip.infolist()}
        info = self._by_offset[int(ref.member or 0)]
        bomb = _bomb_reason(info)
        if bomb:
            raise OSError(bomb)
        try:
            member = self._zip.open(info)
        except ZIP_READ_ERRORS as error:  # bad local header, encrypted, unknown compression
            raise read_error(error) from error
        return io.BufferedReader(_ZipMemberReader(member), buffer_size=1 << 16)

    def open_media(self) -> BinaryIO:
        """The archive file as stored."""
        return open_evidence_file(self.locator.path)

    def close(self) -> None:
        """Close the zip file."""
        try:
            self._zip.close()
        finally:
            self._file.close()


def _bomb_reason(member: zipfile.ZipInfo) -> str | None:
    if member.file_size <= MAX_BOMB_SIZE:
        return None
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > MAX_RATIO:
        return (
            f"member expands {member.compress_size} -> {member.file_size} bytes "
            f"(ratio {ratio:.0f}, limit {MAX_RATIO}): likely a zip bomb, not read"
        )
    return None


def _zip_time(member: zipfile.ZipInfo) -> tuple[datetime | None, str | None]:
    """UTC time from the Info-ZIP extended-time field, else the zone-less DOS time as UTC."""
    extra = member.extra
    position = 0
    while position + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if header_id == ZIP_EXTENDED_TIME and len(body) >= 5 and body[0] & 1:
            return utc_time(struct.unpack_from("<i", body, 1)[0]), None
        position += 4 + length
    try:
        value = datetime(*member.date_time, tzinfo=UTC)
    except ValueError:
        return None, None
    return value, "zip DOS time has no time zone; shown as if UTC"
