"""AnyDesk sessions from the trace logs, ``connection_trace.txt`` and ``file_transfer_trace.txt``.

Every recognised line becomes a :class:`RemoteAccessEvent` as the file streams by; the session
state of each log (a trace file and its rotated predecessor) turns request, login,
authentication and end lines into session drafts. Drafts from all AnyDesk files of the device
are then merged (the service trace, the user trace and connection_trace.txt describe the same
connection), given the own ID and the peers' aliases from the config files when the traces do
not name them, and the file transfers and clipboard use that happened during each session.

Formats: :mod:`anydesk_trace` (trace lines), :mod:`anydesk_tables` (the two ``.txt`` logs),
:mod:`anydesk_config` (own ID, address book). Scammers' laptops log *outgoing* sessions: the
remote ID of each one is a victim's AnyDesk ID.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.remote_access.anydesk_config import TOOL, read_conf, roster_items
from triage.extractors.remote_access.anydesk_tables import parse_connection, parse_transfer
from triage.extractors.remote_access.anydesk_trace import (
    KEYWORDS,
    TIME_NOTE,
    TraceEvent,
    TraceLine,
    classify,
    parse_line,
)
from triage.extractors.remote_access.bad_lines import BadLines, parsed_lines
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import read_lines
from triage.extractors.remote_access.sessions import SessionDraft, merge_drafts
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent, RemoteAccessSession, SourceRef
from triage.timestamps import format_utc

DUPLICATE_WINDOW = timedelta(seconds=2)  # one request is often logged by two components
MAX_NOTES = 60  # activity lines kept in one session's detail
CONFIG_NAMES = ("system.conf", "service.conf", "user.conf")
CONNECTION_TIME_NOTE = "connection_trace.txt: UTC, minute resolution"
TRANSFER_TIME_NOTE = "file_transfer_trace.txt: UTC, minute resolution"


@dataclass
class Activity:
    """A file transfer or clipboard use, attached to the session it happened in."""

    time: datetime
    text: str
    file_name: str | None = None
    slack: timedelta = timedelta(0)


@dataclass
class TraceLog:
    """Session state of one trace log (a file and the files it rotated from)."""

    user: str | None
    own_id: str | None = None
    external: str | None = None
    peer_id: str | None = None
    open: list[SessionDraft] = field(default_factory=list)
    drafts: list[SessionDraft] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)

    def _latest_open(self) -> SessionDraft | None:
        return self.open[-1] if self.open else None

    def _key(self, draft: SessionDraft) -> str:
        return f"anydesk:{draft.remote_id}:{format_utc(draft.start)}"

    def _open(self, line: TraceLine, event: TraceEvent, source: SourceRef) -> SessionDraft:
        for draft in reversed(self.open):
            if draft.direction != event.direction or draft.remote_id != event.remote_id:
                continue
            if draft.auth is None and line.time - draft.start <= DUPLICATE_WINDOW:
                draft.remote_alias = draft.remote_alias or event.remote_alias
                return draft  # the same request, logged by a second component
            if draft.auth is None:
                draft.note(f"superseded by a new connection request at {line.time_raw}")
                self.open.remove(draft)
            break
        draft = SessionDraft(
            tool=TOOL,
            source=source,
            start=line.time,
            start_raw=line.time_raw,
            direction=event.direction,
            remote_id=event.remote_id,
            remote_alias=event.remote_alias,
            own_id=self.own_id,
            user=self.user,
            time_note=TIME_NOTE,
        )
        if self.external:
            draft.note(f"own external address {self.external}")
        self.open.append(draft)
        self.drafts.append(draft)
        return draft

    def feed(
        self, line: TraceLine, event: TraceEvent, source: SourceRef
    ) -> RemoteAccessEvent | None:
        """Update the state with one recognised line; the event to record, if any."""
        draft: SessionDraft | None = None
        kind = event.kind
        if kind == "own_id":
            self.own_id = event.own_id
            for waiting in self.open:
                waiting.own_id = waiting.own_id or event.own_id
        elif kind == "external_address":
            self.external = f"{event.path}:{event.port}"
        elif kind == "peer_id":
            self.peer_id = event.remote_id
            return None
        elif kind == "app_start":
            for waiting in self.open:
                waiting.note("AnyDesk restarted before a session end was logged")
            self.open.clear()
            self.peer_id = None
        elif kind == "session_request":
            draft = self._open(line, event, source)
            self.peer_id = event.remote_id
        elif kind == "remote_info":
            if (draft := self._latest_open()) is not None:
                draft.note(line.message)
            return None
        else:
            draft = self._latest_open()
            if draft is not None:
                self._apply(draft, line, event, source)
            if kind in ("file_transfer", "clipboard"):
                label = "file transfer" if kind == "file_transfer" else "clipboard"
                self.activities.append(
                    Activity(line.time, f"{label} {line.time_raw}: {line.message}")
                )
        return make_event(
            source,
            TOOL,
            kind,
            time=line.time,
            time_raw=line.time_raw,
            own_id=(draft.own_id if draft else None) or self.own_id or event.own_id,
            remote_id=(draft.remote_id if draft else None) or event.remote_id or self._peer(kind),
            remote_alias=draft.remote_alias if draft else event.remote_alias,
            remote_ip=event.remote_ip,
            direction=draft.direction if draft else event.direction,
            user=self.user,
            detail=line.message,
            session_key=self._key(draft) if draft else None,
            time_note=TIME_NOTE,
        )

    def _peer(self, kind: str) -> str | None:
        return self.peer_id if kind == "login" else None

    def _apply(
        self, draft: SessionDraft, line: TraceLine, event: TraceEvent, source: SourceRef
    ) -> None:
        kind = event.kind
        if kind == "login":
            if self.peer_id in (None, draft.remote_id):
                draft.remote_ip = draft.remote_ip or event.remote_ip
            draft.note(line.message.rstrip("."))
        elif kind == "auth":
            draft.auth = draft.auth or event.auth
        elif kind == "auth_failed":
            draft.note(f"{line.time_raw}: {line.message}")
        elif kind == "session_started":
            draft.note(f"session started {line.time_raw}")
        elif kind == "session_end":
            draft.end, draft.end_raw = line.time, line.time_raw
            if draft.source.path != source.path:
                draft.note(f"end logged in {source.path} (the log rotated)")
            if "closed by" in line.message:
                draft.note(line.message.rstrip("."))
            self.open.remove(draft)


def _group_key(path: PurePosixPath) -> tuple[str, str]:
    name = path.name.lower()
    for suffix in (".old", ".bak", ".1"):
        name = name.removesuffix(suffix)
    return str(path.parent).lower(), name


def _rotation_order(file: StoredFile) -> tuple[int, str, str]:
    name = file.path.name.lower()
    newest = not name.endswith((".old", ".bak", ".1"))
    return (int(newest), file.modified or "", name)


class AnyDeskTraces(Extractor):
    """AnyDesk sessions and events from ``ad.trace``, ``ad_svc.trace`` and the ``.txt`` logs.

    Where: ``C:\\ProgramData\\AnyDesk\\ad_svc.trace`` (service), ``%APPDATA%\\AnyDesk\\ad.trace``
    (user; also the SYSTEM profile and ``ad_*`` folders of custom clients), ``connection_trace.txt``
    and ``file_transfer_trace.txt`` beside them, ``/var/log/anydesk.trace``,
    ``~/.anydesk/anydesk.trace`` on Linux and macOS. Rows: one event per recognised line
    (request, login from an IP, authentication, end, file transfer, clipboard, own ID) and one
    session per connection (start, end, direction, peer ID and alias, IP, authentication,
    files). Trace times are UTC without a zone designator. References: dissect.target
    ``anydesk.py``, artemis-api ``anydesk/trace.ts``, AnyDesk KB "Connection Log".
    """

    name = "anydesk.traces"
    description = "AnyDesk sessions: peers' IDs, aliases and IPs, authentication, file transfers"
    record_types = (RemoteAccessEvent, RemoteAccessSession)
    patterns = (
        "**/ad.trace",
        "**/ad_svc.trace",
        "**/ad*.trace.old",
        "**/AnyDesk/*.trace",
        "**/AnyDesk/ad_*/*.trace",
        "**/anydesk*.trace",
        "**/anydesk*/*.trace",
        "**/.anydesk*/*.trace",
        "**/com.anydesk.anydeskandroid/**/*.trace",
        "**/connection_trace.txt",
        "**/file_transfer_trace.txt",
    )

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        """Events as the files stream by, then the merged sessions."""
        drafts: list[SessionDraft] = []
        activities: list[Activity] = []
        traces: dict[tuple[str, str], list[StoredFile]] = {}
        for file in files:
            name = file.path.name.lower()
            if name == "connection_trace.txt":
                yield from self._connections(file, ctx, drafts)
            elif name == "file_transfer_trace.txt":
                yield from self._transfers(file, ctx, activities)
            else:
                traces.setdefault(_group_key(file.path), []).append(file)
        for group in traces.values():
            log = TraceLog(user=profile_user(group[0].path))
            for file in sorted(group, key=_rotation_order):
                yield from self._trace(file, ctx, log)
            drafts.extend(log.drafts)
            activities.extend(log.activities)
        sessions = merge_drafts(drafts)
        self._complete(sessions, activities, ctx)
        for draft in sorted(sessions, key=lambda d: (d.start is None, format_utc(d.start) or "")):
            yield draft.to_record()

    # -- the three kinds of log --------------------------------------------------------------
    def _trace(
        self, file: StoredFile, ctx: ExtractionContext, log: TraceLog
    ) -> Iterator[RemoteAccessEvent]:
        source = ctx.source_ref(file)
        bad = BadLines(ctx, file)
        try:
            for number, text in read_lines(ctx, file):
                if not KEYWORDS.search(text):
                    continue
                line = parse_line(text)
                if line is None:
                    bad.report(f"line {number}: not an AnyDesk trace line: {text[:200]!r}")
                    continue
                event = classify(line)
                if event is None:
                    continue
                record = log.feed(line, event, source)
                if record is not None:
                    yield record
        except READ_ERRORS as error:
            ctx.problem(f"could not read the AnyDesk trace to its end: {error}", file)
        bad.summarise("trace lines")

    def _connections(
        self, file: StoredFile, ctx: ExtractionContext, drafts: list[SessionDraft]
    ) -> Iterator[RemoteAccessEvent]:
        source = ctx.source_ref(file)
        user = profile_user(file.path)
        try:
            for entry in parsed_lines(ctx, file, parse_connection, "a connection_trace line"):
                rejected = entry.auth == "rejected"
                yield make_event(
                    source,
                    TOOL,
                    "rejected" if rejected else "connection",
                    time=entry.time,
                    time_raw=entry.time_raw,
                    remote_id=entry.remote_id,
                    remote_alias=entry.remote_alias,
                    direction=entry.direction,
                    user=user,
                    detail=f"{entry.direction} {entry.auth}",
                    time_note=CONNECTION_TIME_NOTE,
                )
                if not rejected:
                    drafts.append(
                        SessionDraft(
                            tool=TOOL,
                            source=source,
                            start=entry.time,
                            start_raw=entry.time_raw,
                            direction=entry.direction,
                            remote_id=entry.remote_id,
                            remote_alias=entry.remote_alias,
                            auth=entry.auth,
                            user=user,
                            time_note=TIME_NOTE,
                            coarse_start=True,
                        )
                    )
        except READ_ERRORS as error:
            ctx.problem(f"could not read connection_trace.txt to its end: {error}", file)

    def _transfers(
        self, file: StoredFile, ctx: ExtractionContext, activities: list[Activity]
    ) -> Iterator[RemoteAccessEvent]:
        source = ctx.source_ref(file)
        user = profile_user(file.path)
        try:
            for entry in parsed_lines(ctx, file, parse_transfer, "a file_transfer_trace line"):
                detail = f"{entry.channel} {entry.state} {entry.direction} '{entry.name}'"
                if entry.size:
                    detail += f" ({entry.size})"
                activities.append(
                    Activity(
                        entry.time, f"{entry.time_raw}: {detail}", entry.name, timedelta(seconds=60)
                    )
                )
                yield make_event(
                    source,
                    TOOL,
                    "file_transfer",
                    time=entry.time,
                    time_raw=entry.time_raw,
                    direction=None,
                    user=user,
                    detail=detail,
                    time_note=TRANSFER_TIME_NOTE,
                )
        except READ_ERRORS as error:
            ctx.problem(f"could not read file_transfer_trace.txt to its end: {error}", file)

    # -- completing the sessions -------------------------------------------------------------
    def _complete(
        self, sessions: list[SessionDraft], activities: list[Activity], ctx: ExtractionContext
    ) -> None:
        own_ids: set[str] = set()
        aliases: dict[str, str] = {}
        confs = [conf for name in CONFIG_NAMES for conf in ctx.find(f"**/*anydesk*/**/{name}")]
        for conf in confs:
            values = read_conf(ctx, conf)
            if not values:
                continue
            if values.get("ad.anynet.id"):
                own_ids.add(values["ad.anynet.id"])
            for key in ("ad.roster.items", "ad.roster.favorites"):
                for item in roster_items(values.get(key, "")):
                    if item.remote_id and item.alias:
                        aliases.setdefault(item.remote_id, item.alias)
        own = next(iter(own_ids)) if len(own_ids) == 1 else None
        for draft in sessions:
            draft.own_id = draft.own_id or own
            if draft.remote_alias is None and draft.remote_id in aliases:
                draft.remote_alias = aliases[draft.remote_id]
                draft.note("alias from the AnyDesk address book (user.conf)")
        for activity in sorted(activities, key=lambda a: a.time):
            covering = [d for d in sessions if d.covers(activity.time, activity.slack)]
            if not covering:
                continue
            target = max(covering, key=lambda d: d.start)
            if activity.file_name:
                target.add_file(activity.file_name)
            if len(target.notes) < MAX_NOTES:
                target.note(activity.text)
