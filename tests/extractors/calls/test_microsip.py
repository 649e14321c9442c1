"""microsip.calls: the UTF-16LE microsip.ini [Calls] section with its SIP account."""

from __future__ import annotations

import io

from triage.extractors.calls.microsip import encoding_of, text_lines

from .call_rows import calls_of, errors, summary

EXTRACTOR = ["microsip.calls"]
FIELDS = ("row_id", "number", "number_e164", "direction", "started", "duration", "answered")
INI = "/Users/tester/AppData/Roaming/MicroSIP/microsip.ini"


def test_fixture_calls_and_account(calls_scan, calls_data):
    out = calls_scan(calls_data / "windows", EXTRACTOR)
    rows = calls_of(out, "microsip.calls")
    assert [summary(row, *FIELDS, "contact_name") for row in rows] == [
        ("0", "3125550188", "+13125550188", "outgoing", "2024-03-01T08:00:00Z", 62, 1, None),
        (
            "1",
            "4155550199@sip.example.net",
            "+14155550199",
            "incoming",
            "2024-03-01T08:10:00Z",
            128,
            1,
            "Bob",
        ),
        ("2", "+1 (718) 555-0121", "+17185550121", "missed", "2024-03-01T08:20:00Z", 0, 0, None),
        ("4", "anonymous", None, "missed", "2024-03-01T08:30:00Z", 0, 0, None),
        ("5", "12", None, "outgoing", "2024-03-01T08:40:00Z", 5, 1, "Short"),
        (
            "6",
            "6465550163",
            "+16465550163",
            "unknown",
            "2024-03-01T08:50:00Z",
            10,
            None,
            "<script>alert(1)</script>",
        ),
        ("8", "2025550134", "+12025550134", "outgoing", None, 30, 1, None),
    ]
    first = rows[0]
    assert summary(first, "app", "account", "call_type", "started_raw", "time_note") == (
        "MicroSIP",
        "1001@sip.example.net",
        "SIP",
        "1709280000",
        "MicroSIP: time is Unix seconds (CTime), UTC",
    )
    assert (
        first["detail"]
        == "SIP server sip.example.net; display name Test Agent; account label Office"
    )
    assert rows[5]["detail"].startswith("type '7'; info info text;with;semicolons")
    assert rows[6]["detail"].startswith("time 'notatime' unreadable")
    assert [(p["path"], p["message"]) for p in errors(out)] == [
        (INI, "line 22: call '7' has no number;name;type;time fields"),
        (INI, "line 24: not key=value, skipped"),
    ]


def test_demo_laptop_story_call(calls_scan, build_calls, tmp_path):
    root = tmp_path / "laptop-01"
    ini = build_calls.populate_windows_laptop(root)
    assert ini.read_bytes().startswith(b"\xff\xfe[\x00S\x00")  # UTF-16LE with BOM
    out = calls_scan(root, EXTRACTOR)
    rows = calls_of(out, "microsip.calls")
    story = [row for row in rows if row["started"] == "2024-03-01T10:02:00Z"]
    assert [
        summary(row, "number", "number_e164", "direction", "duration", "account") for row in story
    ] == [("5404561685", "+15404561685", "outgoing", 420, "2231@sip.voip-cheap.example")]
    assert len(rows) == 5 and {row["country"] for row in rows} == {"US"}
    assert out.problems() == []
    again = build_calls.populate_windows_laptop(tmp_path / "again")
    assert again.read_bytes() == ini.read_bytes()


def test_overlong_line_and_garbage_do_not_stop_the_file(calls_scan, build_calls, tmp_path):
    ini = tmp_path / "pc" / "MicroSIP" / "microsip.ini"
    build_calls.write_microsip_ini(
        ini,
        [
            ("Account1", ["username=1001", "domain=pbx.example"]),
            (
                "Calls",
                [
                    "0=" + "9" * (1 << 20) + ";;0;1709280000;1;",
                    "1=\x00\x01\ufffd;;1;1709280600;2;",
                    "2=5404561685;;0;1709281200;3;",
                ],
            ),
        ],
    )
    out = calls_scan(tmp_path / "pc", EXTRACTOR)
    rows = calls_of(out, "microsip.calls")
    assert [summary(row, "row_id", "number_e164", "account") for row in rows] == [
        ("1", None, "1001@pbx.example"),
        ("2", "+15404561685", "1001@pbx.example"),
    ]
    assert [p["message"] for p in errors(out)] == [
        "line 5: longer than 1048576 characters, skipped"
    ]


def test_ini_without_bom_is_read_as_ansi(calls_scan, tmp_path):
    ini = tmp_path / "pc" / "MicroSIP" / "microsip.ini"
    ini.parent.mkdir(parents=True)
    ini.write_bytes(b"[Calls]\r\n0=5404561685;;0;1709287320;420;\r\n")
    out = calls_scan(tmp_path / "pc", EXTRACTOR)
    assert [summary(row, "number_e164", "account") for row in calls_of(out, "microsip.calls")] == [
        ("+15404561685", None)
    ]


def test_random_bytes_named_microsip_ini_are_ignored(calls_scan, tmp_path):
    ini = tmp_path / "pc" / "microsip.ini"
    ini.parent.mkdir(parents=True)
    ini.write_bytes(bytes(range(256)) * 64)
    out = calls_scan(tmp_path / "pc", EXTRACTOR)
    assert calls_of(out, "microsip.calls") == [] and out.problems() == []


def test_text_lines_caps_lines_and_handles_split_line_ends():
    data = ("a\r\nb\r" + "x" * 10 + "\nc").encode("utf-16-le")
    stream = io.BytesIO(b"\xff\xfe" + data)
    assert list(text_lines(stream, encoding_of(b"\xff\xfe"), max_line=5)) == ["a", "b", None, "c"]
    assert encoding_of(b"a\x00b\x00") == "utf-16-le"
    assert encoding_of(b"\xef\xbb\xbf[") == "utf-8-sig"


def test_text_lines_joins_a_crlf_split_between_chunks():
    for encoding in ("utf-8", "utf-16-le"):
        data = "ab\r\ncd\r\n\r\nef".encode(encoding)
        for size in range(1, 8):
            lines = list(text_lines(io.BytesIO(data), encoding, chunk_size=size))
            assert lines == ["ab", "cd", "", "ef"], (encoding, size)


def test_national_numbers_stay_unnormalised_without_a_country(calls_scan, build_calls, tmp_path):
    """No --country and no identity: 5404561685 could be any NANP-like plan, so no E.164."""
    build_calls.populate_windows_laptop(tmp_path / "laptop-01")
    out = calls_scan(tmp_path / "laptop-01", EXTRACTOR, country=None)
    story = next(r for r in calls_of(out, "microsip.calls") if r["row_id"] == "3")
    assert summary(story, "number", "number_e164", "country") == ("5404561685", None, None)
    assert "number not normalised" in story["detail"]
