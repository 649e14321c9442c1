"""Cells of table-leaf pages: complete ones at cell pointers, carved ones in free space.

A deleted row leaves its cell where it was. Without ``secure_delete`` SQLite only links the cell
into the page's freeblock list, writing a 4-byte freeblock header (next offset, size) over the
cell's first bytes: the payload length, the rowid and often the record's header size and first
serial type are gone, the rest is intact. :func:`carve` walks a free region trying, at each
offset, a complete cell (its payload length must equal header plus body exactly) and, where a
freeblock starts or a carved cell ends, a cell whose first 4 bytes were overwritten: the
serial types are read from byte 4 on for each layout the lost bytes allow, the lost rowid-alias
type is NULL by definition, and the record must fit the table's columns and end inside the
region. What fails any check is not a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from triage.recover.format import (
    FormatError,
    body_size,
    decode_body,
    local_payload,
    record_header,
    varint,
    varint_length,
)
from triage.recover.schema import NUMERIC, TEXT, TableSchema

LOST = 4  # bytes of a freed cell a freeblock header overwrites
_NONZERO = re.compile(rb"[^\x00]")
MIN_CARVED_COLUMNS = 4
OverflowReader = Callable[[int], bytes | None]


@dataclass(frozen=True, slots=True)
class Cell:
    """A decoded table-leaf cell: its offset in the page, rowid (None when lost), values."""

    offset: int
    end: int
    rowid: int | None
    types: tuple[int, ...]
    values: tuple[object, ...]
    complete: bool  # False when its first bytes were overwritten and carved around
    payload: int = 0  # payload length (of a carved cell: implied by its header and body)


def pointer_cell(
    page: bytes, offset: int, usable: int, encoding: str, overflow: OverflowReader
) -> Cell:
    """The cell a cell pointer points to, following overflow pages through ``overflow``."""
    payload, position = varint(page, offset, usable)
    rowid, position = varint(page, position, usable)
    local = local_payload(payload, usable)
    if position + local > usable:
        raise FormatError("cell past the page end")
    data = page[position : position + local]
    end = position + local
    if local < payload:
        data = data + _overflow(page, end, payload - local, overflow)
        end += 4
    types, body = record_header(data, 0, len(data))
    values, stop = decode_body(types, data, body, encoding)
    if stop != payload:
        raise FormatError("record size does not match its payload")
    return Cell(offset, end, _signed(rowid), tuple(types), tuple(values), True)


def _overflow(page: bytes, at: int, missing: int, overflow: OverflowReader) -> bytes:
    number = int.from_bytes(page[at : at + 4], "big")
    chunks: list[bytes] = []
    seen: set[int] = set()
    while missing > 0:
        if not number or number in seen:
            raise FormatError("overflow chain broken")
        seen.add(number)
        data = overflow(number)
        if data is None:
            raise FormatError("overflow page missing")
        chunk = data[4 : 4 + missing]
        chunks.append(chunk)
        missing -= len(chunk)
        number = int.from_bytes(data[0:4], "big")
    return b"".join(chunks)


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _header_start_fits(page: bytes, position: int, schema: TableSchema) -> bool:
    """A cheap first look at a record header before parsing it: its size holds at least half
    the table's columns (rows older than an ALTER TABLE have fewer) and at most all of them,
    and a rowid-alias first column has serial type 0."""
    size = page[position]
    if size >= 0x80:
        return True  # a two-byte header size: a wide table, parsed in full
    count = len(schema.columns)
    if not 1 + max(1, count // 2) <= size <= 1 + 9 * count:
        return False
    return schema.alias != 0 or page[position + 1] == 0


def free_cell(
    page: bytes, offset: int, end: int, usable: int, schema: TableSchema, encoding: str
) -> Cell | None:
    """A complete, non-overflowing cell of ``schema`` at ``offset`` inside ``[offset, end)``."""
    try:
        payload, position = varint(page, offset, end)
        if payload < 2 or payload > usable - 35:
            return None
        rowid, position = varint(page, position, end)
        if rowid < 1 or rowid >= 1 << 63 or position + payload > end:
            return None
        if not _header_start_fits(page, position, schema):
            return None
        types, body = record_header(page, position, position + payload, len(schema.columns))
        if not schema.fits(types) or body_size(types) + body - position != payload:
            return None
        values, stop = decode_body(types, page, body, encoding)
    except FormatError:
        return None
    if not _enough(values, schema):
        return None
    return Cell(offset, stop, rowid, tuple(types), tuple(values), True)


def headless_cell(
    page: bytes, offset: int, end: int, usable: int, schema: TableSchema, encoding: str
) -> Cell | None:
    """A cell of ``schema`` at ``offset`` whose first 4 bytes were overwritten (tables of fewer
    than 4 columns are not carved so, any few bytes fit two or three numbers, unless 3 columns
    end in a text one: its length and bytes must then fit too, e.g. Chromium's
    ``downloads_url_chains`` (id, chain_index, url))."""
    count = len(schema.columns)
    if count < MIN_CARVED_COLUMNS and not _text_ended(schema):
        return None
    layouts: dict[int, Cell | None] = {}
    for payload_bytes in (1, 2, 3):
        for rowid_bytes in range(1, 10 - payload_bytes):
            first_type = offset + payload_bytes + rowid_bytes + 1
            if first_type > offset + 9:
                break
            if first_type == offset + LOST - 1 and schema.alias != 0:
                if first_type not in layouts:
                    layouts[first_type] = guessed_cell(page, offset, end, usable, schema, encoding)
                cell = layouts[first_type]
                if cell is not None:
                    return cell
                continue
            if first_type not in layouts and not _layout_possible(page, offset, first_type, schema):
                layouts[first_type] = None
            if first_type not in layouts:
                layouts[first_type] = _layout(
                    page, offset, end, usable, schema, encoding, first_type, count
                )
            cell = layouts[first_type]
            if cell is not None and varint_length(cell.payload) == payload_bytes:
                rowid = _rowid(page, offset, payload_bytes, rowid_bytes)
                return Cell(cell.offset, cell.end, rowid, cell.types, cell.values, False)
    return None


def _text_ended(schema: TableSchema) -> bool:
    """Three columns, the last of them text: carved like a wider table."""
    return len(schema.columns) == MIN_CARVED_COLUMNS - 1 and schema.affinities[-1] == TEXT


def guessed_cell(
    page: bytes, offset: int, end: int, usable: int, schema: TableSchema, encoding: str
) -> Cell | None:
    """A freed cell whose payload length, rowid and header size took one byte each, so the
    freeblock header also overwrote its first serial type (a table whose first column is not
    the rowid alias, e.g. Chromium's ``keyword_search_terms``). The lost type is guessed from
    the types the first column may hold; a guess stands only where the cell then ends exactly
    at the end of its free block (or at a stale freeblock header that ends it), its header and
    payload lengths fit in one byte each, and every column decodes and fits. Two guesses that
    both fit are no row: the value cannot be told."""
    count = len(schema.columns)
    found: dict[tuple[object, ...], Cell] = {}
    for type_bytes in (1, 2):  # the lost type is one byte, or two with the low one intact
        if type_bytes == 2 and (offset + LOST >= end or page[offset + LOST] >= 0x80):
            continue
        rest = _rest_types(page, offset + LOST + type_bytes - 1, end, schema, count)
        if rest is None:
            continue
        types, body = rest
        header = 1 + type_bytes + body - (offset + LOST + type_bytes - 1)
        rest_size = body_size(types)
        # the first value's size: a payload under 0x80, and at most 8 bytes for a number
        longest = 8 if schema.affinities[0] == NUMERIC else 0x7F - header - rest_size
        whole = partial(free_cell, page, end=end, usable=usable, schema=schema, encoding=encoding)
        for cell_end in _exact_ends(page, body + rest_size, end, usable, whole, longest):
            first_size = cell_end - body - rest_size
            payload = header + first_size + rest_size
            if header >= 0x80 or payload >= 0x80 or payload > usable - 35:
                continue
            for first in _first_types(schema, first_size, type_bytes):
                if type_bytes == 2 and first & 0x7F != page[offset + LOST]:
                    continue
                cell = _guess(page, offset, schema, encoding, [first, *types], body, payload)
                if cell is not None and cell.end == cell_end:
                    found[cell.values] = cell
    return next(iter(found.values())) if len(found) == 1 else None


def _rest_types(
    page: bytes, position: int, end: int, schema: TableSchema, count: int
) -> tuple[list[int], int] | None:
    """The intact serial types of columns 1... and where the record body starts."""
    types: list[int] = []
    try:
        while len(types) < count - 1:
            serial_type, position = varint(page, position, end)
            if not schema.fits_at(len(types) + 1, serial_type):
                return None
            types.append(serial_type)
    except FormatError:
        return None
    return types, position


def _exact_ends(
    page: bytes,
    least: int,
    end: int,
    usable: int,
    whole: Callable[..., Cell | None],
    longest: int,
) -> list[int]:
    """Where a freed cell may end: at its free block's end, where a stale freeblock header (a
    freed cell merged into this block) starts and reaches exactly to that end, or, at most
    ``longest`` bytes on, where a whole cell of the same table starts (``whole``: cells freed
    one after another, left in the unallocated gap when SQLite rebuilt the page)."""
    ends = [end] if least <= end else []
    for position in range(least, end - LOST + 1):
        size = int.from_bytes(page[position + 2 : position + 4], "big")
        stale = position + size == end and _stale_freeblock(page, position, usable)
        if stale or (position <= least + longest and whole(offset=position) is not None):
            ends.append(position)
    return ends


def _first_types(schema: TableSchema, size: int, type_bytes: int) -> list[int]:
    """Serial types of the first column whose value takes ``size`` bytes."""
    numbers = [serial_type for serial_type in range(10) if _content(serial_type) == size]
    candidates = [*numbers, 12 + 2 * size, 13 + 2 * size]
    return [
        serial_type
        for serial_type in candidates
        if varint_length(serial_type) == type_bytes and schema.fits_at(0, serial_type)
    ]


def _content(serial_type: int) -> int:
    return body_size([serial_type])


def _guess(
    page: bytes,
    offset: int,
    schema: TableSchema,
    encoding: str,
    types: list[int],
    body: int,
    payload: int,
) -> Cell | None:
    if not schema.fits(types):
        return None
    try:
        values, stop = decode_body(types, page, body, encoding)
    except FormatError:
        return None
    if not _enough(values, schema):
        return None
    return Cell(offset, stop, None, tuple(types), tuple(values), False, payload)


def _layout_possible(page: bytes, offset: int, first_type: int, schema: TableSchema) -> bool:
    """Cheap checks on the intact bytes of a layout before parsing it: a rowid-alias first
    column has serial type 0, and an intact header-size byte covers half the columns or more."""
    intact = offset + LOST
    if first_type >= len(page):
        return False
    if schema.alias == 0 and first_type >= intact and page[first_type] != 0:
        return False
    if first_type - 1 >= intact:
        size = page[first_type - 1]
        return size < 0x80 and size >= 1 + max(1, len(schema.columns) // 2)
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
    count: int,
) -> Cell | None:
    """Try one layout: serial types from ``first_type``, the ones in lost bytes inferred."""
    intact = offset + LOST
    lost = max(0, intact - first_type)  # leading one-byte types inside the overwritten bytes
    if lost > 1 or (lost == 1 and schema.alias != 0):
        return None
    types: list[int] = [0] * lost
    position = max(first_type, intact)
    fits = schema.fits_at
    try:
        while len(types) < count:
            serial_type, position = varint(page, position, end)
            if not fits(len(types), serial_type):
                return None  # most misreadings end here, at their first impossible column
            types.append(serial_type)
    except FormatError:
        return None
    header = 1 + position - first_type  # the header-size varint, then the serial types
    if first_type - 1 >= intact and page[first_type - 1] != header:
        return None
    if not schema.fits(types):
        return None
    size = body_size(types)
    if position + size > end or header + size > usable - 35:
        return None
    try:
        values, stop = decode_body(types, page, position, encoding)
    except FormatError:
        return None
    if not _enough(values, schema):
        return None
    return Cell(offset, stop, None, tuple(types), tuple(values), False, header + size)


def _enough(values: list[object], schema: TableSchema) -> bool:
    """Zeroed or stale bytes decode as rows of NULLs: a carved row needs a quarter of its
    columns (and at least two) filled."""
    filled = sum(value is not None for value in values)
    return filled >= max(2, len(schema.columns) // 4)


def _stale_freeblock(page: bytes, offset: int, usable: int) -> bool:
    """Whether 4 bytes look like a freeblock header left behind (a page emptied of all its
    cells gets a fresh header, but its dropped cells keep the freeblock headers written over
    them): next offset 0 or after this one, size at least 4 and inside the page."""
    following = int.from_bytes(page[offset : offset + 2], "big")
    size = int.from_bytes(page[offset + 2 : offset + 4], "big")
    return (following == 0 or offset < following < usable) and 4 <= size <= usable - offset


def _stale_start(page: bytes, start: int, nonzero: int, usable: int) -> int:
    """Where to go on from a run of zeros ending at ``nonzero``: a stale freeblock header whose
    next-offset bytes are zero starts up to 3 bytes before it."""
    for position in range(max(start, nonzero - 3), nonzero):
        if _stale_freeblock(page, position, usable):
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
    position = start
    headless = freeblock
    while position < end - LOST:
        if page[position] == 0 and not headless:
            following = _NONZERO.search(page, position, end - LOST)
            if following is None:
                break
            position = _stale_start(page, position, following.start(), usable)
        stale = headless or _stale_freeblock(page, position, usable)
        cell = free_cell(page, position, end, usable, schema, encoding)
        if cell is None and stale:
            cell = headless_cell(page, position, end, usable, schema, encoding)
        if cell is not None and cell.end > position:
            cells.append(cell)
            position = cell.end
            headless = freeblock
            continue
        position += 1
        headless = False
    return cells
