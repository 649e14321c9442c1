"""``triage scan --hash-only`` of one NTFS file system raw and inside BitLocker and LUKS1.

Part of ``bench/volumes.py`` (``--only scan``): what an examiner sees through decryption. The
inputs are built once under ``bench/work/volumes/``: an NTFS file system of 320 MiB (four
48 MiB files, eight of 1-8 MiB, 400 of 1-256 KiB; content as :mod:`inputs` makes it), the same
file system inside BitLocker AES-XTS 128 and inside LUKS1 aes-xts-plain64 (the committed fixture
writers of ``tests/evidence/volume_fixtures.py``, each proved by libbde/libluksde as the tests
do), each as partition 1 of an MBR disk. They are scanned with ``-j 2``, raw and wrapped
interleaved.

Two figures per scan: the rate of bytes digested (files and image) per second of walk + hash,
from the store's ``stages`` table as ``bench/hashing.py`` reads it; and the CPU seconds the
scan's process tree (scan, forkserver, workers: sampled from /proc every 10 ms) spent in that
same window. On a machine others share the wall-clock rate moves by 2x from run to run; the
CPU a scan needs moves much less, and 2 cores / CPU per byte is its rate on 2 free cores.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import hashing
import inputs
import measure

from tests.evidence.volume_fixtures import (
    bitlocker_volume,
    check_bitlocker_with_libbde,
    check_luks1_with_libluksde,
    luks1_volume,
    mbr_disk,
)

TICK = os.sysconf("SC_CLK_TCK")
MiB = 1 << 20
SCAN_FS_SIZE = 320 * MiB
SCAN_PASSPHRASE = "bench volumes"


def _scan_tree(work: Path) -> Path:
    """Four 48 MiB files, eight of 1-8 MiB and 400 of 1-256 KiB (log-uniform)."""
    tree = work / "tree"
    if (tree / ".complete").is_file():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "videos").mkdir(parents=True)
    (tree / "docs").mkdir()
    (tree / "small").mkdir()
    content = inputs.Content(7)
    for index in range(4):
        content.write_file(tree / "videos" / f"recording-{index:02d}.bin", 48 * MiB)
    for index in range(8):
        content.write_file(tree / "docs" / f"medium-{index:02d}.bin", (index + 1) * MiB)
    rng = random.Random(8)
    for index in range(400):
        size = inputs.log_uniform(rng, 1024, 256 * 1024)
        (tree / "small" / f"file-{index:04d}.dat").write_bytes(content.piece(size))
    (tree / ".complete").touch()
    return tree


def scan_disks(work: Path) -> dict[str, tuple[Path, str | None]]:
    """{case: (MBR disk image, key)}: the NTFS file system raw, in BitLocker and in LUKS1."""
    work.mkdir(parents=True, exist_ok=True)
    disks = {
        "raw": (work / "ntfs-disk.raw", None),
        "BitLocker": (work / "bitlocker-disk.raw", None),
        "LUKS1": (work / "luks1-disk.raw", SCAN_PASSPHRASE),
    }
    password_file = work / "bitlocker.password"
    if all(path.is_file() for path, _ in disks.values()) and password_file.is_file():
        disks["BitLocker"] = (disks["BitLocker"][0], password_file.read_text())
        return disks
    print(f"building the scan inputs in {work} (once; about a minute) ...", flush=True)
    fs = inputs.build_ntfs(_scan_tree(work), work / "ntfs.raw", SCAN_FS_SIZE)
    if fs is None:
        raise SystemExit("mkntfs and an ntfs-3g FUSE mount are needed to build the NTFS input")
    payload = fs.read_bytes()
    disks["raw"][0].write_bytes(mbr_disk(payload, type_code=0x07))
    volume, password, _ = bitlocker_volume(payload)
    check_bitlocker_with_libbde(volume, password, payload)  # an independent reader first
    disks["BitLocker"][0].write_bytes(mbr_disk(volume, type_code=0x07))
    volume = luks1_volume(payload, SCAN_PASSPHRASE)
    check_luks1_with_libluksde(volume, SCAN_PASSPHRASE, payload)
    disks["LUKS1"][0].write_bytes(mbr_disk(volume))
    password_file.write_text(password)
    disks["BitLocker"] = (disks["BitLocker"][0], password)
    return disks


class TreeCpu(measure.TreeRss):
    """CPU seconds (user + system) of a process tree so far, sampled from /proc.

    Each member's last reading is kept after it exits, so the workers' CPU counts though they
    are gone at the end.
    """

    def __init__(self, root: int) -> None:
        super().__init__(root)
        self._last: dict[int, float] = {}

    def __call__(self) -> float:
        for pid in list(self.members()):
            try:
                with open(f"/proc/{pid}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                self._last[pid] = (int(fields[11]) + int(fields[12])) / TICK
            except (OSError, IndexError, ValueError):
                self._tree.discard(pid)
        return sum(self._last.values())


def run_scan(
    command: list[str], code: Path | None = None
) -> tuple[measure.Run, list[tuple[float, float]]]:
    """Run a scan (with triage from ``code`` when given); its wall time and (epoch time, tree
    CPU seconds) every 10 ms."""
    # ``python -m`` puts the working folder first on the path: run from the code's own.
    env = dict(os.environ, PYTHONPATH=str(code)) if code else None
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=code,
    )
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    cpu = TreeCpu(process.pid)

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.time(), cpu()))
            stop.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    return measure.Run(seconds, 0, process.returncode, stderr[-2000:]), samples


def _cpu_at(samples: list[tuple[float, float]], moment: float) -> float:
    """The tree's CPU seconds at ``moment`` (the last sample before it)."""
    before = [cpu for when, cpu in samples if when <= moment]
    return before[-1] if before else 0.0


class ScanBench(hashing.Bench):
    """:class:`hashing.Bench` whose scans also report the CPU they took in walk + hash."""

    def scan(
        self, case: str, evidence: Path, *options: str, code: Path | None = None
    ) -> tuple[hashing.Row, float]:
        """One ``triage scan --hash-only`` (triage from ``code`` when given, e.g. an older
        commit's tree): its row and its CPU seconds in walk + hash."""
        out = self.work / "out" / case.replace(" ", "-")
        shutil.rmtree(out, ignore_errors=True)
        command = [
            sys.executable, "-m", "triage", "scan", str(evidence), "-o", str(out),
            "--no-progress", "-j", str(self.jobs), "--profiles-dir", str(self.profiles),
            "--profile", "bench-empty", "--hash-only", *options,
        ]  # fmt: skip
        limit = measure.quick_limit()
        result, samples = run_scan(command, code)
        row = self._scan_row(case, "triage scan --hash-only (files + image)", out, result, limit)
        window = _window(out)
        cpu = _cpu_at(samples, window[1]) - _cpu_at(samples, window[0]) if window else 0.0
        row.note += f"; CPU {cpu:.2f}s in w+h"
        self.add(row)
        return row, cpu


def _window(out: Path) -> tuple[float, float] | None:
    """(walk start, hash end) of a scan, epoch seconds."""
    connection = sqlite3.connect(out / "triage.sqlite")
    try:
        query = "SELECT name, started, finished FROM stages"
        stages = {name: (started, end) for name, started, end in connection.execute(query)}
    finally:
        connection.close()
    if "walk" not in stages or "hash" not in stages:
        return None
    return hashing._time(stages["walk"][0]), hashing._time(stages["hash"][1])


def scan_rows(work: Path, repeat: int, jobs: int, before: Path | None = None) -> None:
    """``triage scan --hash-only`` of the same NTFS raw and wrapped, interleaved, ``repeat``
    rounds: the wall-clock rates (each case's best, and the median of the rounds' ratios), and
    the rate on ``jobs`` free cores from the CPU each scan took (median of the rounds).

    ``before``: a tree of triage's code (``git archive <commit> | tar -x -C dir``) whose scans
    of the wrapped disks run in the same rounds, as cases "<kind> before"."""
    disks: dict[str, tuple[Path, str | None, Path | None]] = {
        case: (path, key, None) for case, (path, key) in scan_disks(work).items()
    }
    if before is not None:
        for case, (path, key, _) in list(disks.items()):
            if case != "raw":
                disks[f"{case} before"] = (path, key, before)
    bench = ScanBench(work / "bench", inputs.QUICK, jobs, 1)
    print(f"\n{hashing.HEADER}")
    ratios: dict[str, list[float]] = {case: [] for case in disks}
    best: dict[str, float] = {}
    per_cpu: dict[str, list[float]] = {case: [] for case in disks}
    for _ in range(repeat):
        rates = {}
        for case, (path, key, code) in disks.items():
            row, cpu = bench.scan(case, path, *(("--key", key) if key else ()), code=code)
            rates[case] = row.rate
            best[case] = max(best.get(case, 0.0), row.rate)
            if cpu > 0:
                per_cpu[case].append(row.bytes / cpu)
        for case in disks:
            if rates["raw"] and rates[case]:
                ratios[case].append(rates[case] / rates["raw"])
    cpu_raw = _median(per_cpu["raw"])
    print(f"\nthrough the volume against raw, {jobs} processes, {repeat} rounds:")
    print(f"  {'case':17} {'wall best/best':>14} {'median':>7}  {'MB per CPU-s':>12} {'ratio':>6}")
    for case, values in ratios.items():
        if case == "raw" or not values or not best.get("raw"):
            continue
        cpu_rate = _median(per_cpu[case])
        listed = ", ".join(f"{value:.0%}" for value in sorted(values))
        print(
            f"  {case:17} {best[case] / best['raw']:>14.0%} {_median(values):>7.0%}  "
            f"{cpu_rate / 1e6:>12.0f} {cpu_rate / cpu_raw if cpu_raw else 0:>6.0%}  "
            f"(rounds, wall: {listed})"
        )
    print(f"  {'raw':17} {'':>14} {'':>7}  {cpu_raw / 1e6:>12.0f}")


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0
