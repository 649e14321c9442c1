"""Splashtop Streamer log ``SPLog.txt``: clients connecting from an IP, file transfers.

Line format (dissect.target ``splashtop.py`` and its test)::

    <1>Jul14 15:15:38.194  SM_03280[Network] [LAN-S][Server] client connected from 10.199.5.134
        (2), 288
    <1>Jul14 15:17:30.766  SM_03280[FTCnnel] OnUploadFileCPRequest 1, 1 =>{"fileID":"353841253",
        "fileName":"NOTE.txt",...}

The time has no year and no zone: it is the device's local time. Like dissect's
``year_rollover_helper``, the year of the *last* line is taken from the file's modification time
and earlier lines step back a year at every January -> December turn; this needs two passes
over the stream. ``client disconnected`` closing a session is *not* verified against a real log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, stored_time
from triage.extractors.remote_access.bad_lines import BadLines
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import read_lines
from triage.extractors.remote_access.sessions import SessionDraft
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent, RemoteAccessSession

TOOL = "Splashtop"
TIME_NOTE = (
    "Splashtop log time: local time of the device without year or zone; year from the file's "
    "modification time, stored as if UTC"
)
MONTHS = {
    name: index
    for index, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
LOG_LINE = re.compile(
    r"^<\d+>(?P<mon>[A-Z][a-z]{2})\s?(?P<day>\d{1,2}) "
    r"(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\s+(?P<msg>.*)$"
)
CONNECTED = re.compile(r"client connected from (?P<ip>[0-9a-fA-F.:]+)")
DISCONNECTED = re.compile(r"client disconnected", re.IGNORECASE)
TRANSFER = re.compile(r"On(?:Upload|Download)\w*Request .*?=>(?P<json>\{.*\})")


def _month(match: re.Match[str]) -> int | None:
    return MONTHS.get(match["mon"])


def _same_client(
    current: SessionDraft | None, connected: re.Match[str], when: datetime | None
) -> bool:
    """A second channel of an open session (same IP within a minute), not a new session."""
    return (
        current is not None
        and current.end is None
        and current.remote_ip == connected["ip"]
        and current.start is not None
        and when is not None
        and (when - current.start).total_seconds() <= 60
    )


class SplashtopLogs(Extractor):
    """Splashtop ``SPLog.txt``: incoming clients with their IP, file transfers, sessions.

    Where: ``C:\\Program Files (x86)\\Splashtop\\Splashtop Remote\\Server\\log\\SPLog.txt``
    (also used by Atera's remote access). Reference: dissect.target ``splashtop.py``.
    """

    name = "splashtop.logs"
    description = "Splashtop Streamer log: clients' IPs, file transfers"
    record_types = (RemoteAccessEvent, RemoteAccessSession)
    patterns = ("**/Splashtop/**/SPLog*.txt",)

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        """Events and sessions of every log."""
        for file in files:
            yield from self._log(file, ctx)

    def _first_year(self, file: StoredFile, ctx: ExtractionContext) -> int | None:
        modified = stored_time(file.modified)
        if modified is None:
            ctx.problem("the log has no years and the file has no modification time", file)
            return None
        rollovers, last = 0, None
        for _number, text in read_lines(ctx, file):
            match = LOG_LINE.match(text)
            month = _month(match) if match else None
            if month is None:
                continue
            if last is not None and month < last:
                rollovers += 1
            last = month
        return modified.year - rollovers

    def _log(
        self, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        source = ctx.source_ref(file)
        drafts: list[SessionDraft] = []
        current: SessionDraft | None = None
        bad = BadLines(ctx, file)
        try:
            year = self._first_year(file, ctx)
            last = None
            for number, text in read_lines(ctx, file):
                match = LOG_LINE.match(text)
                if not match:
                    continue
                month = _month(match)
                if month is None:
                    continue
                if year is not None and last is not None and month < last:
                    year += 1
                last = month
                raw = f"{match['mon']}{match['day']} {match['time']}"
                when = None
                if year is not None:
                    try:
                        when = datetime.strptime(
                            f"{year}-{month}-{match['day']} {match['time']}",
                            "%Y-%m-%d %H:%M:%S.%f" if "." in match["time"] else "%Y-%m-%d %H:%M:%S",
                        ).replace(tzinfo=UTC)
                    except ValueError:
                        bad.report(f"line {number}: invalid date {raw}")
                message = match["msg"].strip()
                if (connected := CONNECTED.search(message)) and _same_client(
                    current, connected, when
                ):
                    kind, ip = "connect", connected["ip"]
                elif connected:
                    current = SessionDraft(
                        tool=TOOL,
                        source=source,
                        start=when,
                        start_raw=raw,
                        direction="incoming",
                        remote_ip=connected["ip"],
                        time_note=TIME_NOTE,
                    )
                    drafts.append(current)
                    kind, ip = "session_request", connected["ip"]
                elif DISCONNECTED.search(message):
                    if current is not None and current.end is None:
                        current.end, current.end_raw = when, raw
                    kind, ip = "session_end", current.remote_ip if current else None
                    current = None
                elif transfer := TRANSFER.search(message):
                    kind, ip = "file_transfer", current.remote_ip if current else None
                    try:
                        payload = json.loads(transfer["json"])
                        name = str(payload.get("fileName")) if isinstance(payload, dict) else None
                    except ValueError:
                        name = None
                        ctx.problem(
                            f"line {number}: unreadable file-transfer details", file, "warning"
                        )
                    if current is not None and name:
                        current.add_file(name)
                else:
                    continue
                yield make_event(
                    source,
                    TOOL,
                    kind,
                    time=when,
                    time_raw=raw,
                    remote_ip=ip,
                    direction="incoming",
                    detail=message,
                    time_note=TIME_NOTE,
                )
        except READ_ERRORS as error:
            ctx.problem(f"could not read the Splashtop log to its end: {error}", file)
        for draft in drafts:
            yield draft.to_record()
