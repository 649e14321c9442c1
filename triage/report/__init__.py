"""Report writers. They read only the store, never the evidence, and write each file atomically."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from triage import __version__
from triage.hashing import default_jobs, worker_context
from triage.names import shown
from triage.report.file_listing import write_bodyfile, write_dfxml, write_files_csv, write_hashdeep
from triage.report.html import write_html
from triage.report.output import atomic_text
from triage.report.record_outputs import write_record_csvs, write_timeline
from triage.report.summary import summarize
from triage.store import DeviceStore

log = logging.getLogger(__name__)


def write_json(store: DeviceStore, summary: dict, path: Path) -> None:
    """``report.json``: the summary plus every record, streamed table by table."""
    with atomic_text(path, newline="\n") as handle:
        head = json.dumps(summary, indent=1, sort_keys=True, default=str, ensure_ascii=False)
        handle.write(head[:-1].rstrip() + ',\n "artifacts": {')
        for index, table in enumerate(sorted(store.record_tables())):
            handle.write(("," if index else "") + f"\n  {json.dumps(table)}: [")
            for row_index, row in enumerate(store.records(table)):
                record = {key: row[key] for key in row.keys() if key != "rowid"}  # noqa: SIM118 - Row iterates values
                handle.write(
                    ("," if row_index else "")
                    + "\n   "
                    + json.dumps(record, sort_keys=True, ensure_ascii=False)
                )
            handle.write("\n  ]")
        handle.write("\n }\n}\n")


LISTINGS = ("files.csv", "hashes.txt", "bodyfile.txt", "files.dfxml")
LISTINGS_BY_COST = ("files.dfxml", "bodyfile.txt", "files.csv", "hashes.txt")  # dearest first
# From this many walked entries, the file listings are written by other processes while this
# one writes the rest: at a million files each listing takes 6-19 s of one core.
PARALLEL_LISTING_ENTRIES = 100_000


def write_listing(store: DeviceStore, out: Path, name: str) -> int:
    """One of the file listings (:data:`LISTINGS`) into ``out``; returns its row count."""
    if name == "files.csv":
        return write_files_csv(store, out / name)
    if name == "hashes.txt":
        return write_hashdeep(store, out / name, shown(str(out.resolve())))
    if name == "bodyfile.txt":
        return write_bodyfile(store, out / name)
    if name == "files.dfxml":
        return write_dfxml(store, out / name, __version__)
    raise ValueError(f"unknown listing {name}")


def _listing_in_process(store_path: Path, out: Path, name: str) -> int:
    store = DeviceStore(store_path, read_only=True)
    try:
        return write_listing(store, out, name)
    finally:
        store.close()


def _count(value: Future | int) -> int:
    """A listing's row count, waiting for its worker when it has one."""
    return value.result() if isinstance(value, Future) else value


def write_reports(
    store: DeviceStore, out: Path, complete: bool = True, jobs: int | None = None
) -> dict:
    """Every per-device output from the store; returns the summary.

    On a large device the four file listings go to up to ``jobs`` worker processes (default:
    every core; reading the store read-only) while this process writes the record CSVs, the
    timeline, JSON and HTML. A daemonic process (a Dask worker) cannot start any: it writes
    them itself.
    """
    entries = int(store.scalar("SELECT count(*) FROM files") or 0)
    workers = min(len(LISTINGS), jobs or default_jobs())
    if entries < PARALLEL_LISTING_ENTRIES or multiprocessing.current_process().daemon:
        workers = 1
    with (
        ProcessPoolExecutor(workers, mp_context=worker_context())
        if workers > 1
        else contextlib.nullcontext()
    ) as pool:
        listings: dict[str, Future | int] = {}
        if pool is not None:
            for name in LISTINGS_BY_COST:
                listings[name] = pool.submit(_listing_in_process, store.path, out, name)
        summary = summarize(store, complete)
        if pool is None:
            listings = {name: write_listing(store, out, name) for name in LISTINGS}
        outputs = write_record_csvs(store, out)
        outputs["timeline.csv"] = write_timeline(store, out)
        summary["outputs"] = {name: _count(listings[name]) for name in LISTINGS} | outputs
    write_json(store, summary, out / "report.json")
    write_html(store, summary, out / "report.html")
    log.info("reports written to %s", out)
    return summary
