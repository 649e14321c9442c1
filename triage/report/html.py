"""``report.html``: one self-contained page an officer can open from a USB stick.

Rendered with Jinja2 and autoescape on, from the summary and the store; every evidence string is
shown as text. Nothing is fetched from anywhere: styles are inline, charts are inline SVG, and
the one small script (sorting and filtering tables) is inline too, allowed by a Content Security
Policy that names its SHA-256, so no other script can run even if an escaping bug let one in.
Without scripts the page works the same, only the tables are not sortable. Big record sets are
cut to :data:`ROWS_PER_SECTION` rows with a pointer to the CSV that holds them all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import tzinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from triage.names import HIDDEN
from triage.report.chart import bar_chart, time_series
from triage.report.glance import exhibit, remote_apps
from triage.report.output import atomic_text
from triage.report.page_text import (
    DURATION_COLUMNS,
    ID_COLUMNS,
    PATH_COLUMNS,
    SIZE_COLUMNS,
    article,
    column_label,
    count_of,
    device_zone,
    has_milliseconds,
    keep_whole,
    time_cell,
    when,
)
from triage.report.record_outputs import csv_name, record_type, sortable_sql
from triage.store import DeviceStore, record_columns

ROWS_PER_SECTION = 1000
PRINT_ROWS = 25  # rows of a long table that a printout keeps, with a "first N of M" note
MAX_CELL = 2000  # characters of one cell shown in HTML; the CSV keeps the whole value
SECTION_TITLES = {
    "identity": "Device identity facts",
    "remote_access_sessions": "Remote-access sessions",
    "remote_access_events": "Remote-access events",
    "calls": "Calls",
    "browser_visits": "Browser history",
    "browser_downloads": "Browser downloads",
    "browser_searches": "Browser searches",
    "router_facts": "Router facts",
    "artifact_presence": "Tools and apps found",
    "hashset_hits": "Hash-set hits",
}
# Columns a printout leaves out to keep record tables within the page (the CSV has them).
AUX_COLUMNS = ("extractor", "time_note", "session_key", "visit_id", "row_id", "recovery")
# Columns shown only when a row uses them: the volume of records from a plain partition, and
# the recovery columns of a section with no recovered record (its rows are all live).
SOMETIMES_COLUMNS = ("source_volume", "recovered", "recovery", "confidence")
HIDDEN_COLUMNS = {
    "source_evidence",
    "source_file_id",
    "source_partition",
    "source_inode",
    "source_sha256",
}


def report_script() -> tuple[str, str]:
    """The inline script and its CSP source expression (``'sha256-...'``)."""
    script = (resources.files("triage.report") / "templates" / "_script.js").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return script, f"'sha256-{digest}'"


# Characters shown as \uXXXX instead of being rendered: C0 and C1 controls, DEL, the
# bidirectional controls that can make "exe.txt" read as "txt.exe" (Trojan Source,
# CVE-2021-42574), and the zero-width and format characters that hide text ("pay\u200bpal"):
# the one class names are escaped by (:data:`triage.names.HIDDEN`).
INVISIBLE = re.compile(f"[{HIDDEN}]")


def visible(value: Any) -> Any:
    """Every value a template prints, with invisible and reordering characters made visible."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return INVISIBLE.sub(lambda match: f"\\u{ord(match.group()):04x}", value)
    return value


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of every HTML report: autoescape always on, every value visible."""
    env = Environment(
        loader=PackageLoader("triage.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=visible,
    )
    env.filters["clip"] = clip
    env.filters["size"] = human_size
    env.filters["duration"] = human_duration
    env.filters["when"] = when
    env.filters["time"] = time_cell
    env.filters["count"] = count_of
    env.filters["article"] = article
    env.filters["whole"] = keep_whole
    env.globals["print_rows"] = PRINT_ROWS
    env.globals["section_titles"] = SECTION_TITLES
    script, source = report_script()
    env.globals["report_script"] = Markup(script)  # noqa: S704 - static file shipped with triage
    env.globals["script_source"] = source
    return env


def clip(value: Any, limit: int = MAX_CELL) -> str:
    """Text for one cell: None as empty, invisible characters made visible, long values cut."""
    if value is None:
        return ""
    text = visible(str(value))
    if len(text) > limit:
        return f"{text[:limit]}… [{len(text) - limit} more characters in the CSV]"
    return text


def human_size(value: Any) -> str:
    """Bytes as B/KiB/MiB/GiB with the exact count kept for small values."""
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(value)


def human_duration(value: Any) -> str:
    """Seconds as ``1 h 02 min``, ``7 min 00 s`` or ``42 s``."""
    if value is None or value == "":
        return ""
    try:
        seconds = int(round(float(value)))
    except (TypeError, ValueError):
        return str(value)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _listed(value: Any) -> Any:
    """A JSON list stored in one column (``["invoice.pdf"]``) as words; other values as they are."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            return "; ".join(str(item) for item in items)
    return value


def _without_unused(
    columns: list[str], rows: list[tuple[Any, ...]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Drop the :data:`SOMETIMES_COLUMNS` no shown row fills (None, empty or 0)."""
    keep = [
        index
        for index, column in enumerate(columns)
        if column not in SOMETIMES_COLUMNS or any(row[index] not in (None, "", 0) for row in rows)
    ]
    if len(keep) == len(columns):
        return columns, rows
    return [columns[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]


def record_cell(column: str, value: Any, zone: tzinfo | None, kind: str) -> dict[str, Any]:
    """One record cell for the page: its text (or time markup), CSS class and sort key."""
    if kind in ("time", "time_ms"):
        return {"html": time_cell(value, zone, kind == "time_ms"), "cls": "id", "sort": value or ""}
    if column in SIZE_COLUMNS and _number(value) is not None:
        return {"text": human_size(value), "cls": "num", "sort": _number(value)}
    if column in DURATION_COLUMNS and _number(value) is not None:
        return {"text": human_duration(value), "cls": "num", "sort": _number(value)}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"text": clip(value), "cls": "num", "sort": value}
    if column in ID_COLUMNS:
        return {"text": clip(value), "cls": "id", "sort": None}
    if column in PATH_COLUMNS:
        return {"text": clip(_listed(value)), "cls": "path", "sort": None}
    return {"html": keep_whole(clip(_listed(value))), "cls": "", "sort": None}


def _column_kinds(columns: list[str], rows: list[tuple], timeline: set[str]) -> list[str]:
    kinds = []
    for index, column in enumerate(columns):
        if column in timeline:
            values = [row[index] for row in rows]
            kinds.append("time_ms" if has_milliseconds(values) else "time")
        else:
            kinds.append("value")
    return kinds


def record_sections(store: DeviceStore, zone: tzinfo | None = None) -> list[dict[str, Any]]:
    """One table per record kind, in a fixed reading order, capped in length.

    Each section is one part (``parts``) today, the records as extracted; a section can gain
    parts (deleted records recovered, say) that the template shows under the same heading.
    """
    tables = store.record_tables()
    order = list(SECTION_TITLES) + sorted(set(tables) - set(SECTION_TITLES))
    sections = []
    for table in order:
        if table not in tables:
            continue
        kind = record_type(tables[table])
        columns = [
            column
            for column in record_columns(kind)
            if column not in HIDDEN_COLUMNS and not column.endswith("_raw")
        ]
        total = store.count(table)
        quoted = ", ".join(f'"{column}"' for column in columns)
        rows = [
            tuple(row)
            for row in store.execute(
                f'SELECT {quoted} FROM "{table}" ORDER BY rowid LIMIT {ROWS_PER_SECTION}'
            )
        ]
        columns, rows = _without_unused(columns, rows)
        kinds = _column_kinds(columns, rows, set(kind.timeline))
        cells = [
            [
                record_cell(column, value, zone, column_kind)
                for column, value, column_kind in zip(columns, row, kinds, strict=True)
            ]
            for row in rows
        ]
        aux = [
            column in AUX_COLUMNS or all(row[index] in (None, "") for row in rows[:PRINT_ROWS])
            for index, column in enumerate(columns)
        ]
        for row_cells in cells:
            for cell, hidden in zip(row_cells, aux, strict=True):
                if hidden:
                    cell["cls"] = f"{cell['cls']} aux".strip()
        part = {
            "title": None,
            "columns": columns,
            "aux": aux,
            "print_omits": [column_label(c) for c, hide in zip(columns, aux, strict=True) if hide],
            "labels": [column_label(column) for column in columns],
            "rows": cells,
            "total": total,
            "csv": csv_name(table),
        }
        sections.append(
            {
                "table": table,
                "title": SECTION_TITLES.get(table, column_label(table)),
                "columns": columns,
                "rows": rows,
                "total": total,
                "csv": csv_name(table),
                "parts": [part],
            }
        )
    return sections


def activity_per_day(store: DeviceStore) -> list[tuple[str, int]]:
    """Timestamped records per UTC day (or per month over long spans), for the chart."""
    counts: dict[str, int] = {}
    for table, dotted in store.record_tables().items():
        for field in record_type(dotted).timeline:
            rows = store.execute(
                f"SELECT substr({sortable_sql(field)}, 1, 10), count(*) "
                f'FROM "{table}" WHERE "{field}" IS NOT NULL GROUP BY 1'
            )
            for day, count in rows:
                if day:
                    counts[day] = counts.get(day, 0) + count
    return time_series(counts)


def render_html(store: DeviceStore, summary: dict[str, Any]) -> str:
    """The report page as a string."""
    template = environment().get_template("report.html.j2")
    findings = summary.get("findings") or {}
    calls = findings.get("calls") or {}
    calls_series = time_series({day["date"]: day["calls"] for day in calls.get("per_day", [])})
    zone = device_zone((summary.get("identity") or {}).get("time_zone"))
    return template.render(
        summary=summary,
        findings=findings,
        sections=record_sections(store, zone),
        activity_chart=bar_chart(activity_per_day(store)),
        calls_chart=bar_chart(calls_series),
        zone=zone,
        exhibit=exhibit(summary.get("evidence")),
        remote_apps=remote_apps(store),
        case_name=store.meta("case"),
    )


def write_html(store: DeviceStore, summary: dict[str, Any], path: Path) -> None:
    """Write ``report.html`` atomically."""
    with atomic_text(path, newline="\n") as handle:
        handle.write(render_html(store, summary))
