"""Deleted WhatsApp calls (iOS CallHistory.sqlite) come back through the extractor's join.

A call is three Core Data rows: the event (time, duration, creator), its participant (the other
party's JID, joined on ``Z1PARTICIPANTS``) and its aggregate (incoming/video flags, joined on
``Z_PK``). The fixture deletes all three for calls 3, 6 and 8. A carved event loses its ``Z_PK``
(the row id), a carved participant too, but the join column survives, so even freeblocks give
the whole call; the aggregate is only joined when recovered whole.
"""

from __future__ import annotations

from datetime import timedelta
from types import ModuleType

import pytest

from tests.recover.test_modes import WHERE, _records, _when

LIVE = {"wal_frames": 8, "journal_hot": 10}
# the Teams recipe has 20 rows on 4 KiB pages (tests/data/recover/call_recipes.py)
TEAMS_LIVE = {"wal_frames": 18, "journal_hot": 20}


@pytest.mark.parametrize("mode", ["wal_main", "wal_frames", "journal", "freeblocks"])
def test_deleted_whatsapp_calls_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    _root, doomed = recover_evidence
    records = _records(recover_scan, "calls", "whatsapp", mode)
    recovered = [row for row in records if row["recovered"]]
    assert len([row for row in records if not row["recovered"]]) == LIVE.get(mode, 7)
    deleted = doomed[("whatsapp", mode)]
    assert deleted == [3, 6, 8]
    got = {
        (row["number"], row["number_e164"], row["direction"], row["started"], row["duration"])
        for row in recovered
    }
    want = {
        (
            build_recover.whatsapp_jid(index),
            "+1202555" + f"{100 + index:04d}",
            "incoming" if index % 2 else "outgoing",
            _when(build_recover.call_time(index) + timedelta(seconds=0.25)),
            30.5 + index,
        )
        for index in deleted
    }
    assert got == want
    assert len(recovered) == 3
    for row in recovered:
        assert row["app"] == "WhatsApp"
        assert WHERE[mode] in row["recovery"]
    if mode == "freeblocks":
        assert {row["row_id"] for row in recovered} == {None}
        assert {row["confidence"] for row in recovered} == {"low"}
    else:
        assert {row["row_id"] for row in recovered} == {"3", "6", "8"}
        assert {row["confidence"] for row in recovered} == {"high"}


def test_freelist_whatsapp_calls_are_deleted_ones(recover_scan, build_recover) -> None:
    records = _records(recover_scan, "calls", "whatsapp", "freelist")
    recovered = [row for row in records if row["recovered"]]
    jids = {build_recover.whatsapp_jid(index): index for index in range(20, 80)}
    assert recovered
    for row in recovered:
        index = jids[row["number"]]  # a deleted call, never a live one
        assert row["started"] == _when(build_recover.call_time(index) + timedelta(seconds=0.25))


@pytest.mark.parametrize("mode", ["vacuumed", "journal_hot"])
def test_whatsapp_nothing_to_recover(recover_scan, mode: str) -> None:
    records = _records(recover_scan, "calls", "whatsapp", mode)
    assert len(records) == LIVE.get(mode, 7)
    assert not [row for row in records if row["recovered"]]


@pytest.mark.parametrize("mode", ["wal_main", "wal_frames", "journal", "freeblocks"])
def test_deleted_skype_calls_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    # the record key is "call/member"; a carved Calls row lost its id, so no member joins it and
    # the record comes from Calls alone (partner_handle, duration): the same values here
    _root, doomed = recover_evidence
    records = _records(recover_scan, "calls", "skype", mode)
    recovered = [row for row in records if row["recovered"]]
    assert len([row for row in records if not row["recovered"]]) == LIVE.get(mode, 7)
    deleted = doomed[("skype", mode)]
    got = {(row["number"], row["direction"], row["started"], row["duration"]) for row in recovered}
    want = {
        (
            build_recover.skype_party(index),
            "incoming" if index % 2 else "outgoing",
            _when(build_recover.call_time(index)),
            30 + index,
        )
        for index in deleted
    }
    assert got == want
    assert len(recovered) == 3
    for row in recovered:
        assert row["app"] == "Skype"
        assert WHERE[mode] in row["recovery"]
    rows_ids = {row["row_id"] for row in recovered}
    assert rows_ids == ({None} if mode == "freeblocks" else {f"{i}/{i}" for i in deleted})


@pytest.mark.parametrize("mode", ["vacuumed", "journal_hot"])
def test_skype_nothing_to_recover(recover_scan, mode: str) -> None:
    records = _records(recover_scan, "calls", "skype", mode)
    assert len(records) == LIVE.get(mode, 7)
    assert not [row for row in records if row["recovered"]]


def test_freelist_skype_calls_are_deleted_ones(recover_scan, build_recover) -> None:
    records = _records(recover_scan, "calls", "skype", "freelist")
    recovered = [row for row in records if row["recovered"]]
    parties = {build_recover.skype_party(index): index for index in range(20, 80)}
    assert recovered
    for row in recovered:
        index = parties[row["number"]]  # a deleted call, never a live one
        assert row["started"] == _when(build_recover.call_time(index))


@pytest.mark.parametrize("mode", ["wal_main", "wal_frames", "journal", "freeblocks"])
def test_deleted_teams_calls_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    # a Teams call is a message (ZSMESSAGE) joined to its archived properties on ZTSID
    _root, doomed = recover_evidence
    records = _records(recover_scan, "calls", "teams", mode)
    recovered = [row for row in records if row["recovered"]]
    assert len([row for row in records if not row["recovered"]]) == TEAMS_LIVE.get(mode, 17)
    deleted = doomed[("teams", mode)]
    got = {
        (row["number"], row["direction"], row["started"], row["duration"], row["row_id"])
        for row in recovered
    }
    want = {
        (
            build_recover.teams_number(index),
            "incoming" if index % 2 else "outgoing",
            _when(build_recover.call_time(index)),
            30 + index,
            str(1_709_280_000_000 + index),
        )
        for index in deleted
    }
    assert got == want
    assert len(recovered) == 3
    # freeblocks: message and properties both carved (rowids lost), joined on their ZTSID
    confidence = "low" if mode == "freeblocks" else "high"
    assert {row["confidence"] for row in recovered} == {confidence}
    if mode in WHERE:
        assert all(WHERE[mode] in row["recovery"] for row in recovered)


@pytest.mark.parametrize("mode", ["vacuumed", "journal_hot"])
def test_teams_nothing_false(recover_scan, mode: str) -> None:
    records = _records(recover_scan, "calls", "teams", mode)
    assert len(records) == TEAMS_LIVE.get(mode, 17)
    assert not [row for row in records if row["recovered"]]


def test_freelist_teams_calls_are_deleted_ones(recover_scan, build_recover) -> None:
    records = _records(recover_scan, "calls", "teams", "freelist")
    recovered = [row for row in records if row["recovered"]]
    numbers = {build_recover.teams_number(index): index for index in range(20, 80)}
    assert recovered
    for row in recovered:
        index = numbers[row["number"]]  # a deleted call, never a live one
        assert row["started"] == _when(build_recover.call_time(index))
