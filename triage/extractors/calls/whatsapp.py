"""WhatsApp calls on iOS: ``CallHistory.sqlite`` in the WhatsApp shared app group.

Where it lives: ``/private/var/mobile/Containers/Shared/AppGroup/<uuid>/CallHistory.sqlite``
with ``ContactsV2.sqlite`` beside it (iLEAPP ``whatsApp.py`` ``whatsAppCallHistory``; an iTunes
backup maps ``AppDomainGroup-group.net.whatsapp.WhatsApp.shared`` to the same place).

Core Data tables (iLEAPP's query): ``ZWACDCALLEVENT`` one row per call (``ZDATE`` Cocoa seconds,
``ZDURATION`` seconds, ``ZOUTCOME`` 0 ended / 1 missed / 4 rejected, ``ZGROUPCALLCREATORUSER
JIDSTRING`` who started it, ``ZBYTESSENT``/``ZBYTESRECEIVED``), joined by ``Z1CALLEVENTS`` to
``ZWACDCALLEVENTPARTICIPANT.Z1PARTICIPANTS`` (``ZJIDSTRING`` the other party) and to
``ZWAAGGREGATECALLEVENT.Z_PK`` (``ZINCOMING``, ``ZVIDEO``, ``ZMISSED``; per group of calls).
Direction is ``incoming`` when the creator is the participant, ``outgoing`` when another JID
created it, else the aggregate's ``ZINCOMING``; the creator of the outgoing calls is the phone's
own JID, used as the account. Names come from ``ContactsV2.sqlite``
``ZWAADDRESSBOOKCONTACT.ZWHATSAPPID`` -> ``ZFULLNAME``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

from triage.extractors.base import ExtractionContext, StoredFile, sqlite_tables, table_columns
from triage.extractors.calls.base import (
    SqliteCallExtractor,
    beside,
    make_call,
    plausible_call,
    raw,
    seconds,
    text,
)
from triage.extractors.sqlite_rows import READ_ERRORS, guarded_rows
from triage.extractors.values import integer, join_detail
from triage.records import CallRecord
from triage.recover.integration import RecoverySpec
from triage.timestamps import from_cocoa

TIME_NOTE = "WhatsApp CallHistory.sqlite: ZDATE is Core Data seconds since 2001-01-01 UTC"
OUTCOMES = {0: "ended", 1: "missed", 4: "rejected"}


def _column(present: set[str], table: str, column: str) -> str:
    return f'{table}."{column}"' if column.lower() in present else "NULL"


class WhatsAppCalls(SqliteCallExtractor):
    """WhatsApp call history (iOS CallHistory.sqlite + ContactsV2.sqlite names)."""

    name: ClassVar[str] = "whatsapp.calls"
    description: ClassVar[str] = "WhatsApp calls on iOS (CallHistory.sqlite)"
    patterns: ClassVar[tuple[str, ...]] = ("**/Containers/Shared/AppGroup/*/CallHistory.sqlite",)
    sqlite_tables: ClassVar[frozenset[str]] = frozenset(
        {"ZWACDCALLEVENT", "ZWACDCALLEVENTPARTICIPANT"}
    )

    # a deleted call event joins its participant (live, recovered whole, or carved: the join
    # is on Z1PARTICIPANTS, which a carved row keeps) and its aggregate (by Z_PK: whole only)
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(
        ("ZWACDCALLEVENT",),
        "row_id",
        plausible_call,
        lookups=("ZWACDCALLEVENTPARTICIPANT", "ZWAAGGREGATECALLEVENT"),
        same_record=("number", "started", "direction"),
        carved_lookups=("ZWACDCALLEVENTPARTICIPANT",),
        same_row=("ZDATE", "Z1CALLEVENTS"),
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """WhatsApp's call event tables."""
        tables = {name.lower() for name in sqlite_tables(connection)}
        return {"zwacdcallevent", "zwacdcalleventparticipant"} <= tables

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """One record per call and participant, oldest first."""
        if not self.recognise(connection):
            ctx.problem("no WhatsApp call tables in this database", file, "warning")
            return
        names = _contact_names(ctx, file)
        event = {c.lower() for c in table_columns(connection, "ZWACDCALLEVENT")}
        has_aggregate = "zwaaggregatecallevent" in {n.lower() for n in sqlite_tables(connection)}
        aggregate = (
            {c.lower() for c in table_columns(connection, "ZWAAGGREGATECALLEVENT")}
            if has_aggregate
            else set()
        )
        join = "LEFT JOIN ZWAAGGREGATECALLEVENT a ON e.Z1CALLEVENTS = a.Z_PK"
        query = f"""
            SELECT e.Z_PK AS pk, e.ZDATE AS date, e.ZDURATION AS duration,
                   {_column(event, "e", "ZOUTCOME")} AS outcome,
                   {_column(event, "e", "ZGROUPCALLCREATORUSERJIDSTRING")} AS creator,
                   {_column(event, "e", "ZGROUPJIDSTRING")} AS group_jid,
                   {_column(event, "e", "ZBYTESSENT")} AS bytes_sent,
                   {_column(event, "e", "ZBYTESRECEIVED")} AS bytes_received,
                   {_column(event, "e", "ZCALLIDSTRING")} AS call_id,
                   p.ZJIDSTRING AS jid,
                   {_column(aggregate, "a", "ZINCOMING")} AS incoming,
                   {_column(aggregate, "a", "ZVIDEO")} AS video,
                   {_column(aggregate, "a", "ZMISSED")} AS missed
            FROM ZWACDCALLEVENT e
            JOIN ZWACDCALLEVENTPARTICIPANT p ON e.Z1CALLEVENTS = p.Z1PARTICIPANTS
            {join if has_aggregate else ""}
            ORDER BY e.ZDATE, e.Z_PK, p.Z_PK
        """
        rows = connection.execute(query).fetchall()
        own = _own_jid(rows)
        yield from guarded_rows(
            rows, lambda row: self._call(row, own, names, file, ctx), ctx, file, "call", "pk"
        )

    def _call(
        self,
        row: sqlite3.Row,
        own: str | None,
        names: dict[str, str],
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> CallRecord:
        jid = text(row["jid"], 256)
        creator = text(row["creator"], 256)
        if creator and jid and creator == jid:
            incoming: bool | None = True
        elif creator and jid:
            incoming = False
        else:
            flag = integer(row["incoming"])
            incoming = None if flag is None else bool(flag)
        outcome = integer(row["outcome"])
        duration = seconds(row["duration"])
        if incoming is True:
            direction = {1: "missed", 4: "rejected"}.get(outcome, "incoming")
        elif incoming is False:
            direction = "outgoing"
        else:
            direction = "unknown"
        if outcome in (1, 4):
            answered: bool | None = False
        elif outcome == 0 and duration:
            answered = True
        else:
            answered = None
        video = integer(row["video"])
        return make_call(
            ctx,
            file,
            app="WhatsApp",
            number=jid,
            direction=direction,
            started=from_cocoa(row["date"]),
            started_raw=raw(row["date"]),
            duration=duration,
            answered=answered,
            account=own,
            contact_name=names.get(jid or ""),
            call_type=None if video is None else ("video" if video else "voice"),
            detail=join_detail(
                f"outcome {OUTCOMES.get(outcome, outcome)}" if outcome is not None else None,
                f"bytes sent {row['bytes_sent']}" if row["bytes_sent"] is not None else None,
                f"bytes received {row['bytes_received']}"
                if row["bytes_received"] is not None
                else None,
                f"group {row['group_jid']}" if row["group_jid"] else None,
                f"call id {row['call_id']}" if row["call_id"] else None,
            ),
            time_note=TIME_NOTE,
            row_id=row["pk"],
        )


def _own_jid(rows: list[sqlite3.Row]) -> str | None:
    """The phone's own JID: the creator of calls it placed (creator differs from the party)."""
    creators = Counter(
        row["creator"]
        for row in rows
        if row["creator"] and row["jid"] and row["creator"] != row["jid"]
    )
    return text(creators.most_common(1)[0][0], 256) if creators else None


def _contact_names(ctx: ExtractionContext, file: StoredFile) -> dict[str, str]:
    """WhatsApp JID -> full name from ContactsV2.sqlite beside the call history."""
    contacts = beside(ctx, file, "ContactsV2.sqlite")
    if contacts is None:
        return {}
    names: dict[str, str] = {}
    try:
        with ctx.sqlite(contacts) as connection:
            rows = connection.execute(
                "SELECT ZWHATSAPPID, ZFULLNAME FROM ZWAADDRESSBOOKCONTACT "
                "WHERE ZWHATSAPPID IS NOT NULL AND ZFULLNAME IS NOT NULL ORDER BY Z_PK"
            ).fetchall()
    except READ_ERRORS as error:
        ctx.problem(f"ContactsV2.sqlite unreadable, no contact names: {error}", contacts)
        return {}
    for jid, name in rows:
        key = text(jid, 256)
        if key:
            names.setdefault(key, text(name) or "")
    return names
