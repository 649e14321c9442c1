"""Deleted accounts and SIM cards come back as identity facts, marked, and never as the device now.

The databases are Android ``accounts_de.db`` and ``telephony.db`` (``siminfo``), built in every
mode by tests/data/recover/identity_recipes.py. Recovered facts carry ``recovered``, the source
and a confidence; the device's identity summary, its default region and the case's links use
the live facts only, and the report lists the recovered ones apart under Identity.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

from tests.recover.conftest import _scan
from triage.correlate import DeviceStoreRef, build_case_db
from triage.identity import device_identity
from triage.recover import recover_rows
from triage.recover.checks import plausible_time
from triage.region import default_region
from triage.store import DeviceStore
from triage.timestamps import format_utc

MODES = ("wal_main", "wal_frames", "journal", "freeblocks")
WHERE = {
    "wal_main": "old page version (replaced by a WAL frame)",
    "wal_frames": "(older checkpoint)",
    "journal": "journal",
    "freeblocks": "freeblock",
}
# the 60-row deletion's b-tree rebalance loses some rows (see test_modes.FREELIST_FOUND)
FREELIST_FOUND = {
    "accounts": {29, 30, *range(44, 80)},
    "siminfo": {22, *range(27, 80)},
    "ios_accounts": {24, *range(31, 80)},
    "ios_sims": set(range(37, 80)),
}


def _facts(scan, name: str, mode: str, key: str) -> list[dict]:
    return [
        row
        for row in scan.records("identity")
        if f"/{name}-{mode}/" in f"/{row['source_path']}" and row["key"] == key
    ]


def _found_where(mode: str, recovery: str) -> bool:
    """Whether a recovered fact says it was read where its mode leaves deleted rows (a cell
    freed last in a page merges into the unallocated gap, not a freeblock)."""
    if mode == "freeblocks":
        return "freeblock" in recovery or "unallocated space" in recovery
    return WHERE.get(mode, "") in recovery and "offset" in recovery


def _expected(build: ModuleType, name: str, mode: str, doomed: list[int]) -> set[int]:
    if mode == "freelist":
        return FREELIST_FOUND[name]
    return set(doomed) - {build.ERA_OUTLIER}


@pytest.mark.parametrize("mode", [*MODES, "freelist"])
def test_deleted_accounts_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    _root, doomed = recover_evidence
    rows = _facts(recover_scan, "accounts", mode, "account")
    recovered = [row for row in rows if row["recovered"]]
    expected = _expected(build_recover, "accounts", mode, doomed[("accounts", mode)])
    got = {(row["value"], row["time"], row["detail"]) for row in recovered}
    want = {
        (
            build_recover.account_name(index),
            format_utc(build_recover.account_time(index)),
            f"type {build_recover.account_type(index)}; Android user 0",
        )
        for index in expected
    }
    assert got == want
    assert len(recovered) == len(expected)
    live = {row["value"] for row in rows if not row["recovered"]}
    assert not live & {row["value"] for row in recovered}
    for row in recovered:
        assert row["confidence"] in ("high", "medium", "low")
        assert "offset" in row["recovery"]
        if mode in WHERE:
            assert WHERE[mode] in row["recovery"]
    if mode == "freeblocks":
        assert {row["confidence"] for row in recovered} == {"low"}
    elif mode != "freelist":
        assert {row["confidence"] for row in recovered} == {"high"}


@pytest.mark.parametrize("mode", [*MODES, "freelist"])
def test_deleted_ios_accounts_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    # Accounts3.sqlite: the account joins its live ZACCOUNTTYPE row for the type's name
    _root, doomed = recover_evidence
    rows = _facts(recover_scan, "ios_accounts", mode, "account")
    recovered = [row for row in rows if row["recovered"]]
    expected = _expected(build_recover, "ios_accounts", mode, doomed[("ios_accounts", mode)])
    types = build_recover.IOS_TYPES
    got = {(row["value"], row["time"], row["detail"]) for row in recovered}
    want = {
        (
            build_recover.ios_username(index),
            format_utc(build_recover.ios_added(index)),
            "{} ({}); description Account {}; set up by com.apple.Preferences".format(
                *types[build_recover.ios_type(index)], index
            ),
        )
        for index in expected
    }
    assert got == want
    assert len(recovered) == len(expected)
    assert all(_found_where(mode, row["recovery"]) for row in recovered)


@pytest.mark.parametrize("mode", [*MODES, "freelist"])
def test_deleted_ios_sims_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    # CellularUsage.db subscriber_info: the ICCID, and the number with its last update time
    _root, doomed = recover_evidence
    expected = _expected(build_recover, "ios_sims", mode, doomed[("ios_sims", mode)])
    iccids = [r for r in _facts(recover_scan, "ios_sims", mode, "iccid") if r["recovered"]]
    assert {(row["value"], row["detail"]) for row in iccids} == {
        (build_recover.iccid(index), f"CellularUsage.db; slot {index % 2}") for index in expected
    }
    numbers = [r for r in _facts(recover_scan, "ios_sims", mode, "phone_number") if r["recovered"]]
    assert {(row["value"], row["time"]) for row in numbers} == {
        (
            build_recover.sim_number(index).replace(" ", "").replace("-", ""),
            format_utc(build_recover.ios_updated(index)),
        )
        for index in expected
    }
    assert all(_found_where(mode, row["recovery"]) for row in iccids + numbers)


@pytest.mark.parametrize("mode", [*MODES, "freelist"])
def test_deleted_sims_recovered(
    recover_scan, recover_evidence, build_recover: ModuleType, mode: str
) -> None:
    _root, doomed = recover_evidence
    expected = _expected(build_recover, "siminfo", mode, doomed[("siminfo", mode)])
    for key, value in (
        ("iccid", build_recover.iccid),
        ("imsi", build_recover.imsi),
        ("phone_number", lambda index: build_recover.sim_number(index).replace(" ", "")),
    ):
        rows = _facts(recover_scan, "siminfo", mode, key)
        recovered = {row["value"] for row in rows if row["recovered"]}
        want = {value(index).replace("-", "") for index in expected}
        assert recovered == want, key
    iccids = [row for row in _facts(recover_scan, "siminfo", mode, "iccid") if row["recovered"]]
    assert all(_found_where(mode, row["recovery"]) for row in iccids)
    if mode in ("wal_main", "wal_frames", "journal"):  # whole cells: the subscription id kept
        details = {row["detail"] for row in iccids}
        assert details == {f"subscription {i}; not inserted at extraction" for i in expected}
    if mode == "freeblocks":  # carved: the id is lost and not made up
        assert {row["detail"] for row in iccids} == {"not inserted at extraction"}


@pytest.mark.parametrize("name", ["accounts", "siminfo", "ios_accounts", "ios_sims"])
@pytest.mark.parametrize("mode", ["vacuumed", "journal_hot"])
def test_nothing_recovered_where_nothing_was_deleted(recover_scan, name: str, mode: str) -> None:
    rows = [r for r in recover_scan.records("identity") if f"/{name}-{mode}/" in r["source_path"]]
    assert rows
    assert not [row for row in rows if row["recovered"]]


def test_a_time_outside_the_device_era_is_not_a_record(
    recover_evidence, build_recover: ModuleType, recover_scan, tmp_path: Path
) -> None:
    # the planted account of 2005 is carved from its freeblock, and passes the coarse check...
    root, _doomed = recover_evidence
    database = root / "accounts-freeblocks" / build_recover.RECIPES["accounts"].path
    copy = tmp_path / "copy.db"
    shutil.copyfile(database, copy)
    connection = sqlite3.connect(copy)
    try:
        rows = recover_rows(connection, database.read_bytes(), None, None, {"accounts"})
    finally:
        connection.close()
    outlier = build_recover.account_name(build_recover.ERA_OUTLIER)
    assert outlier in {row.values["name"] for row in rows}
    assert plausible_time(build_recover.OUTLIER_TIME)
    # ...but 2005 is 18 years before every other time on the device: not a record, in any
    # mode that deleted it (in the freelist mode it is a live row)
    for mode in MODES:
        assert outlier not in {
            row["value"] for row in _facts(recover_scan, "accounts", mode, "account")
        }


@pytest.fixture(scope="module")
def phone_scan(build_recover: ModuleType, tmp_path_factory: pytest.TempPathFactory):
    """One phone: its accounts and telephony databases, deleted rows in the main file's old
    pages (WAL, seized running)."""
    root = tmp_path_factory.mktemp("identity") / "evidence"
    for name in ("accounts", "siminfo"):
        build_recover.build(build_recover.RECIPES[name], "wal_main", root)
    return _scan(root, tmp_path_factory.mktemp("identity-scan") / "out")


def test_recovered_facts_are_not_the_device_identity(phone_scan, build_recover) -> None:
    recover_scan = phone_scan
    store = DeviceStore(recover_scan.output / "triage.sqlite")
    try:
        summary = device_identity(store)
    finally:
        store.close()
    recovered = [row for row in recover_scan.records("identity") if row["recovered"]]
    gone = {row["value"] for row in recovered}
    assert build_recover.account_name(3) in gone and build_recover.iccid(3) in gone
    shown = {*summary["accounts"], *summary["iccids"], *summary["imsis"]}
    assert shown and not shown & gone
    assert not set(summary["phone_numbers"]) & gone
    assert {row["value"] for row in summary["recovered"]} <= gone
    assert all(row["recovery"] and row["confidence"] for row in summary["recovered"])
    assert summary["facts"] == len(recover_scan.records("identity")) - len(recovered)


def test_recovered_facts_make_no_case_links(phone_scan, tmp_path: Path) -> None:
    recover_scan = phone_scan
    connection = build_case_db(
        tmp_path / "case.sqlite",
        [DeviceStoreRef("phone", recover_scan.output / "triage.sqlite")],
    )
    own = {
        number for (number,) in connection.execute("SELECT number FROM phones WHERE role = 'own'")
    }
    recovered = {
        row["value"]
        for row in recover_scan.records("identity")
        if row["recovered"] and row["key"] == "phone_number"
    }
    assert own and recovered and not own & recovered


def test_report_lists_them_apart(phone_scan) -> None:
    recover_scan = phone_scan
    html = (recover_scan.output / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="identity">') :]
    section = section[: section.index("</section>")]
    assert "Deleted, recovered" in section
    assert "accounts and SIMs the device had, not its identity now" in section
    head = section[: section.index("Deleted, recovered")]
    assert "user03.deleted@mail3.example" not in head  # not among the current accounts
    assert "user03.deleted@mail3.example" in section


def test_a_deleted_sim_does_not_set_the_region(build_recover, scan, tmp_path: Path) -> None:
    # the live SIMs are Indian, the deleted ones British: numbers are read as Indian
    recipe = build_recover.RECIPES["siminfo"]

    def rows(index: int) -> list[tuple[str, dict]]:
        ((table, row),) = recipe.rows(index)
        country = "gb" if index in recipe.doomed else "in"
        return [(table, {**row, "iso_country_code": country})]

    build_recover.build(dataclasses.replace(recipe, rows=rows), "wal_main", tmp_path / "ev")
    out = scan(tmp_path / "ev", extractors=["android.identity"])
    countries = {
        (row["value"], row["recovered"])
        for row in out.records("identity")
        if row["key"] == "sim_country"
    }
    assert countries == {("IN", 0), ("GB", 1)}  # the deleted SIMs' country, marked
    store = DeviceStore(out.output / "triage.sqlite")
    try:
        assert default_region(None, store)[0] == "IN"
    finally:
        store.close()
