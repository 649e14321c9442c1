"""Measuring helpers for the benchmarks: the hashing limit, wall time and peak RSS of a command.

The limit is what this machine can hash at all: every core running MD5, SHA-1 and SHA-256 over
the same in-memory buffers (hashlib releases the GIL, so threads use every core). It is measured
right before each run it is compared with, because a shared machine's speed drifts.

Peak RSS is the largest sum over a command's whole process tree (the scan, the forkserver and
its worker processes), sampled from /proc every 20 ms.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ALGORITHMS = ("md5", "sha1", "sha256")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0))


def hash_rate(
    threads: int, algorithms: tuple[str, ...] = ALGORITHMS, seconds: float = 1.0
) -> float:
    """Bytes per second that ``threads`` threads digest, each feeding every algorithm."""
    buffer = os.urandom(1 << 20)

    def work(deadline: float) -> int:
        hashers = [hashlib.new(name) for name in algorithms]
        done = 0
        while time.perf_counter() < deadline:
            for _ in range(8):
                for hasher in hashers:
                    hasher.update(buffer)
            done += 8 * len(buffer)
        return done

    with ThreadPoolExecutor(threads) as pool:
        start = time.perf_counter()
        total = sum(pool.map(work, [start + seconds] * threads))
        elapsed = time.perf_counter() - start
    return total / elapsed


@dataclass(frozen=True)
class Limit:
    """The machine's hashing limit at one moment."""

    per_algorithm: dict[str, float]  # one thread, one algorithm
    one_thread: float  # one thread, all three from one buffer
    all_cores: float  # every core, all three

    def describe(self) -> str:
        parts = ", ".join(f"{name} {rate / 1e9:.2f}" for name, rate in self.per_algorithm.items())
        return (
            f"hashlib per core: {parts} GB/s; all three from one read: "
            f"{self.one_thread / 1e9:.2f} GB/s per core, {self.all_cores / 1e9:.2f} GB/s on "
            f"{cores()} cores"
        )


def measure_limit(seconds: float = 1.0) -> Limit:
    """The limit now (about 2 + 2 x seconds)."""
    per = {name: hash_rate(1, (name,), seconds / 3) for name in ALGORITHMS}
    return Limit(
        per, hash_rate(1, ALGORITHMS, seconds / 2), hash_rate(cores(), ALGORITHMS, seconds)
    )


def quick_limit(seconds: float = 0.7) -> float:
    """All cores, all three algorithms: the figure runs are compared with."""
    return hash_rate(cores(), ALGORITHMS, seconds)


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, resident bytes) of a process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return int(fields[1]), int(fields[21]) * PAGE
    except (OSError, IndexError, ValueError):
        return None


class TreeRss:
    """Resident memory of a process tree (the scan, its forkserver and workers), from /proc.

    Sampled every 20 ms while a command runs, so it must be cheap: reading every process's
    stat at each sample cost ~4 ms, a fifth of a core taken from the run it measures. Here a
    process is looked at once to learn its parent; after that only the tree's own members are
    read (~0.2 ms a sample).
    """

    def __init__(self, root: int) -> None:
        self._tree = {root}
        self._seen = {root}

    def __call__(self) -> int:
        total = 0
        for pid in list(self.members()):
            stat = _stat(pid)
            if stat is None:
                self._tree.discard(pid)
            else:
                total += stat[1]
        return total

    def members(self) -> set[int]:
        """The tree's processes now: new processes are looked at once to learn their parent."""
        fresh: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and int(entry.name) not in self._seen:
                pid = int(entry.name)
                self._seen.add(pid)
                stat = _stat(pid)
                if stat is not None:
                    fresh[pid] = stat[0]
        grown = True
        while grown:  # a new worker may be listed before its new parent
            joining = {pid for pid, parent in fresh.items() if parent in self._tree}
            grown = bool(joining)
            self._tree |= joining
            for pid in joining:
                del fresh[pid]
        return self._tree


@dataclass(frozen=True)
class Run:
    """One command's wall time, peak RSS of its process tree and exit status."""

    seconds: float
    peak_rss: int
    returncode: int
    stderr: str


def run(command: list[str], cwd: Path | None = None) -> Run:
    """Run a command, sampling its process tree's RSS; output is captured, not shown."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()
    tree_rss = TreeRss(process.pid)

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss())
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return Run(seconds, peak, process.returncode, stderr[-2000:])
