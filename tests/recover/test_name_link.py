"""A carved download gets its id back from its carved URL chain only when the file name fits
one chain and that chain fits one download (triage.recover.shadow.join_by_name)."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

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


NAMES = st.sampled_from(["a.zip", "b.exe", "c.pdf", "d.apk"])


@given(
    st.lists(NAMES, max_size=5),
    st.dictionaries(st.integers(1, 9), NAMES, max_size=6),
)
def test_joins_are_one_to_one_and_by_name(saved: list[str], chains: dict[int, str]) -> None:
    downloads = [_row("downloads", None, target_path=f"C:\\d\\{name}") for name in saved]
    rows = [row for key, name in chains.items() for row in _chain(key, f"https://x/{name}")]
    joined = join_by_name(_connection(), LINK, downloads, rows)
    given_ids = [row.rowid for row in joined if row.rowid is not None]
    assert len(given_ids) == len(set(given_ids))  # no chain goes to two downloads
    assert 1 not in given_ids  # the live download's id is never given
    for row, before in zip(joined, downloads, strict=True):
        if row.rowid is not None:
            name = before.values["target_path"].rsplit("\\", 1)[-1]
            assert chains[row.rowid] == name
            assert saved.count(name) == 1
            assert [key for key, other in chains.items() if other == name and key != 1] == [
                row.rowid
            ]
