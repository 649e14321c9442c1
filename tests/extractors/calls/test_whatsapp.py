"""whatsapp.calls on iLEAPP's josh_ios15 WhatsApp CallHistory.sqlite (read in place)."""

from __future__ import annotations

from triage.timestamps import parse_utc

from .call_rows import calls_of, summary

# iLEAPP admin/test/results/whatsApp/whatsApp.whatsAppCallHistory.josh_ios15_ffs.*.json:
# (start, end, direction, video, contact, phone) per row; every call "Ended" with
# 19198887386@s.whatsapp.net.
ILEAPP = [
    (1683043930, 1683044025, "outgoing", "voice"),
    (1683044106, 1683044207, "incoming", "voice"),
    (1683044445, 1683044550, "outgoing", "video"),
    (1683044661, 1683044765, "incoming", "video"),
]


def test_ileapp_whatsapp_calls(corpus_calls):
    rows = calls_of(corpus_calls, "whatsapp.calls")
    assert [
        (
            int(parse_utc(row["started"]).timestamp()),
            int(parse_utc(row["started"]).timestamp() + row["duration"]),
            row["direction"],
            row["call_type"],
        )
        for row in rows
    ] == ILEAPP
    assert [summary(row, "started", "duration") for row in rows] == [
        ("2023-05-02T16:12:10.067211Z", 95.116),
        ("2023-05-02T16:15:06.432158Z", 100.892),
        ("2023-05-02T16:20:45.432158Z", 104.577),
        ("2023-05-02T16:24:21.638928Z", 103.995),
    ]
    for row in rows:
        assert summary(row, "app", "number", "number_e164", "country", "contact_name") == (
            "WhatsApp",
            "19198887386@s.whatsapp.net",
            "+19198887386",
            "US",
            "This Is DFIR Two",  # ContactsV2.sqlite, as iLEAPP's Contact Fullname
        )
        assert row["answered"] == 1
        # the creator of the outgoing calls is the phone's own WhatsApp account
        assert row["account"] == "19195794674@s.whatsapp.net"
    assert rows[0]["detail"] == "outcome ended; bytes sent 39611; bytes received 121551"


# Tables as the iOS 15 file declares them (sqlite3 .schema of the corpus file), less the
# creator column, which iLEAPP notes older releases (iOS 14.3) lack.
OLD_SCHEMA = (
    "CREATE TABLE ZWAAGGREGATECALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZINCOMING INTEGER, ZMISSED INTEGER, ZMISSEDREASON INTEGER, ZVIDEO INTEGER, "
    "ZFIRSTDATE TIMESTAMP, ZLINKTOKEN VARCHAR )",
    "CREATE TABLE ZWACDCALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZBYTESRECEIVED INTEGER, ZBYTESSENT INTEGER, ZOUTCOME INTEGER, Z1CALLEVENTS INTEGER, "
    "Z_FOK_1CALLEVENTS INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZGROUPJIDSTRING VARCHAR )",
    "CREATE TABLE ZWACDCALLEVENTPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, "
    "Z_OPT INTEGER, ZOUTCOME INTEGER, Z1PARTICIPANTS INTEGER, Z_FOK_1PARTICIPANTS INTEGER, "
    "ZJIDSTRING VARCHAR )",
)


def test_older_schema_without_creator_uses_the_stored_incoming_flag(calls_scan, tmp_path):
    import sqlite3

    folder = tmp_path / "phone/private/var/mobile/Containers/Shared/AppGroup/ABC"
    folder.mkdir(parents=True)
    connection = sqlite3.connect(folder / "CallHistory.sqlite")
    for statement in OLD_SCHEMA:
        connection.execute(statement)
    connection.executemany(
        "INSERT INTO ZWAAGGREGATECALLEVENT (Z_PK, ZINCOMING, ZMISSED, ZVIDEO) VALUES (?, ?, ?, ?)",
        [(1, 1, 1, 0), (2, 0, 0, 1)],
    )
    connection.executemany(
        "INSERT INTO ZWACDCALLEVENT (Z_PK, ZOUTCOME, Z1CALLEVENTS, ZDATE, ZDURATION) "
        "VALUES (?, ?, ?, ?, ?)",
        [(1, 1, 1, 730980000.0, 0.0), (2, 0, 2, 730980600.0, 30.5)],
    )
    connection.executemany(
        "INSERT INTO ZWACDCALLEVENTPARTICIPANT (Z_PK, Z1PARTICIPANTS, ZJIDSTRING) VALUES (?, ?, ?)",
        [(1, 1, "15404561685@s.whatsapp.net"), (2, 2, "not-a-jid")],
    )
    connection.commit()
    connection.close()
    out = calls_scan(tmp_path / "phone", ["whatsapp.calls"])
    rows = calls_of(out, "whatsapp.calls")
    assert [
        summary(row, "number_e164", "direction", "answered", "call_type", "account", "contact_name")
        for row in rows
    ] == [
        ("+15404561685", "missed", 0, "voice", None, None),
        (None, "outgoing", 1, "video", None, None),
    ]
    assert out.problems() == []
