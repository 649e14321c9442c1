"""Android Binary XML ("ABX"): the format of ``packages.xml`` and settings since Android 12.

Android 12 made the system server write several of its XML files (``packages.xml``,
``settings_*.xml``, on some builds ``WifiConfigStore.xml``) through ``BinaryXmlSerializer``
instead of text. The stream is the magic ``ABX\\0`` and then one event per byte: the low nibble
is the XmlPullParser token (START_TAG 2, END_TAG 3, TEXT 4..., 15 for an attribute of the open
tag), the high nibble the type of the value that follows (null, string, interned string, hex or
base64 bytes, int, hex int, long, hex long, float, double, true, false). Strings are Java
"modified UTF-8" with a big-endian 16-bit length; an interned string is a 16-bit index into the
strings seen so far, 0xFFFF meaning "a new one follows". Numbers are big-endian.

Decoded here into the same :class:`xml.etree.ElementTree.Element` objects the text parser gives,
attribute values spelt as AOSP's ``BinaryXmlPullParser.getAttributeValue`` spells them (a hex
long as ``Long.toString(v, 16)``), so every parser of these files reads both forms unchanged.
References: AOSP ``frameworks/libs/modules-utils/java/com/android/modules/utils/
BinaryXmlSerializer.java``, ``BinaryXmlPullParser.java``, ``FastDataInput.java``.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from xml.etree.ElementTree import Element, SubElement

from triage.extractors.identity.facts import Facts

ABX_MAGIC = b"ABX\x00"
MAX_DEPTH = 256  # Android's own files nest a handful of levels; deeper is damage or a trap

# XmlPullParser tokens (low nibble of an event byte).
START_DOCUMENT, END_DOCUMENT, START_TAG, END_TAG, TEXT, CDSECT, ENTITY_REF = range(7)
IGNORABLE_WHITESPACE, PROCESSING_INSTRUCTION, COMMENT, DOCDECL = range(7, 11)
ATTRIBUTE = 15
# Value types (high nibble).
TYPE_NULL, TYPE_STRING, TYPE_STRING_INTERNED = 0x10, 0x20, 0x30
TYPE_BYTES_HEX, TYPE_BYTES_BASE64, TYPE_INT, TYPE_INT_HEX = 0x40, 0x50, 0x60, 0x70
TYPE_LONG, TYPE_LONG_HEX, TYPE_FLOAT, TYPE_DOUBLE = 0x80, 0x90, 0xA0, 0xB0
TYPE_BOOLEAN_TRUE, TYPE_BOOLEAN_FALSE = 0xC0, 0xD0
NEW_STRING = 0xFFFF
ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class AbxError(ValueError):
    """The stream breaks the format (truncated, unknown event, bad string reference)."""


class _Reader:
    """Big-endian reads over the document, with the interned-string table."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = len(ABX_MAGIC)
        self.strings: list[str] = []

    def take(self, size: int) -> bytes:
        end = self.offset + size
        if end > len(self.data):
            raise AbxError(f"ends {end - len(self.data)} bytes early")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def unpack(self, fmt: str) -> int | float:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def utf(self) -> str:
        return decode_modified_utf8(self.take(int(self.unpack(">H"))))

    def interned(self) -> str:
        index = int(self.unpack(">H"))
        if index == NEW_STRING:
            text = self.utf()
            if len(self.strings) < NEW_STRING:
                self.strings.append(text)
            return text
        if index >= len(self.strings):
            raise AbxError(f"string reference {index} beyond the {len(self.strings)} defined")
        return self.strings[index]

    def text(self, kind: int) -> str | None:
        """The value of a text-like event (TEXT, COMMENT...): a string or null."""
        if kind == TYPE_NULL:
            return None
        if kind == TYPE_STRING:
            return self.utf()
        if kind == TYPE_STRING_INTERNED:
            return self.interned()
        raise AbxError(f"text event of value type {kind >> 4}")

    def value(self, kind: int) -> str | None:
        """An attribute value, as ``BinaryXmlPullParser.getAttributeValue`` returns it."""
        if kind in (TYPE_NULL, TYPE_STRING, TYPE_STRING_INTERNED):
            return self.text(kind)
        if kind in (TYPE_BYTES_HEX, TYPE_BYTES_BASE64):
            raw = self.take(int(self.unpack(">H")))
            return raw.hex() if kind == TYPE_BYTES_HEX else base64.b64encode(raw).decode("ascii")
        if kind in (TYPE_INT, TYPE_INT_HEX):
            number = int(self.unpack(">i"))
            return str(number) if kind == TYPE_INT else format(number, "x")
        if kind in (TYPE_LONG, TYPE_LONG_HEX):
            number = int(self.unpack(">q"))
            return str(number) if kind == TYPE_LONG else format(number, "x")
        if kind == TYPE_FLOAT:
            raw = self.take(4)
            return _java_float(struct.unpack(">f", raw)[0], raw)
        if kind == TYPE_DOUBLE:
            return _java_float(float(self.unpack(">d")), None)
        if kind == TYPE_BOOLEAN_TRUE:
            return "true"
        if kind == TYPE_BOOLEAN_FALSE:
            return "false"
        raise AbxError(f"attribute of unknown value type {kind >> 4}")


def is_abx(head: bytes) -> bool:
    """Whether the bytes start an Android Binary XML document."""
    return head.startswith(ABX_MAGIC)


def iter_abx_elements(
    data: bytes, tags: frozenset[str], facts: Facts, what: str
) -> Iterator[Element]:
    """Complete elements with one of ``tags``, in document order, as ``iter_elements`` gives them.

    Damage (a truncated file, an unknown event, a string reference to nothing) ends the
    document with a problem naming the byte; the elements completed before it are kept.
    """
    reader = _Reader(data)
    stack: list[Element] = []
    try:
        while reader.offset < len(data):
            event = reader.take(1)[0]
            token, kind = event & 0x0F, event & 0xF0
            if token == ATTRIBUTE:
                name = reader.interned()
                value = reader.value(kind)
                if not stack:
                    raise AbxError(f"attribute {name!r} outside any element")
                if value is not None:
                    stack[-1].set(name, value)
            elif token == START_TAG:
                name = reader.text(kind)
                if not name:
                    raise AbxError("element without a name")
                if len(stack) >= MAX_DEPTH:
                    raise AbxError(f"elements nested deeper than {MAX_DEPTH}")
                stack.append(SubElement(stack[-1], name) if stack else Element(name))
            elif token == END_TAG:
                name = reader.text(kind)
                if not stack or stack[-1].tag != name:
                    open_tag = stack[-1].tag if stack else "nothing"
                    raise AbxError(f"end of {name!r} where {open_tag!r} is open")
                element = stack.pop()
                if element.tag in tags:
                    yield element
                    element.clear()
            elif token in (TEXT, CDSECT, ENTITY_REF):
                text = reader.text(kind)
                if token == ENTITY_REF and text is not None:
                    text = ENTITIES.get(text, f"&{text};")
                if stack and text:
                    _append_text(stack[-1], text)
            elif token in (IGNORABLE_WHITESPACE, PROCESSING_INSTRUCTION, COMMENT, DOCDECL):
                reader.text(kind)
            elif token == START_DOCUMENT:
                continue
            elif token == END_DOCUMENT:
                break
            else:
                raise AbxError(f"unknown event 0x{event:02x}")
    except AbxError as error:
        facts.problem(
            f"{what} (Android Binary XML) is damaged at byte {reader.offset}: {error}; "
            "entries after it are not read"
        )


def _append_text(element: Element, text: str) -> None:
    """Text goes where ElementTree puts it: the element's text, or its last child's tail."""
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def decode_modified_utf8(raw: bytes) -> str:
    """Java's modified UTF-8: NUL as C0 80, characters beyond U+FFFF as two 3-byte surrogates.

    Bytes that are not valid become U+FFFD, as in a damaged text file.
    """
    raw = raw.replace(b"\xc0\x80", b"\x00")
    try:
        text = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _java_float(value: float, raw32: bytes | None) -> str:
    """``Float.toString`` / ``Double.toString`` for ordinary values: the shortest digits.

    For a 32-bit float, the fewest digits that read back to the same 32 bits ("0.1", not
    "0.10000000149011612").
    """
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    if raw32 is not None:
        for digits in range(1, 10):
            candidate = f"{value:.{digits}g}"
            if struct.pack(">f", float(candidate)) == raw32:
                text = repr(float(candidate))
                break
    return text
