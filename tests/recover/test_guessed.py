"""Carving freed cells whose first serial type the freeblock header overwrote.

A table whose first column is not the rowid alias (Chromium's ``keyword_search_terms``) loses,
in a short cell (payload, rowid and header size one byte each), its first column's serial type
to the 4-byte freeblock header. The carver guesses it from the types the column may hold and
keeps a guess only where the cell then ends exactly at its free block's end. Property: such a
freed cell comes back with its values, or (when the lost type cannot be told: NULL, 0 and 1
take no bytes; an 8-byte value is an integer or a float) not at all; never with other values.
"""

from __future__ import annotations

import struct

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.recover.test_cells import USABLE, encode_cell
from triage.recover.carving import carve
from triage.recover.guessed import guessed_cell
from triage.recover.schema import TableSchema

SEARCHES = TableSchema(
    "keyword_search_terms",
    9,
    ("keyword_id", "url_id", "term", "normalized_term"),
    ("numeric", "numeric", "text", "text"),
    None,
)
CHAINS = TableSchema(
    "chains", 7, ("url", "id", "chain_index", "note"), ("text", "numeric", "numeric", "text"), None
)


def _freed(rowid: int, values: list[object], offset: int = 1000) -> tuple[bytes, int]:
    cell = encode_cell(rowid, values)
    page = bytearray(USABLE)
    page[offset : offset + len(cell)] = cell
    page[offset : offset + 4] = struct.pack(">HH", 0, len(cell))
    return bytes(page), offset + len(cell)


def test_search_term_with_lost_first_type_is_carved_back() -> None:
    values = [2, 3, "How to wipe Phone 3", "how to wipe phone 3"]
    page, end = _freed(3, values)
    (cell,) = carve(page, 1000, end, USABLE, SEARCHES, "utf-8", freeblock=True)
    assert list(cell.values) == values
    assert cell.rowid is None and cell.complete is False


def test_lost_type_that_cannot_be_told_is_no_row() -> None:
    # keyword_id 1 is serial type 9 (no bytes): 0, 1 and NULL all fit, so no value is guessed
    page, end = _freed(3, [1, 3, "How to wipe Phone 3", "how to wipe phone 3"])
    assert guessed_cell(page, 1000, end, USABLE, SEARCHES, "utf-8") is None
    assert carve(page, 1000, end, USABLE, SEARCHES, "utf-8", freeblock=True) == []


def test_two_byte_text_type_of_a_first_text_column() -> None:
    values = ["https://example.com/" + "a" * 40, 4, 1, "x"]  # 60 bytes: serial type 133
    page, end = _freed(5, values)
    (cell,) = carve(page, 1000, end, USABLE, CHAINS, "utf-8", freeblock=True)
    assert list(cell.values) == values


def test_merged_free_block_ends_at_the_stale_header() -> None:
    first = encode_cell(3, [2, 3, "How to wipe Phone 3", "how to wipe phone 3"])
    second = encode_cell(4, [2, 4, "How to wipe Phone 4", "how to wipe phone 4"])
    page = bytearray(USABLE)
    page[1000 : 1000 + len(first) + len(second)] = first + second
    page[1000:1004] = struct.pack(">HH", 0, len(first) + len(second))
    page[1000 + len(first) : 1004 + len(first)] = struct.pack(">HH", 0, len(second))
    end = 1000 + len(first) + len(second)
    found = carve(bytes(page), 1000, end, USABLE, SEARCHES, "utf-8", freeblock=True)
    assert [cell.values[2] for cell in found] == ["How to wipe Phone 3", "How to wipe Phone 4"]


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)


@settings(max_examples=300, deadline=None)
# a freed row's own types (0d 05 0d 00) read as a stale freeblock header, and behind it a
# guessed row of zeros and NULLs; the same row with both guesses 0 and 1 for the first value
@example(rowid=1, keyword=0, url=1 << 40, term="", normalized=None, offset=200)
@example(rowid=1, keyword=0, url=0, term="", normalized=None, offset=200)
@given(
    rowid=st.integers(1, 1 << 20),
    keyword=st.integers(-(1 << 63), (1 << 63) - 1),
    url=st.integers(0, 1 << 40),
    term=texts,
    normalized=st.one_of(st.none(), texts),
    offset=st.integers(200, 3000),
)
def test_freed_search_comes_back_or_not_at_all(rowid, keyword, url, term, normalized, offset):
    values = [keyword, url, term, normalized]
    page, end = _freed(rowid, values, offset)
    found = carve(page, offset, end, USABLE, SEARCHES, "utf-8", freeblock=True)
    assert all(list(cell.values) == values for cell in found)
    if keyword not in (0, 1) and -(1 << 47) <= keyword < 1 << 47:
        # told apart by its size (NULL, 0 and 1 take no bytes; 8 bytes are an integer or a
        # float): the row comes back
        assert len(found) == 1
