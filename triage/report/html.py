"""``report.html``: one self-contained page an officer can open from a USB stick.

Rendered with Jinja2 and autoescape on, from the summary and the store; every evidence string is
shown as text. No script, font or style is fetched from anywhere. Big record sets are cut to
:data:`ROWS_PER_SECTION` rows with a pointer to the CSV that holds them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from triage.report.output import atomic_text
from triage.report.record_outputs import csv_name, record_type
from triage.store import DeviceStore, record_columns

ROWS_PER_SECTION = 1000
MAX_CELL = 2000  # characters of one cell shown in HTML; the CSV keeps the whole value
SECTION_TITLES = {
    "identity": "Device identity",
    "remote_access_sessions": "Remote-access sessions",
    "remote_access_events": "Remote-access events",
    "calls": "Calls",
    "browser_visits": "Browser history",
    "browser_downloads": "Browser downloads",
    "browser_searches": "Browser searches",
    "router_facts": "Router",
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


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("triage.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    env.filters["size"] = human_size
    return env


def clip(value: Any, limit: int = MAX_CELL) -> str:
    """Text for one cell: None as empty, control characters made visible, long values cut."""
    if value is None:
        return ""
    text = str(value)
    text = "".join(ch if ch >= " " or ch in "\t" else f"\\x{ord(ch):02x}" for ch in text)
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


def render_html(store: DeviceStore, summary: dict[str, Any]) -> str:
    """The report page as a string."""
    template = environment().get_template("report.html.j2")
    return template.render(
        summary=summary, sections=record_sections(store), rows_per_section=ROWS_PER_SECTION
    )


def write_html(store: DeviceStore, summary: dict[str, Any], path: Path) -> None:
    """Write ``report.html`` atomically."""
    with atomic_text(path, newline="\n") as handle:
        handle.write(render_html(store, summary))
