"""The extractor contract and the context every extractor works through.

An extractor declares where its artifact lives (``patterns``, globs relative to the file-system
root, case-insensitive, ``**`` for any number of folders) and, optionally, the SQLite tables that
identify its database wherever it was copied (``sqlite_tables``). The pipeline matches once,
against the store, and hands each extractor its files and an :class:`ExtractionContext`. The
extractor yields records and reports bad rows with ``ctx.problem``; it never prints, never writes
report files and never touches the evidence except through the context.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, ClassVar

from triage.evidence import EvidenceSource, FileRef, Problem
from triage.records import SourceRef
from triage.recover.era import file_system_span
from triage.store import DeviceStore
from triage.timestamps import parse_utc

SQLITE_SIBLINGS = ("-wal", "-journal", "-shm")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file as the store knows it, handed to extractors."""

    id: int
    path: PurePosixPath
    kind: str
    size: int
    allocated: bool
    partition: int | None
    inode: int | None
    sha256: str | None
    mime: str | None
    ref: FileRef
    modified: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> StoredFile:
        """Build from a ``files`` table row."""
        return cls(
            id=row["id"],
            path=PurePosixPath(row["path"]),
            kind=row["kind"],
            size=row["size"],
            allocated=bool(row["allocated"]),
            partition=row["partition"],
            inode=row["inode"],
            sha256=row["sha256"],
            mime=row["mime"],
            ref=FileRef(row["partition"], row["inode"], row["attr_id"], row["member"]),
            modified=row["mtime"],
        )


def glob_to_regex(pattern: str) -> str:
    """Translate one extractor glob to a regex over a root-relative path (no leading '/')."""
    pattern = pattern.lstrip("/")
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:[^/]*/)*")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.find("]", index)
            if end == -1:
                out.append(re.escape("["))
                index += 1
            else:
                out.append(pattern[index : end + 1])
                index = end + 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return "".join(out)


@lru_cache(maxsize=512)
def compile_patterns(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of the globs."""
    if not patterns:
        return re.compile(r"(?!)")
    body = "|".join(f"(?:{glob_to_regex(pattern)})" for pattern in patterns)
    return re.compile(f"^(?:{body})$", re.IGNORECASE | re.DOTALL)


def ends_in_name(patterns: tuple[str, ...], name: str) -> bool:
    """Whether one of the globs ends in exactly this file name (any case).

    Only a literal last part names a file (``History``, ``calllog.db``); one with wildcards
    (``**/RustDesk/log/*.log``) means something only inside its folder. Used for a lone file
    handed over on its own (one-file evidence), which has no parent path to match.
    """
    wanted = name.casefold()
    for pattern in patterns:
        last = pattern.rstrip("/").rsplit("/", 1)[-1]
        if not any(char in last for char in "*?[") and last.casefold() == wanted:
            return True
    return False


def path_matches(patterns: tuple[str, ...], path: PurePosixPath | str) -> bool:
    """Whether a file-system path matches any of the globs."""
    return compile_patterns(patterns).match(str(path).lstrip("/")) is not None


class ExtractionContext:
    """What an extractor may use: reads, private copies, related files, problems, a logger."""

    def __init__(
        self,
        *,
        evidence_name: str,
        source: EvidenceSource,
        store: DeviceStore,
        workdir: Path,
        extractor: str,
        default_region: str | None = None,
        recover: bool = True,
        file_time_span: Callable[[], list[datetime]] | None = None,
    ) -> None:
        self.evidence_name = evidence_name
        self.source = source
        self.store = store
        self.workdir = workdir
        self.extractor = extractor
        self.default_region = default_region
        self.recover = recover  # read deleted rows of SQLite databases too (triage.recover)
        # the file system's span of times (triage.recover.era), read once per scan by its owner
        self._file_time_span = file_time_span
        self.log = logging.getLogger(f"triage.extractors.{extractor}")
        self.problems = 0
        self._volumes: dict[int, str | None] | None = None  # partition -> volume path

    def file_time_span(self) -> list[datetime]:
        """The file system's span of times (:func:`triage.recover.era.file_system_span`): the
        scan's, shared by every extractor, or read here when the context has no scan."""
        if self._file_time_span is None:
            span = file_system_span(self.store)
            self._file_time_span = lambda: span
        return self._file_time_span()

    # -- provenance and problems ------------------------------------------------------------------
    def source_ref(self, file: StoredFile) -> SourceRef:
        """The provenance every record of this file carries."""
        if self._volumes is None:
            rows = self.store.execute("SELECT idx, layers FROM partitions").fetchall()
            self._volumes = {row[0]: row[1] for row in rows}
        volume = self._volumes.get(file.partition) if file.partition is not None else None
        return SourceRef(
            self.evidence_name, str(file.path), file.partition, file.inode, file.sha256, file.id,
            volume,
        )  # fmt: skip

    def problem(
        self, message: str, file: StoredFile | None = None, severity: str = "error"
    ) -> None:
        """Record a problem with this extractor's input; the extraction goes on."""
        self.problems += 1
        self.store.add_problem(
            Problem(
                f"extract:{self.extractor}",
                message,
                str(file.path) if file else None,
                file.partition if file else None,
                file.inode if file else None,
                "warning" if severity == "warning" else "error",
            )
        )

    # -- reading -----------------------------------------------------------------------------------
    def open(self, file: StoredFile) -> BinaryIO:
        """A read-only stream over the file's bytes."""
        return self.source.open_file(file.ref)

    def read_bytes(self, file: StoredFile, limit: int | None = None) -> bytes:
        """The file's bytes (at most ``limit``)."""
        with self.open(file) as stream:
            return stream.read() if limit is None else stream.read(limit)

    def read_text(self, file: StoredFile, limit: int | None = None) -> str:
        """The file as text: UTF-16 when it has a BOM, else UTF-8 with replacement."""
        data = self.read_bytes(file, limit)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16", "replace")
        return data.decode("utf-8-sig", "replace")

    def materialize(self, file: StoredFile, with_siblings: bool = True) -> Path:
        """Copy a file (and its SQLite -wal/-journal/-shm siblings) into a private folder."""
        folder = Path(tempfile.mkdtemp(prefix=f"f{file.id}-", dir=self.workdir))
        target = folder / "data"
        with self.open(file) as stream, open(target, "wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        if with_siblings:
            for suffix, sibling in self.siblings(file, SQLITE_SIBLINGS).items():
                with self.open(sibling) as stream, open(folder / f"data{suffix}", "wb") as out:
                    shutil.copyfileobj(stream, out, 1 << 20)
        return target

    def siblings(self, file: StoredFile, suffixes: tuple[str, ...]) -> dict[str, StoredFile]:
        """Allocated files next to ``file`` named ``<name><suffix>``, by suffix."""
        found: dict[str, StoredFile] = {}
        wanted = {f"{file.path}{suffix}": suffix for suffix in suffixes}
        marks = ", ".join("?" for _ in wanted)
        rows = self.store.execute(
            f"SELECT * FROM files WHERE path IN ({marks}) AND kind = 'file' "
            "AND coalesce(partition, -1) = coalesce(?, -1) ORDER BY allocated DESC, id",
            (*wanted, file.partition),
        )
        for row in rows:
            suffix = wanted[row["path"]]
            found.setdefault(suffix, StoredFile.from_row(row))
        return found

    def find(self, pattern: str, near: StoredFile | None = None) -> list[StoredFile]:
        """Other files of the evidence matching a glob (in ``near``'s partition when given)."""
        regex = compile_patterns((pattern,))
        literal = pattern.rsplit("/", 1)[-1]
        like = "%" if any(ch in literal for ch in "*?[") else f"%{literal}"
        rows = self.store.execute(
            "SELECT * FROM files WHERE kind = 'file' AND path LIKE ?", (like,)
        )
        return [
            StoredFile.from_row(row)
            for row in rows
            if regex.match(row["path"].lstrip("/"))
            and (near is None or row["partition"] == near.partition)
        ]

    @contextmanager
    def sqlite(self, file: StoredFile) -> Iterator[sqlite3.Connection]:
        """A connection to a private copy of a SQLite database with its WAL and journal.

        The copy is opened read-write on purpose: SQLite must build the WAL index (-shm) to see
        transactions still in the WAL, which a read-only open of a copy without -shm refuses.
        The evidence itself is never opened by SQLite.
        """
        path = self.materialize(file)
        with open(path, "rb") as handle:
            if handle.read(16) != SQLITE_MAGIC:
                raise sqlite3.DatabaseError("not a SQLite database (bad header)")
        connection = sqlite3.connect(path)
        connection.row_factory = sqlite3.Row
        connection.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            yield connection
        finally:
            connection.close()


def table_columns(connection: sqlite3.Connection, table: str) -> set[str]:
    """Column names of a table (empty when it does not exist): for schema-version checks."""
    return {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}


def sqlite_tables(connection: sqlite3.Connection) -> set[str]:
    """Table names of a database."""
    return {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }


def profile_user(path: PurePosixPath) -> str | None:
    """The OS user a profile path belongs to (Windows, macOS, Linux, Android user id)."""
    parts = path.parts
    lowered = [part.lower() for part in parts]
    for marker in ("users", "documents and settings", "home"):
        if marker in lowered:
            index = lowered.index(marker)
            if index + 1 < len(parts):
                return parts[index + 1]
    if "systemprofile" in lowered:
        return "SYSTEM"
    for marker in ("user", "user_de"):
        if marker in lowered:
            index = lowered.index(marker)
            if index + 1 < len(parts) and parts[index + 1].isdigit():
                return f"android user {parts[index + 1]}"
    return None


class Extractor:
    """Base of every extractor; subclasses set the class variables and implement ``extract``."""

    name: ClassVar[str]  # stable id used by profiles: "chromium.history"
    description: ClassVar[str]
    record_types: ClassVar[tuple[type, ...]]  # the record kinds it yields (records.py)
    patterns: ClassVar[tuple[str, ...]]  # globs relative to the file-system root
    sqlite_tables: ClassVar[frozenset[str]] = frozenset()  # schema that identifies its database
    priority: ClassVar[int] = 50  # lower runs first (identity runs before what depends on it)

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Optional content check after a path or schema match."""
        return file.kind in ("file", "ads")

    def claims_content(self, head: bytes) -> bool:
        """Whether a lone file (one-file evidence) no pattern names may be this extractor's,
        from its first bytes; ``accepts`` then decides (:mod:`triage.one_file`). Default: no."""
        return False

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[Any]:
        """Yield records from the matched files."""
        raise NotImplementedError


def stored_time(text: str | None):
    """A store time string back to a datetime (for extractors reading file times)."""
    return parse_utc(text)
