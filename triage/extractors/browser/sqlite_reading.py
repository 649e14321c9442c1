"""What the SQLite browser extractors share: a guarded open and a guarded query start.

Each database is opened through ``ctx.sqlite`` (a private copy with its -wal and -journal, so a
visit committed only in the WAL is read too). A file that is not SQLite, is truncated or whose
pages are corrupt becomes one problem naming the file; the records read before SQLite gave up are
kept, and the next file is still read. Rows are converted by
:func:`triage.extractors.sqlite_rows.guarded_rows` with ``end_on_read_error``: a row with a
garbage value is reported by its id and skipped, and a corrupt page ends only that table. A
database whose schema is not the extractor's is skipped quietly when it was found by its tables
(Chromium and Epiphany both have ``urls`` and ``visits``) and reported as a warning when its path
said it should have been one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, path_matches
from triage.extractors.sqlite_rows import READ_ERRORS, guarded_rows
from triage.recover.integration import RecoverySpec, recovered_records


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


def table_rows(
    connection: sqlite3.Connection,
    sql: str,
    convert: Callable[[sqlite3.Row], Any],
    ctx: ExtractionContext,
    file: StoredFile,
    what: str,
    key: str | None = None,
) -> Iterator[Any]:
    """The converted rows of one table of a browser database: the query guarded by
    :func:`run_query` (problems say ``<what>s``), each row by ``guarded_rows`` (``<what> <key>``),
    and a corrupt page ends this table only (the others of the file are still read)."""
    rows = run_query(connection, sql, ctx, file, f"{what}s")
    return guarded_rows(rows, convert, ctx, file, what, key, end_on_read_error=True)


class SqliteBrowserExtractor(Extractor):
    """Base of the SQLite browser extractors: guarded open, ``read`` per recognised database."""

    kind: ClassVar[str] = "browser history"  # what the problems call the database
    # deleted rows to recover (triage.recover): one spec per record table
    recovery: ClassVar[RecoverySpec | tuple[RecoverySpec, ...] | None] = None

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
                    live = []
                    for record in self.read(connection, file, ctx):
                        live.append(record)
                        yield record
                    if self.recovery is not None:
                        yield from recovered_records(
                            lambda db, quiet, file=file: self.read(db, file, quiet),
                            self.recovery,
                            connection,
                            file,
                            ctx,
                            live,
                        )
            except READ_ERRORS as error:
                ctx.problem(
                    f"{self.kind} database cannot be read: {type(error).__name__}: {error}", file
                )

    def _unrecognised(self, file: StoredFile, ctx: ExtractionContext) -> None:
        if path_matches(self.patterns, file.path):
            ctx.problem(f"not a {self.kind} database (unknown schema): skipped", file, "warning")
        else:
            ctx.log.debug("%s: tables match but schema is not %s", file.path, self.kind)
