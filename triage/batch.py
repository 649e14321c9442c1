"""``triage batch``: every device of a case scanned in parallel, then the case correlated.

Devices run in a local process pool, or on a Dask distributed cluster when a scheduler address is
given (evidence and OUT on storage every worker sees). A rerun is resumable: a device whose
report says it is complete is skipped, one with a store but no complete report is resumed, and
a device whose scan failed is retried.

The case outputs sit in OUT (``case.json``, ``case.html``, ``links.csv``, ``contacts.csv``,
``episodes.csv``); timing and per-run status go to ``batch.json`` so that ``case.json`` depends
only on the evidence and is identical whichever scheduler ran the scans.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from triage import __version__
from triage.case import Case, CaseDevice
from triage.config import ScanConfig
from triage.correlate import DeviceStoreRef, correlate, dumps, window_text
from triage.errors import TriageError
from triage.hashing import default_jobs
from triage.names import shown, storable
from triage.report.output import atomic_text, write_csv

log = logging.getLogger(__name__)
# contacts.csv: one row per likely victim (external number or remote ID), for investigators.
CONTACT_COLUMNS = (
    "kind",
    "tool",
    "identifier",
    "country",
    "first_contact",
    "last_contact",
    "devices",
    "count",
    "outgoing",
    "total_duration_s",
    "names",
)

CASE_FORMAT = "1.0"


@dataclass(frozen=True)
class DeviceOutcome:
    """How one device's scan ended (picklable: it travels back from workers)."""

    name: str
    status: str  # done, done with problems, skipped, failed
    errors: int = 0
    message: str | None = None
    seconds: float = 0.0


def _finished(output: Path) -> bool:
    report = output / "report.json"
    if not report.is_file():
        return False
    try:
        return bool(json.loads(report.read_text(encoding="utf-8")).get("complete"))
    except (OSError, ValueError):
        return False


def plan_config(device: CaseDevice, out: Path, template: ScanConfig) -> tuple[ScanConfig, bool]:
    """The scan config of one device, and whether it is already finished."""
    output = out / device.name
    finished = _finished(output)
    resume = (output / "triage.sqlite").is_file() and not finished
    config = replace(
        template,
        evidence=device.evidence,
        output=output,
        name=device.name,
        profile=device.profile if device.profile != "auto" else template.profile,
        country=device.country or template.country,
        password=device.password or template.password,
        resume=resume,
        force=not resume and output.exists(),
    )
    return config, finished


def scan_one(config: ScanConfig) -> DeviceOutcome:
    """Scan one device; never raises (the batch goes on), the outcome says what happened."""
    from triage.pipeline import scan_device  # noqa: PLC0415 - imported in the worker

    started = time.monotonic()
    if multiprocessing.current_process().daemon and config.jobs > 1:
        config = replace(config, jobs=1)  # daemonic workers (Dask) cannot start a pool
    try:
        result = scan_device(config)
    except TriageError as error:
        return DeviceOutcome(config.name, "failed", 1, str(error), time.monotonic() - started)
    except Exception as error:  # noqa: BLE001 - one device must not stop the case
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return DeviceOutcome(config.name, "failed", 1, detail, time.monotonic() - started)
    return DeviceOutcome(
        config.name, result.status, result.errors, None, time.monotonic() - started
    )


def run_scans(
    configs: list[ScanConfig],
    parallel: int,
    scheduler: str | None,
    on_done: Callable[[DeviceOutcome], None],
) -> list[DeviceOutcome]:
    """Run device scans locally or on Dask; outcomes in device order."""
    outcomes: dict[str, DeviceOutcome] = {}
    if not configs:
        return []
    if scheduler:
        from distributed import Client  # noqa: PLC0415 - optional dependency

        with Client(scheduler) as client:
            futures = client.map(
                scan_one, configs, pure=False, key=[f"triage-{config.name}" for config in configs]
            )
            for config, outcome in zip(configs, client.gather(futures), strict=True):
                outcomes[config.name] = outcome
                on_done(outcome)
    elif parallel <= 1:
        for config in configs:
            outcomes[config.name] = scan_one(config)
            on_done(outcomes[config.name])
    else:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=parallel, mp_context=context) as pool:
            futures = {pool.submit(scan_one, config): config for config in configs}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[outcome.name] = outcome
                on_done(outcome)
    return [outcomes[config.name] for config in configs]


def run_batch(
    case: Case,
    out: Path,
    template: ScanConfig,
    *,
    parallel: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[DeviceOutcome], None] | None = None,
) -> dict[str, Any]:
    """Scan every device of a case into OUT/<device>/ and write the case outputs."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    cores = default_jobs()  # the cores this process may use, as -j counts them
    parallel = max(1, min(parallel or cores, len(case.devices)))
    jobs = max(1, template.jobs // parallel) if not scheduler else template.jobs
    outcomes: list[DeviceOutcome] = []
    todo: list[ScanConfig] = []
    for device in case.devices:
        config, finished = plan_config(device, out, replace(template, jobs=jobs))
        if finished:
            outcomes.append(DeviceOutcome(device.name, "skipped", 0, "finished in an earlier run"))
        else:
            todo.append(config)
    outcomes.extend(run_scans(todo, parallel, scheduler, on_done or (lambda outcome: None)))
    order = {device.name: index for index, device in enumerate(case.devices)}
    outcomes.sort(key=lambda outcome: order[outcome.name])
    summary = write_case(case, out)
    batch = {
        "tool": {"name": "triage", "version": __version__},
        "case": shown(case.name),
        "started": started,
        "seconds": round(time.time() - started, 3),
        "scheduler": scheduler or f"local pool of {parallel}",
        "devices": [
            {
                key: storable(value) if isinstance(value, str) else value
                for key, value in outcome.__dict__.items()
            }
            for outcome in outcomes
        ],
    }
    with atomic_text(out / "batch.json", newline="\n") as handle:
        handle.write(dumps(batch))
    summary["outcomes"] = outcomes
    return summary


def _device_summary(device: CaseDevice, out: Path) -> dict[str, Any]:
    output = out / device.name
    entry: dict[str, Any] = {
        "name": device.name,
        "evidence": shown(device.evidence.name),
        "report": f"{device.name}/report.html",
    }
    report_path = output / "report.json"
    if not report_path.is_file():
        entry["status"] = "not scanned"
        return entry
    report = json.loads(report_path.read_text(encoding="utf-8"))
    entry["status"] = "complete" if report.get("complete") else "incomplete"
    entry["profile"] = (report.get("profile") or {}).get("name")
    entry["verification"] = (report.get("evidence") or {}).get("verification")
    entry["counts"] = {
        key: report.get("counts", {}).get(key) for key in ("files", "deleted", "bytes")
    }
    entry["records"] = report.get("records", {})
    entry["problems"] = report.get("problem_counts", {})
    entry["identity"] = report.get("identity") or _identity(output)
    entry["what"] = describe_device(entry["identity"], report.get("findings") or {})
    return entry


def describe_device(identity: dict[str, Any], findings: dict[str, Any]) -> str:
    """One line saying what a device is: kind, name and model, or a router's name."""
    if identity.get("kind"):
        parts = [identity["kind"], identity.get("name") or ""]
        if identity.get("model"):
            parts.append(f"({identity['model']})")
        return " ".join(part for part in parts if part)
    router = (findings.get("router") or {}).get("identity") or {}
    if router:
        names = ", ".join(router.get("hostname") or [])
        firmware = ", ".join(router.get("firmware") or [])
        return " ".join(
            part for part in ("router", names, f"({firmware})" if firmware else "") if part
        )
    return "unknown"


def _identity(output: Path) -> dict[str, Any]:
    from triage.identity import device_identity  # noqa: PLC0415
    from triage.store import DeviceStore  # noqa: PLC0415

    store_path = output / "triage.sqlite"
    if not store_path.is_file():
        return {}
    store = DeviceStore(store_path)
    try:
        return device_identity(store)
    finally:
        store.close()


def write_case(case: Case, out: Path) -> dict[str, Any]:
    """Correlate the scanned devices and write case.json, case.html and the CSVs."""
    devices = [_device_summary(device, out) for device in case.devices]
    refs = [
        DeviceStoreRef(device.name, out / device.name / "triage.sqlite") for device in case.devices
    ]
    found = correlate(out / "case.sqlite", refs)
    case_data = {
        "format": CASE_FORMAT,
        "case": shown(case.name),
        "devices": devices,
        "skipped_items": [
            {"item": shown(item), "why": storable(why)} for item, why in case.skipped
        ],
        "episode_window": window_text(),
        **found,
    }
    with atomic_text(out / "case.json", newline="\n") as handle:
        handle.write(dumps(case_data))
    write_csv(
        out / "links.csv",
        ("kind", "tool", "value", "devices", "detail"),
        _link_rows(found["links"]),
    )
    write_csv(
        out / "contacts.csv",
        CONTACT_COLUMNS,
        (
            [
                contact[key] if not isinstance(contact[key], list) else "; ".join(contact[key])
                for key in CONTACT_COLUMNS
            ]
            for contact in found["contacts"]
        ),
    )
    episode_keys = (
        "call_device",
        "number",
        "call_direction",
        "call_start",
        "call_duration_s",
        "session_device",
        "tool",
        "remote_id",
        "remote_alias",
        "session_start",
        "minutes_after_call_start",
    )
    write_csv(
        out / "episodes.csv",
        episode_keys,
        ([episode[key] for key in episode_keys] for episode in found["episodes"]),
    )
    from triage.report.case_html import write_case_html  # noqa: PLC0415

    write_case_html(case_data, out / "case.html")
    return case_data


def _link_rows(links: dict[str, list[dict[str, Any]]]):
    for kind, entries in links.items():
        for entry in entries:
            detail = {
                key: value
                for key, value in entry.items()
                if key not in ("value", "devices", "tool")
            }
            yield (
                kind,
                entry.get("tool") or (entry.get("kind") if kind == "hosts" else ""),
                entry["value"],
                "; ".join(entry["devices"]),
                json.dumps(detail, sort_keys=True, ensure_ascii=False),
            )
