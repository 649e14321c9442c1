"""remote_access.zone_identifier: download URL and referrer of remote-access installers."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from types import ModuleType

from triage.evidence import DirectorySource, EvidenceLocator, FileRef
from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.remote_access.zone_identifier import (
    TIME_NOTE,
    ZoneIdentifier,
    parse_zone_identifier,
)
from triage.store import DeviceStore

from .rows import strip

EXTRACTORS = ["remote_access.zone_identifier"]
STREAM = "Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier"


def test_parse_stream(builder: ModuleType) -> None:
    assert parse_zone_identifier(builder.zone_identifier_text()) == {
        "zoneid": "3",
        "referrerurl": "https://anydesk.com/en/downloads/windows",
        "hosturl": "https://download.anydesk.com/AnyDesk.exe",
    }


def test_folder_extraction_of_an_ntfs_stream(scan, place, builder: ModuleType) -> None:
    """A folder copied off NTFS holds the stream as a file named ``<file>:Zone.Identifier``."""
    evidence = place(
        {
            "Users/agent1/Downloads/AnyDesk.exe": b"MZ",
            STREAM: builder.zone_identifier_text(),
            "Users/agent1/Downloads/holiday.jpg:Zone.Identifier": "[ZoneTransfer]\r\nZoneId=3\r\n"
            "HostUrl=https://photos.example/holiday.jpg\r\n",
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    assert out.problems() == []
    events = [
        strip(row, "extractor", "time", "time_raw") for row in out.records("remote_access_events")
    ]
    assert events == [
        {
            "source_path": f"/{STREAM}",
            "tool": "AnyDesk",
            "event": "downloaded",
            "own_id": None,
            "remote_id": None,
            "remote_alias": None,
            "remote_ip": None,
            "direction": None,
            "user": "agent1",
            "detail": "/Users/agent1/Downloads/AnyDesk.exe downloaded; ZoneId=3 (Internet)",
            "session_key": None,
            "time_note": TIME_NOTE,
            "url": "https://download.anydesk.com/AnyDesk.exe",
            "referrer": "https://anydesk.com/en/downloads/windows",
            "own_alias": None,
        }
    ]


def test_stored_file_of_kind_ads(tmp_path: Path, builder: ModuleType) -> None:
    """What the walk of an NTFS image hands over: an entry of kind ``ads``."""
    root = tmp_path / "evidence"
    stream = root / STREAM
    stream.parent.mkdir(parents=True)
    stream.write_text(builder.zone_identifier_text().replace("ZoneId=3", "ZoneId=3 "), "utf-16")
    source = DirectorySource(EvidenceLocator("directory", root))
    store = DeviceStore(tmp_path / "store.sqlite")
    try:
        ctx = ExtractionContext(
            evidence_name="laptop-01",
            source=source,
            store=store,
            workdir=tmp_path,
            extractor=ZoneIdentifier.name,
        )
        entry = StoredFile(
            id=7,
            path=PurePosixPath(f"/{STREAM}"),
            kind="ads",
            size=stream.stat().st_size,
            allocated=True,
            partition=2,
            inode=40213,
            sha256="ab" * 32,
            mime=None,
            ref=FileRef(member=STREAM),
            modified="2024-03-01T09:58:40Z",
        )
        extractor = ZoneIdentifier()
        assert extractor.accepts(entry, ctx)
        (event,) = list(extractor.extract([entry], ctx))
        assert ctx.problems == 0
    finally:
        store.close()
    assert (event.tool, event.event, event.url, event.referrer) == (
        "AnyDesk",
        "downloaded",
        "https://download.anydesk.com/AnyDesk.exe",
        "https://anydesk.com/en/downloads/windows",
    )
    assert (event.source.partition, event.source.inode, event.source.sha256) == (
        2,
        40213,
        "ab" * 32,
    )
    assert (event.time_raw, event.time.isoformat()) == (
        "2024-03-01T09:58:40Z",
        "2024-03-01T09:58:40+00:00",
    )
    assert event.detail == "/Users/agent1/Downloads/AnyDesk.exe downloaded; ZoneId=3 (Internet)"


def test_hostile_stream(scan, place) -> None:
    evidence = place(
        {
            "Users/x/Downloads/TeamViewer_Setup.exe:Zone.Identifier": b"\xff\x00\x01 not ini",
            "Users/x/Downloads/setup.exe:Zone.Identifier": "[ZoneTransfer]\nZoneId=9\n"
            "HostUrl=https://rustdesk.example/<script>alert(1)</script>\n",
        }
    )
    out = scan(evidence, extractors=EXTRACTORS)
    assert [(row["severity"], row["message"]) for row in out.problems()] == [
        ("warning", "the Zone.Identifier stream holds no key=value lines")
    ]
    events = out.records("remote_access_events")
    assert [(row["tool"], row["url"], row["detail"]) for row in events] == [
        ("TeamViewer", None, "/Users/x/Downloads/TeamViewer_Setup.exe downloaded"),
        (
            "RustDesk",
            "https://rustdesk.example/<script>alert(1)</script>",
            "/Users/x/Downloads/setup.exe downloaded; ZoneId=9 (unknown zone)",
        ),
    ]
