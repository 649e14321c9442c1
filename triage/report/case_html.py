"""``case.html``: the devices of a case and what links them, for the officer and the lab.

The page opens with what an officer looks for first on each device (the exhibit, remote-access
tools found, known-bad files), read from each device's own outputs by :mod:`glance`, and says
when it was made and by which version of triage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage import __version__
from triage.report.glance import device_facts
from triage.report.html import environment
from triage.report.output import atomic_text

LINK_TITLES = {
    "phone_numbers": "Phone numbers seen on several devices",
    "remote_ids": "Remote-access IDs seen on several devices",
    "hosts": "MAC addresses and host names seen on several devices",
    "domains": "Web domains visited from several devices",
    "files": "Identical files on several devices",
}
ROWS = 500


def write_case_html(case: dict[str, Any], path: Path) -> None:
    """Render the case page atomically."""
    template = environment().get_template("case.html.j2")
    facts = {
        device["name"]: device_facts(path.parent / device["name"])
        for device in case.get("devices") or []
    }
    made = case.get("generated") or datetime.now(UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z"
    )
    with atomic_text(path, newline="\n") as handle:
        handle.write(
            template.render(
                case=case,
                link_titles=LINK_TITLES,
                rows=ROWS,
                facts=facts,
                made=made,
                version=(case.get("tool") or {}).get("version") or __version__,
            )
        )
