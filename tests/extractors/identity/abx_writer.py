"""Write Android Binary XML from text XML, as AOSP's ``BinaryXmlSerializer`` would (for tests).

Attribute values are given the typed encodings Android uses where the text allows it exactly
(``it="18dd7e5f400"`` as a hex long, ``version="7100"`` as a long, ``value="true"`` as a
boolean...), so decoding must turn each type back into the same text; the rest are strings,
names interned. Reference: AOSP ``BinaryXmlSerializer.java``, ``FastDataOutput.java``.
"""

from __future__ import annotations

import struct
from xml.etree.ElementTree import Element, fromstring

# Attribute name -> how Android writes it (PackageManager Settings, SettingsState, WifiConfig).
LONG_HEX = {"it", "ut", "ft"}
LONG = {"version"}
INT = {"userId", "sharedUserId", "publicFlags", "privateFlags", "sdkVersion", "databaseVersion",
       "count", "schemeVersion", "index", "id"}  # fmt: skip
FLOAT = {"fontScale"}


class AbxWriter:
    """Events into a byte string, with the interned-string table."""

    def __init__(self) -> None:
        self.out = bytearray(b"ABX\x00")
        self.strings: dict[str, int] = {}

    def utf(self, text: str) -> None:
        # Java strings are UTF-16: a character beyond U+FFFF is two surrogates, 3 bytes each.
        units = text.encode("utf-16-le", "surrogatepass")
        java = "".join(
            chr(int.from_bytes(units[i : i + 2], "little")) for i in range(0, len(units), 2)
        )
        encoded = java.encode("utf-8", "surrogatepass").replace(b"\x00", b"\xc0\x80")
        self.out += struct.pack(">H", len(encoded)) + encoded

    def interned(self, text: str) -> None:
        if text in self.strings:
            self.out += struct.pack(">H", self.strings[text])
            return
        self.strings[text] = len(self.strings)
        self.out += b"\xff\xff"
        self.utf(text)

    def attribute(self, name: str, value: str) -> None:
        typed = _typed(name, value)
        if typed is None:
            self.out.append(0x2F)  # ATTRIBUTE | TYPE_STRING
            self.interned(name)
            self.utf(value)
            return
        event, payload = typed
        self.out.append(event)
        self.interned(name)
        self.out += payload

    def element(self, element: Element) -> None:
        self.out.append(0x32)  # START_TAG | TYPE_STRING_INTERNED
        self.interned(element.tag)
        for name, value in element.attrib.items():
            self.attribute(name, value)
        if element.text and element.text.strip():
            self.out.append(0x24)  # TEXT | TYPE_STRING
            self.utf(element.text)
        for child in element:
            self.element(child)
            if child.tail and child.tail.strip():
                self.out.append(0x24)
                self.utf(child.tail)
        self.out.append(0x33)  # END_TAG | TYPE_STRING_INTERNED
        self.interned(element.tag)


def _typed(name: str, value: str) -> tuple[int, bytes] | None:
    """(event byte, payload) of a typed encoding that reads back as exactly ``value``."""
    try:
        if name in LONG_HEX and format(int(value, 16), "x") == value:
            return 0x9F, struct.pack(">q", int(value, 16))
        if name in LONG and str(int(value)) == value:
            return 0x8F, struct.pack(">q", int(value))
        if name in INT and str(int(value)) == value:
            return 0x6F, struct.pack(">i", int(value))
        if name in FLOAT and repr(float(value)) == value:
            return 0xAF, struct.pack(">f", float(value))
    except ValueError:
        return None
    if value in ("true", "false"):
        return (0xCF if value == "true" else 0xDF), b""
    return None


def to_abx(text_xml: bytes) -> bytes:
    """The binary form of a text XML document (whitespace between elements dropped)."""
    writer = AbxWriter()
    writer.out.append(0x10)  # START_DOCUMENT | TYPE_NULL
    writer.element(fromstring(text_xml))
    writer.out.append(0x11)  # END_DOCUMENT | TYPE_NULL
    return bytes(writer.out)
