"""Google Voice calls and voicemails on iOS: ``threadingStore.sqlite``.

Where it lives: ``/private/var/mobile/Containers/Shared/AppGroup/<uuid>/Library/Application
Support/<account id>/threadingStore.sqlite`` (iLEAPP ``googleVoice.py``).

``ThreadItem`` holds calls, texts and voicemails; ``itemType`` says which and which way
(``IncomingCall``, ``OutgoingCall``, ``MissedCall``, ``Voicemail``; iLEAPP
``googleVoiceCalls``/``googleVoiceVoicemails``), ``timestamp`` Unix seconds (iLEAPP
``convert_unix_ts_to_utc``), ``duration`` seconds (iLEAPP's voicemail header), ``isDeleted``.
The other party is the thread's participant (``ThreadParticipant.phoneNumberE164`` for the
item's ``threadKey``/``threadType``): on outgoing calls ``senderPhoneNumber`` holds the
account's own Google Voice number, not the callee (iLEAPP notes the column does not establish
ownership; in the iLEAPP test image the outgoing calls' sender numbers recur across unrelated
threads and two outgoing calls are call-backs to the thread's participant minutes after an
incoming call from it), so it becomes the account of an outgoing call.
"""

from __future__ import annotations

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
from triage.extractors.sqlite_rows import guarded_rows
from triage.extractors.values import integer, join_detail
from triage.records import CallRecord
from triage.recover.integration import RecoverySpec
from triage.timestamps import from_unix_seconds

TIME_NOTE = "Google Voice: timestamp is Unix seconds, UTC"
ITEM_TYPES = {
    "IncomingCall": ("incoming", True),
    "OutgoingCall": ("outgoing", None),
    "MissedCall": ("missed", False),
    "Voicemail": ("voicemail", None),
}


class GoogleVoiceCalls(SqliteCallExtractor):
    """Google Voice calls and voicemails (iOS threadingStore.sqlite ThreadItem)."""

    name: ClassVar[str] = "googlevoice.calls"
    description: ClassVar[str] = "Google Voice calls and voicemails (iOS threadingStore.sqlite)"
    patterns: ClassVar[tuple[str, ...]] = (
        "**/Containers/Shared/AppGroup/*/**/threadingStore.sqlite",
    )
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"ThreadItem", "ThreadParticipant"})
    recovery: ClassVar[RecoverySpec | None] = RecoverySpec(
        ("ThreadItem",), "row_id", plausible_call, key_column="threadItemKey"
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """The threading store's ThreadItem table."""
        return "threaditem" in {name.lower() for name in sqlite_tables(connection)}

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """Call and voicemail items in the app's own order (sortID)."""
        if not self.recognise(connection):
            ctx.problem("no Google Voice ThreadItem table in this database", file, "warning")
            return
        has_participants = "threadparticipant" in {
            name.lower() for name in sqlite_tables(connection)
        }
        participants = (
            "(SELECT group_concat(tp.phoneNumberE164, ', ') FROM ThreadParticipant tp "
            "WHERE tp.threadKey = ti.threadKey AND tp.threadType = ti.threadType)"
            if has_participants
            else "NULL"
        )
        rows = connection.execute(
            "SELECT ti.threadItemKey AS item_key, ti.itemType AS item_type, "
            "ti.timestamp AS timestamp, ti.senderPhoneNumber AS sender, "
            "ti.duration AS duration, ti.isDeleted AS deleted, ti.threadKey AS thread_key, "
            "ti.ringGroupName AS ring_group, ti.transferredFromE164 AS transferred_from, "
            "ti.transferredToE164 AS transferred_to, "
            f"{participants} AS participants "
            "FROM ThreadItem ti WHERE ti.itemType IN "
            "('IncomingCall', 'OutgoingCall', 'MissedCall', 'Voicemail') "
            "ORDER BY ti.sortID"
        )
        yield from guarded_rows(
            rows, lambda row: self._call(row, file, ctx), ctx, file, "item", "item_key"
        )

    def _call(self, row: sqlite3.Row, file: StoredFile, ctx: ExtractionContext) -> CallRecord:
        item_type = text(row["item_type"], 64) or ""
        direction, answered = ITEM_TYPES.get(item_type, ("unknown", None))
        sender = text(row["sender"], 64)
        party_list = text(row["participants"], 1024)
        parties = [part.strip() for part in (party_list or "").split(",") if part.strip()]
        duration = seconds(row["duration"])
        if direction == "outgoing":
            number = parties[0] if len(parties) == 1 else (party_list or None)
            account = sender
            if duration:
                answered = True
        else:
            number, account = sender, None
        deleted = integer(row["deleted"])
        return make_call(
            ctx,
            file,
            app="Google Voice",
            number=number,
            direction=direction,
            started=from_unix_seconds(row["timestamp"]),
            started_raw=raw(row["timestamp"]),
            duration=duration,
            answered=answered,
            account=account,
            call_type="voicemail" if item_type == "Voicemail" else "voice",
            deleted=None if deleted is None else bool(deleted),
            detail=join_detail(
                f"item type {item_type}",
                f"sender as stored {sender}" if direction == "outgoing" and sender else None,
                f"ring group {row['ring_group']}" if row["ring_group"] else None,
                f"transferred from {row['transferred_from']}" if row["transferred_from"] else None,
                f"transferred to {row['transferred_to']}" if row["transferred_to"] else None,
                f"thread {row['thread_key']}" if row["thread_key"] else None,
            ),
            time_note=TIME_NOTE,
            row_id=row["item_key"],
        )
