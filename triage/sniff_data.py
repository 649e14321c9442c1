"""``application/octet-stream`` for binary heads none of libmagic's tests can name (issue 19).

libmagic's answer for a buffer (``file_buffer`` in funcs.c, file 5.44, flags MAGIC_MIME_TYPE as
python-magic's ``Magic(mime=True)`` sets them) comes from, in order: its built-in tests (tar
by header checksum, JSON, CSV on text only, CDF/OLE by its header; the ELF reader and the
decompressors are off for a buffer), then its soft magic, then its text tests. Where none of
them answers it prints ``application/octet-stream`` ("data"). So a head is ``data`` to
libmagic when:

- it is not text in any encoding libmagic knows (its trailing NULs dropped, as its text test
  does: ASCII, ISO-8859, extended ASCII and UTF-8 all fall in one byte class; UTF-16/32 need a
  byte-order mark; EBCDIC is checked through libmagic's own translation table);
- no built-in test claims it (:func:`built_in_may_claim`);
- no path of soft-magic lines that could print a MIME type matches it: the clauses generated
  from libmagic's compiled database into :mod:`triage.sniff_level0`
  (``tests/data/sniff/build_magic_level0.py``), each conservative (a test it cannot state is
  assumed to match). On a binary buffer libmagic runs only the tests compiled as binary ones,
  and in MIME mode a match that prints no MIME type leaves the answer ``octet-stream``.

Machine code, data records, database pages, compiled byte code slices: libmagic walks its
~3,500 tests on each (0.35 ms) to say "data"; this says it in ~10-20 us. Anything the clauses
might match (a signature somewhere, a weak one-byte test, text) is left to libmagic.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

import magic

from triage.literal_scan import ACCELERATED, LiteralScan
from triage.sniff_clauses import any_of, function, helpers, holds
from triage.sniff_level0 import (
    CLAUSES,
    GROUPS,
    LOOSE,
    MGC_SIZE,
    SHADOW_GROUPS,
    SHADOWS,
    TOPS,
)

OCTET = "application/octet-stream"
# libmagic's text classes (encoding.c text_chars): T (ASCII text: BEL..CR, ESC, printable
# ASCII), and the high bytes that are I (ISO-8859) or X (extended). Every byte outside them is
# a control byte no text encoding libmagic tries without a BOM has.
TEXT_BYTES = bytes([7, 8, 9, 10, 11, 12, 13, 27, *range(32, 127)])
HIGH_BYTES = bytes(range(128, 256))
TEXTISH = TEXT_BYTES + HIGH_BYTES
# Bytes whose EBCDIC reading (libmagic's ebcdic_to_ascii table) is class T or I.
_EBCDIC_TEXTISH = bytes.fromhex(
    "050b0c0d151625272f" + bytes(range(0x40, 0xE1)).hex() + bytes(range(0xE2, 0x100)).hex()
)
_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16/32: text libmagic may decode
_CDF = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_JSON_BLANKS = b" \t\r\n"
_JSON_VALUES = b'"[]{tfn-.0123456789'  # what may follow "[" (a value, or the end)
_NEAR = 8192  # indexed places up to here are read as struct fields (a head's 8 KiB)


def _layers(groups: tuple) -> tuple[tuple, tuple, int]:
    """The indexed places (1, 2 or 4 bytes, big-endian) as a few struct formats whose fields
    do not overlap, so a few C calls read them all as ints (cheap to hash), and their keys as
    ints in the same order: (unpackers, lookups, the bytes they read)."""
    layers: list[list] = []  # [end so far, format, lookups]
    for start, end, keys in sorted(g for g in groups if g[1] <= _NEAR):
        layer = next((layer for layer in layers if layer[0] <= start), None)
        if layer is None:
            layer = [0, ">", []]
            layers.append(layer)
        layer[1] += (f"{start - layer[0]}x" if start > layer[0] else "") + "BH_I"[end - start - 1]
        layer[0] = end
        layer[2].append({int.from_bytes(key, "big"): numbers for key, numbers in keys.items()})
    lookups = tuple(lookup for layer in layers for lookup in layer[2])
    span = max((layer[0] for layer in layers), default=0)
    return tuple(struct.Struct(layer[1]).unpack_from for layer in layers), lookups, span


def _pad(groups: tuple) -> bytes:
    """A byte that, repeated, is no key of any indexed place: what a head shorter than the
    places read is padded with (a key matched there would only cost a clause check)."""
    for byte in (b"\xa5", *(bytes([value]) for value in range(256))):
        if not any(byte * (end - start) in keys for start, end, keys in groups):
            return byte
    return b"\x00"


_UNPACK, _LOOKUPS, _SPAN = _layers(GROUPS)
_PAD = _pad(GROUPS)
# Places past _NEAR (a head longer than the hashing read's): sliced and looked up as bytes.
_FAR = tuple(group for group in GROUPS if group[1] > _NEAR)
_FAR_START = min((start for start, _, _ in _FAR), default=1 << 62)


def _same_database() -> bool:
    """Whether libmagic loads the database the clauses were built from (file 5.44's compiled
    magic as Debian 12 ships it, nothing added): else this tier names nothing."""
    if magic.version() != 544 or "MAGIC" in os.environ:
        return False
    home = Path(os.environ.get("HOME", "/nonexistent"))
    if (home / ".magic.mgc").exists() or (home / ".magic").exists():
        return False  # libmagic loads a user's own magic first
    try:
        if Path("/usr/share/misc/magic.mgc").stat().st_size != MGC_SIZE:
            return False
        extra = Path("/etc/magic").read_bytes() if Path("/etc/magic").exists() else b""
    except OSError:
        return False
    return all(not line.strip() or line.lstrip().startswith(b"#") for line in extra.splitlines())


ENABLED = _same_database()


def data(head: bytes) -> str | None:
    """``application/octet-stream`` where libmagic says so of ``head`` for certain, else None."""
    if (
        not ENABLED
        or len(head) < 2
        or _may_be_text(head)
        or built_in_may_claim(head)
        or (may_match(head) and not _shadowed(head))
    ):
        return None
    return OCTET


def _may_be_text(head: bytes) -> bool:
    if head.startswith(_BOMS):
        return True
    # libmagic drops trailing NULs but keeps one byte to look at (encoding.c): all NULs is
    # one NUL, a control byte
    end = len(head.rstrip(b"\x00")) or 1
    if head.find(b"\x00", 0, end) >= 0:
        return False  # a NUL before the trailing ones: a control byte in every encoding
    trimmed = head[:end]
    return not trimmed.translate(None, TEXTISH) or not trimmed.translate(None, _EBCDIC_TEXTISH)


def built_in_may_claim(head: bytes) -> bool:
    """libmagic's tests before its soft magic: JSON (an object or array first), CDF, tar."""
    if head.startswith(_CDF) or _may_be_json(head):
        return True
    return tar_header(head)


def tar_header(head: bytes) -> bool:
    """is_tar.c: a tar header is 512 bytes whose checksum field (read by its from_oct) is
    their sum, the field itself counted as blanks (then libmagic says application/x-tar)."""
    if len(head) < 512:
        return False
    stored = _tar_checksum(head)
    return stored >= 0 and stored == sum(head[:148]) + 8 * 32 + sum(head[156:512])


def _may_be_json(head: bytes) -> bool:
    """is_json.c: an object or array must come first (after blanks), and in it a key (a string)
    or a value (string, array, object, constant, number) or its end."""
    start = head.lstrip(_JSON_BLANKS)
    if start[:1] not in (b"[", b"{"):
        return False
    following = start[1:64].lstrip(_JSON_BLANKS)[:1]
    return not following or following in (b'"}' if start[:1] == b"{" else _JSON_VALUES)


def _tar_checksum(head: bytes) -> int:
    """is_tar.c's from_oct on the checksum field: -1 unless it may be a header's checksum."""
    field = head[148:156].lstrip(b" \t\n\v\f\r")
    digits = len(field) - len(field.lstrip(b"01234567"))
    if digits == 0:
        return -1  # value 0: a header's sum (with 8 blanks) is at least 256
    rest = field[digits : digits + 1]
    if rest and rest not in b" \t\n\v\f\r\x00":
        return -1
    return int(field[:digits], 8)


def _indexed(head: bytes) -> list[int]:
    """The clauses ``head``'s bytes at the indexed places point to (the loose ones are not
    indexed): those worth checking."""
    padded = head if len(head) >= _SPAN else head.ljust(_SPAN, _PAD)
    fields: tuple = ()
    for unpack in _UNPACK:
        fields += unpack(padded)
    numbers = [n for found in filter(None, map(dict.get, _LOOKUPS, fields)) for n in found]
    if len(head) > _FAR_START:
        numbers += [n for start, end, keys in _FAR for n in keys.get(head[start:end], ())]
    return numbers


def may_match(head: bytes) -> bool:
    """Whether some path of libmagic's binary soft-magic tests to a MIME type may match."""
    for number in _indexed(head):
        if _clause(number)(head):
            return True
    return _any_loose(head)


def _shadowed(head: bytes) -> bool:
    """Whether a level-0 test with a description surely matches before (in libmagic's order)
    every test whose clause may match: libmagic stops there (softmagic.c match: the first
    test that finds a match ends the walk) with no MIME type printed, so it says
    ``application/octet-stream`` (e.g. "locale data table" before TTComp's \\1\\5)."""
    first = min(map(TOPS.__getitem__, _holding(head)), default=None)
    if first is None:
        return False
    for start, end, keys in SHADOW_GROUPS:
        for number in keys.get(head[start:end], ()):
            order, need, fixed = SHADOWS[number]
            if order < first and len(head) >= need and _fixed_hold(head, fixed):
                return True
    return False


def _fixed_hold(head: bytes, fixed: tuple) -> bool:
    return all(int.from_bytes(head[s:e], "big") & mask == value for s, e, mask, value in fixed)


def _holding(head: bytes) -> list[int]:
    """Every clause that may match ``head`` (may_match stops at the first)."""
    return [n for n in (*_indexed(head), *LOOSE) if _clause(n)(head)]


def _holds(head: bytes, clause: tuple) -> bool:
    """A clause read test by test (:func:`triage.sniff_clauses.holds`, the reference)."""
    return holds(head, clause, may_match)


# Each clause as a function (triage.sniff_clauses), compiled when a head first needs it.
_HELPERS = helpers(may_match)
_CHECKS: list = [None] * len(CLAUSES)


def _clause(number: int) -> Callable[[bytes], bool]:
    """Clause ``number``'s function, compiled the first time it is asked for."""
    check = _CHECKS[number]
    if check is None:
        check = _CHECKS[number] = function(number, CLAUSES[number], _HELPERS)
    return check


class _LooseClauses:
    """Whether any clause with no indexed place holds. Each has to be tried on every binary
    head, ~7 us for the eleven in Python; most look for a literal somewhere (``#FIG``,
    ``<!doctype``...). With Hyperscan each such clause is tried only where one pass over the
    head found its longest literal (a search in a range needs it in the head); the others (and
    all where Hyperscan is missing) are one compiled expression, as before."""

    def __init__(self, numbers: tuple, clauses: tuple, accelerated: bool = ACCELERATED) -> None:
        keyed = [(number, _key(clauses[number])) for number in numbers] if accelerated else []
        keyed = [(number, key) for number, key in keyed if key is not None]
        self._numbers = [number for number, _ in keyed]
        self._keys = LiteralScan([key for _, key in keyed]) if keyed else None
        self._rest = any_of(
            tuple(number for number in numbers if number not in self._numbers), clauses, _HELPERS
        )

    def __call__(self, head: bytes) -> bool:
        if self._rest(head):
            return True
        if self._keys is None:
            return False
        numbers = self._numbers
        return any(_clause(numbers[found])(head) for found in self._keys(head))


def _key(clause: tuple) -> tuple[bytes, bool] | None:
    """The longest literal a clause's searches need (in lower case when caseless), or None."""
    searches = clause[3]
    if not searches:
        return None
    _start, _end, literal, caseless, _to_nul = max(searches, key=lambda search: len(search[2]))
    return literal, caseless


_any_loose = _LooseClauses(LOOSE, CLAUSES)
