"""splashtop.logs on a built SPLog.txt that crosses a year end (the year comes from mtime)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from triage.extractors.remote_access.splashtop import LOG_LINE, TIME_NOTE

from .rows import strip

EXTRACTORS = ["splashtop.logs"]
LOG = "Program Files (x86)/Splashtop/Splashtop Remote/Server/log/SPLog.txt"


def test_dissect_line() -> None:
    match = LOG_LINE.match(
        "<1>Jul14 15:15:38.194  SM_03280[Network] [LAN-S][Server] client connected from "
        "10.199.5.134 (2), 288"
    )
    assert match is not None
    assert (match["mon"], match["day"], match["time"]) == ("Jul", "14", "15:15:38.194")
    assert (
        match["msg"]
        == "SM_03280[Network] [LAN-S][Server] client connected from 10.199.5.134 (2), 288"
    )


def test_year_rollover_from_mtime(scan, ra_data: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    shutil.copytree(ra_data / "splashtop", evidence)
    # Like dissect's test: the file's mtime gives the year of the last line (here 2025).
    stamp = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).timestamp()
    os.utime(evidence / LOG, (stamp, stamp))
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.problems() == []
    sessions = [strip(row, "extractor") for row in out.records("remote_access_sessions")]
    assert sessions == [
        {
            "source_path": f"/{LOG}",
            "tool": "Splashtop",
            "start": "2024-12-31T23:58:01.100000Z",
            "start_raw": "Dec31 23:58:01.100",
            "end": "2025-01-01T00:03:12.500000Z",
            "end_raw": "Jan01 00:03:12.500",
            "duration": 311.4,
            "direction": "incoming",
            "own_id": None,
            "remote_id": None,
            "remote_alias": None,
            "remote_ip": "10.199.5.134",
            "auth": None,
            "user": None,
            "files": '["NOTE.txt"]',
            "detail": None,
            "time_note": TIME_NOTE,
        }
    ]
    events = out.records("remote_access_events")
    assert [(row["event"], row["time"]) for row in events] == [
        ("session_request", "2024-12-31T23:58:01.100000Z"),
        ("file_transfer", "2024-12-31T23:59:40.766000Z"),
        ("session_end", "2025-01-01T00:03:12.500000Z"),
    ]


def test_hostile_log(scan, place) -> None:
    text = (
        "<1>Feb30 10:00:00.000  client connected from 10.0.0.1 (2), 1\n"
        "<1>Mar01 10:00:00.000  OnUploadFileCPRequest 1, 1 =>{not json}\n"
        "\x00\x00garbage\n"
    )
    out = scan(place({LOG: text}), extractors=EXTRACTORS)
    assert [row["message"] for row in out.problems()] == [
        "line 1: invalid date Feb30 10:00:00.000",
        "line 2: unreadable file-transfer details",
    ]
    assert [(row["start"], row["remote_ip"]) for row in out.records("remote_access_sessions")] == [
        (None, "10.0.0.1")
    ]
