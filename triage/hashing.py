"""The parallel hashing core: every file read once, feeding every digest and libmagic.

Workers are processes that reopen the evidence themselves from a picklable locator (pytsk3 and
EWF handles never cross a process boundary) and keep one libmagic handle each. Jobs travel as
plain tuples in batches balanced by bytes, with a bounded number of batches in flight, so memory
stays flat however many files there are and results stream back to the caller (which writes them
to the store) in completion order.

Each chunk read feeds every digest; reads go to the raw stream under a BufferedReader, so bytes
are not copied once more into the buffered layer. A file of :data:`WIDE_FILE` bytes or more is
hashed "wide": one thread per digest (hashlib releases the GIL on updates over 2 KiB) while the
next chunk is read, so a huge file or the evidence image uses every core that is free and the
last large file of a run does not leave cores idle. The evidence image itself is one more job
in the same pool, hashed in parallel with the files. ``jobs=1`` runs everything inline, with
the same results.

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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from triage.evidence import EvidenceLocator, FileRef, reopen
from triage.filetype import SNIFF_BYTES, FileTyper, extension_mismatch

log = logging.getLogger(__name__)

ALGORITHMS = ("md5", "sha1", "sha256")
CHUNK = 1 << 20  # read size of an ordinary file
WIDE_CHUNK = 4 << 20  # read size of a wide file or the evidence image
WIDE_FILE = 16 << 20  # files at least this big get one thread per digest
BATCH_BYTES = 32 << 20  # a batch of small files carries about this many bytes...
BATCH_FILES = 512  # ...or this many files, whichever comes first
IN_FLIGHT_PER_WORKER = 3  # batches queued per worker: enough to never starve, bounded memory
MEDIA_FILE_ID = -1  # the job that hashes the whole evidence stream
LANE_DEPTH = 4  # chunks a fast digest may run ahead of the slowest
WORKER_SWITCH_INTERVAL = 0.0005  # seconds; see _init_worker


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


def _job_tuple(job: HashJob) -> JobTuple:
    ref = job.ref
    if ref is None:
        return (job.file_id, None, None, None, None, job.size, job.name)
    return (job.file_id, ref.partition, ref.inode, ref.attr_id, ref.member, job.size, job.name)


def _digest_from_tuple(values: tuple) -> FileDigest:
    return FileDigest(*values)


class FileHasher:
    """Hashes files of one open evidence source; one per process."""

    def __init__(
        self, locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool = True
    ) -> None:
        self.locator = locator
        self.algorithms = algorithms
        self.source = reopen(locator)
        self.typer = FileTyper() if type_files else None
        self._damage = _damage_counter(self.source)
        self._starts: dict[int, int] | None = None
        self._lanes: list[ThreadPoolExecutor] = []
        self._constructors = [getattr(hashlib, name) for name in algorithms]
        self._positions = [
            algorithms.index(name) if name in algorithms else None for name in ALGORITHMS
        ]

    def close(self) -> None:
        """Release the evidence handle and any digest threads."""
        for lane in self._lanes:
            lane.shutdown()
        self._lanes = []
        self.source.close()

    def hash_batch(self, batch: list[JobTuple]) -> list[tuple]:
        """Hash every job of a batch (the worker entry point); results as plain tuples."""
        results = []
        for file_id, partition, inode, attr_id, member, size, name in batch:
            ref = None if file_id == MEDIA_FILE_ID else FileRef(partition, inode, attr_id, member)
            digest = self.hash_one(HashJob(file_id, ref, size, name))
            results.append(
                (
                    digest.file_id, digest.md5, digest.sha1, digest.sha256, digest.mime,
                    digest.description, digest.ext_mismatch, digest.error, digest.bytes_read,
                    digest.note,
                )
            )  # fmt: skip
        return results

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
            with self.source.open_file(job.ref) as stream:
                if job.size >= WIDE_FILE and len(hashers) > 1:
                    head, read = self._digest_wide(stream, hashers)
                else:
                    head, read = self._digest_narrow(stream, hashers, job.size)
                if self._damage is not None and self._damage.damaged:
                    damaged = self._damage.damage_events != events or self._in_damage(
                        stream, job.ref
                    )
        except (OSError, EOFError, ValueError, RuntimeError, KeyError) as error:
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
        error = None
        if read != job.size:
            longer = "longer" if read > job.size else "shorter"
            error = f"read {read} bytes of {job.size}: the file is {longer} than its metadata says"
        if self.typer is None:
            return FileDigest(job.file_id, *self._hex(hashers), None, None, False, error, read)
        file_type = self.typer.identify(head)
        return FileDigest(
            job.file_id,
            *self._hex(hashers),
            file_type.mime,
            file_type.description,
            extension_mismatch(job.name, file_type.mime),
            error,
            read,
        )

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
        """One thread per digest, each at its own pace, while the next chunk is read."""
        lanes = _DigestLanes(self._digest_lanes(), hashers)
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

    def _digest_lanes(self) -> list[ThreadPoolExecutor]:
        if not self._lanes:
            self._lanes = [
                ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"digest-{name}")
                for name in self.algorithms
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
        lanes = _DigestLanes(self._digest_lanes(), hashers)
        read_pieces = getattr(self._damage, "read_pieces", None)
        offset = 0
        try:
            while offset < media.size:
                want = min(WIDE_CHUNK, media.size - offset)
                if read_pieces is not None:
                    pieces = read_pieces(offset, want)
                    count = sum(len(piece) for piece in pieces)
                    if not count:
                        break
                    lanes.feed_pieces(pieces)
                else:
                    data = media.read(offset, want)
                    count = len(data)
                    if not count:
                        break
                    lanes.feed(data)
                offset += count
        finally:
            lanes.finish()
        return offset

    def _digest_mapped(self, path: Path, hashers: list[Any]) -> int:
        """A raw image or archive that is one host file: digests read its pages in place.

        Mapped read-only, the page cache is hashed without a copy (``pread`` costs ~7 % of the
        three digests); if the file cannot be mapped it is read like any stream.
        """
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size or handle.seek(0, os.SEEK_END)
            if not size:
                return 0
            try:
                mapped = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                handle.seek(0)
                return self._digest_wide(handle, hashers)[1]
        lanes = _DigestLanes(self._digest_lanes(), hashers)
        view = memoryview(mapped)

        def hashed(offset: int) -> Callable[[], None] | None:
            # Pages every digest has seen leave this process's RSS (they stay in the cache).
            if not hasattr(mmap, "MADV_DONTNEED"):
                return None
            length = min(WIDE_CHUNK, size - offset)
            return lambda: mapped.madvise(mmap.MADV_DONTNEED, offset, length)

        try:
            for offset in range(0, size, WIDE_CHUNK):
                lanes.feed(view[offset : offset + WIDE_CHUNK], hashed(offset))
        finally:
            lanes.finish()
            # A digest thread may still hold its last slice for a moment after its future is
            # done (the executor drops the work item after setting the result); closing then
            # raises BufferError. The mapping is read-only: let it close when the slice goes.
            with contextlib.suppress(BufferError):
                view.release()
                mapped.close()
        return size


class _DigestLanes:
    """Feeds chunks to one single-thread lane per digest; each lane keeps its own pace.

    No barrier per chunk: with three digests on two cores the fast ones (SHA-1, SHA-256) run
    ahead and free their core, and MD5, the slowest, is never made to wait for them. At most
    :data:`LANE_DEPTH` chunks are held, so memory stays bounded.
    """

    def __init__(self, lanes: list[ThreadPoolExecutor], hashers: list[Any]) -> None:
        self._work = list(zip(lanes, hashers, strict=False))
        self._window: deque[tuple[list[Future], Callable[[], None] | None]] = deque()

    def feed(self, chunk: Any, done: Callable[[], None] | None = None) -> None:
        """Queue one chunk for every digest (waits while the window is full).

        ``done`` is called once every digest has seen the chunk.
        """
        self._make_room()
        self._window.append(
            ([lane.submit(hasher.update, chunk) for lane, hasher in self._work], done)
        )

    def feed_pieces(self, pieces: list[bytes]) -> None:
        """Queue consecutive pieces as one task per digest."""
        self._make_room()
        self._window.append(
            ([lane.submit(_update_each, hasher, pieces) for lane, hasher in self._work], None)
        )

    def _make_room(self) -> None:
        if len(self._window) >= LANE_DEPTH:
            self._retire()

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
    """The one host file the evidence is, when it is a raw image or an archive."""
    if media is not None:
        if media.format == "raw" and len(media.segments) == 1:
            return Path(media.segments[0])
        return None
    if getattr(source, "kind", None) == "archive":
        return Path(source.locator.path)
    return None


def _update_each(hasher: Any, pieces: list[bytes]) -> None:
    for piece in pieces:
        hasher.update(piece)


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


def _init_worker(locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool) -> None:
    # A worker's reading thread runs Python between GIL-free reads; digest threads waiting to
    # return from an update would wait up to the default 5 ms switch interval each time.
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)
    _worker_hasher.append(FileHasher(locator, algorithms, type_files))


def _worker_batch(batch: list[JobTuple]) -> list[tuple]:
    return _worker_hasher[0].hash_batch(batch)


def batches(
    jobs: Iterable[HashJob], max_bytes: int = BATCH_BYTES, max_files: int = BATCH_FILES
) -> Iterator[list[JobTuple]]:
    """Group jobs into batches of similar byte size; a wide file or the evidence travels alone."""
    batch: list[JobTuple] = []
    size = 0
    for job in jobs:
        if job.size >= WIDE_FILE or job.ref is None:
            yield [_job_tuple(job)]
            continue
        batch.append(_job_tuple(job))
        size += job.size
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
    a worker process beside them.
    """
    results = _hash_all(locator, jobs_in, algorithms, jobs, type_files, ordered)
    for result in results:
        if on_result:
            on_result(result)
        yield result


def _hash_all(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob],
    algorithms: tuple[str, ...],
    jobs: int,
    type_files: bool,
    ordered: bool,
) -> Iterator[FileDigest]:
    if jobs <= 1:
        yield from _hash_inline(locator, jobs_in, algorithms, type_files)
        return
    if ordered:
        yield from _hash_ordered(locator, jobs_in, algorithms, type_files)
        return
    with _pool(locator, algorithms, type_files, jobs) as pool:
        yield from _run_batches(pool, batches(jobs_in), jobs * IN_FLIGHT_PER_WORKER)


def _hash_inline(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob],
    algorithms: tuple[str, ...],
    type_files: bool,
) -> Iterator[FileDigest]:
    hasher = FileHasher(locator, algorithms, type_files)
    try:
        for job in jobs_in:
            yield hasher.hash_one(job)
    finally:
        hasher.close()


def _hash_ordered(
    locator: EvidenceLocator,
    jobs_in: Iterable[HashJob],
    algorithms: tuple[str, ...],
    type_files: bool,
) -> Iterator[FileDigest]:
    """Files inline in their order; the evidence job in one worker process meanwhile."""
    hasher: FileHasher | None = None
    pool: ProcessPoolExecutor | None = None
    media: list[Future] = []
    try:
        for job in jobs_in:
            if job.ref is None:
                if pool is None:
                    pool = _pool(locator, algorithms, False, 1)
                media.append(pool.submit(_worker_batch, [_job_tuple(job)]))
                continue
            if hasher is None:
                hasher = FileHasher(locator, algorithms, type_files)
            yield hasher.hash_one(job)
        for future in media:
            for values in future.result():
                yield _digest_from_tuple(values)
    finally:
        if hasher is not None:
            hasher.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _pool(
    locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool, workers: int
) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["triage.hashing"])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(locator, algorithms, type_files),
    )


def _run_batches(
    pool: ProcessPoolExecutor, pending: Iterator[list[JobTuple]], limit: int
) -> Iterator[FileDigest]:
    """Keep at most ``limit`` batches in flight; yield results as batches finish."""
    in_flight: set[Future] = set()
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
                for values in future.result():
                    yield _digest_from_tuple(values)
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
