"""The hand-written format parser and the carver, against cells encoded here byte by byte.

Property: any record of a table, written as a cell into a page and then freed the way SQLite
frees it (a 4-byte freeblock header over its start), is carved back with the same values; a
cell left whole in free space is read back with its rowid too.
"""

from __future__ import annotations

import sqlite3
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.recover.carving import carve, headless_cell
from triage.recover.cells import free_cell
from triage.recover.format import FormatError, varint, varint_length
from triage.recover.schema import TableSchema, affinity, table_schemas

SCHEMA = TableSchema(
    "calls",
    2,
    ("_id", "number", "date", "duration", "type", "name"),
    ("numeric", "text", "numeric", "numeric", "numeric", "text"),
    0,
)
USABLE = 4096


def encode_varint(value: int) -> bytes:
    """SQLite's big-endian varint (the 9-byte form keeps 8 bits in its last byte)."""
    if value < 0:
        value += 1 << 64
    if value > 0x00FFFFFFFFFFFFFF:
        tail = value & 0xFF
        value >>= 8
        groups = [(value >> (7 * index)) & 0x7F for index in range(8)]
        return bytes(group | 0x80 for group in reversed(groups)) + bytes([tail])
    groups = [value & 0x7F]
    value >>= 7
    while value:
        groups.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(groups))


def encode_value(value: object) -> tuple[int, bytes]:
    if value is None:
        return 0, b""
    if isinstance(value, str):
        data = value.encode()
        return 13 + 2 * len(data), data
    assert isinstance(value, int)
    if value == 0:
        return 8, b""
    if value == 1:
        return 9, b""
    for serial_type, size in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (6, 8)):
        if -(1 << (8 * size - 1)) <= value < 1 << (8 * size - 1):
            return serial_type, value.to_bytes(size, "big", signed=True)
    raise AssertionError(value)


def encode_cell(rowid: int, values: list[object]) -> bytes:
    types, body = zip(*(encode_value(value) for value in values), strict=True)
    header = b"".join(encode_varint(serial_type) for serial_type in types)
    header = encode_varint(len(header) + 1) + header
    payload = header + b"".join(body)
    return encode_varint(len(payload)) + encode_varint(rowid) + payload


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)
rows = st.tuples(
    st.integers(1, (1 << 40)),
    st.one_of(st.none(), texts),
    st.integers(-(1 << 63), (1 << 63) - 1),
    st.one_of(st.none(), st.integers(0, 100000)),
    st.integers(0, 9),
    st.one_of(st.none(), texts),
)


@settings(max_examples=300, deadline=None)
@given(row=rows, offset=st.integers(200, 1500))
def test_freed_cell_is_carved_back(row, offset) -> None:
    rowid, *values = row
    cell = encode_cell(rowid, [None, *values])
    page = bytearray(USABLE)
    page[offset : offset + len(cell)] = cell
    whole = free_cell(bytes(page), offset, offset + len(cell), USABLE, SCHEMA, "utf-8")
    assert whole is not None and whole.rowid == rowid and list(whole.values[1:]) == values
    page[offset : offset + 4] = struct.pack(">HH", 0, len(cell))
    found = carve(bytes(page), offset, offset + len(cell), USABLE, SCHEMA, "utf-8", freeblock=True)
    assert len(found) == 1
    assert list(found[0].values[1:]) == values
    assert found[0].complete is False


def test_two_merged_freed_cells() -> None:
    first = encode_cell(7, [None, "+12025550107", 1709286660000, 33, 1, "Ann"])
    second = encode_cell(8, [None, "+442079460008", 1709291760000, 0, 3, None])
    page = bytearray(USABLE)
    page[1000 : 1000 + len(first) + len(second)] = first + second
    page[1000:1004] = struct.pack(">HH", 0, len(first) + len(second))
    page[1000 + len(first) : 1004 + len(first)] = struct.pack(">HH", 0, len(second))
    found = carve(
        bytes(page), 1000, 1000 + len(first) + len(second), USABLE, SCHEMA, "utf-8", freeblock=True
    )
    assert [cell.values[1] for cell in found] == ["+12025550107", "+442079460008"]


def test_zeroed_free_space_gives_nothing() -> None:
    page = bytes(USABLE)
    assert carve(page, 100, 4000, USABLE, SCHEMA, "utf-8", freeblock=True) == []
    assert headless_cell(page, 100, 4000, USABLE, SCHEMA, "utf-8") is None


def test_values_that_do_not_fit_are_not_a_row() -> None:
    # a text in the integer "date" column: SQLite never writes it there
    cell = encode_cell(3, [None, "+12025550103", "yesterday", 33, 1, "Bob"])
    page = bytearray(USABLE)
    page[500 : 500 + len(cell)] = cell
    assert free_cell(bytes(page), 500, 500 + len(cell), USABLE, SCHEMA, "utf-8") is None


@given(st.integers(0, (1 << 64) - 1))
def test_varint_round_trip(value: int) -> None:
    data = encode_varint(value)
    assert varint(data, 0) == (value, len(data))
    assert varint_length(value) == len(data)


def test_varint_past_the_end() -> None:
    try:
        varint(b"\x81\x81", 0)
    except FormatError:
        return
    raise AssertionError("no error")


def test_affinities_and_rowid_alias() -> None:
    assert [affinity(kind) for kind in ("INTEGER", "LONGVARCHAR", "BLOB", "", "FLOAT")] == [
        "numeric",
        "text",
        "blob",
        "blob",
        "numeric",
    ]
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b)")
    connection.execute("CREATE TABLE u (id INTEGER PRIMARY KEY DESC, a TEXT)")
    connection.execute("CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
    schemas = table_schemas(connection)
    assert schemas["t"].alias == 0 and schemas["t"].affinities == ("numeric", "text", "blob")
    assert schemas["u"].alias is None
    assert "w" not in schemas


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_damaged_pages_give_only_rows_that_fit(data, tmp_path_factory) -> None:
    """Whatever bytes the pages hold, recovery returns rows whose values fit the table, or
    nothing; it never raises on them."""
    from triage.recover import recover_rows  # noqa: PLC0415

    folder = tmp_path_factory.mktemp("damaged")
    path = folder / "calls.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA page_size = 1024")
    connection.execute("PRAGMA secure_delete = OFF")
    connection.execute(
        "CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, date INTEGER, "
        "duration INTEGER, type INTEGER, name TEXT)"
    )
    connection.executemany(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)",
        [(i, f"+1202555{i:04d}", 1709286660000 + i, i, 1, f"n{i}" * i) for i in range(1, 60)],
    )
    connection.execute("DELETE FROM calls WHERE _id % 3 = 0")
    connection.commit()
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 40))):
        raw[data.draw(st.integers(100, len(raw) - 1))] = data.draw(st.integers(0, 255))
    schema = table_schemas(connection)["calls"]
    rows = recover_rows(connection, bytes(raw), None, None, {"calls"})
    connection.close()
    for row in rows:
        assert set(row.values) == set(schema.columns)
        assert isinstance(row.values["number"], str | None)
        assert isinstance(row.values["date"], int | float | None)
