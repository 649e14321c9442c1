"""JSON Schemas of a case's ``case.json`` and ``batch.json`` (``triage batch``).

Shipped beside ``report.schema.json`` in ``triage/report/schema/``; regenerated with
``python -m triage.report.case_schema`` and a test checks the shipped files are current and that
real case outputs validate. ``case.json`` depends only on the evidence (identical whichever
scheduler ran the scans); ``batch.json`` holds how this run went (times, scheduler, what each
device's scan did).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from triage.outcomes import STATES

SCHEMA_DIR = Path(__file__).with_name("schema")
DRAFT = "https://json-schema.org/draft/2020-12/schema"
TEXT = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
TEXTS = {"type": "array", "items": {"type": "string"}}
TIME = {"type": ["string", "null"], "description": "UTC, ISO 8601 (2024-03-01T10:02:00Z)"}
COUNT = {"type": "integer", "minimum": 0}
STATE = {
    "enum": list(STATES),
    "description": "done, done with problems, failed (could not be scanned; see reason), "
    "interrupted (a rerun resumes it) or not scanned: the same words in case.json, batch.json, "
    "case.html and on stderr",
}


def _object(properties: dict[str, Any], required: list[str], description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "required": required,
        "properties": properties,
    }


def build_case_schema() -> dict[str, Any]:
    """The schema of case.json."""
    device = _object(
        {
            "name": TEXT,
            "evidence": TEXT,
            "status": STATE,
            "reason": {"type": "string", "description": "why the scan failed (failed only)"},
            "report": {
                "type": "string",
                "description": "the device's report.html, relative; absent without a report",
            },
            "profile": TEXT_OR_NULL,
            "verification": TEXT_OR_NULL,
            "counts": {"type": "object"},
            "records": {"type": "object", "additionalProperties": COUNT},
            "problems": {"type": "object"},
            "identity": {"type": "object"},
            "what": TEXT,
        },
        ["name", "evidence", "status"],
        "One device of the case and the state of its scan.",
    )
    contact = _object(
        {
            "kind": {
                "enum": ["phone", "email", "unreadable", "remote_id"],
                "description": "phone (E.164), email (an Apple ID or e-mail handle), "
                "unreadable (a number that could not be normalised: see flag), remote_id",
            },
            "tool": TEXT,
            "identifier": TEXT,
            "country": TEXT_OR_NULL,
            "first_contact": TIME,
            "last_contact": TIME,
            "devices": TEXTS,
            "count": {**COUNT, "description": "records: count = outgoing + incoming + other"},
            "outgoing": COUNT,
            "incoming": COUNT,
            "other": {**COUNT, "description": "missed, rejected, unknown direction..."},
            "total_duration_s": {"type": ["number", "null"]},
            "names": TEXTS,
            "region_assumed": {
                **TEXTS,
                "description": "default regions numbers written without a country code were "
                "read in",
            },
            "flag": TEXT_OR_NULL,
            "why": {"type": "string", "description": "suspect_numbers only: why"},
        },
        ["kind", "identifier", "devices", "count", "outgoing", "incoming", "other"],
        "An external number or remote ID and its contacts with the case's devices.",
    )
    episode = _object(
        {
            "episode": {"type": "string", "description": "the call this pairing belongs to"},
            "call_device": TEXT,
            "number": TEXT,
            "call_direction": TEXT,
            "call_start": TIME,
            "call_end": TIME,
            "call_duration_s": {"type": ["number", "null"]},
            "call_app": TEXT_OR_NULL,
            "session_device": TEXT,
            "tool": TEXT,
            "remote_id": TEXT,
            "remote_alias": TEXT_OR_NULL,
            "session_start": TIME,
            "session_end": TIME,
            "minutes_after_call_end": {**COUNT, "description": "whole minutes; 0 during it"},
            "during_call": {"type": "boolean"},
            "same_device": {"type": "boolean"},
            "sessions_after_this_call": COUNT,
            "session_devices_after_this_call": TEXTS,
            "call_source": {"type": "string", "description": "device:path of the call log"},
            "session_source": {"type": "string", "description": "device:path of the session"},
        },
        ["call_device", "number", "call_start", "session_device", "tool", "remote_id"],
        "A call followed by a remote-access session (see episode_rule).",
    )
    link = {
        "type": "object",
        "required": ["value", "devices", "rank"],
        "properties": {
            "value": TEXT,
            "devices": TEXTS,
            "rank": {"type": "integer", "description": "1 = most telling link of its kind"},
            "summary": {"type": "string", "description": "what the link means, in words"},
            "common": {"type": "boolean", "description": "domains: an everyday domain"},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": "https://triage.invalid/schema/case-1.1.json",
        "title": "triage case",
        "description": "case.json: the devices of a case and what links them (triage batch).",
        "type": "object",
        "required": ["format", "case", "devices", "device_states", "links", "contacts"],
        "properties": {
            "format": {"const": "1.1"},
            "case": TEXT,
            "devices": {"type": "array", "items": device},
            "device_states": _object(
                {
                    "counts": {"type": "object", "additionalProperties": COUNT},
                    "text": {"type": "string", "description": "7 devices: 5 scanned, 2 failed"},
                },
                ["counts", "text"],
                "How many devices are in each state.",
            ),
            "skipped_items": {"type": "array", "items": {"type": "object"}},
            "episode_window": TEXT,
            "episode_rule": TEXT,
            "links": {
                "type": "object",
                "description": "Values seen on several devices, by kind, most telling first.",
                "additionalProperties": {"type": "array", "items": link},
            },
            "contacts": {
                "type": "array",
                "items": contact,
                "description": "Likely victims.",
            },
            "suspect_numbers": {
                "type": "array",
                "items": contact,
                "description": "The suspects' own numbers: not victims.",
            },
            "episodes": {"type": "array", "items": episode},
        },
    }


def build_batch_schema() -> dict[str, Any]:
    """The schema of batch.json."""
    outcome = _object(
        {
            "name": TEXT,
            "status": STATE,
            "errors": COUNT,
            "message": {**TEXT_OR_NULL, "description": "why the scan failed"},
            "seconds": {"type": "number"},
            "this_run": {
                "type": "string",
                "description": "scanned, resumed, scanned again, rescanned: options changed "
                "(...), rescanned (--force), already done in an earlier run",
            },
            "verification": TEXT_OR_NULL,
        },
        ["name", "status", "this_run"],
        "How one device's scan went in this run.",
    )
    return {
        "$schema": DRAFT,
        "$id": "https://triage.invalid/schema/batch-1.1.json",
        "title": "triage batch run",
        "description": "batch.json: how the last triage batch run went.",
        "type": "object",
        "required": ["format", "tool", "case", "started", "seconds", "scheduler", "devices"],
        "properties": {
            "format": {"const": "1.1"},
            "tool": {"type": "object"},
            "case": TEXT,
            "started": {"type": "string", "description": "UTC, ISO 8601", "pattern": "Z$"},
            "seconds": {"type": "number"},
            "scheduler": TEXT,
            "devices": {"type": "array", "items": outcome},
            "states": {"type": "array", "items": TEXT},
        },
    }


SCHEMAS = {"case.schema.json": build_case_schema, "batch.schema.json": build_batch_schema}


def shipped(name: str) -> dict[str, Any]:
    """A schema file as shipped."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


if __name__ == "__main__":
    for file_name, build in SCHEMAS.items():
        path = SCHEMA_DIR / file_name
        path.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(path)
