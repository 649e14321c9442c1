"""The JSON Schema of ``report.json``, shipped as ``triage/report/schema/report.schema.json``.

The artifact part is derived from the record dataclasses (one array per record table, one
property per column), so the schema cannot drift from what the store writes; the shipped file is
regenerated with ``python -m triage.report.schema`` and a test checks it is current. The version
in ``schema_version`` changes when a field is removed or changes meaning.
"""

from __future__ import annotations

import json
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

from triage.records import RECORD_TYPES, SourceRef
from triage.report.summary import SCHEMA_VERSION
from triage.store import record_columns

SCHEMA_PATH = Path(__file__).with_name("schema") / "report.schema.json"
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
COUNTS = (
    "entries",
    "files",
    "directories",
    "links",
    "streams",
    "other",
    "deleted",
    "hashed",
    "unreadable",
    "not_hashed",
    "bytes",
    "type_mismatches",
)


def _json_type(hint: Any) -> list[str]:
    """JSON types a flattened column of this Python type can hold."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        found: list[str] = []
        for arg in typing.get_args(hint):
            for name in ["null"] if arg is type(None) else _json_type(arg):
                if name not in found:
                    found.append(name)
        return found
    if hint is bool or hint is int:
        return ["integer"]
    if hint is float:
        return ["number"]
    return ["string"]  # text; structures are stored as JSON text, times as ISO 8601 UTC


def _record_schema(record_type: type) -> dict[str, Any]:
    hints = typing.get_type_hints(record_type)
    source_hints = typing.get_type_hints(SourceRef)
    properties: dict[str, Any] = {"extractor": {"type": "string"}}
    for column in record_columns(record_type):
        if column.startswith("source_"):
            hint = source_hints[column[len("source_") :]]
        else:
            hint = hints[column]
        types_ = _json_type(hint)
        if "number" in types_ and "integer" not in types_:
            types_ = [*types_, "integer"]
        properties[column] = {"type": types_ if len(types_) > 1 else types_[0]}
    return {
        "type": "object",
        "properties": properties,
        "required": ["extractor", "source_evidence", "source_path"],
        "additionalProperties": False,
    }


DESCRIPTIONS = {
    "schema_version": "Version of this schema; changes when a field is removed or changes meaning.",
    "tool": "The program that wrote the report and its version.",
    "complete": "True when the scan finished; false in a report of an interrupted scan.",
    "device": "The device's name in the case (from --name or the evidence file name).",
    "hide_known_good": "Whether known-good files were left out of the file views.",
    "runs": "Every run of triage on this output folder, with its command line and options.",
    "evidence": "The evidence: format, size, hashes computed now and stored at acquisition, "
    "the verification verdict, the acquisition metadata (raw) and its dates in ISO 8601.",
    "partitions": "The volumes found and whether their file systems were walked.",
    "profile": "The extractor profile used and why it was chosen.",
    "phone_region": "The default region phone numbers without a country code were read in "
    "(ISO 3166), and where it came from (--country, the case manifest, SIM, locale, time zone).",
    "counts": "Walk counts: entries (every walked entry), files, deleted, hashed, bytes "
    "(file content), ...",
    "types": "File types by count.",
    "largest_files": "The largest files.",
    "type_mismatches": "Files whose content type contradicts their extension.",
    "deleted_files": "Deleted entries the file system still lists.",
    "extractors": "Each extractor run: files read, records written, status.",
    "records": "Record table -> number of records.",
    "problems": "What could not be read, where (partition, path, offset), and why.",
    "problem_counts": "Problems by severity.",
    "identity": "The device's identity summary (kind, name, model, OS, numbers, users...).",
    "findings": "The key findings shown first in report.html.",
    "outputs": "Output file -> rows written.",
    "artifacts": "Every record, by record table; times are UTC ISO 8601 with the raw value.",
}


def build_report_schema() -> dict[str, Any]:
    """The whole schema, from the record types and the summary's fixed shape."""
    schema = _report_schema()
    for name, text in DESCRIPTIONS.items():
        schema["properties"][name]["description"] = text
    schema["description"] = (
        "report.json: one device's scan (triage scan). Times are UTC ISO 8601 unless a note "
        "says otherwise; raw values are kept beside converted ones."
    )
    return schema


def _report_schema() -> dict[str, Any]:
    artifacts = {
        kind.table: {"type": "array", "items": _record_schema(kind)} for kind in RECORD_TYPES
    }
    table_row = {"type": "object"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://triage.invalid/schema/report-{SCHEMA_VERSION}.json",
        "title": "triage per-device report",
        "type": "object",
        "required": [
            "schema_version",
            "tool",
            "complete",
            "device",
            "runs",
            "evidence",
            "partitions",
            "profile",
            "counts",
            "problems",
            "problem_counts",
            "records",
            "identity",
            "findings",
            "artifacts",
        ],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "tool": {
                "type": "object",
                "required": ["name", "version"],
                "properties": {"name": {"const": "triage"}, "version": {"type": "string"}},
            },
            "complete": {"type": "boolean"},
            "device": NULLABLE_STRING,
            "hide_known_good": {"type": "boolean"},
            "runs": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "tool_version", "command_line", "started", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "tool_version": {"type": "string"},
                        "command_line": NULLABLE_STRING,
                        "started": {"type": "string"},
                        "finished": NULLABLE_STRING,
                        "status": {"type": "string"},
                        "options": {"type": "object"},
                    },
                },
            },
            "evidence": {
                "type": "object",
                "required": ["kind", "format", "path"],
                "properties": {
                    "name": NULLABLE_STRING,
                    "kind": {"type": "string"},
                    "format": {"type": "string"},
                    "path": {"type": "string"},
                    "size": NULLABLE_INT,
                    "segments": {"type": ["array", "null"], "items": {"type": "string"}},
                    "stored_hashes": {
                        "type": ["object", "null"],
                        "additionalProperties": {"type": "string"},
                    },
                    "metadata": {"type": ["object", "null"]},
                    "acquisition_dates": {
                        "type": "object",
                        "description": "E01 header dates (acquiry_date, system_date) in ISO "
                        "8601 without zone (libewf keeps none), with the raw text.",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "iso": {"type": "string"},
                                "raw": {"type": "string"},
                                "note": {"type": "string"},
                            },
                        },
                    },
                    "md5": NULLABLE_STRING,
                    "sha1": NULLABLE_STRING,
                    "sha256": NULLABLE_STRING,
                    "hashed_bytes": NULLABLE_INT,
                    "verification": NULLABLE_STRING,
                    "hash_error": NULLABLE_STRING,
                },
            },
            "partitions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["idx", "slot", "start", "length", "description", "walked"],
                    "properties": {
                        "idx": {"type": "integer"},
                        "slot": {"type": "string"},
                        "start": {"type": "integer"},
                        "length": {"type": "integer"},
                        "description": {"type": "string"},
                        "fs_type": NULLABLE_STRING,
                        "walked": {"type": "integer"},
                        "note": NULLABLE_STRING,
                        "encryption": NULLABLE_STRING,
                        "lock_state": NULLABLE_STRING,
                        "snapshots": NULLABLE_INT,
                        "layers": NULLABLE_STRING,
                    },
                },
            },
            "profile": {
                "type": "object",
                "properties": {"name": NULLABLE_STRING, "reason": NULLABLE_STRING},
            },
            "phone_region": {
                "type": "object",
                "properties": {"region": NULLABLE_STRING, "source": NULLABLE_STRING},
            },
            "counts": {
                "type": "object",
                "required": list(COUNTS),
                "properties": {name: {"type": "integer"} for name in COUNTS},
            },
            "types": {"type": "array", "items": table_row},
            "largest_files": {"type": "array", "items": table_row},
            "type_mismatches": {"type": "array", "items": table_row},
            "deleted_files": {"type": "array", "items": table_row},
            "extractors": {
                "type": "array",
                "items": {"type": "object", "required": ["name", "files", "records", "status"]},
            },
            "records": {"type": "object", "additionalProperties": {"type": "integer"}},
            "problems": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["stage", "severity", "message"],
                    "properties": {
                        "stage": {"type": "string"},
                        "severity": {"enum": ["error", "warning", "info"]},
                        "message": {"type": "string"},
                        "path": NULLABLE_STRING,
                        "partition": NULLABLE_INT,
                        "inode": NULLABLE_INT,
                    },
                },
            },
            "problem_counts": {"type": "object", "required": ["error", "warning"]},
            "identity": {"type": "object"},
            "findings": {
                "type": "object",
                "required": [
                    "first_activity",
                    "last_activity",
                    "remote_access",
                    "flagged_pages",
                    "hash_sets",
                ],
            },
            "outputs": {"type": "object", "additionalProperties": {"type": "integer"}},
            "artifacts": {"type": "object", "properties": artifacts, "additionalProperties": False},
        },
    }


def shipped_schema() -> dict[str, Any]:
    """The schema file installed with the package."""
    text = (resources.files("triage.report") / "schema" / "report.schema.json").read_text("utf-8")
    return json.loads(text)


if __name__ == "__main__":
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(
        json.dumps(build_report_schema(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(SCHEMA_PATH)
