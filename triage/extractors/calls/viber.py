"""Viber calls on Android: table ``calls`` of ``viber_data``.

Where it lives: ``/data/data/com.viber.voip/databases/viber_data`` (plaso
``android_viber_call.py``; ALEAPP ``Viber.py``). A row is one call (plaso's schema and query):
``number``/``canonized_number`` (E.164 as Viber canonised it), ``date`` Unix milliseconds,
``duration`` seconds, ``type`` 1 incoming / 2 outgoing (plaso's docstring; 3 missed follows
Android's ``CallLog.Calls`` codes, which Viber reuses), ``viber_call_type`` audio or video
(1 and 4 in the plaso test data, the calls of the same test phone that WhatsApp also logged as
voice and video), ``viber_call`` 0 for a Viber Out call to a phone line.

Contact names come from Viber's own copy of the address book: ``phonebookdata.data2`` (the
canonised number) -> ``phonebookcontact.display_name`` by ``contact_id`` (kacos2000
``Viber_Contacts_Data_messages.sql``; checked by hand on the plaso test file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import ClassVar

from triage.extractors.base import ExtractionContext, StoredFile, sqlite_tables, table_columns
from triage.extractors.calls.base import (
    SqliteCallExtractor,
    make_call,
    plausible_call,
    raw,
    seconds,
    text,
)
from triage.extractors.sqlite_rows import guarded_rows, select_list
from triage.extractors.values import integer, join_detail
from triage.records import CallRecord
from triage.recover.integration import RecoverySpec
from triage.timestamps import from_unix_ms

TIME_NOTE = "Viber: date is Unix milliseconds, UTC"
CALL_TYPES = {1: ("incoming", True), 2: ("outgoing", None), 3: ("missed", False)}
VIBER_CALL_TYPES = {1: "audio", 4: "video"}
COLUMNS = (
    "_id",
    "call_id",
    "number",
    "canonized_number",
    "viber_call",
    "viber_call_type",
    "date",
    "duration",
    "type",
    "end_reason",
    "start_reason",
    "conference_info",
)


class ViberCalls(SqliteCallExtractor):
    """Viber call history from Android ``com.viber.voip/databases/viber_data`` (table ``calls``)."""

    name: ClassVar[str] = "viber.calls"
    description: ClassVar[str] = "Viber calls (Android viber_data calls table)"
    patterns: ClassVar[tuple[str, ...]] = ("**/com.viber.voip/databases/viber_data",)
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"calls", "vibernumbers"})
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(("calls",), "row_id", plausible_call)

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """Viber's ``calls`` table (with ``canonized_number``)."""
        columns = {column.lower() for column in table_columns(connection, "calls")}
        return {"number", "date", "type", "canonized_number"} <= columns

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """Every call row, oldest first."""
        if not self.recognise(connection):
            ctx.problem("no Viber calls table in this database", file, "warning")
            return
        names = _contact_names(connection, file, ctx)
        select, _ = select_list(connection, "calls", COLUMNS)
        rows = connection.execute(f'SELECT {select} FROM "calls" ORDER BY "date", "_id"')
        yield from guarded_rows(
            rows, lambda row: self._call(row, names, file, ctx), ctx, file, "call", "_id"
        )

    def _call(
        self, row: sqlite3.Row, names: dict[str, str], file: StoredFile, ctx: ExtractionContext
    ) -> CallRecord:
        type_code = integer(row["type"])
        direction, answered = CALL_TYPES.get(type_code, ("unknown", None))
        duration = seconds(row["duration"])
        if direction == "outgoing" and duration:
            answered = True
        media_code = integer(row["viber_call_type"])
        viber_call = integer(row["viber_call"])
        canonized = text(row["canonized_number"], 64)
        return make_call(
            ctx,
            file,
            app="Viber",
            number=row["number"],
            direction=direction,
            started=from_unix_ms(row["date"]),
            started_raw=raw(row["date"]),
            duration=duration,
            answered=answered,
            contact_name=names.get(canonized or ""),
            call_type=VIBER_CALL_TYPES.get(media_code, f"viber call type {media_code}"),
            detail=join_detail(
                f"type {type_code}" if direction == "unknown" else None,
                "Viber Out (to a phone line)" if viber_call == 0 else None,
                f"canonized {canonized}" if canonized and canonized != row["number"] else None,
                f"end reason {row['end_reason']}" if integer(row["end_reason"]) else None,
                f"conference {text(row['conference_info'], 512)}"
                if row["conference_info"]
                else None,
            ),
            time_note=TIME_NOTE,
            row_id=row["_id"],
        )


def _contact_names(
    connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
) -> dict[str, str]:
    """Canonised number -> display name from Viber's phonebook tables (empty when absent)."""
    tables = {name.lower() for name in sqlite_tables(connection)}
    if not {"phonebookdata", "phonebookcontact"} <= tables:
        return {}
    try:
        rows = connection.execute(
            "SELECT d.data2, c.display_name FROM phonebookdata d "
            "JOIN phonebookcontact c ON c._id = d.contact_id "
            "WHERE d.data2 IS NOT NULL AND c.display_name IS NOT NULL ORDER BY d._id"
        ).fetchall()
    except sqlite3.DatabaseError as error:
        ctx.problem(f"Viber phonebook unreadable, no contact names: {error}", file, "warning")
        return {}
    names: dict[str, str] = {}
    for number, name in rows:
        key = text(number, 64)
        if key:
            names.setdefault(key, text(name) or "")
    return names
