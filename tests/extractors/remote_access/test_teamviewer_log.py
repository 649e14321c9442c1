"""teamviewer.logfile on plaso's real TeamViewer 15 log and on built fixtures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from triage.extractors.remote_access.teamviewer_log import LogClock

from .rows import pick, strip

EXTRACTORS = ["teamviewer.logfile"]
MINUS_8 = (
    "TeamViewer log time: local time UTC-8:00 (from the log's Start: header), converted to UTC"
)


def test_plaso_logfile(scan, corpus: Path, place) -> None:
    """Own ID, the incoming session from 1660360496 (plaso's sample); times moved to UTC."""
    evidence = place(
        {
            "Program Files/TeamViewer/TeamViewer15_Logfile.log": corpus
            / "remote-access/plaso_TeamViewer15_Logfile.log"
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.problems() == []
    events = out.records("remote_access_events")
    assert [(row["event"], row["time"], row["remote_id"]) for row in events] == [
        ("own_id", "2024-02-16T14:07:19.257000Z", None),
        ("session_request", "2024-02-16T14:16:32.444000Z", None),
        ("connect", "2024-02-16T14:16:32.562000Z", "1660360496"),
        ("auth", "2024-02-16T14:16:33.862000Z", "1660360496"),
        ("auth", "2024-02-16T14:16:47.312000Z", "1660360496"),
        ("participant", "2024-02-16T14:16:47.499000Z", "1660360496"),
        ("session_end", "2024-02-16T14:18:36.136000Z", "1660360496"),
    ]
    assert {row["own_id"] for row in events} == {"1660388656"}
    assert events[2]["time_raw"] == "2024/02/16 06:16:32.562"
    assert events[2]["time_note"] == MINUS_8
    sessions = [strip(row, "extractor") for row in out.records("remote_access_sessions")]
    assert sessions == [
        {
            "source_path": "/Program Files/TeamViewer/TeamViewer15_Logfile.log",
            "tool": "TeamViewer",
            "start": "2024-02-16T14:16:32.444000Z",
            "start_raw": "2024/02/16 06:16:32.444",
            "end": "2024-02-16T14:18:36.136000Z",
            "end_raw": "2024/02/16 06:18:36.136",
            "duration": 123.692,
            "direction": "incoming",
            "own_id": "1660388656",
            "remote_id": "1660360496",
            "remote_alias": "TestAccountRedacted",
            "remote_ip": None,
            "auth": "accepted (authentication attempts reset)",
            "user": None,
            "files": "[]",
            "detail": "incoming session via gb-man-anx-r001.router.teamviewer.com",
            "time_note": MINUS_8,
        }
    ]


def test_log_and_incoming_list_agree(scan, corpus: Path, place) -> None:
    """Local log times, corrected with the Start: offset, match the UTC connection list."""
    evidence = place(
        {
            "Program Files/TeamViewer/TeamViewer15_Logfile.log": corpus
            / "remote-access/plaso_TeamViewer15_Logfile.log",
            "Program Files/TeamViewer/Connections_incoming.txt": corpus
            / "remote-access/plaso_teamviewer_connections_incoming.txt",
        }
    )
    out = scan(evidence, extractors=[*EXTRACTORS, "teamviewer.connections"])
    listed, log = sorted(out.records("remote_access_sessions"), key=lambda row: row["extractor"])
    assert (listed["extractor"], log["extractor"]) == (
        "teamviewer.connections",
        "teamviewer.logfile",
    )
    for field in ("start", "end"):
        gap = datetime.fromisoformat(log[field]) - datetime.fromisoformat(listed[field])
        assert abs(gap) < timedelta(seconds=1)


def test_rotated_log_and_yearless_log(scan, ra_data: Path) -> None:
    out = scan(ra_data / "teamviewer", extractors=EXTRACTORS)
    assert out.problems() == []
    sessions = out.records("remote_access_sessions")
    rotated = pick(sessions, remote_id="1098765432")
    assert [strip(row, "extractor", "time_note") for row in rotated] == [
        {
            "source_path": "/Program Files/TeamViewer/TeamViewer15_Logfile_OLD.log",
            "tool": "TeamViewer",
            "start": "2024-03-05T09:00:09.500000Z",
            "start_raw": "2024/03/05 10:00:09.500",
            "end": "2024-03-05T09:12:45.120000Z",
            "end_raw": "2024/03/05 10:12:45.120",
            "duration": 755.62,
            "direction": "incoming",
            "own_id": "1555000111",
            "remote_id": "1098765432",
            "remote_alias": "Support Desk",
            "remote_ip": None,
            "auth": "accepted (authentication attempts reset)",
            "user": None,
            "files": "[]",
            "detail": "incoming session via de-fra-anx-r003.router.teamviewer.com; end logged in "
            "/Program Files/TeamViewer/TeamViewer15_Logfile.log (the log rotated)",
        }
    ]
    yearless = pick(sessions, remote_id="200300400")
    assert [
        (row["start"], row["start_raw"], row["end"], row["end_raw"], row["own_id"])
        for row in yearless
    ] == [
        (
            "2012-12-31T23:59:30.250000Z",
            "12/31 23:59:30.250",
            "2013-01-01T00:04:12.007000Z",
            "01/01 00:04:12.007",
            "408123456",
        )
    ]


def test_start_header_offsets() -> None:
    clock = LogClock()
    assert clock.start("Start:              2024/02/16 06:05:19.548 (UTC-8:00)")
    assert (clock.year, clock.offset) == (2024, timedelta(hours=-8))
    assert clock.start("Start: 2024/12/31 01:02:03.123 (UTC+2:00)")
    assert clock.offset == timedelta(hours=2)
    assert clock.convert("2024/12/31", "01:02:04.5") == (
        datetime(2024, 12, 30, 23, 2, 4, 500000, tzinfo=UTC),
        None,
    )
    assert clock.start("Start: 2021/11/11 12:34:56")
    assert clock.offset is None and "offset unknown" in clock.note()
    # dissect's TestTeamviewer.log cases: year from Start:, two-digit years, ':' before milliseconds
    assert clock.convert("11/11", "12:35:55.465")[0] == datetime(
        2021, 11, 11, 12, 35, 55, 465000, tzinfo=UTC
    )
    assert clock.convert("21/11/11", "12:37:00.000")[0] == datetime(
        2021, 11, 11, 12, 37, tzinfo=UTC
    )
    assert clock.convert("2021/11/11", "12:36:11:111")[0] == datetime(
        2021, 11, 11, 12, 36, 11, 111000, tzinfo=UTC
    )
    assert clock.start("Start: 2024/03/01 16:45:02.290 (UTC+5:30)")
    assert clock.convert("2024/03/01", "16:49:21.536")[0] == datetime(
        2024, 3, 1, 11, 19, 21, 536000, tzinfo=UTC
    )
    assert not clock.start("Started nothing")


def test_hostile_log(scan, place) -> None:
    """A year-less line and no Start: header, garbage, a session end never started."""
    text = (
        "03/01 10:00:00.000  1  2 S0   CreatePassiveSession(): incoming session via r, "
        "protocol Tcp\n"
        "\xff\xfe\x00garbage Session to 1 ended\n"
        "2024/03/01 10:05:00.000  1  2 S0   SessionStatistics[2] Session to 777 ended.\n"
    )
    out = scan(
        place({"Program Files/TeamViewer/TeamViewer15_Logfile.log": text}), extractors=EXTRACTORS
    )
    messages = [row["message"] for row in out.problems()]
    assert messages[0] == "line 1: the line has no year and no Start: header gives one"
    assert messages[1].startswith("line 2: not a TeamViewer log line: ")
    sessions = out.records("remote_access_sessions")
    # The end names the peer of the only open session, whose start time could not be placed.
    assert [(row["direction"], row["start"], row["end"], row["remote_id"]) for row in sessions] == [
        ("incoming", None, "2024-03-01T10:05:00Z", "777")
    ]
    assert sessions[0]["start_raw"] == "03/01 10:00:00.000"
    assert "UTC offset unknown" in sessions[0]["time_note"]


def test_mid_header_gives_the_network_cards_mac(scan, corpus: Path, place) -> None:
    """``MID: 0x080027e6e559_...``: TeamViewer's machine ID starts with the NIC's MAC (issue 16:
    it ties the device to a router's lease of that MAC)."""
    evidence = place(
        {
            "Program Files/TeamViewer/TeamViewer15_Logfile.log": corpus
            / "remote-access/plaso_TeamViewer15_Logfile.log"
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    facts = {(row["key"], row["value"]): row for row in out.records("identity")}
    assert set(facts) == {("mac_address", "08:00:27:e6:e5:59"), ("ip_address", "10.0.2.15")}
    mac = facts[("mac_address", "08:00:27:e6:e5:59")]
    assert mac["value_raw"] == "0x080027e6e559_1d44cc67230d0d5_3030843078"
    assert mac["source_path"] == "/Program Files/TeamViewer/TeamViewer15_Logfile.log"
