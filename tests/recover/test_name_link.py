"""A carved download gets its id back from its carved URL chain only when the file name fits
one chain and that chain fits one download (triage.recover.shadow.join_by_name)."""

from __future__ import annotations

import sqlite3

from triage.recover.engine import RecoveredRow
from triage.recover.shadow import join_by_name
from triage.recover.spec import NameLink

LINK = NameLink("downloads_url_chains", "id", "chain_index", "url", "target_path")


def _row(table: str, rowid: int | None, **values: object) -> RecoveredRow:
    return RecoveredRow(table, rowid, values, "main", 2, 100, "freeblock of a live page", "low")


def _connection() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE downloads (id INTEGER PRIMARY KEY, target_path TEXT)")
    connection.execute("INSERT INTO downloads VALUES (1, 'C:\\live\\a.zip')")
    return connection


def _chain(key: int, *urls: str) -> list[RecoveredRow]:
    return [
        _row("downloads_url_chains", None, id=key, chain_index=index, url=url)
        for index, url in enumerate(urls)
    ]


def test_unique_names_join() -> None:
    downloads = [
        _row("downloads", None, target_path="C:\\Users\\s\\Downloads\\tool%203.zip"),
        _row("downloads", None, target_path="/home/s/Downloads/other.bin"),
    ]
    chains = [
        *_chain(3, "https://a.example/get/3", "https://cdn.example/tool%25203.zip?x=1"),
        *_chain(4, "https://b.example/other.bin"),
        *_chain(1, "https://live.example/other.bin"),  # the live download's: not an orphan
    ]
    joined = join_by_name(_connection(), LINK, downloads, chains)
    # the URL's last part percent-decoded is the saved name; a query string is no part of it
    assert [row.rowid for row in joined] == [3, 4]
    assert joined[1].which.endswith(
        "id 4 from its downloads_url_chains rows (matched by the saved file's name)"
    )


def test_ambiguous_names_stay_apart() -> None:
    downloads = [
        _row("downloads", None, target_path="C:\\d\\setup.exe"),
        _row("downloads", None, target_path="D:\\e\\setup.exe"),
    ]
    chains = [*_chain(5, "https://x.example/setup.exe"), *_chain(6, "https://y.example/a.zip")]
    assert [row.rowid for row in join_by_name(_connection(), LINK, downloads, chains)] == [
        None,
        None,
    ]
    one = [_row("downloads", None, target_path="C:\\d\\setup.exe")]
    two_chains = [
        *_chain(5, "https://x.example/setup.exe"),
        *_chain(7, "https://z.example/setup.exe"),
    ]
    assert join_by_name(_connection(), LINK, one, two_chains)[0].rowid is None
