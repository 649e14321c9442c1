"""android.call_log: AOSP calllog.db (generated, Android 12 schema), plaso's contacts2.db,
Samsung logs.db, the demo phone, and hostile databases."""

from __future__ import annotations

import shutil

from .call_rows import calls_of, errors, only_schema_warnings, summary

EXTRACTOR = ["android.call_log"]
FIELDS = ("row_id", "number", "number_e164", "direction", "started", "duration", "answered")


def test_every_aosp_call_type(calls_scan, calls_data):
    out = calls_scan(calls_data / "android", EXTRACTOR)
    rows = calls_of(out, "android.call_log")
    calllog = [row for row in rows if row["source_path"].endswith("calllog.db")]
    assert [summary(row, *FIELDS) for row in calllog] == [
        ("1", "5404561685", "+15404561685", "incoming", "2024-03-01T09:00:00Z", 65, 1),
        ("2", "(540) 456-1685", "+15404561685", "outgoing", "2024-03-01T09:05:00Z", 0, None),
        ("3", "+1 540-456-1685", "+15404561685", "missed", "2024-03-01T09:10:00Z", 0, 0),
        ("4", "3125550188", "+13125550188", "voicemail", "2024-03-01T09:15:00Z", 21, None),
        ("5", "7185550121", "+17185550121", "rejected", "2024-03-01T09:20:00Z", 0, 0),
        ("6", "4155550199", "+14155550199", "blocked", "2024-03-01T09:25:00Z", 0, 0),
        ("7", "2025550134", "+12025550134", "incoming", "2024-03-01T09:30:00Z", 300, 1),
        ("8", "", None, "incoming", "2024-03-01T09:35:00Z", 12, 1),
        ("9", "-2", None, "missed", "2024-03-01T09:40:00Z", 0, 0),
        ("10", "12", None, "outgoing", "2024-03-01T09:45:00Z", 3, 1),
        ("11", "6465550163", "+16465550163", "unknown", "2024-03-01T09:50:00Z", 7, None),
        ("12", "3055550110", "+13055550110", "outgoing", None, None, None),
    ]
    first = calllog[0]
    assert summary(first, "app", "contact_name", "country", "location", "account") == (
        "Phone (Android)",
        "Margaret",
        "US",
        "Virginia",
        "1",
    )
    assert first["started_raw"] == "1709283600000"
    assert first["time_note"] == "Android call log: date is Unix milliseconds, UTC"
    assert first["call_type"] == "voice" and first["deleted"] == 0
    assert first["source_sha256"] and first["source_evidence"] == "android"
    # answered externally (7) keeps its meaning; video feature bit; presentation; block reason
    assert calllog[6]["call_type"] == "video"
    assert "answered on another device" in calllog[6]["detail"]
    assert calllog[7]["detail"].startswith("restricted (withheld by caller)")
    assert "block reason 3" in calllog[5]["detail"]
    assert "number not normalised" in calllog[9]["detail"]
    # hostile name kept verbatim (reports escape it), unknown type and deleted flag recorded
    assert calllog[10]["contact_name"] == "<script>alert(1)</script>\x07\x1b[31m"
    assert calllog[10]["detail"].startswith("type 99") and calllog[10]["deleted"] == 1
    assert calllog[11]["started_raw"] == "not a date"
    assert errors(out) == []


def test_samsung_logs_keeps_calls_and_skips_messages(calls_scan, calls_data):
    out = calls_scan(calls_data / "android", EXTRACTOR)
    logs = [
        row for row in calls_of(out, "android.call_log") if row["source_path"].endswith("logs.db")
    ]
    assert [summary(row, "app", *FIELDS) for row in logs] == [
        (
            "Phone (Samsung logs)",
            "1",
            "3125550188",
            "+13125550188",
            "outgoing",
            "2024-03-02T08:00:00Z",
            44,
            1,
        )
    ]


def test_plaso_contacts2_calls(corpus_calls):
    """plaso tests/parsers/sqlite_plugins/android_calls.py on contacts2.db: the first call is
    MISSED at 2013-11-06 21:17:16.690 to 5404561685; a call starts 2013-11-07 00:03:36.690 and
    ends 00:14:15.690 after 639 s. The middle call (outgoing, 126 s) read by hand with sqlite3."""
    rows = calls_of(corpus_calls, "android.call_log")
    assert [summary(row, *FIELDS, "contact_name", "location") for row in rows] == [
        (
            "714",
            "5404561685",
            "+15404561685",
            "missed",
            "2013-11-06T21:17:16.690000Z",
            0,
            0,
            "Barney",
            "Bedrock",
        ),
        (
            "715",
            "5404561685",
            "+15404561685",
            "outgoing",
            "2013-11-06T21:18:53.283000Z",
            126,
            1,
            "Barney",
            "Bedrock",
        ),
        (
            "717",
            "5404561685",
            "+15404561685",
            "incoming",
            "2013-11-07T00:03:36.690000Z",
            639,
            1,
            "Barney",
            "Bedrock",
        ),
    ]
    assert {row["source_path"] for row in rows} == {"/plaso_android_contacts2.db"}
    assert rows[0]["deleted"] is None  # this schema has no deleted column
    assert only_schema_warnings(corpus_calls)


def test_demo_phone_story_call(calls_scan, build_calls, tmp_path):
    root = tmp_path / "phone-03"
    build_calls.populate_android_phone(root)
    out = calls_scan(root, EXTRACTOR, country="IN")
    rows = calls_of(out, "android.call_log")
    assert [
        summary(row, "number", "number_e164", "direction", "started", "duration") for row in rows
    ] == [
        ("+16465550163", "+16465550163", "incoming", "2024-03-01T10:30:00Z", 48),
        ("+13055550110", "+13055550110", "missed", "2024-03-01T10:55:00Z", 0),
        ("", None, "incoming", "2024-03-01T11:05:00Z", 20),
        ("+1 212-555-0147", "+12125550147", "outgoing", "2024-03-01T11:15:00Z", 95),
        ("+1 540-456-1685", "+15404561685", "incoming", "2024-03-01T12:05:00Z", 180),
    ]
    story = rows[-2]
    assert summary(story, "account", "country", "answered", "location") == (
        "+919876543210",
        "US",
        1,
        "New York, NY",
    )
    assert out.problems() == []


def test_demo_phone_is_deterministic(build_calls, tmp_path):
    first = build_calls.populate_android_phone(tmp_path / "a").read_bytes()
    second = build_calls.populate_android_phone(tmp_path / "b").read_bytes()
    assert first == second


def test_corrupt_and_truncated_databases_are_problems(calls_scan, calls_data, tmp_path):
    source = next((calls_data / "android").rglob("calllog.db"))
    folder = tmp_path / "dev" / "data" / "data" / "com.android.providers.contacts" / "databases"
    folder.mkdir(parents=True)
    data = source.read_bytes()
    (folder / "calllog.db").write_bytes(data[: len(data) // 3])  # truncated mid-file
    (folder / "contacts2.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)  # garbage
    samsung = tmp_path / "dev/data/data/com.sec.android.provider.logsprovider/databases"
    samsung.mkdir(parents=True)
    (samsung / "logs.db").write_bytes(b"not a database at all\n" * 50)
    out = calls_scan(tmp_path / "dev", EXTRACTOR)
    problems = errors(out)
    paths = {problem["path"] for problem in problems}
    assert "/data/data/com.android.providers.contacts/databases/calllog.db" in paths
    assert "/data/data/com.android.providers.contacts/databases/contacts2.db" in paths
    assert "/data/data/com.sec.android.provider.logsprovider/databases/logs.db" in paths
    assert all(problem["stage"] == "extract:android.call_log" for problem in problems)
    assert all("unreadable" in problem["message"] for problem in problems)
    assert out.result.status == "done with problems"


def test_viber_calls_table_is_not_an_android_call_log(calls_scan, corpus, tmp_path):
    folder = tmp_path / "dev" / "data" / "data" / "com.android.providers.contacts" / "databases"
    folder.mkdir(parents=True)
    shutil.copyfile(corpus / "calls" / "plaso_android_viber_data", folder / "calllog.db")
    out = calls_scan(tmp_path / "dev", EXTRACTOR)
    assert calls_of(out, "android.call_log") == []
    assert out.problems() == []
