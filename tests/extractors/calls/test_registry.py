"""The calls family's registration: ids, record types, docstrings, patterns, tests."""

from __future__ import annotations

from pathlib import Path

from triage.extractors import all_extractors
from triage.extractors.calls import EXTRACTORS
from triage.records import ArtifactPresence, CallRecord

IDS = [
    "android.call_log",
    "ios.call_history",
    "microsip.calls",
    "skype.calls",
    "viber.calls",
    "whatsapp.calls",
    "googlevoice.calls",
    "teams.calls",
    "softphone.presence",
]


def test_ids_are_registered_once():
    assert [extractor.name for extractor in EXTRACTORS] == IDS
    registry = all_extractors()
    assert all(registry[ident] in EXTRACTORS for ident in IDS)


def test_each_extractor_is_documented_and_typed():
    for extractor in EXTRACTORS:
        assert extractor.__doc__ and extractor.description
        assert extractor.patterns
        expected = (ArtifactPresence,) if extractor.name == "softphone.presence" else (CallRecord,)
        assert extractor.record_types == expected
        module = __import__(extractor.__module__, fromlist=["_"])
        assert module.__doc__ and len(module.__doc__) > 200


def test_each_extractor_has_a_test_module():
    here = Path(__file__).parent
    for extractor in EXTRACTORS:
        stem = extractor.__module__.rsplit(".", 1)[-1]
        assert (here / f"test_{stem}.py").is_file(), stem


def test_tango_database_holds_no_calls(corpus_calls):
    """plaso's tango_android_tc.db has only messages/conversations/profiles tables (checked
    with sqlite3): no extractor reads it and no call comes from it."""
    rows = corpus_calls.records("calls")
    assert not any("tango" in row["source_path"] for row in rows)
    assert {row["extractor"] for row in rows} == {
        "android.call_log",
        "skype.calls",
        "viber.calls",
        "whatsapp.calls",
        "googlevoice.calls",
        "teams.calls",
    }
    assert len(rows) == 3 + 1 + 4 + 4 + 34 + 5
