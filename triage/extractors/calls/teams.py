"""Microsoft Teams call logs on iOS: ``SkypeSpacesDogfood-<uuid>.sqlite``.

Where it lives: ``/private/var/mobile/Containers/Shared/AppGroup/<uuid>/SkypeSpacesDogfood/
<uuid>/SkypeSpacesDogfood-<uuid>.sqlite`` (iLEAPP ``teams.py`` ``teamsCalls``).

A call is a message: ``ZSMESSAGE`` joined to ``ZMESSAGEPROPERTIES`` on ``ZTSID``, whose
``ZPROPERTIES`` BLOB is an ``NSKeyedArchiver`` dictionary holding a ``call-log`` entry (a
dictionary, or a JSON string in other versions; iLEAPP handles both) with ``startTime``,
``connectTime``, ``endTime`` (ISO 8601 UTC), ``callDirection`` (incoming/outgoing),
``callType`` (twoParty, group...), ``callState`` (accepted, missed, declined...), ``originator``
and ``target`` (Skype/Teams MRIs such as ``8:live:.cid.<hex>``; ``4:+<number>`` for a phone
line), ``originatorParticipant``/``targetParticipant`` (``displayName``) and ``callId``.
The talk time is ``endTime`` - ``connectTime``; the other party is the target of an outgoing
call and the originator of an incoming one, and the phone's own MRI is the other end.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from triage.extractors.base import ExtractionContext, StoredFile, sqlite_tables
from triage.extractors.calls.base import (
    SqliteCallExtractor,
    make_call,
    plausible_call,
    seconds,
    text,
)
from triage.extractors.calls.keyed_archive import ArchiveError, unarchive
from triage.extractors.sqlite_rows import guarded_rows
from triage.extractors.values import join_detail
from triage.records import CallRecord
from triage.recover.integration import RecoverySpec, plausible_time
from triage.timestamps import format_utc

TIME_NOTE = "Teams call-log: ISO 8601 times in UTC"
STATE_DIRECTIONS = {"missed": "missed", "declined": "rejected", "rejected": "rejected"}
PSTN_PREFIX = "4:"


def parse_iso(value: Any) -> datetime | None:
    """An ISO 8601 time as UTC (a time without zone is taken as UTC, as Teams writes ``Z``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def call_log_of(blob: Any) -> dict[str, Any] | None:
    """The ``call-log`` dictionary inside a message's properties, or None when it has none."""
    if not isinstance(blob, (bytes, bytearray)) or not blob:
        return None
    properties = unarchive(bytes(blob))
    if not isinstance(properties, dict) or "call-log" not in properties:
        return None
    entry = properties["call-log"]
    if isinstance(entry, (str, bytes)):
        entry = json.loads(entry)
    if not isinstance(entry, dict):
        raise ValueError("call-log entry is not a dictionary")
    return entry


MRI = re.compile(r"\d{1,2}:[\w.:@+-]{1,200}")  # 8:live:.cid.<hex>, 8:orgid:<uuid>, 28:<bot>


def plausible_teams_call(record: CallRecord) -> bool:
    """A recovered Teams call: a number that parses or a Teams/Skype MRI, a time of this era,
    a known direction."""
    if plausible_call(record):
        return True
    return (
        plausible_time(record.started)
        and record.direction != "unknown"
        and MRI.fullmatch(record.number or "") is not None
    )


class TeamsCalls(SqliteCallExtractor):
    """Microsoft Teams call logs (iOS SkypeSpacesDogfood database)."""

    name: ClassVar[str] = "teams.calls"
    description: ClassVar[str] = "Microsoft Teams call logs on iOS (SkypeSpacesDogfood-*.sqlite)"
    patterns: ClassVar[tuple[str, ...]] = (
        "**/Containers/Shared/AppGroup/*/SkypeSpacesDogfood/*/Skype*.sqlite",
    )
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"ZSMESSAGE", "ZMESSAGEPROPERTIES"})

    # a deleted message joins its properties on ZTSID (a column: carved rows keep it)
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(
        ("ZSMESSAGE",),
        "row_id",
        plausible_teams_call,
        lookups=("ZMESSAGEPROPERTIES",),
        key_column="ZTSID",
        same_record=("number", "started", "direction"),
        carved_lookups=("ZMESSAGEPROPERTIES",),
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """Teams' message and message-properties tables."""
        tables = {name.lower() for name in sqlite_tables(connection)}
        return {"zsmessage", "zmessageproperties"} <= tables

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """Messages whose properties hold a call log, in compose-time order."""
        if not self.recognise(connection):
            ctx.problem("no Teams message tables in this database", file, "warning")
            return
        rows = connection.execute(
            "SELECT m.ZTSID AS tsid, m.ZCOMPOSETIME AS compose_time, "
            "p.ZPROPERTIES AS properties FROM ZSMESSAGE m "
            "JOIN ZMESSAGEPROPERTIES p ON m.ZTSID = p.ZTSID "
            "WHERE p.ZPROPERTIES IS NOT NULL ORDER BY m.ZCOMPOSETIME, m.ZTSID"
        )
        yield from guarded_rows(
            rows, lambda row: self._call(row, file, ctx), ctx, file, "message", "tsid"
        )

    def _call(self, row: sqlite3.Row, file: StoredFile, ctx: ExtractionContext):
        try:
            entry = call_log_of(row["properties"])
        except (ArchiveError, json.JSONDecodeError) as error:
            raise ValueError(f"properties unreadable: {error}") from error
        if entry is None:
            return None
        outgoing = str(entry.get("callDirection", "")).lower() == "outgoing"
        incoming = str(entry.get("callDirection", "")).lower() == "incoming"
        state = str(entry.get("callState", "") or "").lower()
        if incoming:
            direction = STATE_DIRECTIONS.get(state, "incoming")
        elif outgoing:
            direction = "outgoing"
        else:
            direction = "unknown"
        start = parse_iso(entry.get("startTime"))
        connect = parse_iso(entry.get("connectTime"))
        end = parse_iso(entry.get("endTime"))
        duration = seconds((end - connect).total_seconds()) if connect and end else None
        if duration is None and not connect:
            duration = 0 if state in STATE_DIRECTIONS else None
        remote_key, own_key = ("target", "originator") if outgoing else ("originator", "target")
        remote = text(entry.get(remote_key), 256)
        participant = entry.get(f"{remote_key}Participant")
        name = participant.get("displayName") if isinstance(participant, dict) else None
        number = remote[len(PSTN_PREFIX) :] if remote and remote.startswith(PSTN_PREFIX) else remote
        return make_call(
            ctx,
            file,
            app="Microsoft Teams",
            number=number,
            direction=direction,
            started=start,
            started_raw=text(entry.get("startTime"), 64),
            duration=duration,
            answered=True if state == "accepted" else (False if state else None),
            account=text(entry.get(own_key), 256),
            contact_name=name or None,
            call_type=text(entry.get("callType"), 64),
            detail=join_detail(
                f"state {state}" if state else None,
                f"connected {format_utc(connect)}" if connect else None,
                f"ended {format_utc(end)}" if end else None,
                f"MRI {remote}" if remote and remote != number else None,
                f"call id {text(entry.get('callId'), 128)}" if entry.get("callId") else None,
            ),
            time_note=TIME_NOTE,
            row_id=row["tsid"],
        )
