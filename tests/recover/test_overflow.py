"""A deleted row too long for its page (its payload spills onto overflow pages) comes back whole
from the main file's old page version, its overflow chain read from the same file."""

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
