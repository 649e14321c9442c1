"""Build the calls family's test fixtures and demo evidence with the apps' real schemas.

Run ``python tests/data/calls/build_calls.py`` to rewrite the committed fixtures beside this
file (deterministic: same bytes for the same SQLite version). Tests import the builders to make
evidence folders in a temporary directory (``populate_*`` for the demo story,
:func:`build_itunes_backup` for an unencrypted iTunes backup). All numbers are fictional: US
``555-01xx`` numbers and the UK Ofcom drama range ``020 7946 0xxx``. Schema sources are named
on each constant and in SOURCE.md.
"""

from __future__ import annotations

import hashlib
import plistlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# -- Android ---------------------------------------------------------------------------------
# AOSP ContactsProvider CallLogDatabaseHelper (DATABASE_VERSION 8, Android 10/11): the calls
# table of onCreate/upgradetoVersion8 with the CallLog.Calls column names spelled out.
AOSP_CALLS = (
    "CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT,number TEXT,"
    "presentation INTEGER NOT NULL DEFAULT 1,post_dial_digits TEXT NOT NULL DEFAULT '',"
    "via_number TEXT NOT NULL DEFAULT '',date INTEGER,duration INTEGER,data_usage INTEGER,"
    "type INTEGER,features INTEGER NOT NULL DEFAULT 0,subscription_component_name TEXT,"
    "subscription_id TEXT,phone_account_address TEXT,"
    "phone_account_hidden INTEGER NOT NULL DEFAULT 0,sub_id INTEGER DEFAULT -1,new INTEGER,"
    "name TEXT,numbertype INTEGER,numberlabel TEXT,countryiso TEXT,voicemail_uri TEXT,"
    "is_read INTEGER,geocoded_location TEXT,lookup_uri TEXT,matched_number TEXT,"
    "normalized_number TEXT,photo_id INTEGER NOT NULL DEFAULT 0,photo_uri TEXT,"
    "formatted_number TEXT,add_for_all_users INTEGER NOT NULL DEFAULT 1,"
    "last_modified INTEGER DEFAULT 0,call_screening_component_name TEXT,"
    "call_screening_app_name TEXT,block_reason INTEGER NOT NULL DEFAULT 0,_data TEXT,"
    "has_content INTEGER,mime_type TEXT,source_data TEXT,source_package TEXT,"
    "transcription TEXT,transcription_state INTEGER NOT NULL DEFAULT 0,state INTEGER,"
    "dirty INTEGER NOT NULL DEFAULT 0,deleted INTEGER NOT NULL DEFAULT 0,"
    "backed_up INTEGER NOT NULL DEFAULT 0,restored INTEGER NOT NULL DEFAULT 0,"
    "archived INTEGER NOT NULL DEFAULT 0,is_omtp_voicemail INTEGER NOT NULL DEFAULT 0)"
)
# Android 12 (API 31) added these CallLog.Calls columns (API diff 30 -> 31); the provider adds
# them with ALTER TABLE in its later upgrade steps.
AOSP_API31 = (
    "ALTER TABLE calls ADD missed_reason INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE calls ADD priority INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE calls ADD subject TEXT",
    "ALTER TABLE calls ADD location TEXT",
    "ALTER TABLE calls ADD composer_photo_uri TEXT",
)
AOSP_OTHER = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE properties (property_key TEXT PRIMARY KEY, property_value TEXT)",
    "CREATE TABLE voicemail_status (_id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "source_package TEXT NOT NULL,phone_account_component_name TEXT,phone_account_id TEXT,"
    "settings_uri TEXT,voicemail_access_uri TEXT,configuration_state INTEGER,"
    "data_channel_state INTEGER,notification_channel_state INTEGER,"
    "quota_occupied INTEGER DEFAULT -1,quota_total INTEGER DEFAULT -1,source_type TEXT)",
)
TELEPHONY = "com.android.phone/com.android.services.telephony.TelephonyConnectionService"
# Samsung logs.db: no CREATE TABLE is published; the columns are those kacos2000's
# logs_db.sql query reads from table logs.
SAMSUNG_LOGS = (
    "CREATE TABLE logs (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, "
    "presentation INTEGER NOT NULL DEFAULT 1, date INTEGER, duration INTEGER, type INTEGER, "
    "name TEXT, numbertype INTEGER, countryiso TEXT, geocoded_location TEXT, logtype INTEGER, "
    "messageid INTEGER, is_read INTEGER, m_subject TEXT, m_content TEXT, new INTEGER, "
    "contactid INTEGER, raw_contact_id INTEGER, lookup_uri TEXT, photo_id INTEGER, "
    "account_name TEXT, account_id TEXT)"
)

# -- iOS -------------------------------------------------------------------------------------
# CallHistory.storedata of iOS 11.2 (iphonebackuptools schemas/calls/calls_11.2.sql).
IOS11_STOREDATA = (
    "CREATE TABLE ZCALLDBPROPERTIES (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZTIMER_ALL FLOAT, ZTIMER_INCOMING FLOAT, ZTIMER_LAST FLOAT, ZTIMER_LIFETIME FLOAT, "
    "ZTIMER_OUTGOING FLOAT)",
    "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZANSWERED INTEGER, ZCALL_CATEGORY INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, "
    "ZFACE_TIME_DATA INTEGER, ZHANDLE_TYPE INTEGER, ZNUMBER_AVAILABILITY INTEGER, "
    "ZORIGINATED INTEGER, ZREAD INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZDEVICE_ID VARCHAR, "
    "ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, "
    "ZUNIQUE_ID VARCHAR UNIQUE, ZADDRESS BLOB)",
    "CREATE INDEX Z_CallRecord_date ON ZCALLRECORD (ZDATE COLLATE BINARY ASC)",
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
    "CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB)",
)
# Group-call participants of later models (iOS 13+/macOS): ZHANDLE and the Core Data join
# table, as two public CallHistory readers' fixtures declare them.
IOS_PARTICIPANTS = (
    "CREATE TABLE ZHANDLE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZTYPE INTEGER, ZNORMALIZEDVALUE VARCHAR, ZVALUE VARCHAR )",
    "CREATE TABLE Z_2REMOTEPARTICIPANTHANDLES ( Z_2REMOTEPARTICIPANTCALLS INTEGER, "
    "Z_4REMOTEPARTICIPANTHANDLES INTEGER, PRIMARY KEY (Z_2REMOTEPARTICIPANTCALLS, "
    "Z_4REMOTEPARTICIPANTHANDLES) )",
)
# call_history.db of iOS <= 7 (iphonebackuptools schemas/calls/calls2_9.3.5.sql, triggers
# left out: they only keep the timer counters).
IOS_LEGACY = (
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key))",
    "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, "
    "duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, "
    "network_code TEXT, read INTEGER, assisted INTEGER, face_time_data BLOB, "
    "originalAddress TEXT, answered INTEGER DEFAULT '1')",
    "CREATE INDEX date_index on call(date)",
)
COCOA_OFFSET = 978307200
CALL_HISTORY_PATH = "Library/CallHistoryDB/CallHistory.storedata"

# -- demo story (notes/story.md) --------------------------------------------------------------
STORY_SIP_USER = "2231"
STORY_SIP_DOMAIN = "sip.voip-cheap.example"
STORY_VICTIM_A = "5404561685"
STORY_VICTIM_B = "+1 212-555-0147"
STORY_SIM_NUMBER = "+919876543210"
STORY_ICCID = "8991000000000000001"


def unix(text: str) -> int:
    """Unix seconds of an ISO time in UTC."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _fresh(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=DELETE")
    return connection


def _insert(connection: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    for row in rows:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def write_calllog(path: Path, rows: list[dict]) -> Path:
    """An Android 12 calllog.db holding ``rows`` (dicts of calls columns)."""
    connection = _fresh(path)
    connection.execute(AOSP_CALLS)
    for statement in AOSP_API31 + AOSP_OTHER:
        connection.execute(statement)
    connection.execute("INSERT INTO android_metadata VALUES ('en_US')")
    connection.execute("INSERT INTO properties VALUES ('migrated', '1')")
    _insert(connection, "calls", rows)
    connection.commit()
    connection.close()
    return path


def _ms(text: str) -> int:
    return unix(text) * 1000


def android_fixture_rows() -> list[dict]:
    """Every AOSP call type, withheld numbers, a hostile name, bad values."""
    base = {"countryiso": "US", "subscription_id": "1", "subscription_component_name": TELEPHONY}
    return [
        {
            **base,
            "number": "5404561685",
            "date": _ms("2024-03-01T09:00:00"),
            "duration": 65,
            "type": 1,
            "name": "Margaret",
            "geocoded_location": "Virginia",
        },
        {
            **base,
            "number": "(540) 456-1685",
            "date": _ms("2024-03-01T09:05:00"),
            "duration": 0,
            "type": 2,
        },
        {
            **base,
            "number": "+1 540-456-1685",
            "date": _ms("2024-03-01T09:10:00"),
            "duration": 0,
            "type": 3,
        },
        {
            **base,
            "number": "3125550188",
            "date": _ms("2024-03-01T09:15:00"),
            "duration": 21,
            "type": 4,
        },
        {
            **base,
            "number": "7185550121",
            "date": _ms("2024-03-01T09:20:00"),
            "duration": 0,
            "type": 5,
        },
        {
            **base,
            "number": "4155550199",
            "date": _ms("2024-03-01T09:25:00"),
            "duration": 0,
            "type": 6,
            "block_reason": 3,
        },
        {
            **base,
            "number": "2025550134",
            "date": _ms("2024-03-01T09:30:00"),
            "duration": 300,
            "type": 7,
            "features": 1,
        },
        {
            **base,
            "number": "",
            "presentation": 2,
            "date": _ms("2024-03-01T09:35:00"),
            "duration": 12,
            "type": 1,
        },
        {
            **base,
            "number": "-2",
            "presentation": 2,
            "date": _ms("2024-03-01T09:40:00"),
            "duration": 0,
            "type": 3,
        },
        {**base, "number": "12", "date": _ms("2024-03-01T09:45:00"), "duration": 3, "type": 2},
        {
            **base,
            "number": "6465550163",
            "date": _ms("2024-03-01T09:50:00"),
            "duration": 7,
            "type": 99,
            "name": "<script>alert(1)</script>\x07\x1b[31m",
            "deleted": 1,
        },
        {**base, "number": "3055550110", "date": "not a date", "duration": -5, "type": 2},
    ]


def write_samsung_logs(path: Path) -> Path:
    """A Samsung logs.db with one call and one SMS row (the SMS must be skipped)."""
    connection = _fresh(path)
    connection.execute(SAMSUNG_LOGS)
    _insert(
        connection,
        "logs",
        [
            {
                "number": "3125550188",
                "date": _ms("2024-03-02T08:00:00"),
                "duration": 44,
                "type": 2,
                "countryiso": "US",
                "logtype": 100,
                "account_name": "SIM 1",
            },
            {
                "number": "3125550188",
                "date": _ms("2024-03-02T08:05:00"),
                "duration": 0,
                "type": 1,
                "countryiso": "US",
                "logtype": 300,
                "m_content": "a text message",
            },
        ],
    )
    connection.commit()
    connection.close()
    return path


def _cocoa(text: str) -> float:
    return float(unix(text) - COCOA_OFFSET)


def write_ios_storedata(path: Path) -> Path:
    """An iOS CallHistory.storedata: phone, FaceTime, CallKit (WhatsApp), group, hostile."""
    connection = _fresh(path)
    for statement in IOS11_STOREDATA + IOS_PARTICIPANTS:
        connection.execute(statement)
    records = [
        {
            "Z_PK": 1,
            "ZADDRESS": b"+15404561685",
            "ZDATE": _cocoa("2024-03-01T10:00:00") + 0.25,
            "ZDURATION": 42.5,
            "ZORIGINATED": 1,
            "ZANSWERED": 1,
            "ZCALLTYPE": 1,
            "ZSERVICE_PROVIDER": "com.apple.Telephony",
            "ZISO_COUNTRY_CODE": "us",
            "ZLOCATION": "Virginia",
            "ZNAME": "Margaret",
            "ZUNIQUE_ID": "CALL-1",
        },
        {
            "Z_PK": 2,
            "ZADDRESS": "7185550121",
            "ZDATE": _cocoa("2024-03-01T10:10:00"),
            "ZDURATION": 0.0,
            "ZORIGINATED": 0,
            "ZANSWERED": 0,
            "ZCALLTYPE": 1,
            "ZSERVICE_PROVIDER": "com.apple.Telephony",
            "ZISO_COUNTRY_CODE": "us",
            "ZDISCONNECTED_CAUSE": 0,
            "ZUNIQUE_ID": "CALL-2",
        },
        {
            "Z_PK": 3,
            "ZADDRESS": "4155550199",
            "ZDATE": _cocoa("2024-03-01T10:20:00"),
            "ZDURATION": 0.0,
            "ZORIGINATED": 0,
            "ZANSWERED": 0,
            "ZCALLTYPE": 1,
            "ZSERVICE_PROVIDER": "com.apple.Telephony",
            "ZISO_COUNTRY_CODE": "us",
            "ZDISCONNECTED_CAUSE": 6,
            "ZUNIQUE_ID": "CALL-3",
        },
        {
            "Z_PK": 4,
            "ZADDRESS": b"friend@example.com",
            "ZDATE": _cocoa("2024-03-01T10:30:00"),
            "ZDURATION": 128.0,
            "ZORIGINATED": 0,
            "ZANSWERED": 1,
            "ZCALLTYPE": 16,
            "ZSERVICE_PROVIDER": "com.apple.FaceTime",
            "ZUNIQUE_ID": "CALL-4",
        },
        {
            "Z_PK": 5,
            "ZADDRESS": "+44 20 7946 0018",
            "ZDATE": _cocoa("2024-03-01T10:40:00"),
            "ZDURATION": 61.0,
            "ZORIGINATED": 1,
            "ZANSWERED": 1,
            "ZCALLTYPE": 0,
            "ZCALL_CATEGORY": 2,
            "ZSERVICE_PROVIDER": "net.whatsapp.WhatsApp",
            "ZUNIQUE_ID": "CALL-5",
        },
        {
            "Z_PK": 6,
            "ZADDRESS": None,
            "ZDATE": _cocoa("2024-03-01T10:50:00"),
            "ZDURATION": 600.0,
            "ZORIGINATED": 0,
            "ZANSWERED": 1,
            "ZCALLTYPE": 8,
            "ZSERVICE_PROVIDER": "com.apple.FaceTime",
            "ZUNIQUE_ID": "CALL-6",
        },
        {
            "Z_PK": 7,
            "ZADDRESS": "private",
            "ZDATE": None,
            "ZDURATION": None,
            "ZORIGINATED": 0,
            "ZANSWERED": 0,
            "ZCALLTYPE": 1,
            "ZNAME": "<script>x</script>",
            "ZUNIQUE_ID": "CALL-7",
        },
    ]
    _insert(connection, "ZCALLRECORD", [{"Z_ENT": 2, "Z_OPT": 1, **row} for row in records])
    _insert(
        connection,
        "ZHANDLE",
        [
            {"Z_PK": 1, "Z_ENT": 4, "ZTYPE": 3, "ZVALUE": "ada@example.com"},
            {"Z_PK": 2, "Z_ENT": 4, "ZTYPE": 2, "ZVALUE": "+14155550199"},
        ],
    )
    _insert(
        connection,
        "Z_2REMOTEPARTICIPANTHANDLES",
        [
            {"Z_2REMOTEPARTICIPANTCALLS": 6, "Z_4REMOTEPARTICIPANTHANDLES": 1},
            {"Z_2REMOTEPARTICIPANTCALLS": 6, "Z_4REMOTEPARTICIPANTHANDLES": 2},
        ],
    )
    _insert(
        connection,
        "Z_PRIMARYKEY",
        [{"Z_ENT": 2, "Z_NAME": "CallRecord", "Z_SUPER": 0, "Z_MAX": 7}],
    )
    connection.commit()
    connection.close()
    return path


def write_ios_legacy(path: Path) -> Path:
    """An iOS 7 call_history.db: outgoing, missed, FaceTime, a Cocoa-dated row."""
    connection = _fresh(path)
    for statement in IOS_LEGACY:
        connection.execute(statement)
    _insert(
        connection,
        "call",
        [
            {
                "address": "5404561685",
                "date": unix("2013-11-06T21:17:16"),
                "duration": 126,
                "flags": 5,
                "answered": 1,
                "country_code": "310",
                "network_code": "410",
            },
            {
                "address": "+1 (312) 555-0188",
                "date": unix("2013-11-06T22:00:00"),
                "duration": 0,
                "flags": 4,
                "answered": 0,
            },
            {
                "address": "friend@example.com",
                "date": unix("2013-11-07T08:00:00"),
                "duration": 30,
                "flags": 17,
                "answered": 1,
            },
            {
                "address": "7185550121",
                "date": unix("2013-11-07T09:00:00") - COCOA_OFFSET,
                "duration": 10,
                "flags": 5,
                "answered": 1,
            },
        ],
    )
    connection.commit()
    connection.close()
    return path


def _mbfile(size: int, modified: int) -> bytes:
    """The NSKeyedArchiver MBFile blob Manifest.db keeps per file (size and times)."""
    archive = {
        "$version": 100000,
        "$archiver": "NSKeyedArchiver",
        "$top": {"root": plistlib.UID(1)},
        "$objects": [
            "$null",
            {
                "$class": plistlib.UID(2),
                "Size": size,
                "LastModified": modified,
                "LastStatusChange": modified,
                "Birth": modified,
                "Mode": 33188,
                "Flags": 0,
                "ProtectionClass": 3,
            },
            {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]},
        ],
    }
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def backup_file_id(domain: str, relative: str) -> str:
    """An iTunes backup file ID: SHA-1 of ``<domain>-<relativePath>``."""
    return hashlib.sha1(f"{domain}-{relative}".encode()).hexdigest()


def build_itunes_backup(dest: Path, storedata: bytes) -> Path:
    """A tiny unencrypted iTunes backup holding CallHistory.storedata in HomeDomain."""
    dest.mkdir(parents=True, exist_ok=True)
    file_id = backup_file_id("HomeDomain", CALL_HISTORY_PATH)
    (dest / file_id[:2]).mkdir(exist_ok=True)
    (dest / file_id[:2] / file_id).write_bytes(storedata)
    modified = unix("2024-03-01T12:00:00")
    manifest = _fresh(dest / "Manifest.db")
    manifest.execute(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
        "flags INTEGER, file BLOB)"
    )
    manifest.execute("CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)")
    rows = [
        (backup_file_id("HomeDomain", "Library"), "HomeDomain", "Library", 2, None),
        (
            backup_file_id("HomeDomain", "Library/CallHistoryDB"),
            "HomeDomain",
            "Library/CallHistoryDB",
            2,
            None,
        ),
        (file_id, "HomeDomain", CALL_HISTORY_PATH, 1, _mbfile(len(storedata), modified)),
    ]
    manifest.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
    manifest.commit()
    manifest.close()
    (dest / "Manifest.plist").write_bytes(
        plistlib.dumps({"IsEncrypted": False, "Version": "10.0", "SystemDomainsVersion": "24.0"})
    )
    (dest / "Info.plist").write_bytes(
        plistlib.dumps({"Device Name": "Test iPhone", "Product Version": "17.3"})
    )
    return dest


# -- MicroSIP --------------------------------------------------------------------------------
def write_microsip_ini(path: Path, sections: list[tuple[str, list[str]]]) -> Path:
    """A microsip.ini as MicroSIP writes it: UTF-16LE with BOM, CRLF line ends."""
    lines: list[str] = []
    for name, entries in sections:
        lines.append(f"[{name}]")
        lines.extend(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    return path


def microsip_fixture(path: Path) -> Path:
    """MicroSIP ini with every call type, a deleted slot, SIP URIs and hostile lines."""
    return write_microsip_ini(
        path,
        [
            ("Settings", ["accountId=1", "singleMode=1", "enableLog=1"]),
            (
                "Account1",
                [
                    "label=Office",
                    "server=sip.example.net",
                    "proxy=",
                    "domain=sip.example.net",
                    "username=1001",
                    "password=",
                    "authID=1001",
                    "displayName=Test Agent",
                ],
            ),
            (
                "Calls",
                [
                    f"0=3125550188;;0;{unix('2024-03-01T08:00:00')};62;",
                    f"1=4155550199@sip.example.net;Bob;1;{unix('2024-03-01T08:10:00')};128;",
                    f"2=+1 (718) 555-0121;;2;{unix('2024-03-01T08:20:00')};0;",
                    "3=null",
                    f"4=anonymous;;2;{unix('2024-03-01T08:30:00')};0;",
                    f"5=12;Short;0;{unix('2024-03-01T08:40:00')};5;",
                    f"6=6465550163;<script>alert(1)</script>;7;{unix('2024-03-01T08:50:00')};"
                    "10;info text;with;semicolons",
                    "7=garbage value without fields",
                    "8=2025550134;;0;notatime;30;",
                    "this line has no equals sign",
                ],
            ),
        ],
    )


# -- demo evidence (story.md) ------------------------------------------------------------------
def populate_windows_laptop(root: Path) -> Path:
    """laptop-01: MicroSIP with the story's 10:02 call to 5404561685 (420 s) and fillers."""
    return write_microsip_ini(
        root / "Users" / "agent1" / "AppData" / "Roaming" / "MicroSIP" / "microsip.ini",
        [
            ("Settings", ["accountId=1", "singleMode=1", "autoAnswer=button"]),
            (
                "Account1",
                [
                    "label=voip-cheap",
                    f"server={STORY_SIP_DOMAIN}",
                    "proxy=",
                    f"domain={STORY_SIP_DOMAIN}",
                    f"username={STORY_SIP_USER}",
                    "password=",
                    f"authID={STORY_SIP_USER}",
                    "displayName=Microsoft Support",
                    "transport=udp",
                ],
            ),
            (
                "Calls",
                [
                    f"0=2025550134;;0;{unix('2024-03-01T09:31:00')};0;",
                    f"1=3125550188;;0;{unix('2024-03-01T09:40:00')};95;",
                    f"2=4155550199;;2;{unix('2024-03-01T09:50:00')};0;",
                    f"3={STORY_VICTIM_A};;0;{unix('2024-03-01T10:02:00')};420;",
                    f"4=7185550121;;0;{unix('2024-03-01T10:46:40')};35;",
                ],
            ),
        ],
    )


def populate_android_phone(root: Path) -> Path:
    """phone-03: the story's 11:15 call to +1 212-555-0147 (95 s), victim A's call back, fillers."""
    sim = {
        "countryiso": "IN",
        "subscription_component_name": TELEPHONY,
        "subscription_id": STORY_ICCID,
        "phone_account_address": STORY_SIM_NUMBER,
    }
    rows = [
        {
            **sim,
            "number": "+16465550163",
            "date": _ms("2024-03-01T10:30:00"),
            "duration": 48,
            "type": 1,
            "geocoded_location": "United States",
        },
        {
            **sim,
            "number": "+13055550110",
            "date": _ms("2024-03-01T10:55:00"),
            "duration": 0,
            "type": 3,
            "geocoded_location": "United States",
        },
        {
            **sim,
            "number": "",
            "presentation": 2,
            "date": _ms("2024-03-01T11:05:00"),
            "duration": 20,
            "type": 1,
        },
        {
            **sim,
            "number": STORY_VICTIM_B,
            "date": _ms("2024-03-01T11:15:00"),
            "duration": 95,
            "type": 2,
            "geocoded_location": "New York, NY",
            "normalized_number": "+12125550147",
        },
        {  # victim A calls the scam phone back: links the phone to the laptop's 10:02 call
            **sim,
            "number": "+1 540-456-1685",
            "date": _ms("2024-03-01T12:05:00"),
            "duration": 180,
            "type": 1,
            "geocoded_location": "Virginia",
        },
    ]
    return write_calllog(
        root / ANDROID_DB / "calllog.db",
        rows,
    )


ANDROID_DB = Path("data/data/com.android.providers.contacts/databases")
FIXTURES = {
    "calllog": Path("android") / ANDROID_DB / "calllog.db",
    "samsung_logs": Path(
        "android/data/data/com.sec.android.provider.logsprovider/databases/logs.db"
    ),
    "storedata": Path("ios/private/var/mobile") / CALL_HISTORY_PATH,
    "legacy": Path("ios/private/var/wireless/Library/CallHistory/call_history.db"),
    "microsip": Path("windows/Users/tester/AppData/Roaming/MicroSIP/microsip.ini"),
}


def build_fixtures(out: Path = HERE) -> list[Path]:
    """Write the committed fixtures under ``out``, at the paths the devices keep them."""
    return [
        write_calllog(out / FIXTURES["calllog"], android_fixture_rows()),
        write_samsung_logs(out / FIXTURES["samsung_logs"]),
        write_ios_storedata(out / FIXTURES["storedata"]),
        write_ios_legacy(out / FIXTURES["legacy"]),
        microsip_fixture(out / FIXTURES["microsip"]),
    ]


if __name__ == "__main__":
    for written in build_fixtures():
        print(written.relative_to(HERE))  # noqa: T201 - a script's own output
