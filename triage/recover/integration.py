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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from triage.recover import recover_rows
from triage.recover.engine import RecoveredRow
from triage.recover.format import FormatError

RANK = {"high": 3, "medium": 2, "low": 1}
MAX_BYTES = 512 << 20  # larger databases are not read by hand (time and memory)
ERA_START = datetime(2000, 1, 1, tzinfo=UTC)
URL_SCHEMES = frozenset(
    {"http", "https", "ftp", "file", "about", "chrome", "edge", "brave", "opera", "data", "blob"}
    | {"chrome-extension", "moz-extension", "view-source", "javascript", "mailto"}
)


@dataclass(frozen=True, slots=True)
class Link:
    """Carved lookup rows lose their rowid; a record row names it and shares a time with it
    (Chrome ``urls.last_visit_time`` is the time of the URL's last visit)."""

    column: str  # record table column naming the lookup row (visits.url)
    time: str  # record table time column (visits.visit_time)
    lookup: str  # lookup table (urls)
    lookup_time: str  # its time column (last_visit_time)


@dataclass(frozen=True, slots=True)
class RecoverySpec:
    """What an extractor recovers: record tables, the record field keyed by their rowid,
    lookup tables joined for values, and the check a recovered record must pass."""

    tables: tuple[str, ...]
    key: str
    check: Callable[[Any], bool]
    lookups: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    key_column: str | None = None  # the record key's column when it is not the rowid
    row_check: Callable[[RecoveredRow], bool] | None = None  # on the raw values, before reading
    empty: tuple[str, ...] = ()  # other record tables, shadowed empty (their rows not read again)
    key_is_value: bool = False  # the key is a value (a time, a term), not an id: never blanked
    # columns that name one row for good (a download's guid): a recovered row whose rowid is
    # live with these values equal is an older version of a live row (a download in progress,
    # a visit before its duration was written), not a deleted one
    same_row: tuple[str, ...] = ()
    # lookup tables joined by a column, not by their rowid (WhatsApp's participants by the
    # call's aggregate): their carved rows, rowid lost, are joined too (under fresh rowids)
    carved_lookups: tuple[str, ...] = ()
    # the row's part of a composite record key (Skype's "call/member" -> "call")
    key_text: Callable[[str], str] | None = None
    # record fields that say two records are one (a call: number, start, direction): a recovered
    # record matching a live one is a stale copy of it (a cell moved by a rebalance), and of
    # recovered ones matching each other the most confident is kept
    same_record: tuple[str, ...] = ()


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


def plausible_time(value: datetime | None) -> bool:
    """A time a phone or browser of this era could have written."""
    now = datetime.now(UTC) + timedelta(days=1)
    return value is not None and ERA_START <= value <= now


def plausible_url(value: str | None) -> bool:
    """A URL with a known scheme and, for network schemes, a host."""
    if not value or any(ord(char) < 32 for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        return False
    return bool(parts.netloc) or scheme not in {"http", "https", "ftp"}


def plausible_visit(record: Any) -> bool:
    """Whether a recovered visit decodes to a visit: a URL that parses, a time of this era."""
    return plausible_url(record.url) and plausible_time(record.visited)


def plausible_download(record: Any) -> bool:
    """A recovered download: a start time of this era, URLs that parse, something it names
    (a URL or a target path), byte counts that are counts."""
    urls = [*record.url_chain, *([record.url] if record.url else [])]
    counts = (record.received_bytes, record.total_bytes)
    return (
        plausible_time(record.started)
        and (record.ended is None or plausible_time(record.ended))
        and all(plausible_url(url) for url in urls)
        and bool(urls or record.target_path)
        and all(count is None or count >= 0 for count in counts)
    )


def plausible_search(record: Any) -> bool:
    """A recovered search: printable text, and a URL and time that fit when it has them."""
    term = record.term or ""
    return (
        bool(term.strip())
        and not any(ord(char) < 32 for char in term)
        and (record.url is None or plausible_url(record.url))
        and (record.searched is None or plausible_time(record.searched))
    )


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
    if not getattr(ctx, "recover", False) or file.size > MAX_BYTES:
        return
    specs = spec if isinstance(spec, tuple) else (spec,)
    try:
        rows = _rows(specs, connection, file, ctx)
        for one in specs:
            yield from _recovered(read, one, connection, rows, ctx, live)
    except Exception as error:  # noqa: BLE001 - see the docstring
        ctx.problem(f"deleted rows not recovered: {type(error).__name__}: {error}", file, "warning")


def _recovered(
    read: Callable[[sqlite3.Connection, Any], Iterator[Any]],
    spec: RecoverySpec,
    connection: sqlite3.Connection,
    rows: list[RecoveredRow],
    ctx: Any,
    live: list[Any],
) -> Iterator[Any]:
    names = {table.lower() for table in spec.tables}
    primary = [row for row in rows if row.table.lower() in names]
    if spec.row_check is not None:
        primary = [row for row in primary if spec.row_check(row)]
    if spec.same_row:
        primary = [row for row in primary if not _older_version(connection, spec, row)]
    if not primary:
        return
    quiet = QuietContext(ctx)
    created: set[str] = set()
    try:
        keyed = _load(connection, spec, primary, rows, created)
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
    for identity, (record, row) in kept.items():
        if spec.same_record and identity in live_identities:
            continue
        yield dataclasses.replace(
            record, recovered=True, recovery=row.describe(), confidence=row.confidence
        )


def _older_version(connection: sqlite3.Connection, spec: RecoverySpec, row: RecoveredRow) -> bool:
    """Whether ``row`` is an older version of a live row (see ``RecoverySpec.same_row``)."""
    present = set(_columns(connection, row.table))
    columns = [column for column in spec.same_row if column in present]
    if row.rowid is None or not columns:
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
    try:
        main, wal, journal = _database_bytes(connection, file, ctx)
        return recover_rows(connection, main, wal, journal, tables)
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


def _load(
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
    for index, row in enumerate(primary):
        key = row.rowid if row.rowid is not None else -(index + 1)
        named = row.values.get(spec.key_column) if spec.key_column else key
        if named is None:
            continue  # no key to tie its record back to: not recoverable as a record
        keyed[str(named)] = row
        by_table.setdefault(row.table, []).append((key, row))
    existing = _tables(connection)
    for table in spec.empty:
        if table.lower() in existing and table not in by_table:
            _create(connection, table, _columns(connection, table))
            created.add(table)
    for table, items in by_table.items():
        columns = _columns(connection, table)
        _create(connection, table, columns)
        created.add(table)
        alias = _alias(connection, table)
        values = []
        for key, row in items:
            row_values = dict(row.values)
            if alias:
                row_values[alias] = key
            values.append(tuple(row_values.get(column) for column in columns))
        _insert(connection, table, columns, values)
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
    columns = _columns(connection, table)
    alias = _alias(connection, table)
    names = ", ".join(f'"{column}"' for column in columns)
    live_ids = {value for (value,) in connection.execute(f'SELECT rowid FROM main."{table}"')}
    _create(connection, table, columns)
    connection.execute(f'INSERT INTO temp."{table}" SELECT {names} FROM main."{table}"')
    wanted = _linked(spec, table, rows, primary, live_ids)
    if table.lower() in {name.lower() for name in spec.carved_lookups}:
        carved = [row for row in rows if row.rowid is None]
        wanted += [(-number, row) for number, row in enumerate(carved, start=1)]
    values = []
    for rowid, row in wanted:
        row_values = dict(row.values)
        if alias:
            row_values[alias] = rowid
        values.append(tuple(row_values.get(column) for column in columns))
    _insert(connection, table, columns, values)
    if alias:
        connection.execute(f'CREATE INDEX temp."recover_{table}" ON "{table}" ("{alias}")')


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


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
    return {str(name).lower() for (name,) in rows}


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f'PRAGMA main.table_info("{table}")')]


def _alias(connection: sqlite3.Connection, table: str) -> str | None:
    keys = [row for row in connection.execute(f'PRAGMA main.table_info("{table}")') if row[5]]
    if len(keys) == 1 and (keys[0][2] or "").upper() == "INTEGER":
        return keys[0][1]
    return None


def _create(connection: sqlite3.Connection, table: str, columns: list[str]) -> None:
    body = ", ".join(f'"{column}"' for column in columns)
    connection.execute(f'CREATE TEMP TABLE "{table}" ({body})')


def _insert(
    connection: sqlite3.Connection, table: str, columns: list[str], values: list[tuple]
) -> None:
    if values:
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f'INSERT INTO temp."{table}" VALUES ({marks})', values)
