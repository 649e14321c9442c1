"""Read router facts back from a scan's store, for assertions."""

from __future__ import annotations

import sqlite3
from typing import Any

from triage.config import ScanConfig
from triage.extractors.router import EXTRACTORS
from triage.pipeline import scan_device

ROUTER_IDS = [cls.name for cls in EXTRACTORS]


def facts(out, path_suffix: str | None = None, **where: Any) -> list[dict[str, Any]]:
    """router_facts rows of a scan, optionally of one file (path suffix) and equal fields."""
    rows = []
    for row in out.records("router_facts"):
        if path_suffix and not row["source_path"].endswith(path_suffix):
            continue
        if all(row[key] == value for key, value in where.items()):
            rows.append(row)
    return rows


def brief(rows: list[dict[str, Any]], *fields: str) -> list[tuple]:
    """Rows as tuples of the named fields (default: category, key, value)."""
    names = fields or ("category", "key", "value")
    return [tuple(row[name] for name in names) for row in rows]


class StoreRows:
    """A finished scan's store, read like the ``scan`` fixture's output (for shared scans)."""

    def __init__(self, output) -> None:
        self.output = output

    def _rows(self, sql: str) -> list[dict[str, Any]]:
        connection = sqlite3.connect(self.output / "triage.sqlite")
        connection.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in connection.execute(sql)]
        finally:
            connection.close()

    def records(self, table: str) -> list[dict[str, Any]]:
        """Every row of a record table (empty when it does not exist)."""
        tables = {row["name"] for row in self._rows("SELECT name FROM sqlite_master")}
        return self._rows(f'SELECT * FROM "{table}" ORDER BY rowid') if table in tables else []

    def problems(self) -> list[dict[str, Any]]:
        """Every problem recorded."""
        return self._rows("SELECT * FROM problems ORDER BY id")


def scan_once(evidence, output, extractors=None) -> StoreRows:
    """Run the real pipeline once (jobs=1) with the router extractors; for session fixtures."""
    profiles = output.parent / f"{output.name}-profiles"
    profiles.mkdir()
    listed = ", ".join(f'"{name}"' for name in (extractors or ROUTER_IDS))
    (profiles / "router_test.yaml").write_text(
        f"name: router_test\ndescription: test\ndetect: []\nextractors: [{listed}]\n",
        encoding="utf-8",
    )
    scan_device(
        ScanConfig(
            evidence=evidence,
            output=output,
            name=evidence.name,
            jobs=1,
            profile="router_test",
            profiles_dir=profiles,
        )
    )
    return StoreRows(output)
