"""libmagic's answer for 8-bit text that is not UTF-8 (ISO-8859 or "extended ASCII" to it).

A head of printable bytes with high bytes that do not make UTF-8 (Latin-1 prose, a cp1252
script, a table of bytes 0x80-0xFF with no control byte in it) is text to libmagic 5.44: its
encoding check (encoding.c) calls it ISO-8859 or Non-ISO extended-ASCII, reads each byte as the
character of that code, and then, in ``file_buffer``'s order: its built-in tests (tar, JSON,
CSV, CDF), its binary soft magic, and its text tests run on the UTF-8 spelling of those
characters (ascmagic.c); none answering, it is ``text/plain``. So this tier answers with the
same pieces as for UTF-8 text: the built-in checks and the binary soft-magic proof of
:mod:`triage.sniff_data`, then :data:`triage.sniff_text.text_pass` on ``head`` decoded as
Latin-1 and encoded as UTF-8.

libmagic costs ~1.4 ms on such a head (its text tests compile their regexes on every call);
the bench's small-file tree has ~1 % of them. Anything this module cannot settle (a NUL, a
byte-order mark, a UTF-7 start, a head libmagic's looser UTF-8 check may still take for UTF-8,
a binary test that may match) is left to libmagic.
"""

from __future__ import annotations

import re

from triage.sniff_csv import is_csv
from triage.sniff_data import ENABLED, TEXTISH, built_in_may_claim, may_match
from triage.sniff_text import text_pass

UNSURE = ""  # 8-bit text, but which kind is libmagic's to say
# encoding.c file_looks_utf8: a lead byte and its count of 10xxxxxx bytes (up to 6-byte forms,
# overlong and surrogate forms allowed); a sequence cut by the end of the buffer still passes.
_LIBMAGIC_UTF8 = re.compile(
    rb"(?:[\x00-\x7f]|[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf7][\x80-\xbf]{3}"
    rb"|[\xf8-\xfb][\x80-\xbf]{4}|[\xfc-\xfd][\x80-\xbf]{5})*"
    rb"(?:[\xc0-\xfd][\x80-\xbf]{0,4})?"
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_UTF7 = b"+/v"  # encoding.c looks_utf7: a UTF-7 signature comes before ISO-8859


def eight_bit_text(head: bytes) -> str | None:
    """libmagic's MIME type for ``head`` when it is 8-bit text this tier is sure of;
    :data:`UNSURE` for such text left to libmagic; None when ``head`` is not 8-bit text."""
    if not ENABLED or len(head) < 2 or b"\x00" in head or head.startswith(_BOMS):
        return None
    if head.translate(None, TEXTISH) or head.isascii():  # (TEXTISH: encoding.c's T, I, X)
        return None  # a control byte: binary; all ASCII: the UTF-8 text pass's
    if head.startswith(_UTF7) or _LIBMAGIC_UTF8.fullmatch(head):
        return UNSURE  # libmagic may read it as UTF-7 or UTF-8 text
    if built_in_may_claim(head):
        return UNSURE
    if is_csv(head):
        return "text/csv"
    if may_match(head):
        return UNSURE
    return text_pass(head.decode("latin-1").encode("utf-8")) or UNSURE
