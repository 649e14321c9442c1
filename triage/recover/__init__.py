"""Recovery of deleted SQLite rows: old page versions, WAL frames, journal pages, free space.

``format`` parses the bytes, ``versions`` gathers every copy of every page, ``schema`` says
which records fit which table, ``cells`` decodes whole cells, ``carving`` (and ``guessed``)
carves cells whose first bytes were overwritten, ``engine`` puts them together into
:class:`RecoveredRow` values, and ``integration`` runs them through an extractor's own
row-to-record code (see README, "Deleted records").
"""

from __future__ import annotations

import sqlite3

from triage.recover.engine import RecoveredRow, merge_rows, scan
from triage.recover.schema import table_schemas
from triage.recover.versions import page_versions

__all__ = ["RecoveredRow", "recover_rows"]


def recover_rows(
    connection: sqlite3.Connection,
    main: bytes,
    wal: bytes | None,
    journal: bytes | None,
    tables: set[str],
) -> list[RecoveredRow]:
    """Deleted rows of ``tables``: the database's bytes read by hand, compared with the live
    rows ``connection`` (opened on the same database) shows; FormatError on a bad header."""
    schemas = table_schemas(connection, tables)
    wanted = {name for name in schemas if name.lower() in {table.lower() for table in tables}}
    versions = page_versions(main, wal, journal)
    return merge_rows(scan(versions, schemas, wanted), connection, schemas)
