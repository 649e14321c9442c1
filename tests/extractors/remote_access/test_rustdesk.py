"""rustdesk.logs on built fixtures in RustDesk's log and config formats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from triage.extractors.remote_access.rustdesk import LOG_LINE, TIME_NOTE, parse_time, plain_ip

from .rows import pick, strip

EXTRACTORS = ["rustdesk.logs"]


def test_dissect_log_line() -> None:
    """dissect.target's TestRustdesk.log line: fields and time."""
    line = (
        "[2025-01-01 13:04:08.350802 +00:00] DEBUG [src\\server\\connection.rs:983] #1362 "
        "Connection opened from REDACTED IP:6074."
    )
    match = LOG_LINE.match(line)
    assert match is not None
    assert (match["level"], match["src"]) == ("DEBUG", "src\\server\\connection.rs:983")
    assert parse_time(match["ts"]) == datetime(2025, 1, 1, 13, 4, 8, 350802, tzinfo=UTC)
    assert parse_time("2025-01-01 14:34:10 +01:00") == datetime(2025, 1, 1, 13, 34, 10, tzinfo=UTC)
    assert parse_time("yesterday") is None
    assert plain_ip("[::ffff:192.0.2.44]") == "192.0.2.44"


def test_service_log_and_config(scan, ra_data: Path) -> None:
    out = scan(ra_data / "rustdesk", extractors=EXTRACTORS)
    assert out.problems() == []
    sessions = [strip(row, "extractor") for row in out.records("remote_access_sessions")]
    assert sessions == [
        {
            "source_path": "/Windows/ServiceProfiles/LocalService/AppData/Roaming/RustDesk/log/"
            "server/RustDesk_rCURRENT.log",
            "tool": "RustDesk",
            "start": "2025-01-01T13:04:08.350802Z",
            "start_raw": "2025-01-01 13:04:08.350802 +00:00",
            "end": "2025-01-01T13:34:10.120000Z",
            "end_raw": "2025-01-01 14:34:10.120000 +01:00",
            "duration": 1801.769198,
            "direction": "incoming",
            "own_id": None,
            "remote_id": None,
            "remote_alias": None,
            "remote_ip": "192.0.2.44",
            "auth": None,
            "user": None,
            "files": "[]",
            "detail": "connection #1362 from 192.0.2.44:6074; closed: Closed manually by the peer",
            "time_note": TIME_NOTE,
        }
    ]
    events = out.records("remote_access_events")
    assert [
        (row["event"], row["own_id"], row["remote_id"], row["remote_alias"], row["user"])
        for row in events
        if row["time"] is None
    ] == [
        ("own_id", "123498765", None, None, "alice"),
        ("last_remote_id", None, "445566778", None, "alice"),
        ("peer", None, "445566778", "GRANDMA-LAPTOP", "alice"),
    ]
    assert pick(events, event="peer")[0]["detail"] == (
        "saved peer (this device connected to it): hostname=GRANDMA-LAPTOP, platform=Windows, "
        "username=grandma"
    )
    assert [row["event"] for row in events if row["time"]] == ["session_request", "session_end"]


def test_hostile_config_and_log(scan, place) -> None:
    config = "AppData/Roaming/RustDesk/config"
    evidence = place(
        {
            f"Users/a/{config}/RustDesk.toml": "id = '1\n[[[ not toml",
            f"Users/a/{config}/RustDesk2.toml": b"\xff\xfe\x00\x01",
            "Users/a/AppData/Roaming/RustDesk/log/a.log": (
                "[not a time] INFO [x] #1 Connection opened from 1.2.3.4:5.\n"
                "[2025-01-01 00:00:00 +00:00] INFO [x] #2 Connection opened from <script>:1.\n"
            ),
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    messages = sorted(row["message"] for row in out.problems())
    assert len(messages) == 3
    assert messages[0].startswith("could not read the RustDesk config: ")
    assert (
        messages[2] == "line 1: not a RustDesk log line: "
        "'[not a time] INFO [x] #1 Connection opened from 1.2.3.4:5.'"
    )
    assert [row["remote_ip"] for row in out.records("remote_access_sessions")] == ["<script>"]
