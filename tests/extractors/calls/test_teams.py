"""teams.calls on iLEAPP's josh_ios15 SkypeSpacesDogfood database (read in place), and the
NSKeyedArchiver decoder it relies on."""

from __future__ import annotations

import plistlib

import pytest

from triage.extractors.calls.keyed_archive import ArchiveError, unarchive
from triage.timestamps import parse_utc

from .call_rows import calls_of

OWN = "8:live:.cid.832804f1252ed9b2"
OTHER = "8:live:.cid.5638f9306b7b8594"
# iLEAPP admin/test/results/teams/teams.teamsCalls.josh_ios15_ffs.20241106012047.json:
# (start, connect, end, direction, originator, target, originator name); all twoParty/accepted.
ILEAPP = [
    (1682691683, 1682691687, 1682691710, "outgoing", OWN, OTHER, "ThisIs DFIR"),
    (1682691917, 1682691921, 1682691942, "outgoing", OWN, OTHER, "ThisIs DFIR"),
    (1682692116, 1682692120, 1682692211, "incoming", OTHER, OWN, "ThisIs DfirTwo"),
    (1682692633, 1682692636, 1682692732, "outgoing", OWN, OTHER, "ThisIs DFIR"),
    (1682693035, 1682693039, 1682693144, "incoming", OTHER, OWN, "ThisIs DfirTwo"),
]


def test_ileapp_teams_calls(corpus_calls):
    rows = calls_of(corpus_calls, "teams.calls")
    assert len(rows) == len(ILEAPP)
    for row, (start, connect, end, direction, originator, target, name) in zip(
        rows, ILEAPP, strict=True
    ):
        assert int(parse_utc(row["started"]).timestamp()) == start
        assert row["direction"] == direction
        assert (row["account"], row["number"]) == (
            (originator, target) if direction == "outgoing" else (target, originator)
        )
        # talk time = end - connect; iLEAPP's whole seconds bound it
        assert end - connect - 1 <= row["duration"] <= end - connect + 1
        assert row["contact_name"] == (name if direction == "incoming" else None)
        assert (row["app"], row["call_type"], row["answered"]) == (
            "Microsoft Teams",
            "twoParty",
            1,
        )
        assert row["number_e164"] is None
    first = rows[0]
    assert first["started_raw"] == "2023-04-28T14:21:23.6133868Z"
    assert first["duration"] == 23.124
    assert first["detail"].startswith(
        "state accepted; connected 2023-04-28T14:21:27.394284Z; ended 2023-04-28T14:21:50.518745Z"
    )


def _archive(objects, root=1):
    return plistlib.dumps(
        {"$top": {"root": plistlib.UID(root)}, "$objects": objects, "$archiver": "NSKeyedArchiver"},
        fmt=plistlib.FMT_BINARY,
    )


def test_unarchive_dictionary_with_nested_values():
    blob = _archive(
        [
            "$null",
            {
                "NS.keys": [plistlib.UID(2)],
                "NS.objects": [plistlib.UID(3)],
                "$class": plistlib.UID(5),
            },
            "call-log",
            {"NS.objects": [plistlib.UID(4), plistlib.UID(0)], "$class": plistlib.UID(5)},
            "x",
            {"$classname": "NSMutableDictionary"},
        ]
    )
    assert unarchive(blob) == {"call-log": ["x", None]}


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"not a plist",
        plistlib.dumps({"a": 1}),
        _archive(["$null", {"NS.objects": [plistlib.UID(9)]}]),  # reference out of range
        _archive(["$null", {"NS.objects": [plistlib.UID(1)]}]),  # cycle
        _archive(["$null", {"NS.keys": "bad", "NS.objects": []}]),
    ],
)
def test_unarchive_rejects_hostile_archives(blob):
    with pytest.raises(ArchiveError):
        unarchive(blob)


def test_unarchive_caps_exponential_fan_out():
    objects = ["$null"]
    for level in range(1, 25):  # 2**24 paths, within the depth cap
        objects.append({"NS.objects": [plistlib.UID(level + 1), plistlib.UID(level + 1)]})
    objects.append("leaf")
    with pytest.raises(ArchiveError, match="more than"):
        unarchive(_archive(objects))


def test_bad_properties_are_problems_and_json_call_logs_are_read(calls_scan, corpus, tmp_path):
    """A copy (in tmp) of the corpus database with one message's properties replaced by
    garbage and another's call-log stored as a JSON string (the form iLEAPP also accepts)."""
    import json
    import shutil
    import sqlite3

    source = next((corpus / "calls" / "ileapp_teams_calls_josh_ios15").rglob("*.sqlite"))
    relative = source.relative_to(corpus / "calls" / "ileapp_teams_calls_josh_ios15")
    target = tmp_path / "phone" / relative
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    entry = {
        "callDirection": "incoming",
        "callState": "missed",
        "callType": "twoParty",
        "startTime": "2024-03-01T10:02:00.0000000Z",
        "originator": "4:+15404561685",
        "target": OWN,
        "originatorParticipant": {"displayName": "<b>Margaret</b>"},
    }
    properties = _archive(
        [
            "$null",
            {"NS.keys": [plistlib.UID(2)], "NS.objects": [plistlib.UID(3)]},
            "call-log",
            json.dumps(entry),
        ]
    )
    connection = sqlite3.connect(target)
    ids = [1682691710677, 1682691942356]  # ZTSID of the first two call-log messages
    connection.execute(
        "UPDATE ZMESSAGEPROPERTIES SET ZPROPERTIES = ? WHERE ZTSID = ?", (b"\x00garbage", ids[0])
    )
    connection.execute(
        "UPDATE ZMESSAGEPROPERTIES SET ZPROPERTIES = ? WHERE ZTSID = ?", (properties, ids[1])
    )
    connection.commit()
    connection.close()
    out = calls_scan(tmp_path / "phone", ["teams.calls"])
    rows = calls_of(out, "teams.calls")
    assert len(rows) == 4  # 5 call logs less the garbage one; the JSON one replaced another
    missed = next(row for row in rows if row["direction"] == "missed")
    assert (
        missed["number"],
        missed["number_e164"],
        missed["contact_name"],
        missed["duration"],
    ) == (
        "+15404561685",
        "+15404561685",
        "<b>Margaret</b>",
        0,
    )
    assert "MRI 4:+15404561685" in missed["detail"]
    problems = [problem["message"] for problem in out.problems()]
    assert len(problems) == 1 and problems[0].startswith(f"message {ids[0]} skipped: ValueError")
