"""The benchmark's own measuring: peak RSS must count the whole process tree, cheaply."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from measure import TreeRss, run  # noqa: E402

CHILD_HOLDS_64_MIB = """
import subprocess, sys
code = "import time; block = bytearray(64 << 20); block[::4096] = b'x' * 16384; time.sleep(0.4)"
subprocess.run([sys.executable, "-c", code], check=True)
"""


def test_peak_rss_counts_a_grandchild():
    """The 64 MiB are held by a child of the measured command (as workers are by a scan)."""
    result = run([sys.executable, "-c", CHILD_HOLDS_64_MIB])
    assert result.returncode == 0, result.stderr
    assert result.peak_rss >= 64 << 20


def test_a_sample_reads_only_the_tree(monkeypatch):
    """A process is read once to learn its parent; later samples read only the tree's own."""
    import measure  # noqa: PLC0415

    reads: list[int] = []
    real_stat = measure._stat
    monkeypatch.setattr(measure, "_stat", lambda pid: reads.append(pid) or real_stat(pid))
    sample = TreeRss(1 << 30)  # no such process: the tree ends up empty
    assert sample() == 0
    first = len(reads)
    assert first >= 2  # this test's own process at least, and the missing root
    reads.clear()
    assert sample() == 0
    assert len(reads) <= 2  # only processes started since (usually none)
