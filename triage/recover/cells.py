"""Complete cells of table-leaf pages: at cell pointers, and whole ones left in free space.

A cell a pointer lists is read as SQLite would (overflow pages followed). A whole cell in free
space (:func:`free_cell`) must prove itself: its payload length must equal header plus body
exactly, every serial type must fit its column, and enough columns must be filled. Carving,
where a cell's first bytes were overwritten, is :mod:`triage.recover.carving`.

Free space is tried at every byte offset, so the checks run millions of times on a large
database: one-byte varints (nearly every serial type, payload length and header size) are read
inline, and each column's accepted one-byte serial types are a precomputed table
(:func:`column_tables`); a record is decoded only once its types fit and enough are non-NULL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import getitem

from triage.recover.format import (
    FormatError,
    content_size,
    decode_body,
    local_payload,
    record_header,
    varint,
)
from triage.recover.schema import BLOB, NUMERIC, TEXT, TableSchema

LOST = 4  # bytes of a freed cell a freeblock header overwrites
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


@dataclass(frozen=True, slots=True)
class Listed:
    """A cell a cell pointer lists, its record header read and its values not yet: most cells
    of an old page version belong to no table recovered, which its types tell."""

    offset: int
    end: int
    rowid: int
    types: list[int]
    data: bytes  # the payload (overflow pages joined)
    body: int  # where the record body starts in ``data``
    payload: int

    def cell(self, encoding: str) -> Cell:
        """The decoded cell (FormatError when its values do not decode)."""
        values, stop = decode_body(self.types, self.data, self.body, encoding)
        if stop != self.payload:
            raise FormatError("record size does not match its payload")
        return Cell(
            self.offset, self.end, _signed(self.rowid), tuple(self.types), tuple(values), True
        )


def listed_cell(page: bytes, offset: int, usable: int, overflow: OverflowReader) -> Listed:
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
    return Listed(offset, end, rowid, types, data, body, payload)


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


Tables = tuple[bytes, ...]  # per column, 128 flags: which one-byte serial types it accepts


def _kind_table(affinity: str, alias: bool) -> bytes:
    """The one-byte serial types (0-127) :meth:`TableSchema.fits_at` accepts for a column of
    this affinity (or the rowid alias), as 128 flags."""
    column = TableSchema("", 0, ("c",), (affinity,), 0 if alias else None)
    return bytes(column.fits_at(0, serial_type) for serial_type in range(0x80))


_KIND_TABLES = {
    (kind, alias): _kind_table(kind, alias)
    for kind in (TEXT, NUMERIC, BLOB)
    for alias in (False, True)
}


@lru_cache(maxsize=64)
def column_tables(schema: TableSchema) -> Tables:
    """Per column, which one-byte serial types it accepts: a lookup where the carver would
    call :meth:`TableSchema.fits_at` at every byte (once per table: a pure function)."""
    tables = []
    for index in range(len(schema.columns)):
        key = (schema.affinities[index], index == schema.alias)
        table = _KIND_TABLES.get(key)
        tables.append(table if table is not None else _kind_table(*key))
    return tuple(tables)


# bytes a value of each one-byte serial type takes (the reserved 10 and 11 fit no column)
SIZES = tuple(
    0 if serial_type in (10, 11) else content_size(serial_type) for serial_type in range(0x80)
)


def cell_starts(schema: TableSchema) -> re.Pattern[bytes]:
    """A pattern that matches (``match(page, offset, end)``) wherever :func:`free_cell` might
    find a cell of ``schema``: its first checks (payload length 2 or more, rowid 1 or more,
    header size in range, a rowid alias NULL) done in C, for every byte of free space."""
    count = len(schema.columns)
    return _starts(1 + max(1, count // 2), min(0x7F, 1 + 9 * count), schema.alias == 0)


@lru_cache(maxsize=64)
def _starts(low: int, high: int, alias_first: bool) -> re.Pattern[bytes]:
    header = b"[\\x80-\\xff]"
    if low <= high:
        header += b"|[\\x%02x-\\x%02x]" % (low, high) + (b"\\x00" if alias_first else b"")
    varint = b"[\\x80-\\xff]"
    return re.compile(
        b"(?:" + varint + b"|[\\x02-\\x7f](?:" + varint + b"|[\\x01-\\x7f](?:" + header + b")))"
    )


def free_cell(
    page: bytes,
    offset: int,
    end: int,
    usable: int,
    schema: TableSchema,
    encoding: str,
    tables: Tables | None = None,
) -> Cell | None:
    """A complete, non-overflowing cell of ``schema`` at ``offset`` inside ``[offset, end)``:
    payload length and rowid, then a record whose header holds at least half the table's
    columns (rows older than an ALTER TABLE have fewer) and at most all, each type fitting its
    column (a rowid-alias column NULL), and header plus body exactly the payload length."""
    end = min(end, len(page))  # a payload past the page would not decode either
    if offset >= end:
        return None
    payload = page[offset]
    position = offset + 1
    if payload >= 0x80:
        try:
            payload, position = varint(page, offset, end)
        except FormatError:
            return None
    if payload < 2 or payload > usable - 35 or position >= end:
        return None
    rowid = page[position]
    position += 1
    if rowid >= 0x80:
        try:
            rowid, position = varint(page, position - 1, end)
        except FormatError:
            return None
    stop = position + payload
    if rowid < 1 or rowid >= 1 << 63 or stop > end:
        return None
    count = len(schema.columns)
    header = page[position]
    cursor = position + 1
    if header < 0x80:
        if not 1 + max(1, count // 2) <= header <= 1 + 9 * count:
            return None
        if schema.alias == 0 and page[cursor] != 0:
            return None
    else:  # a two-byte header size: a wide table, parsed in full
        try:
            header, cursor = varint(page, position, stop)
        except FormatError:
            return None
    body = position + header
    if header < 2 or body > stop or header > 1 + 9 * count:
        return None
    types = _header_types(page, cursor, body, schema, tables or column_tables(schema))
    if types is None or sum(_size(serial_type) for serial_type in types) + header != payload:
        return None
    values = decoded(page, body, types, schema, encoding)
    if values is None:
        return None
    return Cell(offset, stop, rowid, tuple(types), tuple(values), True)


def _size(serial_type: int) -> int:
    return SIZES[serial_type] if serial_type < 0x80 else content_size(serial_type)


def _header_types(
    page: bytes, position: int, body: int, schema: TableSchema, tables: Tables
) -> list[int] | None:
    """The serial types of a record header ending at ``body``, each fitting its column (no
    more than the table's columns); None otherwise."""
    count = len(tables)
    nulls = count - filled_needed(count)  # more NULLs than this: too few filled (decoded)
    window = page[position:body]
    if window.count(0) > nulls and window.isascii():
        return None  # one byte per type: too many NULLs (zeroed space), told without a loop
    types: list[int] = []
    while position < body:
        index = len(types)
        if index >= count:
            return None
        byte = page[position]
        if byte < 0x80:
            if not tables[index][byte]:
                return None
            if not byte:
                nulls -= 1
                if nulls < 0:
                    return None
            types.append(byte)
            position += 1
            continue
        try:
            serial_type, position = varint(page, position, body)
        except FormatError:
            return None
        if not schema.fits_at(index, serial_type):
            return None
        types.append(serial_type)
    return types


def filled_needed(count: int) -> int:
    """Columns a row found in free space must have filled (see :func:`decoded`)."""
    return max(2, count // 4)


def decoded(
    page: bytes, body: int, types: list[int], schema: TableSchema, encoding: str
) -> list[object] | None:
    """The values of a record whose types fit, or None when they do not decode or too few are
    filled: zeroed or stale bytes decode as rows of NULLs, so a row found in free space needs a
    quarter of its columns (and at least two) filled; only NULL has serial type 0."""
    if len(types) - types.count(0) < filled_needed(len(schema.columns)):
        return None
    try:
        values, _stop = decode_body(types, page, body, encoding)
    except FormatError:
        return None
    return values


def stale_freeblock(page: bytes, offset: int, usable: int) -> bool:
    """Whether 4 bytes look like a freeblock header left behind (a page emptied of all its
    cells gets a fresh header, but its dropped cells keep the freeblock headers written over
    them): next offset 0 or after this one, size at least 4 and inside the page."""
    following = int.from_bytes(page[offset : offset + 2], "big")
    size = int.from_bytes(page[offset + 2 : offset + 4], "big")
    return (following == 0 or offset < following < usable) and 4 <= size <= usable - offset


def fitting_types(
    page: bytes,
    position: int,
    end: int,
    schema: TableSchema,
    tables: Tables,
    first: int,
    nulls: int,
) -> tuple[list[int], int, int] | None:
    """The serial types of columns ``first``... read from ``position`` (none past ``end``),
    each fitting its column and at most ``nulls`` of them NULL: (types, where the record body
    starts, the body's size); None otherwise."""
    count = len(tables)
    limit = min(end, len(page))
    window = page[position : position + count - first]
    if window.isascii():  # one byte per type (most headers): checked without a Python loop
        if window.count(0) > nulls:
            return None  # too many NULLs (zeroed space)
        if position + len(window) <= limit and len(window) == count - first:
            if not all(map(getitem, tables[first:], window)):
                return None
            return list(window), position + len(window), sum(map(SIZES.__getitem__, window))
    types: list[int] = []
    size = 0
    for index in range(first, count):
        if position >= limit:
            return None
        byte = page[position]
        if byte < 0x80:
            if not tables[index][byte]:
                return None  # most misreadings end here, at their first impossible column
            if not byte:
                nulls -= 1
                if nulls < 0:
                    return None
            types.append(byte)
            size += SIZES[byte]
            position += 1
            continue
        try:
            serial_type, position = varint(page, position, end)
        except FormatError:
            return None
        if not schema.fits_at(index, serial_type):
            return None
        types.append(serial_type)
        size += content_size(serial_type)
    return types, position, size
