"""Read rows of an evidence SQLite database without letting one bad row or page stop the scan.

Browser and call-log databases come in many schema versions and are often damaged: a column this
version lacks, a value of the wrong type in one row, a corrupt page halfway through a table.
:func:`select_list` builds one query that works on every schema version (``NULL`` where a column
is missing); :func:`guarded_rows` converts rows one by one, so that a row with a garbage value is
reported by its id and skipped, never the whole table. The databases themselves are opened by
each family's extractor base through ``ctx.sqlite`` (a private copy with its -wal/-journal).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from triage.extractors.base import ExtractionContext, StoredFile, table_columns

# What SQLite raises on a damaged or non-SQLite file, and what converting a garbage value raises.
READ_ERRORS = (sqlite3.DatabaseError, OSError, MemoryError)
ROW_ERRORS = (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError)

Record = TypeVar("Record")


def select_list(
    connection: sqlite3.Connection,
    table: str,
    wanted: Iterable[str],
    *,
    alias: str | None = None,
    prefix: str = "",
) -> tuple[str, set[str]]:
    """``[alias.]"col" AS "<prefix>col"`` per wanted column, ``NULL AS ...`` where it is missing.

    Returns the SQL fragment and the (lower-case) columns the table has, so one query works on
    every schema version.
    """
    present = {name.lower(): name for name in table_columns(connection, table)}
    qualifier = f"{alias}." if alias else ""
    parts = []
    for column in wanted:
        actual = present.get(column.lower())
        label = f"{prefix}{column}"
        parts.append(f'{qualifier}"{actual}" AS "{label}"' if actual else f'NULL AS "{label}"')
    return ", ".join(parts), set(present)


def guarded_rows(
    rows: Iterable[sqlite3.Row],
    convert: Callable[[sqlite3.Row], Record | None],
    ctx: ExtractionContext,
    file: StoredFile,
    what: str = "row",
    key: str | None = None,
    *,
    end_on_read_error: bool = False,
) -> Iterator[Record]:
    """Convert rows one by one: a bad row is a problem naming it, the others are still read.

    A database error while stepping (a corrupt page) reaches the caller, which reports the whole
    database; with ``end_on_read_error`` it ends this table instead, with a problem, keeping what
    was read (the browser extractors read several tables of one file).
    """
    if end_on_read_error:
        rows = _until_unreadable(rows, ctx, file, what)
    for index, row in enumerate(rows):
        try:
            record = convert(row)
        except ROW_ERRORS as error:
            ident = row[key] if key and key in row.keys() else index  # noqa: SIM118 - sqlite3.Row
            ctx.problem(f"{what} {ident} skipped: {type(error).__name__}: {error}", file)
            continue
        if record is not None:
            yield record


def _until_unreadable(
    rows: Iterable[sqlite3.Row], ctx: ExtractionContext, file: StoredFile, what: str
) -> Iterator[sqlite3.Row]:
    count = 0
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except READ_ERRORS as error:
            ctx.problem(
                f"{what} table unreadable after {count} rows: {type(error).__name__}: {error}",
                file,
            )
            return
        count += 1
        yield row
