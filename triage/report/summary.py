"""The facts every report shows, read once from the store into plain data.

``report.json`` and ``report.html`` are both rendered from :func:`summarize`, so the machine and
the human report can never disagree. Everything here is bounded (top-N lists, counts), so a
store of a million files summarises in one pass of SQL aggregates.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from triage import __version__
from triage.findings import key_findings
from triage.identity import device_identity
from triage.store import DeviceStore

TOP = 25
SCHEMA_VERSION = "1.0"


def _rows(store: DeviceStore, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    return [dict(row) for row in store.execute(sql, params).fetchall()]


# libewf header dates ("Sat Mar  2 08:00:00 2024"): the acquiring machine's local time, no zone
EWF_DATE_KEYS = ("acquiry_date", "system_date")


def acquisition_dates(metadata: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The E01 header dates in ISO 8601 (no zone: libewf keeps none), the raw value beside."""
    dates = {}
    for key in EWF_DATE_KEYS:
        raw = str(metadata.get(key) or "").strip()
        try:
            parsed = datetime.strptime(" ".join(raw.split()), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            continue
        dates[key] = {
            "iso": parsed.isoformat(),
            "raw": raw,
            "note": "local time of the acquiring machine; the E01 header has no time zone",
        }
    return dates


def summarize(store: DeviceStore, complete: bool) -> dict[str, Any]:
    """The report's content as JSON-ready data."""
    runs = _rows(store, "SELECT * FROM runs ORDER BY id")
    for run in runs:
        run["options"] = json.loads(run["options"]) if run.get("options") else {}
    evidence = store.evidence()
    evidence["acquisition_dates"] = acquisition_dates(evidence.get("metadata") or {})
    hide_good = bool(runs and runs[-1]["options"].get("hide_known_good"))
    known_good = (
        " AND id NOT IN (SELECT source_file_id FROM hashset_hits WHERE label = 'known-good')"
        if hide_good and "hashset_hits" in store.record_tables()
        else ""
    )
    counts = _rows(
        store,
        """
        SELECT count(*) AS entries,
               sum(kind = 'file') AS files, sum(kind = 'dir') AS directories,
               sum(kind = 'link') AS links, sum(kind = 'ads') AS streams,
               sum(kind = 'other') AS other, sum(allocated = 0) AS deleted,
               sum(hashed = 1 AND hash_error IS NULL AND kind IN ('file', 'ads')) AS hashed,
               sum(hash_error IS NOT NULL AND hash_error NOT LIKE 'not hashed%') AS unreadable,
               sum(hash_error LIKE 'not hashed%') AS not_hashed,
               coalesce(sum(CASE WHEN kind IN ('file', 'ads') THEN size END), 0) AS bytes,
               sum(ext_mismatch = 1) AS type_mismatches
        FROM files""",
    )[0]
    counts = {key: int(value or 0) for key, value in counts.items()}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "triage", "version": __version__},
        "complete": complete,
        "device": store.meta("device"),
        "hide_known_good": hide_good,
        "identity": device_identity(store),
        "findings": key_findings(store),
        "runs": runs,
        "evidence": evidence,
        "partitions": _rows(store, "SELECT * FROM partitions ORDER BY idx"),
        "profile": {"name": store.meta("profile"), "reason": store.meta("profile_reason")},
        "phone_region": {
            "region": store.meta("phone_region"),
            "source": store.meta("phone_region_source"),
        },
        "counts": counts,
        "types": _rows(
            store,
            f"""
            SELECT coalesce(mime, 'unknown') AS mime, count(*) AS files,
                   coalesce(sum(size), 0) AS bytes
            FROM files WHERE kind IN ('file', 'ads') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}""",
        ),
        "largest_files": _rows(
            store,
            f"""
            SELECT id, partition, path, size, mime, sha256, allocated, path_hex FROM files
            WHERE kind IN ('file', 'ads')
                  AND (note IS NULL OR note NOT LIKE '%not hashed%'){known_good}
            ORDER BY size DESC, id LIMIT {TOP}""",
        ),
        "type_mismatches": _rows(
            store,
            f"""
            SELECT id, partition, path, size, mime, magic, sha256, path_hex FROM files
            WHERE ext_mismatch = 1{known_good} ORDER BY path LIMIT {TOP * 4}""",
        ),
        "deleted_files": _rows(
            store,
            f"""
            SELECT id, partition, path, size, inode, mtime, sha256, path_hex FROM files
            WHERE allocated = 0 AND kind IN ('file', 'ads'){known_good}
            ORDER BY path LIMIT {TOP * 4}""",
        ),
        "extractors": _rows(store, "SELECT * FROM extractor_runs ORDER BY name"),
        "records": {table: store.count(table) for table in sorted(store.record_tables())},
        "problems": _rows(
            store,
            "SELECT stage, severity, message, path, partition, inode "
            "FROM problems ORDER BY id LIMIT 1000",
        ),
        "problem_counts": {
            "error": store.problem_count("error"),
            "warning": store.problem_count("warning"),
        },
    }
