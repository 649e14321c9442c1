"""ios.call_history: CallHistory.storedata (iOS 11 schema + group participants), the legacy
call_history.db, the same store found through an iTunes backup, and hostile stores."""

from __future__ import annotations

from .call_rows import calls_of, errors, summary

EXTRACTOR = ["ios.call_history"]
FIELDS = ("row_id", "app", "number", "number_e164", "direction", "started", "duration")


def test_storedata_calls(calls_scan, calls_data):
    out = calls_scan(calls_data / "ios", EXTRACTOR)
    rows = [
        row
        for row in calls_of(out, "ios.call_history")
        if row["source_path"].endswith("CallHistory.storedata")
    ]
    assert [summary(row, *FIELDS, "answered", "call_type") for row in rows] == [
        ("7", "Phone (iOS)", "private", None, "missed", None, None, 0, "phone"),
        (
            "1",
            "Phone (iOS)",
            "+15404561685",
            "+15404561685",
            "outgoing",
            "2024-03-01T10:00:00.250000Z",
            42.5,
            1,
            "phone",
        ),
        (
            "2",
            "Phone (iOS)",
            "7185550121",
            "+17185550121",
            "missed",
            "2024-03-01T10:10:00Z",
            0,
            0,
            "phone",
        ),
        (
            "3",
            "Phone (iOS)",
            "4155550199",
            "+14155550199",
            "rejected",
            "2024-03-01T10:20:00Z",
            0,
            0,
            "phone",
        ),
        (
            "4",
            "FaceTime",
            "friend@example.com",
            None,
            "incoming",
            "2024-03-01T10:30:00Z",
            128,
            1,
            "FaceTime audio",
        ),
        (
            "5",
            "WhatsApp",
            "+44 20 7946 0018",
            "+442079460018",
            "outgoing",
            "2024-03-01T10:40:00Z",
            61,
            1,
            "third-party app (video)",
        ),
        (
            "6",
            "FaceTime",
            None,
            None,
            "incoming",
            "2024-03-01T10:50:00Z",
            600,
            1,
            "FaceTime video",
        ),
    ]
    by_id = {row["row_id"]: row for row in rows}
    assert summary(by_id["1"], "contact_name", "location", "country", "started_raw") == (
        "Margaret",
        "Virginia",
        "US",
        "730980000.25",
    )
    assert by_id["1"]["time_note"] == (
        "iOS CallHistory: ZDATE is Core Data seconds since 2001-01-01 UTC"
    )
    assert "service com.apple.Telephony" in by_id["1"]["detail"]
    assert "disconnected cause 6" in by_id["3"]["detail"]
    assert "participants ada@example.com, +14155550199" in by_id["6"]["detail"]
    assert by_id["7"]["contact_name"] == "<script>x</script>"
    assert errors(out) == []


def test_legacy_call_history_db(calls_scan, calls_data):
    out = calls_scan(calls_data / "ios", EXTRACTOR)
    rows = [
        row
        for row in calls_of(out, "ios.call_history")
        if row["source_path"].endswith("call_history.db")
    ]
    assert [summary(row, *FIELDS, "answered", "time_note") for row in rows] == [
        (
            "4",
            "Phone (iOS)",
            "7185550121",
            "+17185550121",
            "outgoing",
            "2013-11-07T09:00:00Z",
            10,
            1,
            "iOS call_history.db: date read as seconds since 2001-01-01 UTC "
            "(value too small for Unix)",
        ),
        (
            "1",
            "Phone (iOS)",
            "5404561685",
            "+15404561685",
            "outgoing",
            "2013-11-06T21:17:16Z",
            126,
            1,
            "iOS call_history.db: date is Unix seconds, UTC",
        ),
        (
            "2",
            "Phone (iOS)",
            "+1 (312) 555-0188",
            "+13125550188",
            "missed",
            "2013-11-06T22:00:00Z",
            0,
            0,
            "iOS call_history.db: date is Unix seconds, UTC",
        ),
        (
            "3",
            "FaceTime",
            "friend@example.com",
            None,
            "outgoing",
            "2013-11-07T08:00:00Z",
            30,
            1,
            "iOS call_history.db: date is Unix seconds, UTC",
        ),
    ]
    assert rows[1]["detail"] == "flags 5; country code 310; network code 410"


def test_call_found_through_itunes_backup(calls_scan, calls_data, build_calls, tmp_path):
    storedata = next((calls_data / "ios").rglob("CallHistory.storedata")).read_bytes()
    backup = build_calls.build_itunes_backup(tmp_path / "backup", storedata)
    file_id = "5a4935c78a5255723f707230a451d79c540d2741"  # ARTIFACTS.md, iLEAPP
    assert (backup / file_id[:2] / file_id).is_file()
    out = calls_scan(backup, EXTRACTOR)
    rows = calls_of(out, "ios.call_history")
    assert {row["source_path"] for row in rows} == {
        "/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"
    }
    assert len(rows) == 7
    outgoing = next(row for row in rows if row["row_id"] == "1")
    assert summary(outgoing, "number_e164", "direction", "started", "duration") == (
        "+15404561685",
        "outgoing",
        "2024-03-01T10:00:00.250000Z",
        42.5,
    )
    files = {row["path"]: row for row in out.files()}
    assert files["/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"]["member"] == (
        file_id
    )
    assert out.problems() == []


def test_storedata_with_wal_sees_uncommitted_calls(calls_scan, calls_data, tmp_path):
    """A call still in CallHistory.storedata-wal is read (ctx.sqlite copies the WAL)."""
    import sqlite3

    folder = tmp_path / "phone" / "private/var/mobile/Library/CallHistoryDB"
    folder.mkdir(parents=True)
    source = next((calls_data / "ios").rglob("CallHistory.storedata"))
    target = folder / "CallHistory.storedata"
    target.write_bytes(source.read_bytes())
    writer = sqlite3.connect(target)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZADDRESS, ZDATE, ZDURATION, ZORIGINATED, "
        "ZANSWERED, ZCALLTYPE) VALUES (8, 2, 1, '2025550134', 731000000, 5, 1, 1, 1)"
    )
    writer.commit()
    copy = tmp_path / "snapshot"
    copy.mkdir()
    for name in ("CallHistory.storedata", "CallHistory.storedata-wal"):
        (copy / name).write_bytes((folder / name).read_bytes())
    writer.close()
    for name in ("CallHistory.storedata", "CallHistory.storedata-wal"):
        (folder / name).write_bytes((copy / name).read_bytes())
    (folder / "CallHistory.storedata-shm").unlink(missing_ok=True)
    out = calls_scan(tmp_path / "phone", EXTRACTOR)
    rows = calls_of(out, "ios.call_history")
    assert any(row["row_id"] == "8" and row["number_e164"] == "+12025550134" for row in rows)


def test_garbage_storedata_is_a_problem(calls_scan, tmp_path):
    folder = tmp_path / "phone" / "private/var/mobile/Library/CallHistoryDB"
    folder.mkdir(parents=True)
    (folder / "CallHistory.storedata").write_bytes(bytes(range(256)) * 40)
    legacy = tmp_path / "phone" / "private/var/wireless/Library/CallHistory"
    legacy.mkdir(parents=True)
    (legacy / "call_history.db").write_bytes(b"")  # empty file: nothing to read, no crash
    out = calls_scan(tmp_path / "phone", EXTRACTOR)
    assert calls_of(out, "ios.call_history") == []
    assert [(p["path"], p["stage"]) for p in errors(out)] == [
        (
            "/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata",
            "extract:ios.call_history",
        )
    ]
