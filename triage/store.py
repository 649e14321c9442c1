"""The device store: one SQLite file per device (``OUT/triage.sqlite``), streamed into and out of.

Images hold millions of files, so nothing holds them all in memory: the walk streams rows in,
hashing updates them, extractors add records, and every report writer streams back out. Lab
scripts query the same file.

Records get one table per record kind (``browser_visits``, ``calls``...) with one column per
field, rather than one table with a JSON payload: lab scripts and examiners can then write plain
SQL (``SELECT * FROM calls WHERE number_e164 = ?``), and SQLite can index the columns the case
correlation joins on. The tables are created from the record dataclasses, so the dataclass stays
the single definition of a record's shape.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

from triage.evidence.base import (
    WALK_COLUMNS,
    EvidenceFile,
    EvidenceInfo,
    PartitionInfo,
    Problem,
    WalkRow,
)
from triage.names import needs_escape, raw_hex, shown, sqlite_uri, storable
from triage.timestamps import format_utc

SCHEMA_VERSION = 1
BATCH = 5000
TIME_MEMO = 65536  # distinct times remembered while storing a walk

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, tool_version TEXT, command_line TEXT, started TEXT, finished TEXT,
    status TEXT, options TEXT);
CREATE TABLE IF NOT EXISTS stages (name TEXT PRIMARY KEY, started TEXT, finished TEXT, detail TEXT);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT, kind TEXT, format TEXT, path TEXT,
    size INTEGER, segments TEXT, stored_hashes TEXT, metadata TEXT, md5 TEXT, sha1 TEXT,
    sha256 TEXT, hashed_bytes INTEGER, verification TEXT, hash_error TEXT);
CREATE TABLE IF NOT EXISTS partitions (
    idx INTEGER PRIMARY KEY, slot TEXT, start INTEGER, length INTEGER, description TEXT,
    fs_type TEXT, walked INTEGER, note TEXT, encryption TEXT, lock_state TEXT,
    snapshots INTEGER, layers TEXT);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, name TEXT, kind TEXT, size INTEGER,
    allocated INTEGER, partition INTEGER, inode INTEGER, attr_id INTEGER, member TEXT,
    mtime TEXT, atime TEXT, ctime TEXT, crtime TEXT, note TEXT,
    md5 TEXT, sha1 TEXT, sha256 TEXT, mime TEXT, magic TEXT, ext_mismatch INTEGER,
    hash_error TEXT, hashed INTEGER NOT NULL DEFAULT 0, path_hex TEXT);
CREATE TABLE IF NOT EXISTS problems (
    id INTEGER PRIMARY KEY, stage TEXT, severity TEXT, message TEXT, path TEXT,
    partition INTEGER, inode INTEGER);
CREATE TABLE IF NOT EXISTS extractor_runs (
    name TEXT PRIMARY KEY, files INTEGER, records INTEGER, status TEXT, seconds REAL,
    error TEXT);
CREATE TABLE IF NOT EXISTS record_tables (name TEXT PRIMARY KEY, record_type TEXT);
"""


# The walk's columns, then the hex of the path's bytes when the path is shown escaped.
STORED_WALK_COLUMNS = (*WALK_COLUMNS, "path_hex")
FILE_INSERT = (
    f"INSERT INTO files ({', '.join(STORED_WALK_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(STORED_WALK_COLUMNS))})"
)
NOTE = WALK_COLUMNS.index("note")


def stored_rows(rows: Iterable[WalkRow]) -> Iterator[tuple[Any, ...]]:
    """Walk rows as the store keeps them: names in the one convention of :mod:`triage.names`.

    Sources give names as text with ``surrogateescape`` bytes; here, once for every source,
    the path and name become the text every output can hold and the path's raw bytes are kept
    in ``path_hex``. Most paths are printable ASCII, checked at C speed.
    """
    plain = (None,)
    for row in rows:
        path, note = row[0], row[NOTE]
        if note is not None and not note.isascii():
            row = (*row[:NOTE], storable(note), *row[NOTE + 1 :])
        if path.isascii() and path.isprintable():
            yield row + plain
        elif needs_escape(path):
            yield (shown(path), shown(row[1]), *row[2:], raw_hex(path))
        else:
            yield row + plain


def walk_rows_of(entries: Iterable[EvidenceFile]) -> Iterator[WalkRow]:
    """Walked entries as store rows.

    Times are formatted once per distinct value: an entry's four times are often equal, and
    files installed or copied together share them.
    """
    formatted: dict[datetime, str] = {}

    def utc(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = formatted.get(value)
        if text is None:
            if len(formatted) >= TIME_MEMO:
                formatted.clear()
            text = formatted[value] = format_utc(value)
        return text

    for e in entries:
        ref = e.ref
        yield (
            str(e.path), e.path.name, e.kind, e.size, int(e.allocated), ref.partition,
            ref.inode, ref.attr_id, ref.member, utc(e.modified), utc(e.accessed),
            utc(e.changed), utc(e.created), e.note,
        )  # fmt: skip


def _add_volume_columns(db: sqlite3.Connection) -> None:
    """Give a store made before the volume layer its partitions' volume columns (--resume)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(partitions)")}
    for column, kind in VOLUME_COLUMNS:
        if column not in have:
            db.execute(f"ALTER TABLE partitions ADD COLUMN {column} {kind}")


VOLUME_COLUMNS = (
    ("encryption", "TEXT"), ("lock_state", "TEXT"), ("snapshots", "INTEGER"), ("layers", "TEXT"),
)  # fmt: skip


def _value(value: Any) -> Any:
    """A Python value as SQLite stores it: times as ISO UTC text, structures as JSON."""
    if value is None or isinstance(value, (int, float, str, bytes)):
        if isinstance(value, str):
            if "\x00" in value:
                value = value.replace("\x00", "\\x00")  # NUL truncates text in SQLite readers
            return storable(value)  # bytes that were not UTF-8 (a name from evidence) as \xNN
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PurePosixPath):
        return shown(str(value))
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # text from evidence holding bytes that are not UTF-8
            text = json.dumps(_storable_tree(value), sort_keys=True, ensure_ascii=False)
        return text
    return storable(str(value))


def _storable_tree(value: Any) -> Any:
    """A JSON-ready structure with every string made :func:`~triage.names.storable`."""
    if isinstance(value, dict):
        return {storable(str(key)): _storable_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable_tree(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return storable(str(value))


def flatten(record: Any, prefix: str = "") -> dict[str, Any]:
    """A record dataclass as one flat row; nested dataclasses become ``<field>_<subfield>``."""
    row: dict[str, Any] = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            row.update(flatten(value, f"{prefix}{field.name}_"))
        else:
            row[f"{prefix}{field.name}"] = _value(value)
    return row


def record_columns(record_type: type, prefix: str = "") -> list[str]:
    """Column names of a record type's table, in field order."""
    columns: list[str] = []
    hints = _type_hints(record_type)
    for field in dataclasses.fields(record_type):
        hint = hints.get(field.name)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            columns.extend(record_columns(hint, f"{prefix}{field.name}_"))
        else:
            columns.append(f"{prefix}{field.name}")
    return columns


def _type_hints(record_type: type) -> dict[str, Any]:
    import typing  # noqa: PLC0415

    return typing.get_type_hints(record_type)


def _connect_read_only(path: Path, **options: Any) -> sqlite3.Connection:
    """A connection that can only read the store (rows as sqlite3.Row)."""
    connection = sqlite3.connect(sqlite_uri(path), uri=True, **options)
    connection.row_factory = sqlite3.Row
    return connection


EVIDENCE_BYTES = "evidence_path_hex"  # meta key: the evidence's resolved path, its bytes in hex


def evidence_bytes(path: Path) -> str:
    """How a store names the evidence it was made from (exact, whatever bytes the path has)."""
    return os.fsencode(path.resolve()).hex()  # resolved: "./x" and a link to it are one


def made_from(path: Path) -> tuple[str | None, str | None, str | None]:
    """(device, evidence path as shown, evidence path hex) of an existing store; None when the
    store does not say (a store of an older triage records only the first two)."""
    connection = _connect_read_only(path)
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        row = connection.execute("SELECT path FROM evidence WHERE id = 1").fetchone()
    finally:
        connection.close()
    return meta.get("device"), row[0] if row else None, meta.get(EVIDENCE_BYTES)


class DeviceStore:
    """One device's SQLite store. Not shared between processes: workers return results instead."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """Open (and create) a device's store; ``read_only`` for report writers in other
        processes while the scan still holds it open (no schema, no writes, no checkpoint)."""
        self.path = path
        self.read_only = read_only
        if read_only:
            self._db = _connect_read_only(path, isolation_level=None, check_same_thread=False)
        else:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
        self._record_tables: dict[str, list[str]] = {}
        if read_only:
            return
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        _add_volume_columns(self._db)
        if "path_hex" not in {row[1] for row in self._db.execute("PRAGMA table_info(files)")}:
            self._db.execute("ALTER TABLE files ADD COLUMN path_hex TEXT")  # an older store
        self._db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    # -- plumbing ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Checkpoint the WAL into the main file and close."""
        try:
            if not self.read_only:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement (used by writers and tests; the store's tables are public)."""
        return self._db.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Stream rows from a second connection, so the main one can write meanwhile."""
        reader = _connect_read_only(self.path)
        try:
            yield from reader.execute(sql, params)
        finally:
            reader.close()

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """:meth:`query` with plain tuples: for outputs of a row per file, where SQLite builds
        the text and Python only passes it on."""
        reader = _connect_read_only(self.path)
        reader.row_factory = None
        try:
            yield from reader.execute(sql, params)
        finally:
            reader.close()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self._db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _insert_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                count += self._commit(sql, batch)
                batch = []
        if batch:
            count += self._commit(sql, batch)
        return count

    def _commit(self, sql: str, batch: list[Sequence[Any]]) -> int:
        self._db.execute("BEGIN")
        try:
            self._db.executemany(sql, batch)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return len(batch)

    # -- meta, runs, stages ------------------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        """Store one key/value fact about the store."""
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, _value(value)))

    def meta(self, key: str) -> str | None:
        """Read one key/value fact."""
        return self.scalar("SELECT value FROM meta WHERE key = ?", (key,))

    def start_run(
        self, tool_version: str, command_line: str, options: dict[str, Any], started: datetime
    ) -> int:
        """Record a run of triage on this store; returns its id."""
        cursor = self._db.execute(
            "INSERT INTO runs (tool_version, command_line, started, status, options) "
            "VALUES (?, ?, ?, 'running', ?)",
            (tool_version, _value(command_line), format_utc(started), _value(options)),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, finished: datetime) -> None:
        """Mark a run done (or failed, interrupted)."""
        self._db.execute(
            "UPDATE runs SET status = ?, finished = ? WHERE id = ?",
            (status, format_utc(finished), run_id),
        )

    def stage_done(self, name: str) -> bool:
        """Whether a pipeline stage finished in an earlier or this run (for --resume)."""
        return self.scalar("SELECT finished FROM stages WHERE name = ?", (name,)) is not None

    def begin_stage(self, name: str, when: datetime) -> None:
        """Record that a stage started (clearing any earlier unfinished attempt)."""
        self._db.execute(
            "INSERT OR REPLACE INTO stages (name, started) VALUES (?, ?)", (name, format_utc(when))
        )

    def end_stage(self, name: str, when: datetime, detail: dict[str, Any] | None = None) -> None:
        """Record that a stage finished."""
        self._db.execute(
            "UPDATE stages SET finished = ?, detail = ? WHERE name = ?",
            (format_utc(when), _value(detail or {}), name),
        )

    # -- evidence and partitions ------------------------------------------------------------------
    def set_evidence(self, name: str, info: EvidenceInfo) -> None:
        """Record what the evidence is."""
        self._db.execute(
            "INSERT OR REPLACE INTO evidence (id, name, kind, format, path, size, segments, "
            "stored_hashes, metadata) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                shown(name),
                info.kind,
                info.format,
                shown(info.path),
                info.size,
                _value(list(info.segments)),
                _value(info.stored_hashes),
                _value(info.metadata),
            ),
        )

    def set_evidence_hash(
        self, digests: dict[str, str], hashed_bytes: int, verification: str, error: str | None
    ) -> None:
        """Record the evidence's own hash and how it compares with the acquisition hash."""
        self._db.execute(
            "UPDATE evidence SET md5 = ?, sha1 = ?, sha256 = ?, hashed_bytes = ?, "
            "verification = ?, hash_error = ? WHERE id = 1",
            (
                digests.get("md5"),
                digests.get("sha1"),
                digests.get("sha256"),
                hashed_bytes,
                verification,
                error,
            ),
        )

    def evidence(self) -> dict[str, Any]:
        """The evidence row with its JSON fields decoded."""
        row = self._db.execute("SELECT * FROM evidence WHERE id = 1").fetchone()
        if row is None:
            return {}
        value = dict(row)
        for key in ("segments", "stored_hashes", "metadata"):
            value[key] = json.loads(value[key]) if value[key] else None
        return value

    def set_partitions(self, partitions: Iterable[PartitionInfo]) -> None:
        """Record every volume found."""
        self._db.execute("DELETE FROM partitions")
        self._insert_many(
            "INSERT INTO partitions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    p.index,
                    p.slot,
                    p.start,
                    p.length,
                    _value(p.description),
                    p.fs_type,
                    int(p.walked),
                    _value(p.note),
                    p.encryption,
                    p.lock_state,
                    p.snapshots,
                    p.layers,
                )
                for p in partitions
            ),
        )

    # -- files ---------------------------------------------------------------------------------
    def add_files(self, entries: Iterable[EvidenceFile]) -> int:
        """Stream walked entries in, in batches; returns how many."""
        return self.add_walk_rows(walk_rows_of(entries))

    def add_walk_rows(self, rows: Iterable[WalkRow]) -> int:
        """Stream walk rows (:data:`~triage.evidence.base.WALK_COLUMNS`) in; returns how many."""
        return self._insert_many(FILE_INSERT, stored_rows(rows))

    def clear_files(self) -> None:
        """Forget a partial walk (resume redoes an unfinished walk from scratch)."""
        self._db.execute("DELETE FROM files")

    def update_digests(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Store hashing results: (md5, sha1, sha256, mime, magic, ext_mismatch, error, id)."""
        return self._insert_many(
            "UPDATE files SET md5 = ?, sha1 = ?, sha256 = ?, mime = ?, magic = ?, "
            "ext_mismatch = ?, hash_error = ?, hashed = 1 WHERE id = ?",
            rows,
        )

    def file(self, file_id: int) -> sqlite3.Row | None:
        """One file row by id."""
        return self._db.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()

    # -- problems ----------------------------------------------------------------------------------
    def add_problem(self, problem: Problem) -> None:
        """Record one problem; the run goes on."""
        self._db.execute(
            "INSERT INTO problems (stage, severity, message, path, partition, inode) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                problem.stage,
                problem.severity,
                _value(problem.message),
                None if problem.path is None else shown(problem.path),
                problem.partition,
                problem.inode,
            ),
        )

    def clear_problems(self, stage: str) -> None:
        """Forget a stage's problems before it is redone on resume."""
        self._db.execute("DELETE FROM problems WHERE stage = ?", (stage,))

    def problem_count(self, severity: str | None = None) -> int:
        """How many problems (of one severity) were recorded."""
        if severity:
            return int(self.scalar("SELECT count(*) FROM problems WHERE severity = ?", (severity,)))
        return int(self.scalar("SELECT count(*) FROM problems"))

    # -- records -----------------------------------------------------------------------------------
    def ensure_record_table(self, record_type: type) -> str:
        """Create the table of a record kind from its dataclass fields (once)."""
        table = record_type.table  # type: ignore[attr-defined]
        if table not in self._record_tables:
            columns = record_columns(record_type)
            column_sql = ", ".join(f'"{column}"' for column in columns)
            self._db.execute(
                f'CREATE TABLE IF NOT EXISTS "{table}" (rowid INTEGER PRIMARY KEY, '
                f"extractor TEXT, {column_sql})"
            )
            self._db.execute(
                "INSERT OR IGNORE INTO record_tables VALUES (?, ?)",
                (table, f"{record_type.__module__}.{record_type.__qualname__}"),
            )
            self._record_tables[table] = columns
        return table

    def add_records(self, extractor: str, records: Iterable[Any]) -> int:
        """Stream one extractor's records into their tables; returns how many."""
        count = 0
        pending: dict[str, list[tuple[Any, ...]]] = {}
        try:
            for record in records:
                table = self.ensure_record_table(type(record))
                row = flatten(record)
                pending.setdefault(table, []).append(
                    (extractor, *(row[column] for column in self._record_tables[table]))
                )
                count += 1
                if len(pending[table]) >= BATCH:
                    self._flush_records(table, pending.pop(table))
        finally:
            # Records yielded before an extractor crashed are kept: they were read correctly.
            for table, rows in pending.items():
                self._flush_records(table, rows)
        return count

    def _flush_records(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        columns = self._record_tables[table]
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        names = ", ".join(f'"{column}"' for column in columns)
        self._commit(f'INSERT INTO "{table}" (extractor, {names}) VALUES ({marks})', rows)

    def clear_records(self, extractor: str) -> None:
        """Remove what one extractor wrote (before it is re-run on resume)."""
        for (table,) in self._db.execute("SELECT name FROM record_tables").fetchall():
            self._db.execute(f'DELETE FROM "{table}" WHERE extractor = ?', (extractor,))

    def count_records(self, extractor: str) -> int:
        """How many records one extractor has written, over all its tables."""
        return sum(
            int(self.scalar(f'SELECT count(*) FROM "{table}" WHERE extractor = ?', (extractor,)))
            for table in self.record_tables()
        )

    def record_tables(self) -> dict[str, str]:
        """Record table name -> dotted name of its record type."""
        return {row[0]: row[1] for row in self._db.execute("SELECT * FROM record_tables")}

    def records(self, table: str, order: str = "rowid") -> Iterator[sqlite3.Row]:
        """Stream one record table."""
        if table not in self.record_tables():
            return iter(())
        return self.query(f'SELECT * FROM "{table}" ORDER BY {order}')

    def count(self, table: str) -> int:
        """Rows in a table (0 when the table was never created)."""
        exists = self.scalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        return int(self.scalar(f'SELECT count(*) FROM "{table}"')) if exists else 0

    def record_extractor_run(
        self, name: str, files: int, records: int, status: str, seconds: float, error: str | None
    ) -> None:
        """Record how one extractor did."""
        self._db.execute(
            "INSERT OR REPLACE INTO extractor_runs VALUES (?, ?, ?, ?, ?, ?)",
            (name, files, records, status, round(seconds, 3), error),
        )
