"""The recovery layer on every SQLite database of the real-data corpus: no crash, no false row.

What it finds there, inspected by hand and asserted: the tables the extractors recover (calls,
history) hold no deleted rows in any corpus database (their free space is clean or zeroed), so
no record may come back; read over all their tables, the Google Voice store of the iOS 17
image gives back 13 deleted text messages (one reads "Here is your bad message. Take care to
delete it.") from a freelist trunk page, and Viber's ``sync_data`` 10 deleted contact-sync rows
from the unallocated space of its page: real deletions, with values that fit their columns.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from triage.recover import recover_rows
from triage.recover.schema import table_schemas

RECOVERED_TABLES = {
    "calls",
    "logs",
    "ZCALLRECORD",
    "call",
    "ThreadItem",
    "visits",
    "urls",
    "moz_historyvisits",
    "moz_places",
    "downloads",
    "downloads_url_chains",
    "keyword_search_terms",
    "moz_annos",
    "moz_downloads",
    "ZWACDCALLEVENT",
    "ZWACDCALLEVENTPARTICIPANT",
    "ZWAAGGREGATECALLEVENT",
    "Calls",
    "CallMembers",
    "ZSMESSAGE",
    "ZMESSAGEPROPERTIES",
}
GOOGLE_VOICE = "threadingStore.sqlite"


def _databases(corpus: Path) -> list[Path]:
    found = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.stat().st_size >= 100:
            with open(path, "rb") as handle:
                if handle.read(16) == b"SQLite format 3\x00":
                    found.append(path)
    return found


def _recover(path: Path, tmp_path: Path, tables: set[str] | None = None):
    copy = tmp_path / "db"
    shutil.copyfile(path, copy)
    siblings = {}
    for suffix in ("-wal", "-journal"):
        sibling = Path(f"{path}{suffix}")
        if sibling.is_file() and sibling.stat().st_size:
            shutil.copyfile(sibling, f"{copy}{suffix}")
            siblings[suffix] = sibling.read_bytes()
    connection = sqlite3.connect(copy)
    try:
        wanted = set(table_schemas(connection)) if tables is None else tables
        return recover_rows(
            connection,
            path.read_bytes(),
            siblings.get("-wal"),
            siblings.get("-journal"),
            wanted,
        )
    finally:
        connection.close()
        for file in tmp_path.iterdir():
            file.unlink()


def test_extractor_tables_of_every_corpus_database(corpus: Path, tmp_path: Path) -> None:
    databases = _databases(corpus)
    assert len(databases) == 34
    found = {}
    for path in databases:
        rows = _recover(path, tmp_path, RECOVERED_TABLES)
        if rows:
            found[path.name] = Counter((row.table, row.values.get("itemType")) for row in rows)
    # deleted Google Voice texts (the extractor reads only call items: no record from them)
    assert found == {
        GOOGLE_VOICE: Counter({("ThreadItem", "SmsIn"): 7, ("ThreadItem", "SmsOut"): 6})
    }


def test_no_record_recovered_from_the_corpus(corpus: Path, scan) -> None:
    out = scan(corpus / "calls" / "ileapp_googlevoice_josh_ios17", extractors=["googlevoice.calls"])
    calls = out.records("calls")
    assert len(calls) == 34
    assert not [row for row in calls if row["recovered"]]
    assert out.problems() == []


@pytest.mark.parametrize("folder", ["calls", "browser"])
def test_every_table_of_the_call_and_browser_databases(
    corpus: Path, tmp_path: Path, folder: str
) -> None:
    found: dict[str, Counter] = {}
    for path in _databases(corpus / folder):
        rows = _recover(path, tmp_path)
        for row in rows:
            schema_columns = set(row.values)
            assert row.confidence in ("high", "medium", "low")
            assert schema_columns and all(isinstance(key, str) for key in schema_columns)
        if rows:
            found[path.name] = Counter(row.table for row in rows)
    if folder == "browser":
        assert found == {}
        return
    assert found["threadingStore.sqlite"]["ThreadItem"] == 13
    assert found["plaso_android_viber_data"]["sync_data"] == 10


def test_google_voice_deleted_messages(corpus: Path, tmp_path: Path) -> None:
    (path,) = [path for path in _databases(corpus / "calls") if path.name == GOOGLE_VOICE]
    rows = _recover(path, tmp_path, {"ThreadItem"})
    assert len(rows) == 13
    assert {row.values["itemType"] for row in rows} == {"SmsIn", "SmsOut"}
    texts = {row.values["messageText"] for row in rows}
    assert "Here is your bad message. Take care to delete it." in texts
    assert {row.which for row in rows} == {"freelist trunk page"}
    assert {row.values["senderPhoneNumber"] for row in rows} <= {
        "+19104773625",
        "+19105576476",
    }


def test_viber_deleted_sync_rows(corpus: Path, tmp_path: Path) -> None:
    (path,) = [path for path in _databases(corpus / "calls") if path.name.endswith("viber_data")]
    rows = _recover(path, tmp_path, {"sync_data"})
    # the last one deleted lost its rowid under a freeblock header; its values repeat row 9's
    assert [row.rowid for row in rows] == [*range(1, 10), None]
    assert rows[9].values["display_name"] == rows[8].values["display_name"]
    assert rows[0].values["canonized_phone_number"] == "+19195790479"
    assert rows[0].values["display_name"] == "Josh Hickman"
    assert [row.confidence for row in rows] == ["medium"] * 9 + ["low"]


def test_ios_accounts_nothing_deleted(corpus: Path, scan, tmp_path: Path) -> None:
    # plaso's Accounts3.sqlite: no ZACCOUNT row is left outside the live view, so the
    # identity extractor's recovery adds nothing to its 10 live facts
    source = corpus / "mobile" / "ios" / "plaso_ios_Accounts3.sqlite"
    assert _recover(source, tmp_path, {"ZACCOUNT"}) == []
    evidence = tmp_path / "evidence"
    target = evidence / "private/var/mobile/Library/Accounts/Accounts3.sqlite"
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    out = scan(evidence, extractors=["ios.identity"])
    facts = out.records("identity")
    assert len(facts) == 10
    assert not [row for row in facts if row["recovered"]]
    assert out.problems() == []
