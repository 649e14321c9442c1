"""The Android Binary XML decoder on hand-built streams: every value type, strings, damage."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.identity.android_abx import decode_modified_utf8, iter_abx_elements
from triage.extractors.identity.facts import Facts
from triage.records import SourceRef

from .abx_writer import AbxWriter, to_abx


def _facts() -> Facts:
    return Facts(SourceRef("phone", "/data/system/test.xml"))


def _elements(data: bytes, *tags: str) -> tuple[list[tuple[str, dict, str | None]], Facts]:
    facts = _facts()
    found = [
        (element.tag, dict(element.attrib), element.text)
        for element in iter_abx_elements(data, frozenset(tags), facts, "test.xml")
    ]
    return found, facts


def _typed_document() -> bytes:
    """<a> with one attribute of each value type, as BinaryXmlSerializer writes them."""
    writer = AbxWriter()
    out = writer.out
    out.append(0x10)  # START_DOCUMENT
    out.append(0x32)
    writer.interned("a")

    def attribute(event: int, name: str, payload: bytes = b"") -> None:
        out.append(event)
        writer.interned(name)
        out.extend(payload)

    attribute(0x1F, "null")
    attribute(0x2F, "string", struct.pack(">H", 5) + b"hello")
    attribute(0x3F, "interned", b"\xff\xff" + struct.pack(">H", 3) + b"pkg")
    attribute(0x3F, "again", struct.pack(">H", 4))  # "pkg": strings a, null, string, interned, pkg
    attribute(0x4F, "hex", struct.pack(">H", 3) + b"\x00\xab\xff")
    attribute(0x5F, "b64", struct.pack(">H", 3) + b"abc")
    attribute(0x6F, "int", struct.pack(">i", -42))
    attribute(0x7F, "inthex", struct.pack(">i", -1))
    attribute(0x8F, "long", struct.pack(">q", 1708000000000))
    attribute(0x9F, "longhex", struct.pack(">q", 1708000000000))
    attribute(0xAF, "float", struct.pack(">f", 0.1))
    attribute(0xBF, "double", struct.pack(">d", 2.5))
    attribute(0xCF, "yes")
    attribute(0xDF, "no")
    out.append(0x24)  # TEXT
    writer.utf("body ")
    out.append(0x36)  # ENTITY_REF, interned
    writer.interned("amp")
    out.append(0x33)
    writer.interned("a")
    out.append(0x11)  # END_DOCUMENT
    return bytes(out)


def test_every_value_type_reads_as_android_spells_it():
    found, facts = _elements(_typed_document(), "a")
    assert facts.problems == []
    assert found == [
        (
            "a",
            {
                "string": "hello",
                "interned": "pkg",
                "again": "pkg",
                "hex": "00abff",
                "b64": "YWJj",
                "int": "-42",
                "inthex": "-1",
                "long": "1708000000000",
                "longhex": "18dacbbb800",
                "float": "0.1",
                "double": "2.5",
                "yes": "true",
                "no": "false",
            },
            "body &",
        )
    ]


def test_modified_utf8_nul_and_characters_beyond_the_bmp():
    # NUL is C0 80; U+1F600 is the surrogate pair D83D DE00, three bytes each.
    assert decode_modified_utf8(b"a\xc0\x80b\xed\xa0\xbd\xed\xb8\x80") == "a\x00b\U0001f600"
    assert decode_modified_utf8(b"lone \xed\xa0\xbd") == "lone \ufffd"
    assert decode_modified_utf8(b"bad \xff") == "bad \ufffd"


def test_nested_elements_text_and_tails_as_elementtree_has_them():
    data = to_abx(b'<r><s name="x">one</s>tail<s name="y" /></r>')
    found, facts = _elements(data, "s", "r")
    assert facts.problems == []
    assert found == [("s", {"name": "x"}, "one"), ("s", {"name": "y"}, None), ("r", {}, None)]


def test_a_string_reference_to_nothing_is_damage_with_its_offset():
    data = b"ABX\x00\x10\x32\x00\x07"  # START_TAG naming interned string 7: none defined
    found, facts = _elements(data, "a")
    assert found == []
    assert facts.problems == [
        (
            "test.xml (Android Binary XML) is damaged at byte 8: string reference 7 beyond the 0 "
            "defined; entries after it are not read",
            "error",
        )
    ]


def test_mismatched_end_tag_and_unknown_event_are_damage():
    writer = AbxWriter()
    writer.out += b"\x32"
    writer.interned("a")
    writer.out += b"\x33"
    writer.interned("b")
    _, facts = _elements(bytes(writer.out), "a")
    assert "end of 'b' where 'a' is open" in facts.problems[0][0]
    _, facts = _elements(b"ABX\x00\x1c", "a")
    assert "unknown event 0x1c" in facts.problems[0][0]


def test_deep_nesting_is_refused_not_recursed():
    writer = AbxWriter()
    for _ in range(300):
        writer.out.append(0x32)
        writer.interned("d")
    found, facts = _elements(bytes(writer.out), "d")
    assert found == []
    assert "nested deeper than 256" in facts.problems[0][0]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_after_the_magic_never_raises(tail: bytes):
    """Whatever follows the magic, the decoder ends with elements and/or one problem."""
    found, facts = _elements(b"ABX\x00" + tail, "a", "b")
    assert len(facts.problems) <= 1
    assert all(tag in ("a", "b") for tag, _, _ in found)
