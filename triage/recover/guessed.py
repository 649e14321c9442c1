"""Carving a freed cell whose first serial type the freeblock header overwrote.

A table whose first column is not the rowid alias (Chromium's ``keyword_search_terms``) loses,
in a short cell (payload, rowid and header size one byte each), its first column's serial type
to the 4-byte freeblock header. :func:`guessed_cell` guesses it from the types the column may
hold and keeps a guess only where the cell then ends exactly where a cell may end
(:func:`_exact_ends`). Where a stale freeblock header may start is found for the whole region at
once (numpy): its size field must reach exactly to the region's end.
"""

from __future__ import annotations

import numpy as np

from triage.recover.cells import (
    LOST,
    SIZES,
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
from triage.recover.format import content_size, varint_length
from triage.recover.schema import NUMERIC, TableSchema


def guessed_cell(
    page: bytes,
    offset: int,
    end: int,
    usable: int,
    schema: TableSchema,
    encoding: str,
    tables: Tables | None = None,
) -> Cell | None:
    """A freed cell whose payload length, rowid and header size took one byte each, so the
    freeblock header also overwrote its first serial type (a table whose first column is not
    the rowid alias, e.g. Chromium's ``keyword_search_terms``). The lost type is guessed from
    the types the first column may hold; a guess stands only where the cell then ends exactly
    at the end of its free block (or at a stale freeblock header that ends it), its header and
    payload lengths fit in one byte each, and every column decodes and fits. Two guesses that
    both fit are no row: the value cannot be told."""
    tables = tables or column_tables(schema)
    found: dict[tuple[object, ...], Cell] = {}
    for type_bytes in (1, 2):  # the lost type is one byte, or two with the low one intact
        if type_bytes == 2 and (offset + LOST >= end or page[offset + LOST] >= 0x80):
            continue
        rest = _rest_types(page, offset + LOST + type_bytes - 1, end, schema, tables)
        if rest is None:
            continue
        types, body, rest_size = rest
        header = 1 + type_bytes + body - (offset + LOST + type_bytes - 1)
        # the first value's size: a payload under 0x80, and at most 8 bytes for a number
        longest = 8 if schema.affinities[0] == NUMERIC else 0x7F - header - rest_size
        ends = _exact_ends(page, body + rest_size, end, usable, schema, encoding, tables, longest)
        for cell_end in ends:
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
    if len(found) != 1:
        return None
    cell = next(iter(found.values()))
    count = len(schema.columns)
    return None if _blank(cell.values) > count - filled_needed(count) else cell


def _rest_types(
    page: bytes, position: int, end: int, schema: TableSchema, tables: Tables
) -> tuple[list[int], int, int] | None:
    """The intact serial types of columns 1..., where the record body starts, its size."""
    nulls = len(tables) - filled_needed(len(tables))  # more: too few filled (cells.decoded)
    return fitting_types(page, position, end, schema, tables, 1, nulls)


def _exact_ends(
    page: bytes,
    least: int,
    end: int,
    usable: int,
    schema: TableSchema,
    encoding: str,
    tables: Tables,
    longest: int,
) -> list[int]:
    """Where a freed cell may end: at its free block's end, where a stale freeblock header (a
    freed cell merged into this block) starts and reaches exactly to that end, or, at most
    ``longest`` bytes on, where a whole cell of the same table starts (cells freed one after
    another, left in the unallocated gap when SQLite rebuilt the page)."""
    ends = [end] if least <= end else []
    last = end - LOST  # the last position a 4-byte header fits before the end
    if last < least:
        return ends
    found = {
        position
        for position in _sized_to(page, least, last, end)
        if stale_freeblock(page, position, usable)
    }
    starts = cell_starts(schema)
    for position in range(least, min(least + longest, last) + 1):
        if position in found or starts.match(page, position, end) is None:
            continue
        if free_cell(page, position, end, usable, schema, encoding, tables) is not None:
            found.add(position)
    ends.extend(sorted(found))
    return ends


def _sized_to(page: bytes, least: int, last: int, end: int) -> list[int]:
    """Positions in ``[least, last]`` whose 2-byte size field (bytes 2-3) is ``end - position``."""
    fast_last = min(last, len(page) - LOST)
    positions: list[int] = []
    if fast_last >= least:
        data = np.frombuffer(page, dtype=np.uint8)
        sizes = data[least + 2 : fast_last + 3].astype(np.int64) * 256
        sizes += data[least + 3 : fast_last + 4]
        wanted = np.arange(end - least, end - fast_last - 1, -1, dtype=np.int64)
        positions = (np.flatnonzero(sizes == wanted) + least).tolist()
    for position in range(max(least, fast_last + 1), last + 1):  # a page shorter than ``end``
        if position + int.from_bytes(page[position + 2 : position + 4], "big") == end:
            positions.append(position)
    return positions


def _first_types(schema: TableSchema, size: int, type_bytes: int) -> list[int]:
    """Serial types of the first column whose value takes ``size`` bytes."""
    numbers = [serial_type for serial_type in range(10) if SIZES[serial_type] == size]
    candidates = [*numbers, 12 + 2 * size, 13 + 2 * size]
    return [
        serial_type
        for serial_type in candidates
        if varint_length(serial_type) == type_bytes and schema.fits_at(0, serial_type)
    ]


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
    values = decoded(page, body, types, schema, encoding)
    if values is None:
        return None
    end = body + sum(SIZES[t] if t < 0x80 else content_size(t) for t in types)
    return Cell(offset, end, None, tuple(types), tuple(values), False, payload)


def _blank(values: list[object]) -> int:
    """Values a guess may have read from nothing: NULL, and zero, which zeroed or overwritten
    bytes decode to as readily once the first type is guessed (found by Hypothesis: a freed
    search term's own serial types, ``0d 05 0d 00``, look like a stale freeblock header, and
    behind it a guessed row ``(0, 0, None, None)`` ended exactly at the block's end)."""
    return sum(value is None or value == 0 for value in values)
