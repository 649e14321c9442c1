"""Read Android's XML settings files defensively, element by element.

Android keeps packages, settings and Wi-Fi networks in XML files; from Android 12 several of
them (``packages.xml``, ``settings_*.xml``) are written in Android Binary XML ("ABX", magic
``ABX\\0``), decoded by :mod:`android_abx` into the same elements. Text XML is read with a pull
parser so that a truncated or corrupt file still gives the elements before the damage (and a
problem), and a file declaring entities is refused (entity expansion). Reference: Python
``xml.etree.ElementTree.XMLPullParser``.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from triage.extractors.identity.android_abx import is_abx, iter_abx_elements
from triage.extractors.identity.facts import Facts

MAX_XML_BYTES = 64 << 20
CHUNK = 1 << 16


def iter_elements(data: bytes, tags: frozenset[str], facts: Facts, what: str) -> Iterator[Element]:
    """Complete elements with one of ``tags``, in document order; damage becomes a problem.

    Each yielded element is cleared after the caller is done with it, so a large file does not
    build its whole tree in memory.
    """
    if is_abx(data):
        yield from iter_abx_elements(data, tags, facts, what)
        return
    if b"<!ENTITY" in data[:CHUNK]:
        facts.problem(f"{what} declares XML entities; not parsed (entity expansion)")
        return
    parser = XMLPullParser(events=("end",))
    offset = 0
    try:
        while offset < len(data):
            parser.feed(data[offset : offset + CHUNK])
            offset += CHUNK
            yield from _drain(parser, tags)
        parser.close()
        yield from _drain(parser, tags)
    except (ParseError, LookupError) as error:  # LookupError: an unknown encoding="..."
        facts.problem(f"{what} is not well-formed XML ({error}); entries after it are not read")


def _drain(parser: XMLPullParser, tags: frozenset[str]) -> Iterator[Element]:
    for _event, element in parser.read_events():
        if element.tag in tags:
            yield element
            element.clear()


def named_values(element: Element) -> dict[str, str]:
    """``<string name="X">text</string>`` / ``<int name="X" value="1"/>`` children by name."""
    values: dict[str, str] = {}
    for child in element.iter():
        name = child.get("name")
        if not name or name in values:
            continue
        value = child.get("value")
        values[name] = value if value is not None else (child.text or "")
    return values
