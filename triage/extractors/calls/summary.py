"""A summary of a device's calls, read from the store's ``calls`` table.

For the report's calls section and for an examiner's first question on a call-centre device:
how many calls a day, which numbers were called most and for how long, which countries (US
victims are counted on their own), and the first and last call. A number is counted by its
E.164 form when it has one, else as stored, so ``(540) 456-1685`` and ``+1 540-456-1685`` are
one number. Days are UTC dates. The function only reads; the same store gives the same dict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from triage.recover.summary import is_recovered
from triage.timestamps import format_utc, parse_utc

TOP_NUMBERS = 20
WITHHELD = "(no number)"


class RecordSource(Protocol):
    """What the summary needs from a store: DeviceStore.records(table)."""

    def records(self, table: str, order: str = "rowid") -> Iterable[Mapping[str, Any]]: ...


def number_key(row: Mapping[str, Any]) -> str:
    """How a call's number is counted: E.164, else as stored, else ``(no number)``."""
    e164 = row["number_e164"]
    if e164:
        return str(e164)
    stored = (row["number"] or "").strip()
    return stored or WITHHELD


def calls_summary(store: RecordSource) -> dict[str, Any]:
    """Counts per day, most-called numbers, countries, first and last call of the ``calls``."""
    total = 0
    directions: Counter[str] = Counter()
    apps: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    day_duration: Counter[str] = Counter()
    numbers: dict[str, dict[str, Any]] = {}
    us_numbers: set[str] = set()
    first: str | None = None
    last: str | None = None
    unnormalised = 0
    for row in store.records("calls"):
        if is_recovered(row):
            continue  # shown apart, in the section's "Deleted, recovered" part
        total += 1
        direction = row["direction"] or "unknown"
        directions[direction] += 1
        apps[row["app"] or "unknown"] += 1
        country = row["country"]
        countries[country or "unknown"] += 1
        key = number_key(row)
        if country == "US" and key != WITHHELD:
            us_numbers.add(key)
        if not row["number_e164"]:
            unnormalised += 1
        duration = float(row["duration"] or 0)
        started = _time(row["started"])
        if started:
            day = started.date().isoformat()
            per_day[day][direction] += 1
            day_duration[day] += duration
            first = started if first is None or started < first else first
            last = started if last is None or started > last else last
        entry = numbers.setdefault(
            key,
            {
                "number": key,
                "country": country,
                "calls": 0,
                "outgoing": 0,
                "total_duration": 0.0,
                "first": None,
                "last": None,
                "names": set(),
                "apps": set(),
            },
        )
        entry["calls"] += 1
        entry["outgoing"] += direction == "outgoing"
        entry["total_duration"] += duration
        entry["apps"].add(row["app"] or "unknown")
        if row["contact_name"]:
            entry["names"].add(row["contact_name"])
        if started:
            entry["first"] = (
                started if not entry["first"] or started < entry["first"] else entry["first"]
            )
            entry["last"] = (
                started if not entry["last"] or started > entry["last"] else entry["last"]
            )
    ranked = [_finish(entry) for entry in numbers.values()]
    most_called = sorted(
        (entry for entry in ranked if entry["outgoing"]),
        key=lambda entry: (-entry["outgoing"], -entry["total_duration"], entry["number"]),
    )[:TOP_NUMBERS]
    top_numbers = sorted(
        ranked, key=lambda entry: (-entry["calls"], -entry["total_duration"], entry["number"])
    )[:TOP_NUMBERS]
    return {
        "total": total,
        "by_direction": dict(sorted(directions.items())),
        "by_app": dict(sorted(apps.items())),
        "per_day": [
            {
                "date": day,
                "calls": sum(per_day[day].values()),
                "by_direction": dict(sorted(per_day[day].items())),
                "duration": _number(day_duration[day]),
            }
            for day in sorted(per_day)
        ],
        "most_called": most_called,
        "top_numbers": top_numbers,
        "countries": dict(sorted(countries.items(), key=lambda item: (-item[1], item[0]))),
        "us_calls": countries.get("US", 0),
        "us_numbers": len(us_numbers),
        "distinct_numbers": len([key for key in numbers if key != WITHHELD]),
        "unnormalised_calls": unnormalised,
        "first_call": format_utc(first),
        "last_call": format_utc(last),
    }


def _finish(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        **entry,
        "total_duration": _number(entry["total_duration"]),
        "first": format_utc(entry["first"]),
        "last": format_utc(entry["last"]),
        "names": sorted(entry["names"]),
        "apps": sorted(entry["apps"]),
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def _time(value: Any):
    """A stored UTC time back to a datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        return parse_utc(str(value))
    except ValueError:
        return None
