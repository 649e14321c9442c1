"""Times as routers write them: year-less syslog stamps, zone abbreviations, local clocks.

Routers mostly log their local clock without a zone, and BSD syslog (RFC 3164) even leaves out
the year. The rules here, stated in every record's ``time_note``:

- an explicit UTC/GMT/Z or numeric offset is applied;
- any other zone abbreviation is ambiguous (CST is US Central, China and Cuba): the time is not
  converted, the raw text is kept;
- a time without a zone is stored as if it were UTC, and the note says so;
- a year-less stamp takes its year from the file's modification time (a log is written before
  its mtime: a stamp that would fall after the mtime belongs to the year before); without an
  mtime the time stays None and only the raw text is kept.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from triage.timestamps import EARLIEST, LATEST

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UT"})
NO_ZONE = "router local time without a zone; stored as if UTC"
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$")


def month_number(name: str) -> int | None:
    """1-12 from an English month abbreviation (any case), else None."""
    return MONTHS.get(name[:3].lower())


def zone(text: str | None) -> tuple[timezone | None, str | None]:
    """The tzinfo for a zone written after a time, and a note when it cannot be used."""
    if not text:
        return None, NO_ZONE
    name = text.strip()
    if name.upper() in UTC_NAMES:
        return UTC, None
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset <= timedelta(hours=14):
            return timezone(-offset if sign == "-" else offset), None
    return None, f"time zone {name!r} is ambiguous; not converted"


def plausible(value: datetime | None) -> datetime | None:
    """The value when it lies in the range a seized device could hold."""
    if value is None or not (EARLIEST <= value < LATEST):
        return None
    return value


def build(
    year: int, month: int, day: int, hms: str, tz_text: str | None = None
) -> tuple[datetime | None, str | None]:
    """A UTC datetime from parts and a written zone, with the note the zone calls for."""
    tzinfo, note = zone(tz_text)
    if tz_text and tzinfo is None:
        return None, note
    try:
        hour, minute, second = (int(part) for part in hms.split(".")[0].split(":"))
        fraction = hms.split(".")[1] if "." in hms else ""
        micro = int((fraction + "000000")[:6]) if fraction.isdigit() else 0
        value = datetime(year, month, day, hour, minute, second, micro, tzinfo=tzinfo or UTC)
    except ValueError:
        return None, "invalid date"
    return plausible(value.astimezone(UTC)), note


def build_from_match(match: re.Match[str], month: int) -> tuple[datetime | None, str | None]:
    """:func:`build` from a stamp matched with the named groups ``year``, ``day``, ``hms`` and,
    when the pattern has one, ``tz`` (the month is passed: vendors spell it differently)."""
    return build(
        int(match.group("year")),
        month,
        int(match.group("day")),
        match.group("hms"),
        match.groupdict().get("tz"),
    )


def yearless(
    month: int, day: int, hms: str, modified: datetime | None, tz_text: str | None = None
) -> tuple[datetime | None, str]:
    """A year-less syslog stamp placed in the year of the file's mtime (or the year before)."""
    if modified is None:
        return None, "timestamp has no year and the file has no modification time; not dated"
    year = modified.year
    value, note = build(year, month, day, hms, tz_text)
    if value is not None and value > modified + timedelta(days=1):
        year -= 1
        value, note = build(year, month, day, hms, tz_text)
    if value is None:
        return None, note or "invalid date"
    told = f"year {year} taken from the file's modification time"
    return value, f"{told}; {note}" if note else told
