"""The parallel hashing core: every file read once, feeding every digest and libmagic.

Workers are processes that reopen the evidence themselves from a picklable locator (pytsk3 and
EWF handles never cross a process boundary) and keep one libmagic handle each. Jobs travel as
plain tuples in batches balanced by bytes, with a bounded number of batches in flight, so memory
stays flat however many files there are; results come back per batch as rows ready for the store
(:data:`DigestRow`), so the main process spends almost nothing per file. The workers are forked
from a forkserver that the CLI starts before it loads the pipeline (:func:`start_worker_server`),
and the pool is started ahead of the work (:class:`HashPool`, when the walk begins), so workers
take their first batch ~0.03 s into the walk. It takes batches while the walk still runs
(:meth:`HashPool.submit`): the pipeline hands it the evidence job and each stored chunk of
walked files, and the workers, niced, leave the walk a core of its own.

A file of up to :data:`SMALL_FILE` bytes is read whole in one call when the source can
(``read_whole``: disk images through TSK), and its digests are taken from that one buffer: with
small files the per-file Python around the read costs as much as the digests. Larger files are
read as streams, each chunk feeding every digest; reads go to the raw stream under a
BufferedReader, so bytes are not copied once more into the buffered layer; a larger file whose
bytes lie as they are on the media (ext2/3/4, NTFS written to its end) is read there instead:
in place in a mapped raw image, or through the media reader (an E01's inflated chunks as they
are). A file of :data:`WIDE_FILE` bytes or more is hashed "wide" while its worker is alone:
digest lanes, at most one thread per core (hashlib releases the GIL on updates over 2 KiB),
while the next chunk is read, so a huge file or the evidence image uses every core that is free
and the last large file of a run does not leave cores idle. The evidence image itself is one
more job in the same pool, hashed in parallel with the files. ``jobs=1`` runs everything
inline, with the same results.

A corrupt E01 chunk reads as zeros (as libewf returns it); a file read that met one gets an
error instead of digests that would pass for the original's, and the evidence hash goes on over
it and names the chunk, so the verdict is a MISMATCH that says where.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import mmap
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import astuple, dataclass
from multiprocessing import forkserver
from pathlib import Path
from typing import Any, BinaryIO

from triage.evidence import EvidenceLocator, FileRef, reopen
from triage.evidence.base import open_evidence_file
from triage.filetype import SNIFF_BYTES, FileTyper

log = logging.getLogger(__name__)
md5, sha1, sha256 = hashlib.md5, hashlib.sha1, hashlib.sha256

ALGORITHMS = ("md5", "sha1", "sha256")
CHUNK = 1 << 20  # read size of an ordinary file
SMALL_FILE = 1 << 20  # files up to this size are read whole in one call where the source can
WIDE_CHUNK = 4 << 20  # read size of a wide file or the evidence image
WIDE_FILE = 16 << 20  # files at least this big get digest lanes while their worker is alone
BATCH_BYTES = 32 << 20  # a batch of small files carries about this many bytes...
BATCH_FILES = 512  # ...or this many files, whichever comes first
IN_FLIGHT_PER_WORKER = 3  # batches queued per worker: enough to never starve, bounded memory
MEDIA_FILE_ID = -1  # the job that hashes the whole evidence stream
LANE_DEPTH = 4  # chunks a fast digest may run ahead of the slowest
CACHE_PIECE = 1 << 20  # all digests in turn over this much: it is still in the CPU cache
# What the forkserver imports once for all workers: the hashing core, and the CLI, because
# each worker first re-runs the main script (multiprocessing's rule) and the `triage` script
# imports triage.cli: preloaded, that is free; otherwise it delays every worker by ~0.1 s.
WORKER_PRELOAD = ["triage.cli", "triage.hashing"]
# Linux's value (Python 3.13 names it); elsewhere 22 may mean something else, so nothing.
MADV_POPULATE_READ: int | None = getattr(
    mmap, "MADV_POPULATE_READ", 22 if sys.platform.startswith("linux") else None
)
WORKER_SWITCH_INTERVAL = 0.0005  # seconds; see _init_worker
WORKER_NICENESS = 5  # workers yield to the scan process (its walk); see _init_worker


@dataclass(frozen=True, slots=True)
class HashJob:
    """One file to hash: its store id, address, size and name (for the extension check)."""

    file_id: int
    ref: FileRef | None  # None: the whole evidence (image hash)
    size: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class FileDigest:
    """The result of one read: digests, type and any read error."""

    file_id: int
    md5: str | None
    sha1: str | None
    sha256: str | None
    mime: str | None
    description: str | None
    ext_mismatch: bool
    error: str | None
    bytes_read: int
    note: str | None = None  # evidence hash only: corrupt chunks that read as zeros


# One file's result as the store takes it (DeviceStore.update_digests):
# (md5, sha1, sha256, mime, magic, ext_mismatch, error, file_id).
DigestRow = tuple[str | None, str | None, str | None, str | None, str | None, int, str | None, int]
# What a worker sends back for one batch: rows, bytes read per row, the evidence job's result.
BatchTuple = tuple[list[DigestRow], list[int], tuple | None]
READ_ERRORS = (OSError, EOFError, ValueError, RuntimeError, KeyError)


@dataclass(frozen=True, slots=True)
class HashedBatch:
    """The results of one batch: store rows, bytes read for each, and the evidence hash if any."""

    rows: list[DigestRow]
    read: list[int]
    media: FileDigest | None = None

    @property
    def bytes_read(self) -> int:
        """Bytes read for the batch (files and evidence), for progress."""
        return sum(self.read) + (max(self.media.bytes_read, 0) if self.media else 0)

    def digests(self) -> Iterator[FileDigest]:
        """The batch as one :class:`FileDigest` per file (and the evidence job's, if any)."""
        for row, read in zip(self.rows, self.read, strict=True):
            md5, sha1, sha256, mime, magic, mismatch, error, file_id = row
            yield FileDigest(file_id, md5, sha1, sha256, mime, magic, bool(mismatch), error, read)
        if self.media is not None:
            yield self.media


def _batch_from_tuple(values: BatchTuple) -> HashedBatch:
    rows, read, media = values
    return HashedBatch(rows, read, FileDigest(*media) if media is not None else None)


def _digest_row(digest: FileDigest) -> DigestRow:
    return (
        digest.md5, digest.sha1, digest.sha256, digest.mime, digest.description,
        int(digest.ext_mismatch), digest.error, digest.file_id,
    )  # fmt: skip


def parse_algorithms(text: str) -> tuple[str, ...]:
    """``"md5,sha256"`` -> ``("md5", "sha256")``; unknown names raise ValueError."""
    names = tuple(
        dict.fromkeys(
            part.strip().lower().replace("-", "") for part in text.split(",") if part.strip()
        )
    )
    unknown = [name for name in names if name not in ALGORITHMS]
    if unknown or not names:
        raise ValueError(
            f"unknown hash algorithm {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(ALGORITHMS)}"
        )
    return names


# A job as it travels to a worker: (file_id, partition, inode, attr_id, member, size, name).
# Plain tuples pickle several times faster than dataclasses, which counts at 50,000 files/s.
JobTuple = tuple[int, int | None, int | None, int | None, str | None, int, str]


# Where a file's bytes lie: (the raw image file, or None for the media; [(offset, length)]).
FileExtents = tuple[Path | None, list[tuple[int, int]]]


def _job_tuple(job: HashJob) -> JobTuple:
    ref = job.ref
    if ref is None:
        return (job.file_id, None, None, None, None, job.size, job.name)
    return (job.file_id, ref.partition, ref.inode, ref.attr_id, ref.member, job.size, job.name)


class FileHasher:
    """Hashes files of one open evidence source; one per process."""

    def __init__(
        self,
        locator: EvidenceLocator,
        algorithms: tuple[str, ...],
        type_files: bool = True,
        busy: Any = None,
    ) -> None:
        self.locator = locator
        # Workers of the pool hashing now (a shared multiprocessing.Value), None outside a pool.
        self.busy = busy
        self.algorithms = algorithms
        self.source = reopen(locator)
        self.typer = FileTyper() if type_files else None
        self._damage = _damage_counter(self.source)
        self._starts: dict[int, int] | None = None
        self._lanes: list[Lane] = []
        self._constructors = [getattr(hashlib, name) for name in algorithms]
        self._positions = [
            algorithms.index(name) if name in algorithms else None for name in ALGORITHMS
        ]
        self._all_three = tuple(algorithms) == ALGORITHMS
        self._extents: Callable[[FileRef], FileExtents | None] | None = getattr(
            self.source, "data_extents", None
        )
        self._mapped: tuple[Path, mmap.mmap] | None = None
        self._read_whole: Callable[[FileRef, int], bytes | None] | None = getattr(
            self.source, "read_whole", None
        )

    def close(self) -> None:
        """Release the evidence handle, the image mapping and any digest threads."""
        for lane in self._lanes:
            lane.executor.shutdown()
        self._lanes = []
        if self._mapped is not None:
            with contextlib.suppress(BufferError):
                self._mapped[1].close()
            self._mapped = None
        self.source.close()

    def hash_batch(self, batch: list[JobTuple]) -> BatchTuple:
        """Hash every job of a batch (the worker entry point); results as plain tuples."""
        rows: list[DigestRow] = []
        read: list[int] = []
        media = None
        for job in batch:
            if job[0] == MEDIA_FILE_ID:
                digest = self.hash_one(HashJob(MEDIA_FILE_ID, None, job[5], job[6]))
                media = astuple(digest)
                continue
            row, count = self._hash_job(job)
            rows.append(row)
            read.append(count)
        return rows, read, media

    def _hash_job(self, job: JobTuple) -> tuple[DigestRow, int]:
        """One file: read whole in one call when small and the source can, else streamed."""
        file_id, partition, inode, attr_id, member, size, name = job
        ref = FileRef(partition, inode, attr_id, member)
        if self._read_whole is not None and size <= SMALL_FILE:
            try:
                data = self._read_whole(ref, SMALL_FILE)
            except READ_ERRORS as error:
                error_text = _describe_error(error, 0, size)
                return (None, None, None, None, None, 0, error_text, file_id), 0
            # Near a corrupt E01 chunk the stream path decides (it checks the file's runs).
            if data is not None and not (self._damage is not None and self._damage.damaged):
                return self._row(file_id, data, size, name), len(data)
        digest = self.hash_one(HashJob(file_id, ref, size, name))
        return _digest_row(digest), digest.bytes_read

    def _row(self, file_id: int, data: bytes, size: int, name: str) -> DigestRow:
        """The store row of a file read whole into ``data``."""
        if self._all_three:  # the usual case, spelt out: this runs 50,000 times a second
            hexes = [md5(data).hexdigest(), sha1(data).hexdigest(), sha256(data).hexdigest()]
        else:
            hexes = self._hex([make(data) for make in self._constructors])
        error = _size_error(len(data), size)
        mime, description, mismatch = self._type(data[:SNIFF_BYTES], name, hexes)
        return (hexes[0], hexes[1], hexes[2], mime, description, int(mismatch), error, file_id)

    def _type(
        self, head: bytes, name: str, hexes: list[str | None]
    ) -> tuple[str | None, str | None, bool]:
        """(MIME type, description, extension mismatch); all empty when files are not typed.

        Typing is cached per content: the first digest computed is the key.
        """
        if self.typer is None:
            return None, None, False
        key = next((value for value in hexes if value is not None), None)
        return self.typer.classify(head, name, key)

    def hash_one(self, job: HashJob) -> FileDigest:
        """Read one file once; digests, libmagic and the extension check from that read."""
        hashers = [make() for make in self._constructors]
        if job.ref is None:
            return self._hash_media(job, hashers)
        head = b""
        read = 0
        events = self._damage.damage_events if self._damage is not None else 0
        damaged = False
        try:
            mapped = (
                self._extents(job.ref)
                if self._extents is not None and job.size > SMALL_FILE
                else None
            )
            if mapped is not None and mapped[0] is not None:
                head, read = self._digest_extents(*mapped, hashers, job.size >= WIDE_FILE)
            elif mapped is not None:
                head, read, damaged = self._digest_media_extents(
                    mapped[1], hashers, job.size >= WIDE_FILE, events
                )
            else:
                head, read, damaged = self._digest_stream(job, hashers, events)
        except READ_ERRORS as error:
            return FileDigest(
                job.file_id, None, None, None, None, None, False,
                _describe_error(error, read, job.size), read,
            )  # fmt: skip
        if damaged:
            # Digests of the zeros that stand in for a corrupt chunk would pass for the file's.
            return FileDigest(
                job.file_id, None, None, None, None, None, False,
                "not hashed: part of the file lies in a corrupt E01 chunk, which reads as "
                f"zeros ({self._damage.describe_damage()})", read,
            )  # fmt: skip
        hexes = self._hex(hashers)
        mime, description, mismatch = self._type(head, job.name, hexes)
        error = _size_error(read, job.size)
        return FileDigest(job.file_id, *hexes, mime, description, mismatch, error, read)

    def _digest_stream(
        self, job: HashJob, hashers: list[Any], events: int
    ) -> tuple[bytes, int, bool]:
        """(head, bytes read, met a corrupt E01 chunk) of a file read through the source."""
        damaged = False
        with self.source.open_file(job.ref) as stream:
            if job.size >= WIDE_FILE and len(hashers) > 1:
                head, read = self._digest_wide(stream, hashers)
            else:
                head, read = self._digest_narrow(stream, hashers, job.size)
            if self._damage is not None and self._damage.damaged:
                damaged = self._damage.damage_events != events or self._in_damage(stream, job.ref)
        return head, read, damaged

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
        end)``, which gives the step's pieces and what to run once every digest has seen them."""
        digester = self._digester(hashers, wide)
        head = b""
        read = 0
        try:
            for offset, end in _wide_steps(extents):
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

    def _hex(self, hashers: list[Any]) -> list[str | None]:
        """Hex digests in :data:`ALGORITHMS` order, None for those not computed."""
        return [None if at is None else hashers[at].hexdigest() for at in self._positions]

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

    def _digester(self, hashers: list[Any], wide: bool = True) -> _Digester:
        """Feeds chunks to the digests, spreading them over threads only while it pays."""
        lanes = self._digest_lanes if wide and len(hashers) > 1 else None
        return _Digester(hashers, lanes, self.busy)

    def _digest_lanes(self) -> list[Lane]:
        if not self._lanes:
            groups = lane_groups(digest_costs(self.algorithms), default_jobs())
            self._lanes = [
                Lane(
                    ThreadPoolExecutor(
                        max_workers=1,
                        thread_name_prefix="digest-" + "+".join(self.algorithms[i] for i in group),
                    ),
                    group,
                )
                for group in groups
            ]
        return self._lanes

    def _hash_media(self, job: HashJob, hashers: list[Any]) -> FileDigest:
        """The whole evidence: its media when it has one (disk images), else its stream."""
        media = getattr(self.source, "media", None)
        read, note, error = 0, None, None
        events = self._damage.damage_events if self._damage is not None else 0
        try:
            mapped = _single_host_file(self.source, media)
            if mapped is not None:
                read = self._digest_mapped(mapped, hashers)
            elif media is not None:
                read = self._digest_media(media, hashers)
            else:
                stream = self.source.open_media()
                if stream is None:
                    raise OSError("this evidence is not a single stream")
                with stream:
                    _, read = self._digest_wide(stream, hashers)
        except (OSError, EOFError, ValueError, RuntimeError) as failure:
            error = _describe_error(failure, read, job.size)
        if error is None and media is not None and read != media.size:
            error = f"read {read} bytes of {media.size}: the media ends early"
        if self._damage is not None and self._damage.damage_events != events:
            note = self._damage.describe_damage()
        digests = self._hex(hashers) if error is None else [None, None, None]
        return FileDigest(job.file_id, *digests, None, None, False, error, read, note)

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


class _Digester:
    """Feeds consecutive chunks to the digests, in the way that is fastest at the moment.

    While other workers are hashing too, every core is busy already: each digest takes its turn
    over a :data:`CACHE_PIECE` slice in this thread, while the slice is still in the CPU cache,
    which is how the machine's limit is measured (bench/measure.py). Lanes (digest threads, at
    most one per core: :func:`lane_groups`) cost ~7 % more CPU (threads, and each lane pulling
    the chunk from memory on its own) but are the only way one job uses more than one core, so
    they are used while this worker hashes alone: a single large file, the evidence image, the
    last file of a run.
    The choice is made again for every chunk; switching drains the lanes first, so each
    digest still sees the bytes in order.
    """

    def __init__(
        self,
        hashers: list[Any],
        lanes: Callable[[], list[Lane]] | None,
        busy: Any,
    ) -> None:
        self._hashers = hashers
        self._make_lanes = lanes
        self._busy = busy
        self._lanes: _DigestLanes | None = None

    def _alone(self) -> bool:
        return self._make_lanes is not None and (self._busy is None or self._busy.value <= 1)

    def _in_thread(self) -> None:
        if self._lanes is not None:
            self._lanes.finish()
            self._lanes = None

    def feed(self, chunk: Any, done: Callable[[], None] | None = None) -> None:
        """One chunk for every digest; ``done`` runs once every digest has seen it."""
        self.feed_pieces([chunk], done)

    def feed_pieces(self, pieces: list[Any], done: Callable[[], None] | None = None) -> None:
        """Consecutive pieces (E01 chunks) for every digest."""
        if self._alone():
            if self._lanes is None:
                self._lanes = _DigestLanes(self._make_lanes(), self._hashers)
            self._lanes.feed_pieces(pieces, done)
            return
        self._in_thread()
        _update_group(self._hashers, pieces)
        if done is not None:
            done()

    def finish(self) -> None:
        """Wait until every digest has seen every chunk."""
        self._in_thread()


class _DigestLanes:
    """Feeds chunks to single-thread lanes of digests; each lane keeps its own pace.

    No barrier per chunk: the lanes that finish first free their core, and the one with the
    most work (MD5 alone, on two cores) is never made to wait for the others. At most
    :data:`LANE_DEPTH` chunks are held, so memory stays bounded.
    """

    def __init__(self, lanes: list[Lane], hashers: list[Any]) -> None:
        self._work = [(lane.executor, [hashers[at] for at in lane.digests]) for lane in lanes]
        self._window: deque[tuple[list[Future], Callable[[], None] | None]] = deque()

    def feed(self, chunk: Any, done: Callable[[], None] | None = None) -> None:
        """Queue one chunk for every digest (waits while the window is full).

        ``done`` is called once every digest has seen the chunk.
        """
        self.feed_pieces([chunk], done)

    def feed_pieces(self, pieces: list[Any], done: Callable[[], None] | None = None) -> None:
        """Queue consecutive pieces (E01 chunks) as one task per lane."""
        if len(self._window) >= LANE_DEPTH:
            self._retire()
        self._window.append(
            ([lane.submit(_update_group, group, pieces) for lane, group in self._work], done)
        )

    def _retire(self) -> None:
        futures, done = self._window.popleft()
        for future in futures:
            future.result()
        if done is not None:
            done()

    def finish(self) -> None:
        """Wait until every digest has seen every chunk."""
        while self._window:
            self._retire()


def _single_host_file(source: Any, media: Any) -> Path | None:
    """The one host file the evidence is, when it is a raw image, an archive or one file."""
    if media is not None:
        return media.single_file
    if getattr(source, "kind", None) in ("archive", "file"):
        return Path(source.locator.path)
    return None


def _size_error(read: int, size: int) -> str | None:
    """The error of a file whose content is not as long as its metadata says, else None."""
    if read == size:
        return None
    longer = "longer" if read > size else "shorter"
    return f"read {read} bytes of {size}: the file is {longer} than its metadata says"


def _wide_steps(extents: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(start, end) of each read of at most WIDE_CHUNK bytes over the extents, in order."""
    for start, length in extents:
        for offset in range(start, start + length, WIDE_CHUNK):
            yield offset, min(offset + WIDE_CHUNK, start + length)


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


def _update_group(hashers: list[Any], pieces: list[Any]) -> None:
    """Every digest of a lane over the pieces, in turns of :data:`CACHE_PIECE` bytes (cached)."""
    if len(hashers) == 1:
        for piece in pieces:
            hashers[0].update(piece)
        return
    for piece in pieces:
        view = memoryview(piece)
        for start in range(0, len(view), CACHE_PIECE):
            part = view[start : start + CACHE_PIECE]
            for hasher in hashers:
                hasher.update(part)


@dataclass(frozen=True)
class Lane:
    """One digest thread and the digests it runs (indices into the algorithms)."""

    executor: ThreadPoolExecutor
    digests: list[int]


def digest_costs(algorithms: tuple[str, ...], size: int = 1 << 18) -> list[float]:
    """Seconds each digest takes over ``size`` bytes here (best of two; ~2 ms in all).

    Measured, not assumed: with SHA extensions SHA-1 and SHA-256 run ~2.5x faster than MD5,
    without them SHA-256 is the slowest.
    """
    data = bytes(size)
    costs = []
    for name in algorithms:
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            hashlib.new(name, data)
            best = min(best, time.perf_counter() - started)
        costs.append(best)
    return costs


def lane_groups(costs: list[float], cores: int) -> list[list[int]]:
    """Digests per lane: no more lanes than cores, the dearest digest first into the lane with
    the least work so far (the longest-processing-time rule).

    Three lanes on two cores leave MD5 sharing its core with a SHA lane a third of the time;
    MD5 alone and SHA-1 + SHA-256 in the other lane keep MD5 on a core of its own: 10 % faster
    for one large file or image (bench/README.md).
    """
    lanes: list[list[int]] = [[] for _ in range(max(1, min(cores, len(costs))))]
    loads = [0.0] * len(lanes)
    for index in sorted(range(len(costs)), key=lambda at: -costs[at]):
        lightest = loads.index(min(loads))
        lanes[lightest].append(index)
        loads[lightest] += costs[index]
    return lanes


def _damage_counter(source: Any) -> Any | None:
    """The E01 reader under a disk image, whose damage counter tells a read met a bad chunk.

    (``Media.read_at`` is the reader's bound ``read``; other media have no counter.)
    """
    reader = getattr(getattr(getattr(source, "media", None), "read_at", None), "__self__", None)
    return reader if hasattr(reader, "damage_events") else None


def _describe_error(error: BaseException, read: int, size: int) -> str:
    text = str(error) or type(error).__name__
    return f"unreadable after {read} of {size} bytes: {text}"


# -- worker processes ---------------------------------------------------------------------------
# Each worker process holds exactly one FileHasher, created by the pool initializer. This is
# per-process state by design (handles cannot be pickled), invisible outside this module.
_worker_hasher: list[FileHasher] = []


def _init_worker(
    locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool, busy: Any
) -> None:
    # A worker's reading thread runs Python between GIL-free reads; digest threads waiting to
    # return from an update would wait up to the default 5 ms switch interval each time.
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)
    # On a disk of small files the scan process's walk is the critical path: it lists and
    # stores while the workers hash what it stored. Three busy processes on two cores would
    # leave it two thirds of a core; niced workers leave it a whole one and share the rest
    # (20,000 small files, medians of 5-6 interleaved runs: NTFS 12,951 -> 13,939 files/s,
    # ext4 18,432 -> 21,542). Alone (large files) they still get every core.
    with contextlib.suppress(AttributeError, OSError):  # os.nice: POSIX only
        os.nice(WORKER_NICENESS)
    _worker_hasher.append(FileHasher(locator, algorithms, type_files, busy))


def _worker_batch(batch: list[JobTuple]) -> BatchTuple:
    hasher = _worker_hasher[0]
    with hasher.busy.get_lock():
        hasher.busy.value += 1
    try:
        return hasher.hash_batch(batch)
    finally:
        with hasher.busy.get_lock():
            hasher.busy.value -= 1


def _worker_ready() -> None:
    """A no-op task: submitting one per worker starts and initialises the pool."""


def batches(
    jobs: Iterable[HashJob | JobTuple], max_bytes: int = BATCH_BYTES, max_files: int = BATCH_FILES
) -> Iterator[list[JobTuple]]:
    """Group jobs into batches of similar byte size; a wide file or the evidence travels alone.

    Jobs may come as :class:`HashJob` or already as :data:`JobTuple` (cheaper by the million).
    """
    batch: list[JobTuple] = []
    size = 0
    for job in jobs:
        values = _job_tuple(job) if isinstance(job, HashJob) else job
        if values[5] >= WIDE_FILE or values[0] == MEDIA_FILE_ID:
            yield [values]
            continue
        batch.append(values)
        size += values[5]
        if size >= max_bytes or len(batch) >= max_files:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class HashPool:
    """Worker processes for one evidence, which can be started before the jobs are known.

    The pipeline starts it when the walk begins: the forkserver's start-up, the workers'
    imports and their opening of the evidence then run on the core the walk leaves free. Starting
    blocks until the forkserver has forked (about 0.2 s), so it is done in a thread. Use it as a
    context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        locator: EvidenceLocator,
        algorithms: tuple[str, ...],
        type_files: bool,
        workers: int,
    ) -> None:
        self.key = (locator, tuple(algorithms), type_files, workers)
        self.workers = workers
        self.executor = _pool(locator, algorithms, type_files, workers)
        self._starter = threading.Thread(target=self._start, name="hash-pool-start", daemon=True)
        self._started: list[Future] = []
        self._in_flight: set[Future] = set()  # batches submitted ahead of hash_batches
        self._starter.start()

    def _start(self) -> None:
        with contextlib.suppress(RuntimeError):  # closed before it started
            for _ in range(self.workers):
                self._started.append(self.executor.submit(_worker_ready))

    def ready(self) -> ProcessPoolExecutor:
        """The executor, once every worker was asked to start (their failures surface here)."""
        self._starter.join()
        for future in self._started:
            future.result()
        return self.executor

    def room(self) -> int:
        """Batches that may be submitted now within the in-flight bound (none while starting)."""
        if self._starter.is_alive():
            return 0
        return self.workers * IN_FLIGHT_PER_WORKER - len(self._in_flight)

    def submit(self, batch: list[JobTuple]) -> None:
        """Hash one batch ahead of :func:`hash_batches` (e.g. while the walk still runs)."""
        self._in_flight.add(self.ready().submit(_worker_batch, batch))

    def finished(self) -> list[HashedBatch]:
        """The results of batches submitted ahead that are done, without waiting."""
        done = {future for future in self._in_flight if future.done()}
        self._in_flight -= done
        return [_batch_from_tuple(future.result()) for future in done]

    def take_in_flight(self) -> set[Future]:
        """The batches submitted ahead and not collected yet (hash_batches yields them)."""
        in_flight, self._in_flight = self._in_flight, set()
        return in_flight

    def close(self) -> None:
        """Stop the workers (pending batches are cancelled)."""
        self._starter.join()
        self.executor.shutdown(cancel_futures=True)

    def __enter__(self) -> HashPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def hash_files(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob],
    algorithms: tuple[str, ...] = ALGORITHMS,
    *,
    jobs: int,
    type_files: bool = True,
    on_result: Callable[[FileDigest], None] | None = None,
    ordered: bool = False,
) -> Iterator[FileDigest]:
    """Hash every job, in parallel when ``jobs > 1``; results stream back in completion order.

    ``ordered``: the files must be read in the order given by one reader (a compressed tar is
    one deflate stream); they are hashed here in order while the evidence job, if any, runs in
    a worker process beside them. One :class:`FileDigest` per job; :func:`hash_batches` gives
    the same results as store rows, per batch.
    """
    for batch in hash_batches(
        locator, jobs_in, algorithms, jobs=jobs, type_files=type_files, ordered=ordered
    ):
        for result in batch.digests():
            if on_result:
                on_result(result)
            yield result


def hash_batches(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob | JobTuple],
    algorithms: tuple[str, ...] = ALGORITHMS,
    *,
    jobs: int,
    type_files: bool = True,
    ordered: bool = False,
    pool: HashPool | None = None,
) -> Iterator[HashedBatch]:
    """Hash every job; results per batch, in completion order, as rows for the store.

    ``pool``: workers started earlier for the same evidence and options (the caller closes
    it); without one a pool is made here when ``jobs > 1``. Batches submitted to it ahead
    (:meth:`HashPool.submit`) and not collected yet are yielded too.
    """
    if jobs <= 1:
        yield from _hash_inline(locator, jobs_in, algorithms, type_files)
        return
    if ordered:
        yield from _hash_ordered(locator, jobs_in, algorithms, type_files)
        return
    if pool is not None and pool.key == (locator, tuple(algorithms), type_files, jobs):
        yield from _run_batches(
            pool.ready(), batches(jobs_in), jobs * IN_FLIGHT_PER_WORKER, pool.take_in_flight()
        )
        return
    with HashPool(locator, algorithms, type_files, jobs) as own:
        yield from _run_batches(own.ready(), batches(jobs_in), jobs * IN_FLIGHT_PER_WORKER)


def _hash_inline(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob | JobTuple],
    algorithms: tuple[str, ...],
    type_files: bool,
) -> Iterator[HashedBatch]:
    hasher: FileHasher | None = None
    try:
        for batch in batches(jobs_in):
            if hasher is None:
                hasher = FileHasher(locator, algorithms, type_files)
            yield _batch_from_tuple(hasher.hash_batch(batch))
    finally:
        if hasher is not None:
            hasher.close()


def _hash_ordered(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob | JobTuple],
    algorithms: tuple[str, ...],
    type_files: bool,
) -> Iterator[HashedBatch]:
    """Files inline in their order; the evidence job in one worker process meanwhile."""
    hasher: FileHasher | None = None
    pool: ProcessPoolExecutor | None = None
    media: list[Future] = []
    try:
        for batch in batches(jobs_in):
            if batch[0][0] == MEDIA_FILE_ID:
                if pool is None:
                    pool = _pool(locator, algorithms, False, 1)
                media.append(pool.submit(_worker_batch, batch))
                continue
            if hasher is None:
                hasher = FileHasher(locator, algorithms, type_files)
            yield _batch_from_tuple(hasher.hash_batch(batch))
        for future in media:
            yield _batch_from_tuple(future.result())
    finally:
        if hasher is not None:
            hasher.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def start_worker_server() -> None:
    """Start the process hash workers are forked from, ahead of the scan that needs them.

    The forkserver is a fresh interpreter that imports this module (~0.2 s of one core); the
    pool forks its workers from it. Started before the scan process imports the rest of
    triage (~0.3 s), it is ready when the walk begins, and the workers start hashing ~0.2 s
    sooner. Calling it again, or creating a pool, reuses the running server.
    """
    worker_context()
    forkserver.ensure_running()


def worker_context() -> multiprocessing.context.ForkServerContext:
    """How triage starts worker processes (hashing, file listings): forked from one forkserver
    that has imported :data:`WORKER_PRELOAD` (it takes effect when the server starts)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def _pool(
    locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool, workers: int
) -> ProcessPoolExecutor:
    context = worker_context()
    busy = context.Value("i", 0)  # workers hashing now: see _Digester
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(locator, algorithms, type_files, busy),
    )


def _run_batches(
    pool: ProcessPoolExecutor,
    pending: Iterator[list[JobTuple]],
    limit: int,
    in_flight: set[Future] | None = None,
) -> Iterator[HashedBatch]:
    """Keep at most ``limit`` batches in flight; yield results as batches finish.

    ``in_flight``: batches already submitted, whose results are yielded with the others.
    """
    in_flight = set(in_flight or ())
    exhausted = False
    try:
        while in_flight or not exhausted:
            while not exhausted and len(in_flight) < limit:
                batch = next(pending, None)
                if batch is None:
                    exhausted = True
                    break
                in_flight.add(pool.submit(_worker_batch, batch))
            if not in_flight:
                break
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield _batch_from_tuple(future.result())
    finally:
        for future in in_flight:
            future.cancel()


def verify_stored_hashes(
    stored: dict[str, str], computed: dict[str, str], note: str | None = None
) -> str:
    """Compare acquisition hashes (E01) with the hashes computed now.

    ``verified (MD5, SHA-1)``, ``MISMATCH: ...`` naming each differing algorithm with both
    values (and the ``note`` on corrupt chunks), ``no stored hash``, or ``not verified`` when no
    stored algorithm was computed.
    """
    stored = {name.lower(): value.lower() for name, value in stored.items() if value}
    if not stored:
        return "no stored hash" + (f" ({note})" if note else "")
    compared = [name for name in ALGORITHMS if name in stored and name in computed]
    if not compared:
        return (
            f"not verified: stored {', '.join(sorted(stored)).upper()} not computed "
            "(choose it with --hash)"
        )
    mismatched = [name for name in compared if stored[name] != computed[name].lower()]
    if mismatched:
        details = "; ".join(
            f"{_label(name)} stored {stored[name]} computed {computed[name]}" for name in mismatched
        )
        return f"MISMATCH: {details}" + (f"; {note}" if note else "")
    return "verified (" + ", ".join(_label(name) for name in compared) + ")"


def _label(name: str) -> str:
    return name.upper().replace("SHA", "SHA-")
