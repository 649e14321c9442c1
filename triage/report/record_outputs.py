"""One CSV per record kind, and the timeline of every timestamped record (CSV and JSONL).

The timeline reads each record table's ``timeline`` fields and ``message`` template from its
record type, so a new record kind appears in the timeline without changes here. The JSONL rows
carry Timesketch's required ``message``, ``datetime`` and ``timestamp_desc`` fields.
"""

from __future__ import annotations

import dataclasses
import heapq
import importlib
import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from triage.report.output import atomic_text, write_csv
from triage.store import DeviceStore, record_columns

# Record tables whose CSV names the issues fixed; every other table writes <table>.csv.
CSV_NAMES = {
    "browser_visits": "browser_history.csv",
    "remote_access_events": "remote_access.csv",
    "remote_access_sessions": "remote_sessions.csv",
}
TIMELINE_COLUMNS = (
    "datetime",
    "timestamp_desc",
    "kind",
    "message",
    "raw",
    "source_path",
    "source_partition",
    "source_inode",
    "source_sha256",
    "extractor",
    "device",
    "source_volume",  # the volume path: unlocked encryption, VSS snapshot (last: columns kept)
)
LIST_SEPARATOR = "; "  # the one separator of lists in every triage CSV cell


def csv_name(table: str) -> str:
    """The CSV file a record table is written to."""
    return CSV_NAMES.get(table, f"{table}.csv")


def record_type(dotted: str) -> type:
    """The record class a table was created from."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def write_record_csvs(store: DeviceStore, out: Path) -> dict[str, int]:
    """Every record table as CSV, columns in dataclass field order."""
    written: dict[str, int] = {}
    for table, dotted in sorted(store.record_tables().items()):
        columns = ["extractor", *record_columns(record_type(dotted))]
        quoted = ", ".join(f'"{column}"' for column in columns)
        rows = store.query(f'SELECT {quoted} FROM "{table}" ORDER BY rowid')
        lists = list_columns(record_type(dotted), columns)
        written[csv_name(table)] = write_csv(
            out / csv_name(table), columns, (_joined(tuple(row), lists) for row in rows)
        )
    return written


def list_columns(kind: type, columns: list[str]) -> set[int]:
    """Indexes of the columns holding lists (tuple or list fields, stored as JSON)."""
    listed = {
        field.name
        for field in dataclasses.fields(kind)
        if str(field.type).startswith(("tuple", "list"))
    }
    return {index for index, column in enumerate(columns) if column in listed}


def _joined(row: tuple[Any, ...], lists: set[int]) -> tuple[Any, ...]:
    """A CSV row with its list cells joined by LIST_SEPARATOR instead of JSON."""
    if not lists:
        return row
    cells = list(row)
    for index in lists:
        if isinstance(cells[index], str) and cells[index].startswith("["):
            try:
                items = json.loads(cells[index])
            except ValueError:
                continue
            cells[index] = LIST_SEPARATOR.join(str(item) for item in items)
    return tuple(cells)


def sortable(value: str) -> str:
    """A stored UTC time in a form that sorts correctly: microseconds always present."""
    return value if "." in value else value.replace("Z", ".000000Z")


def sortable_sql(column: str) -> str:
    """SQL expression equal to :func:`sortable` of a column."""
    return (
        f'CASE WHEN instr("{column}", \'.\') THEN "{column}" '
        f"ELSE replace(\"{column}\", 'Z', '.000000Z') END"
    )


class _Template(string.Formatter):
    """``message`` templates over a row; missing or NULL fields render as empty text."""

    def get_value(self, key, args, kwargs):  # noqa: D102
        value = kwargs.get(key) if isinstance(key, str) else None
        return "" if value is None else value


def _events(
    store: DeviceStore, table: str, dotted: str, field: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """One time field of one record table, in time order (one sorted stream to merge)."""
    kind = record_type(dotted)
    formatter = _Template()
    description = kind.timeline[field]
    rows = store.query(
        f'SELECT * FROM "{table}" WHERE "{field}" IS NOT NULL ORDER BY {sortable_sql(field)}, rowid'
    )
    for row in rows:
        values = dict(row)
        message = " ".join(formatter.format(kind.message, **values).split())
        recovered = bool(values.get("recovered"))
        if recovered:  # a deleted record read back from free or old pages (triage.recover)
            message = f"[deleted, recovered, {values.get('confidence')} confidence] {message}"
        yield (
            sortable(values[field]),
            {
                "datetime": values[field],
                "timestamp_desc": description,
                "kind": table,
                "message": message,
                "raw": values.get(f"{field}_raw"),
                "source_path": values.get("source_path"),
                "source_partition": values.get("source_partition"),
                "source_inode": values.get("source_inode"),
                "source_sha256": values.get("source_sha256"),
                "extractor": values.get("extractor"),
                "device": values.get("source_evidence"),
                "source_volume": values.get("source_volume"),
                **({"recovered": True, "recovery": values.get("recovery")} if recovered else {}),
            },
        )


def timeline(store: DeviceStore) -> Iterator[dict[str, Any]]:
    """Every timestamped record, merged in time order (each table is already sorted)."""
    streams = [
        _events(store, table, dotted, field)
        for table, dotted in sorted(store.record_tables().items())
        for field in record_type(dotted).timeline
    ]
    for _, event in heapq.merge(*streams, key=lambda item: item[0]):
        yield event


def write_timeline(store: DeviceStore, out: Path) -> int:
    """``timeline.csv`` and Timesketch-ready ``timeline.jsonl`` in one pass."""
    count = 0
    with atomic_text(out / "timeline.jsonl", newline="\n") as jsonl:

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for event in timeline(store):
                jsonl.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
                yield tuple(event[column] for column in TIMELINE_COLUMNS)

        write_csv(out / "timeline.csv", TIMELINE_COLUMNS, rows())
    return count
