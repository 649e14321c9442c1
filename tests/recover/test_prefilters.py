"""The carver's shortcuts say no only where the full checks say no.

Free space is tried at every byte offset, so the carver answers most offsets before parsing:
per-column tables of the one-byte serial types a column accepts (:func:`column_tables`), a
pattern of the first bytes a whole cell can start with (:func:`cell_starts`), and a run of
one-byte types checked at once (:func:`fitting_types`). Properties: each agrees with the
check it stands in for, on any bytes.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.recover.test_cells import SCHEMA, USABLE, encode_cell, rows
from triage.recover.cells import cell_starts, column_tables, fitting_types, free_cell
from triage.recover.format import FormatError, varint
from triage.recover.schema import BLOB, NUMERIC, TEXT, TableSchema

schemas = st.builds(
    lambda kinds, alias: TableSchema(
        "t", 2, tuple(f"c{index}" for index in range(len(kinds))), tuple(kinds), alias
    ),
    st.lists(st.sampled_from([TEXT, NUMERIC, BLOB]), min_size=1, max_size=12),
    st.sampled_from([None, 0]),
)


@given(schemas)
def test_column_tables_are_fits_at(schema: TableSchema) -> None:
    tables = column_tables(schema)
    for index in range(len(schema.columns)):
        assert [bool(flag) for flag in tables[index]] == [
            schema.fits_at(index, serial_type) for serial_type in range(0x80)
        ]


@settings(max_examples=200, deadline=None)
@given(row=rows, noise=st.binary(min_size=64, max_size=64), data=st.data())
def test_cells_start_where_the_pattern_says(row, noise, data) -> None:
    """Wherever a whole cell is found, the start pattern matches (it may match elsewhere)."""
    rowid, *values = row
    cell = encode_cell(rowid, [None, *values])
    page = bytearray(USABLE)
    page[1000 : 1000 + len(noise)] = noise
    page[1064 : 1064 + len(cell)] = cell
    for _ in range(data.draw(st.integers(0, 4))):
        page[data.draw(st.integers(1000, 1064 + len(cell)))] = data.draw(st.integers(0, 255))
    end = data.draw(st.integers(1064 + len(cell) - 8, 1200 + len(cell)))
    starts = cell_starts(SCHEMA)
    for offset in range(990, 1064 + len(cell)):
        if free_cell(bytes(page), offset, end, USABLE, SCHEMA, "utf-8") is not None:
            assert starts.match(bytes(page), offset, end) is not None


def _slow_types(page: bytes, position: int, end: int, schema: TableSchema, first: int, nulls):
    """The serial types read one varint at a time with ``fits_at``: what fitting_types does."""
    types: list[int] = []
    for index in range(first, len(schema.columns)):
        try:
            serial_type, after = varint(page, position, end)
        except FormatError:
            return None
        nulls -= serial_type == 0 and after == position + 1  # a one-byte NULL type
        position = after
        if not schema.fits_at(index, serial_type) or nulls < 0:
            return None
        types.append(serial_type)
    size = sum((0, 1, 2, 3, 4, 6, 8, 8, 0, 0)[t] if t < 10 else (t - 12) // 2 for t in types)
    return types, position, size


@settings(max_examples=300, deadline=None)
@given(
    schema=schemas,
    data=st.binary(min_size=0, max_size=40),
    first=st.integers(0, 1),
    nulls=st.integers(0, 12),
    end=st.integers(0, 40),
)
def test_fitting_types_reads_like_varints(schema, data, first, nulls, end) -> None:
    first = min(first, len(schema.columns) - 1)
    got = fitting_types(data, 0, end, schema, column_tables(schema), first, nulls)
    assert got == _slow_types(data, 0, end, schema, first, nulls)
