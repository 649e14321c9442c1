# ruff: noqa: E501 - the CREATE TABLE statements are kept verbatim, as the applications write them
"""Build the browser-family fixtures: tiny databases with the real schemas, fictional data.

Run ``python tests/data/browser/build_browser.py`` to (re)write the committed fixtures beside
this file. The tests also import the writers to build evidence folders on the fly (several
users and profiles, a WAL-only visit, hostile values), and the demo imports
:func:`populate_windows_laptop` and :func:`populate_android_phone`.

Schemas (CREATE TABLE statements as the applications write them):
- Chromium History (history schema version 70): taken from the Edge 141 History in the shared
  corpus (artemis-api ``tests/test_data/edge/v141/History``), without Edge's own tables; the
  same statements as Chromium ``components/history/core/browser/*_database.cc``.
- Firefox places.sqlite: Mozilla ``toolkit/components/places/nsPlacesTables.h``.
- Safari History.db: the plaso fixture ``test_data/safari/History.db``.
- Epiphany ephy-history.db: artemis-api ``tests/test_data/linux/epiphany/ephy-history.db``.
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Chromium page transitions (ui/base/page_transition_types.h)
LINK = 0x00000000
TYPED = 0x00000001
CHAIN_START = 0x10000000
CHAIN_END = 0x20000000
FROM_ADDRESS_BAR = 0x02000000
SERVER_REDIRECT = 0x80000000
TYPED_IN_OMNIBOX = TYPED | FROM_ADDRESS_BAR | CHAIN_START | CHAIN_END
LINK_CLICK = LINK | CHAIN_START | CHAIN_END

CHROME_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit INTEGER,originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit INTEGER,originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,visited_link_id INTEGER DEFAULT 0 NOT NULL,app_id TEXT);
CREATE TABLE visit_source(id INTEGER PRIMARY KEY,source INTEGER NOT NULL);
CREATE INDEX visits_url_index ON visits (url);
CREATE INDEX visits_from_index ON visits (from_visit);
CREATE INDEX visits_time_index ON visits (visit_time);
CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL);
CREATE INDEX keyword_search_terms_index1 ON keyword_search_terms (keyword_id, normalized_term);
CREATE INDEX keyword_search_terms_index2 ON keyword_search_terms (url_id);
CREATE INDEX keyword_search_terms_index3 ON keyword_search_terms (term);
CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,current_path LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state INTEGER NOT NULL,danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT NULL,end_time INTEGER NOT NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT NULL,transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url VARCHAR NOT NULL,embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,tab_referrer_url VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,by_ext_name VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,last_modified VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,original_mime_type VARCHAR(255) NOT NULL);
CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) );
CREATE TABLE downloads_slices (download_id INTEGER NOT NULL,offset INTEGER NOT NULL,received_bytes INTEGER NOT NULL,finished INTEGER NOT NULL DEFAULT 0,PRIMARY KEY (download_id, offset) );
CREATE TABLE segments (id INTEGER PRIMARY KEY,name VARCHAR,url_id INTEGER NON NULL);
CREATE TABLE segment_usage (id INTEGER PRIMARY KEY,segment_id INTEGER NOT NULL,time_slot INTEGER NOT NULL,visit_count INTEGER DEFAULT 0 NOT NULL);
CREATE INDEX urls_url_index ON urls (url);
"""

FIREFOX_SCHEMA = """
CREATE TABLE moz_origins ( id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT NULL, frecency INTEGER NOT NULL, recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0, UNIQUE (prefix, host) );
CREATE TABLE moz_places (   id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL, typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL, last_visit_date INTEGER , guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL, url_hash INTEGER DEFAULT 0 NOT NULL , description TEXT, preview_image_url TEXT, site_name TEXT, origin_id INTEGER REFERENCES moz_origins(id), recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0);
CREATE TABLE moz_historyvisits (  id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER, source INTEGER DEFAULT 0 NOT NULL, triggeringPlaceId INTEGER);
CREATE TABLE moz_inputhistory (  place_id INTEGER NOT NULL, input LONGVARCHAR NOT NULL, use_count INTEGER, PRIMARY KEY (place_id, input));
CREATE TABLE moz_annos (  id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL, anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0, expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0, lastModified INTEGER DEFAULT 0);
CREATE TABLE moz_anno_attributes (  id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);
CREATE TABLE moz_keywords (  id INTEGER PRIMARY KEY AUTOINCREMENT, keyword TEXT UNIQUE, place_id INTEGER, post_data TEXT);
CREATE TABLE moz_bookmarks (  id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER DEFAULT NULL, parent INTEGER, position INTEGER, title LONGVARCHAR, keyword_id INTEGER, folder_type TEXT, dateAdded INTEGER, lastModified INTEGER, guid TEXT, syncStatus INTEGER NOT NULL DEFAULT 0, syncChangeCounter INTEGER NOT NULL DEFAULT 1);
CREATE INDEX moz_historyvisits_placedateindex ON moz_historyvisits (place_id, visit_date);
CREATE INDEX moz_historyvisits_fromindex ON moz_historyvisits (from_visit);
CREATE INDEX moz_historyvisits_dateindex ON moz_historyvisits (visit_date);
"""

SAFARI_SCHEMA = """
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,generation INTEGER NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_tombstones (id INTEGER PRIMARY KEY AUTOINCREMENT,start_time REAL NOT NULL,end_time REAL NOT NULL,url TEXT,generation INTEGER NOT NULL DEFAULT 0);
CREATE TABLE metadata (key TEXT NOT NULL UNIQUE, value);
CREATE INDEX history_visits__last_visit ON history_visits (history_item, visit_time DESC, synthesized ASC);
"""

EPIPHANY_SCHEMA = """
CREATE TABLE hosts (id INTEGER PRIMARY KEY,url LONGVARCAR,title LONGVARCAR,visit_count INTEGER DEFAULT 0 NOT NULL,zoom_level REAL DEFAULT 0.0);
CREATE TABLE urls (id INTEGER PRIMARY KEY,host INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,url LONGVARCAR,title LONGVARCAR,sync_id LONGVARCAR,visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,last_visit_time INTEGER,thumbnail_update_time INTEGER DEFAULT 0,hidden_from_overview INTEGER DEFAULT 0);
CREATE TABLE visits (id INTEGER PRIMARY KEY,url INTEGER NOT NULL REFERENCES urls(id) ON DELETE CASCADE,visit_time INTEGER NOT NULL,visit_type INTEGER NOT NULL,referring_visit INTEGER);
"""


def utc(text: str) -> datetime:
    """``2024-03-01T09:55:12`` (UTC) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def webkit(when: datetime) -> int:
    """Microseconds since 1601-01-01 UTC (Chromium)."""
    return (when - WEBKIT_EPOCH) // timedelta(microseconds=1)


def prtime(when: datetime) -> int:
    """Microseconds since 1970-01-01 UTC (Mozilla PRTime)."""
    return (when - UNIX_EPOCH) // timedelta(microseconds=1)


def cocoa(when: datetime) -> float:
    """Seconds since 2001-01-01 UTC (Apple)."""
    return (when - COCOA_EPOCH).total_seconds()


@dataclass(frozen=True)
class Visit:
    """One visit to write; ``from_visit`` is the 1-based index of the referring visit."""

    url: str
    title: str
    time: datetime
    transition: int = LINK_CLICK
    from_visit: int = 0
    synced: bool = False
    duration_s: float = 0.0


@dataclass(frozen=True)
class Download:
    """One download to write (Chromium or Firefox)."""

    chain: tuple[str, ...]
    target_path: str
    start: datetime
    end: datetime
    size: int
    state: int = 1
    danger: int = 0
    mime: str = "application/octet-stream"
    referrer: str = ""
    tab_url: str = ""


@dataclass(frozen=True)
class Search:
    """A search term typed into the omnibox; ``visit`` is the 1-based results-page visit."""

    term: str
    visit: int


def _fresh(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def write_chrome_history(
    path: Path,
    visits: Sequence[Visit],
    downloads: Sequence[Download] = (),
    searches: Sequence[Search] = (),
) -> Path:
    """A Chromium History database (schema version 70) holding these visits and downloads."""
    _fresh(path)
    connection = sqlite3.connect(path)
    try:
        fill_chrome_history(connection, visits, downloads, searches)
        connection.commit()
    finally:
        connection.close()
    return path


def fill_chrome_history(
    connection: sqlite3.Connection,
    visits: Sequence[Visit],
    downloads: Sequence[Download] = (),
    searches: Sequence[Search] = (),
    *,
    create: bool = True,
) -> None:
    """Write the schema (when ``create``) and rows into an open connection (no commit)."""
    if create:
        connection.executescript(CHROME_SCHEMA)
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("mmap_status", "-1"), ("version", "70"), ("last_compatible_version", "16")],
        )
    url_ids: dict[str, int] = {}
    first_visit = int(connection.execute("SELECT coalesce(max(id), 0) FROM visits").fetchone()[0])
    for visit in visits:
        row = connection.execute("SELECT id FROM urls WHERE url = ?", (visit.url,)).fetchone()
        if row is None:
            cursor = connection.execute(
                "INSERT INTO urls (url, title, visit_count, typed_count, last_visit_time, hidden) "
                "VALUES (?, ?, 0, 0, 0, 0)",
                (visit.url, visit.title),
            )
            url_ids[visit.url] = int(cursor.lastrowid)
        else:
            url_ids[visit.url] = int(row[0])
        typed = 1 if (visit.transition & 0xFF) == TYPED else 0
        connection.execute(
            "UPDATE urls SET visit_count = visit_count + 1, typed_count = typed_count + ?, "
            "last_visit_time = max(last_visit_time, ?), title = ? WHERE id = ?",
            (typed, webkit(visit.time), visit.title, url_ids[visit.url]),
        )
        cursor = connection.execute(
            "INSERT INTO visits (url, visit_time, from_visit, transition, segment_id, "
            "visit_duration) VALUES (?, ?, ?, ?, 0, ?)",
            (
                url_ids[visit.url],
                webkit(visit.time),
                first_visit + visit.from_visit if visit.from_visit else 0,
                visit.transition,
                int(visit.duration_s * 1_000_000),
            ),
        )
        if visit.synced:
            connection.execute("INSERT INTO visit_source VALUES (?, 0)", (cursor.lastrowid,))
    for index, item in enumerate(downloads, start=1):
        ident = int(connection.execute("SELECT coalesce(max(id), 0) FROM downloads").fetchone()[0])
        ident += 1
        connection.execute(
            "INSERT INTO downloads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, x'', ?, 0, ?, 0, ?, ?, "
            "'', ?, '', 'GET', '', '', '', '', '', ?, ?)",
            (
                ident,
                f"00000000-0000-4000-8000-{index:012d}",
                item.target_path,
                item.target_path,
                webkit(item.start),
                item.size if item.state == 1 else item.size // 2,
                item.size,
                item.state,
                item.danger,
                webkit(item.end),
                webkit(item.end),
                item.referrer,
                item.referrer,
                item.tab_url,
                item.mime,
                item.mime,
            ),
        )
        connection.executemany(
            "INSERT INTO downloads_url_chains VALUES (?, ?, ?)",
            [(ident, position, url) for position, url in enumerate(item.chain)],
        )
    for search in searches:
        visit = visits[search.visit - 1]
        connection.execute(
            "INSERT INTO keyword_search_terms VALUES (2, ?, ?, ?)",
            (url_ids[visit.url], search.term, search.term.lower()),
        )


def write_firefox_places(
    path: Path, visits: Sequence[Visit], downloads: Sequence[Download] = ()
) -> Path:
    """A Firefox places.sqlite (current schema) with visits and annotation downloads.

    ``transition`` of a :class:`Visit` is the Firefox ``visit_type`` here (1 link, 2 typed...).
    """
    _fresh(path)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(FIREFOX_SCHEMA)
        connection.execute("PRAGMA user_version = 77")
        place_ids: dict[str, int] = {}
        for index, visit in enumerate(visits, start=1):
            if visit.url not in place_ids:
                cursor = connection.execute(
                    "INSERT INTO moz_places (url, title, rev_host, visit_count, typed, "
                    "last_visit_date, guid) VALUES (?, ?, '', 0, 0, 0, ?)",
                    (visit.url, visit.title, f"guid{len(place_ids) + 1:08d}"),
                )
                place_ids[visit.url] = int(cursor.lastrowid)
            connection.execute(
                "UPDATE moz_places SET visit_count = visit_count + 1, typed = max(typed, ?), "
                "last_visit_date = max(last_visit_date, ?) WHERE id = ?",
                (int(visit.transition == 2), prtime(visit.time), place_ids[visit.url]),
            )
            connection.execute(
                "INSERT INTO moz_historyvisits (id, from_visit, place_id, visit_date, "
                "visit_type, session) VALUES (?, ?, ?, ?, ?, 0)",
                (
                    index,
                    visit.from_visit,
                    place_ids[visit.url],
                    prtime(visit.time),
                    visit.transition,
                ),
            )
        connection.executemany(
            "INSERT INTO moz_anno_attributes VALUES (?, ?)",
            [(1, "downloads/destinationFileURI"), (2, "downloads/metaData")],
        )
        for item in downloads:
            url = item.chain[-1]
            if url not in place_ids:
                cursor = connection.execute(
                    "INSERT INTO moz_places (url, title, rev_host, visit_count, hidden, typed, "
                    "last_visit_date, guid) VALUES (?, ?, '', 1, 0, 0, ?, ?)",
                    (url, url.rsplit("/", 1)[-1], prtime(item.start), f"dl{len(place_ids):08d}"),
                )
                place_ids[url] = int(cursor.lastrowid)
            target = "file:///" + item.target_path.replace("\\", "/").replace(" ", "%20")
            meta = (
                f'{{"state":{item.state},"deleted":false,'
                f'"endTime":{prtime(item.end) // 1000},"fileSize":{item.size}}}'
            )
            for attribute, content in ((1, target), (2, meta)):
                connection.execute(
                    "INSERT INTO moz_annos (place_id, anno_attribute_id, content, flags, "
                    "expiration, type, dateAdded, lastModified) VALUES (?, ?, ?, 0, 4, 3, ?, ?)",
                    (place_ids[url], attribute, content, prtime(item.start), prtime(item.end)),
                )
        connection.commit()
    finally:
        connection.close()
    return path


def write_safari_history(path: Path, visits: Sequence[Visit], icloud: Sequence[int] = ()) -> Path:
    """A Safari History.db; ``from_visit`` marks a redirect source; ``icloud`` synced visits."""
    _fresh(path)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(SAFARI_SCHEMA)
        item_ids: dict[str, int] = {}
        for index, visit in enumerate(visits, start=1):
            if visit.url not in item_ids:
                cursor = connection.execute(
                    "INSERT INTO history_items (url, domain_expansion, visit_count, "
                    "daily_visit_counts, should_recompute_derived_visit_counts, "
                    "visit_count_score) VALUES (?, NULL, 0, x'', 0, 100)",
                    (visit.url,),
                )
                item_ids[visit.url] = int(cursor.lastrowid)
            connection.execute(
                "UPDATE history_items SET visit_count = visit_count + 1 WHERE id = ?",
                (item_ids[visit.url],),
            )
            connection.execute(
                "INSERT INTO history_visits (id, history_item, visit_time, title, "
                "redirect_source, origin) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    index,
                    item_ids[visit.url],
                    cocoa(visit.time),
                    visit.title or None,
                    visit.from_visit or None,
                    1 if index in icloud else 0,
                ),
            )
        connection.commit()
    finally:
        connection.close()
    return path


def write_epiphany_history(path: Path, visits: Sequence[Visit]) -> Path:
    """An Epiphany ephy-history.db; ``transition`` is the Epiphany visit type."""
    _fresh(path)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(EPIPHANY_SCHEMA)
        url_ids: dict[str, int] = {}
        for index, visit in enumerate(visits, start=1):
            host = visit.url.split("/")[2]
            connection.execute(
                "INSERT OR IGNORE INTO hosts (id, url, title) VALUES "
                "((SELECT id FROM hosts WHERE title = ?), ?, ?)",
                (host, f"http://{host}/", host),
            )
            host_id = connection.execute("SELECT id FROM hosts WHERE title = ?", (host,)).fetchone()
            if visit.url not in url_ids:
                cursor = connection.execute(
                    "INSERT INTO urls (host, url, title, visit_count, last_visit_time) "
                    "VALUES (?, ?, ?, 0, 0)",
                    (host_id[0], visit.url, visit.title),
                )
                url_ids[visit.url] = int(cursor.lastrowid)
            connection.execute(
                "UPDATE urls SET visit_count = visit_count + 1, last_visit_time = ? WHERE id = ?",
                (prtime(visit.time), url_ids[visit.url]),
            )
            connection.execute(
                "INSERT INTO visits VALUES (?, ?, ?, ?, ?)",
                (
                    index,
                    url_ids[visit.url],
                    prtime(visit.time),
                    visit.transition,
                    visit.from_visit or None,
                ),
            )
        connection.commit()
    finally:
        connection.close()
    return path


def write_safari_downloads(path: Path, downloads: Sequence[Download]) -> Path:
    """A Safari Downloads.plist (binary plist) with these downloads."""
    entries = [
        {
            "DownloadEntryURL": item.chain[-1],
            "DownloadEntryPath": item.target_path,
            "DownloadEntryProgressBytesSoFar": item.size,
            "DownloadEntryProgressTotalToLoad": item.size,
            "DownloadEntryDateAddedKey": item.start.replace(tzinfo=None),
            "DownloadEntryDateFinishedKey": item.end.replace(tzinfo=None),
            "DownloadEntryIdentifier": f"00000000-0000-4000-8000-{index:012d}",
        }
        for index, item in enumerate(downloads, start=1)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps({"DownloadHistory": entries}, fmt=plistlib.FMT_BINARY))
    return path


# -- the demo story -------------------------------------------------------------------------------
LAPTOP_USER = "agent1"
LAPTOP_CHROME = "Users/agent1/AppData/Local/Google/Chrome/User Data/Default/History"
PHONE_CHROME = "data/data/com.android.chrome/app_chrome/Default/History"

LAPTOP_VISITS = (
    Visit(
        "https://www.google.com/",
        "Google",
        utc("2024-03-01T08:41:03"),
        TYPED_IN_OMNIBOX,
        duration_s=4,
    ),
    Visit(
        "https://www.bbc.com/news",
        "Home - BBC News",
        utc("2024-03-01T08:42:17"),
        LINK_CLICK,
        duration_s=95,
    ),
    Visit(
        "https://www.google.com/search?q=anydesk+download",
        "anydesk download - Google Search",
        utc("2024-03-01T09:54:31"),
        TYPED_IN_OMNIBOX,
        duration_s=20,
    ),
    Visit(
        "https://anydesk.com/en/downloads/windows",
        "Download AnyDesk for Windows",
        utc("2024-03-01T09:55:12"),
        TYPED_IN_OMNIBOX,
        duration_s=210,
    ),
    Visit(
        "https://microsoft-support-help.example/case/88412",
        "Microsoft Support - Your PC is infected",
        utc("2024-03-01T10:01:05"),
        TYPED_IN_OMNIBOX,
        duration_s=300,
    ),
    Visit(
        "https://www.youtube.com/",
        "YouTube",
        utc("2024-03-01T12:30:44"),
        TYPED_IN_OMNIBOX,
        duration_s=600,
    ),
)
LAPTOP_DOWNLOADS = (
    Download(
        chain=("https://download.anydesk.com/AnyDesk.exe",),
        target_path="C:\\Users\\agent1\\Downloads\\AnyDesk.exe",
        start=utc("2024-03-01T09:58:40"),
        end=utc("2024-03-01T09:58:46"),
        size=5_110_504,
        mime="application/x-msdownload",
        referrer="https://anydesk.com/en/downloads/windows",
        tab_url="https://anydesk.com/en/downloads/windows",
    ),
)
LAPTOP_SEARCHES = (Search("anydesk download", 3),)
PHONE_VISITS = (
    Visit("https://www.google.com/", "Google", utc("2024-03-01T11:38:02"), TYPED_IN_OMNIBOX),
    Visit(
        "https://www.giftcards.example/balance",
        "Check your gift card balance",
        utc("2024-03-01T11:40:00"),
        TYPED_IN_OMNIBOX,
    ),
)


def populate_windows_laptop(root: Path) -> Path:
    """agent1's Chrome History on the scam laptop: the AnyDesk page, download, fake support."""
    return write_chrome_history(
        root / LAPTOP_CHROME, LAPTOP_VISITS, LAPTOP_DOWNLOADS, LAPTOP_SEARCHES
    )


def populate_android_phone(root: Path) -> Path:
    """Chrome History of phone-03: the gift-card balance page."""
    return write_chrome_history(root / PHONE_CHROME, PHONE_VISITS)


# -- committed fixtures ---------------------------------------------------------------------------
FIXTURE_VISITS = (
    Visit("http://example.com/", "Example Domain", utc("2023-05-04T10:00:00"), TYPED_IN_OMNIBOX),
    Visit(
        "https://example.org/start",
        "Start",
        utc("2023-05-04T10:01:00"),
        LINK | CHAIN_START | SERVER_REDIRECT,
        from_visit=1,
    ),
    Visit(
        "https://example.org/landing",
        "Landing",
        utc("2023-05-04T10:01:00.250000"),
        LINK | CHAIN_END | SERVER_REDIRECT,
        from_visit=2,
        duration_s=12.5,
    ),
    Visit(
        "https://example.net/synced",
        "Seen on another device",
        utc("2023-05-04T11:00:00"),
        LINK_CLICK,
        synced=True,
    ),
    Visit(
        "https://search.example/?q=fixture+term",
        "fixture term - Search",
        utc("2023-05-04T11:05:00"),
        TYPED_IN_OMNIBOX,
    ),
)
FIXTURE_DOWNLOADS = (
    Download(
        chain=("http://example.com/get/tool.exe", "https://cdn.example.com/tool.exe"),
        target_path="C:\\Users\\tester\\Downloads\\tool.exe",
        start=utc("2023-05-04T10:02:00"),
        end=utc("2023-05-04T10:02:07.500000"),
        size=123456,
        danger=5,
        mime="application/x-msdownload",
        referrer="http://example.com/",
        tab_url="http://example.com/",
    ),
    Download(
        chain=("https://example.org/report.pdf",),
        target_path="C:\\Users\\tester\\Downloads\\report.pdf",
        start=utc("2023-05-04T10:05:00"),
        end=utc("2023-05-04T10:05:30"),
        size=2048,
        state=2,
        mime="application/pdf",
    ),
)
FIREFOX_VISITS = (
    Visit("http://example.com/", "Example Domain", utc("2023-05-04T10:00:00"), 2),
    Visit("https://example.org/page", "A page", utc("2023-05-04T10:00:30"), 1, from_visit=1),
    Visit("https://example.org/moved", "", utc("2023-05-04T10:00:31"), 5, from_visit=2),
)
FIREFOX_DOWNLOADS = (
    Download(
        chain=("https://example.org/files/setup%20tool.msi",),
        target_path="C:\\Users\\tester\\Downloads\\setup tool.msi",
        start=utc("2023-05-04T10:03:00"),
        end=utc("2023-05-04T10:03:09"),
        size=777,
    ),
)
SAFARI_DOWNLOADS = (
    Download(
        chain=("https://example.org/files/tool.dmg",),
        target_path="/Users/tester/Downloads/tool.dmg",
        start=utc("2023-05-04T10:04:00"),
        end=utc("2023-05-04T10:04:05"),
        size=4096,
    ),
)
SAFARI_VISITS = (
    Visit("http://example.com/", "", utc("2023-05-04T10:00:00")),
    Visit("https://example.com/", "Example Domain", utc("2023-05-04T10:00:00.5"), from_visit=1),
    Visit("https://icloud.example/tab", "From my iPad", utc("2023-05-04T12:00:00")),
)
EPIPHANY_VISITS = (
    Visit("https://example.com/", "Example Domain", utc("2023-05-04T10:00:00"), 2),
    Visit("https://example.com/more", "More", utc("2023-05-04T10:00:10"), 1, from_visit=1),
)


def build_fixtures(folder: Path = HERE) -> list[Path]:
    """Write the committed fixtures; returns their paths."""
    return [
        write_chrome_history(
            folder / "chrome_History",
            FIXTURE_VISITS,
            FIXTURE_DOWNLOADS,
            (Search("fixture term", 5),),
        ),
        write_firefox_places(folder / "firefox_places.sqlite", FIREFOX_VISITS, FIREFOX_DOWNLOADS),
        write_safari_history(folder / "safari_History.db", SAFARI_VISITS, icloud=(3,)),
        write_safari_downloads(folder / "safari_Downloads.plist", SAFARI_DOWNLOADS),
        write_epiphany_history(folder / "epiphany_ephy-history.db", EPIPHANY_VISITS),
    ]


if __name__ == "__main__":
    for written in build_fixtures():
        print(written.relative_to(HERE.parent.parent.parent))  # noqa: T201 - a build script
