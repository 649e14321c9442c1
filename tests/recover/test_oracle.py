"""Cross-check with DC3's sqlite-dissect (a test oracle only; skipped when it is not installed).

sqlite-dissect carves the fixture databases too. Every clean value it recovers, one that is
exactly a number or URL the fixture script deleted, must be among the rows triage recovers
from the same table. (It also outputs values run together from several cells, e.g. a URL with
the next cell's title and bytes appended, which are not values of any row: those are not
compared.)
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from triage.recover import recover_rows

TABLES = {
    "android": ("calls", "number"),
    "ios": ("ZCALLRECORD", "ZADDRESS"),
    "chrome": ("urls", "url"),
    "firefox": ("moz_places", "url"),
    "accounts": ("accounts", "name"),
    "siminfo": ("siminfo", "icc_id"),
    "chromedl": ("downloads_url_chains", "url"),
    "ios_accounts": ("ZACCOUNT", "ZUSERNAME"),
    "ios_sims": ("subscriber_info", "subscriber_id"),
}
MODES = ("wal_main", "wal_frames", "journal", "freeblocks", "freelist")


def _planted(build: ModuleType, recipe: str, indexes: list[int]) -> set[str]:
    if recipe == "accounts":
        return {build.account_name(index) for index in indexes}
    if recipe == "ios_accounts":
        return {build.ios_username(index) for index in indexes}
    if recipe in ("siminfo", "ios_sims"):
        return {build.iccid(index) for index in indexes}
    if recipe == "chromedl":
        return {url for index in indexes for url in build.download_chain(index)}
    if recipe in ("chrome", "firefox"):
        return {build.page_url(index) for index in indexes}
    numbers = {build.call_number(index) for index in indexes}
    if recipe == "ios":
        return {number.replace(" ", "").replace("-", "") for number in numbers}
    return numbers


def _dissect(database: Path, table: str, column: str, out: Path) -> set[str]:
    command = ["sqlite_dissect", str(database), "-c", "-f", "-b", table, "-d", str(out)]
    subprocess.run([*command, "-e", "sqlite", "-l", "off"], capture_output=True, timeout=600)
    (result,) = out.glob("*.db3")
    connection = sqlite3.connect(result)
    try:
        rows = connection.execute(
            f'SELECT "{column}" FROM "{table}" WHERE sd_operation != \'Added\''
        ).fetchall()
    finally:
        connection.close()
    values = set()
    for (value,) in rows:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            values.add(value)
    return values


def _ours(database: Path, table: str, column: str, tmp: Path) -> set[str]:
    copy = tmp / "copy.db"
    shutil.copyfile(database, copy)
    siblings = {}
    for suffix in ("-wal", "-journal"):
        sibling = Path(f"{database}{suffix}")
        if sibling.is_file():
            shutil.copyfile(sibling, f"{copy}{suffix}")
            siblings[suffix] = sibling.read_bytes()
    connection = sqlite3.connect(copy)
    try:
        rows = recover_rows(
            connection,
            database.read_bytes(),
            siblings.get("-wal"),
            siblings.get("-journal"),
            {table},
        )
    finally:
        connection.close()
    values = set()
    for row in rows:
        value = row.values.get(column)
        values.add(value.decode() if isinstance(value, bytes) else value)
    return values


@pytest.mark.skipif(shutil.which("sqlite_dissect") is None, reason="sqlite-dissect not installed")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("recipe", sorted(TABLES))
def test_triage_recovers_what_sqlite_dissect_recovers(
    build_recover: ModuleType, tmp_path: Path, recipe: str, mode: str
) -> None:
    database, doomed = build_recover.build(
        build_recover.RECIPES[recipe], mode, tmp_path / "evidence"
    )
    table, column = TABLES[recipe]
    planted = _planted(build_recover, recipe, doomed)
    clean = _dissect(database, table, column, tmp_path / "dissect") & planted
    ours = _ours(database, table, column, tmp_path)
    assert clean <= ours
