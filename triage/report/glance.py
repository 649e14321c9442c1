"""What the first screen of a page says before anything else: the exhibit and the telling facts.

An officer opening a device page first needs to know which exhibit it is (the acquisition
header's exhibit number, examiner, description and date, not raw libewf keys at the bottom),
whether a remote-access tool is on the device (an app, its data, or an installer in Downloads,
which matters as much on a phone as on a computer) and whether any file is known to be bad.
These are read here once for the device page and the case page alike.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from triage.extractors.remote_access.catalogue import ANDROID_PACKAGES, TOOL_KEYWORDS
from triage.report.page_text import libewf_date
from triage.store import DeviceStore

# The acquisition header's fields, in the order an exhibit label gives them.
EXHIBIT_FIELDS = (
    ("Exhibit", "evidence_number"),
    ("Case number", "case_number"),
    ("Examiner", "examiner_name"),
    ("Description", "description"),
    ("Notes", "notes"),
)
APP_KEYS = ("installed_program", "installed_package", "installed_app")
MAX_PLACES = 6  # where a tool was found, per tool, on the first screen


def exhibit(evidence: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The exhibit's label facts from the acquisition header, in words; [] without a header."""
    metadata = (evidence or {}).get("metadata") or {}
    facts = [(label, str(metadata[key])) for label, key in EXHIBIT_FIELDS if metadata.get(key)]
    acquired = libewf_date(metadata.get("acquiry_date"))
    if acquired:
        facts.append(("Acquired", f"{acquired} (acquiring computer's clock; zone not recorded)"))
    software = " ".join(
        str(metadata[key])
        for key in ("acquiry_software", "acquiry_software_version")
        if metadata.get(key)
    )
    if software:
        facts.append(("Acquisition software", software))
    return facts


def _normalised(text: str) -> str:
    return re.sub(r"[\s._-]+", "", text.lower())


def tool_named(text: str) -> str | None:
    """The remote-access tool a program, package or bundle name belongs to, if any."""
    for package, tool in ANDROID_PACKAGES:
        if package in text:
            return tool
    flat = _normalised(text)
    for keyword, tool in TOOL_KEYWORDS:
        if keyword in flat:
            return tool
    return None


def remote_apps(store: DeviceStore) -> list[dict[str, Any]]:
    """Remote-access tools on the device: each with what was found and where.

    From the presence records (folders, app data, packages, installers in Downloads) and the
    identity records listing installed programs, packages and iOS apps.
    """
    tables = store.record_tables()
    found: dict[str, list[tuple[str, str]]] = {}
    if "artifact_presence" in tables:
        for row in store.execute(
            "SELECT tool, artifact, source_path, detail FROM artifact_presence ORDER BY rowid"
        ):
            what = row["artifact"] + (" (deleted)" if "deleted" in (row["detail"] or "") else "")
            found.setdefault(row["tool"], []).append((what, row["source_path"] or ""))
    if "identity" in tables:
        marks = ", ".join("?" for _ in APP_KEYS)
        for row in store.execute(
            f"SELECT key, value, source_path FROM identity WHERE key IN ({marks}) ORDER BY rowid",
            APP_KEYS,
        ):
            tool = tool_named(row["value"] or "")
            if tool:
                found.setdefault(tool, []).append((f"installed app {row['value']}", ""))
    return [
        {"tool": tool, "places": places[:MAX_PLACES], "more": max(0, len(places) - MAX_PLACES)}
        for tool, places in sorted(found.items())
    ]


def device_facts(folder: Path) -> dict[str, Any]:
    """The case page's first-screen facts of one scanned device: exhibit, tools, bad files.

    Read from the device's report.json and store; a device without them (not scanned, failed)
    gives empty facts rather than an error.
    """
    facts: dict[str, Any] = {"exhibit": [], "remote_apps": [], "known_bad": []}
    report = folder / "report.json"
    try:
        summary = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return facts
    facts["exhibit"] = exhibit(summary.get("evidence"))
    facts["known_bad"] = ((summary.get("findings") or {}).get("hash_sets") or {}).get(
        "known_bad"
    ) or []
    store_path = folder / "triage.sqlite"
    if store_path.is_file():
        try:
            store = DeviceStore(store_path, read_only=True)
        except Exception:  # noqa: BLE001 - a damaged store must not stop the case page
            return facts
        try:
            facts["remote_apps"] = remote_apps(store)
        finally:
            store.close()
    return facts
