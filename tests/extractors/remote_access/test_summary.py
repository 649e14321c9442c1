"""remote_access_summary: every peer with its sessions, read from the store's tables only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.summary import remote_access_summary
from triage.records import RemoteAccessSession, SourceRef
from triage.store import DeviceStore


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _session(path: str, tool: str, start: str, end: str | None, **fields) -> RemoteAccessSession:
    values = {
        "direction": None,
        "own_id": None,
        "remote_id": None,
        "remote_alias": None,
        "remote_ip": None,
        "auth": None,
        "user": None,
    }
    values.update(fields)
    return RemoteAccessSession(
        source=SourceRef("laptop", path),
        tool=tool,
        start=_at(start),
        start_raw=start,
        end=_at(end) if end else None,
        end_raw=end,
        duration=(_at(end) - _at(start)).total_seconds() if end else None,
        **values,
    )


def test_summary_of_store_tables(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "triage.sqlite")
    tv = "/Program Files/TeamViewer/"
    records = [
        _session(
            f"{tv}Connections.txt",
            "TeamViewer",
            "2024-03-01T11:19:20",
            "2024-03-01T11:33:05",
            direction="outgoing",
            remote_id="1660360496",
            user="agent1",
        ),
        _session(
            f"{tv}TeamViewer15_Logfile.log",
            "TeamViewer",
            "2024-03-01T11:19:21.536",
            "2024-03-01T11:33:04.870",
            remote_id="1660360496",
            remote_alias="Harold Jenkins",
        ),
        _session(
            f"{tv}Connections.txt",
            "TeamViewer",
            "2024-03-02T09:00:00",
            "2024-03-02T09:05:00",
            direction="outgoing",
            remote_id="1660360496",
        ),
        _session(
            "/rd.log",
            "RustDesk",
            "2025-01-01T13:04:08",
            None,
            direction="incoming",
            remote_ip="192.0.2.44",
        ),
        make_event(
            SourceRef("laptop", "/user.conf"),
            "AnyDesk",
            "address_book",
            remote_id="123456789",
            remote_alias="Margaret-PC",
        ),
        make_event(
            SourceRef("laptop", "/system.conf"),
            "AnyDesk",
            "own_id",
            own_id="555111222",
            own_alias="support-desk",
        ),
        make_event(
            SourceRef("laptop", "/ad_svc.trace"),
            "AnyDesk",
            "app_start",
            time=_at("2024-03-01T09:59:47"),
        ),
        make_event(
            SourceRef("laptop", "/ad_svc.trace"),
            "AnyDesk",
            "login",
            time=_at("2024-03-01T10:07:31"),
            remote_id="123456789",
            remote_ip="203.0.113.5",
        ),
    ]
    store.add_records("test", records)
    try:
        summary = remote_access_summary(store)
    finally:
        store.close()
    assert summary == {
        "peers": [
            {
                "tool": "AnyDesk",
                "remote_id": "123456789",
                "aliases": ["Margaret-PC"],
                "ips": ["203.0.113.5"],
                "sessions": [],
                "events": 2,
                "first_seen": "2024-03-01T10:07:31Z",
                "last_seen": "2024-03-01T10:07:31Z",
                "sources": ["/user.conf", "/ad_svc.trace"],
            },
            {
                "tool": "RustDesk",
                "remote_id": None,
                "aliases": [],
                "ips": ["192.0.2.44"],
                "sessions": [
                    {
                        "start": "2025-01-01T13:04:08Z",
                        "end": None,
                        "duration": None,
                        "direction": "incoming",
                        "own_id": None,
                        "remote_ip": "192.0.2.44",
                        "auth": None,
                        "files": [],
                        "sources": ["/rd.log"],
                    }
                ],
                "events": 0,
                "first_seen": "2025-01-01T13:04:08Z",
                "last_seen": "2025-01-01T13:04:08Z",
                "sources": ["/rd.log"],
            },
            {
                "tool": "TeamViewer",
                "remote_id": "1660360496",
                "aliases": ["Harold Jenkins"],
                "ips": [],
                "sessions": [
                    {
                        "start": "2024-03-01T11:19:20Z",
                        "end": "2024-03-01T11:33:05Z",
                        "duration": 825.0,
                        "direction": "outgoing",
                        "own_id": None,
                        "remote_ip": None,
                        "auth": None,
                        "files": [],
                        "sources": [f"{tv}Connections.txt", f"{tv}TeamViewer15_Logfile.log"],
                    },
                    {
                        "start": "2024-03-02T09:00:00Z",
                        "end": "2024-03-02T09:05:00Z",
                        "duration": 300.0,
                        "direction": "outgoing",
                        "own_id": None,
                        "remote_ip": None,
                        "auth": None,
                        "files": [],
                        "sources": [f"{tv}Connections.txt"],
                    },
                ],
                "events": 0,
                "first_seen": "2024-03-01T11:19:20Z",
                "last_seen": "2024-03-02T09:05:00Z",
                "sources": [f"{tv}Connections.txt", f"{tv}TeamViewer15_Logfile.log"],
            },
        ],
        "own_ids": [
            {
                "tool": "AnyDesk",
                "own_id": "555111222",
                "aliases": ["support-desk"],
                "sources": ["/system.conf"],
            }
        ],
    }


def test_empty_store(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path / "triage.sqlite")
    try:
        assert remote_access_summary(store) == {"peers": [], "own_ids": []}
    finally:
        store.close()
