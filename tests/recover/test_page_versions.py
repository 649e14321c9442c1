"""Whole rows from old page versions: one spilling onto overflow pages comes back whole (its
chain read from the same file), and of two versions of one deleted row the fullest is kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from triage.recover import recover_rows


def test_overflowing_row_recovered_whole(tmp_path: Path) -> None:
    path = tmp_path / "History"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA page_size = 1024")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("PRAGMA secure_delete = ON")
    connection.execute(
        "CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT, n INTEGER)"
    )
    long_url = "https://tracker.example/?" + "&".join(f"k{i}=v{i}" for i in range(400))
    connection.execute("INSERT INTO urls VALUES (1, 'https://kept.example/', 'Kept', 1)")
    connection.execute("INSERT INTO urls VALUES (2, ?, 'Long one', 2)", (long_url,))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("DELETE FROM urls WHERE id = 2")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{path}{suffix}", evidence / f"History{suffix}")
    connection.close()
    copy = sqlite3.connect(evidence / "History")
    try:
        rows = recover_rows(
            copy,
            (evidence / "History").read_bytes(),
            (evidence / "History-wal").read_bytes(),
            None,
            {"urls"},
        )
    finally:
        copy.close()
    assert len(long_url) > 3000
    assert [(row.rowid, row.values["url"], row.values["title"]) for row in rows] == [
        (2, long_url, "Long one")
    ]
    assert rows[0].confidence == "high"


def test_two_versions_of_a_deleted_row_keep_the_fullest(tmp_path: Path) -> None:
    """A call saved without a name, then given one, then deleted: the main file holds the
    first version, a WAL frame the second; the one with most fields is kept, and says so."""
    path = tmp_path / "calllog.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("PRAGMA secure_delete = ON")
    connection.execute(
        "CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, date INTEGER, "
        "duration INTEGER, type INTEGER, name TEXT)"
    )
    connection.execute("INSERT INTO calls VALUES (1, '+12025550101', 1709286000000, 5, 1, 'A')")
    connection.execute("INSERT INTO calls VALUES (2, '+12025550102', 1709286660000, 9, 2, NULL)")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("UPDATE calls SET name = 'Bob' WHERE _id = 2")
    connection.execute("DELETE FROM calls WHERE _id = 2")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{path}{suffix}", evidence / f"calllog.db{suffix}")
    connection.close()
    copy = sqlite3.connect(evidence / "calllog.db")
    try:
        rows = recover_rows(
            copy,
            (evidence / "calllog.db").read_bytes(),
            (evidence / "calllog.db-wal").read_bytes(),
            None,
            {"calls"},
        )
    finally:
        copy.close()
    (row,) = rows
    assert (row.rowid, row.values["number"], row.values["name"]) == (2, "+12025550102", "Bob")
    assert row.versions == 2
    assert row.where == "wal" and "WAL frame 1 (superseded)" in row.which
    assert "2 versions found, the one with most fields kept" in row.describe()
