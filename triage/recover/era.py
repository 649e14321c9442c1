"""The device's era: the span of time a recovered record of this device may fall in.

The extractors' checks accept any time from 2000 to now (:func:`~triage.recover.checks.
plausible_time`). Carved bytes often decode to such a time by chance: eight bytes of a
neighbouring cell read as Unix milliseconds land anywhere in 1970..2100, and a fair share of
that inside 2000..now. A row whose time is years away from everything else the device holds is
such a misreading, not a deleted record.

The era is the union of what the device shows of itself, widened by a margin:

- the times of the live records of the same database (a deleted call sits among the others);
- the database file's own times, and the file system's: the 1st to 99th percentile of every
  file's modification and creation times that fall in 2000..now (percentiles, because a few
  files always carry a garbage or fixed build time, e.g. 2009-01-01 on Android system files).

Then ``MARGIN`` (a year) before the earliest and after the latest, capped at now plus a day.
It is conservative on purpose: it only rejects a time more than a year outside every sign of
activity. A browser keeps 90 days of live history, but its profile folder's creation time and
older files still reach back to when it was installed. The file times only widen the era: a
database with no live record time (every row deleted) gets the coarse era, 2000..now, since
its file times alone may all have been reset (files copied into a folder today) and would
reject real rows of years ago.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from triage.recover.checks import ERA_START
from triage.timestamps import parse_utc

MARGIN = timedelta(days=366)
SLACK = timedelta(days=1)  # clock skew past "now"
PERCENTILE = 0.01
SAMPLE = 50_000


@dataclass(frozen=True, slots=True)
class Era:
    """A span of time, both ends included."""

    start: datetime
    end: datetime

    def fits(self, record: Any) -> bool:
        """Whether every time the record carries is inside the era (no time: it fits)."""
        return all(self.start <= value <= self.end for value in record_times(record))


def record_times(record: Any) -> list[datetime]:
    """The aware datetimes among a record's fields."""
    times = []
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        if isinstance(value, datetime) and value.tzinfo is not None:
            times.append(value)
    return times


def device_era(
    file_span: list[datetime], file: Any, live: Iterable[Any], now: datetime | None = None
) -> Era:
    """The era of the device for a recovered record of ``file`` (see the module docstring):
    ``file_span`` from :func:`file_system_span`, ``live`` the live records of the database."""
    ceiling = (now or datetime.now(UTC)) + SLACK
    anchors = [time for record in live for time in record_times(record)]
    if not any(ERA_START <= time <= ceiling for time in anchors):
        return Era(ERA_START, ceiling)  # file times alone may have been reset by a copy
    anchors += [time for time in (_time(getattr(file, "modified", None)),) if time is not None]
    anchors += file_span
    inside = [time for time in anchors if ERA_START <= time <= ceiling]
    return Era(max(ERA_START, min(inside) - MARGIN), min(ceiling, max(inside) + MARGIN))


def file_system_span(store: Any, now: datetime | None = None) -> list[datetime]:
    """The 1st and 99th percentile of the files' modification and creation times in
    2000..now (empty when the store lists no such time), from a sample of at most
    ``SAMPLE`` files spread over the listing (a device lists up to millions)."""
    ceiling = (now or datetime.now(UTC)) + SLACK
    count = int(store.execute("SELECT count(*) FROM files").fetchone()[0] or 0)
    step = max(1, count // SAMPLE)
    low, high = ERA_START.strftime("%Y-%m-%d"), ceiling.strftime("%Y-%m-%dT%H:%M:%SZ")
    # the rows whose id is a multiple of ``step``, looked up by id (not a scan of every row)
    sampled = store.execute(
        "WITH RECURSIVE ids(id) AS (SELECT ? UNION ALL SELECT id + ? FROM ids "
        "WHERE id + ? <= (SELECT max(id) FROM files)) "
        "SELECT mtime, crtime FROM files JOIN ids USING (id)",
        (step, step, step),
    )
    values = sorted(
        text for row in sampled for text in row if isinstance(text, str) and low <= text <= high
    )
    if not values:
        return []
    edge = int(len(values) * PERCENTILE)
    return [time for time in map(_time, (values[edge], values[-1 - edge])) if time is not None]


def _time(text: str | None) -> datetime | None:
    try:
        return parse_utc(text)
    except ValueError:
        return None
