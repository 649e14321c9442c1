"""Worker processes and the pool: batches in flight, bounded; results per batch.

Workers are forked from a forkserver that the CLI starts before it loads the pipeline
(:func:`start_worker_server`); the pool is started ahead of the work (:class:`HashPool`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    wait,
)
from multiprocessing import forkserver
from typing import Any

from triage.evidence import EvidenceLocator
from triage.hashing.hasher import FileHasher
from triage.hashing.jobs import (
    ALGORITHMS,
    IN_FLIGHT_PER_WORKER,
    MEDIA_FILE_ID,
    BatchTuple,
    FileDigest,
    HashedBatch,
    HashJob,
    JobTuple,
    _batch_from_tuple,
    batches,
)

# What the forkserver imports once for all workers: the hashing core, and the CLI, because
# each worker first re-runs the main script (multiprocessing's rule) and the `triage` script
# imports triage.cli: preloaded, that is free; otherwise it delays every worker by ~0.1 s.
# And the first typing tier, whose tables only workers load (~40 ms).
WORKER_PRELOAD = ["triage.cli", "triage.hashing", "triage.sniff"]
WORKER_SWITCH_INTERVAL = 0.0005  # seconds; see _init_worker
WORKER_NICENESS = 5  # workers yield to the scan process (its walk); see _init_worker


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
