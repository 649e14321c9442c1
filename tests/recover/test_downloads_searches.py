"""Deleted Chromium downloads and search terms come back through the extractor's own reading.

The ``chromedl`` databases (tests/data/recover/build_recover.py) hold per row a download with a
two-URL chain, a search term and its results page; "Clear browsing data" deleted three of them.
A download is tied back to its recovered row by its start time, a search by its term.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest

from tests.recover.test_modes import _records, _when

WHOLE = ("wal_main", "journal")  # every page of the deletion survives whole
LIVE = {"wal_main": 7, "journal": 7, "wal_frames": 8, "freeblocks": 7}  # + a late row in frames


def _download(build_recover: ModuleType, index: int, chain: bool) -> tuple:
    urls = build_recover.download_chain(index) if chain else ()
    return (
        urls[-1] if urls else None,
        list(urls),
        build_recover.download_path(index),
        _when(build_recover.download_time(index)),
    )


def _got_downloads(rows: list[dict]) -> set[tuple]:
    return {
        (row["url"], tuple(json.loads(row["url_chain"])), row["target_path"], row["started"])
        for row in rows
    }


def _want(items: list[tuple]) -> set[tuple]:
    return {(url, tuple(chain), path, started) for url, chain, path, started in items}


@pytest.mark.parametrize("mode", [*WHOLE, "wal_frames", "freeblocks"])
def test_deleted_downloads_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    _root, doomed = recover_evidence
    records = _records(recover_scan, "browser_downloads", "chromedl", mode)
    recovered = [row for row in records if row["recovered"]]
    live = [row for row in records if not row["recovered"]]
    assert len(live) == LIVE[mode]
    deleted = doomed[("chromedl", mode)]
    assert deleted == [3, 6, 8]
    # freeblocks: the download's id (a rowid alias) was in the overwritten bytes; its carved
    # URL chain rows keep it, and are joined by the saved file's name (tool3.zip is the last
    # URL's); wal_frames: the frame holding chain 3 was overwritten
    chains = {"wal_frames": {6, 8}}.get(mode, set(deleted))
    want = _want([_download(build_recover, index, index in chains) for index in deleted])
    assert _got_downloads(recovered) == want
    assert len(recovered) == 3
    for row in recovered:
        assert row["recovery"] and "offset" in row["recovery"]
        assert row["confidence"] == ("low" if mode == "freeblocks" else "high")
        assert row["total_bytes"] == 1000 * int(row["target_path"][-5])
        joined = f"id {row['target_path'][-5]} from its downloads_url_chains rows"
        assert (joined in row["recovery"]) == (mode == "freeblocks")


@pytest.mark.parametrize("mode", [*WHOLE, "wal_frames"])
def test_deleted_searches_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    _root, doomed = recover_evidence
    records = _records(recover_scan, "browser_searches", "chromedl", mode)
    recovered = [row for row in records if row["recovered"]]
    assert len([row for row in records if not row["recovered"]]) == LIVE[mode]
    got = {(row["term"], row["url"], row["searched"]) for row in recovered}
    want = {
        (
            build_recover.search_term(index),
            build_recover.search_url(index),
            _when(build_recover.search_time(index)),
        )
        for index in doomed[("chromedl", mode)]
    }
    assert got == want
    assert len(recovered) == 3
    assert {row["confidence"] for row in recovered} == {"high"}


def test_carved_search_rows_are_guessed_back(
    recover_scan, recover_evidence, build_recover: ModuleType
) -> None:
    # a short keyword_search_terms cell loses its first column's serial type to the freeblock
    # header: the carver guesses it (the cell must end exactly at its free block's end), so the
    # three deleted terms come back, and nothing else. Their results pages were deleted too and
    # the carved urls rows lost their ids (the rowid alias), so the join finds no URL or time.
    _root, doomed = recover_evidence
    records = _records(recover_scan, "browser_searches", "chromedl", "freeblocks")
    recovered = [row for row in records if row["recovered"]]
    assert len(records) - len(recovered) == 7
    got = {(row["term"], row["url"], row["searched"]) for row in recovered}
    want = {(build_recover.search_term(i), None, None) for i in doomed[("chromedl", "freeblocks")]}
    assert got == want
    assert len(recovered) == 3
    assert {row["confidence"] for row in recovered} == {"low"}
    assert all("freeblock" in row["recovery"] for row in recovered)


def test_freelist_downloads_are_deleted_ones(recover_scan, build_recover: ModuleType) -> None:
    records = _records(recover_scan, "browser_downloads", "chromedl", "freelist")
    recovered = [row for row in records if row["recovered"]]
    paths = {build_recover.download_path(index): index for index in range(20, 80)}
    assert len(recovered) >= 40
    for row in recovered:
        index = paths[row["target_path"]]  # a deleted download, never a live one
        assert row["started"] == _when(build_recover.download_time(index))
        chain = json.loads(row["url_chain"])
        assert set(chain) <= set(build_recover.download_chain(index))


@pytest.mark.parametrize("table", ["browser_downloads", "browser_searches"])
@pytest.mark.parametrize("mode", ["vacuumed", "journal_hot"])
def test_nothing_recovered_when_nothing_was_deleted(recover_scan, table: str, mode: str) -> None:
    records = _records(recover_scan, table, "chromedl", mode)
    assert len(records) == (7 if mode == "vacuumed" else 10)
    assert not [row for row in records if row["recovered"]]


def test_report_shows_recovered_downloads_and_searches(recover_scan) -> None:
    html = (recover_scan.output / "report.html").read_text(encoding="utf-8")
    assert "deleted downloads recovered" in html
    assert "deleted searches recovered" in html
    assert "How to wipe Phone 3" in html


def test_older_versions_of_live_rows_are_not_deleted_rows(
    build_recover: ModuleType, tmp_path, scan
) -> None:
    # a download that went on after a checkpoint (bytes, state, end written later) and a visit
    # whose duration was written later: their old versions sit in the main file's old pages,
    # but the rows are live, so nothing is "recovered"
    evidence = tmp_path / "evidence"
    recipe = build_recover.RECIPES["chromedl"]
    path = evidence / recipe.path
    connection = build_recover._open(path, recipe, "WAL", secure=True)
    build_recover._txn(connection, lambda: build_recover._fill(connection, recipe, [1, 2]))
    connection.execute(
        "INSERT INTO visits (id, url, visit_time, from_visit, transition, segment_id, "
        "visit_duration) VALUES (1, 1, 13353760623000000, 0, 1, 0, 0)"
    )
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("UPDATE downloads SET received_bytes = 5, state = 2 WHERE id = 1")
    connection.execute("UPDATE visits SET visit_duration = 9000000 WHERE id = 1")
    snapshot = tmp_path / "copy" / "History"
    build_recover._snapshot(path, snapshot)
    connection.close()
    for suffix in ("", "-wal"):
        Path(f"{snapshot}{suffix}").replace(f"{path}{suffix}")
    out = scan(evidence, extractors=["chromium.history"])
    for table in ("browser_downloads", "browser_visits", "browser_searches"):
        records = out.records(table)
        assert records
        assert not [row for row in records if row["recovered"]]
    (live,) = [
        row for row in out.records("browser_downloads") if row["target_path"].endswith("tool1.zip")
    ]
    assert live["received_bytes"] == 5


@pytest.mark.parametrize("mode", [*WHOLE, "wal_frames", "freeblocks"])
def test_deleted_firefox_downloads_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    # "Remove from history" of a download deletes its two moz_annos rows; the place stays, so
    # the URL is the live one's in every mode (a carved annotation keeps its place_id)
    _root, doomed = recover_evidence
    records = _records(recover_scan, "browser_downloads", "firefoxdl", mode)
    recovered = [row for row in records if row["recovered"]]
    assert len([row for row in records if not row["recovered"]]) == LIVE[mode]
    got = {
        (row["url"], row["target_path"], row["started"], row["ended"], row["total_bytes"])
        for row in recovered
    }
    want = {
        (
            build_recover.download_chain(index)[-1],
            build_recover.download_path(index).replace("\\", "/"),
            _when(build_recover.download_time(index)),
            _when(build_recover.download_time(index) + timedelta(seconds=42)),
            1000 * index,
        )
        for index in doomed[("firefoxdl", mode)]
    }
    assert got == want
    assert len(recovered) == 3
    assert {row["confidence"] for row in recovered} == {"low" if mode == "freeblocks" else "high"}


@pytest.mark.parametrize("mode", ["vacuumed", "journal_hot"])
def test_firefox_downloads_nothing_to_recover(recover_scan, mode: str) -> None:
    records = _records(recover_scan, "browser_downloads", "firefoxdl", mode)
    assert len(records) == (7 if mode == "vacuumed" else 10)
    assert not [row for row in records if row["recovered"]]
