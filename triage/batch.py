"""``triage batch``: every device of a case scanned in parallel, then the case correlated.

Devices run in a local process pool, or on a Dask distributed cluster when a scheduler address is
given (evidence and OUT on storage every worker sees). A rerun is resumable: a device whose
report says it is complete is skipped when it was scanned with the same result options (else it
is rescanned, and the outcome says which options changed; ``force`` rescans every device), one
with a store but no complete report is resumed, and a device whose scan failed is scanned afresh.
Device states use one vocabulary (:mod:`triage.outcomes`) in batch.json, case.json and the page.

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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage import __version__
from triage import outcomes as states
from triage.batch_plan import DevicePlan, check_case_output, device_states, plan_device
from triage.case import Case, CaseDevice
from triage.config import ScanConfig
from triage.correlate import DeviceStoreRef, correlate, dumps, window_rule, window_text
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
    "incoming",
    "other",
    "total_duration_s",
    "names",
    "region_assumed",
    "flag",
)
# episodes.csv: one row per call and the remote-access session that followed it.
EPISODE_COLUMNS = (
    "episode",
    "call_device",
    "number",
    "call_direction",
    "call_start",
    "call_end",
    "call_duration_s",
    "session_device",
    "tool",
    "remote_id",
    "remote_alias",
    "session_start",
    "minutes_after_call_end",
    "during_call",
    "sessions_after_this_call",
    "call_source",
    "session_source",
)
# links.csv: one row per value seen on several devices; the detail in columns of its own.
LINK_COLUMNS = (
    "kind",
    "tool",
    "value",
    "devices",
    "rank",
    "common",
    "summary",
    "records",
    "first",
    "last",
    "size",
    "paths",
)

CASE_FORMAT = "1.1"
LIST_SEPARATOR = "; "  # the one separator of lists in CSV cells


@dataclass(frozen=True)
class DeviceOutcome:
    """How one device's scan ended (picklable: it travels back from workers)."""

    name: str
    status: str  # triage.outcomes.STATES: done, done with problems, failed, interrupted
    errors: int = 0
    message: str | None = None  # why it failed
    seconds: float = 0.0
    this_run: str = "scanned"  # scanned, resumed, rescanned (options changed), already done
    verification: str | None = None


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
        keys=device.keys + template.keys,  # the device's own first, then the case's
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
        return DeviceOutcome(config.name, states.FAILED, 1, str(error), time.monotonic() - started)
    except Exception as error:  # noqa: BLE001 - one device must not stop the case
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return DeviceOutcome(config.name, states.FAILED, 1, detail, time.monotonic() - started)
    return DeviceOutcome(
        config.name,
        result.status,
        result.errors,
        None,
        time.monotonic() - started,
        verification=result.verification,
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
    force: bool = False,
    on_plan: Callable[[list[DeviceOutcome], int], None] | None = None,
) -> dict[str, Any]:
    """Scan every device of a case into OUT/<device>/ and write the case outputs.

    ``on_plan`` hears, before any scan, the devices kept from an earlier run and how many are
    to be scanned; ``on_done`` each scan's outcome as it ends; ``force`` rescans every device.
    """
    check_case_output(out, case.source)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    template = case_template(case, template)
    cores = default_jobs()  # the cores this process may use, as -j counts them
    parallel = max(1, min(parallel or cores, len(case.devices)))
    jobs = max(1, template.jobs // parallel) if not scheduler else template.jobs
    outcomes: list[DeviceOutcome] = []
    todo: list[ScanConfig] = []
    runs: dict[str, str] = {}
    for device in case.devices:
        plan = plan_device(
            *plan_config(device, out, replace(template, jobs=jobs, case=case.name)), force
        )
        runs[device.name] = plan.this_run
        if plan.keep:
            outcomes.append(kept_outcome(device.name, plan))
        else:
            todo.append(plan.config)
    if on_plan:
        on_plan(list(outcomes), len(todo))

    def finished(outcome: DeviceOutcome) -> None:
        if on_done:
            on_done(replace(outcome, this_run=runs[outcome.name]))

    scanned = run_scans(todo, parallel, scheduler, finished)
    outcomes.extend(replace(outcome, this_run=runs[outcome.name]) for outcome in scanned)
    order = {device.name: index for index, device in enumerate(case.devices)}
    outcomes.sort(key=lambda outcome: order[outcome.name])
    summary = write_case(case, out, failures=failures(outcomes))
    batch = {
        "format": CASE_FORMAT,
        "tool": {"name": "triage", "version": __version__},
        "case": shown(case.name),
        "started": datetime.fromtimestamp(started, UTC).isoformat().replace("+00:00", "Z"),
        "seconds": round(time.time() - started, 3),
        "scheduler": scheduler or f"local pool of {parallel}",
        "devices": [
            {
                key: storable(value) if isinstance(value, str) else value
                for key, value in outcome.__dict__.items()
            }
            for outcome in outcomes
        ],
        "states": states.STATES,
    }
    with atomic_text(out / "batch.json", newline="\n") as handle:
        handle.write(dumps(batch))
    summary["outcomes"] = outcomes
    return summary


def kept_outcome(name: str, plan: DevicePlan) -> DeviceOutcome:
    """The outcome of a device kept from an earlier run, in the states of its report."""
    report = states.read_report(plan.config.output) or {}
    return DeviceOutcome(
        name,
        states.report_state(report),
        (report.get("problem_counts") or {}).get("error") or 0,
        None,
        0.0,
        plan.this_run,
        (report.get("evidence") or {}).get("verification"),
    )


def failures(outcomes: list[DeviceOutcome]) -> dict[str, str]:
    """Device name -> why its scan failed, for case.json and case.html."""
    return {o.name: o.message or "" for o in outcomes if o.status == states.FAILED}


def case_template(case: Case, template: ScanConfig) -> ScanConfig:
    """The template with the manifest's case-wide defaults (country, hash sets, password,
    volume keys: the manifest's before those of --key/--key-file)."""
    return replace(
        template,
        country=template.country or case.country,
        hashsets=tuple(template.hashsets) + tuple(case.hashsets),
        password=template.password or case.password,
        keys=case.keys + template.keys,
    )


def _device_summary(device: CaseDevice, out: Path, failure: str | None = None) -> dict[str, Any]:
    output = out / device.name
    entry: dict[str, Any] = {"name": device.name, "evidence": shown(device.evidence.name)}
    report_path = output / "report.json"
    if failure is not None:
        entry["status"] = states.FAILED
        entry["reason"] = failure
        return entry
    if not report_path.is_file():
        interrupted = states.last_run_status(output) in ("running", states.INTERRUPTED)
        entry["status"] = states.INTERRUPTED if interrupted else states.NOT_SCANNED
        return entry
    report = json.loads(report_path.read_text(encoding="utf-8"))
    entry["status"] = states.report_state(report)
    entry["report"] = f"{device.name}/report.html"
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


def write_case(case: Case, out: Path, failures: dict[str, str] | None = None) -> dict[str, Any]:
    """Correlate the scanned devices and write case.json, case.html and the CSVs.

    ``failures`` (device -> reason) marks the devices whose scan failed in this run.
    """
    failures = failures or {}
    devices = [_device_summary(device, out, failures.get(device.name)) for device in case.devices]
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
        "device_states": device_states(devices),
        "episode_window": window_text(),
        "episode_rule": window_rule(),
        **found,
    }
    with atomic_text(out / "case.json", newline="\n") as handle:
        handle.write(dumps(case_data))
    write_case_csvs(out, found)
    from triage.report.case_html import write_case_html  # noqa: PLC0415

    write_case_html(case_data, out / "case.html")
    return case_data


def cell(value: Any) -> Any:
    """A CSV cell: lists joined with the one list separator of every triage CSV."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def write_case_csvs(out: Path, found: dict[str, Any]) -> None:
    """links.csv, contacts.csv and episodes.csv (columns documented in docs/outputs.md)."""
    write_csv(out / "links.csv", LINK_COLUMNS, _link_rows(found["links"]))
    write_csv(
        out / "contacts.csv",
        CONTACT_COLUMNS,
        ([cell(contact.get(key)) for key in CONTACT_COLUMNS] for contact in found["contacts"]),
    )
    write_csv(
        out / "episodes.csv",
        EPISODE_COLUMNS,
        ([cell(episode.get(key)) for key in EPISODE_COLUMNS] for episode in found["episodes"]),
    )


def _link_rows(links: dict[str, list[dict[str, Any]]]):
    for kind, entries in links.items():
        for entry in entries:
            row = {
                **entry,
                "kind": kind,
                "tool": entry.get("tool") or (entry.get("kind") if kind == "hosts" else ""),
                "first": entry.get("first"),
                "records": entry.get("records", entry.get("visits")),
            }
            yield [cell(row.get(column)) for column in LINK_COLUMNS]
