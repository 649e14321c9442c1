"""AnyDesk trace lines (``ad.trace``, ``ad_svc.trace``, ``anydesk.trace``) and what they mean.

Line format (dissect.target ``anydesk.py``; artemis-api ``applications/anydesk/trace.ts``)::

    <level> <YYYY-MM-DD> <HH:MM:SS.mmm> <process> [<thread>] <pid> <tid> [<fiber>] <component>
        - <message>

The time is UTC without a zone designator (dissect docstring). Lines of ``* * * * *`` separate
process starts. Only the messages that tell who connected, how and when are turned into events;
the patterns come from the real traces in artemis-api's test data (AnyDesk 7.1.0 service and
user traces), the Velociraptor AnyDesk artifacts (``Incoming session request``, ``Logged in
from``, ``External address``, ``Preparing files in``) and alexandruhera.com's list of
authentication messages (``Authenticated by password`` ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

TIME_NOTE = "AnyDesk trace time: UTC written without a zone designator"

TRACE_LINE = re.compile(
    r"^\s*(?P<level>[A-Za-z]+)\s+(?P<date>\d{4}-\d{2}-\d{2})\s+"
    r"(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\s+(?P<head>.*?)\s"
    r"(?P<component>[A-Za-z_][\w.]*)\s+-(?:\s(?P<message>.*))?$"
)

# Cheap test before the full parse: a line without any of these words is not an event.
KEYWORDS = re.compile(
    r"session request|Accept request from|Connecting to|connection request for address|"
    r"Logged in from|Authenticated|Passphrase not accepted|Session stopped|Session closed|"
    r"Session started|New user data|External address|Preparing files|Preparation of|"
    r"Download (?:started|finished)|Upload (?:started|finished)|file paste|offer \(|"
    r"on the clipboard|\* Version|Remote OS|Remote version|Client-ID"
)

AUTH_METHODS = (
    ("local user (elevated)", "local user (elevated)"),
    ("local user", "local user"),
    ("password", "password"),
    ("permanent token", "token"),
    ("token", "token"),
    ("passphrase", "passphrase"),
)


@dataclass(frozen=True, slots=True)
class TraceLine:
    """One parsed trace line."""

    level: str
    time: datetime
    time_raw: str
    process: str
    component: str
    message: str


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """What a trace line says, when it says something about a connection."""

    kind: str  # see :func:`classify`
    direction: str | None = None
    remote_id: str | None = None
    remote_alias: str | None = None
    remote_ip: str | None = None
    port: str | None = None
    own_id: str | None = None
    auth: str | None = None
    path: str | None = None
    detail: str | None = None


def parse_line(text: str) -> TraceLine | None:
    """A trace line's fields, or None when it is not a trace line."""
    match = TRACE_LINE.match(text)
    if not match:
        return None
    raw = f"{match['date']} {match['time']}"
    try:
        when = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S.%f" if "." in raw else "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    head = match["head"].split()
    return TraceLine(
        level=match["level"],
        time=when.replace(tzinfo=UTC),
        time_raw=raw,
        process=head[0] if head else "",
        component=match["component"],
        message=(match["message"] or "").strip(),
    )


def auth_method(text: str) -> str:
    """A normalised authentication method from ``Authenticated by/with ...``."""
    lowered = text.lower()
    for needle, method in AUTH_METHODS:
        if needle in lowered:
            return method
    return lowered


_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Incoming session request: (?P<alias>.*) \((?P<id>\d+)\)$"), "session_request"),
    (re.compile(r"Accept request from (?P<id>\d+)"), "accept_request"),
    (re.compile(r"(?:\d+: )?Connecting to \"(?P<id>[^\"]+)\""), "connect_request"),
    (re.compile(r"^Connecting to (?P<id>\d+)\.?$"), "connect_request"),
    (re.compile(r"Sending a connection request for address (?P<id>\S+?)\.?$"), "connect_request"),
    (re.compile(r"New user data\. Client-ID: (?P<id>\d+)"), "own_id"),
    (re.compile(r"^Client-ID: (?P<id>\d+)"), "peer_id"),
    (
        re.compile(
            r"Logged in from (?P<ip>\[[^\]]+\]|[^\s:]+):(?P<port>\d+)(?: on relay (?P<r>\w+))?"
        ),
        "login",
    ),
    (re.compile(r"Authenticated (?:by|with) (?P<how>.+?)\.?$"), "auth"),
    (re.compile(r"Passphrase not accepted|Authentication failed"), "auth_failed"),
    (re.compile(r"Session closed by (?P<side>\w+) side(?:: (?P<reason>[^.]+))?"), "session_end"),
    (re.compile(r"^Session stopped"), "session_end"),
    (re.compile(r"^Session started \((?P<status>\w+)\)"), "session_started"),
    (re.compile(r"External address: (?P<ip>\[[^\]]+\]|[^\s:]+):(?P<port>\d+)"), "external_address"),
    (re.compile(r"Preparing files in '(?P<path>.*)'"), "file_transfer"),
    (re.compile(r"Preparation of \d+ files? completed"), "file_transfer"),
    (re.compile(r"^(?:Download|Upload) (?:started|finished)"), "file_transfer"),
    (re.compile(r"Finished file paste operation"), "file_transfer"),
    (re.compile(r"Got an? \w+ offer"), "clipboard"),
    (re.compile(r"Putting \w+ data on the clipboard"), "clipboard"),
    (re.compile(r"^\* Version (?P<version>\S+)"), "app_start"),
    (re.compile(r"^Remote (?:OS|version): "), "remote_info"),
)


def classify(line: TraceLine) -> TraceEvent | None:
    """The event a trace line records, or None for the many lines that record none."""
    message = line.message
    for pattern, kind in _RULES:
        match = pattern.search(message)
        if not match:
            continue
        groups = match.groupdict()
        if kind == "session_request":
            return TraceEvent(
                kind, "incoming", groups["id"], groups["alias"].strip() or None, detail=message
            )
        if kind == "accept_request":
            return TraceEvent("session_request", "incoming", groups["id"], detail=message)
        if kind == "connect_request":
            remote = groups["id"].strip()
            return TraceEvent("session_request", "outgoing", remote, detail=message)
        if kind == "own_id":
            return TraceEvent(kind, own_id=groups["id"], detail=message)
        if kind == "peer_id":
            return TraceEvent(kind, remote_id=groups["id"], detail=message)
        if kind == "login":
            return TraceEvent(
                kind, remote_ip=groups["ip"].strip("[]"), port=groups["port"], detail=message
            )
        if kind == "auth":
            return TraceEvent(kind, auth=auth_method(groups["how"]), detail=message)
        if kind == "external_address":
            return TraceEvent(
                kind, port=groups["port"], path=groups["ip"].strip("[]"), detail=message
            )
        if kind == "file_transfer":
            return TraceEvent(kind, path=groups.get("path"), detail=message)
        return TraceEvent(kind, detail=message)
    return None
