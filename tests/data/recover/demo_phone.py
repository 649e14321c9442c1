"""The demo phone's deletions (phone-03): deleted calls in a WAL phone's call log and deleted
Chrome visits in freeblocks, planted into the demo evidence by tests/data/demo/build_demo.py."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

common = sys.modules["build_recover_common"]  # loaded first by build_recover.py
modes = common.sibling("modes")
calls, browser = common.calls, common.browser
_insert, _txn, _snapshot = modes._insert, modes._txn, modes._snapshot

# -- the demo phone (phone-03): what its user deleted before the seizure ----------------------
DEMO_DELETED_CALLS = (  # (number as the dialer stored it, UTC time, seconds, type 2 = outgoing)
    ("+1 540-456-1685", "2024-03-01T10:12:00", 310, 2),  # victim A, called back from the phone
    ("+1 212-555-0183", "2024-03-01T10:41:00", 65, 2),
    ("+1 415-555-0122", "2024-03-01T10:58:00", 0, 2),
    ("+44 20 7946 0123", "2024-03-01T11:21:00", 42, 1),
    ("+1 646-555-0199", "2024-03-01T11:48:00", 128, 2),
)
DEMO_DELETED_VISITS = (  # (URL, title, UTC time)
    (
        "https://remotedesktop.example/download/anydesk-android.apk",
        "AnyDesk for Android - download",
        "2024-03-01T10:05:12",
    ),
    (
        "https://www.google.com/search?q=how+to+delete+call+history+android",
        "how to delete call history android - Google Search",
        "2024-03-01T11:55:40",
    ),
    (
        "https://support.example/how-to-clear-call-log",
        "How to clear your call log",
        "2024-03-01T11:56:31",
    ),
)


def _keep_wal(path: Path, work: Callable[[sqlite3.Connection], None]) -> None:
    """Run ``work`` in WAL mode and leave the database as a running phone's: -wal not merged."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("PRAGMA secure_delete = ON")
    work(connection)
    snapshot = path.parent / f".{path.name}.snapshot"
    _snapshot(path, snapshot)
    connection.close()
    for suffix in ("", "-wal"):
        Path(f"{snapshot}{suffix}").replace(f"{path}{suffix}")


def populate_android_phone(root: Path) -> None:
    """Plant the deletions in phone-03's call log (WAL, seized running: the calls are in the main
    file's old page) and Chrome history (``secure_delete`` off: visits and URLs in freeblocks)."""
    calllog = root / "data/data/com.android.providers.contacts/databases/calllog.db"

    def calls_work(connection: sqlite3.Connection) -> None:
        rows = [
            {
                "number": number,
                "date": int(datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()) * 1000,
                "duration": duration,
                "type": kind,
                "countryiso": "IN",
                "phone_account_address": calls.STORY_SIM_NUMBER,
            }
            for number, when, duration, kind in DEMO_DELETED_CALLS
        ]
        (first,) = connection.execute("SELECT coalesce(max(_id), 0) + 1 FROM calls").fetchone()
        _txn(connection, lambda: _insert(connection, [("calls", row) for row in rows]))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _txn(connection, lambda: connection.execute("DELETE FROM calls WHERE _id >= ?", (first,)))

    _keep_wal(calllog, calls_work)
    history = root / browser.PHONE_CHROME
    visits = [
        browser.Visit(url, title, browser.utc(when), browser.TYPED_IN_OMNIBOX)
        for url, title, when in DEMO_DELETED_VISITS
    ]
    connection = sqlite3.connect(history, isolation_level=None)
    connection.execute("PRAGMA secure_delete = OFF")
    _txn(connection, lambda: browser.fill_chrome_history(connection, visits, create=False))
    urls = [url for url, _title, _when in DEMO_DELETED_VISITS]
    marks = ", ".join("?" for _ in urls)
    ids = f"SELECT id FROM urls WHERE url IN ({marks})"
    _txn(
        connection,
        lambda: (
            connection.execute(f"DELETE FROM visits WHERE url IN ({ids})", urls),
            connection.execute(f"DELETE FROM urls WHERE url IN ({marks})", urls),
        ),
    )
    connection.close()
