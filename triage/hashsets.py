"""Hash sets (``--hashset FILE[:known-bad|known-good]``) matched against every hashed file.

Formats, recognised from content, never from the name:

* hashdeep / md5deep audit files: ``%%%% HASHDEEP-1.0`` and a ``%%%% size,md5,...,filename``
  line naming the CSV columns (hashdeep manual, "FILE FORMAT").
* ``md5sum``/``sha1sum``/``sha256sum`` output (``<hex>  name``, ``<hex> *name``) and the BSD
  ``--tag`` form (``SHA256 (name) = <hex>``); plain lists of one digest per line (an optional
  name after a comma, tab or spaces). The algorithm follows from the digest's length.
* NIST NSRL RDSv3, the SQLite release: table ``FILE`` (sha256, sha1, md5, crc32, file_name,
  file_size, package_id) with its primary key starting at ``sha256`` (RDSv3 ``schema.sql``).
* NIST NSRL legacy ``NSRLFile.txt``: quoted CSV headed ``"SHA-1","MD5","CRC32","FileName",...``.

Sets run to tens of millions of entries, devices to millions of files, so neither side is held
as Python strings. A text set is streamed once and each digest (as 16-32 raw bytes) is looked up
in the device's own digests, collected from the store in bounded rounds; an RDS database is
asked through its primary-key index, one query per distinct device SHA-256. Hits become
:class:`~triage.records.HashSetHit` records (table ``hashset_hits``) with the file's
provenance; a file is reported once per set, under the strongest algorithm both sides have.

To leave known-good files out of a file view::

    SELECT * FROM files WHERE id NOT IN
      (SELECT source_file_id FROM hashset_hits WHERE label = 'known-good')
"""

from __future__ import annotations

import csv
import logging
import re
import sqlite3
from binascii import unhexlify
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.config import HashSetSpec
from triage.evidence.base import Problem
from triage.names import sqlite_uri
from triage.records import HashSetHit, SourceRef

log = logging.getLogger(__name__)

STAGE = "hashsets"
ALGORITHM_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}
STRENGTH = ("sha256", "sha1", "md5")  # preferred first
MAX_LINE = 1 << 20  # a longer line is garbage, reported and skipped
ROUND_DIGESTS = 2_000_000  # device digests held per round (~100 MB at most)
SAMPLE_BAD_LINES = 3
HEX = re.compile(r"[0-9A-Fa-f]+")
# "<hex>  name", "<hex> *name" (sha256sum --binary), "<hex>,name", "<hex>\tname" or "<hex>"
SUM_LINE = re.compile(
    rb"([0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})(?:(?: \*?|\t|,)\s*(.*))?", re.DOTALL
)
BSD_LINE = re.compile(r"^(MD5|SHA1|SHA-1|SHA256|SHA-256) ?\((.*)\) ?= ?([0-9A-Fa-f]+)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
BLOCK = 8 << 20
# A digest-list line in a block: the digest, then a name separator or the end of the line.
BLOCK_DIGEST = re.compile(
    rb"^[ \t]*(?:\xef\xbb\xbf)?([0-9A-Fa-f]{64}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32})"
    rb"(?=[ \t,]|\r?$)",
    re.MULTILINE,
)
BLOCK_SKIP = re.compile(rb"^[ \t]*(?:#.*|\r?)$", re.MULTILINE)  # comments and blank lines

ProblemSink = Callable[[Problem], None]


@dataclass(frozen=True, slots=True)
class SetEntry:
    """One digest of a set: which algorithm, the raw digest bytes, the name the set gives."""

    algorithm: str
    digest: bytes
    name: str | None


class HashSetError(ValueError):
    """The file is not a hash set triage can read."""


# -- format detection ------------------------------------------------------------------------
def detect_format(path: Path) -> str:
    """``nsrl-rds``, ``hashdeep``, ``nsrl-legacy`` or ``digest-list`` from the file's content."""
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024)
    if head.startswith(SQLITE_MAGIC):
        tables = _sqlite_columns(path)
        if {"sha256", "sha1", "md5"} <= tables.get("FILE", set()):
            return "nsrl-rds"
        raise HashSetError(f"{path}: an SQLite file without the NSRL RDSv3 FILE table")
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    lines = [line.strip() for line in text.splitlines()[:50] if line.strip()]
    if lines and lines[0].startswith("%%%% HASHDEEP"):
        return "hashdeep"
    if lines and lines[0].replace(" ", "").upper().startswith('"SHA-1","MD5"'):
        return "nsrl-legacy"
    for line in lines:
        if line.startswith("#"):
            continue
        if _parse_digest_line(line) is not None:
            return "digest-list"
    raise HashSetError(
        f"{path}: not a hash set (expected hashdeep, md5sum/sha*sum, a digest list or NSRL)"
    )


def _sqlite_columns(path: Path) -> dict[str, set[str]]:
    try:
        connection = sqlite3.connect(sqlite_uri(path, "mode=ro&immutable=1"), uri=True)
        try:
            names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
            return {
                name: {row[1].lower() for row in connection.execute(f'PRAGMA table_info("{name}")')}
                for name in names
            }
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise HashSetError(f"{path}: SQLite file cannot be read: {error}") from error


# -- readers ---------------------------------------------------------------------------------
class _LineReport:
    """Counts lines that are not digests; reported once per set, with a few samples."""

    def __init__(self) -> None:
        self.count = 0
        self.samples: list[str] = []

    def bad(self, number: int, line: str) -> None:
        self.count += 1
        if len(self.samples) < SAMPLE_BAD_LINES:
            self.samples.append(f"line {number}: {line[:80]!r}")


def _raw_lines(path: Path, report: _LineReport) -> Iterator[tuple[int, bytes]]:
    """Byte lines, stripped, with overlong lines skipped and counted."""
    with open(path, "rb") as handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE)
            if not raw:
                return
            number += 1
            if len(raw) >= MAX_LINE and not raw.endswith(b"\n"):
                report.bad(number, "(line longer than 1 MiB)")
                while raw and not raw.endswith(b"\n"):
                    raw = handle.readline(MAX_LINE)
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # UTF-8 byte order mark
                raw = raw[3:]
            yield number, raw.strip()


def _lines(path: Path, report: _LineReport) -> Iterator[tuple[int, str]]:
    """Text lines, decoded leniently, with overlong lines skipped and counted."""
    for number, raw in _raw_lines(path, report):
        yield number, raw.decode("utf-8", "replace")


def _parse_digest_line(line: str) -> SetEntry | None:
    bsd = BSD_LINE.match(line)
    if bsd:
        algorithm = bsd[1].lower().replace("-", "")
        entry = _entry(bsd[3], bsd[2])
        return entry if entry and entry.algorithm == algorithm else None
    token, name = _split_first(line)
    return _entry(token, name)


def _split_first(line: str) -> tuple[str, str | None]:
    for separator in (",", "\t", " "):
        token, found, rest = line.partition(separator)
        if found and HEX.fullmatch(token):
            rest = rest.strip()
            if separator == " " and rest.startswith("*"):  # sha256sum --binary
                rest = rest[1:]
            return token, rest or None
    return line, None


def _entry(token: str, name: str | None) -> SetEntry | None:
    algorithm = ALGORITHM_BY_LENGTH.get(len(token))
    if algorithm is None or not HEX.fullmatch(token):
        return None
    return SetEntry(algorithm, bytes.fromhex(token), name)


def read_digest_list(path: Path, report: _LineReport) -> Iterator[list[SetEntry]]:
    """md5sum/sha*sum (GNU or BSD) output and plain digest lists.

    Sets run to tens of millions of lines, so the usual line is parsed by one regular
    expression over its bytes; anything else goes the slow, careful way.
    """
    fast = SUM_LINE.fullmatch
    fromhex = bytes.fromhex
    for number, raw in _raw_lines(path, report):
        match = fast(raw)
        if match is not None:
            digest, name = match.group(1, 2)
            yield [
                SetEntry(
                    ALGORITHM_BY_LENGTH[len(digest)],
                    fromhex(digest.decode("ascii")),
                    name.decode("utf-8", "replace") if name else None,
                )
            ]
            continue
        if not raw or raw.startswith(b"#"):
            continue
        line = raw.decode("utf-8", "replace")
        entry = _parse_digest_line(line)
        if entry is None:
            report.bad(number, line)
            continue
        yield [entry]


def read_hashdeep(path: Path, report: _LineReport) -> Iterator[list[SetEntry]]:
    """hashdeep audit file: the ``%%%%`` header names the columns of each CSV line."""
    columns: list[str] = []
    for number, line in _lines(path, report):
        if not line or line.startswith("##"):
            continue
        if line.startswith("%%%%"):
            body = line[4:].strip()
            if not body.upper().startswith("HASHDEEP"):
                columns = [column.strip().lower() for column in body.split(",")]
            continue
        if not columns:
            report.bad(number, line)
            continue
        fields = next(csv.reader([line]))
        if len(fields) < len(columns):
            report.bad(number, line)
            continue
        # The file name is the last column and may itself hold commas.
        named = dict(zip(columns[:-1], fields[: len(columns) - 1], strict=True))
        name = ",".join(fields[len(columns) - 1 :]) if columns[-1] == "filename" else None
        entries = [
            entry
            for algorithm in STRENGTH
            if algorithm in named
            for entry in [_entry(named[algorithm].strip(), name)]
            if entry is not None and entry.algorithm == algorithm
        ]
        if not entries:
            report.bad(number, line)
            continue
        yield entries


def read_nsrl_legacy(path: Path, report: _LineReport) -> Iterator[list[SetEntry]]:
    """NSRLFile.txt: ``"SHA-1","MD5","CRC32","FileName","FileSize",...`` quoted CSV."""
    header: list[str] | None = None
    for number, line in _lines(path, report):
        if not line:
            continue
        try:
            fields = next(csv.reader([line]))
        except csv.Error:
            report.bad(number, line)
            continue
        if header is None:
            header = [field.strip().upper() for field in fields]
            continue
        named = dict(zip(header, fields, strict=False))
        name = named.get("FILENAME")
        entries = [
            entry
            for column, algorithm in (("SHA-1", "sha1"), ("MD5", "md5"))
            for entry in [_entry(named.get(column, "").strip(), name)]
            if entry is not None and entry.algorithm == algorithm
        ]
        if not entries:
            report.bad(number, line)
            continue
        yield entries


TEXT_READERS = {
    "digest-list": read_digest_list,
    "hashdeep": read_hashdeep,
    "nsrl-legacy": read_nsrl_legacy,
}


# -- the device side -------------------------------------------------------------------------
@dataclass
class _Round:
    """The device's distinct digests of one round, as raw bytes per algorithm."""

    digests: dict[str, set[bytes]]

    def size(self) -> int:
        return sum(len(values) for values in self.digests.values())


def _device_rounds(store: Any, algorithms: tuple[str, ...]) -> Iterator[_Round]:
    """The device's digests in rounds of at most :data:`ROUND_DIGESTS` (bounded memory).

    Rounds split the digest space by the first hex digit, so a digest is in exactly one.
    """
    total = int(
        store.scalar(
            "SELECT count(*) FROM files WHERE hashed = 1 AND "
            "(md5 IS NOT NULL OR sha1 IS NOT NULL OR sha256 IS NOT NULL)"
        )
        or 0
    )
    parts = 1
    while total * len(algorithms) / parts > ROUND_DIGESTS and parts < 16:
        parts *= 2
    digits = "0123456789abcdef"
    for part in range(parts):
        chosen = {digit for index, digit in enumerate(digits) if index % parts == part}
        digests: dict[str, set[bytes]] = {algorithm: set() for algorithm in algorithms}
        columns = ", ".join(algorithms)
        for row in store.query(f"SELECT {columns} FROM files WHERE hashed = 1"):
            for algorithm, value in zip(algorithms, row, strict=True):
                if value and value[0] in chosen:
                    digests[algorithm].add(bytes.fromhex(value))
        yield _Round(digests)


def _device_algorithms(store: Any) -> tuple[str, ...]:
    return tuple(
        algorithm
        for algorithm in STRENGTH
        if store.scalar(f"SELECT 1 FROM files WHERE {algorithm} IS NOT NULL LIMIT 1")
    )


# -- matching --------------------------------------------------------------------------------
def _match_text(
    path: Path, fmt: str, store: Any, algorithms: tuple[str, ...], report: _LineReport
) -> dict[tuple[str, str], str | None]:
    """Stream a text set once per round; (algorithm, hex digest) -> the set's name for it."""
    hits: dict[tuple[str, str], str | None] = {}
    reader = TEXT_READERS[fmt]
    for number, device in enumerate(_device_rounds(store, algorithms)):
        if not device.size():
            continue
        round_report = report if number == 0 else _LineReport()
        if fmt == "digest-list":
            _match_digest_list(path, device, algorithms, round_report, hits)
            continue
        for entries in reader(path, round_report):
            # The strongest algorithm the device computed decides; weaker ones are not needed.
            entry = next((e for e in entries if e.algorithm in algorithms), None)
            if entry is not None and entry.digest in device.digests[entry.algorithm]:
                hits.setdefault((entry.algorithm, entry.digest.hex()), entry.name)
    return hits


def _match_digest_list(
    path: Path,
    device: _Round,
    algorithms: tuple[str, ...],
    report: _LineReport,
    hits: dict[tuple[str, str], str | None],
) -> None:
    """A digest list in 8 MiB blocks: one regular expression finds every line's digest.

    Only a block with a line that is not a digest, a comment or blank goes line by line (to
    count and sample the bad lines); the name a set gives is read for hits only. About five
    times the line-by-line rate, which matters at NSRL sizes.
    """
    line_number = 0
    with open(path, "rb") as handle:
        while True:
            block = handle.read(BLOCK)
            if not block:
                return
            if not block.endswith(b"\n"):
                block += handle.readline(MAX_LINE)
            body = block[:-1] if block.endswith(b"\n") else block  # no empty last "line"
            lines = body.count(b"\n") + 1
            tokens = BLOCK_DIGEST.findall(body)
            if len(tokens) + len(BLOCK_SKIP.findall(body)) != lines:
                _match_lines(block, line_number, device, algorithms, report, hits)
            else:
                wanted = {
                    length: device.digests[name]
                    for length, name in ALGORITHM_BY_LENGTH.items()
                    if name in algorithms
                }
                for token in tokens:
                    digests = wanted.get(len(token))
                    if digests is not None and unhexlify(token) in digests:
                        algorithm = ALGORITHM_BY_LENGTH[len(token)]
                        digest = unhexlify(token)
                        key = (algorithm, digest.hex())
                        if key not in hits:
                            hits[key] = _name_in_block(block, token)
            line_number += lines


def _match_lines(
    block: bytes,
    first: int,
    device: _Round,
    algorithms: tuple[str, ...],
    report: _LineReport,
    hits: dict[tuple[str, str], str | None],
) -> None:
    for offset, raw in enumerate(block.split(b"\n"), start=first + 1):
        line = raw.strip().decode("utf-8", "replace").lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if len(raw) > MAX_LINE:
            report.bad(offset, "(line longer than 1 MiB)")
            continue
        entry = _parse_digest_line(line)
        if entry is None:
            report.bad(offset, line)
        elif entry.algorithm in algorithms and entry.digest in device.digests[entry.algorithm]:
            hits.setdefault((entry.algorithm, entry.digest.hex()), entry.name)


def _name_in_block(block: bytes, token: bytes) -> str | None:
    start = block.find(token)
    end = block.find(b"\n", start)
    line = block[block.rfind(b"\n", 0, start) + 1 : len(block) if end < 0 else end]
    entry = _parse_digest_line(line.strip().decode("utf-8", "replace").lstrip("\ufeff"))
    return entry.name if entry else None


def _match_rds(path: Path, store: Any, algorithms: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """Ask the RDS database for each distinct device digest through its sha256 index."""
    hits: dict[tuple[str, str], str] = {}
    algorithm = next((name for name in STRENGTH if name in algorithms), None)
    if algorithm is None:
        return hits
    connection = sqlite3.connect(sqlite_uri(path, "mode=ro&immutable=1"), uri=True)
    try:
        query = f"SELECT file_name FROM FILE WHERE {algorithm} = ? LIMIT 1"
        for (value,) in store.query(
            f"SELECT DISTINCT {algorithm} FROM files WHERE {algorithm} IS NOT NULL"
        ):
            # RDS stores upper-case hex; an index lookup needs the exact text.
            row = connection.execute(query, (value.upper(),)).fetchone()
            if row is None and value != value.upper():
                row = connection.execute(query, (value,)).fetchone()
            if row is not None:
                hits[(algorithm, value.lower())] = row[0]
    finally:
        connection.close()
    return hits


def _hit_records(
    store: Any,
    hits: dict[tuple[str, str], str | None],
    spec: HashSetSpec,
    device_name: str,
) -> Iterator[HashSetHit]:
    """One record per file whose digest was found, with the file's provenance."""
    wanted: dict[str, dict[str, str | None]] = {}
    for (algorithm, digest), name in hits.items():
        wanted.setdefault(algorithm, {})[digest] = name
    rows = store.query(  # the partition's volume path: a hit in a snapshot or a BitLocker volume
        "SELECT f.id, f.path, f.partition, f.inode, f.md5, f.sha1, f.sha256, p.layers FROM files f "
        "LEFT JOIN partitions p ON p.idx = f.partition WHERE f.hashed = 1 ORDER BY f.id"
    )
    for file_id, path, partition, inode, md5, sha1, sha256, volume in rows:
        values = {"md5": md5, "sha1": sha1, "sha256": sha256}
        for algorithm in STRENGTH:
            digest = values[algorithm]
            if digest and algorithm in wanted and digest.lower() in wanted[algorithm]:
                yield HashSetHit(
                    source=SourceRef(device_name, path, partition, inode, sha256, file_id, volume),
                    hashset=spec.path.name,
                    label=spec.label,
                    algorithm=algorithm,
                    digest=digest.lower(),
                    set_entry=wanted[algorithm][digest.lower()],
                )
                break


def match_store(
    store: Any,
    specs: tuple[HashSetSpec, ...] | list[HashSetSpec],
    device_name: str,
    output_dir: Path,
    problems: ProblemSink,
) -> int:
    """Match every hash set against the store's files; store the hits; return how many."""
    del output_dir  # everything streams; nothing is written beside the store
    algorithms = _device_algorithms(store)
    total = 0
    for spec in specs:
        if not algorithms:
            problems(Problem(STAGE, "no file was hashed: nothing to match", str(spec.path)))
            break
        try:
            fmt = detect_format(spec.path)
            report = _LineReport()
            if fmt == "nsrl-rds":
                hits: dict[tuple[str, str], str | None] = dict(
                    _match_rds(spec.path, store, algorithms)
                )
            else:
                hits = _match_text(spec.path, fmt, store, algorithms, report)
        except (OSError, HashSetError, sqlite3.DatabaseError, UnicodeError) as error:
            problems(Problem(STAGE, f"hash set cannot be read: {error}", str(spec.path)))
            continue
        if report.count:
            problems(
                Problem(
                    STAGE,
                    f"{report.count} line(s) are not {fmt} entries and were skipped "
                    f"({'; '.join(report.samples)})",
                    str(spec.path),
                    severity="warning",
                )
            )
        count = store.add_records(STAGE, _hit_records(store, hits, spec, device_name))
        log.info("hash set %s (%s, %s): %d hits", spec.path, fmt, spec.label, count)
        total += count
    return total


def describe(path: Path) -> str:
    """A one-line description of a hash set file (format and entry count), for the CLI/logs."""
    fmt = detect_format(path)
    if fmt == "nsrl-rds":
        connection = sqlite3.connect(sqlite_uri(path, "mode=ro&immutable=1"), uri=True)
        try:
            count = connection.execute("SELECT count(*) FROM FILE").fetchone()[0]
        finally:
            connection.close()
    else:
        count = sum(1 for _ in TEXT_READERS[fmt](path, _LineReport()))
    return f"{path.name}: {fmt}, {count} entries"


__all__ = [
    "HashSetError",
    "SetEntry",
    "describe",
    "detect_format",
    "match_store",
    "read_digest_list",
    "read_hashdeep",
    "read_nsrl_legacy",
]
