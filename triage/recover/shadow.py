"""TEMP tables that shadow a database's real ones with recovered rows, for the extractor's SQL.

SQLite resolves an unqualified table name in the TEMP schema before the main one, so an
extractor's unchanged query reads the recovered rows of a record table from a TEMP table of the
same name, and a lookup table (``urls``, ``moz_places``) as its live rows plus the recovered
ones. A carved row lost its rowid: a record row gets a negative stand-in, a lookup row its
rowid through a :class:`~triage.recover.spec.Link` (a shared time) when exactly one fits.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from triage.recover.engine import RecoveredRow
from triage.recover.spec import NameLink, RecoverySpec


def load(
    connection: sqlite3.Connection,
    spec: RecoverySpec,
    primary: list[RecoveredRow],
    rows: list[RecoveredRow],
    created: set[str],
) -> dict[str, RecoveredRow]:
    """TEMP tables shadowing the real ones (their names added to ``created``); returns key
    text -> recovered row."""
    keyed: dict[str, RecoveredRow] = {}
    by_table: dict[str, list[tuple[int, RecoveredRow]]] = {}
    for link in spec.name_links:
        primary = join_by_name(connection, link, primary, rows)
    for index, row in enumerate(primary):
        key = row.rowid if row.rowid is not None else -(index + 1)
        named = row.values.get(spec.key_column) if spec.key_column else key
        if named is None:
            continue  # no key to tie its record back to: not recoverable as a record
        keyed[str(named)] = row
        by_table.setdefault(row.table, []).append((key, row))
    existing = table_names(connection)
    for table in spec.empty:
        if table.lower() in existing and table not in by_table:
            create(connection, table, column_names(connection, table))
            created.add(table)
    for table, items in by_table.items():
        columns = column_names(connection, table)
        create(connection, table, columns)
        created.add(table)
        alias = rowid_alias(connection, table)
        insert(connection, table, columns, [_plain(row, columns, alias, key) for key, row in items])
    lookups = {name.lower() for name in spec.lookups}
    extra = [row for row in rows if row.table.lower() in lookups]
    for table in sorted({row.table for row in extra}):
        created.add(table)
        _lookup(connection, spec, table, [row for row in extra if row.table == table], primary)
    return keyed


def _lookup(
    connection: sqlite3.Connection,
    spec: RecoverySpec,
    table: str,
    rows: list[RecoveredRow],
    primary: list[RecoveredRow],
) -> None:
    """A lookup table: the live rows plus recovered ones with a rowid no live row has."""
    columns = column_names(connection, table)
    alias = rowid_alias(connection, table)
    names = ", ".join(f'"{column}"' for column in columns)
    live_ids = {value for (value,) in connection.execute(f'SELECT rowid FROM main."{table}"')}
    create(connection, table, columns)
    connection.execute(f'INSERT INTO temp."{table}" SELECT {names} FROM main."{table}"')
    wanted = _linked(spec, table, rows, primary, live_ids)
    if table.lower() in {name.lower() for name in spec.carved_lookups}:
        # a carved row that repeats a live or recovered one is that row again (a chain URL
        # listed twice would read as two hops)
        plain = ", ".join("NULL" if column == alias else f'"{column}"' for column in columns)
        seen = {tuple(row) for row in connection.execute(f'SELECT {plain} FROM main."{table}"')}
        seen |= {_plain(row, columns, alias) for _rowid, row in wanted}
        carved = []
        for row in rows:
            if row.rowid is None and _plain(row, columns, alias) not in seen:
                seen.add(_plain(row, columns, alias))
                carved.append(row)
        wanted += [(-number, row) for number, row in enumerate(carved, start=1)]
    insert(connection, table, columns, [_plain(row, columns, alias, key) for key, row in wanted])
    if alias:
        connection.execute(f'CREATE INDEX temp."recover_{table}" ON "{table}" ("{alias}")')


def _plain(
    row: RecoveredRow, columns: list[str], alias: str | None, key: int | None = None
) -> tuple:
    """A row's values in column order, its rowid alias ``key`` (left out: None)."""
    return tuple(key if column == alias else row.values.get(column) for column in columns)


def join_by_name(
    connection: sqlite3.Connection,
    link: NameLink,
    primary: list[RecoveredRow],
    rows: list[RecoveredRow],
) -> list[RecoveredRow]:
    """``primary`` with the carved rows a :class:`NameLink` joins given their id back (see
    there); each says so in its source."""
    carved = [row for row in primary if row.rowid is None]
    if not carved:
        return primary
    taken = {row.rowid for row in primary if row.rowid is not None}
    for table in {row.table for row in primary}:
        taken |= {value for (value,) in connection.execute(f'SELECT rowid FROM main."{table}"')}
    chains: dict[int, list[RecoveredRow]] = {}
    for row in rows:
        key = row.values.get(link.key)
        if row.table.lower() == link.lookup.lower() and isinstance(key, int) and key not in taken:
            chains.setdefault(key, []).append(row)
    by_name: dict[str, list[int]] = {}
    for key, chain in chains.items():
        last = max(chain, key=lambda row: _number(row.values.get(link.order)))
        by_name.setdefault(_url_name(last.values.get(link.url)), []).append(key)
    names = [_path_name(row.values.get(link.path)) for row in carved]
    given: dict[int, int] = {}
    for row, name in zip(carved, names, strict=True):
        keys = by_name.get(name, []) if name else []
        if len(keys) == 1 and names.count(name) == 1:
            given[id(row)] = keys[0]
    note = f"; id {{}} from its {link.lookup} rows (matched by the saved file's name)"
    return [
        replace(row, rowid=given[id(row)], which=row.which + note.format(given[id(row)]))
        if id(row) in given
        else row
        for row in primary
    ]


def _number(value: object) -> int:
    return value if isinstance(value, int) else -1


def _url_name(url: object) -> str:
    if not isinstance(url, str):
        return ""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return unquote(path.rsplit("/", 1)[-1])


def _path_name(path: object) -> str:
    return re.split(r"[\\/]", path)[-1] if isinstance(path, str) else ""


def _linked(
    spec: RecoverySpec,
    table: str,
    rows: list[RecoveredRow],
    primary: list[RecoveredRow],
    live_ids: set[int],
) -> list[tuple[int, RecoveredRow]]:
    """Recovered lookup rows with their rowid; carved ones get it through a :class:`Link`."""
    wanted = [
        (row.rowid, row) for row in rows if row.rowid is not None and row.rowid not in live_ids
    ]
    known = {rowid for rowid, _row in wanted} | live_ids
    for link in spec.links:
        if link.lookup.lower() != table.lower():
            continue
        by_time: dict[object, list[RecoveredRow]] = {}
        for row in rows:
            if row.rowid is None and row.values.get(link.lookup_time) is not None:
                by_time.setdefault(row.values[link.lookup_time], []).append(row)
        for record_row in primary:
            target = record_row.values.get(link.column)
            matches = by_time.get(record_row.values.get(link.time), [])
            if isinstance(target, int) and target not in known and len(matches) == 1:
                known.add(target)
                wanted.append((target, matches[0]))
    return wanted


def table_names(connection: sqlite3.Connection) -> set[str]:
    """The main schema's table names, lower-case."""
    rows = connection.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
    return {str(name).lower() for (name,) in rows}


def column_names(connection: sqlite3.Connection, table: str) -> list[str]:
    """A main-schema table's columns, in order."""
    return [row[1] for row in connection.execute(f'PRAGMA main.table_info("{table}")')]


def rowid_alias(connection: sqlite3.Connection, table: str) -> str | None:
    """The table's INTEGER PRIMARY KEY column (its value is the rowid), or None."""
    keys = [row for row in connection.execute(f'PRAGMA main.table_info("{table}")') if row[5]]
    if len(keys) == 1 and (keys[0][2] or "").upper() == "INTEGER":
        return keys[0][1]
    return None


def create(connection: sqlite3.Connection, table: str, columns: list[str]) -> None:
    """A TEMP table named like the real one, with its columns (untyped: values as found)."""
    body = ", ".join(f'"{column}"' for column in columns)
    connection.execute(f'CREATE TEMP TABLE "{table}" ({body})')


def insert(
    connection: sqlite3.Connection, table: str, columns: list[str], values: list[tuple]
) -> None:
    """Rows into the TEMP table."""
    if values:
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f'INSERT INTO temp."{table}" VALUES ({marks})', values)
