"""What the report says about recovered records: counts, the first-screen line, the rows.

Recovered records sit in the same tables as live ones (``recovered`` = 1), so every writer
shows them; the report keeps them apart: the live summaries skip them (:func:`is_recovered`)
and each section gets a "Deleted, recovered" part built from :func:`recovered_summary`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

ROWS = 200
PARTS = {
    "calls": (
        "started, number, number_e164, country, direction, duration, app, contact_name",
        "started",
    ),
    "browser_visits": ("visited, url, title, browser, profile, user", "visited"),
    "browser_downloads": ("started, url, target_path, browser, user", "started"),
    "browser_searches": ("searched, term, url, browser, user", "searched"),
    "identity": ("time, category, key, value, detail", "time"),
}
NOUNS = {  # one, many
    "calls": ("deleted call", "deleted calls"),
    "browser_visits": ("deleted web visit", "deleted web visits"),
    "browser_downloads": ("deleted download", "deleted downloads"),
    "browser_searches": ("deleted search", "deleted searches"),
    "identity": ("deleted account or SIM fact", "deleted account and SIM facts"),
}


def is_recovered(row: Mapping[str, Any]) -> bool:
    """Whether a record row is a recovered one (stores from before recovery have no column)."""
    try:
        return bool(row["recovered"])
    except (KeyError, IndexError):
        return False


def recovered_summary(store: Any, tables: Mapping[str, str]) -> dict[str, Any]:
    """Per record table: how many recovered records, and the first ``ROWS`` of them."""
    parts: dict[str, Any] = {}
    for table, (columns, order) in PARTS.items():
        if table not in tables or not _has_column(store, table):
            continue
        total = int(store.scalar(f'SELECT count(*) FROM "{table}" WHERE recovered = 1') or 0)
        if not total:
            continue
        rows = [
            dict(row)
            for row in store.execute(
                f'SELECT {columns}, confidence, recovery, source_path FROM "{table}" '
                f"WHERE recovered = 1 ORDER BY {order}, rowid LIMIT {ROWS}"
            )
        ]
        part: dict[str, Any] = {"total": total, "rows": rows}
        if table == "calls":
            countries = Counter(
                row[0] or "unknown"
                for row in store.execute("SELECT country FROM calls WHERE recovered = 1")
            )
            part["countries"] = dict(countries.most_common())
            part["us"] = countries.get("US", 0)
        parts[table] = part
    parts["headline"] = headline(parts)
    return parts


def headline(parts: Mapping[str, Any]) -> str | None:
    """The first-screen line: "5 deleted calls recovered, 4 to US numbers; ..." (or None)."""
    pieces = []
    for table, (one, many) in NOUNS.items():
        part = parts.get(table)
        if not part:
            continue
        total = part["total"]
        text = f"{total} {one if total == 1 else many} recovered"
        if table == "calls" and part.get("us"):
            text += f", {part['us']} to US numbers"
        pieces.append(text)
    return "; ".join(pieces) or None


def _has_column(store: Any, table: str) -> bool:
    return any(row[1] == "recovered" for row in store.execute(f'PRAGMA table_info("{table}")'))
