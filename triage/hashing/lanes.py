"""Digest lanes: the digests of one read fed in this thread or spread over threads.

hashlib releases the GIL on updates over 2 KiB, so one large file or the evidence image can use
every core that is free: one thread per lane of digests, at most one lane per core.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

LANE_DEPTH = 4  # chunks a fast digest may run ahead of the slowest
CACHE_PIECE = 1 << 20  # all digests in turn over this much: it is still in the CPU cache


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
