"""What a ``triage batch`` rerun does with each device, and which folders it may write to.

Split from :mod:`triage.batch` (which runs the scans): a device finished with the same result
options is kept, one whose options changed is rescanned and says which, ``--force`` rescans all,
an interrupted one is resumed and a failed one scanned afresh; OUT must be new, empty or an
earlier case output, never inside the case's evidence folder. The words are
:mod:`triage.outcomes`'s, the same in batch.json, case.json, case.html and on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from triage.config import ScanConfig
from triage.errors import OutputError
from triage.outcomes import (
    DONE,
    DONE_WITH_PROBLEMS,
    FAILED,
    INTERRUPTED,
    NOT_SCANNED,
    STATES,
    changed_options,
    last_run_status,
    read_report,
    recorded_options,
    result_options,
)

CASE_FILES = ("links.csv", "contacts.csv", "episodes.csv")


@dataclass(frozen=True)
class DevicePlan:
    """What a batch does with one device: scan (fresh, resumed) or keep an earlier result."""

    config: ScanConfig
    keep: bool  # finished earlier with the same options: not scanned again
    this_run: str  # words for batch.json and the console


def plan_device(config: ScanConfig, finished: bool, force: bool = False) -> DevicePlan:
    """What to do with one device (``config`` and ``finished`` from ``batch.plan_config``):
    keep a finished result scanned with the same options, rescan it when the options changed
    (or ``force``), resume an interrupted scan, and scan afresh one whose earlier scan failed."""
    if finished:
        report = read_report(config.output) or {}
        before = recorded_options(report)
        from triage.pipeline import scan_options  # noqa: PLC0415 - the pipeline is heavy

        now = result_options(scan_options(config))
        if force:
            why = "rescanned (--force)"
        elif before is None:
            return DevicePlan(
                config, True, "already done (options of that scan not recorded; --force rescans)"
            )
        elif changes := changed_options(before, now) + _new_keys(report, config):
            why = "rescanned: options changed (" + "; ".join(changes) + ")"
        elif _locked(report) and config.keys:
            return DevicePlan(
                config,
                True,
                "already done in an earlier run (a volume stayed locked with as "
                "many keys as now; --force tries them again)",
            )
        else:
            return DevicePlan(config, True, "already done in an earlier run")
        return DevicePlan(replace(config, resume=False, force=True), False, why)
    if config.resume and last_run_status(config.output) == FAILED:
        # a failed scan is never resumed: its folder is replaced by a fresh scan
        return DevicePlan(replace(config, resume=False, force=True), False, "scanned again")
    return DevicePlan(config, False, "resumed" if config.resume else "scanned")


def _locked(report: dict[str, Any]) -> bool:
    """Whether a report lists a volume that stayed locked."""
    return any(p.get("lock_state") == "locked" for p in report.get("partitions") or [])


def _new_keys(report: dict[str, Any], config: ScanConfig) -> list[str]:
    """A change of keys, in words, when it matters: the earlier scan left a volume locked and
    another number of keys is given now (only counts are recorded, never keys). Keys added
    for other devices of a case do not rescan a device that had nothing locked."""
    runs = report.get("runs") or []
    options = runs[-1].get("options") if runs else None
    before = options.get("keys", 0) if isinstance(options, dict) else 0
    if not _locked(report) or before == len(config.keys):
        return []
    return [f"keys for its locked volume: {before} -> {len(config.keys)} given"]


def check_case_output(out: Path, case_source: Path | None = None) -> None:
    """Refuse an OUT that is not empty and not a triage case, or that is inside the case folder.

    A triage case output holds case outputs (case.json, batch.json...) or device folders with a
    triage store or log; anything else means -o names someone else's folder.
    """
    if case_source is not None:
        folder = case_source.resolve() if case_source.is_dir() else case_source.resolve().parent
        resolved = out.resolve()
        if resolved == folder or folder in resolved.parents:
            raise OutputError(
                f"{out}: the case output folder is inside the case's evidence folder; triage "
                "never writes to evidence, choose another -o"
            )
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if not out.is_dir():
        return
    case_names = {"case.json", "case.html", "batch.json", "case.sqlite", *CASE_FILES}
    for item in out.iterdir():
        if item.name in case_names or item.name.startswith("."):
            continue
        if item.is_dir() and (
            (item / "triage.sqlite").is_file() or (item / "triage.log").is_file()
        ):
            continue
        if item.is_dir() and not any(item.iterdir()):
            continue
        raise OutputError(
            f"{out}: output folder is not empty and is not a triage case output "
            f"({item.name!r} is not triage's); choose another -o"
        )


def device_states(devices: list[dict[str, Any]]) -> dict[str, Any]:
    """How many devices are in each state, and the header line: ``7 devices: 5 scanned, 2
    failed`` (scanned counts done and done with problems)."""
    counts = {state: 0 for state in STATES}
    for device in devices:
        counts[device["status"]] = counts.get(device["status"], 0) + 1
    scanned = counts[DONE] + counts[DONE_WITH_PROBLEMS]
    parts = [f"{scanned} scanned"]
    parts += [
        f"{counts[state]} {state}" for state in (FAILED, INTERRUPTED, NOT_SCANNED) if counts[state]
    ]
    total = len(devices)
    noun = "device" if total == 1 else "devices"
    return {"counts": counts, "text": f"{total} {noun}: {', '.join(parts)}"}
