"""The device's era: a recovered time must fall near what the device shows of itself."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from triage.recover.era import ERA_START, MARGIN, Era, device_era, file_system_span
from triage.timestamps import format_utc

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    when: datetime | None


@dataclass(frozen=True)
class File:
    modified: str | None = None


def _store(times: list[str | None]) -> sqlite3.Connection:
    store = sqlite3.connect(":memory:")
    store.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, mtime TEXT, crtime TEXT)")
    store.executemany("INSERT INTO files (mtime, crtime) VALUES (?, NULL)", [(t,) for t in times])
    return store


def test_file_times_give_the_span_without_their_outliers() -> None:
    times = [format_utc(datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=i)) for i in range(300)]
    times += ["2009-01-01T00:00:00Z", "1980-01-01T00:00:00Z", "2099-01-01T00:00:00Z", None]
    span = file_system_span(_store(times), NOW)
    # 301 values in 2000..now, 3 (1 %) dropped at each end: the fixed 2009 build time among them
    assert span == [datetime(2023, 1, 3, tzinfo=UTC), datetime(2023, 10, 24, tzinfo=UTC)]


def test_era_is_the_union_widened_by_a_year() -> None:
    span = [datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC)]
    live = [Event(datetime(2024, 3, 1, tzinfo=UTC)), Event(None)]
    era = device_era(span, File("2024-03-02T00:00:00Z"), live, NOW)
    assert era == Era(datetime(2023, 1, 1, tzinfo=UTC) - MARGIN, datetime(2025, 3, 3, tzinfo=UTC))
    assert not era.fits(Event(datetime(2005, 6, 1, tzinfo=UTC)))
    assert era.fits(Event(datetime(2022, 2, 1, tzinfo=UTC)))
    assert era.fits(Event(None))


def test_nothing_to_go_by_is_the_coarse_era() -> None:
    era = device_era([], File(), [], NOW)
    assert era == Era(ERA_START, NOW + timedelta(days=1))


times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2026, 5, 1), timezones=st.just(UTC)
)


@given(st.lists(times, min_size=1, max_size=6), times)
def test_era_keeps_every_time_near_the_device(anchors: list[datetime], probe: datetime) -> None:
    era = device_era([], File(), [Event(time) for time in anchors], NOW)
    inside = min(anchors) - MARGIN <= probe <= max(anchors) + MARGIN
    assert era.fits(Event(probe)) == inside


def test_a_deleted_call_of_another_era_is_not_recovered(build_recover, scan, tmp_path) -> None:
    # call 8 planted with a 2005 time (inside 2000..now, years before the other calls and the
    # file times): deleted with 3 and 6, it is carved from its freeblock, and is no record
    recipe = build_recover.RECIPES["android"]

    def rows(index: int) -> list[tuple[str, dict]]:
        ((table, row),) = recipe.rows(index)
        if index == 8:
            row = {**row, "date": int(datetime(2005, 6, 1, 8, 30, tzinfo=UTC).timestamp() * 1000)}
        return [(table, row)]

    planted = dataclasses.replace(recipe, rows=rows)
    build_recover.build(planted, "freeblocks", tmp_path / "evidence")
    out = scan(tmp_path / "evidence", extractors=["android.call_log"], country="US")
    recovered = [row for row in out.records("calls") if row["recovered"]]
    assert sorted(row["started"] for row in recovered) == [
        format_utc(build_recover.call_time(3)),
        format_utc(build_recover.call_time(6)),
    ]


def test_file_times_alone_do_not_narrow_the_era() -> None:
    # every row deleted, the files copied today: their times say nothing of the calls' era
    era = device_era([NOW - timedelta(hours=1), NOW], File("2026-06-01T00:00:00Z"), [], NOW)
    assert era == Era(ERA_START, NOW + timedelta(days=1))
    assert era.fits(Event(datetime(2019, 5, 1, tzinfo=UTC)))
