"""viber.calls on plaso's Android viber_data (read in place from the corpus)."""

from __future__ import annotations

from .call_rows import calls_of, summary


def test_plaso_viber_calls(corpus_calls):
    """plaso tests/parsers/sqlite_plugins/android_viber_call.py: 4 calls; the fourth is type 2
    (outgoing), 105 s, +19198887386, start 2022-11-25T20:43:08.267, viber_call_type 4 (video).
    The other three rows and the phonebook name were read by hand with sqlite3."""
    rows = calls_of(corpus_calls, "viber.calls")
    assert [
        summary(
            row, "number", "number_e164", "direction", "started", "duration", "call_type", "row_id"
        )
        for row in rows
    ] == [
        (
            "+19198887386",
            "+19198887386",
            "incoming",
            "2022-11-25T20:34:25.582000Z",
            98,
            "audio",
            "1",
        ),
        (
            "+19198887386",
            "+19198887386",
            "outgoing",
            "2022-11-25T20:37:07.737000Z",
            100,
            "audio",
            "2",
        ),
        (
            "+19198887386",
            "+19198887386",
            "incoming",
            "2022-11-25T20:40:24.137000Z",
            95,
            "video",
            "3",
        ),
        (
            "+19198887386",
            "+19198887386",
            "outgoing",
            "2022-11-25T20:43:08.267000Z",
            105,
            "video",
            "4",
        ),
    ]
    assert {row["contact_name"] for row in rows} == {"This Is DFIR Two"}
    assert {row["app"] for row in rows} == {"Viber"}
    assert rows[3]["started_raw"] == "1669408988267"
