"""chromium.history: fixtures with the real schema, every layout and profile, WAL, the corpus."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from triage.extractors.browser.chromium_codes import decode_transition

CHROME_DEFAULT = "Users/tester/AppData/Local/Google/Chrome/User Data/Default/History"
SEARCHES = ["funny cats", "really really funny cats", "funnycats.exe"]
SOURCE_KEYS = (
    "source_evidence", "source_partition", "source_inode", "source_file_id", "source_volume",
    "rowid",
)  # fmt: skip

LIVE = {"recovered": 0, "recovery": None, "confidence": None}  # a live record


def strip(row: dict) -> dict:
    """A record row without the store's bookkeeping columns."""
    return {key: value for key, value in row.items() if key not in SOURCE_KEYS}


def test_transition_decoding() -> None:
    assert decode_transition(0x32000001) == "typed | from address bar | chain start | chain end"
    assert decode_transition(805306368) == "link | chain start | chain end"
    # Old databases stored the 32-bit value signed: a server redirect reads back negative.
    assert decode_transition(-1610612736) == "link | chain end | server redirect"
    assert decode_transition(0x4000000F) == "unknown core type 15 | client redirect"
    assert decode_transition(None) is None


def test_fixture_visits_downloads_searches(scan, place, data_dir: Path) -> None:
    root = place(data_dir / "browser" / "chrome_History", CHROME_DEFAULT)
    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    visits = [strip(row) for row in out.records("browser_visits")]
    common = {
        "extractor": "chromium.history",
        "source_path": f"/{CHROME_DEFAULT}",
        "source_sha256": visits[0]["source_sha256"],
        "browser": "Chrome",
        "profile": "Default",
        "user": "tester",
        "time_note": "WebKit time: microseconds since 1601-01-01 UTC",
        **LIVE,
    }
    assert len(visits) == 5
    assert visits[0] == {
        **common,
        "url": "http://example.com/",
        "title": "Example Domain",
        "visited": "2023-05-04T10:00:00Z",
        "visited_raw": "13327668000000000",
        "transition": "typed | from address bar | chain start | chain end",
        "visit_count": 1,
        "typed_count": 1,
        "from_url": None,
        "visit_id": 1,
        "detail": None,
    }
    assert visits[2] == {
        **common,
        "url": "https://example.org/landing",
        "title": "Landing",
        "visited": "2023-05-04T10:01:00.250000Z",
        "visited_raw": "13327668060250000",
        "transition": "link | chain end | server redirect",
        "visit_count": 1,
        "typed_count": 0,
        "from_url": "https://example.org/start",
        "visit_id": 3,
        "detail": "on page 12.5 s",
    }
    assert visits[3]["detail"] == "synced from another device"
    downloads = [strip(row) for row in out.records("browser_downloads")]
    assert downloads[0] == {
        "extractor": "chromium.history",
        "source_path": f"/{CHROME_DEFAULT}",
        "source_sha256": visits[0]["source_sha256"],
        "browser": "Chrome",
        "profile": "Default",
        "user": "tester",
        "url": "https://cdn.example.com/tool.exe",
        "url_chain": '["http://example.com/get/tool.exe", "https://cdn.example.com/tool.exe"]',
        "referrer": "http://example.com/",
        "target_path": "C:\\Users\\tester\\Downloads\\tool.exe",
        "started": "2023-05-04T10:02:00Z",
        "started_raw": "13327668120000000",
        "ended": "2023-05-04T10:02:07.500000Z",
        "ended_raw": "13327668127500000",
        "received_bytes": 123456,
        "total_bytes": 123456,
        "state": "complete",
        "danger": "uncommon content",
        "mime": "application/x-msdownload",
        "time_note": "WebKit time: microseconds since 1601-01-01 UTC",
        "detail": "tab URL http://example.com/",
        **LIVE,
    }
    assert (downloads[1]["state"], downloads[1]["received_bytes"]) == ("cancelled", 1024)
    searches = [strip(row) for row in out.records("browser_searches")]
    assert [(row["term"], row["url"], row["searched"]) for row in searches] == [
        ("fixture term", "https://search.example/?q=fixture+term", "2023-05-04T11:05:00Z")
    ]
    (stored,) = [row for row in out.files() if row["path"] == f"/{CHROME_DEFAULT}"]
    assert visits[0]["source_sha256"] == stored["sha256"]


def test_two_users_three_browsers_every_profile(scan, tmp_path: Path, builder) -> None:
    """Windows layout: agent1 has Chrome Default + Profile 1 and Firefox; agent2 has Edge and
    Chrome; every visit of every profile is found and attributed."""
    root = tmp_path / "laptop"
    when = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    layout = {
        ("agent1", "Chrome", "Default"): (
            "Users/agent1/AppData/Local/Google/Chrome/User Data/Default/History"
        ),
        ("agent1", "Chrome", "Profile 1"): (
            "Users/agent1/AppData/Local/Google/Chrome/User Data/Profile 1/History"
        ),
        ("agent2", "Edge", "Default"): (
            "Users/agent2/AppData/Local/Microsoft/Edge/User Data/Default/History"
        ),
        ("agent2", "Chrome", "Guest Profile"): (
            "Users/agent2/AppData/Local/Google/Chrome/User Data/Guest Profile/History"
        ),
    }
    expected = set()
    for number, (key, relative) in enumerate(layout.items()):
        visits = [
            builder.Visit(f"https://site{number}.example/{index}", f"t{index}", when)
            for index in range(number + 2)
        ]
        builder.write_chrome_history(root / relative, visits)
        expected |= {(*key, visit.url) for visit in visits}
    firefox = "Users/agent1/AppData/Roaming/Mozilla/Firefox/Profiles/a1b2c3d4.default-release"
    builder.write_firefox_places(
        root / firefox / "places.sqlite",
        [builder.Visit("https://firefox.example/", "ff", when, 1)],
    )
    expected.add(("agent1", "Firefox", "a1b2c3d4.default-release", "https://firefox.example/"))
    out = scan(root, extractors=["chromium.history", "firefox.history"])
    assert out.problems() == []
    found = {
        (row["user"], row["browser"], row["profile"], row["url"])
        for row in out.records("browser_visits")
    }
    assert found == expected
    assert len(out.records("browser_visits")) == 2 + 3 + 4 + 5 + 1


LAYOUTS = [
    ("data/data/com.android.chrome/app_chrome/Default/History", "Chrome", "Default", None),
    (
        "data/user/10/com.sec.android.app.sbrowser/app_sbrowser/Default/History",
        "Samsung Internet",
        "Default",
        "android user 10",
    ),
    ("data/data/com.microsoft.emmx/app_chrome/Default/History", "Edge", "Default", None),
    ("data/data/com.brave.browser/app_chrome/Default/History", "Brave", "Default", None),
    (
        "data/data/com.example.bank/app_webview/Default/History",
        "Android WebView",
        "Default",
        None,
    ),
    ("data/data/com.opera.browser/app_opera/History", "Opera", None, None),
    (
        "Users/ann/Library/Application Support/Google/Chrome/Profile 3/History",
        "Chrome",
        "Profile 3",
        "ann",
    ),
    (
        "Users/ann/Library/Application Support/BraveSoftware/Brave-Browser/Default/History",
        "Brave",
        "Default",
        "ann",
    ),
    ("home/bo/.config/chromium/Default/History", "Chromium", "Default", "bo"),
    ("home/bo/.config/vivaldi/Default/History", "Vivaldi", "Default", "bo"),
    (
        "Users/ann/AppData/Roaming/Opera Software/Opera Stable/History",
        "Opera",
        "Opera Stable",
        "ann",
    ),
    (
        "Users/ann/AppData/Local/Yandex/YandexBrowser/User Data/Default/History",
        "Yandex",
        "Default",
        "ann",
    ),
    (
        "Users/ann/AppData/Local/Google/Chrome/User Data/Snapshots/116.0.5845.97/Default/History",
        "Chrome",
        "Default (snapshot 116.0.5845.97)",
        "ann",
    ),
]


def test_layouts_name_browser_profile_user(scan, tmp_path: Path, builder) -> None:
    """Windows, macOS, Linux and Android layouts: browser, profile and user from the path."""
    root = tmp_path / "device"
    when = datetime(2024, 3, 1, 11, 40, tzinfo=UTC)
    expected = set()
    for index, (relative, browser, profile, user) in enumerate(LAYOUTS):
        url = f"https://a{index}.example/"
        builder.write_chrome_history(root / relative, [builder.Visit(url, "A", when)])
        expected.add((browser, profile, user, url))
    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    rows = out.records("browser_visits")
    assert {(row["browser"], row["profile"], row["user"], row["url"]) for row in rows} == expected
    assert len(rows) == len(LAYOUTS)


def test_wal_only_visit_is_found(scan, tmp_path: Path, builder) -> None:
    """A visit committed in the WAL but not checkpointed into the main file is read."""
    live = tmp_path / "live" / "History"
    live.parent.mkdir()
    connection = sqlite3.connect(live)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    when = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    builder.fill_chrome_history(connection, [builder.Visit("https://old.example/", "old", when)])
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    builder.fill_chrome_history(
        connection,
        [builder.Visit("https://wal-only.example/", "only in the WAL", when + timedelta(hours=1))],
        create=False,
    )
    connection.commit()
    root = tmp_path / "evidence"
    target = root / CHROME_DEFAULT
    target.parent.mkdir(parents=True)
    shutil.copyfile(live, target)
    shutil.copyfile(f"{live}-wal", f"{target}-wal")  # copied while the connection is open
    connection.close()
    main_only = sqlite3.connect(f"file:{target}?mode=ro&immutable=1", uri=True)
    assert main_only.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
    main_only.close()

    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    rows = out.records("browser_visits")
    assert [(row["url"], row["title"], row["visited"]) for row in rows] == [
        ("https://old.example/", "old", "2024-03-01T10:00:00Z"),
        ("https://wal-only.example/", "only in the WAL", "2024-03-01T11:00:00Z"),
    ]
    assert rows[1]["source_path"] == f"/{CHROME_DEFAULT}"


def test_history_at_odd_path_found_by_schema(scan, place, data_dir: Path) -> None:
    root = place(data_dir / "browser" / "chrome_History", "case/exports/copy_of_hist.bin")
    out = scan(root, extractors=["chromium.history", "epiphany.history"])
    rows = out.records("browser_visits")
    assert len(rows) == 5
    assert {row["browser"] for row in rows} == {"Chromium-based browser"}
    assert {row["extractor"] for row in rows} == {"chromium.history"}


def test_epiphany_db_is_not_read_as_chromium(scan, place, data_dir: Path) -> None:
    root = place(data_dir / "browser" / "epiphany_ephy-history.db", "stuff/history.sqlite")
    out = scan(root, extractors=["chromium.history", "epiphany.history"])
    assert {row["extractor"] for row in out.records("browser_visits")} == {"epiphany.history"}
    assert [p for p in out.problems() if p["severity"] == "error"] == []


# -- the real corpus ----------------------------------------------------------------------------
def test_corpus_plaso_chrome_8(scan, place, corpus: Path) -> None:
    """plaso GoogleChrome8HistoryPluginTest: 71 event data = 69 visits + 2 downloads."""
    root = place(corpus / "browser/chrome/plaso_chrome_History", CHROME_DEFAULT)
    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    visits = out.records("browser_visits")
    downloads = out.records("browser_downloads")
    assert (len(visits), len(downloads)) == (69, 2)
    first = visits[0]
    assert (first["url"], first["title"], first["visited"]) == (
        "http://start.ubuntu.com/10.04/Google/",
        "Ubuntu Start Page",
        "2011-04-07T12:03:11Z",
    )
    assert (first["visit_count"], first["typed_count"]) == (4, 0)
    assert first["transition"] == "link | chain start | chain end"  # plaso: core type 0
    assert first["detail"] == "imported from Firefox"  # plaso: visit_source 3
    assert visits[20]["url"] == "http://www.google.ch/blank.html"
    assert "hidden" in visits[20]["detail"]
    funcats = downloads[0]
    assert (
        funcats["url"],
        funcats["target_path"],
        funcats["started"],
        funcats["ended"],
        funcats["received_bytes"],
        funcats["total_bytes"],
    ) == (
        "http://fatloss4idiotsx.com/download/funcats/funcats_scr.exe",
        "/home/john/Downloads/funcats_scr.exe",
        "2011-05-23T08:35:30Z",
        None,
        1132155,
        1132155,
    )
    assert funcats["time_note"] == "old Chromium download: Unix seconds, UTC"
    assert [row["term"] for row in out.records("browser_searches")] == SEARCHES


def test_corpus_plaso_chrome_59(scan, place, corpus: Path) -> None:
    """plaso GoogleChrome27HistoryPluginTest.testProcess59."""
    root = place(corpus / "browser/chrome/plaso_chrome_History-59.0.3071.86", CHROME_DEFAULT)
    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    (visit,) = out.records("browser_visits")
    assert (visit["url"], visit["visited"], visit["typed_count"], visit["visit_count"]) == (
        "https://raw.githubusercontent.com/dfirlabs/chrome-specimens/master/generate-specimens.sh",
        "2018-01-21T14:08:52.037692Z",
        0,
        1,
    )
    (download,) = out.records("browser_downloads")
    assert (
        download["url"],
        download["target_path"],
        download["started"],
        download["ended"],
        download["received_bytes"],
        download["total_bytes"],
        download["state"],
    ) == (
        "https://raw.githubusercontent.com/log2timeline/l2tbinaries/master/win32/"
        "plaso-20171231.1.win32.msi",
        "/home/ubuntu/Downloads/plaso-20171231.1.win32.msi",
        "2018-01-21T14:08:51.811123Z",
        "2018-01-21T14:08:52.662377Z",
        3080192,
        3080192,
        "complete",
    )


# hindsight tests/test_history.py and test_downloads.py (Chrome history versions 16 to 36).
# hindsight converts with floats; our integer conversion is exact and may differ by 1 µs.
HINDSIGHT = [
    ("01", 46, "2013-06-05T04:28:55.498622Z", "2013-06-05T04:28:30Z"),
    ("10", 84, "2013-06-27T04:23:14.176756Z", "2013-06-27T04:23:25Z"),
    ("20", 58, "2013-06-30T21:26:13.162177Z", "2013-06-30T21:26:05Z"),
    ("30", 46, "2013-10-02T23:15:13.326712Z", "2013-10-02T23:17:29.397160Z"),
    ("60", 61, "2017-08-05T22:06:56.507863Z", "2017-08-05T22:06:52.088355Z"),
]


def test_corpus_hindsight_profiles(scan, place, corpus: Path) -> None:
    for profile, *_ in HINDSIGHT:
        root = place(
            corpus / f"browser/chrome/hindsight_profile{profile}_History",
            f"Users/ryan/AppData/Local/Google/Chrome/User Data/Profile {profile}/History",
        )
    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    for profile, count, wiki_time, download_time in HINDSIGHT:
        name = f"Profile {profile}"
        visits = [row for row in out.records("browser_visits") if row["profile"] == name]
        assert len(visits) == count
        wiki = [
            row["visited"]
            for row in visits
            if row["url"].endswith("en.wikipedia.org/wiki/Computer_forensics")
        ]
        assert wiki_time in wiki
        downloads = [row for row in out.records("browser_downloads") if row["profile"] == name]
        assert len(downloads) == 2
        first = downloads[0]
        assert first["url"].endswith("upload.wikimedia.org/wikipedia/commons/7/7a/Hard_disk.jpg")
        assert first["started"] == download_time
        assert first["received_bytes"] == 1387537
        assert first["target_path"] in (
            "C:\\Users\\Ryan\\Downloads\\Hard_disk.jpg",
            "C:\\Users\\Ryan\\Documents\\Downloads\\Hard_disk.jpg",
            "C:\\Users\\IEUser\\Downloads\\Hard_disk.jpg",
        )
        searches = [row for row in out.records("browser_searches") if row["profile"] == name]
        assert len(searches) == 5


def test_corpus_edge_141(scan, place, corpus: Path) -> None:
    """artemis-api testChromiumSqlite: 56 visits, washingtonpost, 3 downloads / 6 chain URLs."""
    relative = "Users/ann/AppData/Local/Microsoft/Edge/User Data/Default/History"
    root = place(corpus / "browser/edge/artemis_edge_v141_History", relative)
    out = scan(root, extractors=["chromium.history"])
    assert out.problems() == []
    visits = out.records("browser_visits")
    assert len(visits) == 56
    assert {row["browser"] for row in visits} == {"Edge"}
    assert "https://www.washingtonpost.com/latest-headlines/" in {row["url"] for row in visits}
    downloads = out.records("browser_downloads")
    assert len(downloads) == 3
    chains = [url for row in downloads for url in json.loads(row["url_chain"])]
    assert len(chains) == 6
    assert (
        "https://github.com/Velocidex/velociraptor/releases/download/v0.75/"
        "velociraptor-v0.75.1-windows-amd64.exe"
    ) in chains
    velociraptor = downloads[1]
    assert velociraptor["target_path"] == (
        "/Users/android/Downloads/velociraptor-v0.75.1-windows-amd64.exe"
    )
    assert (velociraptor["started"], velociraptor["received_bytes"]) == (
        "2025-11-02T22:38:05.594829Z",
        68208112,
    )
    assert velociraptor["danger"] == "maybe dangerous content"
    assert len(out.records("browser_searches")) == 5
