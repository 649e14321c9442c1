"""Accounts signed in on an Android phone, from the AccountManager databases.

``/data/system_ce/<user>/accounts_ce.db`` (credential-encrypted, Android 7+) table ``accounts``
(``name``, ``type``, ``password``) and ``/data/system_de/<user>/accounts_de.db``
(device-encrypted) table ``accounts`` (``name``, ``type``, ``previous_name``,
``last_password_entry_time_millis_epoch``: Unix ms, 0 when never); Android 6 and older keep one
``/data/system/users/<user>/accounts.db``. The account type says whose account it is
(``com.google`` a Google account, ``com.whatsapp`` the WhatsApp number). Passwords and tokens
are never recorded. References: AOSP ``services/core/java/com/android/server/accounts/
AccountsDb.java``; ALEAPP ``accounts_ce.py``, ``accounts_de.py``.
"""

from __future__ import annotations

import sqlite3

from triage.extractors.base import table_columns
from triage.extractors.identity.facts import Facts, details, labelled
from triage.timestamps import from_unix_ms

MAX_ROWS = 5000


def parse_accounts(connection: sqlite3.Connection, facts: Facts, user: str | None) -> None:
    """Add one ``account`` fact per (name, type)."""
    columns = table_columns(connection, "accounts")
    if not {"name", "type"} <= columns:
        facts.problem("no accounts table with name and type columns")
        return
    timed = "last_password_entry_time_millis_epoch" in columns
    previous = "previous_name" in columns
    select = ", ".join(
        [
            "name",
            "type",
            "last_password_entry_time_millis_epoch" if timed else "NULL",
            "previous_name" if previous else "NULL",
        ]
    )
    for name, kind, entered, old_name in connection.execute(
        f"SELECT {select} FROM accounts ORDER BY _id LIMIT {MAX_ROWS}"
    ):
        when = from_unix_ms(entered)
        facts.add(
            "account",
            "account",
            name,
            time=when,
            time_raw=entered if when else None,
            time_note="password last entered (Unix ms)" if when else None,
            detail=details(
                labelled("type", kind),
                labelled("previously", old_name),
                labelled("Android", user),
            ),
        )
