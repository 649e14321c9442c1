"""skype.calls on plaso's skype_main.db (read in place from the corpus)."""

from __future__ import annotations

from .call_rows import calls_of, only_schema_warnings, summary


def test_plaso_skype_call(corpus_calls):
    """plaso tests/parsers/sqlite_plugins/skype.py: one call, attempt and start
    2013-07-01T22:12:17, end 22:23:03, src gen.beringer, dst european.bbq.competitor, no video.
    plaso's user_start_call is False only because it compares the integer is_incoming with the
    string '0'; the stored is_incoming is 0, so the call is outgoing (checked with sqlite3)."""
    rows = calls_of(corpus_calls, "skype.calls")
    assert [
        summary(
            row,
            "app",
            "number",
            "contact_name",
            "direction",
            "started",
            "duration",
            "answered",
            "account",
            "call_type",
            "row_id",
        )
        for row in rows
    ] == [
        (
            "Skype",
            "european.bbq.competitor",
            "European Competitor",
            "outgoing",
            "2013-07-01T22:12:17Z",
            646,  # 22:12:17 + 646 s = 22:23:03, plaso's end_time
            1,
            "gen.beringer",
            "voice",
            "110/20",
        )
    ]
    assert rows[0]["number_e164"] is None and rows[0]["started_raw"] == "1372716737"
    assert rows[0]["detail"].startswith("connected 2013-07-01T22:12:17Z; host gen.beringer")
    assert only_schema_warnings(corpus_calls)
