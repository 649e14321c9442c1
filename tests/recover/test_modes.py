"""Deleted rows planted in each journaling mode come back, exactly, and nothing else does.

The databases are built by tests/data/recover/build_recover.py with the extractors' schemas;
each test reads the records of one (database, mode) from one scan of them all and compares the
recovered ones with the rows the script deleted: numbers (as stored and E.164), start times,
URLs and visit times, and the source each was read from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest

from triage.timestamps import format_utc

CALLS = ("android", "ios")
BROWSERS = ("chrome", "firefox")
# What the b-tree rebalancing of a 60-row DELETE leaves behind (SQLite 3.x): the rows whose
# cells were moved between pages while the run was deleted are gone; the rest are on freelist
# leaf and trunk pages and in freeblocks of the page the run ended in.
FREELIST_FOUND = {
    "android": set(range(34, 80)),
    "ios": set(range(37, 80)),
    "chrome": set(range(51, 80)),
    "firefox": set(range(28, 80)),  # visits 20-27 were recovered, their moz_places rows not
}
IOS_FRACTION = {"android": timedelta(0), "ios": timedelta(seconds=0.5)}  # ZDATE has a fraction
WHERE = {
    "wal_main": "old page version (replaced by a WAL frame)",
    "wal_frames": "(older checkpoint)",
    "journal": "journal",
    "freeblocks": "freeblock",
}


def _records(scan, table: str, name: str, mode: str) -> list[dict]:
    rows = scan.records(table)
    return [row for row in rows if f"/{name}-{mode}/" in f"/{row['source_path']}"]


def _expected(recipe: str, mode: str, doomed: list[int]) -> set[int]:
    return FREELIST_FOUND[recipe] if mode == "freelist" else set(doomed)


def _when(value: datetime) -> str:
    return format_utc(value.astimezone(UTC))


@pytest.mark.parametrize("mode", ["wal_main", "wal_frames", "journal", "freeblocks", "freelist"])
@pytest.mark.parametrize("recipe", CALLS)
def test_deleted_calls_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, recipe: str, mode: str
) -> None:
    _root, doomed = recover_evidence
    records = _records(recover_scan, "calls", recipe, mode)
    recovered = [row for row in records if row["recovered"]]
    live = [row for row in records if not row["recovered"]]
    expected = _expected(recipe, mode, doomed[(recipe, mode)])
    got = {(row["number_e164"], row["started"]) for row in recovered}
    want = {
        (
            build_recover.call_number(index).replace(" ", "").replace("-", ""),
            _when(build_recover.call_time(index) + IOS_FRACTION[recipe]),
        )
        for index in expected
    }
    assert got == want
    assert len(recovered) == len(expected)
    assert not {row["number_e164"] for row in recovered} & {row["number_e164"] for row in live}
    for row in recovered:
        assert row["confidence"] in ("high", "medium", "low")
        assert row["recovery"] and "offset" in row["recovery"]
        if mode in WHERE:
            assert WHERE[mode] in row["recovery"]
    if mode in ("wal_main", "wal_frames", "journal"):
        # complete cells: the row id survives and the confidence is high
        assert {row["row_id"] for row in recovered} == {str(index) for index in expected}
        assert {row["confidence"] for row in recovered} == {"high"}
    if mode == "freeblocks":
        # the freeblock header overwrote the cell's first 4 bytes: rowid lost, carved
        assert {row["row_id"] for row in recovered} == {None}
        assert {row["confidence"] for row in recovered} == {"low"}


@pytest.mark.parametrize("mode", ["wal_main", "wal_frames", "journal", "freeblocks", "freelist"])
@pytest.mark.parametrize("recipe", BROWSERS)
def test_deleted_history_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, recipe: str, mode: str
) -> None:
    _root, doomed = recover_evidence
    records = _records(recover_scan, "browser_visits", recipe, mode)
    recovered = [row for row in records if row["recovered"]]
    expected = _expected(recipe, mode, doomed[(recipe, mode)])
    got = {(row["url"], row["visited"], row["title"]) for row in recovered}
    want = {
        (
            build_recover.page_url(index),
            _when(build_recover.visit_time(index)),
            f"Page {index}",
        )
        for index in expected
    }
    assert got == want
    assert len(recovered) == len(expected)
    for row in recovered:
        if mode in WHERE:
            assert WHERE[mode] in row["recovery"]


@pytest.mark.parametrize("recipe", CALLS + BROWSERS)
def test_vacuumed_database_recovers_nothing(recover_scan, recipe: str) -> None:
    table = "calls" if recipe in CALLS else "browser_visits"
    records = _records(recover_scan, table, recipe, "vacuumed")
    assert len(records) == 7  # the live rows
    assert not [row for row in records if row["recovered"]]


def test_no_recover_turns_the_layer_off(plain_scan, recover_scan) -> None:
    for table in ("calls", "browser_visits"):
        assert not [row for row in plain_scan.records(table) if row["recovered"]]
        live = [row for row in recover_scan.records(table) if not row["recovered"]]
        assert len(plain_scan.records(table)) == len(live)


def test_recovery_adds_no_problems(recover_scan, plain_scan) -> None:
    assert recover_scan.problems() == plain_scan.problems()


@pytest.mark.parametrize("recipe", CALLS + BROWSERS)
def test_hot_journal_rows_come_back_live_once(recover_scan, recipe: str) -> None:
    # the deletion was never committed: SQLite rolls the journal back, the rows are live
    table = "calls" if recipe in CALLS else "browser_visits"
    records = _records(recover_scan, table, recipe, "journal_hot")
    assert len(records) == 10
    assert not [row for row in records if row["recovered"]]
