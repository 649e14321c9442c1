"""Expected identity rows, written the way the store holds them (times as ISO UTC text)."""

from __future__ import annotations

from typing import Any

# The columns the tests compare (rowid, extractor and provenance are checked apart).
FACT_COLUMNS = ("category", "key", "value", "time", "time_raw", "detail", "time_note", "value_raw")


def fact(
    category: str,
    key: str,
    value: str,
    *,
    time: str | None = None,
    time_raw: str | None = None,
    detail: str | None = None,
    time_note: str | None = None,
    value_raw: str | None = None,
) -> dict[str, Any]:
    """An expected fact row (the compared columns)."""
    return {
        "category": category,
        "key": key,
        "value": value,
        "time": time,
        "time_raw": time_raw,
        "detail": detail,
        "time_note": time_note,
        "value_raw": value_raw,
    }
