"""tar, tar.gz/.bz2/.xz and zip phone extractions, read in place.

Members are never extracted: a member's name is only a label in the store, normalised so that
``../../x`` or ``/etc/passwd`` cannot mean anything outside the evidence, and its bytes are read
straight out of the archive. A member is addressed by its header offset, which stays unique when
an archive holds the same name twice. Zip members whose declared size or compression ratio is
beyond reason (a zip bomb) are listed and not read; large tar members are streamed, never held
in memory whole (a compressed tar inflating to gigabytes costs time, not memory); a damaged
member raises ``OSError`` like any unreadable evidence, whatever the decompressor raised.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import BinaryIO

from triage.errors import EvidenceError
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
from triage.evidence.tar_end import TarInfoKeepingBlock, check_end
from triage.evidence.zip_names import open_zip, zip_member_name
from triage.evidence.zip_salvage import SalvagedZip, central_directory, scan_local_headers
from triage.names import NOT_UTF8, not_utf8

# A member expanding beyond both limits is treated as a decompression bomb and not read.
MAX_RATIO = 200
MAX_BOMB_SIZE = 256 * 1024 * 1024
SMALL_MEMBER = 1 << 20  # tar members up to this size are read at once, larger ones streamed
# What reading a member can raise besides OSError: truncated or corrupt compressed data.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)
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


def archive_format(path) -> str | None:
    """``zip``, ``tar``, ``tar.gz``, ``tar.bz2``, ``tar.xz`` from the file's content, else None."""
    with open_evidence_file(path) as handle:
        head = handle.read(512)
        if head.startswith(b"PK\x03\x04"):  # a local header: readable without its directory
            return "zip"
        if head.startswith(b"PK\x05\x06"):
            return "zip" if zipfile.is_zipfile(handle) else None
    compression = None
    if head.startswith(b"\x1f\x8b"):
        compression = "gz"
    elif head.startswith(b"BZh"):
        compression = "bz2"
    elif head.startswith(b"\xfd7zXZ\x00"):
        compression = "xz"
    if compression is None:
        if len(head) == 512 and not any(head):  # an empty tar is only its end-of-archive blocks
            return "tar" if _empty_tar(path) else None
        return "tar" if len(head) == 512 and _is_tar_header(head) else None
    try:
        with _decompressor(path, compression) as stream:
            block = stream.read(512)
    except (*READ_ERRORS, ValueError) as error:
        # Compressed, but damaged from its first block: nothing in it can be listed.
        tool = {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[compression]
        raise EvidenceError(
            f"{path}: {tool}-compressed data that cannot be decompressed from its start "
            f"({error}); the file is damaged (check it with `{tool} -t`)"
        ) from error
    return f"tar.{compression}" if len(block) == 512 and _is_tar_header(block) else None


def _empty_tar(path) -> bool:
    """Zeros only, whole 512-byte blocks, and named .tar: what ``tar cf x.tar -T /dev/null``
    writes (the name decides here only because zeros carry no signature at all)."""
    size = os.stat(path).st_size
    if not str(path).lower().endswith(".tar") or size % 512 or size > 1 << 20:
        return False
    with open_evidence_file(path) as handle:
        return not any(handle.read())


def _is_tar_header(block: bytes) -> bool:
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _decompressor(path, compression: str | None) -> BinaryIO:
    """The archive's bytes (decompressed), read through a handle that keeps its access time."""
    raw = open_evidence_file(path)
    if compression is None:
        return raw
    try:
        if compression == "gz":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        elif compression == "bz2":
            stream = bz2.BZ2File(raw)
        else:
            stream = lzma.LZMAFile(raw)  # noqa: SIM115 - returned, closed by the caller
    except BaseException:
        raw.close()
        raise
    return _ClosingBoth(stream, raw)


class _ClosingBoth:
    """A decompressing stream that closes the evidence file under it too.

    (gzip, bz2 and lzma leave a file object they were given open.)
    """

    def __init__(self, stream: BinaryIO, raw: BinaryIO) -> None:
        self._stream = stream
        self._raw = raw

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def close(self) -> None:
        """Close the decompressor, then the file."""
        try:
            self._stream.close()
        finally:
            self._raw.close()

    def __enter__(self) -> _ClosingBoth:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def safe_member_path(name: str) -> tuple[PurePosixPath, str | None]:
    """The store path for an archive member name, and a note when the name tried to escape."""
    note = None
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        note = f"absolute member name {name!r} kept inside the evidence"
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            note = f"member name {name!r} climbs with '..'; kept inside the evidence"
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return PurePosixPath("/" + "/".join(parts)), note


def _utc(seconds: float | None) -> datetime | None:
    if not seconds or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


class TarSource:
    """A tar archive, plain or compressed; members read by offset, sequentially when compressed."""

    kind = "archive"

    def __init__(self, locator: EvidenceLocator, fmt: str) -> None:
        self.locator = locator
        self.format = fmt
        self._compression = fmt.partition(".")[2] or None
        self._stream: BinaryIO | None = None

    def info(self) -> EvidenceInfo:
        """The archive file itself is the evidence: its size and hash describe it."""
        return EvidenceInfo(
            kind=self.kind,
            format=self.format,
            path=str(self.locator.path),
            size=self.locator.path.stat().st_size,
        )

    def partitions(self) -> list[PartitionInfo]:
        """Archives have no partitions."""
        return []

    @property
    def sequential(self) -> bool:
        """Compressed tar members are cheapest read in archive order, in one pass."""
        return self._compression is not None

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """Every member in archive order; a damaged tail is reported and the walk ends there.

        tarfile ends a listing silently at a header cut short, and a compressed stream's own
        check (gzip CRC and length, the xz and bzip2 end of stream) is only met at its very
        end, which tarfile never reads: both are checked here once the members are listed.
        A member declaring more bytes than the archive can hold at :data:`MAX_RATIO` (a
        decompression bomb) ends the listing before its bytes are inflated.
        """
        seen: set[str] = set()
        cap = self._inflate_cap()
        last: tarfile.TarInfo | None = None
        try:
            with (
                _decompressor(self.locator.path, self._compression) as raw,
                tarfile.open(
                    fileobj=raw, mode="r|", errors="surrogateescape", tarinfo=TarInfoKeepingBlock
                ) as archive,
            ):
                for count, member in enumerate(archive):
                    if count % 1000 == 999:
                        archive.members = []  # stream mode keeps every TarInfo otherwise
                    if cap is not None and member.offset_data + member.size > cap:
                        problems(self._bomb(member, cap))
                        yield self._entry(member, problems, seen, bomb=True)
                        return
                    last = member
                    yield self._entry(member, problems, seen)
                damage = check_end(archive, last, _label, READ_ERRORS)
                if last is None and not damage:
                    problems(
                        Problem(
                            "walk",
                            "archive holds no members",
                            str(self.locator.path),
                            severity="warning",
                        )
                    )
            if damage:
                problems(Problem("walk", damage, str(self.locator.path)))
        except (tarfile.TarError, OSError, EOFError, lzma.LZMAError, zlib.error) as error:
            problems(
                Problem(
                    "walk",
                    "archive is damaged or truncated, listing stopped"
                    + (f" after member {_label(last.name)!r}" if last is not None else "")
                    + f": {error}",
                    str(self.locator.path),
                )
            )

    def _inflate_cap(self) -> int | None:
        """Decompressed bytes beyond which a compressed tar is read as a bomb (None: plain)."""
        if self._compression is None:
            return None
        return max(MAX_BOMB_SIZE, MAX_RATIO * self.locator.path.stat().st_size)

    def _bomb(self, member: tarfile.TarInfo, cap: int) -> Problem:
        size = self.locator.path.stat().st_size
        return Problem(
            "walk",
            f"member declares {member.size} bytes at decompressed offset {member.offset_data}: "
            f"beyond {cap} bytes, {MAX_RATIO} times this {size}-byte {self.format}, so likely a "
            f"decompression bomb; capped after {member.offset_data} decompressed bytes: the "
            "member is not read and the listing stops there",
            str(safe_member_path(member.name)[0]),
        )

    def _entry(
        self, member: tarfile.TarInfo, problems: ProblemSink, seen: set[str], bomb: bool = False
    ) -> EvidenceFile:
        path, note = safe_member_path(member.name)
        if not note and not_utf8(path.name):
            note = NOT_UTF8  # tarfile decodes with surrogateescape: triage's name convention
        if note:
            problems(Problem("walk", note, str(path), severity="warning"))
        if str(path) in seen:
            note = "name appears more than once in the archive"
        seen.add(str(path))
        kind: EntryKind
        if bomb:
            kind, note = (
                "other",
                f"declares {member.size} bytes: likely a decompression bomb, not read",
            )
        elif member.isreg() and not member.issparse():
            kind = "file"
        elif member.isdir():
            kind = "dir"
        elif member.issym() or member.islnk():
            kind = "link"
            note = f"link target: {member.linkname}"
        else:
            kind = "other"
            note = note or "special member (device, FIFO or sparse file): not read"
        return EvidenceFile(
            path=path,
            kind=kind,
            size=member.size if kind == "file" else 0,
            allocated=True,
            ref=FileRef(member=f"{member.offset_data}:{member.size}"),
            modified=_utc(member.mtime),
            note=note,
        )

    def open_file(self, ref: FileRef) -> BinaryIO:
        """A reader over one member's bytes, found by its data offset.

        A small member is read at once; a large one is streamed from the shared stream (a
        member of a compressed tar can inflate to gigabytes from a few megabytes: a tar bomb
        costs time in proportion to what it declares, never memory).
        """
        offset, _, size = (ref.member or "0:0").partition(":")
        if int(size) <= SMALL_MEMBER:
            stream = self._shared_stream()
            try:
                stream.seek(int(offset))
                return io.BytesIO(_read_exact(stream, int(size)))
            except READ_ERRORS as error:
                raise _read_error(error) from error
        reader = _TarMemberReader(self._shared_stream, int(offset), int(size))
        return io.BufferedReader(reader, buffer_size=1 << 16)

    def _shared_stream(self) -> BinaryIO:
        if self._stream is None:
            self._stream = _decompressor(self.locator.path, self._compression)
        return self._stream

    def open_media(self) -> BinaryIO:
        """The archive file as stored."""
        return open_evidence_file(self.locator.path)

    def close(self) -> None:
        """Close the shared decompression stream."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None


def _label(name: str) -> str:
    return str(safe_member_path(name)[0])


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise OSError(f"archive ends {size - len(data)} bytes into this member")
    return data


def _read_error(error: BaseException) -> OSError:
    """Any failure to read a member as the OSError every reader of evidence expects."""
    if isinstance(error, OSError):
        return error
    return OSError(f"archive member cannot be read: {type(error).__name__}: {error}")


class _TarMemberReader(io.RawIOBase):
    """One member of a tar, read in place from the source's shared (decompressing) stream.

    Every read seeks to where this member's reader stands, so readers of several members may
    take turns on the one stream.
    """

    def __init__(self, stream: Callable[[], BinaryIO], offset: int, size: int) -> None:
        self._stream, self._offset, self._size, self._position = stream, offset, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self._size - self._position
        if left <= 0 or not len(buffer):
            return 0
        try:
            stream = self._stream()
            if stream.tell() != self._offset + self._position:
                stream.seek(self._offset + self._position)
            data = stream.read(min(len(buffer), left))
        except READ_ERRORS as error:
            raise _read_error(error) from error
        if not data:
            raise OSError(f"archive ends {left} bytes into this member")
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position


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
            raise _read_error(error) from error
        buffer[: len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        return self._member.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        try:
            return self._member.seek(offset, whence)
        except ZIP_READ_ERRORS as error:
            raise _read_error(error) from error

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
            raise _read_error(error) from error
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
            return _utc(struct.unpack_from("<i", body, 1)[0]), None
        position += 4 + length
    try:
        value = datetime(*member.date_time, tzinfo=UTC)
    except ValueError:
        return None, None
    return value, "zip DOS time has no time zone; shown as if UTC"
