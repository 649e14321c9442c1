"""Names are bytes: one convention for names from evidence, from the source to every output.

File systems and archives name entries with bytes, not text: ext4 and tar take any byte but
``/`` and NUL, a zip may set its UTF-8 flag on a name that is not UTF-8, and a folder copied from
an old phone holds latin-1 names. Every evidence source gives a name as ``str`` decoded with
``surrogateescape`` (:func:`from_bytes`), as Python's own ``os.fsdecode`` does, so no byte is lost
on the way to the store. The store then keeps two things (:func:`shown`, :func:`raw_hex`):

- the name as text every output can hold: UTF-8 where the bytes are UTF-8; ``\\xNN`` for each
  byte that is not; ``\\uNNNN`` for control characters (C0, DEL, C1), which break terminals,
  CSV viewers and XML, and for the characters that reorder or hide text (bidi overrides,
  zero-width marks), which let ``gpj.exe`` pass for ``exe.jpg``. A byte and a character never
  share an escape (``\\x80`` is the byte, ``\\u0080`` the character), as in the HTML report;
- the raw bytes in hex, only when the shown text differs from them, so an examiner can always
  get back the exact name (a name that really is ``caf\\xe9`` with a backslash has no hex).

Writers read only the store, so they never meet a name that cannot be encoded.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

# Characters shown escaped in names: lone surrogates (bytes that were not UTF-8), C0 and C1
# controls, DEL, and the format characters that reorder or hide text (bidi embeddings,
# overrides and isolates, marks, zero-width characters, the BOM, interlinear annotations).
# ``HIDDEN`` is the class every output shows escaped, names and text alike (the HTML report's
# ``visible`` keeps tab and line feed in text, and names escape them too).
HIDDEN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb"
)
ESCAPED = re.compile(f"[\t\n{HIDDEN}\ud800-\udfff]")


def from_bytes(raw: bytes) -> str:
    """A name's bytes as text without loss (UTF-8; other bytes as lone surrogates)."""
    return raw.decode("utf-8", "surrogateescape")


def to_bytes(name: str) -> bytes:
    """The bytes of a name made by :func:`from_bytes` (or any text, as UTF-8)."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte (a UTF-16 leftover)
        return name.encode("utf-8", "surrogatepass")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # one byte that was not UTF-8
    return f"\\u{code:04x}"  # a character, as the HTML report shows it


def needs_escape(name: str) -> bool:
    """Whether a name differs from how it is shown (cheap for the plain ASCII of most names)."""
    if name.isascii():
        return not name.isprintable()
    return ESCAPED.search(name) is not None


def shown(name: str) -> str:
    """A name as text every output can hold and every viewer shows as it is (see module)."""
    if not needs_escape(name):
        return name
    return ESCAPED.sub(_escape, name)


def raw_hex(name: str) -> str | None:
    """The hex of a name's bytes when :func:`shown` changes it; None when the text is exact."""
    return to_bytes(name).hex() if needs_escape(name) else None


def storable(text: str) -> str:
    """Any text as SQLite and UTF-8 files can hold it: bytes that were not UTF-8 as ``\\xNN``.

    For free text from evidence (a record's field, a problem message); names use :func:`shown`.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", _escape, text)
    return text


NOT_UTF8 = "name is not valid UTF-8: shown with \\xNN escapes, its bytes kept in path_hex"
_LONE_SURROGATE = re.compile("[\udc80-\udcff]")


def not_utf8(name: str) -> bool:
    """Whether a name from :func:`from_bytes` held bytes that are not UTF-8."""
    return not name.isascii() and _LONE_SURROGATE.search(name) is not None


def sqlite_uri(path: str | os.PathLike[str], query: str = "mode=ro") -> str:
    """A ``file:`` URI for SQLite naming ``path`` exactly, whatever bytes it holds.

    SQLite decodes ``%XX`` in URIs and stops the path at ``?`` or ``#``: an output folder
    named ``case?1`` or ``100%`` would open another file, and a path that is not UTF-8 cannot
    be passed as text at all. Every byte but the unreserved ones is percent-encoded.
    """
    absolute = os.path.abspath(os.fsencode(path))
    return f"file:{quote(absolute, safe=b'/')}?{query}"
