"""Skype (classic, 7.x and older) calls from ``main.db``.

Where it lives: ``%APPDATA%\\Skype\\<skype name>\\main.db`` on Windows, ``~/Library/Application
Support/Skype/<skype name>/main.db`` on macOS (KAPE ``Skype.tkape``). Reference: plaso
``sqlite_plugins/skype.py`` (schema and call query) and its test on ``skype_main.db``.

``Calls`` holds one row per call (``begin_timestamp`` Unix seconds when the call was placed or
rang, ``is_incoming``, ``is_conference``, ``host_identity``, ``pstn_number``); ``CallMembers``
one row per remote participant, joined by ``call_db_id`` (``identity`` Skype name or
``+``-number for SkypeOut, ``dispname``, ``start_timestamp`` when the member answered,
``call_duration`` seconds, ``videostatus`` 3 for video as plaso reads it). A call becomes one
record per participant; a call with no member row becomes one record from ``Calls`` alone.
The account is the ``Accounts`` table's Skype name (the host identity otherwise).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import ClassVar

from triage.extractors.base import ExtractionContext, StoredFile, sqlite_tables
from triage.extractors.calls.base import (
    SqliteCallExtractor,
    make_call,
    plausible_call,
    raw,
    seconds,
    text,
)
from triage.extractors.sqlite_rows import ROW_ERRORS, select_list
from triage.extractors.values import integer, join_detail
from triage.records import CallRecord
from triage.recover.integration import RecoverySpec, plausible_time
from triage.timestamps import format_utc, from_unix_seconds

TIME_NOTE = "Skype main.db: timestamps are Unix seconds, UTC"
VIDEO_STATUS_VIDEO = 3
CALL_COLUMNS = (
    "id",
    "begin_timestamp",
    "start_timestamp",
    "duration",
    "host_identity",
    "is_incoming",
    "is_conference",
    "is_unseen_missed",
    "partner_handle",
    "partner_dispname",
    "pstn_number",
    "topic",
    "name",
    "failurereason",
)
MEMBER_COLUMNS = (
    "id",
    "call_db_id",
    "identity",
    "dispname",
    "call_duration",
    "start_timestamp",
    "status",
    "failurereason",
    "videostatus",
    "guid",
    "country",
    "real_identity",
)


# a Skype name: a letter, then 5 to 31 letters, digits and . , - _ (or live:<id>, live:.cid.<hex>)
SKYPE_NAME = re.compile(r"(?:live:[.\w-]{1,64}|[a-zA-Z][a-zA-Z0-9.,_-]{5,31})")


def plausible_skype_call(record: CallRecord) -> bool:
    """A recovered Skype call: a phone number that parses (SkypeOut) or a Skype name, a time of
    this era, a known direction."""
    if plausible_call(record):
        return True
    name = record.number or ""
    return (
        plausible_time(record.started)
        and record.direction != "unknown"
        and SKYPE_NAME.fullmatch(name) is not None
    )


def _call_key(key: str) -> str:
    return key.split("/", 1)[0]


class SkypeCalls(SqliteCallExtractor):
    """Skype classic call history (main.db Calls + CallMembers)."""

    name: ClassVar[str] = "skype.calls"
    description: ClassVar[str] = "Skype classic calls (main.db Calls/CallMembers)"
    patterns: ClassVar[tuple[str, ...]] = ("**/Skype/*/main.db",)
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"Calls", "CallMembers"})

    # the record key is "call/member": a deleted call is tied back by its Calls row, and joins
    # its members (live, whole or carved: joined on call_db_id, which a carved row keeps)
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(
        ("Calls",),
        "row_id",
        plausible_skype_call,
        lookups=("CallMembers",),
        same_record=("number", "started", "direction"),
        carved_lookups=("CallMembers",),
        same_row=("begin_timestamp",),
        key_text=_call_key,
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """A Skype ``Calls`` table."""
        return "calls" in {name.lower() for name in sqlite_tables(connection)} and bool(
            {"begin_timestamp", "is_incoming"}
            & {c[1].lower() for c in connection.execute('PRAGMA table_info("Calls")')}
        )

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """One record per call member, calls in time order."""
        if not self.recognise(connection):
            ctx.problem("no Skype Calls table in this database", file, "warning")
            return
        account = _own_account(connection)
        members: dict[int, list[sqlite3.Row]] = {}
        if "callmembers" in {name.lower() for name in sqlite_tables(connection)}:
            select, _ = select_list(connection, "CallMembers", MEMBER_COLUMNS)
            for member in connection.execute(f'SELECT {select} FROM "CallMembers" ORDER BY "id"'):
                call_id = integer(member["call_db_id"])
                if call_id is not None:
                    members.setdefault(call_id, []).append(member)
        select, _ = select_list(connection, "Calls", CALL_COLUMNS)
        rows = connection.execute(f'SELECT {select} FROM "Calls" ORDER BY "begin_timestamp", "id"')
        for call in rows:
            for member in members.get(integer(call["id"]) or -1, [None]):
                try:
                    yield self._call(call, member, account, file, ctx)
                except ROW_ERRORS as error:
                    ctx.problem(f"call {call['id']} skipped: {type(error).__name__}: {error}", file)

    def _call(
        self,
        call: sqlite3.Row,
        member: sqlite3.Row | None,
        account: str | None,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> CallRecord:
        incoming = integer(call["is_incoming"])
        answered_at = integer(member["start_timestamp"]) if member else None
        answered_at = answered_at or integer(call["start_timestamp"]) or None
        duration = seconds(member["call_duration"]) if member else None
        if duration is None:
            duration = seconds(call["duration"])
        if answered_at or duration:
            answered: bool | None = True
        else:
            answered = False if incoming == 1 else None  # an unanswered outgoing call is unknown
        if incoming == 1:
            direction = "incoming" if answered else "missed"
        elif incoming == 0:
            direction = "outgoing"
        else:
            direction = "unknown"
        if member is not None:
            number = member["identity"] or call["pstn_number"]
            name = member["dispname"]
            video = integer(member["videostatus"]) == VIDEO_STATUS_VIDEO
        else:
            number = call["partner_handle"] or call["pstn_number"]
            name = call["partner_dispname"]
            video = False
        connected = from_unix_seconds(answered_at) if answered_at else None
        conference = integer(call["is_conference"])
        return make_call(
            ctx,
            file,
            app="Skype",
            number=number,
            direction=direction,
            started=from_unix_seconds(call["begin_timestamp"]),
            started_raw=raw(call["begin_timestamp"]),
            duration=duration,
            answered=answered,
            account=account or text(call["host_identity"], 256),
            contact_name=name or None,
            call_type=("video" if video else "voice") + (" conference" if conference else ""),
            detail=join_detail(
                f"connected {format_utc(connected)}" if connected else None,
                f"host {call['host_identity']}" if call["host_identity"] else None,
                f"topic {text(call['topic'], 512)}" if call["topic"] else None,
                f"guid {member['guid']}" if member is not None and member["guid"] else None,
                f"failure reason {member['failurereason']}"
                if member is not None and integer(member["failurereason"])
                else None,
            ),
            time_note=TIME_NOTE,
            row_id=f"{call['id']}/{member['id']}" if member is not None else call["id"],
        )


def _own_account(connection: sqlite3.Connection) -> str | None:
    """The Skype name of the profile owner (Accounts.skypename)."""
    if "accounts" not in {name.lower() for name in sqlite_tables(connection)}:
        return None
    try:
        row = connection.execute(
            'SELECT skypename FROM "Accounts" WHERE skypename IS NOT NULL ORDER BY id LIMIT 1'
        ).fetchone()
    except sqlite3.DatabaseError:
        return None
    return text(row[0], 256) if row else None
