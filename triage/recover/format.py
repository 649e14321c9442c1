"""The pieces of the SQLite file format recovery reads by hand: varints, records, b-tree pages.

SQLite itself shows only the live rows; the deleted ones sit in bytes its API never returns (old
page versions, freeblocks, freelist pages), so those bytes are parsed here, following the file
format document (https://www.sqlite.org/fileformat2.html). Everything takes ``bytes`` and offsets
and raises :class:`FormatError` on anything that does not fit, because the input is free space
and half-overwritten cells: a parse that fails is the normal case, not an error to report.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

LEAF_TABLE = 0x0D
INTERIOR_TABLE = 0x05
HEADER_SIZE = 100
MAX_PAYLOAD = 1 << 24  # no record of the tables recovered is near 16 MiB
ENCODINGS = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}


class FormatError(ValueError):
    """Bytes that are not what the format says should be there."""


def varint(data: bytes, offset: int, end: int | None = None) -> tuple[int, int]:
    """A SQLite varint at ``offset``: (value, offset after it)."""
    limit = len(data) if end is None else min(end, len(data))
    value = 0
    for index in range(9):
        position = offset + index
        if position >= limit:
            raise FormatError("varint runs past the end")
        byte = data[position]
        if index == 8:
            return (value << 8) | byte, position + 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position + 1
    raise FormatError("unreachable")  # pragma: no cover


def varint_length(value: int) -> int:
    """How many bytes the varint encoding of a non-negative value takes."""
    if value < 0 or value > 0xFFFFFFFFFFFFFFFF:
        return 9
    length = 1
    while value >= 0x80 and length < 9:
        value >>= 7
        length += 1
    return length


_INT_SIZES = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0}


def content_size(serial_type: int) -> int:
    """Bytes a value of this serial type takes in the record body."""
    if serial_type in _INT_SIZES:
        return _INT_SIZES[serial_type]
    if serial_type in (10, 11):
        raise FormatError("reserved serial type")
    return (serial_type - 12) // 2 if serial_type % 2 == 0 else (serial_type - 13) // 2


def decode_value(serial_type: int, data: bytes, offset: int, encoding: str) -> object:
    """One value of a record body (text decoded strictly: bad text is not a record)."""
    size = content_size(serial_type)
    chunk = data[offset : offset + size]
    if len(chunk) != size:
        raise FormatError("value runs past the end")
    if serial_type == 0:
        return None
    if 1 <= serial_type <= 6:
        return int.from_bytes(chunk, "big", signed=True)
    if serial_type == 7:
        value = struct.unpack(">d", chunk)[0]
        if value != value:
            raise FormatError("NaN")
        return value
    if serial_type in (8, 9):
        return serial_type - 8
    if serial_type % 2 == 0:
        return bytes(chunk)
    try:
        return chunk.decode(encoding)
    except UnicodeDecodeError as error:
        raise FormatError("text is not valid in the database encoding") from error


def record_header(
    data: bytes, offset: int, end: int, max_columns: int = 1 << 16
) -> tuple[list[int], int]:
    """The serial types of a record whose header starts at ``offset``; and where its body starts
    (``max_columns`` ends a parse of free space early: a header longer than the table's is not
    one of its records)."""
    header_size, position = varint(data, offset, end)
    header_end = offset + header_size
    if header_size < 2 or header_end > end or header_size > 1 + 9 * max_columns:
        raise FormatError("bad record header size")
    types: list[int] = []
    limit = min(header_end, len(data))
    while position < header_end:
        if len(types) >= max_columns:
            raise FormatError("more columns than the table has")
        if position < limit and data[position] < 0x80:  # a one-byte type, most of them
            serial_type = data[position]
            position += 1
            if serial_type in (10, 11):
                raise FormatError("reserved serial type")
        else:
            serial_type, position = varint(data, position, header_end)
            content_size(serial_type)
        types.append(serial_type)
    if position != header_end:
        raise FormatError("record header overruns its size")
    return types, header_end


def decode_body(
    types: list[int], data: bytes, offset: int, encoding: str
) -> tuple[list[object], int]:
    """The values of a record body at ``offset``; and where the body ends (the common types
    decoded inline: this runs for every candidate record of every page)."""
    values: list[object] = []
    append = values.append
    limit = len(data)
    for serial_type in types:
        if serial_type == 0:
            append(None)
            continue
        if serial_type in (8, 9):
            append(serial_type - 8)
            continue
        if 1 <= serial_type <= 6:
            size = _INT_SIZES[serial_type]
            if offset + size > limit:
                raise FormatError("value runs past the end")
            append(int.from_bytes(data[offset : offset + size], "big", signed=True))
            offset += size
            continue
        if serial_type >= 12:  # text (odd) or blob (even)
            size = (serial_type - 12) >> 1
            if offset + size > limit:
                raise FormatError("value runs past the end")
            chunk = data[offset : offset + size]
            if serial_type & 1:
                try:
                    append(chunk.decode(encoding))
                except UnicodeDecodeError as error:
                    raise FormatError("text is not valid in the database encoding") from error
            else:
                append(bytes(chunk))
            offset += size
            continue
        append(decode_value(serial_type, data, offset, encoding))
        offset += content_size(serial_type)
    return values, offset


def body_size(types: list[int]) -> int:
    """Bytes the body of a record with these serial types takes."""
    return sum(content_size(serial_type) for serial_type in types)


@dataclass(frozen=True, slots=True)
class DatabaseHeader:
    """What recovery needs from the 100-byte header of a database file."""

    page_size: int
    reserved: int
    page_count: int
    freelist_trunk: int
    freelist_count: int
    encoding: str

    @property
    def usable(self) -> int:
        """Usable bytes per page (page size less the reserved tail)."""
        return self.page_size - self.reserved


def database_header(data: bytes) -> DatabaseHeader:
    """Parse the file header; a header that is not SQLite's raises FormatError."""
    if len(data) < HEADER_SIZE or not data.startswith(b"SQLite format 3\x00"):
        raise FormatError("not a SQLite database header")
    raw_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if raw_size == 1 else raw_size
    if page_size < 512 or page_size & (page_size - 1):
        raise FormatError(f"bad page size {raw_size}")
    encoding = ENCODINGS.get(int.from_bytes(data[56:60], "big") or 1)
    if encoding is None:
        raise FormatError("unknown text encoding")
    return DatabaseHeader(
        page_size=page_size,
        reserved=data[20],
        page_count=int.from_bytes(data[28:32], "big"),
        freelist_trunk=int.from_bytes(data[32:36], "big"),
        freelist_count=int.from_bytes(data[36:40], "big"),
        encoding=encoding,
    )


@dataclass(frozen=True, slots=True)
class BtreePage:
    """The header of one b-tree page and where its cells are."""

    kind: int
    first_freeblock: int
    cell_count: int
    content_start: int
    cell_pointers: tuple[int, ...]
    pointer_end: int  # first byte after the cell pointer array
    right_child: int | None


def btree_page(page: bytes, number: int) -> BtreePage:
    """Parse a b-tree page header (page 1's starts after the file header)."""
    base = HEADER_SIZE if number == 1 else 0
    if len(page) < base + 8:
        raise FormatError("page too short")
    kind = page[base]
    if kind not in (2, 5, 10, 13):
        raise FormatError(f"not a b-tree page (type {kind})")
    first_freeblock, cell_count, content_start = struct.unpack_from(">HHH", page, base + 1)
    content_start = content_start or 65536
    header_end = base + (12 if kind in (2, 5) else 8)
    pointer_end = header_end + 2 * cell_count
    if pointer_end > len(page):
        raise FormatError("cell pointer array past the page end")
    pointers = struct.unpack_from(f">{cell_count}H", page, header_end)
    right = int.from_bytes(page[base + 8 : base + 12], "big") if kind in (2, 5) else None
    return BtreePage(kind, first_freeblock, cell_count, content_start, pointers, pointer_end, right)


def interior_children(page: bytes, header: BtreePage) -> list[int]:
    """Child page numbers of an interior table page (left pointers, then the right one)."""
    children = [
        int.from_bytes(page[pointer : pointer + 4], "big") for pointer in header.cell_pointers
    ]
    if header.right_child:
        children.append(header.right_child)
    return children


def local_payload(payload: int, usable: int) -> int:
    """Bytes of a table-leaf payload stored on the page itself (the rest overflows)."""
    maximum = usable - 35
    if payload <= maximum:
        return payload
    minimum = ((usable - 12) * 32 // 255) - 23
    local = minimum + ((payload - minimum) % (usable - 4))
    return local if local <= maximum else minimum


def freeblocks(page: bytes, header: BtreePage, usable: int) -> list[tuple[int, int]]:
    """(offset, size) of each freeblock of a page; a broken chain ends the list."""
    blocks: list[tuple[int, int]] = []
    offset = header.first_freeblock
    seen: set[int] = set()
    while offset and offset not in seen and offset + 4 <= usable:
        seen.add(offset)
        following, size = struct.unpack_from(">HH", page, offset)
        if size < 4 or offset + size > usable:
            break
        blocks.append((offset, size))
        if following and following <= offset:
            break
        offset = following
    return blocks
