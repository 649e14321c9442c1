"""The tables a recovered record may belong to, and whether a record fits one.

A cell found in free space or on an old page carries no table name: the only proof it is a row
of ``calls`` and not of ``voicemail_status`` is that its values fit the columns, in order. Each
column's type affinity (the rules of https://www.sqlite.org/datatype3.html section 3.1) says
which serial types SQLite would have written for it: text columns hold text or NULL, integer
and numeric columns hold numbers or NULL, and the ``INTEGER PRIMARY KEY`` column is always NULL
in the record (its value is the rowid). A record that breaks one of these is not a row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

TEXT, NUMERIC, BLOB = "text", "numeric", "blob"
NUMBER_TYPES = frozenset(range(10))


def affinity(declared: str) -> str:
    """SQLite's affinity of a declared column type (integer and real count as numeric here)."""
    upper = (declared or "").upper()
    if "INT" in upper:
        return NUMERIC
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return TEXT
    if "BLOB" in upper or not upper:
        return BLOB
    return NUMERIC


@dataclass(frozen=True, slots=True)
class TableSchema:
    """One rowid table: its root page, columns, their affinities and the rowid alias."""

    name: str
    root: int
    columns: tuple[str, ...]
    affinities: tuple[str, ...]
    alias: int | None  # index of the INTEGER PRIMARY KEY column

    def fits(self, types: list[int], first: int = 0) -> bool:
        """Whether serial types (for columns ``first``...) are ones SQLite writes for them."""
        if not types or first + len(types) > len(self.columns):
            return False
        return all(
            self.fits_at(index, serial_type) for index, serial_type in enumerate(types, first)
        )

    def fits_at(self, index: int, serial_type: int) -> bool:
        """Whether one column may hold a value of this serial type."""
        if index == self.alias:
            return serial_type == 0
        kind = self.affinities[index]
        if kind == TEXT:
            return serial_type == 0 or (serial_type >= 13 and serial_type % 2 == 1)
        if kind == NUMERIC:
            return serial_type in NUMBER_TYPES
        return serial_type not in (10, 11)

    def row(self, rowid: int | None, values: list[object]) -> dict[str, object]:
        """Values by column name; the alias column takes the rowid, missing trailing columns
        (rows written before an ``ALTER TABLE ADD COLUMN``) are None."""
        row: dict[str, object] = dict.fromkeys(self.columns)
        row.update(zip(self.columns, values, strict=False))
        if self.alias is not None:
            row[self.columns[self.alias]] = rowid
        return row


def table_schemas(
    connection: sqlite3.Connection, tables: Collection[str] | None = None
) -> dict[str, TableSchema]:
    """The rowid tables of a database (virtual and WITHOUT ROWID tables have no table leaves).
    Given ``tables`` (names, any case), only those have their columns read: the others get
    their root page and no columns (they fit no record), which is all recovery needs of them
    (which pages their b-trees use); reading a table's columns costs SQLite ~40 us a table,
    and apps' databases have dozens of tables recovery does not read."""
    schemas: dict[str, TableSchema] = {}
    rows = connection.execute(
        "SELECT name, rootpage, sql FROM main.sqlite_master WHERE type = 'table'"
    ).fetchall()
    read = None if tables is None else {table.lower() for table in tables}
    for name, root, sql in rows:
        text = (sql or "").upper()
        if not root or "WITHOUT ROWID" in text or text.startswith("CREATE VIRTUAL"):
            continue
        if read is not None and not (isinstance(name, str) and name.lower() in read):
            schemas[name] = TableSchema(str(name), int(root), (), (), None)
            continue
        info = connection.execute(f'PRAGMA main.table_info("{name}")').fetchall()
        if not info:
            continue
        columns = tuple(column[1] for column in info)
        declared = tuple(column[2] or "" for column in info)
        keys = [column for column in info if column[5]]
        alias = None
        if len(keys) == 1 and keys[0][2].upper() == "INTEGER" and "DESC" not in _key_clause(text):
            alias = keys[0][0]
        schemas[name] = TableSchema(
            str(name), int(root), columns, tuple(affinity(kind) for kind in declared), alias
        )
    return schemas


def _key_clause(sql: str) -> str:
    """The text after PRIMARY KEY (an INTEGER PRIMARY KEY DESC column is not a rowid alias)."""
    index = sql.find("PRIMARY KEY")
    return sql[index : index + 20] if index >= 0 else ""
