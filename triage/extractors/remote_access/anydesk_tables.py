"""AnyDesk's two table-like logs: ``connection_trace.txt`` and ``file_transfer_trace.txt``.

``connection_trace.txt`` (AnyDesk knowledge base, "Connection Log"): one line per connection,
columns separated by runs of spaces::

    Incoming     2014-11-26, 03:46 User                  user1@ad 654321

direction, date and minute, authentication (``User`` = accepted by the console user,
``Passwd``, ``Token`` = saved login, ``REJECTED``), then the alias and the AnyDesk ID of the
other side (newer versions write the ID twice when there is no alias). Times are UTC. The KB
says the direction is "currently always Incoming"; ``Outgoing`` lines are read the same way.

``file_transfer_trace.txt`` (dissect.target ``anydesk.py`` and its test data): UTF-16LE,
tab-separated::

    Clipboard\\t\\t2025-01-01, 13:37\\tstart \\tdownload\\t'malware.exe' (~0 B out of 4.20 MiB)

channel (clipboard or file manager), empty column, date and minute (UTC), start/finish,
download/upload, the quoted file name and the size transferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

CONNECTION_LINE = re.compile(
    r"^\s*(?P<direction>Incoming|Outgoing)\s+(?P<date>\d{4}-\d{2}-\d{2}),\s*(?P<time>\d{1,2}:\d{2})"
    r"\s+(?P<auth>\S+)\s+(?P<rest>.*?)\s*$",
    re.IGNORECASE,
)
TRANSFER_LINE = re.compile(
    r"^(?P<channel>[^\t]*?)\s*\t+(?P<date>\d{4}-\d{2}-\d{2}),\s*(?P<time>\d{1,2}:\d{2})\t+"
    r"(?P<state>\w+)\s*\t+(?P<direction>\w+)\s*\t+'(?P<name>.*)'\s*(?:\((?P<size>[^)]*)\))?\s*$"
)
CONNECTION_AUTH = {
    "user": "accepted by the user at the console",
    "passwd": "password",
    "token": "token",
    "rejected": "rejected",
}


@dataclass(frozen=True, slots=True)
class ConnectionEntry:
    """One line of connection_trace.txt."""

    direction: str
    time: datetime
    time_raw: str
    auth: str
    remote_alias: str | None
    remote_id: str | None


@dataclass(frozen=True, slots=True)
class TransferEntry:
    """One line of file_transfer_trace.txt."""

    channel: str
    time: datetime
    time_raw: str
    state: str  # start, finish
    direction: str  # download, upload
    name: str
    size: str | None


def _minute(date: str, time: str) -> datetime | None:
    try:
        return datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_connection(text: str) -> ConnectionEntry | None:
    """A connection_trace.txt line, or None when the line is not one."""
    match = CONNECTION_LINE.match(text)
    if not match:
        return None
    when = _minute(match["date"], match["time"])
    if when is None:
        return None
    tokens = match["rest"].split()
    remote_id = tokens[-1] if tokens and tokens[-1].isdigit() else None
    alias_tokens = tokens[:-1] if remote_id else tokens
    alias = " ".join(alias_tokens) or None
    if alias == remote_id:
        alias = None
    auth = match["auth"]
    return ConnectionEntry(
        direction=match["direction"].lower(),
        time=when,
        time_raw=f"{match['date']}, {match['time']}",
        auth=CONNECTION_AUTH.get(auth.lower(), auth),
        remote_alias=alias,
        remote_id=remote_id,
    )


def parse_transfer(text: str) -> TransferEntry | None:
    """A file_transfer_trace.txt line, or None when the line is not one."""
    match = TRANSFER_LINE.match(text)
    if not match:
        return None
    when = _minute(match["date"], match["time"])
    if when is None:
        return None
    return TransferEntry(
        channel=match["channel"].strip() or "unknown",
        time=when,
        time_raw=f"{match['date']}, {match['time']}",
        state=match["state"].lower(),
        direction=match["direction"].lower(),
        name=match["name"],
        size=(match["size"] or "").strip() or None,
    )
