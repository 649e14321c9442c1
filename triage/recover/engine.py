"""Recover the rows of chosen tables from every page version and the free space in each.

Which pages to read and how: the current version of a page that a table's b-tree uses holds live
rows, so only its free space (freeblocks, the gap between the cell pointers and the cell content)
is carved; every other version (an old main-file page, a superseded, uncommitted or older-
checkpoint WAL frame, a journal page) and every freelist leaf page is read whole: each cell its
pointer array still lists, then its free space. A page's table is the one whose b-tree uses that
page number now; pages no table uses (freelist, past the end) are matched by schema, and a cell
that fits more than one wanted table is dropped. Identical copies of a page are read once.

The result is raw: rows equal to a live row (same rowid, same values) are dropped here, versions
of one row are merged in :func:`merge_rows` (most fields kept), everything else is left to the
extractor, whose record checks decide what is a record.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from triage.recover.carving import carve
from triage.recover.cells import Cell, listed_cell
from triage.recover.format import (
    HEADER_SIZE,
    LEAF_TABLE,
    BtreePage,
    FormatError,
    btree_page,
    freeblocks,
    interior_children,
)
from triage.recover.schema import TableSchema
from triage.recover.versions import PageVersion, Versions

CONFIDENCE_ORDER = {"high": 3, "medium": 2, "low": 1}
LOST_BYTES = 9  # a carved cell starts at most this far before the whole cell's own start
MAX_TREE_PAGES = 1 << 22


@dataclass(frozen=True, slots=True)
class RecoveredRow:
    """One recovered row: values by column, and where and how it was found."""

    table: str
    rowid: int | None
    values: dict[str, object]
    where: str  # main, wal, journal
    page: int
    offset: int  # byte offset of the cell in that file
    which: str  # "WAL frame 3 (older checkpoint)", "old page version", "journal", + location
    confidence: str  # high: listed cell; medium: whole cell in free space; low: carved
    versions: int = 1  # how many differing versions of this row were found
    cell: int = 0  # offset of the cell inside its page (the same cell in two page versions)

    def filled(self) -> int:
        """How many columns have a value (the merge keeps the fullest version)."""
        return sum(value is not None for value in self.values.values())

    def describe(self) -> str:
        """The source, as the report and records show it."""
        file = {"main": "database file", "wal": "-wal", "journal": "-journal"}[self.where]
        text = f"{self.which}; {file} page {self.page} offset {self.offset}"
        if self.versions > 1:
            text += f"; {self.versions} versions found, the one with most fields kept"
        return text


def table_pages(versions: Versions, schemas: Iterable[TableSchema]) -> dict[int, str]:
    """Which table's b-tree uses each page now (walked over the current page versions)."""
    owners: dict[int, str] = {}
    for schema in schemas:
        stack = [schema.root]
        while stack and len(owners) < MAX_TREE_PAGES:
            number = stack.pop()
            if number in owners or number not in versions.current:
                continue
            owners[number] = schema.name
            data = versions.current[number].data
            try:
                header = btree_page(data, number)
            except FormatError:
                continue
            if header.kind == 5:
                stack.extend(interior_children(data, header))
    return owners


def scan(
    versions: Versions, schemas: dict[str, TableSchema], wanted: set[str]
) -> list[RecoveredRow]:
    """Every row of the ``wanted`` tables found outside the live view (unmerged)."""
    targets = [schemas[name] for name in sorted(wanted) if name in schemas]
    if not targets:
        return []
    owners = table_pages(versions, schemas.values())
    header = versions.header
    rows: list[RecoveredRow] = []
    seen: set[bytes] = set()
    ordered = sorted(versions.versions, key=lambda version: not version.current)
    for version in ordered:
        trunk = version.current and version.number in versions.freelist_trunks
        base = HEADER_SIZE if version.number == 1 else 0
        if not trunk and (len(version.data) <= base or version.data[base] != LEAF_TABLE):
            continue
        owner = owners.get(version.number)
        live = version.current and owner is not None
        if live and owner not in wanted:
            continue
        digest = hashlib.blake2b(version.data, digest_size=16).digest()
        if digest in seen:
            continue
        seen.add(digest)
        if trunk:
            rows.extend(_trunk(version, targets, header.usable, header.encoding))
            continue
        candidates = [schemas[owner]] if owner in wanted else targets
        try:
            page = btree_page(version.data, version.number)
        except FormatError:
            continue
        which = _which(version, versions)
        if not live:
            rows.extend(_listed(version, page, candidates, which, versions))
        rows.extend(_free(version, page, candidates, which, header.usable, header.encoding))
    return rows


def _which(version: PageVersion, versions: Versions) -> str:
    if version.current:
        return "freelist page" if version.number in versions.freelist_leaves else ""
    if version.where == "main":
        if version.number > versions.page_count:
            return "main file page past the end of the database"
        return "old page version (replaced by a WAL frame)"
    return version.state.replace("(committed)", "(superseded)")


def _listed(
    version: PageVersion,
    page: BtreePage,
    candidates: list[TableSchema],
    which: str,
    versions: Versions,
) -> list[RecoveredRow]:
    """The cells a page version's pointer array lists, matched to a table."""
    header = versions.header
    rows = []
    for pointer in page.cell_pointers:
        if pointer >= header.usable:
            continue
        try:
            listed = listed_cell(version.data, pointer, header.usable, _overflow(version, versions))
            schema = _match(listed.types, candidates)
            if schema is None:
                continue  # told by the types alone: values are decoded for a match only
            cell = listed.cell(header.encoding)
        except FormatError:
            continue
        rows.append(_row(schema, cell, version, which, "high"))
    return rows


def _free(
    version: PageVersion,
    page: BtreePage,
    candidates: list[TableSchema],
    which: str,
    usable: int,
    encoding: str,
) -> list[RecoveredRow]:
    """Cells carved from a page version's freeblocks and unallocated gap."""
    regions = [
        (offset, offset + size, True) for offset, size in freeblocks(version.data, page, usable)
    ]
    if page.content_start > page.pointer_end:
        regions.append((page.pointer_end, min(page.content_start, usable), False))
    rows = []
    for start, end, is_block in regions:
        place = "freeblock" if is_block else "unallocated space"
        for schema in candidates:
            found = carve(version.data, start, end, usable, schema, encoding, freeblock=is_block)
            for cell in found:
                confidence = "medium" if cell.complete else "low"
                label = f"{which}, {place}" if which else f"{place} of a live page"
                rows.append(_row(schema, cell, version, label, confidence))
            if found:
                break
    return rows


def _trunk(
    version: PageVersion, candidates: list[TableSchema], usable: int, encoding: str
) -> list[RecoveredRow]:
    """Cells left in a freelist trunk page behind its list of leaf page numbers."""
    count = int.from_bytes(version.data[4:8], "big")
    start = 8 + 4 * count
    rows = []
    for schema in candidates:
        found = carve(version.data, start, usable, usable, schema, encoding, freeblock=False)
        for cell in found:
            confidence = "medium" if cell.complete else "low"
            rows.append(_row(schema, cell, version, "freelist trunk page", confidence))
    return rows


def _match(types: list[int], candidates: list[TableSchema]) -> TableSchema | None:
    """The one candidate table whose columns a cell's serial types fit."""
    fitting = [schema for schema in candidates if schema.fits(types)]
    if len(fitting) > 1:
        exact = [schema for schema in fitting if len(schema.columns) == len(types)]
        fitting = exact
    return fitting[0] if len(fitting) == 1 else None


def _overflow(version: PageVersion, versions: Versions) -> Callable[[int], bytes | None]:
    """Overflow pages from the same file as the cell's page, else the current version (the
    pages of that file are listed only when a cell overflows: few do)."""
    same: dict[int, bytes] = {}

    def read(number: int) -> bytes | None:
        if not same:
            same.update(
                (other.number, other.data)
                for other in versions.versions
                if other.where == version.where
                and (version.frame is None or (other.frame or 0) <= version.frame)
            )
        if number in same:
            return same[number]
        current = versions.current.get(number)
        return current.data if current else None

    return read


def _row(
    schema: TableSchema, cell: Cell, version: PageVersion, which: str, confidence: str
) -> RecoveredRow:
    return RecoveredRow(
        table=schema.name,
        rowid=cell.rowid,
        values=schema.row(cell.rowid, list(cell.values)),
        where=version.where,
        page=version.number,
        offset=version.offset + cell.offset,
        which=which,
        confidence=confidence,
        cell=cell.offset,
    )


def merge_rows(
    rows: list[RecoveredRow], connection: sqlite3.Connection, schemas: dict[str, TableSchema]
) -> list[RecoveredRow]:
    """Drop rows equal to live ones; keep one version per row (the one with most fields)."""
    by_key: dict[tuple[str, int], list[RecoveredRow]] = {}
    loose: dict[tuple, RecoveredRow] = {}
    for row in rows:
        if row.rowid is not None:
            by_key.setdefault((row.table, row.rowid), []).append(row)
        else:
            key = (row.table, row.cell, tuple(row.values.items()))
            if key not in loose or _better(row, loose[key]):
                loose[key] = row
    live = _live_rows(connection, schemas, {key for key in by_key})
    merged: list[RecoveredRow] = []
    for key, versions in by_key.items():
        distinct = {_values_key(row) for row in versions}
        current = live.get(key)
        if current is not None:
            distinct.discard(_values_key_of(current))
            versions = [row for row in versions if _values_key(row) != _values_key_of(current)]
        if not versions:
            continue
        best = max(versions, key=lambda row: (row.filled(), CONFIDENCE_ORDER[row.confidence]))
        merged.append(replace(best, versions=len(distinct)) if len(distinct) > 1 else best)
    # a carved row whose values and place are those of a whole one is that row seen in another
    # page version; the same values elsewhere are another row (sync tables repeat rows)
    known: dict[tuple, list[int]] = {}
    for row in merged:
        known.setdefault((row.table, _values_key(row, skip_alias=schemas)), []).append(row.cell)
    for row in loose.values():
        table = row.table
        places = known.get((table, _values_key(row, skip_alias=schemas)), [])
        if not any(abs(place - row.cell) <= LOST_BYTES for place in places):
            merged.append(row)
    merged.sort(key=lambda row: (row.table, row.rowid is None, row.rowid or 0, row.offset))
    return merged


def _better(row: RecoveredRow, other: RecoveredRow) -> bool:
    return CONFIDENCE_ORDER[row.confidence] > CONFIDENCE_ORDER[other.confidence]


def _values_key(row: RecoveredRow, skip_alias: dict[str, TableSchema] | None = None) -> tuple:
    alias = None
    if skip_alias is not None:
        schema = skip_alias[row.table]
        alias = schema.columns[schema.alias] if schema.alias is not None else None
    return tuple((name, value) for name, value in row.values.items() if name != alias)


def _values_key_of(values: dict[str, object]) -> tuple:
    return tuple(values.items())


def _live_rows(
    connection: sqlite3.Connection,
    schemas: dict[str, TableSchema],
    keys: set[tuple[str, int]],
) -> dict[tuple[str, int], dict[str, object]]:
    """The live rows with the rowids of recovered ones, as column -> value."""
    live: dict[tuple[str, int], dict[str, object]] = {}
    by_table: dict[str, list[int]] = {}
    for table, rowid in keys:
        by_table.setdefault(table, []).append(rowid)
    for table, rowids in by_table.items():
        schema = schemas[table]
        names = ", ".join(f'"{column}"' for column in schema.columns)
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            sql = f'SELECT rowid, {names} FROM main."{table}" WHERE rowid IN ({marks})'
            try:
                cursor = connection.execute(sql, chunk)
                for rowid, *values in cursor:
                    live[(table, rowid)] = schema.row(rowid, values)
            except sqlite3.DatabaseError:
                continue
    return live
