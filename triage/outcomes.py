"""How a device's scan ended, in one vocabulary for batch.json, case.json, case.html and the CLI.

A device of a case is in exactly one of these states:

- ``done``: scanned to the end, nothing unreadable;
- ``done with problems``: scanned to the end, some items could not be read (its problems table);
- ``failed``: could not be scanned at all (the reason says why: not evidence, missing segment...);
- ``interrupted``: a scan started and did not finish (a rerun resumes it);
- ``not scanned``: never attempted.

Whether an earlier output folder may be reused is decided here too: a finished device is kept
only when it was scanned with the options asked for now (:func:`changed_options`), and a folder
left by a failed scan never blocks the rerun (:func:`last_run_status`).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

DONE = "done"
DONE_WITH_PROBLEMS = "done with problems"
FAILED = "failed"
INTERRUPTED = "interrupted"
NOT_SCANNED = "not scanned"
STATES = (DONE, DONE_WITH_PROBLEMS, FAILED, INTERRUPTED, NOT_SCANNED)

# Scan options that change what a report holds (jobs and resume only change how it is made).
RESULT_OPTIONS = (
    "algorithms",
    "hash_files",
    "hash_evidence",
    "type_files",
    "extract",
    "profile",
    "hashsets",
    "country",
    "hide_known_good",
    "vss",
)
# What a result option was before it was recorded (a report of an older triage lacks it).
OPTION_DEFAULTS: dict[str, Any] = {"vss": True}


def read_report(output: Path) -> dict[str, Any] | None:
    """A device folder's report.json, or None when absent or unreadable."""
    try:
        return json.loads((output / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def report_state(report: dict[str, Any]) -> str:
    """The state a report.json stands for."""
    if not report.get("complete"):
        return INTERRUPTED
    errors = (report.get("problem_counts") or {}).get("error") or 0
    return DONE_WITH_PROBLEMS if errors else DONE


def result_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """The options of a run that change its results (see RESULT_OPTIONS)."""
    options = options or {}
    return {key: options.get(key) for key in RESULT_OPTIONS if key in options}


def recorded_options(report: dict[str, Any]) -> dict[str, Any] | None:
    """The result options of the last run in a report.json (None when not recorded)."""
    runs = report.get("runs") or []
    if not runs or not isinstance(runs[-1].get("options"), dict):
        return None
    return result_options(runs[-1]["options"])


def changed_options(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Which result options differ, in words: ``hashsets: [] -> ['bad.txt:known-bad']``."""
    changes = []
    for key in RESULT_OPTIONS:
        old, new = before.get(key, OPTION_DEFAULTS.get(key)), now.get(key)
        if isinstance(old, list) or isinstance(new, list):
            old, new = list(old or []), list(new or [])
        if old != new:
            changes.append(f"{key}: {old!r} -> {new!r}")
    return changes


def last_run_status(output: Path) -> str | None:
    """The status of the last scan recorded in a device folder's store (None without one)."""
    store = output / "triage.sqlite"
    if not store.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return str(row[0]) if row and row[0] else None
