"""tar archives, plain or compressed (gz, bz2, xz), read in place (see :mod:`.archive`).

Large members are streamed, never held in memory whole (a compressed tar inflating to gigabytes
costs time, not memory); a member declaring more than the archive can hold at
:data:`~triage.evidence.archive.MAX_RATIO` ends the listing before its bytes are inflated.
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from triage.evidence.archive import (
    MAX_BOMB_SIZE,
    MAX_RATIO,
    READ_ERRORS,
    decompressor,
    member_label,
    read_error,
    read_exact,
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
from triage.evidence.tar_end import TarInfoKeepingBlock, check_end
from triage.names import NOT_UTF8, not_utf8

SMALL_MEMBER = 1 << 20  # tar members up to this size are read at once, larger ones streamed


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
                decompressor(self.locator.path, self._compression) as raw,
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
                damage = check_end(archive, last, member_label, READ_ERRORS)
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
                    + (f" after member {member_label(last.name)!r}" if last is not None else "")
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
            modified=utc_time(member.mtime),
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
                return io.BytesIO(read_exact(stream, int(size)))
            except READ_ERRORS as error:
                raise read_error(error) from error
        reader = _TarMemberReader(self._shared_stream, int(offset), int(size))
        return io.BufferedReader(reader, buffer_size=1 << 16)

    def _shared_stream(self) -> BinaryIO:
        if self._stream is None:
            self._stream = decompressor(self.locator.path, self._compression)
        return self._stream

    def open_media(self) -> BinaryIO:
        """The archive file as stored."""
        return open_evidence_file(self.locator.path)

    def close(self) -> None:
        """Close the shared decompression stream."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None


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
            raise read_error(error) from error
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
