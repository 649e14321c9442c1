"""8-bit text that is not UTF-8 gets libmagic's own answer from the first tier (issue 19).

libmagic is the oracle: every expectation is ``magic.from_buffer`` on the same bytes. Latin-1
and cp1252 text (prose, Python source, CSV, shell scripts with an accented comment), tables of
high bytes without control bytes, and generated mixtures must agree wherever the first tier
answers, and the tier must answer for most of them.
"""

from __future__ import annotations

import magic
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from triage import sniff_data
from triage.sniff import sniff
from triage.sniff_latin import UNSURE, eight_bit_text

LIBMAGIC = magic.Magic(mime=True)
pytestmark = pytest.mark.skipif(
    not sniff_data.ENABLED, reason="libmagic's database is not the one the tier was built from"
)

PYTHON = (
    "import os\n\n\ndef caf\xe9(x):\n    # d\xe9j\xe0 vu\n    return os.path.join(x, 'na\xefve')\n"
)
PROSE = "Le caf\xe9 de la gare ouvre \xe0 six heures; le ma\xeetre d'h\xf4tel y d\xe9jeune.\n" * 20
CSV = "nom,ville,montant\nRen\xe9e,Besan\xe7on,12\nJos\xe9,M\xe1laga,7\nZo\xeb,K\xf6ln,3\n"
SHELL = "#!/bin/sh\n# r\xe9sum\xe9 of the backup\ntar czf /tmp/b.tgz /home\n"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (PYTHON, "latin-1", "text/x-script.python"),
        (PROSE, "latin-1", "text/plain"),
        (PROSE, "cp1252", "text/plain"),
        (CSV, "latin-1", "text/csv"),
        ("\u201cquoted\u201d \u2013 dash \u20ac 5\n" * 30, "cp1252", "text/plain"),
    ],
    ids=["python", "prose-latin1", "prose-cp1252", "csv", "quotes-cp1252"],
)
def test_eight_bit_text_is_named_as_libmagic_names_it(text, encoding, expected):
    head = text.encode(encoding)
    assert LIBMAGIC.from_buffer(head) == expected  # (the oracle says so on this libmagic)
    assert sniff(head) == expected


def test_a_table_of_high_bytes_is_plain_text_to_both():
    head = bytes(range(0xA0, 0x100)) * 40 + b"\n" + bytes(range(0x80, 0xA0)) * 10
    assert sniff(head) == LIBMAGIC.from_buffer(head) == "text/plain"


@pytest.mark.parametrize(
    "head",
    [
        "caf\xe9".encode() + b" au lait\n",  # UTF-8: the UTF-8 text pass's, not this module's
        b"\xef\xbb\xbfcaf\xe9\n",  # a byte-order mark
        b"+/v8-caf\xe9\n",  # a UTF-7 signature comes first to libmagic
        b"\xed\xa0\x80\xed\xbf\xbf surrogates\n",  # UTF-8 to libmagic's looser check
        b"caf\xe9\x00\x00",  # a NUL
        b"\xe9",  # one byte
    ],
)
def test_what_libmagic_may_read_otherwise_is_not_decided_here(head):
    assert eight_bit_text(head) in (None, UNSURE)


def test_a_shebang_in_latin1_is_libmagics_or_agrees():
    head = SHELL.encode("latin-1")
    first = sniff(head)
    assert first is None or first == LIBMAGIC.from_buffer(head)


_HIGH = st.integers(0x80, 0xFF)
_PRINTABLE = st.sampled_from(list(range(32, 127)) + [9, 10, 13])
_WORDS = st.sampled_from(
    [b"import ", b"def ", b"class ", b"return", b"#include", b"<html>", b"\n", b"    ", b",", b"(",
     b"):", b"{", b"}", b"caf\xe9", b"na\xefve", b"\x93q\x94", b"\xa0", b"main(", b"==", b"/*"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            _WORDS,
            st.binary(min_size=1, max_size=12),
            st.lists(_HIGH, min_size=1, max_size=4).map(bytes),
            st.lists(_PRINTABLE, min_size=1, max_size=20).map(bytes),
        ),
        min_size=1,
        max_size=200,
    ).map(b"".join)
)
def test_any_eight_bit_text_is_typed_as_libmagic_types_it_or_left_to_it(head):
    first = sniff(head)
    eight_bit = eight_bit_text(head) is not None
    event(f"eight-bit text: {eight_bit}, named: {first is not None}")
    if first is not None:
        assert first == LIBMAGIC.from_buffer(head)
