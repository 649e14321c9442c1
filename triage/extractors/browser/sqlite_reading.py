"""What the SQLite browser extractors share: a guarded open and guarded row loops.

Each database is opened through ``ctx.sqlite`` (a private copy with its -wal and -journal, so a
visit committed only in the WAL is read too). A file that is not SQLite, is truncated or whose
pages are corrupt becomes one problem naming the file; the records read before SQLite gave up are
kept, and the next file is still read. A row with a garbage value is reported by its id and
skipped, never the whole table. A database whose schema is not the extractor's is skipped quietly
when it was found by its tables (Chromium and Epiphany both have ``urls`` and ``visits``) and
reported as a warning when its path said it should have been one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

from triage.extractors.base import (
    ExtractionContext,
    Extractor,
    StoredFile,
    path_matches,
    table_columns,
)

READ_ERRORS = (sqlite3.DatabaseError, OSError, MemoryError)
ROW_ERRORS = (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError)


def select_list(
    connection: sqlite3.Connection,
    table: str,
    alias: str,
    wanted: Iterable[str],
    prefix: str = "",
) -> tuple[str, set[str]]:
    """``alias.col AS <prefix>col`` per wanted column, ``NULL AS ...`` where this version lacks it.

    Returns the SQL fragment and the (lower-case) columns the table has, so one query works on
    every schema version.
    """
    present = {name.lower(): name for name in table_columns(connection, table)}
    parts = []
    for column in wanted:
        actual = present.get(column.lower())
        label = f"{prefix}{column}"
        parts.append(f'{alias}."{actual}" AS "{label}"' if actual else f'NULL AS "{label}"')
    return ", ".join(parts), set(present)


def guarded_rows(
    rows: Iterable[sqlite3.Row],
    convert: Callable[[sqlite3.Row], Any],
    ctx: ExtractionContext,
    file: StoredFile,
    what: str,
    key: str | None = None,
) -> Iterator[Any]:
    """Convert rows one by one.

    A bad row is a problem naming it; a database error while stepping (a corrupt page) ends the
    table with a problem, keeping what was read.
    """
    index = -1
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except READ_ERRORS as error:
            ctx.problem(
                f"{what} table unreadable after {index + 1} rows: {type(error).__name__}: {error}",
                file,
            )
            return
        index += 1
        try:
            record = convert(row)
        except ROW_ERRORS as error:
            ident = row[key] if key and key in row.keys() else index  # noqa: SIM118 - sqlite3.Row
            ctx.problem(f"{what} {ident} skipped: {type(error).__name__}: {error}", file)
            continue
        if record is not None:
            yield record


def run_query(
    connection: sqlite3.Connection,
    sql: str,
    ctx: ExtractionContext,
    file: StoredFile,
    what: str,
) -> Iterable[sqlite3.Row]:
    """Start a query; a database error becomes a problem and no rows."""
    try:
        return connection.execute(sql)
    except READ_ERRORS as error:
        ctx.problem(f"{what} cannot be read: {type(error).__name__}: {error}", file)
        return ()


class SqliteBrowserExtractor(Extractor):
    """Base of the SQLite browser extractors: guarded open, ``read`` per recognised database."""

    kind: ClassVar[str] = "browser history"  # what the problems call the database

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Files with bytes (an empty file has nothing to read)."""
        return super().accepts(file, ctx) and file.size > 0

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """Whether the database has this extractor's schema."""
        raise NotImplementedError

    def read(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[Any]:
        """Records of one recognised database."""
        raise NotImplementedError

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[Any]:
        """Every matched database in turn; a bad one is a problem, the next is still read."""
        for file in files:
            try:
                with ctx.sqlite(file) as connection:
                    if not self.recognise(connection):
                        self._unrecognised(file, ctx)
                        continue
                    yield from self.read(connection, file, ctx)
            except READ_ERRORS as error:
                ctx.problem(
                    f"{self.kind} database cannot be read: {type(error).__name__}: {error}", file
                )

    def _unrecognised(self, file: StoredFile, ctx: ExtractionContext) -> None:
        if path_matches(self.patterns, file.path):
            ctx.problem(f"not a {self.kind} database (unknown schema): skipped", file, "warning")
        else:
            ctx.log.debug("%s: tables match but schema is not %s", file.path, self.kind)
