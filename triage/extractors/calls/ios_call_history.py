"""iOS call history: ``CallHistory.storedata`` (iOS 8+) and the legacy ``call_history.db``.

Where it lives: ``/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata`` (+ ``-wal``,
and ``CallHistoryTemp.storedata``); an iTunes/Finder backup holds it as ``HomeDomain``
``Library/CallHistoryDB/CallHistory.storedata``, which triage's backup source maps back to the
phone path. iOS 7 and older kept ``/private/var/wireless/Library/CallHistory/call_history.db``
(``WirelessDomain``). macOS keeps the same Core Data store under ``Library/Application Support/
CallHistoryDB`` (calls relayed from the iPhone).

``ZCALLRECORD`` (iLEAPP ``callHistory.py``; SQLECmd ``iOS_Calls.smap``; schema of iOS 11 in
iphonebackuptools ``schemas/calls/calls_11.2.sql``): ``ZDATE`` Cocoa seconds since 2001-01-01
UTC, ``ZDURATION`` seconds, ``ZORIGINATED`` 1 outgoing / 0 incoming, ``ZANSWERED``,
``ZCALLTYPE`` 0 third-party app (CallKit: WhatsApp, Telegram, Teams...), 1 phone, 8 FaceTime
video, 16 FaceTime audio, ``ZSERVICE_PROVIDER`` the app's bundle id, ``ZDISCONNECTED_CAUSE``
(6 = rejected, a community decode), ``ZISO_COUNTRY_CODE``, ``ZLOCATION``, ``ZADDRESS`` (TEXT or
BLOB). Group calls keep their participants in ``Z_<n>REMOTEPARTICIPANTHANDLES`` -> ``ZHANDLE``.

Legacy ``call`` table (iphonebackuptools ``schemas/calls/calls2_9.3.5.sql``; iLEAPP): ``date``
Unix seconds, ``flags`` bit 0 outgoing, 4 phone, 16 FaceTime; ``answered`` from iOS 7.
"""

from __future__ import annotations

import re
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
from triage.timestamps import COCOA_EPOCH, UNIX_EPOCH, from_cocoa, from_unix_seconds

COCOA_NOTE = "iOS CallHistory: ZDATE is Core Data seconds since 2001-01-01 UTC"
LEGACY_NOTE = "iOS call_history.db: date is Unix seconds, UTC"
LEGACY_COCOA_NOTE = (
    "iOS call_history.db: date read as seconds since 2001-01-01 UTC (value too small for Unix)"
)
# Before 2001 no iPhone existed: a legacy date below this is a Cocoa value, not Unix.
COCOA_UNIX_OFFSET = int((COCOA_EPOCH - UNIX_EPOCH).total_seconds())
CALL_TYPES = {0: "third-party app", 1: "phone", 8: "FaceTime video", 16: "FaceTime audio"}
CATEGORIES = {1: "audio", 2: "video"}
SERVICE_APPS = {
    "com.apple.telephony": "Phone (iOS)",
    "com.apple.facetime": "FaceTime",
    "net.whatsapp.whatsapp": "WhatsApp",
    "ph.telegra.telegraph": "Telegram",
    "com.skype.skype": "Skype",
    "com.microsoft.skype.teams": "Microsoft Teams",
    "org.whispersystems.signal": "Signal",
    "com.viber": "Viber",
    "us.zoom.videomeetings": "Zoom",
    "com.google.gvdialer": "Google Voice",
    "com.facebook.messenger": "Messenger",
}
DISCONNECTED_REJECTED = 6
PARTICIPANT_TABLE = re.compile(r"^Z_(\d+)REMOTEPARTICIPANTHANDLES$", re.IGNORECASE)
RECORD_COLUMNS = (
    "Z_PK",
    "ZDATE",
    "ZDURATION",
    "ZADDRESS",
    "ZNAME",
    "ZORIGINATED",
    "ZANSWERED",
    "ZCALLTYPE",
    "ZCALL_CATEGORY",
    "ZSERVICE_PROVIDER",
    "ZDISCONNECTED_CAUSE",
    "ZISO_COUNTRY_CODE",
    "ZLOCATION",
    "ZUNIQUE_ID",
    "ZNUMBER_AVAILABILITY",
    "ZDEVICE_ID",
    "ZJUNKIDENTIFICATIONCATEGORY",
    "ZBLOCKEDBYEXTENSION",
)
LEGACY_COLUMNS = (
    "ROWID",
    "address",
    "date",
    "duration",
    "flags",
    "name",
    "country_code",
    "network_code",
    "answered",
    "originalAddress",
)


class IosCallHistory(SqliteCallExtractor):
    """iOS call history (CallHistory.storedata ZCALLRECORD, legacy call_history.db)."""

    name: ClassVar[str] = "ios.call_history"
    description: ClassVar[str] = "iOS/macOS call history incl. FaceTime and CallKit apps"
    patterns: ClassVar[tuple[str, ...]] = (
        "**/Library/CallHistoryDB/CallHistory.storedata",
        "**/Library/CallHistoryDB/CallHistoryTemp.storedata",
        "**/Library/Application Support/CallHistoryDB/CallHistory.storedata",
        "**/Library/CallHistory/call_history.db",
    )
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"ZCALLRECORD"})
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(
        ("ZCALLRECORD", "call"), "row_id", plausible_call
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """A ZCALLRECORD table or a legacy ``call`` table."""
        tables = {name.lower() for name in sqlite_tables(connection)}
        return "zcallrecord" in tables or "call" in tables

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """Core Data records first, then a legacy table if the file has one."""
        tables = {name.lower(): name for name in sqlite_tables(connection)}
        if "zcallrecord" in tables:
            yield from self._records(connection, tables["zcallrecord"], file, ctx)
        if "call" in tables:
            yield from self._legacy(connection, tables["call"], file, ctx)
        if "zcallrecord" not in tables and "call" not in tables:
            ctx.problem("no ZCALLRECORD or call table in this database", file, "warning")

    # -- CallHistory.storedata -----------------------------------------------------------------
    def _records(
        self, connection: sqlite3.Connection, table: str, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        select, _present = select_list(connection, table, RECORD_COLUMNS)
        participants = _participants(connection, file, ctx)
        rows = connection.execute(f'SELECT {select} FROM "{table}" ORDER BY "ZDATE", "Z_PK"')
        yield from guarded_rows(
            rows, lambda row: self._record(row, participants, file, ctx), ctx, file, "call", "Z_PK"
        )

    def _record(
        self,
        row: sqlite3.Row,
        participants: dict[int, list[str]],
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> CallRecord:
        originated = integer(row["ZORIGINATED"])
        answered_code = integer(row["ZANSWERED"])
        answered = None if answered_code is None else bool(answered_code)
        cause = integer(row["ZDISCONNECTED_CAUSE"])
        if originated == 1:
            direction = "outgoing"
        elif originated == 0:
            if answered is False:
                direction = "rejected" if cause == DISCONNECTED_REJECTED else "missed"
            else:
                direction = "incoming"
        else:
            direction = "unknown"
        call_type_code = integer(row["ZCALLTYPE"])
        call_type = CALL_TYPES.get(call_type_code)
        category = CATEGORIES.get(integer(row["ZCALL_CATEGORY"]))
        if call_type == "third-party app" and category:
            call_type = f"third-party app ({category})"
        provider = text(row["ZSERVICE_PROVIDER"], 256)
        app = _app(provider, call_type_code)
        number = row["ZADDRESS"]
        handles = participants.get(integer(row["Z_PK"]) or -1, [])
        if (number is None or number == b"" or number == "") and len(handles) == 1:
            number = handles[0]
        availability = integer(row["ZNUMBER_AVAILABILITY"])
        return make_call(
            ctx,
            file,
            app=app,
            number=number,
            direction=direction,
            started=from_cocoa(row["ZDATE"]),
            started_raw=raw(row["ZDATE"]),
            duration=seconds(row["ZDURATION"]),
            answered=answered,
            contact_name=row["ZNAME"] or None,
            call_type=call_type or (f"call type {call_type_code}" if call_type_code else None),
            location=row["ZLOCATION"] or None,
            detail=join_detail(
                f"service {provider}" if provider else None,
                f"disconnected cause {cause}" if cause else None,
                f"country ISO {row['ZISO_COUNTRY_CODE']}" if row["ZISO_COUNTRY_CODE"] else None,
                f"participants {', '.join(handles)}" if len(handles) > 1 else None,
                f"number availability {availability}" if availability else None,
                f"junk category {row['ZJUNKIDENTIFICATIONCATEGORY']}"
                if row["ZJUNKIDENTIFICATIONCATEGORY"]
                else None,
                f"blocked by {row['ZBLOCKEDBYEXTENSION']}" if row["ZBLOCKEDBYEXTENSION"] else None,
                f"unique id {row['ZUNIQUE_ID']}" if row["ZUNIQUE_ID"] else None,
                f"device id {text(row['ZDEVICE_ID'], 128)}" if row["ZDEVICE_ID"] else None,
            ),
            time_note=COCOA_NOTE,
            region=text(row["ZISO_COUNTRY_CODE"], 8),
            row_id=row["Z_PK"],
        )

    # -- call_history.db -----------------------------------------------------------------------
    def _legacy(
        self, connection: sqlite3.Connection, table: str, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        present = {column.lower() for column in table_columns(connection, table)}
        if not {"address", "date"} <= present:
            ctx.problem(f"table {table} is not an iOS call table", file, "warning")
            return
        select, _ = select_list(connection, table, LEGACY_COLUMNS)
        rows = connection.execute(f'SELECT {select} FROM "{table}" ORDER BY "date", "ROWID"')
        yield from guarded_rows(
            rows, lambda row: self._legacy_call(row, file, ctx), ctx, file, "call", "ROWID"
        )

    def _legacy_call(self, row: sqlite3.Row, file: StoredFile, ctx: ExtractionContext):
        flags = integer(row["flags"]) or 0
        answered_code = integer(row["answered"])
        answered = None if answered_code is None else bool(answered_code)
        if flags & 1:
            direction = "outgoing"
        elif answered is False:
            direction = "missed"
        else:
            direction = "incoming"
        date = integer(row["date"])
        if date is not None and 0 < date < COCOA_UNIX_OFFSET:
            started, note = from_cocoa(date), LEGACY_COCOA_NOTE
        else:
            started, note = from_unix_seconds(date), LEGACY_NOTE
        facetime = bool(flags & 16)
        return make_call(
            ctx,
            file,
            app="FaceTime" if facetime else "Phone (iOS)",
            number=row["address"],
            direction=direction,
            started=started,
            started_raw=raw(row["date"]),
            duration=seconds(row["duration"]),
            answered=answered,
            contact_name=row["name"] or None,
            call_type="FaceTime" if facetime else "phone",
            detail=join_detail(
                f"flags {flags}",
                f"country code {row['country_code']}" if row["country_code"] else None,
                f"network code {row['network_code']}" if row["network_code"] else None,
                f"original address {row['originalAddress']}" if row["originalAddress"] else None,
            ),
            time_note=note,
            row_id=row["ROWID"],
        )


def _app(provider: str | None, call_type: int | None) -> str:
    """The app that placed the call, from its service provider bundle id or the call type."""
    if provider:
        known = SERVICE_APPS.get(provider.lower())
        if known:
            return known
        if "whatsapp" in provider.lower():
            return "WhatsApp"
        return provider
    if call_type == 1:
        return "Phone (iOS)"
    if call_type in (8, 16):
        return "FaceTime"
    return "Third-party app (iOS)"


def _participants(
    connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
) -> dict[int, list[str]]:
    """Call Z_PK -> remote participant handles (group calls, iOS 13+)."""
    found: dict[int, list[str]] = {}
    tables = {name.lower(): name for name in sqlite_tables(connection)}
    if "zhandle" not in tables:
        return found
    for lowered, table in tables.items():
        if not PARTICIPANT_TABLE.match(lowered):
            continue
        columns = table_columns(connection, table)
        call_column = next((c for c in columns if c.upper().endswith("PARTICIPANTCALLS")), None)
        handle_column = next((c for c in columns if c.upper().endswith("PARTICIPANTHANDLES")), None)
        if not call_column or not handle_column:
            continue
        try:
            rows = connection.execute(
                f'SELECT p."{call_column}", h."ZVALUE" FROM "{table}" p '
                f'JOIN "{tables["zhandle"]}" h ON h."Z_PK" = p."{handle_column}" '
                f'ORDER BY p."{call_column}", h."Z_PK"'
            ).fetchall()
        except sqlite3.DatabaseError as error:
            ctx.problem(f"group call participants unreadable: {error}", file, "warning")
            continue
        for call, value in rows:
            handle = text(value, 256)
            if handle and integer(call) is not None:
                found.setdefault(integer(call), []).append(handle)
    return found
