"""Recovered rows through the extractor's own code: the same records, marked as recovered.

An extractor reads a database with its SQL (joins, schema-version column lists) and converts
each row with its own function (E.164 numbers, epochs, URL parsing, directions). Recovered rows
go through exactly that: they are loaded into TEMP tables named like the real ones, which
SQLite resolves before the main schema's, so the extractor's unchanged ``read`` sees a database
whose record tables hold only recovered rows and whose lookup tables (``urls``,
``moz_places``) hold the live rows plus the recovered ones. Each record is tied back to its
recovered row by the row's key (``row_id`` / ``visit_id``); a row whose key was carved away
gets a negative stand-in, removed from the record afterwards. A record equal to a live one is
dropped, and a record must pass the extractor's plausibility check (a time in the device's era,
a number or URL that parses): what fails it was not a row.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from triage.recover import recover_rows
from triage.recover.checks import (
    plausible_download,
    plausible_search,
    plausible_time,
    plausible_url,
    plausible_visit,
)
from triage.recover.engine import RecoveredRow
from triage.recover.era import Era, device_era
from triage.recover.format import FormatError
from triage.recover.shadow import column_names, load
from triage.recover.spec import Link, NameLink, RecoverySpec

__all__ = [
    "Link",
    "NameLink",
    "RecoverySpec",
    "plausible_download",
    "plausible_search",
    "plausible_time",
    "plausible_url",
    "plausible_visit",
    "recovered_records",
]

RANK = {"high": 3, "medium": 2, "low": 1}
MAX_BYTES = 512 << 20  # larger databases are not read by hand (time and memory)


class QuietContext:
    """The extraction context for a recovered read: a row that does not convert is not a
    problem of the evidence, only a candidate that was not a record."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.rejected = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def problem(self, *args: Any, **kwargs: Any) -> None:
        """Count the row that did not convert."""
        self.rejected += 1


def recovered_records(
    read: Callable[[sqlite3.Connection, Any], Iterator[Any]],
    spec: RecoverySpec | tuple[RecoverySpec, ...],
    connection: sqlite3.Connection,
    file: Any,
    ctx: Any,
    live: list[Any],
) -> Iterator[Any]:
    """Records of the deleted rows of one database, marked ``recovered``.

    Recovery reads hostile bytes by hand: whatever goes wrong in it is one warning naming the
    file, never a lost live record (those were yielded before) nor a stopped scan.
    """
    if not recovery_wanted(ctx, file):
        return
    specs = spec if isinstance(spec, tuple) else (spec,)
    try:
        rows = _rows(specs, connection, file, ctx)
        era = partial(_device_era, ctx, file, live)  # read only when a record needs it
        for one in specs:
            yield from _recovered(read, one, connection, rows, ctx, live, era)
    except Exception as error:  # noqa: BLE001 - see the docstring
        recovery_failed(ctx, file, error)


def recovery_wanted(ctx: Any, file: Any) -> bool:
    """Whether the scan recovers deleted rows and the database is small enough to read by hand."""
    return bool(getattr(ctx, "recover", False)) and file.size <= MAX_BYTES


def recovery_failed(ctx: Any, file: Any, error: Exception) -> None:
    """Anything that went wrong reading a database by hand: one warning naming the file."""
    ctx.problem(f"deleted rows not recovered: {type(error).__name__}: {error}", file, "warning")


def _recovered(
    read: Callable[[sqlite3.Connection, Any], Iterator[Any]],
    spec: RecoverySpec,
    connection: sqlite3.Connection,
    rows: list[RecoveredRow],
    ctx: Any,
    live: list[Any],
    era: Callable[[], Era],
) -> Iterator[Any]:
    names = {table.lower() for table in spec.tables}
    primary = [row for row in rows if row.table.lower() in names]
    if spec.row_check is not None:
        primary = [row for row in primary if spec.row_check(row)]
    if spec.same_row:
        columns: dict[str, set[str]] = {}
        primary = [row for row in primary if not _older_version(connection, spec, row, columns)]
    if not primary:
        return
    quiet = QuietContext(ctx)
    created: set[str] = set()
    try:
        keyed = load(connection, spec, primary, rows, created)
        found = list(read(connection, quiet))
    finally:
        for table in created:
            connection.execute(f'DROP TABLE IF EXISTS temp."{table}"')
    live_set = set(live)
    ident = "" if spec.key_is_value else spec.key  # what differs between two copies of a row
    blank = {_blank(record, ident) for record in live}
    emitted: set[Any] = set()
    kept: dict[Any, tuple[Any, RecoveredRow]] = {}
    for record in found:
        text = str(getattr(record, spec.key, None))
        row = keyed.get(spec.key_text(text) if spec.key_text else text)
        if row is None or record in live_set:
            continue
        if row.rowid is None and spec.key_column is None:
            record = dataclasses.replace(record, **{spec.key: None})
        elif spec.key_text and "/-" in text:  # a carved joined row's stand-in id: not its id
            record = dataclasses.replace(record, **{spec.key: spec.key_text(text)})
        if _blank(record, ident) in blank or not spec.check(record):
            continue
        same = _blank(record, ident)
        if same in emitted:
            continue  # one row seen twice, whole in one page and carved in another
        emitted.add(same)
        identity = tuple(getattr(record, name) for name in spec.same_record) or same
        best = kept.get(identity)
        if best is None or RANK[row.confidence] > RANK[best[1].confidence]:
            kept[identity] = (record, row)
    live_identities = {tuple(getattr(r, name) for name in spec.same_record) for r in live}
    span = era() if kept else None
    for identity, (record, row) in kept.items():
        if spec.same_record and identity in live_identities:
            continue
        if span is not None and not span.fits(record):
            continue  # a time years away from everything else on the device: not a record
        yield dataclasses.replace(
            record, recovered=True, recovery=row.describe(), confidence=row.confidence
        )


def _device_era(ctx: Any, file: Any, live: list[Any]) -> Era:
    return device_era(ctx.file_time_span(), file, live)


def _older_version(
    connection: sqlite3.Connection,
    spec: RecoverySpec,
    row: RecoveredRow,
    tables: dict[str, set[str]],
) -> bool:
    """Whether ``row`` is an older version of a live row (see ``RecoverySpec.same_row``);
    ``tables`` keeps each table's columns, read once."""
    if row.rowid is None:  # a carved row: its rowid is lost, no live row to compare
        return False
    if row.table not in tables:
        tables[row.table] = set(column_names(connection, row.table))
    columns = [column for column in spec.same_row if column in tables[row.table]]
    if not columns:
        return False
    names = ", ".join(f'"{column}"' for column in columns)
    live = connection.execute(
        f'SELECT {names} FROM main."{row.table}" WHERE rowid = ?', (row.rowid,)
    ).fetchone()
    return live is not None and tuple(live) == tuple(row.values.get(c) for c in columns)


def _blank(record: Any, key: str) -> Any:
    """The record without its key (records of other kinds, e.g. downloads, have none)."""
    if not key or not hasattr(record, key):
        return record
    return dataclasses.replace(record, **{key: None})


def _rows(
    specs: tuple[RecoverySpec, ...], connection: sqlite3.Connection, file: Any, ctx: Any
) -> list[RecoveredRow]:
    """The recovered rows of the specs' tables, read from the extractor's private copy."""
    tables = {table for spec in specs for table in (*spec.tables, *spec.lookups)}
    return table_rows(tables, connection, file, ctx)


def table_rows(
    tables: set[str] | tuple[str, ...], connection: sqlite3.Connection, file: Any, ctx: Any
) -> list[RecoveredRow]:
    """The recovered rows of ``tables`` (none when the bytes are not a database's)."""
    try:
        main, wal, journal = _database_bytes(connection, file, ctx)
        return recover_rows(connection, main, wal, journal, set(tables))
    except (FormatError, OSError, sqlite3.DatabaseError, MemoryError) as error:
        ctx.log.debug("%s: no recovery: %s", file.path, error)
        return []


def _database_bytes(
    connection: sqlite3.Connection, file: Any, ctx: Any
) -> tuple[bytes, bytes | None, bytes | None]:
    """The database, -wal and -journal bytes: from the private copy ``ctx.sqlite`` made (no
    second read of the evidence, which in an archive means decompressing it again). SQLite
    leaves the copy's main file and -wal as they were while the connection is open; a hot
    journal it rolled back is gone from the copy, so that one is read from the evidence."""
    rows = connection.execute("PRAGMA database_list").fetchall()
    location = next((row[2] for row in rows if row[1] == "main"), "")
    if not location:
        main = ctx.read_bytes(file)
        siblings = ctx.siblings(file, ("-wal", "-journal"))
        wal = ctx.read_bytes(siblings["-wal"]) if "-wal" in siblings else None
        journal = ctx.read_bytes(siblings["-journal"]) if "-journal" in siblings else None
        return main, wal, journal
    path = Path(location)
    main = path.read_bytes()
    wal_path, journal_path = Path(f"{path}-wal"), Path(f"{path}-journal")
    wal = wal_path.read_bytes() if wal_path.is_file() else None
    journal = journal_path.read_bytes() if journal_path.is_file() else None
    if not journal:
        sibling = ctx.siblings(file, ("-journal",)).get("-journal")
        journal = ctx.read_bytes(sibling) if sibling is not None and sibling.size else None
    return main, wal, journal
