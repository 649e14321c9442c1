"""Carving cells out of free space, including cells whose first bytes were overwritten.

A deleted row leaves its cell where it was. Without ``secure_delete`` SQLite only links the cell
into the page's freeblock list, writing a 4-byte freeblock header (next offset, size) over the
cell's first bytes: the payload length, the rowid and often the record's header size and first
serial type are gone, the rest is intact. :func:`carve` walks a free region trying, at each
offset, a complete cell (:func:`triage.recover.cells.free_cell`) and, where a freeblock starts
or a carved cell ends, a cell whose first 4 bytes were overwritten: the serial types are read
from byte 4 on for each layout the lost bytes allow, the lost rowid-alias type is NULL by
definition, and the record must fit the table's columns and end inside the region. What fails
any check is not a row. As in :mod:`~triage.recover.cells`, one-byte serial types are checked
against per-column tables inline and a record is decoded only once its types fit.
"""

from __future__ import annotations

import re

from triage.recover.cells import (
    LOST,
    MIN_CARVED_COLUMNS,
    Cell,
    Tables,
    cell_starts,
    column_tables,
    decoded,
    filled_needed,
    fitting_types,
    free_cell,
    stale_freeblock,
)
from triage.recover.format import FormatError, varint, varint_length
from triage.recover.guessed import guessed_cell
from triage.recover.schema import TEXT, TableSchema

_NONZERO = re.compile(rb"[^\x00]")


def headless_cell(
    page: bytes,
    offset: int,
    end: int,
    usable: int,
    schema: TableSchema,
    encoding: str,
    tables: Tables | None = None,
) -> Cell | None:
    """A cell of ``schema`` at ``offset`` whose first 4 bytes were overwritten (tables of fewer
    than 4 columns are not carved so, any few bytes fit two or three numbers, unless 3 columns
    end in a text one: its length and bytes must then fit too, e.g. Chromium's
    ``downloads_url_chains`` (id, chain_index, url))."""
    count = len(schema.columns)
    if count < MIN_CARVED_COLUMNS and not _text_ended(schema):
        return None
    tables = tables or column_tables(schema)
    # the layouts in the order (payload bytes 1-3, then rowid bytes 1-...) tried: each is the
    # start of the serial types, 3 to 9 bytes on; the first whose payload length takes that
    # many bytes is the cell
    layouts: list[Cell | None] = []
    for first_type in range(offset + LOST - 1, offset + 10):
        if first_type == offset + LOST - 1 and schema.alias != 0:
            cell = guessed_cell(page, offset, end, usable, schema, encoding, tables)
            if cell is not None:
                return cell
            layouts.append(None)
            continue
        cell = None
        if _layout_possible(page, offset, first_type, schema):
            cell = _layout(page, offset, end, usable, schema, encoding, first_type, tables)
        if cell is not None and varint_length(cell.payload) == 1:
            return _with_rowid(page, offset, cell, 1, first_type - offset - 2)
        layouts.append(cell)
    for payload_bytes in (2, 3):
        for first_type in range(offset + payload_bytes + 2, offset + 10):
            cell = layouts[first_type - offset - (LOST - 1)]
            if cell is not None and varint_length(cell.payload) == payload_bytes:
                rowid_bytes = first_type - offset - payload_bytes - 1
                return _with_rowid(page, offset, cell, payload_bytes, rowid_bytes)
    return None


def _with_rowid(page: bytes, offset: int, cell: Cell, payload_bytes: int, rowid_bytes: int) -> Cell:
    rowid = _rowid(page, offset, payload_bytes, rowid_bytes)
    return Cell(cell.offset, cell.end, rowid, cell.types, cell.values, False)


def _text_ended(schema: TableSchema) -> bool:
    """Three columns, the last of them text: carved like a wider table."""
    return len(schema.columns) == MIN_CARVED_COLUMNS - 1 and schema.affinities[-1] == TEXT


def _layout_possible(page: bytes, offset: int, first_type: int, schema: TableSchema) -> bool:
    """Cheap checks on the intact bytes of a layout before parsing it: a rowid-alias first
    column has serial type 0, and an intact header-size byte covers every column's type (at
    least a byte each: :func:`_layout` reads them all)."""
    intact = offset + LOST
    if first_type >= len(page):
        return False
    if schema.alias == 0 and first_type >= intact and page[first_type] != 0:
        return False
    if first_type - 1 >= intact:
        size = page[first_type - 1]
        return size < 0x80 and size >= 1 + len(schema.columns)
    return True


def _rowid(page: bytes, offset: int, payload_bytes: int, rowid_bytes: int) -> int | None:
    start = offset + payload_bytes
    if start < offset + LOST:
        return None
    try:
        rowid, stop = varint(page, start)
    except FormatError:
        return None
    return rowid if stop - start == rowid_bytes and rowid > 0 else None


def _layout(
    page: bytes,
    offset: int,
    end: int,
    usable: int,
    schema: TableSchema,
    encoding: str,
    first_type: int,
    tables: Tables,
) -> Cell | None:
    """Try one layout: serial types from ``first_type``, the ones in lost bytes inferred."""
    intact = offset + LOST
    lost = max(0, intact - first_type)  # leading one-byte types inside the overwritten bytes
    if lost > 1 or (lost == 1 and schema.alias != 0):
        return None
    start = max(first_type, intact)
    nulls = len(tables) - filled_needed(len(tables)) - lost  # more: too few filled (decoded)
    found = fitting_types(page, start, end, schema, tables, lost, nulls)
    if found is None:
        return None
    types, position, size = found
    types[:0] = [0] * lost
    header = 1 + position - first_type  # the header-size varint, then the serial types
    if first_type - 1 >= intact and page[first_type - 1] != header:
        return None
    if position + size > end or header + size > usable - 35:
        return None
    values = decoded(page, position, types, schema, encoding)
    if values is None:
        return None
    return Cell(offset, position + size, None, tuple(types), tuple(values), False, header + size)


def _stale_start(page: bytes, start: int, nonzero: int, usable: int) -> int:
    """Where to go on from a run of zeros ending at ``nonzero``: a stale freeblock header whose
    next-offset bytes are zero starts up to 3 bytes before it."""
    for position in range(max(start, nonzero - 3), nonzero):
        if stale_freeblock(page, position, usable):
            return position
    return nonzero


def carve(
    page: bytes,
    start: int,
    end: int,
    usable: int,
    schema: TableSchema,
    encoding: str,
    *,
    freeblock: bool,
) -> list[Cell]:
    """Cells of ``schema`` in the free region ``[start, end)`` of a page."""
    cells: list[Cell] = []
    tables = column_tables(schema)
    starts = cell_starts(schema)
    position = start
    headless = freeblock
    while position < end - LOST:
        if page[position] == 0 and not headless:
            following = _NONZERO.search(page, position, end - LOST)
            if following is None:
                break
            position = _stale_start(page, position, following.start(), usable)
        cell = None
        if starts.match(page, position, end) is not None:
            cell = free_cell(page, position, end, usable, schema, encoding, tables)
        if cell is None and not headless:  # stale_freeblock(page, position, usable), inline
            following = page[position] << 8 | page[position + 1]
            size = page[position + 2] << 8 | page[position + 3]
            headless = (following == 0 or position < following < usable) and (
                4 <= size <= usable - position
            )
        if cell is None and headless:
            cell = headless_cell(page, position, end, usable, schema, encoding, tables)
        if cell is not None and cell.end > position:
            cells.append(cell)
            position = cell.end
            headless = freeblock
            continue
        position += 1
        headless = False
    return cells
