"""``case.html``: the devices of a case and what links them, for the officer and the lab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    with atomic_text(path, newline="\n") as handle:
        handle.write(template.render(case=case, link_titles=LINK_TITLES, rows=ROWS))
