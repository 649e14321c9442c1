"""googlevoice.calls on iLEAPP's josh_ios17 threadingStore.sqlite (read in place)."""

from __future__ import annotations

from triage.timestamps import parse_utc

from .call_rows import calls_of

# iLEAPP admin/test/results/googleVoice/googleVoice.googleVoiceCalls.josh_ios17_ffs.*.json:
# (timestamp, direction, senderPhoneNumber as stored, duration) of all 29 call items.
ILEAPP = [
    (1558553738, "outgoing", "+19193355174", 9),
    (1559081567, "missed", "+19198126911", 5),
    (1559249470, "missed", "+19196992183", 31),
    (1559842651, "missed", "+19192145531", 10),
    (1559928217, "missed", "+19192145531", 7),
    (1560184859, "missed", "+19196960334", 6),
    (1561044642, "missed", "+19192145531", 10),
    (1561390348, "missed", "+19195087558", 6),
    (1561480017, "missed", "+19195087558", 5),
    (1563998760, "missed", "+12254350069", 10),
    (1564772403, "missed", "+17067518599", 11),
    (1567194486, "missed", "+13136460768", 3),
    (1568302008, "missed", "+19192661339", 40),
    (1573137687, "missed", "+12403515832", 7),
    (1637525612, "outgoing", "+19106215169", 85),
    (1637525765, "incoming", "+19198887386", 107),
    (1642105817, "missed", "+19103217490", 0),
    (1654723839, "missed", "+19105767101", 0),
    (1654723875, "missed", "+19105767101", 0),
    (1657842177, "missed", "+12134366664", 0),
    (1659908497, "missed", "+19106922692", 0),
    (1669410095, "incoming", "+19195357563", 85),
    (1669410371, "outgoing", "+19106215169", 46),
    (1676568111, "missed", "+19106609995", 0),
    (1683317504, "outgoing", "+19108398620", 96),
    (1683317773, "missed", "+19198887386", 0),
    (1704739243, "outgoing", "+19105576476", 125),
    (1709049972, "incoming", "+19104773625", 69),
    (1709050266, "outgoing", "+19105576476", 95),
]
# The callee of each outgoing call: the thread's participant (ThreadParticipant), read by hand
# with sqlite3. iLEAPP's sender column holds the account's own Google Voice number there.
OUTGOING_CALLEES = {
    1558553738: "+19102697333",
    1637525612: "+19198887386",
    1669410371: "+19195357563",
    1683317504: "+19198887386",
    1704739243: "+19198887386",
    1709050266: "+19104773625",
}


def test_ileapp_google_voice_calls(corpus_calls):
    rows = calls_of(corpus_calls, "googlevoice.calls")
    calls = [row for row in rows if row["direction"] != "voicemail"]
    seen = []
    for row in calls:
        stamp = int(parse_utc(row["started"]).timestamp())
        party = row["account"] if row["direction"] == "outgoing" else row["number"]
        seen.append((stamp, row["direction"], party, row["duration"]))
        if row["direction"] == "outgoing":
            assert row["number"] == OUTGOING_CALLEES[stamp]
            assert row["number_e164"] == OUTGOING_CALLEES[stamp]
        else:
            assert row["account"] is None and row["number_e164"] == row["number"]
    assert seen == ILEAPP
    assert {row["app"] for row in rows} == {"Google Voice"}
    assert all(row["deleted"] == 0 and row["country"] == "US" for row in rows)


def test_google_voice_voicemails(corpus_calls):
    """The 5 Voicemail items (iLEAPP googleVoiceVoicemails sample: 5 rows), read by hand."""
    voicemails = [
        (int(parse_utc(row["started"]).timestamp()), row["number"], row["duration"])
        for row in calls_of(corpus_calls, "googlevoice.calls")
        if row["direction"] == "voicemail"
    ]
    assert voicemails == [
        (1558553410, "+16502651193", 18),
        (1637525538, "+16502651193", 18),
        (1683307197, "+16502651193", 18),
        (1704737431, "+16502651193", 18),
        (1704739685, "+19198887386", 34),
    ]


def test_store_without_participants_keeps_the_calls(calls_scan, tmp_path):
    """ThreadItem as the iOS 17 store declares it (sqlite3 .schema of the corpus file)."""
    import sqlite3

    folder = tmp_path / "phone/private/var/mobile/Containers/Shared/AppGroup/X/Library/AS/1"
    folder.mkdir(parents=True)
    connection = sqlite3.connect(folder / "threadingStore.sqlite")
    connection.execute(
        "CREATE TABLE ThreadItem(threadItemKey TEXT NOT NULL, threadFragmentID TEXT, "
        "threadItemType INTEGER NOT NULL, sortID INTEGER NOT NULL, remoteThreadItemID TEXT, "
        "remoteThreadID TEXT, isUnread INTEGER NOT NULL, messageText TEXT, "
        "senderPhoneNumber TEXT, sendingState INTEGER, failureReason INTEGER NOT NULL, "
        "messageID INTEGER NOT NULL, isSystemMessage INTEGER NOT NULL, isDeleted INTEGER NOT NULL, "
        "ringGroupName TEXT, ringGroupPhoneNumber TEXT, transferredFromE164 TEXT, "
        "transferredToE164 TEXT, warmingCallFromE164 TEXT, duration REAL NOT NULL, "
        "timestamp REAL NOT NULL, syncTimestamp REAL, itemType TEXT NOT NULL, threadKey TEXT, "
        "threadType INTEGER, dndStatus INTEGER, PRIMARY KEY(threadItemKey,threadItemType))"
    )
    connection.executemany(
        "INSERT INTO ThreadItem (threadItemKey, threadItemType, sortID, isUnread, failureReason, "
        "messageID, isSystemMessage, isDeleted, duration, timestamp, itemType, "
        "senderPhoneNumber) VALUES (?, 1, ?, 0, 0, 0, 0, ?, ?, ?, ?, ?)",
        [
            ("a", 1, 0, 420.0, 1709287320.0, "OutgoingCall", "+12025550134"),
            ("b", 2, 1, 0.0, 1709287400.0, "MissedCall", "5404561685"),
            ("c", 3, 0, 1.0, 1709287500.0, "SmsIn", "+15404561685"),
        ],
    )
    connection.commit()
    connection.close()
    out = calls_scan(tmp_path / "phone", ["googlevoice.calls"])
    rows = calls_of(out, "googlevoice.calls")
    assert [
        (row["number"], row["number_e164"], row["direction"], row["account"], row["deleted"])
        for row in rows
    ] == [
        (None, None, "outgoing", "+12025550134", 0),
        ("5404561685", "+15404561685", "missed", None, 1),
    ]
    assert out.problems() == []
