"""anydesk.traces on real AnyDesk 7.1.0 traces (artemis-api test data) and on built fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage.extractors.remote_access.anydesk_tables import parse_connection, parse_transfer
from triage.extractors.remote_access.anydesk_trace import TIME_NOTE, classify, parse_line
from triage.extractors.remote_access.lines import decode_line

from .rows import pick, strip

EXTRACTORS = ["anydesk.traces"]


def _trace_lines(path: Path) -> list:
    parsed = []
    for raw in path.read_bytes().split(b"\n"):
        line = parse_line(decode_line(raw))
        if line is not None:
            parsed.append(line)
    return parsed


def test_trace_lines_match_artemis_counts(corpus: Path) -> None:
    """The entries and values artemis-api's testReadTrace asserts on the same two files."""
    user = _trace_lines(corpus / "remote-access/anydesk/artemis_anydesk.trace")
    assert len(user) == 790
    assert user[22].message == (
        "user_data_dir = /home/ubu/.anydesk, logged_in_user_data_dir = /home/ubu/.anydesk, "
        "current_home = /home/ubu"
    )
    assert user[444].time == datetime(2025, 9, 22, 0, 53, 51, 166000, tzinfo=UTC)
    service = _trace_lines(corpus / "remote-access/anydesk/artemis_anydesk_var_log.trace")
    assert len(service) == 2082
    assert service[22].message == "Global: yes"
    assert service[444].time == datetime(2025, 9, 22, 0, 46, 40, 998000, tzinfo=UTC)


@pytest.fixture
def linux_laptop(corpus: Path, place) -> Path:
    """The artemis traces and configs where AnyDesk for Linux writes them."""
    anydesk = corpus / "remote-access/anydesk"
    return place(
        {
            "home/ubu/.anydesk/anydesk.trace": anydesk / "artemis_anydesk.trace",
            "home/ubu/.anydesk/user.conf": anydesk / "artemis_anydesk_user.conf",
            "var/log/anydesk.trace": anydesk / "artemis_anydesk_var_log.trace",
            "etc/anydesk/system.conf": anydesk / "artemis_anydesk_system.conf",
        }
    )


def test_corpus_own_id_logins_and_incoming_session(scan, linux_laptop: Path) -> None:
    out = scan(linux_laptop, extractors=EXTRACTORS)
    assert out.problems() == []
    events = out.records("remote_access_events")
    own = pick(events, event="own_id")
    assert len(own) == 9 and {row["own_id"] for row in own} == {"633952986"}
    logins = pick(events, event="login")
    assert [(row["remote_id"], row["remote_ip"], row["direction"]) for row in logins] == (
        [("1001025310", "23.162.8.100", "incoming")] * 5
        + [("1001025310", "23.162.8.100", "outgoing")] * 3
        + [("1001025310", "23.162.8.100", "incoming")]
    )
    assert logins[0]["detail"] == "Logged in from 23.162.8.100:50104 on relay 0b975d23."
    assert pick(events, event="auth")[0]["detail"] == "3: Authenticated by local user."

    sessions = out.records("remote_access_sessions")
    assert len(sessions) == 9
    incoming = pick(sessions, auth="local user")
    assert len(incoming) == 1
    session = strip(incoming[0], "detail")
    assert session == {
        "extractor": "anydesk.traces",
        "source_path": "/var/log/anydesk.trace",
        "tool": "AnyDesk",
        "start": "2025-09-22T00:53:50.850000Z",
        "start_raw": "2025-09-22 00:53:50.850",
        "end": "2025-09-22T00:57:14.139000Z",
        "end_raw": "2025-09-22 00:57:14.139",
        "duration": 203.289,
        "direction": "incoming",
        "own_id": "633952986",
        "remote_id": "1001025310",
        "remote_alias": "centos",
        "remote_ip": "23.162.8.100",
        "auth": "local user",
        "user": "ubu",
        "files": "[]",
        "time_note": TIME_NOTE,
    }
    detail = incoming[0]["detail"]
    # The file the remote side downloaded, and the clipboard use, during the session.
    assert "Preparing files in '/home/ubu/.local/share'." in detail
    assert "file transfer 2025-09-22 00:55:10.920: Download started (0)." in detail
    assert "clipboard 2025-09-22 00:54:00.720: Got a text offer (50 b)." in detail
    assert "Session closed by remote side: desk_rt_ipc_error" in detail
    assert "also logged in /home/ubu/.anydesk/anydesk.trace" in detail

    outgoing = pick(sessions, direction="outgoing")
    assert [(row["start"], row["end"]) for row in outgoing] == [
        ("2025-09-22T00:53:11.233000Z", "2025-09-22T00:53:12.290000Z"),
        ("2025-09-22T00:53:40.767000Z", "2025-09-22T00:53:41.382000Z"),
        ("2025-09-22T00:53:46.002000Z", "2025-09-22T00:53:46.657000Z"),
    ]
    assert all("display_server_not_supported" in row["detail"] for row in outgoing)
    attempts = pick(sessions, direction="incoming", end=None)
    assert [row["start"] for row in attempts] == [
        "2025-09-22T00:23:41.720000Z",
        "2025-09-22T00:46:40.847000Z",
        "2025-09-22T00:46:45.002000Z",
        "2025-09-22T00:52:52.552000Z",
        "2025-09-22T00:52:56.178000Z",
    ]
    assert all("no session end logged" in row["detail"] for row in attempts)


def test_windows_service_and_user_traces(scan, ra_data: Path) -> None:
    out = scan(ra_data / "anydesk_windows", extractors=EXTRACTORS)
    assert out.problems() == []
    sessions = out.records("remote_access_sessions")
    assert [strip(row, "detail") for row in sessions] == [
        {
            "extractor": "anydesk.traces",
            "source_path": "/ProgramData/AnyDesk/ad_svc.trace",
            "tool": "AnyDesk",
            "start": "2024-05-06T14:02:10.950000Z",
            "start_raw": "2024-05-06 14:02:10.950",
            "end": "2024-05-06T14:31:05.652000Z",
            "end_raw": "2024-05-06 14:31:05.652",
            "duration": 1734.702,
            "direction": "incoming",
            "own_id": "987654321",
            "remote_id": "112233445",
            "remote_alias": "TECH-SUPPORT-7",
            "remote_ip": "203.0.113.45",
            "auth": "password",
            "user": "victim",
            "files": '["support_tool.exe"]',
            "time_note": TIME_NOTE,
        },
        {
            "extractor": "anydesk.traces",
            "source_path": "/ProgramData/AnyDesk/ad_svc.trace",
            "tool": "AnyDesk",
            "start": "2024-05-07T09:12:44.300000Z",
            "start_raw": "2024-05-07 09:12:44.300",
            "end": "2024-05-07T09:20:02.011000Z",
            "end_raw": "2024-05-07 09:20:02.011",
            "duration": 437.711,
            "direction": "incoming",
            "own_id": "987654321",
            "remote_id": "112233445",
            "remote_alias": "TECH-SUPPORT-7",
            "remote_ip": "203.0.113.46",
            "auth": "token",
            "user": None,
            "files": "[]",
            "time_note": TIME_NOTE,
        },
    ]
    first = sessions[0]["detail"]
    assert "own external address 198.51.100.7:61022" in first
    assert (
        "2024-05-06, 14:09: Clipboard start download 'support_tool.exe' (~0 B out of 4.20 MiB)"
        in first
    )
    assert "also logged in /ProgramData/AnyDesk/connection_trace.txt" in first
    assert "alias from the AnyDesk address book (user.conf)" in sessions[1]["detail"]

    events = out.records("remote_access_events")
    rejected = pick(events, event="rejected")
    assert [strip(row) for row in rejected] == [
        {
            "extractor": "anydesk.traces",
            "source_path": "/ProgramData/AnyDesk/connection_trace.txt",
            "tool": "AnyDesk",
            "event": "rejected",
            "time": "2024-05-06T16:40:00Z",
            "time_raw": "2024-05-06, 16:40",
            "own_id": None,
            "remote_id": "778899001",
            "remote_alias": "cold-caller@ad",
            "remote_ip": None,
            "direction": "incoming",
            "user": None,
            "detail": "incoming rejected",
            "session_key": None,
            "time_note": "connection_trace.txt: UTC, minute resolution",
            "url": None,
            "referrer": None,
            "own_alias": None,
        }
    ]
    transfers = pick(
        events, event="file_transfer", source_path="/ProgramData/AnyDesk/file_transfer_trace.txt"
    )
    assert [row["detail"] for row in transfers] == [
        "Clipboard start download 'support_tool.exe' (~0 B out of 4.20 MiB)",
        "Clipboard finish download 'support_tool.exe' (~4.20 MiB out of 4.20 MiB)",
    ]
    assert [row["event"] for row in events if row["source_path"].endswith("ad.trace")] == [
        "app_start",
        "session_request",
        "session_started",
        "clipboard",
        "file_transfer",
        "file_transfer",
        "session_end",
    ]


def test_connection_and_transfer_lines() -> None:
    """The KB's own example line; dissect's file_transfer_trace example line."""
    entry = parse_connection("Incoming     2014-11-26, 03:46 User                  user1@ad 654321")
    assert entry is not None
    assert (entry.direction, entry.time, entry.auth, entry.remote_alias, entry.remote_id) == (
        "incoming",
        datetime(2014, 11, 26, 3, 46, tzinfo=UTC),
        "accepted by the user at the console",
        "user1@ad",
        "654321",
    )
    same = parse_connection("Incoming    2024-05-07, 09:12    Token     112233445    112233445")
    assert same is not None and same.remote_alias is None and same.auth == "token"
    transfer = parse_transfer(
        "Clipboard\t\t2025-01-01, 13:37\tstart \tdownload\t'malware.exe' (~0 B out of 4.20 MiB)"
    )
    assert transfer is not None
    assert (transfer.channel, transfer.time, transfer.state, transfer.direction) == (
        "Clipboard",
        datetime(2025, 1, 1, 13, 37, tzinfo=UTC),
        "start",
        "download",
    )
    assert (transfer.name, transfer.size) == ("malware.exe", "~0 B out of 4.20 MiB")
    assert parse_connection("Incoming 2024-13-45, 99:99 User x 1") is None
    assert parse_transfer("garbage\twithout a date") is None


def test_authentication_messages() -> None:
    """The five authentication messages alexandruhera.com lists, normalised."""
    expected = {
        "Authenticated by local user (elevated).": "local user (elevated)",
        "Authenticated by local user.": "local user",
        "Authenticated by password.": "password",
        "Authenticated with permanent token.": "token",
        "Authenticated with correct passphrase.": "passphrase",
    }
    for message, method in expected.items():
        line = parse_line(
            f"   auth 2024-01-01 00:00:00.000  gsvc  1  2  3  app.session - 3: {message}"
        )
        assert line is not None
        event = classify(line)
        assert event is not None and (event.kind, event.auth) == ("auth", method)


def test_hostile_trace_keeps_what_it_can(scan, place) -> None:
    """Truncated and garbage lines, mixed encodings, control characters, markup, huge line."""
    good = "   info 2024-05-06 14:02:11.402  back  6120  6188  app.backend_session - "
    trace = (
        b"\x00\x00\x00\xff\xfe garbage \x01\x02\n"
        + b"   info 2024-05-06 14:0 Logged in from\n"
        + (good + "Incoming session request: <script>alert(1)</script>\x07 (424242)\n").encode()
        + b"   info 2024-05-06 14:03:00.000  back  6120  6188  app.prepare_task - "
        + b"Preparing files in 'C:\\Users\\J\xf6rg'.\n"
        + b"x" * (1024 * 1024 + 10)
        + b"\n"
        + (good.replace("14:02:11.402", "14:05:00.000") + "Session stopped.\n").encode()
        + (
            good.replace("14:02:11.402", "14:06:00.000") + "Incoming session request: B (7)"
        ).encode()
    )
    out = scan(place({"Users/j/AppData/Roaming/AnyDesk/ad.trace": trace}), extractors=EXTRACTORS)
    problems = [(row["severity"], row["message"]) for row in out.problems()]
    assert (
        "warning",
        "line 2: not an AnyDesk trace line: '   info 2024-05-06 14:0 Logged in from'",
    ) in problems
    assert ("error", "line 5 is longer than 1048576 bytes; skipped") in problems
    events = out.records("remote_access_events")
    assert (
        pick(events, event="session_request")[0]["remote_alias"] == "<script>alert(1)</script>\x07"
    )
    assert (
        pick(events, event="file_transfer")[0]["detail"] == "Preparing files in 'C:\\Users\\Jörg'."
    )
    sessions = out.records("remote_access_sessions")
    assert [(row["remote_id"], row["end"]) for row in sessions] == [
        ("424242", "2024-05-06T14:05:00Z"),
        ("7", None),
    ]
    assert "no session end logged" in sessions[1]["detail"]


def test_trace_rotated_mid_session(scan, place) -> None:
    """A session that starts in the rotated-away ``ad.trace.old`` and ends in ``ad.trace``."""
    head = "   info 2024-05-06 {} back  6120  6188  app.backend_session - {}\n"
    folder = "Users/v/AppData/Roaming/AnyDesk"
    evidence = place(
        {
            f"{folder}/ad.trace.old": head.format(
                "14:02:11.402", "Incoming session request: TECH-SUPPORT-7 (112233445)"
            ),
            f"{folder}/ad.trace": head.format("14:31:05.652", "Session stopped."),
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.problems() == []
    (session,) = out.records("remote_access_sessions")
    assert (session["source_path"], session["start"], session["end"], session["remote_id"]) == (
        f"/{folder}/ad.trace.old",
        "2024-05-06T14:02:11.402000Z",
        "2024-05-06T14:31:05.652000Z",
        "112233445",
    )
    assert session["detail"] == f"end logged in /{folder}/ad.trace (the log rotated)"
