"""The demo phone (phone-03) carries deleted calls and history that its report shows recovered."""

from __future__ import annotations

import re
from pathlib import Path

from triage.demo import demo_manifest


def test_demo_phone_shows_its_deleted_calls_and_history(scan) -> None:
    out = scan(demo_manifest().parent / "phone-03.tar.gz")
    calls = out.records("calls")
    recovered = [row for row in calls if row["recovered"]]
    assert len(calls) - len(recovered) == 5  # the live call log is unchanged
    assert [(row["number_e164"], row["started"], row["direction"]) for row in recovered] == [
        ("+15404561685", "2024-03-01T10:12:00Z", "outgoing"),
        ("+12125550183", "2024-03-01T10:41:00Z", "outgoing"),
        ("+14155550122", "2024-03-01T10:58:00Z", "outgoing"),
        ("+442079460123", "2024-03-01T11:21:00Z", "incoming"),
        ("+16465550199", "2024-03-01T11:48:00Z", "outgoing"),
    ]
    assert {row["confidence"] for row in recovered} == {"high"}
    assert all("old page version" in row["recovery"] for row in recovered)
    visits = [row for row in out.records("browser_visits") if row["recovered"]]
    assert [(row["url"], row["visited"]) for row in visits] == [
        ("https://remotedesktop.example/download/anydesk-android.apk", "2024-03-01T10:05:12Z"),
        (
            "https://www.google.com/search?q=how+to+delete+call+history+android",
            "2024-03-01T11:55:40Z",
        ),
        ("https://support.example/how-to-clear-call-log", "2024-03-01T11:56:31Z"),
    ]
    assert out.problems() == []
    html = Path(out.output / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    assert "5 deleted calls recovered, 4 to US numbers; 3 deleted web visits recovered" in text
    assert "Deleted, recovered (5 calls)" in text
    assert "Deleted, recovered (3 visits)" in text
    timeline = (out.output / "timeline.csv").read_text(encoding="utf-8")
    assert timeline.count("[deleted, recovered, high confidence]") == 5
    assert timeline.count("[deleted, recovered, low confidence]") == 3
    csv = (out.output / "calls.csv").read_text(encoding="utf-8")
    assert "recovered,recovery,confidence" in csv.splitlines()[0]
