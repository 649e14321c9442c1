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
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from triage.report.output import atomic_text
from triage.report.record_outputs import csv_name, record_type, sortable_sql
from triage.store import DeviceStore, record_columns

ROWS_PER_SECTION = 1000
MAX_CELL = 2000  # characters of one cell shown in HTML; the CSV keeps the whole value
MAX_BARS = 120  # more distinct days than this are charted per month
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


# Characters shown as \uXXXX instead of being rendered: C0 and C1 controls, DEL, and the
# bidirectional controls that can make "exe.txt" read as "txt.exe" (Trojan Source, CVE-2021-42574).
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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
    if value is None:
        return ""
    seconds = int(round(float(value)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def record_sections(store: DeviceStore) -> list[dict[str, Any]]:
    """One table per record kind, in a fixed reading order, capped in length."""
    tables = store.record_tables()
    order = list(SECTION_TITLES) + sorted(set(tables) - set(SECTION_TITLES))
    sections = []
    for table in order:
        if table not in tables:
            continue
        columns = [
            column
            for column in record_columns(record_type(tables[table]))
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
        if "source_volume" in columns and all(
            row[columns.index("source_volume")] is None for row in rows
        ):  # a plain partition's records: no volume column (encrypted or snapshot: shown)
            drop = columns.index("source_volume")
            columns = columns[:drop] + columns[drop + 1 :]
            rows = [row[:drop] + row[drop + 1 :] for row in rows]
        sections.append(
            {
                "table": table,
                "title": SECTION_TITLES.get(table, table),
                "columns": columns,
                "rows": rows,
                "total": total,
                "csv": csv_name(table),
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
                counts[day] = counts.get(day, 0) + count
    if len(counts) > MAX_BARS:
        months: dict[str, int] = {}
        for day, count in counts.items():
            months[day[:7]] = months.get(day[:7], 0) + count
        counts = months
    return sorted(counts.items())


def bar_chart(series: list[tuple[str, int]], width: int = 760, height: int = 150) -> dict[str, Any]:
    """Geometry of a bar chart (the template draws it as inline SVG)."""
    if not series:
        return {"bars": [], "width": width, "height": height, "max": 0}
    top = max(count for _, count in series) or 1
    slot = min((width - 40) / len(series), 60)
    bars = []
    for index, (label, count) in enumerate(series):
        bar_height = round((height - 30) * count / top, 1)
        bars.append(
            {
                "x": round(30 + index * slot + slot * 0.1, 1),
                "width": round(slot * 0.8, 1),
                "y": round(height - 20 - bar_height, 1),
                "height": bar_height,
                "label": label,
                "count": count,
                "show_label": len(series) <= 14 or index % max(1, len(series) // 10) == 0,
            }
        )
    return {"bars": bars, "width": width, "height": height, "max": top}


def render_html(store: DeviceStore, summary: dict[str, Any]) -> str:
    """The report page as a string."""
    template = environment().get_template("report.html.j2")
    findings = summary.get("findings") or {}
    calls = findings.get("calls") or {}
    calls_series = [(day["date"], day["calls"]) for day in calls.get("per_day", [])]
    return template.render(
        summary=summary,
        findings=findings,
        sections=record_sections(store),
        activity_chart=bar_chart(activity_per_day(store)),
        calls_chart=bar_chart(calls_series),
    )


def write_html(store: DeviceStore, summary: dict[str, Any], path: Path) -> None:
    """Write ``report.html`` atomically."""
    with atomic_text(path, newline="\n") as handle:
        handle.write(render_html(store, summary))
