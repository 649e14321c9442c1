"""Call-log recipes of the recovery fixtures: Android, iOS, WhatsApp, Skype, Teams."""

from __future__ import annotations

import json
import plistlib
import sqlite3
import sys
from datetime import timedelta

common = sys.modules["build_recover_common"]  # loaded first by build_recover.py
calls = common.calls
Recipe, BASE, COCOA_EPOCH, _micro = common.Recipe, common.BASE, common.COCOA_EPOCH, common._micro
call_number, call_time = common.call_number, common.call_time


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


CALL_RECIPES = {
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
        # iOS's page size, and pages that stay full enough after the deletion not to be
        # rebalanced (which rewrites them): the deleted properties rows stay as freeblocks
        page_size=4096,
        count=20,
    ),
}
