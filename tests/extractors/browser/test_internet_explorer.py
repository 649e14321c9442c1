"""ie.index_dat on the real History.IE5 index.dat; ie.webcache conversion and bad input."""

from __future__ import annotations

from pathlib import Path

from triage.extractors.browser.ie_location import history_title, split_location
from triage.extractors.browser.ie_webcache import download, history_visit
from triage.records import BrowserDownload, BrowserVisit, SourceRef
from triage.timestamps import parse_utc

IE5 = "Users/gold/AppData/Local/Microsoft/Windows/History/History.IE5/index.dat"
WEBCACHE = "Users/gold/AppData/Local/Microsoft/Windows/WebCache/WebCacheV01.dat"


def test_split_location() -> None:
    assert split_location("Visited: bob@http://x.example/a@b") == ("bob", "http://x.example/a@b")
    assert split_location(":2015082520150826: bob@http://x.example/") == (
        "bob",
        "http://x.example/",
    )
    assert split_location("http://plain.example/") == (None, "http://plain.example/")
    assert split_location(None) == (None, "")


def test_history_title() -> None:
    data = b"\x10\x00\x02\x00" + b"d\x00\x10\x1f" + "Tïtle".encode("utf-16-le") + b"\x00\x00xx"
    assert history_title(data) == "Tïtle"
    assert history_title(b"\x00" * 20) is None
    assert history_title(None) is None


def test_corpus_index_dat(scan, place, corpus: Path) -> None:
    """plaso msiecf test (History.IE5): 17 entries, the first at offset 20480."""
    root = place(corpus / "browser/ie/plaso_msiecf_History.IE5_index.dat", IE5)
    out = scan(root, extractors=["ie.index_dat"])
    assert out.problems() == []
    rows = out.records("browser_visits")
    assert len(rows) == 15 + 2
    first = rows[0]
    assert {key: first[key] for key in ("browser", "user", "url", "visited", "visit_count")} == {
        "browser": "Internet Explorer",
        "user": "gold_administrator",
        "url": "http://www.msn.com/?ocid=iehp",
        "visited": "2015-08-25T11:05:18.512000Z",
        "visit_count": 1,
    }
    assert (first["visit_id"], first["visited_raw"], first["detail"]) == (
        20480,
        "130849743185120000",
        "history entry at offset 20480",
    )
    assert first["time_note"] == "FILETIME, UTC: last visit (index.dat primary time)"
    download_center = next(row for row in rows if row["visit_id"] == 21760)
    assert download_center["title"] == "Internet Explorer - Microsoft Download Center"
    recovered = [row for row in rows if "recovered" in (row["detail"] or "")]
    assert [(row["url"], row["visited"]) for row in recovered] == [
        (
            "http://www.microsoft.com/en-us/download/confirmation.aspx?id=40901",
            "2015-08-25T11:15:32.342000Z",
        ),
        (
            "http://www.microsoft.com/de-ch/download/confirmation.aspx?id=40901",
            "2015-08-25T11:06:32.117000Z",
        ),
    ]


def test_webcache_rows_to_records() -> None:
    source = SourceRef("laptop", f"/{WEBCACHE}", None, None, "ab" * 32, 7)
    visit = history_visit(
        {
            "EntryId": 12,
            "Url": "Visited: agent1@https://anydesk.com/en/downloads/windows\x00",
            "AccessedTime": 133537605120000000,
            "ModifiedTime": 133537605120000000,
            "AccessCount": 3,
        },
        "History",
        source,
        "gold",
    )
    assert visit == BrowserVisit(
        source=source,
        browser="Internet Explorer / Edge (legacy)",
        profile=None,
        user="agent1",
        url="https://anydesk.com/en/downloads/windows",
        title=None,
        visited=parse_utc("2024-03-01T09:55:12Z"),
        visited_raw="133537605120000000",
        transition=None,
        visit_count=3,
        typed_count=None,
        from_url=None,
        visit_id=12,
        time_note="FILETIME, UTC (AccessedTime)",
        detail="container History",
    )
    assert history_visit({"Url": None}, "History", source, None) is None
    headers = "\x00".join(
        ["", "", "https://anydesk.com/", "application/x-msdownload", "C:\\tmp\\x.tmp"]
        + ["https://download.anydesk.com/AnyDesk.exe", "C:\\Users\\agent1\\Downloads\\A.exe", ""]
    ).encode("utf-16-le")
    record = download(
        {"Url": "iedownload:agent1@x", "ResponseHeaders": headers, "AccessedTime": 0},
        source,
        "gold",
    )
    assert record == BrowserDownload(
        source=source,
        browser="Internet Explorer / Edge (legacy)",
        profile=None,
        user="gold",
        url="https://download.anydesk.com/AnyDesk.exe",
        url_chain=("https://download.anydesk.com/AnyDesk.exe",),
        referrer=None,
        target_path="C:\\Users\\agent1\\Downloads\\A.exe",
        started=None,
        started_raw=None,
        ended=None,
        ended_raw="0",
        received_bytes=None,
        total_bytes=None,
        state=None,
        danger=None,
        time_note="FILETIME, UTC (AccessedTime)",
        detail=None,
    )
    empty = download({"Url": None}, source, None)
    assert (empty.url, empty.detail) == (None, "no ResponseHeaders: URL and path unknown")


def test_garbage_webcache_and_index_dat_are_problems(scan, tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    for relative in (WEBCACHE, IE5):
        target = root / relative
        target.parent.mkdir(parents=True)
        target.write_bytes(b"<script>alert(1)</script>" + bytes(range(256)) * 40)
    out = scan(root, extractors=["ie.webcache", "ie.index_dat"])
    problems = {(row["stage"], row["path"]) for row in out.problems()}
    assert problems == {
        ("extract:ie.webcache", f"/{WEBCACHE}"),
        ("extract:ie.index_dat", f"/{IE5}"),
    }
    messages = [row["message"] for row in out.problems()]
    assert any(message.startswith("not a readable ESE database") for message in messages)
    assert any(message.startswith("not a readable index.dat") for message in messages)
    assert out.records("browser_visits") == []
