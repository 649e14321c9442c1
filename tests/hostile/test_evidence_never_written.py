"""Promise 1: evidence is never written, whatever its kind.

One case holds a device of every kind triage reads (raw, split raw, E01, folder, tar, tar.gz,
zip, iTunes backup), each with artifacts planted so every extractor family reads something,
SQLite databases included. After a full scan with every extractor:

* every file of the evidence has the same bytes, size, mode, modification and change times, and
  (for folder evidence, where the files are the evidence) the same access times;
* nothing in the scanning process opened a path of the evidence for writing, connected SQLite to
  it read-write, or called utime/chmod/unlink/rename... on it;
* under strace, no process of the scan (hashing workers included, and the C libraries: TSK,
  libewf, libmagic, SQLite) made a system call that could change the evidence;
* a read-only view of the same case (read-only bind mount, or a copy without write bits when
  mounting is not allowed) scans to exactly the same files, digests and records.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.hostile.devices import (
    EvidenceItem,
    age_access_times,
    build_case,
    file_digests,
    record_tables,
    snapshot,
    store_rows,
)
from tests.hostile.guards import WriteAttempts, read_only_view, strace_command, strace_writes
from triage.batch import run_batch
from triage.case import load_case
from triage.config import ScanConfig


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[EvidenceItem]]:
    """The all-kinds case, with every access time set back to 2020 (see age_access_times)."""
    base = tmp_path_factory.mktemp("all-kinds")
    items = build_case(base / "case", base / "work")
    age_access_times(base / "case")
    return base / "case", items


def batch_in_process(case_folder: Path, out: Path) -> dict:
    template = ScanConfig(
        evidence=case_folder, output=out, name="template", jobs=1, profile="generic", country="US"
    )
    return run_batch(load_case(case_folder), out, template, parallel=1)


@pytest.fixture(scope="module")
def writable_scan(case, tmp_path_factory):
    """The case scanned in this process while every write entry point is watched."""
    folder, items = case
    before = snapshot(folder)
    out = tmp_path_factory.mktemp("writable-out")
    with pytest.MonkeyPatch.context() as monkeypatch:
        watcher = WriteAttempts(folder).install(monkeypatch)
        summary = batch_in_process(folder, out)
    return before, snapshot(folder), watcher.attempts, summary, out


def test_every_kind_is_scanned_with_its_artifacts(case, writable_scan):
    """The scan really read each device: records from each planted family, no problem."""
    _, items = case
    *_, summary, out = writable_scan
    assert {item.kind for item in items} == {
        "raw", "split raw", "E01", "directory", "tar", "tar.gz", "zip", "iTunes backup",
    }  # fmt: skip
    assert {o.name: o.status for o in summary["outcomes"]} == {
        item.name: "done with problems" if item.problems else "done" for item in items
    }
    for item in items:
        tables = record_tables(out / item.name / "triage.sqlite")
        counts = {table: len(rows) for table, rows in tables.items()}
        for table, least in item.records.items():
            assert counts.get(table, 0) >= least, (item.name, table, counts)
        problems = store_rows(out / item.name / "triage.sqlite", "SELECT path FROM problems")
        assert tuple(problem["path"] for problem in problems) == item.problems


def test_no_byte_or_time_of_any_evidence_changes(case, writable_scan):
    folder, items = case
    before, after, *_ = writable_scan
    assert len(before) > 50
    assert set(after) == set(before)
    changed = {
        path: (before[path], after[path])
        for path in before
        if (before[path].sha256, before[path].size, before[path].mode, before[path].mtime_ns)
        != (after[path].sha256, after[path].size, after[path].mode, after[path].mtime_ns)
        or before[path].ctime_ns != after[path].ctime_ns
    }
    assert changed == {}
    # Access times are kept too: of image segments and archives (opened with O_NOATIME), and of
    # every file and folder of folder evidence. Left out: a single-file raw image, whose file
    # contents TSK reads through its own native open for speed (about 6x cheaper per MB than
    # through Python); a symbolic link's own atime, which changes when it is read; the iTunes
    # Manifest.db, read by SQLite, which cannot be asked not to; and the case folder itself,
    # listed to find the devices.
    raw_images = {f"{folder.name}/{item.path.name}" for item in items if item.kind == "raw"}
    touched = sorted(
        path
        for path, state in before.items()
        if path != folder.name
        and path not in raw_images
        and state.kind in ("file", "dir")
        and not path.endswith("/Manifest.db")
        and after[path].atime_ns != state.atime_ns
    )
    assert touched == []
    kinds = {item.kind for item in items}
    assert {"split raw", "E01", "zip", "tar", "tar.gz"} <= kinds and len(raw_images) == 1


def test_nothing_in_the_process_tried_to_write_the_evidence(writable_scan):
    *_, attempts, _, _ = writable_scan
    assert attempts == []


def test_a_read_only_view_scans_the_same_and_no_process_attempts_a_write(
    case, writable_scan, tmp_path
):
    """The CLI in a subprocess (hashing in two worker processes) under strace, on a view of the
    case the kernel refuses to write: same files, digests and records as the writable scan."""
    folder, items = case
    *_, writable_out = writable_scan
    log = tmp_path / "strace.log"
    prefix = strace_command(log) or []
    out = tmp_path / "out"
    with read_only_view(folder, tmp_path / "ro") as how:
        view = tmp_path / "ro"
        before = snapshot(view)
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "triage", "batch", str(view), "-o", str(out),
             "--parallel", "1", "--jobs", "2", "--profile", "generic", "--country", "US",
             "--no-progress"],
            capture_output=True, text=True, cwd=REPO, check=False, timeout=120,
        )  # fmt: skip
        assert result.returncode == 3, (how, result.stderr[-3000:])  # 3: the planted problems
        assert {path: state.sha256 for path, state in snapshot(view).items()} == {
            path: state.sha256 for path, state in before.items()
        }
        if prefix:
            assert strace_writes(log, view) == []
    for item in items:
        ours, theirs = out / item.name / "triage.sqlite", writable_out / item.name / "triage.sqlite"
        assert file_digests(ours) == file_digests(theirs), item.name
        assert record_tables(ours) == record_tables(theirs), item.name
    if not prefix:
        pytest.skip(f"scanned a {how}; strace is not usable here, so C-level opens were not seen")


def test_the_watchers_see_writes(tmp_path, monkeypatch):
    """The recorders above are not blind: each kind of write to the evidence is caught."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "a.db").write_bytes(b"")
    watcher = WriteAttempts(evidence).install(monkeypatch)
    with open(evidence / "a.db", "r+b"):
        pass
    os.close(os.open(evidence / "a.db", os.O_RDWR))
    sqlite3.connect(evidence / "a.db").close()
    sqlite3.connect(f"file:{evidence / 'a.db'}?mode=ro", uri=True).close()  # read-only: fine
    os.utime(evidence / "a.db")
    with open(tmp_path / "elsewhere.txt", "w"):  # outside the evidence: fine
        pass
    monkeypatch.undo()
    assert [attempt.split("(")[0] for attempt in watcher.attempts] == [
        "open", "os.open", "sqlite3.connect", "os.utime",
    ]  # fmt: skip
    log = tmp_path / "strace.log"
    log.write_text(
        f'123 openat(AT_FDCWD, "{evidence}/a.db", O_RDONLY|O_CLOEXEC) = 3</x>\n'
        f'123 openat(AT_FDCWD, "{evidence}/a.db", O_RDWR|O_CLOEXEC) = 3\n'
        f'124 utimensat(AT_FDCWD, "{evidence}/a.db", NULL, 0) = 0\n'
        f"124 fchmod(5<{evidence}/a.db>, 0644) = 0\n"
        f'125 openat(AT_FDCWD, "{tmp_path}/out/x", O_WRONLY|O_CREAT, 0644) = 4\n',
        encoding="utf-8",
    )
    assert [line.split()[1].split("(")[0] for line in strace_writes(log, evidence)] == [
        "openat", "utimensat", "fchmod",
    ]  # fmt: skip
