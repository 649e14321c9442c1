"""Browser recipes of the recovery fixtures: Chrome visits, downloads and searches, Firefox
visits and downloads."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timedelta

common = sys.modules["build_recover_common"]  # loaded first by build_recover.py
browser = common.browser
Recipe, BASE = common.Recipe, common.BASE
WEBKIT_EPOCH, PRTIME_EPOCH, _micro = common.WEBKIT_EPOCH, common.PRTIME_EPOCH, common._micro
page_url, visit_time = common.page_url, common.visit_time


def _chrome_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(browser.CHROME_SCHEMA)
    connection.execute("INSERT INTO meta VALUES ('version', '70')")


def _chrome_rows(index: int) -> list[tuple[str, dict]]:
    webkit = _micro(visit_time(index), WEBKIT_EPOCH)
    search = (
        "keyword_search_terms",
        {"keyword_id": 2, "url_id": index, "term": "kept", "normalized_term": "kept"},
    )
    return [
        *([search] if index == 1 else []),  # a live search: records of another kind
        (
            "urls",
            {
                "id": index,
                "url": page_url(index),
                "title": f"Page {index}",
                "visit_count": 1,
                "typed_count": index % 2,
                "last_visit_time": webkit,
                "hidden": 0,
            },
        ),
        (
            "visits",
            {
                "id": index,
                "url": index,
                "visit_time": webkit,
                "from_visit": 0,
                "transition": browser.TYPED_IN_OMNIBOX if index % 2 else browser.LINK_CLICK,
                "segment_id": 0,
                "visit_duration": 0,
            },
        ),
    ]


def _chrome_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [
        (f"DELETE FROM visits WHERE id IN ({marks})", tuple(doomed)),
        (f"DELETE FROM urls WHERE id IN ({marks})", tuple(doomed)),
    ]


def _chrome_filler(index: int) -> tuple[str, dict]:
    return ("segments", {"name": f"segment-{index}" * 8, "url_id": 0})


def download_chain(index: int) -> tuple[str, str]:
    """The URL chain of download ``index``: a link, redirected to the file."""
    return (
        f"https://files{index}.example/get/{index}",
        f"https://cdn{index}.example/tool{index}.zip",
    )


def download_path(index: int) -> str:
    """Where download ``index`` was saved."""
    return f"C:\\Users\\suspect\\Downloads\\tool{index}.zip"


def download_time(index: int) -> datetime:
    """When download ``index`` started (it ended 42 s later)."""
    return BASE + timedelta(minutes=13 * index, seconds=7)


def search_term(index: int) -> str:
    """The term of search ``index`` (Chromium stores it and its lower-case form)."""
    return f"How to wipe Phone {index}"


def search_url(index: int) -> str:
    """The results page of search ``index``."""
    return f"https://search.example/results?q=how+to+wipe+phone+{index}"


def search_time(index: int) -> datetime:
    """The last visit of the results page of search ``index``."""
    return BASE + timedelta(minutes=19 * index, seconds=3)


def _chrome_download_rows(index: int) -> list[tuple[str, dict]]:
    start = _micro(download_time(index), WEBKIT_EPOCH)
    first, final = download_chain(index)
    download = {
        "id": index,
        "guid": f"00000000-0000-4000-8000-{index:012d}",
        "current_path": download_path(index),
        "target_path": download_path(index),
        "start_time": start,
        "received_bytes": 1000 * index,
        "total_bytes": 1000 * index,
        "state": 1,
        "danger_type": 0,
        "interrupt_reason": 0,
        "hash": b"",
        "end_time": start + 42_000_000,
        "opened": 0,
        "last_access_time": 0,
        "transient": 0,
        "referrer": "",
        "site_url": "",
        "embedder_download_data": "",
        "tab_url": "",
        "tab_referrer_url": "",
        "http_method": "GET",
        "by_ext_id": "",
        "by_ext_name": "",
        "by_web_app_id": "",
        "etag": "",
        "last_modified": "",
        "mime_type": "application/zip",
        "original_mime_type": "application/zip",
    }
    term = search_term(index)
    return [
        (
            "urls",
            {
                "id": index,
                "url": search_url(index),
                "title": f"{term} - Search",
                "visit_count": 1,
                "typed_count": 0,
                "last_visit_time": _micro(search_time(index), WEBKIT_EPOCH),
                "hidden": 0,
            },
        ),
        (
            "keyword_search_terms",
            {"keyword_id": 2, "url_id": index, "term": term, "normalized_term": term.lower()},
        ),
        ("downloads", download),
        ("downloads_url_chains", {"id": index, "chain_index": 0, "url": first}),
        ("downloads_url_chains", {"id": index, "chain_index": 1, "url": final}),
    ]


def _chrome_download_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    """What "Clear browsing data" does: downloads, their chains, the searches and their pages."""
    marks = ", ".join("?" for _ in doomed)
    return [
        (f"DELETE FROM downloads_url_chains WHERE id IN ({marks})", tuple(doomed)),
        (f"DELETE FROM downloads WHERE id IN ({marks})", tuple(doomed)),
        (f"DELETE FROM keyword_search_terms WHERE url_id IN ({marks})", tuple(doomed)),
        (f"DELETE FROM urls WHERE id IN ({marks})", tuple(doomed)),
    ]


def _firefox_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(browser.FIREFOX_SCHEMA)
    connection.execute("PRAGMA user_version = 77")


def _firefox_rows(index: int) -> list[tuple[str, dict]]:
    return [
        (
            "moz_places",
            {
                "id": index,
                "url": page_url(index),
                "title": f"Page {index}",
                "rev_host": "elpmaxe.",
                "visit_count": 1,
                "typed": index % 2,
                "last_visit_date": _micro(visit_time(index), PRTIME_EPOCH),
                "guid": f"guid{index:08d}",
            },
        ),
        (
            "moz_historyvisits",
            {
                "id": index,
                "from_visit": 0,
                "place_id": index,
                "visit_date": _micro(visit_time(index), PRTIME_EPOCH),
                "visit_type": 2 if index % 2 else 1,
                "session": 0,
            },
        ),
    ]


def _firefox_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [
        (f"DELETE FROM moz_historyvisits WHERE id IN ({marks})", tuple(doomed)),
        (f"DELETE FROM moz_places WHERE id IN ({marks})", tuple(doomed)),
    ]


def _firefox_download_rows(index: int) -> list[tuple[str, dict]]:
    """A download kept in history (its place and visit stay) with its two annotations."""
    start = _micro(download_time(index), PRTIME_EPOCH)
    end = start + 42_000_000
    url = download_chain(index)[-1]
    target = "file:///" + download_path(index).replace("\\", "/")
    meta = f'{{"state":1,"deleted":false,"endTime":{end // 1000},"fileSize":{1000 * index}}}'
    annos = [
        (
            "moz_annos",
            {
                "id": 2 * index - 1 + attribute,
                "place_id": index,
                "anno_attribute_id": attribute,
                "content": content,
                "flags": 0,
                "expiration": 4,
                "type": 3,
                "dateAdded": start,
                "lastModified": end,
            },
        )
        for attribute, content in ((1, target), (2, meta))
    ]
    attributes = [
        ("moz_anno_attributes", {"id": 1, "name": "downloads/destinationFileURI"}),
        ("moz_anno_attributes", {"id": 2, "name": "downloads/metaData"}),
    ]
    return [
        *(attributes if index == 1 else []),
        (
            "moz_places",
            {
                "id": index,
                "url": url,
                "title": f"tool{index}.zip",
                "rev_host": "elpmaxe.",
                "visit_count": 1,
                "typed": 0,
                "last_visit_date": start,
                "guid": f"dl{index:010d}",
            },
        ),
        (
            "moz_historyvisits",
            {
                "id": index,
                "from_visit": 0,
                "place_id": index,
                "visit_date": start,
                "visit_type": 7,
                "session": 0,
            },
        ),
        *annos,
    ]


def _firefox_download_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    """ "Remove from history" of a download in the Library: its annotations go."""
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM moz_annos WHERE place_id IN ({marks})", tuple(doomed))]


def _firefox_filler(index: int) -> tuple[str, dict]:
    return ("moz_anno_attributes", {"name": f"filler/attribute-{index}-" * 3})


BROWSER_RECIPES = {
    "chrome": Recipe(
        "chrome",
        "Users/suspect/AppData/Local/Google/Chrome/User Data/Default/History",
        _chrome_schema,
        _chrome_rows,
        _chrome_delete,
        _chrome_filler,
    ),
    "chromedl": Recipe(
        "chromedl",
        "Users/suspect/AppData/Local/Google/Chrome/User Data/Profile 1/History",
        _chrome_schema,
        _chrome_download_rows,
        _chrome_download_delete,
        _chrome_filler,
    ),
    "firefoxdl": Recipe(
        "firefoxdl",
        "Users/suspect/AppData/Roaming/Mozilla/Firefox/Profiles/cd34ef56.dl/places.sqlite",
        _firefox_schema,
        _firefox_download_rows,
        _firefox_download_delete,
        _firefox_filler,
    ),
    "firefox": Recipe(
        "firefox",
        "Users/suspect/AppData/Roaming/Mozilla/Firefox/Profiles/ab12cd34.default-release/"
        "places.sqlite",
        _firefox_schema,
        _firefox_rows,
        _firefox_delete,
        _firefox_filler,
    ),
}
