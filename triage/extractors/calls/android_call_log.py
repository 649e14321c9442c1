"""Android's call log: ``calllog.db`` (Android 7+), ``contacts2.db``/``contacts.db`` (older), and
Samsung's ``logs.db``.

Where it lives (ALEAPP ``calllog.py``/``calllogs.py``): ``/data/data/com.android.providers.
contacts/databases/calllog.db`` (Samsung: ``com.samsung.android.providers.contacts``); before
Android 7 the same ``calls`` table sat in ``contacts2.db`` (AOSP ``CallLogDatabaseHelper``
migrates it from there); Samsung also kept calls with messages in ``com.sec.android.provider.
logsprovider/databases/logs.db`` table ``logs`` (``logtype`` 100 = call, kacos2000
``logs_db.sql``).

A row is one call (AOSP ``android.provider.CallLog.Calls``): ``date`` Unix milliseconds UTC,
``duration`` seconds, ``type`` 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected,
6 blocked, 7 answered externally; ``presentation`` 1 allowed, 2 restricted, 3 unknown,
4 payphone; ``features`` bit 0 video; ``subscription_id``/``phone_account_address`` the SIM or
phone account; ``countryiso`` the country the call was made in (used as the number's default
region); ``geocoded_location``; ``deleted`` (Android 6+ voicemail column). Columns differ by
release and vendor, so each is read only when the schema has it.
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

TIME_NOTE = "Android call log: date is Unix milliseconds, UTC"
CALL_TYPES = {
    1: ("incoming", True, None),
    2: ("outgoing", None, None),
    3: ("missed", False, None),
    4: ("voicemail", None, None),
    5: ("rejected", False, None),
    6: ("blocked", False, None),
    7: ("incoming", True, "answered on another device"),
}
PRESENTATION = {2: "restricted (withheld by caller)", 3: "unknown", 4: "payphone"}
FEATURE_VIDEO = 0x1
SAMSUNG_CALL_LOGTYPES = (100,)
COLUMNS = (
    "_id",
    "number",
    "date",
    "duration",
    "type",
    "name",
    "presentation",
    "countryiso",
    "geocoded_location",
    "features",
    "subscription_id",
    "subscription_component_name",
    "phone_account_address",
    "sub_id",
    "sim_id",
    "deleted",
    "via_number",
    "post_dial_digits",
    "block_reason",
    "missed_reason",
    "logtype",
    "account_name",
)


class AndroidCallLog(SqliteCallExtractor):
    """Android call log (calllog.db, contacts2.db, contacts.db, Samsung logs.db)."""

    name: ClassVar[str] = "android.call_log"
    description: ClassVar[str] = "Android call log: calls table of calllog.db/contacts2.db"
    patterns: ClassVar[tuple[str, ...]] = (
        "**/com.android.providers.contacts/databases/calllog.db",
        "**/com.samsung.android.providers.contacts/databases/calllog.db",
        "**/com.android.providers.contacts/databases/contacts2.db",
        "**/com.android.providers.contacts/databases/contacts.db",
        "**/com.sec.android.provider.logsprovider/databases/logs.db",
    )
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"calls"})
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(
        ("calls", "logs"), "row_id", plausible_call
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """An AOSP ``calls`` table or Samsung ``logs`` table (not Viber's ``calls``)."""
        return self._table(connection) is not None

    @staticmethod
    def _table(connection: sqlite3.Connection) -> str | None:
        tables = {name.lower() for name in sqlite_tables(connection)}
        core = {"number", "date", "duration", "type"}
        if "calls" in tables:
            columns = {column.lower() for column in table_columns(connection, "calls")}
            # Viber's viber_data also has calls(number, date, duration, type) but no 'new'.
            if core <= columns and "canonized_number" not in columns:
                return "calls"
        if "logs" in tables:
            columns = {column.lower() for column in table_columns(connection, "logs")}
            if core <= columns:
                return "logs"
        return None

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """Every call row, in row order."""
        table = self._table(connection)
        if table is None:
            ctx.problem("no Android calls table in this database", file, "warning")
            return
        select, _present = select_list(connection, table, COLUMNS)
        rows = connection.execute(f'SELECT {select} FROM "{table}" ORDER BY "_id"')
        app = "Phone (Samsung logs)" if table == "logs" else "Phone (Android)"
        yield from guarded_rows(
            rows, lambda row: self._call(row, app, file, ctx), ctx, file, "call", "_id"
        )

    def _call(
        self, row: sqlite3.Row, app: str, file: StoredFile, ctx: ExtractionContext
    ) -> CallRecord | None:
        logtype = integer(row["logtype"])
        if logtype is not None and logtype not in SAMSUNG_CALL_LOGTYPES:
            return None  # Samsung logs.db also holds messages and e-mail (logtype 200-500)
        type_code = integer(row["type"])
        direction, answered, note = CALL_TYPES.get(type_code, ("unknown", None, None))
        duration = seconds(row["duration"])
        if direction == "outgoing" and duration:
            answered = True  # duration counts from the moment the call connected
        features = integer(row["features"]) or 0
        presentation = integer(row["presentation"])
        deleted = integer(row["deleted"])
        account = text(row["phone_account_address"]) or text(row["subscription_id"])
        return make_call(
            ctx,
            file,
            app=app,
            number=row["number"],
            direction=direction,
            started=from_unix_ms(row["date"]),
            started_raw=raw(row["date"]),
            duration=duration,
            answered=answered,
            account=account or None,
            contact_name=row["name"] or None,
            call_type="video" if features & FEATURE_VIDEO else "voice",
            location=row["geocoded_location"] or None,
            deleted=None if deleted is None else bool(deleted),
            detail=join_detail(
                f"type {type_code}" if direction == "unknown" else None,
                note,
                PRESENTATION.get(presentation),
                _component(row["subscription_component_name"]),
                f"via {row['via_number']}" if row["via_number"] else None,
                f"post-dial {row['post_dial_digits']}" if row["post_dial_digits"] else None,
                f"block reason {row['block_reason']}" if integer(row["block_reason"]) else None,
                f"missed reason {row['missed_reason']}" if integer(row["missed_reason"]) else None,
                f"country ISO {row['countryiso']}" if row["countryiso"] else None,
                f"SIM {row['sim_id']}" if row["sim_id"] not in (None, "", -1) else None,
            ),
            time_note=TIME_NOTE,
            region=text(row["countryiso"], 8),
            row_id=row["_id"],
        )


def _component(value: object) -> str | None:
    """The phone-account component (which dialer/SIM service placed the call)."""
    component = text(value, 256)
    return f"phone account {component}" if component else None
