"""How the HTML pages say numbers, times and names: in words an officer reads, one way everywhere.

The machine outputs (CSV, JSON) keep the stored values; the pages show them through these
functions so that a time has one precision (seconds, or milliseconds where the source has them),
the device's local time stands beside UTC where its zone is known, a count agrees with its noun
("1 warning") and no column is headed by an internal name (``source_path``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape

ISO_TIME = re.compile(
    r"^(?P<date>\d{4}-\d\d-\d\d)[T ](?P<clock>\d\d:\d\d(?::\d\d)?)(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d\d:?\d\d)?$"
)
UTC_OFFSET = re.compile(r"UTC\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d\d))?")
IANA_NAME = re.compile(r"^[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+$")

# Column names of the record tables as a reader would head them; any other is "Its name".
COLUMN_LABELS = {
    "extractor": "Found by",
    "source_path": "Source file",
    "time_note": "How the time was read",
    "number_e164": "Number (international)",
    "contact_name": "Contact name",
    "call_type": "Call type",
    "row_id": "Row in source",
    "own_id": "Own ID",
    "own_alias": "Own name shown",
    "remote_id": "Remote ID",
    "remote_alias": "Remote name shown",
    "remote_ip": "Remote IP",
    "session_key": "Session key",
    "visit_count": "Visits",
    "typed_count": "Typed",
    "from_url": "Came from URL",
    "visit_id": "Visit ID",
    "url_chain": "Redirect chain",
    "target_path": "Saved as",
    "received_bytes": "Received",
    "total_bytes": "Size",
    "set_entry": "Name in the set",
    "hashset": "Hash set",
    "ip": "IP",
    "mac": "MAC",
    "url": "URL",
    "duration": "Duration",
}
# Columns whose values are identifiers, numbers or addresses: never broken inside the value.
ID_COLUMNS = {
    "number",
    "number_e164",
    "own_id",
    "remote_id",
    "remote_ip",
    "ip",
    "mac",
    "account",
    "session_key",
    "visit_id",
    "row_id",
    "digest",
    "country",
    "visit_count",
    "typed_count",
}
# Columns of free text that may break anywhere rather than widen the table (paths and URLs).
PATH_COLUMNS = {"source_path", "url", "from_url", "url_chain", "referrer", "target_path", "path"}
SIZE_COLUMNS = {"size", "received_bytes", "total_bytes", "bytes"}
DURATION_COLUMNS = {"duration", "duration_s", "call_duration_s"}

# Identifiers inside free text (a detail, a message): phone numbers and other long numbers,
# IPv4 and MAC addresses, ISO times and hex digests are kept whole on one line.
ID_TOKEN = re.compile(
    r"\+?\d{6,}|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b"
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"
    r"|\b[0-9a-fA-F]{32,128}\b"
)


def keep_whole(value: Any) -> Markup:
    """Free text, escaped, with the identifiers in it wrapped so they never break."""
    escaped = str(escape("" if value is None else value))
    return Markup(  # noqa: S704 - built from escaped text; the tokens hold no markup characters
        ID_TOKEN.sub(lambda match: f'<span class="id">{match.group()}</span>', escaped)
    )


def article(word: Any) -> str:
    """``a`` or ``an`` before ``word`` by its first letter (an iPhone, an Android phone)."""
    text = str(word or "").strip()
    if not text:
        return "a"
    return "an" if text[0].lower() in "aeiou" else "a"


def count_of(value: Any, noun: str, plural: str | None = None) -> str:
    """``1 warning``, ``2 warnings``, ``12,345 files``: the count with its noun agreeing."""
    number = int(value or 0)
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def column_label(name: str) -> str:
    """The heading a reader sees for a record column."""
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    return name.replace("_", " ").capitalize()


def when(value: Any, milliseconds: bool = False) -> str:
    """A stored ISO time at the page's precision: seconds, or milliseconds when asked.

    ``2026-12-05T23:45:48.677173Z`` -> ``2026-12-05T23:45:48Z`` (or ``...48.677Z``); values
    that are not ISO times are returned as they are (the raw text is evidence too).
    """
    if value is None:
        return ""
    text = str(value)
    match = ISO_TIME.match(text)
    if not match:
        return text
    clock = match["clock"] if len(match["clock"]) == 8 else match["clock"] + ":00"
    fraction = ""
    if milliseconds:
        fraction = "." + (match["fraction"] or "").ljust(3, "0")[:3]
    return f"{match['date']}T{clock}{fraction}{match['zone'] or ''}"


def has_milliseconds(values: list[Any]) -> bool:
    """True when any of ``values`` is an ISO time with a non-zero fraction of a second."""
    for value in values:
        match = ISO_TIME.match(str(value)) if value is not None else None
        if match and match["fraction"] and match["fraction"][:3].strip("0"):
            return True
    return False


def device_zone(time_zone: Any) -> tzinfo | None:
    """The device's zone from the identity summary's text, when it can be told.

    An IANA name (``Asia/Kolkata``, Android and Linux) gives the zone with its daylight rules;
    a Windows name carries its standard offset (``India Standard Time (UTC+05:30)``), which is
    used as a fixed offset and so labelled.
    """
    if not time_zone:
        return None
    text = str(time_zone).strip()
    name = text.split(" (")[0].strip()
    if IANA_NAME.match(name):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = UTC_OFFSET.search(text)
    if offset is None:
        return None
    minutes = int(offset["hours"]) * 60 + int(offset["minutes"] or 0)
    sign = -1 if offset["sign"] in "-\u2212" else 1
    return timezone(sign * timedelta(minutes=minutes))


def local_time(value: Any, zone: tzinfo | None) -> str:
    """The device's local time of a UTC ISO time, as ISO with its offset; "" when unknown."""
    if zone is None or value is None:
        return ""
    match = ISO_TIME.match(str(value))
    if not match or match["zone"] not in ("Z", "+00:00", "+0000"):
        return ""
    clock = match["clock"] if len(match["clock"]) == 8 else match["clock"] + ":00"
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{clock}").replace(tzinfo=UTC)
        local = moment.astimezone(zone)
    except (ValueError, OverflowError):
        return ""
    return local.isoformat(timespec="seconds")


def time_cell(value: Any, zone: tzinfo | None = None, milliseconds: bool = False) -> Markup:
    """A time for a page: UTC at the page's precision, and the local time below it if known."""
    shown = when(value, milliseconds)
    if not shown:
        return Markup("")
    local = local_time(value, zone)
    html = Markup('<span class="t">{}</span>').format(shown)
    if local:
        local_html = '<span class="local"> (local <span class="id">{}</span>)</span>'
        html += Markup(local_html).format(local)
    return html


def libewf_date(value: Any) -> str | None:
    """libewf's ctime-style header date (``Sat Mar  2 08:00:00 2024``) as ISO 8601, no zone.

    The E01 header holds the acquiring computer's clock without its zone, so no ``Z`` is added.
    """
    if not value:
        return None
    text = " ".join(str(value).split())
    for pattern in ("%a %b %d %H:%M:%S %Y", "%Y %m %d %H %M %S"):
        try:
            return datetime.strptime(text, pattern).isoformat(timespec="seconds")
        except ValueError:
            continue
    return text


def escape_text(value: Any) -> Markup:
    """Escaped text as Markup (for building small fragments in Python)."""
    return escape("" if value is None else str(value))
