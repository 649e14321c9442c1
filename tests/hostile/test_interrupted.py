"""Promise 5: an interrupted scan never leaves a report that looks finished, and ``--resume``
finishes it to exactly the result of an uninterrupted scan.

``python -m triage scan`` runs in a subprocess through :mod:`tests.hostile.paused_scan`, which
stops it at a chosen point (mid-walk, mid-hash, after an extractor's first committed record,
halfway through writing ``report.json``); the test then kills it with SIGKILL or interrupts it
with SIGINT. Afterwards: SIGINT exits with status 130; ``report.json`` is absent or says
``"complete": false`` and no half-written report file is left; ``triage scan --resume -o``
the same folder exits 0 and gives the same files, digests, records, problems and CSV files as
a scan that was never interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from tests.hostile.devices import file_digests, laptop_tree, record_tables, store_rows
from triage.cli import main

PAUSED_SCAN = Path(__file__).resolve().parent / "paused_scan.py"
OPTIONS = ["--profile", "generic", "--country", "US", "--jobs", "1", "--no-progress"]


@pytest.fixture(scope="module")
def laptop(tmp_path_factory) -> Path:
    return laptop_tree(tmp_path_factory.mktemp("interrupted") / "laptop")


@pytest.fixture(scope="module")
def uninterrupted(laptop, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("uninterrupted") / "out"
    result = CliRunner().invoke(main, ["scan", str(laptop), "-o", str(out), *OPTIONS])
    assert result.exit_code == 0, result.output
    return out


def final_state(out: Path) -> dict:
    """Everything a finished scan's result consists of, without run times and run history."""
    store = out / "triage.sqlite"
    report = without_run_times(json.loads((out / "report.json").read_text(encoding="utf-8")))
    report.pop("runs", None)
    csvs = {path.name: path.read_bytes() for path in sorted(out.glob("*.csv"))}
    return {
        "files": file_digests(store),
        "records": record_tables(store),
        "problems": Counter(
            (p["stage"], p["severity"], p["message"], p["path"])
            for p in store_rows(store, "SELECT * FROM problems")
        ),
        "extractors": store_rows(
            store, "SELECT name, files, records, status, error FROM extractor_runs ORDER BY name"
        ),
        "evidence": store_rows(
            store, "SELECT kind, format, md5, sha256, verification FROM evidence"
        ),
        "report": report,
        "csv": csvs,
    }


def without_run_times(value):
    """A report with every per-run timing removed (they differ between any two runs)."""
    if isinstance(value, dict):
        return {
            key: without_run_times(item)
            for key, item in value.items()
            if key not in ("seconds", "generated", "started", "finished")
        }
    if isinstance(value, list):
        return [without_run_times(item) for item in value]
    return value


def interrupt(laptop: Path, out: Path, point: str, how: signal.Signals, *extra: str) -> int:
    marker = out.parent / f"paused-{point.replace(':', '-')}"
    process = subprocess.Popen(
        [sys.executable, str(PAUSED_SCAN), point, str(marker), "scan", str(laptop), "-o",
         str(out), *OPTIONS, *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, stderr = process.communicate()
            pytest.fail(f"scan never reached {point}: {stderr.decode()[-2000:]}")
        time.sleep(0.02)
    process.send_signal(how)
    process.communicate(timeout=60)
    return process.returncode


@pytest.mark.parametrize(
    "point, how",
    [
        ("walk", signal.SIGKILL),
        ("hash", signal.SIGINT),
        ("extract:anydesk.traces", signal.SIGINT),
        ("report", signal.SIGKILL),
    ],
)
def test_killed_scan_leaves_no_finished_report_and_resume_completes_it(
    laptop, uninterrupted, tmp_path, point, how
):
    out = tmp_path / "out"
    status = interrupt(laptop, out, point, how)
    assert status == (130 if how == signal.SIGINT else -signal.SIGKILL)

    report = out / "report.json"
    assert not report.exists() or json.loads(report.read_text())["complete"] is False
    assert not (out / "report.html").exists()
    # The run's row says how it ended; killed while writing the reports, the scan itself had
    # finished (the reports are written from the store, and --resume writes them again).
    killed = "done" if point == "report" else "running"
    first_run = "interrupted" if how == signal.SIGINT else killed
    runs = store_rows(out / "triage.sqlite", "SELECT status FROM runs")
    assert runs == [{"status": first_run}]

    resumed = CliRunner().invoke(main, ["scan", str(laptop), "-o", str(out), "--resume", *OPTIONS])
    assert resumed.exit_code == 0, resumed.output
    assert [path.name for path in out.iterdir() if path.name.endswith(".part")] == []
    assert json.loads(report.read_text())["complete"] is True
    expected, got = final_state(uninterrupted), final_state(out)
    for key in expected:
        assert got[key] == expected[key], key
    statuses = [
        row["status"] for row in store_rows(out / "triage.sqlite", "SELECT status FROM runs")
    ]
    assert statuses == [first_run, "done"]


def test_resume_of_a_finished_scan_that_is_interrupted_again_drops_the_old_report(laptop, tmp_path):
    """A finished scan resumed (to add a stage) and interrupted: the old complete report no
    longer describes the store, so it must not stay behind looking finished."""
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["scan", str(laptop), "-o", str(out), *OPTIONS])
    assert first.exit_code == 0
    status = interrupt(laptop, out, "report", signal.SIGINT, "--resume")
    assert status == 130
    report = out / "report.json"
    assert not report.exists() or json.loads(report.read_text())["complete"] is False


def test_ctrl_c_during_parallel_hashing_stops_every_process_and_resume_finishes(laptop, tmp_path):
    """Ctrl-C at a terminal signals the whole process group: the scan and its hashing workers.
    The scan exits 130, no process of the group is left behind, and --resume hashes the rest."""
    evidence = tmp_path / "laptop"
    shutil.copytree(laptop, evidence)
    size = 32 << 20
    for index in range(3):
        with open(evidence / f"big{index}.bin", "wb") as handle:
            handle.truncate(size)  # sparse: no disk space, reads as zeros
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "triage", "scan", str(evidence), "-o", str(out),
         "--jobs", "2", "--no-progress"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not hashing_started(out / "triage.sqlite"):
        assert process.poll() is None and time.monotonic() < deadline, "hashing never started"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()[-2000:]
    assert "triage: interrupted" in stderr.decode()
    assert group_ends(process.pid, seconds=15), "a process of the scan outlived it"
    assert not (out / "report.json").exists()

    resumed = CliRunner().invoke(
        main, ["scan", str(evidence), "-o", str(out), "--resume", "--jobs", "2", "--no-progress"]
    )
    assert resumed.exit_code == 0, resumed.output
    zeros = hashlib.sha256(bytes(size)).hexdigest()
    files = {row["path"]: row for row in store_rows(out / "triage.sqlite", "SELECT * FROM files")}
    assert [files[f"/big{index}.bin"]["sha256"] for index in range(3)] == [zeros] * 3
    assert all(row["hashed"] for row in files.values() if row["kind"] == "file")


def hashing_started(store: Path) -> bool:
    if not store.exists():
        return False
    try:
        return bool(store_rows(store, "SELECT name FROM stages WHERE name = 'hash'"))
    except sqlite3.Error:
        return False


def group_ends(group: int, seconds: float) -> bool:
    """Whether every process of a process group is gone within ``seconds`` (workers that exited
    stay as zombies until the multiprocessing fork server reaps them, a moment later)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False
