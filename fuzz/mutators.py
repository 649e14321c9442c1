"""Hypothesis strategies that turn a real artifact into a hostile variant of itself.

Random bytes rarely get past a parser's first check, so every input starts from a real file
(a seed) and is changed in the ways evidence is damaged or planted:

* text (logs, configs, leases): a token replaced by an awkward value of its kind (numbers
  that overflow, dates that do not exist, empty fields, NULs, 10 000-character words), lines
  duplicated, dropped or cut, a byte flipped, the file re-encoded as UTF-16 or cut short;
* SQLite: values changed to NULL, the wrong type, extreme integers, NaN, huge or invalid-UTF-8
  text, rows deleted or duplicated, a table dropped, then (sometimes) a page of the file
  corrupted or the file cut;
* property lists: a value replaced by another type, a key dropped, a container emptied, the
  plist written back as binary or XML, then (sometimes) bytes flipped;
* anything else (registry hives, binary formats): byte-level flips, inserts, deletions, cuts.
"""

from __future__ import annotations

import copy
import datetime
import math
import plistlib
import re
import sqlite3
from typing import Any

from hypothesis import strategies as st

SQLITE_MAGIC = b"SQLite format 3\x00"
TOKEN = re.compile(rb"\d+|[A-Za-z_]+|\s+|[^\w\s]")
NUMBERS = [
    b"0", b"-1", b"1", b"2147483647", b"2147483648", b"4294967296", b"9223372036854775807",
    b"9223372036854775808", b"-9223372036854775809", b"99999999999999999999999999999999",
    b"1e999", b"-1e999", b"NaN", b"inf", b"0x7fffffff", b"00000000000", b"1.5", b"",
    b"253402300800", b"-62135596800", b"1709283600000000000",
]  # fmt: skip
WORDS = [
    b"", b"A" * 10000, b"\x00", b"\xff\xfe", b"\xc3\x28", b"\xe2\x80\xae", b"<script>",
    b"None", b"null", b"true", b"%s%n%x", b"{{7*7}}", b"..", b"/", b"\\", b"\xf0\x9f\x92\xa5",
    b"Incoming", b"Outgoing", b"connected", b"DHCPACK", b"Client-ID", b"set", b"add", b"=",
    b"UTF-2", b"x-unknown-charset", b"utf-16",
]  # fmt: skip
PUNCTUATION = [
    b"", b"\n", b"\r", b"\r\n", b"\t", b" ", b"\"", b"'", b"[", b"]", b"{", b"}", b"(", b")",
    b"=", b":", b",", b";", b"|", b"#", b"\\", b"-", b".", b"/", b"<", b">", b"\x00", b"\x1b",
]  # fmt: skip
LINES = [
    b"", b"\x00" * 64, b"[", b"[]", b"[Calls]", b"=" * 80, b":" * 80, b"}" * 20, b"{" * 20,
    b"9" * 300, b"A" * 70000, b"\xff" * 16, b"config interface 'x'\n\toption",
    b"2024-02-30 25:61:61.999  ", b"0000-00-00 00:00:00", b"9999-12-31 23:59:59.999999",
]  # fmt: skip
SQL_VALUES: list[Any] = [
    None, 0, -1, 1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, -(2**63), math.nan,
    math.inf, -math.inf, 1e308, -0.0, 0.5, "", " ", "\x00", "A" * 5000, "-1", "NaN",
    "2024-02-30 25:61:61", "9999-12-31", "x" * 100000, "<script>", "\u202e", "{", "[]",
    b"", b"\xff\xfe\x00", b"bplist00", b"\x00" * 32, "+1 (540) 456-1685", "tel:", "null",
]  # fmt: skip
PLIST_VALUES: list[Any] = [
    None, 0, -1, 2**63 - 1, -(2**63), 1.5, math.inf, math.nan, True, "", "A" * 5000,
    "\x00", "\u202e", b"", b"\x00" * 16, [], {}, [None], {"": ""}, {"$class": 99},
    datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31), "2024-02-30",
    plistlib.UID(0), plistlib.UID(2**31), plistlib.UID(10**6),
]  # fmt: skip


def kind_of(data: bytes) -> str:
    """sqlite, plist, text or binary, from the seed's bytes."""
    if data.startswith(SQLITE_MAGIC):
        return "sqlite"
    if data.startswith(b"bplist00") or (b"<plist" in data[:400] and data.lstrip()[:1] == b"<"):
        return "plist"
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or (sample and b"\x00" not in sample):
        return "text"
    return "binary"


fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, exclude_max=True)


def _at(items_or_length, position: float) -> int:
    length = items_or_length if isinstance(items_or_length, int) else len(items_or_length)
    return min(int(position * length), max(length - 1, 0))


# -- bytes ----------------------------------------------------------------------------------------
BYTE_OPS = ("flip", "insert", "delete", "cut", "repeat")
byte_op = st.tuples(
    st.sampled_from(BYTE_OPS), fraction, fraction, st.binary(min_size=1, max_size=16)
)


def apply_byte_ops(data: bytes, ops) -> bytes:
    buffer = bytearray(data)
    for name, where, extent, blob in ops:
        if not buffer:
            buffer.extend(blob)
            continue
        position = _at(len(buffer), where)
        if name == "flip":
            buffer[position] ^= blob[0] or 1
        elif name == "insert":
            buffer[position:position] = blob
        elif name == "delete":
            del buffer[position : position + 1 + int(extent * 64)]
        elif name == "cut":
            del buffer[position:]
        elif name == "repeat":
            piece = buffer[position : position + 1 + int(extent * 256)]
            buffer[position:position] = piece * (1 + int(extent * 8))
    return bytes(buffer)


# -- text -----------------------------------------------------------------------------------------
TEXT_OPS = ("token", "token", "token", "dup_line", "drop_line", "insert_line", "bytes", "utf16")
text_op = st.tuples(
    st.sampled_from(TEXT_OPS),
    fraction,
    st.sampled_from(NUMBERS),
    st.sampled_from(WORDS),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(LINES),
    byte_op,
)


def apply_text_ops(data: bytes, ops) -> bytes:
    for name, where, number, word, punctuation, line, byte in ops:
        if name == "token":
            tokens = TOKEN.findall(data)
            if not tokens:
                data = word
                continue
            index = _at(tokens, where)
            token = tokens[index]
            if token[:1].isdigit():
                tokens[index] = number
            elif token[:1].isalpha() or token[:1] == b"_":
                tokens[index] = word
            elif token.isspace():
                tokens[index] = punctuation if punctuation.strip() else b""
            else:
                tokens[index] = punctuation
            data = b"".join(tokens)
        elif name in ("dup_line", "drop_line", "insert_line"):
            lines = data.split(b"\n")
            index = _at(lines, where)
            if name == "dup_line":
                lines.insert(index, lines[index])
            elif name == "drop_line":
                del lines[index]
            else:
                lines.insert(index, line)
            data = b"\n".join(lines)
        elif name == "bytes":
            data = apply_byte_ops(data, [byte])
        elif name == "utf16":
            data = b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le")
    return data


# -- SQLite ---------------------------------------------------------------------------------------
SQL_OPS = ("update_one", "update_one", "update_all", "delete", "duplicate", "drop_table")
sql_op = st.tuples(
    st.sampled_from(SQL_OPS), fraction, fraction, fraction, st.sampled_from(SQL_VALUES)
)
damage_op = st.one_of(st.none(), st.tuples(st.sampled_from(("page", "cut")), fraction, fraction))


def apply_sql_ops(data: bytes, ops, damage) -> bytes:
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.execute("PRAGMA journal_mode=OFF")
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name, table_at, column_at, row_at, value in ops:
            if not tables:
                break
            table = tables[_at(tables, table_at)]
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            rowids = [
                row[0] for row in connection.execute(f'SELECT rowid FROM "{table}" LIMIT 500')
            ]
            column = columns[_at(columns, column_at)] if columns else None
            try:
                if name == "update_one" and rowids and column:
                    connection.execute(
                        f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?',
                        (value, rowids[_at(rowids, row_at)]),
                    )
                elif name == "update_all" and column:
                    connection.execute(f'UPDATE "{table}" SET "{column}" = ?', (value,))
                elif name == "delete" and rowids:
                    connection.execute(
                        f'DELETE FROM "{table}" WHERE rowid = ?', (rowids[_at(rowids, row_at)],)
                    )
                elif name == "duplicate" and rowids:
                    connection.execute(
                        f'INSERT INTO "{table}" SELECT * FROM "{table}" WHERE rowid = ?',
                        (rowids[_at(rowids, row_at)],),
                    )
                elif name == "drop_table":
                    connection.execute(f'DROP TABLE "{table}"')
                    tables.remove(table)
            except sqlite3.Error:
                continue  # a constraint or trigger refused it: try the next change
        connection.commit()
        result = connection.serialize()
    except sqlite3.Error:
        result = data
    finally:
        connection.close()
    if damage is not None:
        name, where, extent = damage
        buffer = bytearray(result)
        if name == "page" and len(buffer) > 100:
            start = 100 + _at(len(buffer) - 100, where)
            for offset in range(start, min(len(buffer), start + 1 + int(extent * 64))):
                buffer[offset] ^= 0x5A
        elif name == "cut":
            del buffer[max(100, _at(len(buffer), where)) :]
        result = bytes(buffer)
    return result


# -- property lists -------------------------------------------------------------------------------
PLIST_OPS = ("replace", "replace", "drop", "empty")
plist_op = st.tuples(st.sampled_from(PLIST_OPS), fraction, st.sampled_from(PLIST_VALUES))


def _nodes(value: Any, found: list) -> list:
    """(container, key) of every value in a plist tree."""
    if isinstance(value, dict):
        for key in value:
            found.append((value, key))
            _nodes(value[key], found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((value, index))
            _nodes(item, found)
    return found


def apply_plist_ops(data: bytes, ops, binary: bool, damage) -> bytes:
    try:
        tree = plistlib.loads(data)
    except Exception:  # noqa: BLE001 - a seed plistlib cannot read is fuzzed as bytes
        return apply_byte_ops(data, [damage] if damage else [])
    for name, where, value in ops:
        nodes = _nodes(tree, [])
        if not nodes:
            break
        container, key = nodes[_at(nodes, where)]
        if name == "replace":
            container[key] = copy.deepcopy(value)  # never the shared list twice: no cycles
        elif name == "drop" and isinstance(container, dict):
            del container[key]
        elif name == "empty":
            container[key] = (
                type(container[key])() if isinstance(container[key], (dict, list)) else None
            )
    try:
        out = plistlib.dumps(
            _writable(tree), fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML
        )
    except (TypeError, ValueError, OverflowError):
        out = data
    return apply_byte_ops(out, [damage]) if damage else out


def _writable(value: Any) -> Any:
    """plistlib cannot write None or NaN in XML: make them strings there."""
    if isinstance(value, dict):
        return {str(key): _writable(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_writable(item) for item in value if item is not None]
    return value


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """A hostile variant of one seed's bytes (see the module docstring)."""
    kind = kind_of(data)
    if kind == "sqlite":
        ops = draw(st.lists(sql_op, min_size=1, max_size=6))
        damage = draw(st.one_of(st.none(), st.none(), st.none(), damage_op))
        return apply_sql_ops(data, ops, damage)
    if kind == "plist":
        ops = draw(st.lists(plist_op, min_size=1, max_size=5))
        damage = draw(st.one_of(st.none(), st.none(), st.none(), byte_op))
        return apply_plist_ops(data, ops, draw(st.booleans()), damage)
    if kind == "text":
        return apply_text_ops(data, draw(st.lists(text_op, min_size=1, max_size=8)))
    return apply_byte_ops(data, draw(st.lists(byte_op, min_size=1, max_size=8)))


# -- container structures ------------------------------------------------------------------------
# Headers and tables of containers (tar headers, zip records, partition tables, EWF sections,
# VM-disk headers) are where a parser trusts numbers; random flips over a whole image rarely
# land there. A structured mutation picks a region the seed says holds structure and writes a
# boundary value of a field's width there, zeroes or flips it, or cuts the file anywhere.
FIELD_VALUES = [
    0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
    0x100000000, 2**62, 2**63 - 1, 2**64 - 1, 512, 4096, 65536,
]  # fmt: skip
STRUCT_OPS = ("field", "field", "field", "flip", "zero", "cut", "cut_region", "delete", "insert")
struct_op = st.tuples(
    st.sampled_from(STRUCT_OPS),
    fraction,  # which region
    fraction,  # where in it
    st.sampled_from(FIELD_VALUES),
    st.sampled_from((1, 2, 4, 8)),
    st.sampled_from(("little", "big")),
    st.binary(min_size=1, max_size=16),
)


def apply_struct_ops(data: bytes, regions: tuple[tuple[int, int], ...], ops) -> bytes:
    """``data`` with each op applied inside one of ``regions`` (byte ranges of structure)."""
    buffer = bytearray(data)
    regions = tuple((start, end) for start, end in regions if end > start) or ((0, len(data)),)
    for name, which, where, value, width, order, blob in ops:
        start, end = regions[_at(len(regions), which)]
        end = min(end, len(buffer))
        if start >= end:
            if name == "insert":
                buffer.extend(blob)
            continue
        position = start + _at(end - start, where)
        if name == "field":
            if width > 1:
                position -= position % width
            buffer[position : position + width] = (value % (1 << (8 * width))).to_bytes(
                width, order
            )
        elif name == "flip":
            buffer[position] ^= blob[0] or 1
        elif name == "zero":
            buffer[position : position + len(blob) * 4] = bytes(
                len(buffer[position : position + len(blob) * 4])
            )
        elif name == "cut":
            del buffer[_at(len(buffer), where) or 1 :]
        elif name == "cut_region":
            del buffer[position:]
        elif name == "delete":
            del buffer[position : position + len(blob)]
        elif name == "insert":
            buffer[position:position] = blob
    return bytes(buffer)


@st.composite
def mutated_structure(draw, data: bytes, regions: tuple[tuple[int, int], ...]) -> bytes:
    """A container seed with its structures damaged (see :func:`apply_struct_ops`)."""
    return apply_struct_ops(data, regions, draw(st.lists(struct_op, min_size=1, max_size=6)))
