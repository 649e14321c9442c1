"""The demo laptop and phone: the story's sessions come out of a scan and into the summary."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from triage.extractors.remote_access import EXTRACTORS
from triage.extractors.remote_access.summary import remote_access_summary
from triage.store import DeviceStore

ALL = [cls.name for cls in EXTRACTORS]


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_builders_are_deterministic(tmp_path: Path, builder: ModuleType) -> None:
    for name in ("a", "b"):
        builder.populate_windows_laptop(tmp_path / name / "laptop")
        builder.populate_android_phone(tmp_path / name / "phone")
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")
    assert builder.zone_identifier_text() == (
        "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://anydesk.com/en/downloads/windows\r\n"
        "HostUrl=https://download.anydesk.com/AnyDesk.exe\r\n"
    )


def test_demo_laptop_story(scan, tmp_path: Path, builder: ModuleType) -> None:
    laptop = tmp_path / "laptop-01"
    builder.populate_windows_laptop(laptop)
    out = scan(laptop, extractors=ALL)
    assert out.problems() == []
    anydesk = [row for row in out.records("remote_access_sessions") if row["tool"] == "AnyDesk"]
    assert [
        (
            row["start"],
            row["end"],
            row["duration"],
            row["direction"],
            row["own_id"],
            row["remote_id"],
            row["remote_alias"],
            row["user"],
            row["files"],
        )
        for row in anydesk
    ] == [
        (
            "2024-03-01T10:07:30Z",
            "2024-03-01T10:41:10Z",
            2020.0,
            "outgoing",
            "555111222",
            "123456789",
            "Margaret-PC",
            "agent1",
            '["invoice.pdf"]',
        )
    ]
    store = DeviceStore(out.output / "triage.sqlite")
    try:
        summary = remote_access_summary(store)
    finally:
        store.close()
    peers = {(peer["tool"], peer["remote_id"]): peer for peer in summary["peers"]}
    assert set(peers) == {("AnyDesk", "123456789"), ("TeamViewer", "1660360496")}
    victim_a = peers["AnyDesk", "123456789"]
    assert victim_a["aliases"] == ["Margaret-PC"]
    assert [(s["start"], s["end"], s["direction"], s["files"]) for s in victim_a["sessions"]] == [
        ("2024-03-01T10:07:30Z", "2024-03-01T10:41:10Z", "outgoing", ["invoice.pdf"])
    ]
    victim_b = peers["TeamViewer", "1660360496"]
    assert victim_b["aliases"] == ["Harold Jenkins"]
    assert [
        (s["start"], s["end"], s["duration"], s["direction"], s["sources"])
        for s in victim_b["sessions"]
    ] == [
        (
            "2024-03-01T11:19:20Z",
            "2024-03-01T11:33:05Z",
            825.0,
            "outgoing",
            [
                "/Program Files/TeamViewer/Connections.txt",
                "/Program Files/TeamViewer/TeamViewer15_Logfile.log",
            ],
        )
    ]
    assert summary["own_ids"] == [
        {
            "tool": "AnyDesk",
            "own_id": "555111222",
            "aliases": ["support-desk"],
            "sources": [
                "/Users/agent1/AppData/Roaming/AnyDesk/ad.trace",
                "/ProgramData/AnyDesk/ad_svc.trace",
                "/ProgramData/AnyDesk/system.conf",
            ],
        }
    ]
    installer = [
        row for row in out.records("artifact_presence") if row["artifact"] == "downloaded installer"
    ]
    assert [(row["tool"], row["source_path"], row["modified"]) for row in installer] == [
        ("AnyDesk", "/Users/agent1/Downloads/AnyDesk.exe", "2024-03-01T09:58:40Z")
    ]
