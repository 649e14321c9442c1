"""Report writers. They read only the store, never the evidence, and write each file atomically."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from triage import __version__
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


def write_reports(store: DeviceStore, out: Path, complete: bool = True) -> dict:
    """Every per-device output from the store; returns the summary."""
    summary = summarize(store, complete)
    summary["outputs"] = {
        "files.csv": write_files_csv(store, out / "files.csv"),
        "hashes.txt": write_hashdeep(store, out / "hashes.txt", str(out.resolve())),
        "bodyfile.txt": write_bodyfile(store, out / "bodyfile.txt"),
        "files.dfxml": write_dfxml(store, out / "files.dfxml", __version__),
    }
    summary["outputs"].update(write_record_csvs(store, out))
    summary["outputs"]["timeline.csv"] = write_timeline(store, out)
    write_json(store, summary, out / "report.json")
    write_html(store, summary, out / "report.html")
    log.info("reports written to %s", out)
    return summary
