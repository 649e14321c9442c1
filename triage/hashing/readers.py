"""Readers: a file's bytes read where they lie (in place in a mapped image, or through the
media reader), streamed through the source, or the whole evidence.

A larger file whose bytes lie as they are on the media (ext2/3/4, NTFS written to its end) is
read there: in place in a mapped raw image, or through the media reader (an E01's inflated
chunks as they are). Others are read as streams, under a BufferedReader from its raw stream so
bytes are not copied once more.
"""

from __future__ import annotations

import contextlib
import functools
import io
import mmap
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from triage.evidence import FileRef
from triage.evidence.base import open_evidence_file
from triage.filetype import SNIFF_BYTES
from triage.hashing.jobs import CHUNK, WIDE_CHUNK

HOLE = -1  # an extent's start when the file system stores the run nowhere (zeros)
ZERO_PIECE = 4 << 20  # zeros fed to the digests at a time for a hole

# Linux's value (Python 3.13 names it); elsewhere 22 may mean something else, so nothing.
MADV_POPULATE_READ: int | None = getattr(
    mmap, "MADV_POPULATE_READ", 22 if sys.platform.startswith("linux") else None
)


class ExtentReader:
    """How :class:`~triage.hashing.hasher.FileHasher` reads: extents, streams, the media."""

    def _digest_extents(
        self, path: Path, extents: list[tuple[int, int]], hashers: list[Any], wide: bool
    ) -> tuple[bytes, int]:
        """A file whose bytes lie as they are in the (raw) image file: digested in place.

        The image is mapped once per worker; each piece is hashed straight from the page
        cache, and its pages leave this process's RSS once every digest has seen them.
        """
        mapped = self._mapping(path)
        view = memoryview(mapped)

        def in_place(offset: int, end: int) -> tuple[list[Any], Callable[[], None]]:
            _populate(mapped, offset, end)
            return [view[offset:end]], _release(mapped, offset, end)

        try:
            return self._digest_steps(extents, hashers, wide, in_place)
        finally:
            # A digest thread may still hold its last slice for a moment after its future is
            # done (the executor drops the work item after setting the result): releasing the
            # view then raises BufferError. It goes with the slice; the mapping stays open.
            with contextlib.suppress(BufferError):
                view.release()

    def _digest_media_extents(
        self, extents: list[tuple[int, int]], hashers: list[Any], wide: bool, events: int
    ) -> tuple[bytes, int, bool]:
        """(head, bytes read, met a corrupt E01 chunk) of a file read where it lies on the media.

        An E01's reader gives the inflated chunks as they are (``read_pieces``): no TSK read
        callback, no join, no copies. A corrupt chunk reads as zeros and is counted, never
        cached, so the damage counter alone tells whether this file met one.
        """
        head, read = self._digest_steps(
            extents, hashers, wide, lambda offset, end: (self._media_pieces(offset, end), None)
        )
        damaged = self._damage is not None and self._damage.damage_events != events
        return head, read, damaged

    def _digest_steps(
        self,
        extents: list[tuple[int, int]],
        hashers: list[Any],
        wide: bool,
        pieces_at: Callable[[int, int], tuple[list[Any], Callable[[], None] | None]],
    ) -> tuple[bytes, int]:
        """(head, bytes read) of the extents, read in WIDE_CHUNK steps by ``pieces_at(start,
        end)``, which gives the step's pieces and what to run once every digest has seen them.

        A hole (a sparse run: start < 0) is digested from a buffer of zeros without a read, so
        a file of terabytes of holes costs its digests of zeros, not reading them through TSK.
        """
        digester = self._digester(hashers, wide)
        head = b""
        read = 0
        try:
            for offset, end in _wide_steps(extents):
                if offset < 0:  # a hole: zeros the file system stores nowhere, never read
                    pieces, done = [_zeros()[: end - offset]], None
                    self.hole_bytes += end - offset
                else:
                    pieces, done = pieces_at(offset, end)
                if len(head) < SNIFF_BYTES:  # a first extent may be shorter than the head
                    head = _fill_head(head, pieces)
                digester.feed_pieces(pieces, done)
                read += sum(len(piece) for piece in pieces)
        finally:
            digester.finish()
        return head, read

    def _media_pieces(self, offset: int, end: int) -> list[Any]:
        """Media bytes ``offset``..``end``: an E01's inflated chunks as they are, else one read."""
        read_pieces = getattr(self._damage, "read_pieces", None)
        if read_pieces is not None:
            return read_pieces(offset, end - offset)
        return [self.source.media.read(offset, end - offset)]

    def _mapping(self, path: Path) -> mmap.mmap:
        """The image file mapped read-only (once per worker, until :meth:`close`)."""
        if self._mapped is None or self._mapped[0] != path:
            if self._mapped is not None:
                with contextlib.suppress(BufferError):
                    self._mapped[1].close()
                self._mapped = None
            with open_evidence_file(path) as handle:
                size = os.fstat(handle.fileno()).st_size or handle.seek(0, os.SEEK_END)
                self._mapped = (path, mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ))
        return self._mapped[1]

    def _in_damage(self, stream: Any, ref: FileRef) -> bool:
        """Whether the file's data runs cross a corrupt chunk (TSK may have cached the zeros)."""
        runs = getattr(getattr(stream, "raw", None), "data_runs", None)
        if runs is None or ref.partition is None:
            return False
        start = self._partition_starts().get(ref.partition, 0)
        size = self._damage.chunk_size
        bad = self._damage.damaged
        for offset, length in runs():
            first = (start + offset) // size
            last = (start + offset + length - 1) // size
            if any(index in bad for index in range(first, last + 1)):
                return True
        return False

    def _partition_starts(self) -> dict[int, int]:
        if self._starts is None:
            self._starts = {part.index: part.start for part in self.source.partitions()}
        return self._starts

    # -- reading -----------------------------------------------------------------------------------
    def _digest_narrow(self, stream: BinaryIO, hashers: list[Any], size: int) -> tuple[bytes, int]:
        """Small files: every digest updated in this thread, reads sized by the metadata.

        Under a BufferedReader the raw stream is read (no copy into the buffered layer), asking
        for what the metadata says is left plus one byte, so a small file costs one small read
        and a cheap end-of-file read, and a file longer than its metadata is still read whole.
        """
        reader = stream.raw if isinstance(stream, io.BufferedReader) else stream
        updaters = [hasher.update for hasher in hashers]
        head = b""
        read = 0
        while True:
            left = size - read
            chunk = reader.read(left + 1 if 0 <= left < CHUNK else CHUNK)
            if not chunk:
                return head, read
            if not read:
                head = chunk[:SNIFF_BYTES]
            for update in updaters:
                update(chunk)
            read += len(chunk)

    def _digest_wide(self, stream: BinaryIO, hashers: list[Any]) -> tuple[bytes, int]:
        """Digest lanes, each at its own pace, while the next chunk is read."""
        lanes = self._digester(hashers)
        # Under a fresh BufferedReader, read its raw stream: the bytes it returns go to the
        # digests as they are, without the copy into the buffered layer's result.
        reader = stream.raw if isinstance(stream, io.BufferedReader) else stream
        head = b""
        read = 0
        try:
            while True:
                chunk = reader.read(WIDE_CHUNK)
                if not chunk:
                    return head, read
                if not read:
                    head = chunk[:SNIFF_BYTES]
                lanes.feed(chunk)
                read += len(chunk)
        finally:
            lanes.finish()

    def _digest_media(self, media: Any, hashers: list[Any]) -> int:
        """Every byte of the media, digests in threads while the next piece is read.

        An E01 is read chunk by chunk (``read_pieces``): the pieces go to the digests as they
        are, without joining them into one buffer first.
        """
        lanes = self._digester(hashers)
        offset = 0
        try:
            while offset < media.size:
                pieces = self._media_pieces(offset, min(offset + WIDE_CHUNK, media.size))
                count = sum(len(piece) for piece in pieces)
                if not count:
                    break
                lanes.feed_pieces(pieces)
                offset += count
        finally:
            lanes.finish()
        return offset

    def _digest_mapped(self, path: Path, hashers: list[Any]) -> int:
        """A raw image or archive that is one host file: digests read its pages in place.

        Mapped read-only (the worker's one mapping of it, shared with the files digested in
        place), the page cache is hashed without a copy (``pread`` costs ~7 % of the three
        digests); if the file cannot be mapped (or is empty) it is read like any stream.
        """
        try:
            mapped = self._mapping(path)
        except (OSError, ValueError):
            with open_evidence_file(path) as handle:
                return self._digest_wide(handle, hashers)[1]
        return self._digest_extents(path, [(0, len(mapped))], hashers, wide=True)[1]


def _single_host_file(source: Any, media: Any) -> Path | None:
    """The one host file the evidence is, when it is a raw image, an archive or one file."""
    if media is not None:
        return media.single_file
    if getattr(source, "kind", None) in ("archive", "file"):
        return Path(source.locator.path)
    return None


def _wide_steps(extents: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(start, end) of each read of at most WIDE_CHUNK bytes over the extents, in order; in a
    hole (start < 0) the steps are (HOLE, HOLE + length), which no read sees."""
    for start, length in extents:
        if start < 0:
            step = min(WIDE_CHUNK, ZERO_PIECE)
            for offset in range(0, length, step):
                yield HOLE, HOLE + min(step, length - offset)
            continue
        for offset in range(start, start + length, WIDE_CHUNK):
            yield offset, min(offset + WIDE_CHUNK, start + length)


@functools.cache
def _zeros() -> memoryview:
    """:data:`ZERO_PIECE` zero bytes, made once per process when a hole is first digested."""
    return memoryview(bytes(ZERO_PIECE))


def _fill_head(head: bytes, pieces: list[Any]) -> bytes:
    """The first bytes of a file (up to SNIFF_BYTES, for libmagic) continued from ``pieces``."""
    for piece in pieces:
        if len(head) >= SNIFF_BYTES:
            break
        head += bytes(piece[: SNIFF_BYTES - len(head)])
    return head


def _populate(mapped: mmap.mmap, start: int, end: int) -> None:
    """Map a range's pages in one call before it is digested (Linux 5.14+, else nothing).

    Touching a mapping page by page costs a page fault every few pages: ~6 % of the three
    digests' CPU on a large image, where one MADV_POPULATE_READ costs ~1 %.
    """
    if MADV_POPULATE_READ is None:
        return
    aligned = start - start % mmap.PAGESIZE
    with contextlib.suppress(OSError, ValueError):  # older kernels: EINVAL; faults as usual
        mapped.madvise(MADV_POPULATE_READ, aligned, end - aligned)


def _drop_pages(mapped: mmap.mmap, start: int, end: int) -> None:
    """Let pages of the mapping that every digest has seen leave the RSS (not the page cache)."""
    if hasattr(mmap, "MADV_DONTNEED"):
        aligned = start - start % mmap.PAGESIZE
        mapped.madvise(mmap.MADV_DONTNEED, aligned, end - aligned)


def _release(mapped: mmap.mmap, start: int, end: int) -> Callable[[], None]:
    return lambda: _drop_pages(mapped, start, end)


def _damage_counter(source: Any) -> Any | None:
    """The E01 reader under a disk image, whose damage counter tells a read met a bad chunk.

    (``Media.read_at`` is the reader's bound ``read``; other media have no counter.)
    """
    reader = getattr(getattr(getattr(source, "media", None), "read_at", None), "__self__", None)
    return reader if hasattr(reader, "damage_events") else None
