"""The parallel hashing core: every file read once, feeding every digest and libmagic.

Workers are processes that reopen the evidence themselves from a picklable locator (pytsk3 and
pyewf handles never cross a process boundary) and keep one libmagic handle each. Work is sent in
batches balanced by bytes, with a bounded number in flight, so memory stays flat however many
files there are and results stream back to the caller (which writes them to the store).

A file larger than :data:`WIDE_FILE` is hashed "wide": its digests are split over two threads
(hashlib releases the GIL on large updates) while the next chunk is being read, so one huge file
does not pin the run to one core. ``jobs=1`` runs everything inline, with the same results.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from typing import Any, BinaryIO

from triage.evidence import EvidenceLocator, FileRef, reopen
from triage.filetype import SNIFF_BYTES, FileTyper, extension_mismatch

log = logging.getLogger(__name__)

ALGORITHMS = ("md5", "sha1", "sha256")
CHUNK = 1 << 20
WIDE_CHUNK = 4 << 20
WIDE_FILE = 64 << 20  # files at least this big get their digests spread over threads
BATCH_BYTES = 32 << 20
BATCH_FILES = 256
MEDIA_FILE_ID = -1  # the job that hashes the whole evidence stream


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


def _digest_groups(algorithms: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Split algorithms into two groups of similar cost (MD5 is the slowest of the three)."""
    if len(algorithms) < 2:
        return [algorithms]
    if "md5" in algorithms:
        rest = tuple(name for name in algorithms if name != "md5")
        return [("md5",), rest]
    return [algorithms[:1], algorithms[1:]]


class FileHasher:
    """Hashes files of one open evidence source; one per process (or thread)."""

    def __init__(
        self, locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool = True
    ) -> None:
        self.locator = locator
        self.algorithms = algorithms
        self.source = reopen(locator)
        self.typer = FileTyper() if type_files else None
        self._threads: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Release the evidence handle and any digest threads."""
        if self._threads is not None:
            self._threads.shutdown()
        self.source.close()

    def hash_batch(self, batch: list[HashJob]) -> list[FileDigest]:
        """Hash every job of a batch (used as the worker entry point)."""
        return [self.hash_one(job) for job in batch]

    def hash_one(self, job: HashJob) -> FileDigest:
        """Read one file once; digests, libmagic and the extension check from that read."""
        hashers = {name: hashlib.new(name) for name in self.algorithms}
        head = b""
        read = 0
        try:
            stream = self.source.open_media() if job.ref is None else self.source.open_file(job.ref)
            if stream is None:
                raise OSError("this evidence is not a single stream")
            with stream:
                if job.size >= WIDE_FILE and len(self.algorithms) > 1:
                    head, read = self._hash_wide(stream, hashers)
                else:
                    head, read = _hash_narrow(stream, hashers)
        except (OSError, EOFError, ValueError, RuntimeError) as error:
            return FileDigest(
                job.file_id,
                None,
                None,
                None,
                None,
                None,
                False,
                _describe_error(error, read, job.size),
                read,
            )
        error = None
        if job.ref is not None and read != job.size:
            error = f"read {read} bytes of {job.size}: the file is shorter than its metadata says"
        file_type = self.typer.identify(head[:SNIFF_BYTES]) if self.typer and job.ref else None
        mime = file_type.mime if file_type else None
        return FileDigest(
            job.file_id,
            *(hashers[name].hexdigest() if name in hashers else None for name in ALGORITHMS),
            mime,
            file_type.description if file_type else None,
            extension_mismatch(job.name, mime),
            error,
            read,
        )

    def _hash_wide(self, stream: BinaryIO, hashers: dict[str, Any]) -> tuple[bytes, int]:
        """Digest groups in two threads, pipelined with the next read."""
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="digest")
        groups = [[hashers[name] for name in group] for group in _digest_groups(self.algorithms)]
        head = b""
        read = 0
        pending: list[Future] = []
        chunk = stream.read(WIDE_CHUNK)
        while chunk:
            if not head:
                head = chunk[:SNIFF_BYTES]
            for future in pending:
                future.result()
            pending = [self._threads.submit(_update_all, group, chunk) for group in groups]
            read += len(chunk)
            chunk = stream.read(WIDE_CHUNK)
        for future in pending:
            future.result()
        return head, read


def _update_all(hashers: list[Any], chunk: bytes) -> None:
    for hasher in hashers:
        hasher.update(chunk)


def _hash_narrow(stream: BinaryIO, hashers: dict[str, Any]) -> tuple[bytes, int]:
    head = b""
    read = 0
    updaters = [hasher.update for hasher in hashers.values()]
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return head, read
        if not head:
            head = chunk[:SNIFF_BYTES]
        for update in updaters:
            update(chunk)
        read += len(chunk)


def _describe_error(error: BaseException, read: int, size: int) -> str:
    text = str(error) or type(error).__name__
    return f"unreadable after {read} of {size} bytes: {text}"


# -- worker processes ---------------------------------------------------------------------------
# Each worker process holds exactly one FileHasher, created by the pool initializer. This is
# per-process state by design (handles cannot be pickled), invisible outside this module.
_worker_hasher: list[FileHasher] = []


def _init_worker(locator: EvidenceLocator, algorithms: tuple[str, ...], type_files: bool) -> None:
    _worker_hasher.append(FileHasher(locator, algorithms, type_files))


def _worker_batch(batch: list[HashJob]) -> list[FileDigest]:
    return _worker_hasher[0].hash_batch(batch)


def batches(
    jobs: Iterable[HashJob], max_bytes: int = BATCH_BYTES, max_files: int = BATCH_FILES
) -> Iterator[list[HashJob]]:
    """Group jobs into batches of similar byte size; a wide file travels alone."""
    batch: list[HashJob] = []
    size = 0
    for job in jobs:
        if job.size >= WIDE_FILE or job.ref is None:
            yield [job]
            continue
        batch.append(job)
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
) -> Iterator[FileDigest]:
    """Hash every job, in parallel when ``jobs > 1``; results stream back in completion order."""
    if jobs <= 1:
        hasher = FileHasher(locator, algorithms, type_files)
        try:
            for job in jobs_in:
                result = hasher.hash_one(job)
                if on_result:
                    on_result(result)
                yield result
        finally:
            hasher.close()
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["triage.hashing"])
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(locator, algorithms, type_files),
    ) as pool:
        in_flight: set[Future] = set()
        pending = batches(jobs_in)
        limit = jobs * 3
        exhausted = False
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
                for result in future.result():
                    if on_result:
                        on_result(result)
                    yield result


def verify_stored_hashes(stored: dict[str, str], computed: dict[str, str]) -> str:
    """Compare acquisition hashes (E01) with the hashes computed now.

    ``verified (MD5, SHA-1)``, ``MISMATCH: ...`` naming each differing algorithm with both
    values, ``no stored hash``, or ``not verified`` when no stored algorithm was computed.
    """
    stored = {name.lower(): value.lower() for name, value in stored.items() if value}
    if not stored:
        return "no stored hash"
    compared = [name for name in ("md5", "sha1", "sha256") if name in stored and name in computed]
    if not compared:
        return (
            f"not verified: stored {', '.join(sorted(stored)).upper()} not computed "
            "(choose it with --hash)"
        )
    mismatched = [name for name in compared if stored[name] != computed[name].lower()]
    if mismatched:
        details = "; ".join(
            f"{name.upper()} stored {stored[name]} computed {computed[name]}" for name in mismatched
        )
        return f"MISMATCH: {details}"
    return "verified (" + ", ".join(name.upper().replace("SHA", "SHA-") for name in compared) + ")"
