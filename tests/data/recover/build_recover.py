"""Build databases with known deleted rows, one folder per journaling mode, for recovery tests.

Run ``python tests/data/recover/build_recover.py OUT`` to write them to OUT; the tests import
:func:`build_all` and build them in a temporary folder (a few hundred KiB, under a second). The
schemas are the ones the extractors read, taken from the calls and browser fixture builders:
Android calllog.db, iOS CallHistory.storedata, Chrome History, Firefox places.sqlite.

Modes (what a deleted row leaves behind, and where recovery must find it):

- ``wal_main``: WAL, ``secure_delete`` on, rows deleted after a checkpoint and the WAL not yet
  checkpointed again (a phone seized running): the wipe is in the WAL, the rows in the main
  file's old page.
- ``wal_frames``: WAL, ``secure_delete`` on, several checkpoints: the doomed rows were written in
  the first WAL generation, deleted and checkpointed in the second (the main file is wiped), and
  a third generation overwrote the WAL's first frames: only older frames keep them.
- ``journal``: ``journal_mode=PERSIST``, ``secure_delete`` on: the journal left beside the
  database keeps the original pages of the last transaction (the deletion).
- ``journal_hot``: a rollback journal left behind mid-transaction (the deletion spilled to the
  main file, never committed): SQLite rolls it back when the copy is opened, so the rows are
  live, and recovery must not report them a second time.
- ``freeblocks``: ``secure_delete`` off, single rows deleted: freeblocks inside table pages (the
  first 4 bytes of each cell overwritten) and the unallocated gap.
- ``freelist``: ``secure_delete`` off, a run of rows deleted that empties whole pages: they go
  to the freelist with their old content.
- ``vacuumed``: rows deleted, then VACUUM: nothing can be recovered.

Every number is fictional (US 555-01xx, UK 020 7946 0xxx); every URL is under example.
"""

from __future__ import annotations

import importlib.util
import json
import plistlib
import shutil
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
MODES = ("wal_main", "wal_frames", "journal", "journal_hot", "freeblocks", "freelist", "vacuumed")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


calls = _load("build_calls", DATA / "calls" / "build_calls.py")
browser = _load("build_browser", DATA / "browser" / "build_browser.py")

BASE = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
PRTIME_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


@dataclass
class Recipe:
    """One database kind: where it lives, its schema, and its live and doomed rows."""

    name: str
    path: str  # where the extractor finds it, relative to the evidence root
    schema: Callable[[sqlite3.Connection], None]
    rows: Callable[[int], list[tuple[str, dict]]]  # index -> (table, row) inserts
    delete: Callable[[list[int]], list[tuple[str, tuple]]]  # doomed indexes -> statements
    filler: Callable[[int], tuple[str, dict]] | None = None
    doomed: tuple[int, ...] = (3, 6, 8)
    count: int = 10
    freelist_doomed: tuple[int, ...] = field(default_factory=lambda: tuple(range(20, 80)))
    freelist_count: int = 100


# -- the rows --------------------------------------------------------------------------------
def call_number(index: int) -> str:
    """The number of call ``index``: US 555-01xx, every fourth one a UK drama number."""
    if index % 4 == 0:
        return f"+44 20 7946 0{index % 1000:03d}"
    return f"+1 202-555-{100 + index % 100:04d}"


def call_time(index: int) -> datetime:
    """When call ``index`` started: one every 17 minutes from 2024-03-01 09:00 UTC."""
    return BASE + timedelta(minutes=17 * index)


def page_url(index: int) -> str:
    """The URL of page ``index``."""
    return f"https://site{index}.example/path/{index}?q=deleted-{index}"


def visit_time(index: int) -> datetime:
    """When page ``index`` was visited."""
    return BASE + timedelta(minutes=11 * index, seconds=index)


def _micro(when: datetime, epoch: datetime) -> int:
    delta = when - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _android_schema(connection: sqlite3.Connection) -> None:
    connection.execute(calls.AOSP_CALLS)
    for statement in calls.AOSP_API31 + calls.AOSP_OTHER:
        connection.execute(statement)
    connection.execute("INSERT INTO android_metadata VALUES ('en_US')")


def _android_rows(index: int) -> list[tuple[str, dict]]:
    return [
        (
            "calls",
            {
                "_id": index,
                "number": call_number(index),
                "date": int(call_time(index).timestamp() * 1000),
                "duration": 30 + index,
                "type": 1 + index % 3,
                "countryiso": "US",
                "new": 0,
                "is_read": 1,
                "name": f"Contact {index}" if index % 2 else None,
            },
        )
    ]


def _android_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM calls WHERE _id IN ({marks})", tuple(doomed))]


def _android_filler(index: int) -> tuple[str, dict]:
    return ("voicemail_status", {"source_package": f"com.example.vm{index}" * 4})


def _ios_schema(connection: sqlite3.Connection) -> None:
    for statement in calls.IOS11_STOREDATA:
        connection.execute(statement)


def _ios_rows(index: int) -> list[tuple[str, dict]]:
    return [
        (
            "ZCALLRECORD",
            {
                "Z_PK": index,
                "Z_ENT": 2,
                "Z_OPT": 1,
                "ZADDRESS": call_number(index).replace(" ", "").replace("-", "").encode(),
                "ZDATE": (call_time(index) - COCOA_EPOCH).total_seconds() + 0.5,
                "ZDURATION": 30.0 + index,
                "ZORIGINATED": index % 2,
                "ZANSWERED": 1,
                "ZCALLTYPE": 1,
                "ZSERVICE_PROVIDER": "com.apple.Telephony",
                "ZISO_COUNTRY_CODE": "us",
                "ZUNIQUE_ID": f"CALL-{index:04d}",
            },
        )
    ]


def _ios_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM ZCALLRECORD WHERE Z_PK IN ({marks})", tuple(doomed))]


def _ios_filler(index: int) -> tuple[str, dict]:
    return ("Z_MODELCACHE", {"Z_CONTENT": bytes([index % 256]) * 200})


WHATSAPP_SCHEMA = (  # iOS 15 CallHistory.sqlite (tests/extractors/calls/test_whatsapp.py)
    "CREATE TABLE ZWAAGGREGATECALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZINCOMING INTEGER, ZMISSED INTEGER, ZMISSEDREASON INTEGER, ZVIDEO INTEGER, "
    "ZFIRSTDATE TIMESTAMP, ZLINKTOKEN VARCHAR )",
    "CREATE TABLE ZWACDCALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZBYTESRECEIVED INTEGER, ZBYTESSENT INTEGER, ZOUTCOME INTEGER, Z1CALLEVENTS INTEGER, "
    "Z_FOK_1CALLEVENTS INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZGROUPJIDSTRING VARCHAR, "
    "ZGROUPCALLCREATORUSERJIDSTRING VARCHAR )",
    "CREATE TABLE ZWACDCALLEVENTPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, "
    "Z_OPT INTEGER, ZOUTCOME INTEGER, Z1PARTICIPANTS INTEGER, Z_FOK_1PARTICIPANTS INTEGER, "
    "ZJIDSTRING VARCHAR )",
    "CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB)",
)
WHATSAPP_OWN = "12025550999@s.whatsapp.net"


def whatsapp_jid(index: int) -> str:
    """The other party of WhatsApp call ``index``."""
    return f"1202555{100 + index:04d}@s.whatsapp.net"


def _whatsapp_schema(connection: sqlite3.Connection) -> None:
    for statement in WHATSAPP_SCHEMA:
        connection.execute(statement)


def _whatsapp_rows(index: int) -> list[tuple[str, dict]]:
    """Call ``index``: odd ones incoming (the party created them), even ones outgoing."""
    jid = whatsapp_jid(index)
    return [
        (
            "ZWAAGGREGATECALLEVENT",
            {"Z_PK": index, "Z_ENT": 1, "Z_OPT": 1, "ZINCOMING": index % 2, "ZVIDEO": 0},
        ),
        (
            "ZWACDCALLEVENT",
            {
                "Z_PK": index,
                "Z_ENT": 2,
                "Z_OPT": 1,
                "ZBYTESRECEIVED": 1000 + index,
                "ZBYTESSENT": 2000 + index,
                "ZOUTCOME": 0,
                "Z1CALLEVENTS": index,
                "Z_FOK_1CALLEVENTS": index,
                "ZDATE": (call_time(index) - COCOA_EPOCH).total_seconds() + 0.25,
                "ZDURATION": 30.5 + index,
                "ZGROUPCALLCREATORUSERJIDSTRING": jid if index % 2 else WHATSAPP_OWN,
            },
        ),
        (
            "ZWACDCALLEVENTPARTICIPANT",
            {
                "Z_PK": index,
                "Z_ENT": 3,
                "Z_OPT": 1,
                "ZOUTCOME": 0,
                "Z1PARTICIPANTS": index,
                "Z_FOK_1PARTICIPANTS": index,
                "ZJIDSTRING": jid,
            },
        ),
    ]


def _whatsapp_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [
        (f'DELETE FROM "{table}" WHERE Z_PK IN ({marks})', tuple(doomed))
        for table in ("ZWACDCALLEVENTPARTICIPANT", "ZWACDCALLEVENT", "ZWAAGGREGATECALLEVENT")
    ]


SKYPE_SCHEMA = (  # plaso's skype_main.db (Skype 7), the columns the extractor reads
    "CREATE TABLE Calls (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, "
    "begin_timestamp INTEGER, topic TEXT, is_unseen_missed INTEGER, host_identity TEXT, "
    "duration INTEGER, is_incoming INTEGER, is_conference INTEGER, start_timestamp INTEGER, "
    "partner_handle TEXT, partner_dispname TEXT, type INTEGER, status INTEGER, "
    "failurereason INTEGER, pstn_number TEXT, conv_dbid INTEGER)",
    "CREATE TABLE CallMembers (id INTEGER NOT NULL PRIMARY KEY, is_permanent INTEGER, "
    "identity TEXT, dispname TEXT, call_duration INTEGER, type INTEGER, status INTEGER, "
    "failurereason INTEGER, videostatus INTEGER, guid TEXT, real_identity TEXT, "
    "start_timestamp INTEGER, is_conference INTEGER, country TEXT, call_db_id INTEGER)",
    "CREATE TABLE Accounts (id INTEGER NOT NULL PRIMARY KEY, skypename TEXT)",
    "CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB)",
)


def skype_party(index: int) -> str:
    """Who call ``index`` was with: SkypeOut to a number every third call, else a Skype name."""
    return (
        call_number(index).replace(" ", "").replace("-", "")
        if index % 3 == 0
        else f"friend.{index:03d}"
    )


def _skype_schema(connection: sqlite3.Connection) -> None:
    for statement in SKYPE_SCHEMA:
        connection.execute(statement)
    connection.execute("INSERT INTO Accounts VALUES (1, 'suspect.skype')")


def _skype_rows(index: int) -> list[tuple[str, dict]]:
    """Call ``index``: odd ones incoming; every one answered 5 s after it rang."""
    begin = int(call_time(index).timestamp())
    party = skype_party(index)
    return [
        (
            "Calls",
            {
                "id": index,
                "is_permanent": 1,
                "begin_timestamp": begin,
                "host_identity": "suspect.skype",
                "duration": 30 + index,
                "is_incoming": index % 2,
                "is_conference": 0,
                "start_timestamp": begin + 5,
                "partner_handle": party,
                "partner_dispname": f"Friend {index}",
                "type": 1,
                "status": 6,
                "conv_dbid": index,
            },
        ),
        (
            "CallMembers",
            {
                "id": index,
                "is_permanent": 1,
                "identity": party,
                "dispname": f"Friend {index}",
                "call_duration": 30 + index,
                "type": 1,
                "status": 6,
                "videostatus": 1,
                "guid": f"guid-{index:04d}",
                "start_timestamp": begin + 5,
                "is_conference": 0,
                "call_db_id": index,
            },
        ),
    ]


def _skype_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [
        (f"DELETE FROM CallMembers WHERE call_db_id IN ({marks})", tuple(doomed)),
        (f"DELETE FROM Calls WHERE id IN ({marks})", tuple(doomed)),
    ]


TEAMS_SCHEMA = (  # iOS SkypeSpacesDogfood: the columns the extractor reads
    "CREATE TABLE ZSMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZTSID INTEGER, ZTS_ISSENTBYME INTEGER, ZCOMPOSETIME TIMESTAMP, ZCONTENT VARCHAR )",
    "CREATE TABLE ZMESSAGEPROPERTIES ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZTSID INTEGER, ZTHREADID VARCHAR, ZPROPERTIES BLOB )",
    "CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB)",
)
TEAMS_OWN = "8:live:.cid.0000000000000abc"


def teams_party(index: int) -> str:
    """The other party of Teams call ``index``: a phone line (``4:``) every third call."""
    if index % 3 == 0:
        return "4:" + call_number(index).replace(" ", "").replace("-", "")
    return f"8:live:.cid.{index:016x}"


def teams_number(index: int) -> str:
    """The number the record shows (a phone line without its ``4:``)."""
    party = teams_party(index)
    return party[2:] if party.startswith("4:") else party


def _teams_properties(index: int) -> bytes:
    """An NSKeyedArchiver dictionary {"call-log": <JSON>}, as Teams versions store it."""
    outgoing = index % 2 == 0
    start = call_time(index)
    entry = {
        "callDirection": "outgoing" if outgoing else "incoming",
        "callState": "accepted",
        "callType": "twoParty",
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "connectTime": (start + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "endTime": (start + timedelta(seconds=34 + index)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "originator": TEAMS_OWN if outgoing else teams_party(index),
        "target": teams_party(index) if outgoing else TEAMS_OWN,
        "callId": f"call-{index:04d}",
    }
    objects = [
        "$null",
        {"NS.keys": [plistlib.UID(2)], "NS.objects": [plistlib.UID(3)]},
        "call-log",
        json.dumps(entry),
    ]
    archive = {
        "$top": {"root": plistlib.UID(1)},
        "$objects": objects,
        "$archiver": "NSKeyedArchiver",
    }
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def _teams_schema(connection: sqlite3.Connection) -> None:
    for statement in TEAMS_SCHEMA:
        connection.execute(statement)


def _teams_rows(index: int) -> list[tuple[str, dict]]:
    tsid = 1_709_280_000_000 + index
    return [
        (
            "ZSMESSAGE",
            {
                "Z_PK": index,
                "Z_ENT": 1,
                "Z_OPT": 1,
                "ZTSID": tsid,
                "ZTS_ISSENTBYME": 1 - index % 2,
                "ZCOMPOSETIME": (call_time(index) - COCOA_EPOCH).total_seconds(),
                "ZCONTENT": "<partlist/>",
            },
        ),
        (
            "ZMESSAGEPROPERTIES",
            {
                "Z_PK": index,
                "Z_ENT": 2,
                "Z_OPT": 1,
                "ZTSID": tsid,
                "ZTHREADID": "19:thread@unq.gbl.spaces",
                "ZPROPERTIES": _teams_properties(index),
            },
        ),
    ]


def _teams_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [
        (f"DELETE FROM ZMESSAGEPROPERTIES WHERE Z_PK IN ({marks})", tuple(doomed)),
        (f"DELETE FROM ZSMESSAGE WHERE Z_PK IN ({marks})", tuple(doomed)),
    ]


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


RECIPES = {
    "android": Recipe(
        "android",
        "data/data/com.android.providers.contacts/databases/calllog.db",
        _android_schema,
        _android_rows,
        _android_delete,
        _android_filler,
    ),
    "ios": Recipe(
        "ios",
        "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata",
        _ios_schema,
        _ios_rows,
        _ios_delete,
        _ios_filler,
    ),
    "chrome": Recipe(
        "chrome",
        "Users/suspect/AppData/Local/Google/Chrome/User Data/Default/History",
        _chrome_schema,
        _chrome_rows,
        _chrome_delete,
        _chrome_filler,
    ),
    "whatsapp": Recipe(
        "whatsapp",
        "private/var/mobile/Containers/Shared/AppGroup/0A1B2C3D/CallHistory.sqlite",
        _whatsapp_schema,
        _whatsapp_rows,
        _whatsapp_delete,
        _ios_filler,
    ),
    "skype": Recipe(
        "skype",
        "Users/suspect/AppData/Roaming/Skype/suspect.skype/main.db",
        _skype_schema,
        _skype_rows,
        _skype_delete,
        _ios_filler,
    ),
    "teams": Recipe(
        "teams",
        "private/var/mobile/Containers/Shared/AppGroup/0E1F/SkypeSpacesDogfood/1A2B/"
        "SkypeSpacesDogfood-0000.sqlite",
        _teams_schema,
        _teams_rows,
        _teams_delete,
        _ios_filler,
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


# -- the modes -------------------------------------------------------------------------------
def _insert(connection: sqlite3.Connection, inserts: list[tuple[str, dict]]) -> None:
    for table, row in inserts:
        columns = ", ".join(f'"{column}"' for column in row)
        marks = ", ".join("?" for _ in row)
        connection.execute(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(row.values())
        )


def _fill(connection: sqlite3.Connection, recipe: Recipe, indexes: list[int]) -> None:
    for index in indexes:
        _insert(connection, recipe.rows(index))


def _delete(connection: sqlite3.Connection, recipe: Recipe, doomed: list[int]) -> None:
    for sql, parameters in recipe.delete(doomed):
        connection.execute(sql, parameters)


def _open(path: Path, recipe: Recipe, journal: str, secure: bool) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA page_size = 1024")
    connection.execute(f"PRAGMA journal_mode = {journal}")
    connection.execute(f"PRAGMA secure_delete = {'ON' if secure else 'OFF'}")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    recipe.schema(connection)
    return connection


def _txn(connection: sqlite3.Connection, work: Callable[[], object]) -> None:
    connection.execute("BEGIN")
    work()
    connection.execute("COMMIT")


def _snapshot(path: Path, target: Path) -> None:
    """Copy a database and its siblings while the writer still holds them (a seized phone)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")


def build(recipe: Recipe, mode: str, root: Path) -> tuple[Path, list[int]]:
    """Write one database of ``recipe`` in ``mode`` under ``root`` (an evidence folder).

    Returns the database path and the indexes of the deleted rows that must be recovered.
    """
    target = root / recipe.path
    work = root.parent / f".work-{root.name}-{recipe.name}-{mode}" / "db"
    live = [index for index in range(1, recipe.count + 1) if index not in recipe.doomed]
    doomed = list(recipe.doomed)
    if mode == "wal_main":
        connection = _open(work, recipe, "WAL", secure=True)
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _txn(connection, lambda: _delete(connection, recipe, doomed))
    elif mode == "wal_frames":
        connection = _open(work, recipe, "WAL", secure=True)
        fillers = [recipe.filler(index) for index in range(40)] if recipe.filler else []
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _insert(connection, fillers))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _txn(connection, lambda: _delete(connection, recipe, doomed))
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        late = recipe.count + 1
        live.append(late)
        _txn(connection, lambda: _fill(connection, recipe, [late]))
    elif mode == "journal":
        connection = _open(work, recipe, "PERSIST", secure=True)
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        _txn(connection, lambda: _delete(connection, recipe, doomed))
    elif mode == "journal_hot":
        # the deletion never committed: SQLite spilled its pages (wiped, secure_delete on) to
        # the main file and the journal holds the originals when the copy is taken
        connection = _open(work, recipe, "DELETE", secure=True)
        connection.execute("PRAGMA cache_size = 10")
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        connection.execute("BEGIN")
        _delete(connection, recipe, doomed)
        if recipe.filler:
            _insert(connection, [recipe.filler(index) for index in range(400)])
        _snapshot(work, target)
        connection.execute("ROLLBACK")
        connection.close()
        shutil.rmtree(work.parent, ignore_errors=True)
        return target, []
    elif mode in ("freeblocks", "vacuumed"):
        connection = _open(work, recipe, "DELETE", secure=False)
        everything = sorted(live + doomed)
        _txn(connection, lambda: _fill(connection, recipe, everything))
        _txn(connection, lambda: _delete(connection, recipe, doomed))
        if mode == "vacuumed":
            connection.execute("VACUUM")
            doomed = []
    elif mode == "freelist":
        connection = _open(work, recipe, "DELETE", secure=False)
        everything = list(range(1, recipe.freelist_count + 1))
        doomed = list(recipe.freelist_doomed)
        live = [index for index in everything if index not in doomed]
        _txn(connection, lambda: _fill(connection, recipe, everything))
        _txn(connection, lambda: _delete(connection, recipe, doomed))
    else:
        raise ValueError(mode)
    _snapshot(work, target)
    connection.close()
    shutil.rmtree(work.parent, ignore_errors=True)
    return target, doomed


# -- the demo phone (phone-03): what its user deleted before the seizure ----------------------
DEMO_DELETED_CALLS = (  # (number as the dialer stored it, UTC time, seconds, type 2 = outgoing)
    ("+1 540-456-1685", "2024-03-01T10:12:00", 310, 2),  # victim A, called back from the phone
    ("+1 212-555-0183", "2024-03-01T10:41:00", 65, 2),
    ("+1 415-555-0122", "2024-03-01T10:58:00", 0, 2),
    ("+44 20 7946 0123", "2024-03-01T11:21:00", 42, 1),
    ("+1 646-555-0199", "2024-03-01T11:48:00", 128, 2),
)
DEMO_DELETED_VISITS = (  # (URL, title, UTC time)
    (
        "https://remotedesktop.example/download/anydesk-android.apk",
        "AnyDesk for Android - download",
        "2024-03-01T10:05:12",
    ),
    (
        "https://www.google.com/search?q=how+to+delete+call+history+android",
        "how to delete call history android - Google Search",
        "2024-03-01T11:55:40",
    ),
    (
        "https://support.example/how-to-clear-call-log",
        "How to clear your call log",
        "2024-03-01T11:56:31",
    ),
)


def _keep_wal(path: Path, work: Callable[[sqlite3.Connection], None]) -> None:
    """Run ``work`` in WAL mode and leave the database as a running phone's: -wal not merged."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("PRAGMA secure_delete = ON")
    work(connection)
    snapshot = path.parent / f".{path.name}.snapshot"
    _snapshot(path, snapshot)
    connection.close()
    for suffix in ("", "-wal"):
        Path(f"{snapshot}{suffix}").replace(f"{path}{suffix}")


def populate_android_phone(root: Path) -> None:
    """Plant the deletions in phone-03's call log (WAL, seized running: the calls are in the main
    file's old page) and Chrome history (``secure_delete`` off: visits and URLs in freeblocks)."""
    calllog = root / "data/data/com.android.providers.contacts/databases/calllog.db"

    def calls_work(connection: sqlite3.Connection) -> None:
        rows = [
            {
                "number": number,
                "date": int(datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()) * 1000,
                "duration": duration,
                "type": kind,
                "countryiso": "IN",
                "phone_account_address": calls.STORY_SIM_NUMBER,
            }
            for number, when, duration, kind in DEMO_DELETED_CALLS
        ]
        (first,) = connection.execute("SELECT coalesce(max(_id), 0) + 1 FROM calls").fetchone()
        _txn(connection, lambda: _insert(connection, [("calls", row) for row in rows]))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _txn(connection, lambda: connection.execute("DELETE FROM calls WHERE _id >= ?", (first,)))

    _keep_wal(calllog, calls_work)
    history = root / browser.PHONE_CHROME
    visits = [
        browser.Visit(url, title, browser.utc(when), browser.TYPED_IN_OMNIBOX)
        for url, title, when in DEMO_DELETED_VISITS
    ]
    connection = sqlite3.connect(history, isolation_level=None)
    connection.execute("PRAGMA secure_delete = OFF")
    _txn(connection, lambda: browser.fill_chrome_history(connection, visits, create=False))
    urls = [url for url, _title, _when in DEMO_DELETED_VISITS]
    marks = ", ".join("?" for _ in urls)
    ids = f"SELECT id FROM urls WHERE url IN ({marks})"
    _txn(
        connection,
        lambda: (
            connection.execute(f"DELETE FROM visits WHERE url IN ({ids})", urls),
            connection.execute(f"DELETE FROM urls WHERE url IN ({marks})", urls),
        ),
    )
    connection.close()


def build_all(out: Path) -> dict[tuple[str, str], tuple[Path, list[int]]]:
    """Every recipe in every mode, each in its own evidence folder ``out/<recipe>-<mode>``."""
    built = {}
    for name, recipe in RECIPES.items():
        for mode in MODES:
            built[(name, mode)] = build(recipe, mode, out / f"{name}-{mode}")
    return built


if __name__ == "__main__":
    destination = Path(sys.argv[1] if len(sys.argv) > 1 else "recover-fixtures")
    for (name, mode), (path, doomed) in build_all(destination).items():
        print(f"{name:8} {mode:11} {len(doomed):3} deleted  {path}")
