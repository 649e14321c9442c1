"""Row helpers shared by the remote-access tests."""

from __future__ import annotations

from typing import Any


def pick(rows: list[dict[str, Any]], **where: Any) -> list[dict[str, Any]]:
    """Rows whose columns have the given values."""
    return [row for row in rows if all(row.get(key) == value for key, value in where.items())]


def strip(row: dict[str, Any], *drop: str) -> dict[str, Any]:
    """A record row without store bookkeeping (rowid, provenance except the path) and ``drop``."""
    skip = {"rowid", "source_evidence", "source_partition", "source_inode", "source_sha256"}
    skip |= {"source_file_id", "source_volume", *drop}
    return {key: value for key, value in row.items() if key not in skip}
