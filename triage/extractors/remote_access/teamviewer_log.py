"""TeamViewer application logs: ``TeamViewer<N>_Logfile.log`` and the ``_OLD`` file it rotated to.

Line format (plaso ``teamviewer.py`` test data, dissect.target ``teamviewer.py``)::

    2024/02/16 06:16:32.444  2216       2492 S0   CommandHandlerRouting[2]::CreatePassive...

date (``YYYY/MM/DD``; older versions write ``MM/DD`` and the year comes from the ``Start:``
header; some write ``YY/MM/DD``), time (``.mmm`` or ``:mmm``), process and thread IDs, a
process flag, the message. The times are the device's *local* time: the ``Start:`` header that
opens every process's log gives the offset in newer versions (``Start: 2024/02/16 06:05:19.548
(UTC-8:00)``), and lines are converted to UTC with it. plaso's sample proves the point: the
incoming session logged at 06:16:32 local is 14:16:32 in ``Connections_incoming.txt`` (UTC).

Messages read (all from the plaso sample unless marked): own ID (``IDs changed: SessionID``,
``ManageLogin(): ID:``, ``New machineID =``), ``CreatePassiveSession(): incoming session via``,
``client hello received from <ID>``, ``AuthenticationBlocker`` (authentication attempts of a
peer), ``participant <name> (ID [<ID>,<session>]) was added`` (names), ``Session to <ID>
ended``; ``CreateActiveSession`` and ``Trying connection to <ID>`` for outgoing sessions are
read as well but are *not* verified against a real log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.remote_access.bad_lines import BadLines
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import read_lines
from triage.extractors.remote_access.sessions import SessionDraft
from triage.extractors.text_lines import READ_ERRORS
from triage.records import IdentityFact, RemoteAccessEvent, RemoteAccessSession, SourceRef
from triage.timestamps import format_utc

TOOL = "TeamViewer"
PRESCAN_LINES = 5000  # lines read ahead for the first Start: header

LOG_LINE = re.compile(
    r"^(?P<date>(?:\d{2,4}/)?\d{2}/\d{2})\s(?P<time>\d{2}:\d{2}:\d{2}(?:[.:]\d{1,6})?)\s+"
    r"(?P<pid>\d+)\s+(?P<tid>\d+)\s+(?:(?P<flag>[A-Z]*\d+!*)\s+)?(?P<message>.*)$"
)
START = re.compile(
    r"^Start:\s+(?P<date>\d{4}/\d{2}/\d{2})\s+(?P<time>\d{2}:\d{2}:\d{2})(?:[.:]\d+)?"
    r"(?:\s+\(UTC(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?\))?"
)
HEADER_ID = re.compile(r"^ID:\s+(?P<id>\d+)\s*$")
# MID: 0x<NIC MAC, 12 hex digits>_<...>_<...> (TeamViewer's machine ID starts with the MAC of the
# network card it was made from), IP: the address TeamViewer saw at start. Both tie the device to
# a router's lease of that MAC or IP.
HEADER_MID = re.compile(r"^MID:\s+0x(?P<mac>[0-9A-Fa-f]{12})(?:_|\s*$)")
HEADER_IP = re.compile(r"^IP:\s+(?P<ip>\d{1,3}(?:\.\d{1,3}){3})\s*$")
KEYWORDS = re.compile(
    r"IDs changed|ManageLogin|New machineID|CreatePassiveSession|CreateActiveSession|"
    r"client hello received|AuthenticationBlocker|was added with the role|Session to \d+ ended|"
    r"Trying connection to|ConnectionGuard"
)
OWN_ID = (
    re.compile(r'IDs changed: SessionID "(?P<id>\d+)"'),
    re.compile(r"ManageLogin\(\): ID: (?P<id>\d+)"),
    re.compile(r"New machineID = (?P<id>\d+)"),
)
INCOMING = re.compile(r"CreatePassiveSession\(\): incoming session via (?P<via>[^,\s]+)")
OUTGOING = re.compile(r"CreateActiveSession\(\)|Trying connection to (?P<id>\d+)")
HELLO = re.compile(r"client hello received from (?P<id>\d+)")
AUTH = re.compile(r"AuthenticationBlocker::(?P<what>\w+): .*DyngateID (?P<id>\d+)")
PARTICIPANT = re.compile(
    r"participant (?P<name>.+?) \(ID \[(?P<id>\d+),(?P<sid>\d+)\]\) "
    r"was added with the role (?P<role>\d+)"
)
ENDED = re.compile(r"Session to (?P<id>\d+) ended")


@dataclass
class LogClock:
    """Year and UTC offset in force, from the latest ``Start:`` header."""

    year: int | None = None
    offset: timedelta | None = None
    last_month: int | None = None

    def start(self, line: str) -> bool:
        """Read a ``Start:`` header; True when the line was one."""
        match = START.match(line)
        if not match:
            return False
        self.year = int(match["date"][:4])
        self.last_month = int(match["date"][5:7])
        if match["sign"]:
            minutes = int(match["hours"]) * 60 + int(match["minutes"] or 0)
            self.offset = timedelta(minutes=minutes if match["sign"] == "+" else -minutes)
        elif "(UTC)" in line:
            self.offset = timedelta(0)
        else:
            self.offset = None
        return True

    def note(self) -> str:
        """How the times of the lines were converted."""
        if self.offset is None:
            return (
                "TeamViewer log time: local time of the device, UTC offset unknown (no offset "
                "in the Start: header); stored as if UTC"
            )
        total = int(self.offset.total_seconds() // 60)
        sign = "+" if total >= 0 else "-"
        hours, minutes = divmod(abs(total), 60)
        return (
            f"TeamViewer log time: local time UTC{sign}{hours}:{minutes:02d} "
            "(from the log's Start: header), converted to UTC"
        )

    def convert(self, date: str, time: str) -> tuple[datetime | None, str | None]:
        """UTC time of a line and, when it cannot be placed, why."""
        parts = date.split("/")
        if len(parts) == 2:
            if self.year is None:
                return None, "the line has no year and no Start: header gives one"
            month = int(parts[0])
            if self.last_month is not None and month < self.last_month:
                self.year += 1  # December -> January inside one process's log
            self.last_month = month
            year, month_text, day = self.year, parts[0], parts[1]
        else:
            year = int(parts[0]) + (2000 if len(parts[0]) == 2 else 0)
            month_text, day = parts[1], parts[2]
            self.last_month = int(month_text)
        if time.count(":") == 3:  # HH:MM:SS:mmm
            hms, _, fraction = time.rpartition(":")
        else:
            hms, _, fraction = time.partition(".")
        try:
            naive = datetime.strptime(f"{year}-{month_text}-{day} {hms}", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None, f"invalid date {date} {time}"
        naive = naive.replace(microsecond=int((fraction or "0")[:6].ljust(6, "0")))
        zone = timezone(self.offset) if self.offset is not None else UTC
        return naive.replace(tzinfo=zone).astimezone(UTC), None


@dataclass
class LogState:
    """Own ID and session state of one TeamViewer log folder (across rotation)."""

    user: str | None
    clock: LogClock = field(default_factory=LogClock)
    own_id: str | None = None
    reported_own_id: str | None = None
    open: list[SessionDraft] = field(default_factory=list)
    drafts: list[SessionDraft] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    header_facts: set[tuple[str, str]] = field(default_factory=set)  # (key, value) yielded

    def session_for(self, remote_id: str | None) -> SessionDraft | None:
        """The open session with this peer, else the open session whose peer is unknown."""
        for draft in reversed(self.open):
            if draft.remote_id == remote_id:
                return draft
        for draft in reversed(self.open):
            if draft.remote_id is None:
                return draft
        return None

    def open_session(
        self,
        source: SourceRef,
        when: datetime | None,
        raw: str,
        direction: str | None,
        remote_id: str | None,
        note: str,
    ) -> SessionDraft:
        """Start a session."""
        draft = SessionDraft(
            tool=TOOL,
            source=source,
            start=when,
            start_raw=raw,
            direction=direction,
            remote_id=remote_id,
            own_id=self.own_id,
            user=self.user,
            time_note=note,
        )
        self.open.append(draft)
        self.drafts.append(draft)
        return draft


def _rotation_order(file: StoredFile) -> tuple[int, str, str]:
    name = file.path.name.lower()
    return (0 if "_old" in name else 1, file.modified or "", name)


class TeamViewerLogfile(Extractor):
    """TeamViewer ``TeamViewer<N>_Logfile.log`` (+ ``_OLD``): own ID, sessions, peers' names.

    Where: ``C:\\Program Files[ (x86)]\\TeamViewer\\`` (service), ``%APPDATA%\\TeamViewer\\``,
    ``~/Library/Logs/TeamViewer/`` (macOS), ``/var/log/teamviewer*/``. Rows: own ID, incoming
    session requests, the peer's ID, authentication attempts, participants' names, session ends;
    and sessions from start to end. Local times are converted to UTC with the ``Start:``
    header's offset; years missing from older lines come from that header too. References:
    plaso ``text_plugins/teamviewer.py`` (test data TeamViewer15_Logfile.log), dissect.target
    ``teamviewer.py`` (``parse_start``).
    """

    name = "teamviewer.logfile"
    description = "TeamViewer log file: own ID, incoming/outgoing sessions, peers' IDs and names"
    record_types = (RemoteAccessEvent, RemoteAccessSession, IdentityFact)
    patterns = (
        "**/TeamViewer*_Logfile*.log",
        "**/TeamViewer/*Logfile*.log",
        "**/Library/Logs/TeamViewer/*.log",
        "**/var/log/teamviewer*/*.log",
    )

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        """Events as the logs stream by; the sessions of each folder at its end."""
        folders: dict[str, list[StoredFile]] = {}
        for file in files:
            folders.setdefault(str(file.path.parent).lower(), []).append(file)
        for group in folders.values():
            state = LogState(user=profile_user(group[0].path))
            for file in sorted(group, key=_rotation_order):
                yield from self._log(file, ctx, state)
            for draft in state.drafts:
                yield draft.to_record()

    def _prescan(self, file: StoredFile, ctx: ExtractionContext, state: LogState) -> LogClock:
        """The clock for the lines before the file's first ``Start:`` header: that header's (a
        process logs a few lines before it), else the clock of the file it rotated from."""
        clock = LogClock()
        for number, text in read_lines(ctx, file):
            if clock.start(text.strip()) or number > PRESCAN_LINES:
                break
        if clock.year is None:
            clock = state.clock
        state.clock = clock
        return clock

    def _log(
        self, file: StoredFile, ctx: ExtractionContext, state: LogState
    ) -> Iterator[RemoteAccessEvent | IdentityFact]:
        source = ctx.source_ref(file)
        bad = BadLines(ctx, file)
        try:
            clock = self._prescan(file, ctx, state)
            for number, text in read_lines(ctx, file):
                stripped = text.strip()
                if stripped.startswith("Start:"):
                    clock.start(stripped)
                    continue
                if header := HEADER_ID.match(stripped):
                    yield from self._own_id(header["id"], None, None, clock, source, state)
                    continue
                if fact := _header_fact(stripped, source, state):
                    yield fact
                    continue
                if not KEYWORDS.search(text):
                    continue
                match = LOG_LINE.match(stripped)
                if not match:
                    bad.report(f"line {number}: not a TeamViewer log line: {text[:200]!r}")
                    continue
                when, why = clock.convert(match["date"], match["time"])
                if why:
                    bad.report(f"line {number}: {why}")
                raw = f"{match['date']} {match['time']}"
                yield from self._message(match["message"], when, raw, clock, source, state)
        except READ_ERRORS as error:
            ctx.problem(f"could not read the TeamViewer log to its end: {error}", file)
        bad.summarise("log lines")

    def _own_id(
        self,
        own_id: str,
        when: datetime | None,
        raw: str | None,
        clock: LogClock,
        source: SourceRef,
        state: LogState,
    ) -> Iterator[RemoteAccessEvent]:
        if own_id == "0":
            return
        state.own_id = own_id
        for draft in state.open:
            draft.own_id = draft.own_id or own_id
        if own_id != state.reported_own_id:
            state.reported_own_id = own_id
            yield make_event(
                source,
                TOOL,
                "own_id",
                time=when,
                time_raw=raw,
                own_id=own_id,
                user=state.user,
                detail=f"own TeamViewer ID {own_id}",
                time_note=clock.note() if when else None,
            )

    def _message(
        self,
        message: str,
        when: datetime | None,
        raw: str,
        clock: LogClock,
        source: SourceRef,
        state: LogState,
    ) -> Iterator[RemoteAccessEvent]:
        note = clock.note()
        for pattern in OWN_ID:
            if found := pattern.search(message):
                yield from self._own_id(found["id"], when, raw, clock, source, state)
                return
        kind: str | None = None
        draft: SessionDraft | None = None
        remote_id: str | None = None
        if found := INCOMING.search(message):
            kind = "session_request"
            draft = state.open_session(source, when, raw, "incoming", None, note)
            draft.note(f"incoming session via {found['via']}")
        elif found := OUTGOING.search(message):
            kind = "session_request"
            remote_id = found["id"]
            draft = state.open_session(source, when, raw, "outgoing", remote_id, note)
        elif found := HELLO.search(message):
            remote_id = found["id"]
            draft = state.session_for(remote_id)
            if draft is None:
                draft = state.open_session(source, when, raw, None, remote_id, note)
            draft.remote_id = draft.remote_id or remote_id
            if ("hello", remote_id) in state.seen:
                return
            state.seen.add(("hello", remote_id))
            kind = "connect"
        elif found := AUTH.search(message):
            remote_id = found["id"]
            draft = state.session_for(remote_id)
            kind = "auth"
            if draft is not None and found["what"] == "Reset":
                draft.auth = draft.auth or "accepted (authentication attempts reset)"
        elif found := PARTICIPANT.search(message):
            remote_id = found["id"]
            if (
                remote_id == state.own_id
                or ("participant", f"{remote_id} {found['name']}") in state.seen
            ):
                return
            state.seen.add(("participant", f"{remote_id} {found['name']}"))
            draft = state.session_for(remote_id)
            if draft is None:
                draft = state.open_session(source, when, raw, None, remote_id, note)
            draft.remote_id = draft.remote_id or remote_id
            draft.remote_alias = draft.remote_alias or found["name"]
            kind = "participant"
        elif found := ENDED.search(message):
            remote_id = found["id"]
            kind = "session_end"
            draft = state.session_for(remote_id)
            if draft is None:
                draft = state.open_session(source, None, None, None, remote_id, note)
                draft.note("session start not in the log (rotated or cut)")
            draft.remote_id = draft.remote_id or remote_id
            draft.end, draft.end_raw = when, raw
            if draft.source.path != source.path:
                draft.note(f"end logged in {source.path} (the log rotated)")
            state.open.remove(draft)
            state.seen = {item for item in state.seen if item[1].split()[0] != remote_id}
        elif "ConnectionGuard" in message:
            if (draft := state.session_for(None)) is not None:
                draft.note(message.strip())
            return
        if kind is None:
            return
        yield make_event(
            source,
            TOOL,
            kind,
            time=when,
            time_raw=raw,
            own_id=state.own_id,
            remote_id=remote_id or (draft.remote_id if draft else None),
            remote_alias=draft.remote_alias if draft else None,
            direction=draft.direction if draft else None,
            user=state.user,
            detail=message.strip(),
            session_key=f"teamviewer:{format_utc(draft.start)}" if draft and draft.start else None,
            time_note=note if when else None,
        )


def _header_fact(line: str, source: SourceRef, state: LogState) -> IdentityFact | None:
    """The NIC MAC of a ``MID:`` header line, or the address of an ``IP:`` one, once per file
    and value (every process start repeats the header)."""
    if match := HEADER_MID.match(line):
        digits = match["mac"].lower()
        key, value = "mac_address", ":".join(digits[i : i + 2] for i in range(0, 12, 2))
        detail = "network card MAC from TeamViewer's machine ID (MID header)"
    elif match := HEADER_IP.match(line):
        key, value, detail = "ip_address", match["ip"], "address in TeamViewer's log header"
    else:
        return None
    if (key, value) in state.header_facts:
        return None
    state.header_facts.add((key, value))
    return IdentityFact(
        source, "network", key, value, detail=detail, value_raw=line.split(None, 1)[1]
    )
