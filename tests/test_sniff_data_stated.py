"""The soft-magic tests the data check states beyond fixed bytes, each against libmagic.

- a ``use`` line's continuations run only when the named entry found a match (softmagic.c
  mget/magiccheck for FILE_USE): OpenPGP keys, whose packet chain runs only past a key version
  2-7 (``pgp_binary_key_pk_check``);
- a level-0 test with a description that surely matches before every test that may print a
  MIME type ends libmagic's walk with none (softmagic.c match, MIME mode): "locale data table"
  (\\1\\5) and "VAX-order 68k Blit" (\\1\\6) before TTComp's \\1\\5 and \\1\\6;
- an indirect offset read at a fixed place (mget, do_ops) must point inside the head: a COM
  file's jump (``0xe9`` and its target, ``(1.s+3)``);
- a string compared by ``<``/``>`` (file_strncmp: the first differing bytes, signed): the
  Dryad test's ``0 string <DryadData`` before its regex;
- a quad read past the end of the buffer is compared as zeros (mget checks the end of every
  fixed-size type but the 8-byte integers): an EDID header one zero byte short is still EDID;
- regex tests spelt for Python's ``re`` (tests/data/sniff/magic_regex.py): at a known offset
  (AppleWorks 3: 79 bytes of one class at 5) and where the data says (a setup script's
  ``[version]`` after a ``[``), and the spelling itself against glibc's own regexec in the C
  locale: wherever glibc matches, the spelling matches too.

For each: a head built to match (left to libmagic, which names it or not) and one built to
miss (named ``application/octet-stream`` here, and by libmagic), then Hypothesis' variations.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import random
import re
import sys
from pathlib import Path

import magic
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from triage import sniff_clauses, sniff_data, sniff_level0
from triage.sniff_data import OCTET, data, may_match

LIBMAGIC = magic.Magic(mime=True)
NOISE = random.Random(7).randbytes(600)  # binary, no signature of its own

pytestmark = pytest.mark.skipif(
    not sniff_data.ENABLED, reason="libmagic's database is not the one the clauses were built from"
)


def _both(head: bytes) -> tuple[str | None, bool, str]:
    return data(head), may_match(head), LIBMAGIC.from_buffer(head)


@pytest.mark.parametrize(
    ("head", "libmagics"),
    [
        (b"\x95\x00\x20\x04" + NOISE[4:], OCTET),  # old-style secret key, version 4
        (b"\xc6\x20\x04" + NOISE[3:], OCTET),  # new-style public key, version 4
        (NOISE[:4] + b"O" + b"=" * 79 + bytes(8) + NOISE[92:], "application/x-appleworks3"),
        (b"[" + NOISE[1:40] + b"\nVersion]\x00" + NOISE[50:], "application/x-setupscript"),
    ],
)
def test_a_head_built_to_match_a_stated_test_is_left_to_libmagic(head, libmagics):
    assert _both(head) == (None, True, libmagics)


@pytest.mark.parametrize(
    "head",
    [
        b"\x95\x00\x20\xc8" + NOISE[4:],  # a key version 200: no packet chain follows
        b"\xc6\x20\x00" + NOISE[3:],  # version 0
        NOISE[:4] + b"O" + b"=" * 78 + b"\x01" + bytes(8) + NOISE[92:],  # 78 of the class
        b"[" + NOISE[1:40] + b"\nVersio]\x00" + NOISE[50:],  # no [version]
    ],
)
def test_a_head_built_to_miss_a_stated_test_is_data_to_both(head):
    assert _both(head) == (OCTET, False, OCTET)


@pytest.mark.parametrize(
    ("head", "shadowed", "libmagics"),
    [
        (b"\x01\x05" + NOISE[2:], True, OCTET),  # locale data table, then TTComp
        (b"\x01\x06" + NOISE[2:], True, OCTET),  # VAX-order 68k Blit, then TTComp
        (b"\x00\x05" + NOISE[2:], False, "application/x-compress-ttcomp"),  # TTComp first
        (b"\x00\x06" + NOISE[2:], False, "application/x-compress-ttcomp"),
    ],
)
def test_a_test_that_surely_matches_first_without_a_mime_type_makes_it_data(
    head, shadowed, libmagics
):
    assert may_match(head)  # a TTComp clause holds
    assert sniff_data._shadowed(head) is shadowed
    assert data(head) == (OCTET if shadowed else None)
    assert LIBMAGIC.from_buffer(head) == libmagics


def _planted(fixed: tuple, under: bytes) -> bytes:
    head = bytearray(under)
    for start, end, mask, value in fixed:
        for at in range(start, end):
            shift = 8 * (end - 1 - at)
            bits = mask >> shift & 0xFF
            head[at] = head[at] & ~bits & 0xFF | value >> shift & bits
    return bytes(head)


_NEAR_SHADOWS = [shadow for shadow in sniff_level0.SHADOWS if shadow[1] <= 8192]  # in a head


def test_each_shadows_own_bytes_named_data_are_data_to_libmagic():
    """Every shadow's fixed bytes over noise (and over zeros): where the data check names
    such a head, libmagic agrees; and some are named (the shadows do work)."""
    named = 0
    for _order, need, fixed in _NEAR_SHADOWS:
        for under in (NOISE, bytes(600)):
            head = _planted(fixed, (under * 20)[: max(need + 64, 600)])
            if data(head) is not None:
                named += 1
                assert LIBMAGIC.from_buffer(head) == OCTET, head[:16]
    assert named > 100


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_NEAR_SHADOWS), st.binary(max_size=64), st.integers(0, 600))
def test_heads_under_a_shadow_it_names_are_data_to_libmagic(shadow, noise, cut):
    _order, need, fixed = shadow
    head = _planted(fixed, (noise + NOISE * 20)[: max(need, 2) + cut])
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


@pytest.mark.parametrize(
    ("target", "libmagics"),
    [(100, "application/x-dosexec"), (590, "application/x-dosexec"), (0x2000, OCTET)],
)
def test_a_com_files_jump_must_land_inside_the_head(target, libmagics):
    head = b"\xe9" + target.to_bytes(2, "little") + NOISE[3:]
    inside = target + 3 < len(head)
    assert may_match(head) is inside
    assert data(head) == (None if inside else OCTET)
    assert LIBMAGIC.from_buffer(head) == libmagics


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(b"\xe9\xeb\x00\x01\x02\x04"),
    st.integers(0, 0xFFFF),
    st.binary(max_size=8),
    st.integers(1, 1200),
)
def test_heads_with_pointers_it_names_are_data_to_libmagic(first, target, middle, size):
    head = (bytes([first]) + target.to_bytes(2, "little") + middle + NOISE * 3)[:size]
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


def test_do_ops_arithmetic_is_cs():
    """do_ops on intmax_t: division and modulo truncate toward zero, as C's do."""
    pointer = sniff_clauses.pointer_test
    head = (250).to_bytes(1, "big") + bytes(300)  # a signed byte -6 at 0
    assert pointer(head, 0, 1, True, True, 6, 4, False, 1) is False  # -6 / 4 = -1: far past
    assert pointer(head, 0, 1, True, False, 6, 4, False, 1) is True  # 250 / 4 = 62
    assert pointer(head, 0, 1, True, False, 7, 7, False, 1) is True  # 250 % 7 = 5
    assert pointer(head, 0, 1, True, False, 3, 60, False, 1) is False  # 310: past the end


@pytest.mark.parametrize(("first", "below"), [(b"\x01\x02", True), (b"\xf0\xf1", False)])
def test_a_string_compared_by_order(first, below):
    head = first + NOISE[2:200] + b"dryad-bibo/v1.0" + NOISE[215:]
    assert may_match(head) is below  # only "DryadData" and its regex may match here
    assert data(head) == (None if below else OCTET)
    assert LIBMAGIC.from_buffer(head) == OCTET


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=10), st.integers(0, 300))
def test_heads_ordered_against_dryad_it_names_are_data_to_libmagic(first, at):
    head = first + NOISE[len(first) : at] + b"dryad-bibo/v2.1" + NOISE[at:]
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


def test_a_quad_past_the_end_is_read_as_zeros():
    edid = bytes.fromhex("00ffffffffffff00")
    assert LIBMAGIC.from_buffer(edid[:7]) == "application/x-edid-dump"
    assert data(edid[:7]) is None
    assert data(edid[:6]) == LIBMAGIC.from_buffer(edid[:6]) == OCTET  # 0xff missing: not EDID


def test_each_clause_cut_short_it_names_is_data_to_libmagic():
    """Every clause's fixed bytes over noise and over zeros, cut 0-8 bytes short of what the
    clause needs (where libmagic's reads past the end matter): where the data check names the
    head, libmagic agrees."""
    checked = 0
    for need, fixed, *_ in sniff_level0.CLAUSES:
        if need > 8192:
            continue
        for under in (NOISE * 14, bytes(need + 8)):
            head = _planted(fixed, under[: need + 8])
            for cut in range(max(2, need - 8), need + 1):
                if data(head[:cut]) is not None:
                    checked += 1
                    assert LIBMAGIC.from_buffer(head[:cut]) == OCTET, (fixed, cut)
    assert checked > 1000


_PGP_TAGS = st.sampled_from([0x94, 0x95, 0x96, 0x98, 0x99, 0x9A, 0xC5, 0xC6])


@settings(max_examples=300, deadline=None)
@given(_PGP_TAGS, st.binary(min_size=1, max_size=6), st.integers(0, 255), st.binary(max_size=80))
def test_pgp_like_heads_it_names_are_data_to_libmagic(tag, length, version, rest):
    head = bytes([tag]) + length + bytes([version]) + rest + NOISE[: 200 - len(rest)]
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


@settings(max_examples=200, deadline=None)
@given(st.integers(60, 90), st.sampled_from(b"=.<>|!^\x8a"), st.binary(max_size=4))
def test_appleworks_like_heads_it_names_are_data_to_libmagic(run, char, gap):
    head = NOISE[:4] + b"O" + gap + bytes([char]) * run + bytes(8) + NOISE[:200]
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


_INI_WORDS = st.sampled_from(
    [b"version]", b"strings]", b"autorun]", b".ShellClassInfo]", b"OEMCPL]", b"ndishlp$]"]
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(b"[;"), _INI_WORDS, st.binary(max_size=6), st.integers(0, 300))
def test_ini_like_heads_it_names_are_data_to_libmagic(first, word, cut, at):
    word = word[: len(word) - len(cut) % 3]
    head = bytes([first]) + NOISE[1:at] + b"\n[" + word + b"\x00" + NOISE[at:]
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


# --- the spelling against glibc ----------------------------------------------------------

_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))
_LIBC.newlocale.restype = _LIBC.uselocale.restype = ctypes.c_void_p
_LIBC.newlocale.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
_LIBC.uselocale.argtypes = [ctypes.c_void_p]
REG_EXTENDED, REG_ICASE, REG_NEWLINE = 1, 2, 4  # glibc's regex.h
_C_LOCALE = _LIBC.newlocale(1, b"C", None)  # LC_CTYPE_MASK: as file_regcomp uses it


def _glibc(pattern: bytes, string: bytes, caseless: bool) -> bool | None:
    """glibc's regcomp/regexec on a C string in the C locale (this thread only, as libmagic
    does it): None when regcomp refuses the pattern."""
    compiled = ctypes.create_string_buffer(256)  # (regex_t is 64 bytes on glibc amd64)
    flags = REG_EXTENDED | REG_NEWLINE | (REG_ICASE if caseless else 0)
    old = _LIBC.uselocale(_C_LOCALE)
    try:
        if _LIBC.regcomp(compiled, pattern, flags):
            return None
        try:
            return _LIBC.regexec(compiled, string, 0, None, 0) == 0
        finally:
            _LIBC.regfree(compiled)
    finally:
        _LIBC.uselocale(old)


def _spelling():
    path = Path(__file__).parent / "data" / "sniff" / "magic_regex.py"
    spec = importlib.util.spec_from_file_location("magic_regex", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.python_regex


python_regex = _spelling()
_ATOMS = st.sampled_from(
    [b"a", b"b", b"A", b".", b"\n", b"[ab]", b"[^a]", b"[]a]", b"[a-c]", b"[[:digit:]]",
     b"[\\]", b"\\.", b"\\[", b"0", b"\x8a", b"(a|b)", b"(ab|c)", b"^", b"$"]
)  # fmt: skip
_REPEATS = st.sampled_from([b"", b"", b"*", b"+", b"?", b"{2}", b"{1,3}"])
_PATTERNS = st.lists(st.tuples(_ATOMS, _REPEATS), min_size=1, max_size=5).map(
    lambda parts: b"".join(a + (r if a not in (b"^", b"$") else b"") for a, r in parts)
)


@settings(max_examples=500, deadline=None)
@given(_PATTERNS, st.binary(max_size=12).map(lambda s: s.replace(b"\0", b"")), st.booleans())
def test_the_spelling_matches_wherever_glibc_does(pattern, string, caseless):
    expected = _glibc(pattern, string, caseless)
    assume(expected is not None)
    flags = re.MULTILINE | (re.IGNORECASE if caseless else 0)
    exact = python_regex(pattern, True, True, caseless)
    if exact is not None:
        assert (re.search(exact, string, flags) is not None) == expected, exact
    loose = python_regex(pattern, False, False, caseless)  # no anchors: only ever more
    if expected and loose is not None:
        assert re.search(loose, string, flags), loose


def test_what_the_spelling_declines():
    assert python_regex(rb"a\b", True, True) is None  # GNU escapes
    assert python_regex(rb"(a)\1", True, True) is None  # back references
    assert python_regex(b"[[.a.]]", True, True) is None  # collating elements
    assert python_regex(b"a**", True, True) is None  # stacked repetitions
    assert python_regex(b"[=.<>|!^\x8a]{79}", True, True) == (
        b"[\\x21\\x2e\\x3c\\x3d\\x3e\\x5e\\x7c\\x8a]{79}"
    )
