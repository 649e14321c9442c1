"""teamviewer.connections on plaso's real connection lists and on built fixtures."""

from __future__ import annotations

from pathlib import Path

from triage.extractors.remote_access.teamviewer import TIME_NOTE, parse_connection

from .rows import strip

EXTRACTORS = ["teamviewer.connections"]


def test_plaso_connection_lists(scan, corpus: Path, place) -> None:
    """The values plaso's TeamViewer connections tests assert."""
    evidence = place(
        {
            "Program Files/TeamViewer/Connections.txt": corpus
            / "remote-access/plaso_teamviewer_Connections.txt",
            "Program Files/TeamViewer/Connections_incoming.txt": corpus
            / "remote-access/plaso_teamviewer_connections_incoming.txt",
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.problems() == []
    sessions = [strip(row, "extractor") for row in out.records("remote_access_sessions")]
    assert sessions == [
        {
            "source_path": "/Program Files/TeamViewer/Connections.txt",
            "tool": "TeamViewer",
            "start": "2024-02-20T13:10:33Z",
            "start_raw": "20-02-2024 13:10:33",
            "end": "2024-02-20T13:11:52Z",
            "end_raw": "20-02-2024 13:11:52",
            "duration": 79.0,
            "direction": "outgoing",
            "own_id": None,
            "remote_id": "1660360496",
            "remote_alias": None,
            "remote_ip": None,
            "auth": None,
            "user": "IEUser",
            "files": "[]",
            "detail": "RemoteControl; connection {b35110b2-7dc5-4bb9-8d54-ca80953f65f8}",
            "time_note": TIME_NOTE,
        },
        {
            "source_path": "/Program Files/TeamViewer/Connections_incoming.txt",
            "tool": "TeamViewer",
            "start": "2024-02-16T14:16:32Z",
            "start_raw": "16-02-2024 14:16:32",
            "end": "2024-02-16T14:18:36Z",
            "end_raw": "16-02-2024 14:18:36",
            "duration": 124.0,
            "direction": "incoming",
            "own_id": None,
            "remote_id": "1660360496",
            "remote_alias": "TestUserRedacted",
            "remote_ip": None,
            "auth": None,
            "user": "IEUser",
            "files": "[]",
            "detail": "RemoteControl; connection {b3a4df33-d027-44d5-b50f-4e61115494d4}",
            "time_note": TIME_NOTE,
        },
    ]
    events = out.records("remote_access_events")
    assert [
        (row["event"], row["direction"], row["remote_id"], row["time"], row["session_key"])
        for row in events
    ] == [
        (
            "connection",
            "outgoing",
            "1660360496",
            "2024-02-20T13:10:33Z",
            "{b35110b2-7dc5-4bb9-8d54-ca80953f65f8}",
        ),
        (
            "connection",
            "incoming",
            "1660360496",
            "2024-02-16T14:16:32Z",
            "{b3a4df33-d027-44d5-b50f-4e61115494d4}",
        ),
    ]


def test_fixture_lists(scan, ra_data: Path) -> None:
    out = scan(ra_data / "teamviewer", extractors=EXTRACTORS)
    assert out.problems() == []
    sessions = out.records("remote_access_sessions")
    assert [
        (
            row["direction"],
            row["remote_id"],
            row["remote_alias"],
            row["start"],
            row["end"],
            row["user"],
        )
        for row in sessions
    ] == [
        ("outgoing", "1234567890", None, "2024-03-07T10:00:00Z", "2024-03-07T10:20:30Z", "bob"),
        (
            "incoming",
            "1098765432",
            "Support Desk",
            "2024-03-05T09:00:10Z",
            "2024-03-05T09:12:45Z",
            "bob",
        ),
        (
            "incoming",
            "1098765432",
            "Support Desk",
            "2024-03-06T17:30:00Z",
            "2024-03-06T17:31:02Z",
            "bob",
        ),
    ]
    assert (
        sessions[2]["detail"] == "FileTransfer; connection {1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d}"
    )


def test_line_layouts() -> None:
    padded = parse_connection(
        "1660360496                      20-02-2024 13:10:33             20-02-2024 13:11:52"
        "             IEUser                          RemoteControl                   {b35110b2}"
    )
    assert padded is not None
    assert (padded.remote_id, padded.display_name, padded.local_user, padded.kind, padded.guid) == (
        "1660360496",
        None,
        "IEUser",
        "RemoteControl",
        "{b35110b2}",
    )
    spaced_name = parse_connection(
        "42\tJohn  Smith\t01-01-2024 10:00:00\t01-01-2024 10:01:00\tu\tRemoteControl\t{g}"
    )
    assert spaced_name is not None and spaced_name.display_name == "John  Smith"
    open_ended = parse_connection("42\tX\t01-01-2024 10:00:00")
    assert open_ended is not None and open_ended.end is None
    assert parse_connection("not\ta\tconnection") is None
    assert parse_connection("42\tX\t31-02-2024 10:00:00\t01-03-2024 10:00:00") is not None


def test_hostile_list(scan, place) -> None:
    text = (
        "\x00\x01garbage line\n"
        "1660360496\t<script>x</script>\t16-02-2024 14:16:32\t16-02-2024 14:18:36\tIEUser"
        "\tRemoteControl\t{g}\n"
        "1660360496\tcut here\t16-02-20"
    )
    out = scan(
        place({"Program Files/TeamViewer/Connections_incoming.txt": text}), extractors=EXTRACTORS
    )
    assert [(row["severity"], row["message"]) for row in out.problems()] == [
        ("warning", "line 1: not a TeamViewer connection line: '\\x01garbage line'"),
        ("warning", "line 3: not a TeamViewer connection line: '1660360496\\tcut here\\t16-02-20'"),
    ]
    sessions = out.records("remote_access_sessions")
    assert [(row["remote_alias"], row["start"]) for row in sessions] == [
        ("<script>x</script>", "2024-02-16T14:16:32Z")
    ]


def test_unrelated_connections_txt_is_ignored(scan, place) -> None:
    evidence = place({"Users/a/Documents/connections.txt": "my network connections notes\n"})
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.records("remote_access_events") == [] and out.problems() == []
