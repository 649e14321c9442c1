"""How the pages say times, counts and names (issue 16 items 5, 7 and 8), without a browser."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from triage.logtime import IsoFormatter, iso_log_time, rich_log_time
from triage.report.case_html import write_case_html
from triage.report.chart import bar_chart, time_series
from triage.report.glance import exhibit, tool_named
from triage.report.page_text import (
    article,
    column_label,
    count_of,
    device_zone,
    has_milliseconds,
    keep_whole,
    libewf_date,
    local_time,
    time_cell,
    when,
)


def test_times_have_one_precision():
    assert when("2026-12-05T23:45:48.677173Z") == "2026-12-05T23:45:48Z"
    assert when("2024-03-01T09:31:00Z") == "2024-03-01T09:31:00Z"
    assert when("2024-03-01T09:31Z") == "2024-03-01T09:31:00Z"
    assert when("2026-12-05T23:45:48.677173Z", milliseconds=True) == "2026-12-05T23:45:48.677Z"
    assert when("2024-03-01T09:31:00Z", milliseconds=True) == "2024-03-01T09:31:00.000Z"
    assert when("2024-03-01, 10:07") == "2024-03-01, 10:07"  # not ISO: shown as it was written
    assert when(None) == ""
    assert has_milliseconds(["2024-03-01T09:31:00Z", "2024-03-01T09:31:00.250Z"])
    assert not has_milliseconds(["2024-03-01T09:31:00.000000Z", None, "x"])


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)))
def test_a_shown_time_is_the_stored_time_to_the_second(moment):
    stored = moment.isoformat(timespec="microseconds") + "Z"
    shown = when(stored)
    assert shown == moment.replace(microsecond=0).isoformat() + "Z"
    assert datetime.fromisoformat(when(stored, milliseconds=True)) - moment.replace(
        tzinfo=UTC
    ) < timedelta(milliseconds=1)


def test_local_time_where_the_device_zone_is_known():
    windows = device_zone("India Standard Time (UTC+05:30)")
    assert windows == timezone(timedelta(hours=5, minutes=30))
    assert local_time("2024-03-01T09:31:00Z", windows) == "2024-03-01T15:01:00+05:30"
    assert device_zone("Pacific Standard Time (UTC-08:00)") == timezone(timedelta(hours=-8))
    new_york = device_zone("America/New_York")
    assert local_time("2024-07-01T16:00:00Z", new_york) == "2024-07-01T12:00:00-04:00"  # EDT
    assert local_time("2024-01-01T16:00:00Z", new_york) == "2024-01-01T11:00:00-05:00"
    assert device_zone("Mystery Time") is None and device_zone(None) is None
    assert local_time("2024-03-01T09:31:00Z", None) == ""
    cell = str(time_cell("2024-03-01T09:31:00.5Z", windows))
    assert cell == (
        '<span class="t">2024-03-01T09:31:00Z</span>'
        '<span class="local"> (local <span class="id">2024-03-01T15:01:00+05:30</span>)</span>'
    )
    assert "&lt;b&gt;" in str(time_cell("<b>", windows))  # not a time: escaped text


def test_acquisition_date_from_the_e01_header_is_iso():
    assert libewf_date("Sat Mar  2 08:00:00 2024") == "2024-03-02T08:00:00"
    assert libewf_date("2024 3 2 8 0 0") == "2024-03-02T08:00:00"
    facts = dict(
        exhibit(
            {
                "metadata": {
                    "evidence_number": "EV-01",
                    "examiner_name": "Det. Roy",
                    "description": "Seized laptop",
                    "acquiry_date": "Sat Mar  2 08:00:00 2024",
                    "chunk_size": "32768",
                }
            }
        )
    )
    assert facts["Exhibit"] == "EV-01" and facts["Examiner"] == "Det. Roy"
    assert facts["Acquired"].startswith("2024-03-02T08:00:00 ")
    assert "chunk_size" not in facts and "Chunk size" not in facts
    assert exhibit({"metadata": {}}) == [] and exhibit(None) == []


def test_words_and_grammar():
    assert f"{article('iPhone')} iPhone" == "an iPhone"
    assert f"{article('Android phone')} Android phone" == "an Android phone"
    assert f"{article('Windows computer')} Windows computer" == "a Windows computer"
    assert count_of(1, "warning") == "1 warning"
    assert count_of(0, "warning") == "0 warnings"
    assert count_of(1, "port forward") == "1 port forward"
    assert count_of(12345, "entry", "entries") == "12,345 entries"
    assert column_label("source_path") == "Source file"
    assert column_label("time_note") == "How the time was read"
    assert column_label("visited") == "Visited"
    assert "_" not in column_label("some_new_column")


def test_remote_access_apps_are_named_from_packages_and_bundles():
    assert tool_named("com.philandro.anydesk") == "AnyDesk"  # the iOS app
    assert tool_named("com.anydesk.anydeskandroid") == "AnyDesk"
    assert tool_named("TeamViewer 15") == "TeamViewer"
    assert tool_named("com.apple.mobilesafari") is None


def test_day_chart_is_on_a_real_time_axis():
    chart = bar_chart([("2024-03-01", 5), ("2024-03-02", 3), ("2024-03-10", 1)])
    x = {bar["label"]: bar["x"] for bar in chart["bars"]}
    # a week's gap between the 2nd and the 10th: eight slots, not one
    assert abs((x["2024-03-10"] - x["2024-03-02"]) - 8 * (x["2024-03-02"] - x["2024-03-01"])) < 1
    old = time_series({"2017-05-04": 1, "2024-03-01": 5, "2024-03-02": 3})
    assert old == [("2017-05", 1), ("2024-03", 8)]  # seven years: a bar per month
    bars = bar_chart(old)["bars"]
    assert bars[0]["x"] < 32  # 2017 at the left edge...
    assert bars[1]["x"] + bars[1]["width"] > 700  # ...2024 at the right one, not beside it
    assert bar_chart([])["bars"] == []


def test_log_times_are_iso_utc(tmp_path):
    assert iso_log_time(0.25) == "1970-01-01T00:00:00.250Z"
    record = logging.LogRecord("triage", logging.INFO, __file__, 1, "hello", None, None)
    record.created = datetime(2024, 3, 1, 9, 31, 2, 5000, tzinfo=UTC).timestamp()
    line = IsoFormatter("%(asctime)s %(message)s").format(record)
    assert line == "2024-03-01T09:31:02.005Z hello"
    naive_local = datetime.fromtimestamp(record.created)  # what Rich hands the time column
    assert str(rich_log_time(naive_local)) == "2024-03-01T09:31:02.005Z"


def test_case_page_counts_warnings_and_says_when_it_was_made(tmp_path: Path):
    case = {
        "case": "C-1",
        "devices": [
            {"name": "pc-1", "evidence": "pc-1.E01", "status": "complete",
             "report": "pc-1/report.html", "problems": {"error": 0, "warning": 1},
             "records": {"artifact_presence": 2}, "counts": {"files": 12345}},
        ],
        "contacts": [], "episodes": [], "links": {}, "episode_window": "30 minutes",
    }  # fmt: skip
    write_case_html(case, tmp_path / "case.html")
    html = (tmp_path / "case.html").read_text(encoding="utf-8")
    assert 'data-sort="1">1 warning</td>' in html
    assert "Tools and apps found: 2" in html and "artifact_presence" not in html
    assert ">12,345<" in html
    made = r'Made <span class="id">20\d\d-\d\d-\d\dT[\d:]{8}Z</span> by triage 0\.1\.0'
    assert re.search(made, html)


def test_identifiers_in_free_text_are_kept_whole_and_the_text_escaped():
    html = str(keep_whole('<img src=x onerror=alert(1)> call +12025550134 from 10.0.0.1 at '
                          "2024-03-01T09:31:00Z"))  # fmt: skip
    assert html == (
        '&lt;img src=x onerror=alert(1)&gt; call <span class="id">+12025550134</span> from '
        '<span class="id">10.0.0.1</span> at <span class="id">2024-03-01T09:31:00Z</span>'
    )
    assert str(keep_whole(None)) == ""


def test_remote_access_apps_on_a_phone_are_listed_in_words(tmp_path: Path):
    from triage.records import ArtifactPresence, IdentityFact, SourceRef  # noqa: PLC0415
    from triage.report.glance import remote_apps  # noqa: PLC0415
    from triage.store import DeviceStore  # noqa: PLC0415

    store = DeviceStore(tmp_path / "triage.sqlite")
    try:
        store.add_records(
            "ios.identity",
            [
                IdentityFact(SourceRef("iphone", "/Info.plist"), "app", "installed_app",
                             "com.philandro.anydesk"),
                IdentityFact(SourceRef("iphone", "/Info.plist"), "app", "installed_app",
                             "com.apple.mobilesafari"),
            ],
        )  # fmt: skip
        store.add_records(
            "remote_access.presence",
            [
                ArtifactPresence(SourceRef("iphone", "/Downloads/AnyDesk.apk"), "AnyDesk",
                                 "downloaded installer", None, None, 12, "file (deleted)"),
            ],
        )  # fmt: skip
        apps = remote_apps(store)
    finally:
        store.close()
    assert apps == [
        {
            "tool": "AnyDesk",
            "places": [
                ("downloaded installer (deleted)", "/Downloads/AnyDesk.apk"),
                ("installed app com.philandro.anydesk", ""),
            ],
            "more": 0,
        }
    ]
