"""firefox.history, safari.history, epiphany.history: fixtures and the real corpus."""

from __future__ import annotations

from pathlib import Path

FIREFOX = "Users/tester/AppData/Roaming/Mozilla/Firefox/Profiles/k3x.default-release"
SAFARI = "Users/tester/Library/Safari"
EPIPHANY = "home/tester/.local/share/epiphany/ephy-history.db"
DROP = (
    "source_evidence", "source_partition", "source_inode", "source_file_id", "source_volume",
    "rowid",
)  # fmt: skip

LIVE = {"recovered": 0, "recovery": None, "confidence": None}  # a live record


def strip(row: dict) -> dict:
    """A record row without the store's bookkeeping columns."""
    return {key: value for key, value in row.items() if key not in DROP and key != "source_sha256"}


def test_fixtures(scan, place, data_dir: Path) -> None:
    folder = data_dir / "browser"
    place(folder / "firefox_places.sqlite", f"{FIREFOX}/places.sqlite")
    place(folder / "safari_History.db", f"{SAFARI}/History.db")
    place(folder / "safari_Downloads.plist", f"{SAFARI}/Downloads.plist")
    root = place(folder / "epiphany_ephy-history.db", EPIPHANY)
    out = scan(root, extractors=["firefox.history", "safari.history", "epiphany.history"])
    assert out.problems() == []
    visits = {
        (row["extractor"], row["visit_id"]): strip(row) for row in out.records("browser_visits")
    }
    assert len(visits) == 3 + 3 + 2
    assert visits[("firefox.history", 3)] == {
        **LIVE,
        "extractor": "firefox.history",
        "source_path": f"/{FIREFOX}/places.sqlite",
        "browser": "Firefox",
        "profile": "k3x.default-release",
        "user": "tester",
        "url": "https://example.org/moved",
        "title": "",
        "visited": "2023-05-04T10:00:31Z",
        "visited_raw": "1683194431000000",
        "transition": "redirect permanent",
        "visit_count": 1,
        "typed_count": 0,
        "from_url": "https://example.org/page",
        "visit_id": 3,
        "time_note": "PRTime: microseconds since 1970-01-01 UTC",
        "detail": None,
    }
    assert visits[("firefox.history", 1)]["transition"] == "typed"
    assert visits[("safari.history", 2)] == {
        **LIVE,
        "extractor": "safari.history",
        "source_path": f"/{SAFARI}/History.db",
        "browser": "Safari",
        "profile": None,
        "user": "tester",
        "url": "https://example.com/",
        "title": "Example Domain",
        "visited": "2023-05-04T10:00:00.500000Z",
        "visited_raw": "704887200.5",
        "transition": "redirect",
        "visit_count": 1,
        "typed_count": None,
        "from_url": "http://example.com/",
        "visit_id": 2,
        "time_note": "Cocoa time: seconds since 2001-01-01 UTC",
        "detail": None,
    }
    assert visits[("safari.history", 3)]["detail"] == "synced from iCloud"
    assert visits[("epiphany.history", 2)] == {
        **LIVE,
        "extractor": "epiphany.history",
        "source_path": f"/{EPIPHANY}",
        "browser": "Epiphany",
        "profile": None,
        "user": "tester",
        "url": "https://example.com/more",
        "title": "More",
        "visited": "2023-05-04T10:00:10Z",
        "visited_raw": "1683194410000000",
        "transition": "link",
        "visit_count": 1,
        "typed_count": 0,
        "from_url": "https://example.com/",
        "visit_id": 2,
        "time_note": "Unix microseconds, UTC (GLib real time)",
        "detail": None,
    }
    downloads = {row["extractor"]: strip(row) for row in out.records("browser_downloads")}
    assert downloads["firefox.history"] == {
        **LIVE,
        "extractor": "firefox.history",
        "source_path": f"/{FIREFOX}/places.sqlite",
        "browser": "Firefox",
        "profile": "k3x.default-release",
        "user": "tester",
        "url": "https://example.org/files/setup%20tool.msi",
        "url_chain": '["https://example.org/files/setup%20tool.msi"]',
        "referrer": None,
        "target_path": "C:/Users/tester/Downloads/setup tool.msi",
        "started": "2023-05-04T10:03:00Z",
        "started_raw": "1683194580000000",
        "ended": "2023-05-04T10:03:09Z",
        "ended_raw": "1683194589000",
        "received_bytes": 777,
        "total_bytes": 777,
        "state": "complete",
        "danger": None,
        "mime": None,
        "time_note": (
            "start: annotation dateAdded, PRTime (µs since 1970 UTC); "
            "end: metaData endTime, Unix ms UTC"
        ),
        "detail": None,
    }
    safari = downloads["safari.history"]
    assert (
        safari["url"],
        safari["target_path"],
        safari["started"],
        safari["ended"],
        safari["total_bytes"],
    ) == (
        "https://example.org/files/tool.dmg",
        "/Users/tester/Downloads/tool.dmg",
        "2023-05-04T10:04:00Z",
        "2023-05-04T10:04:05Z",
        4096,
    )


def test_corpus_firefox_places_and_downloads(scan, place, corpus: Path) -> None:
    """plaso firefox_history (first page visit) and firefox_downloads tests."""
    place(corpus / "browser/firefox/plaso_firefox_places.sqlite", f"{FIREFOX}/places.sqlite")
    root = place(
        corpus / "browser/firefox/plaso_firefox_downloads.sqlite", f"{FIREFOX}/downloads.sqlite"
    )
    out = scan(root, extractors=["firefox.history"])
    assert out.problems() == []
    (visit,) = out.records("browser_visits")
    assert (
        visit["url"],
        visit["title"],
        visit["visited"],
        visit["transition"],
        visit["visit_count"],
    ) == ("http://news.google.com/", "Google News", "2011-07-01T11:16:21.371935Z", "typed", 1)
    (download,) = out.records("browser_downloads")
    assert (
        download["url"],
        download["target_path"],
        download["started"],
        download["ended"],
        download["received_bytes"],
        download["total_bytes"],
        download["state"],
        download["mime"],
        download["detail"],
    ) == (
        "https://plaso.googlecode.com/files/plaso-static-1.0.1-win32-vs2008.zip",
        "D:/plaso-static-1.0.1-win32-vs2008.zip",
        "2013-07-18T18:59:59.312000Z",
        "2013-07-18T19:01:18.578000Z",
        15974599,
        15974599,
        "complete",
        "application/zip",
        "target URI file:///D:/plaso-static-1.0.1-win32-vs2008.zip",
    )


def test_corpus_safari_db_and_plist(scan, place, corpus: Path) -> None:
    """plaso safari (History.db: 25 visits, facebook.com) and plist safari (18 entries)."""
    place(corpus / "browser/safari/plaso_safari_History.db", f"{SAFARI}/History.db")
    root = place(corpus / "browser/safari/plaso_safari_History.plist", f"{SAFARI}/History.plist")
    out = scan(root, extractors=["safari.history"])
    assert out.problems() == []
    rows = out.records("browser_visits")
    database = [row for row in rows if row["source_path"].endswith("History.db")]
    plist = [row for row in rows if row["source_path"].endswith("History.plist")]
    assert (len(database), len(plist)) == (25, 18)
    facebook = database[1]
    assert (
        facebook["url"],
        facebook["title"],
        facebook["visited"],
        facebook["visit_count"],
    ) == ("http://facebook.com/", None, "2017-11-09T21:24:28.829571Z", 2)
    redirected = database[2]
    assert (redirected["url"], redirected["from_url"], redirected["transition"]) == (
        "https://www.facebook.com/",
        "http://facebook.com/",
        "redirect",
    )
    assert (plist[8]["url"], plist[8]["title"], plist[8]["visit_count"]) == (
        "http://netverslun.sci-mx.is/aminosyrur",
        "Amínósýrur",
        1,
    )
    assert (plist[10]["visited"], plist[10]["visited_raw"]) == (
        "2013-07-08T17:31:00.500000Z",
        "394997460.5",
    )
    assert plist[7]["detail"] == "redirected to http://www.youtube.com/"


def test_safari_ios_profile_and_epiphany_corpus(scan, place, corpus: Path, data_dir) -> None:
    profile = "private/var/mobile/Library/Safari/Profiles/5C8E0D1A-0000-4000-8000-000000000001"
    place(data_dir / "browser" / "safari_History.db", f"{profile}/History.db")
    root = place(corpus / "browser/epiphany/artemis_epiphany_ephy-history.db", EPIPHANY)
    out = scan(root, extractors=["safari.history", "epiphany.history"])
    assert out.problems() == []
    safari = [row for row in out.records("browser_visits") if row["browser"] == "Safari"]
    assert {row["profile"] for row in safari} == {"5C8E0D1A-0000-4000-8000-000000000001"}
    epiphany = [row for row in out.records("browser_visits") if row["browser"] == "Epiphany"]
    # artemis counts 15 with its urls.host = visits.url join; the file holds 13 visits.
    assert len(epiphany) == 13
    assert (epiphany[0]["url"], epiphany[0]["visited"], epiphany[0]["transition"]) == (
        "https://www.cnn.com/",
        "2026-02-04T22:46:02.897437Z",
        "typed",
    )
    assert epiphany[-1]["title"] == "OpenClaw - Wikipedia"
