"""Convert the epochs that evidence stores into UTC datetimes, and format them one way.

Every converter returns ``None`` for a value that is absent, zero (the usual "never") or outside
the range a real device could hold, so that garbage never becomes a plausible-looking date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)  # Chromium, also Windows FILETIME base
COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)  # Apple Core Data / NSDate

# Plausible range for a timestamp found on a seized device.
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _plausible(value: datetime | None) -> datetime | None:
    if value is None or not (EARLIEST <= value < LATEST):
        return None
    return value


def _offset(base: datetime, **delta: float) -> datetime | None:
    try:
        return _plausible(base + timedelta(**delta))
    except (OverflowError, ValueError):
        return None


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, str)):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def from_unix_seconds(value: object) -> datetime | None:
    """Unix seconds (float allowed): MicroSIP, Skype, iOS legacy call_history.db, dnsmasq."""
    number = _number(value)
    return None if not number else _offset(UNIX_EPOCH, seconds=number)


def from_unix_ms(value: object) -> datetime | None:
    """Unix milliseconds: Android content providers (call log, SMS)."""
    number = _number(value)
    return None if not number else _offset(UNIX_EPOCH, milliseconds=number)


def from_unix_us(value: object) -> datetime | None:
    """Unix microseconds (Mozilla PRTime): Firefox places.sqlite."""
    number = _number(value)
    return None if not number else _offset(UNIX_EPOCH, microseconds=number)


def from_webkit(value: object) -> datetime | None:
    """Microseconds since 1601-01-01 UTC: Chromium History, Cookies."""
    number = _number(value)
    return None if not number else _offset(WEBKIT_EPOCH, microseconds=number)


def from_filetime(value: object) -> datetime | None:
    """100 ns intervals since 1601-01-01 UTC: Windows FILETIME (registry, ESE, index.dat)."""
    number = _number(value)
    return None if not number else _offset(WEBKIT_EPOCH, microseconds=number / 10)


def from_cocoa(value: object) -> datetime | None:
    """Seconds since 2001-01-01 UTC: Apple Core Data (CallHistory.storedata, Safari History.db)."""
    number = _number(value)
    return None if not number else _offset(COCOA_EPOCH, seconds=number)


def format_utc(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; microseconds only when present. Naive values are UTC."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # the usual case (every walked time): no offset to ask for
        return value.isoformat()[:-6] + "Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat() is several times faster than strftime and called for every walked entry
    return value.isoformat()[:-6] + "Z"


class EpochText:
    """Seconds (and nanoseconds) since 1970 as the text :func:`format_utc` gives, memoised.

    A walk stores four times per entry, and the entries of a file system share their seconds
    (files written, copied or installed together), so the text of each second is made once and
    only the fraction is appended: ~0.3 us per time against ~1.5 us for a datetime and its
    ``isoformat``, which on a disk of small files is a fifth of the walk. One per walk: the memo
    is bounded (``memo`` seconds, then forgotten) and never shared.
    """

    __slots__ = ("_memo", "_seconds")

    def __init__(self, memo: int = 65536) -> None:
        self._memo = memo
        self._seconds: dict[int, str] = {}

    def __call__(self, seconds: int, nanos: int = 0) -> str | None:
        """The text, or None when the value is past what a datetime holds (year 1-9999)."""
        if not 0 <= nanos < 1_000_000_000:
            try:  # garbage nanoseconds carry into the seconds, as a timedelta counts them
                return format_utc(UNIX_EPOCH + timedelta(0, seconds, nanos // 1000))
            except OverflowError:
                return None
        prefix = self._seconds.get(seconds)
        if prefix is None:
            try:
                prefix = (UNIX_EPOCH + timedelta(seconds=seconds)).isoformat()[:-6]
            except OverflowError:
                return None
            if len(self._seconds) >= self._memo:
                self._seconds.clear()
            self._seconds[seconds] = prefix
        micros = nanos // 1000
        return f"{prefix}.{micros:06d}Z" if micros else prefix + "Z"


def parse_utc(text: str | None) -> datetime | None:
    """Read back a value written by :func:`format_utc`."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
