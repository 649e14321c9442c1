"""Log line times in ISO 8601 UTC, as every other time triage writes.

``logging``'s default ``2026-12-05 23:52:12,416`` is local time with a comma: a reader cannot
tell its zone, and it does not sort beside the report's times. Both triage.log and the console
log use :func:`iso_log_time`: ``2026-12-05T23:52:12.416Z``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from rich.text import Text


def iso_log_time(created: float) -> str:
    """A log record's creation time (seconds since the epoch) as ISO 8601 UTC with milliseconds."""
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class IsoFormatter(logging.Formatter):
    """A formatter whose ``%(asctime)s`` is :func:`iso_log_time`."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """The record's time as ISO 8601 UTC (``datefmt`` is not used)."""
        return iso_log_time(record.created)


def rich_log_time(moment: datetime) -> Text:
    """The console handler's time column (Rich passes local naive time) as ISO 8601 UTC."""
    return Text(iso_log_time(moment.timestamp()))
