"""The first tier of typing: the formats an examiner meets most, named from a file's head.

libmagic walks ~3,500 tests per file (0.4-1 ms); a table keyed on a file's first bytes names
the common formats in a few microseconds. :func:`sniff` answers only where it is sure of
libmagic's own answer (``magic.from_buffer`` on the same head, file 5.44): the MIME string is
the one libmagic gives, even where that is ``application/octet-stream`` (registry hives, binary
plists, E01, VMDK: libmagic knows them but gives them no MIME type). Anything else, and every
case where libmagic's answer depends on more than the table checks (OLE documents, the
members of a zip, ftyp brands it does not list), is None: libmagic then types the file (the
second tier, :mod:`triage.filetype`). ``tests/test_sniff.py`` holds the agreement test.

Text goes through a byte-class pass (ASCII or UTF-8, with or without BOM), then libmagic's own
order: JSON and CSV (libmagic decides those before its soft magic), then the starts its binary
pass would recognise (``#!`` scripts, XML, HTML, mail headers; any other start of one of its
binary string tests leaves the head to libmagic), then its text pass, replayed in Python by
:mod:`triage.sniff_text` (the first of its text tests in its order that matches decides: the
MIME type of Python source, C, a makefile..., or ``text/plain`` when none does).

Binary that no signature here names goes to :mod:`triage.sniff_data`: libmagic calls it
``application/octet-stream`` ("data") when none of its encodings takes it for text, none of its
built-in tests claims it and no path of its binary soft magic can lead to a MIME type; that
check proves the three from libmagic's own compiled database (generated table,
:mod:`triage.sniff_level0`) and turns itself off on any other libmagic, where the old guess
(random bytes that do not compress, unless they start as libmagic's weak tests,
:data:`WEAK_STARTS`) stands in.

8-bit text that is not UTF-8 (libmagic's ISO-8859 / extended ASCII) goes the same way through
:mod:`triage.sniff_latin`, its bytes read as Latin-1 as libmagic reads them.

Measured for issue 19 (bench small-file tree, 20,000 heads, 6 December 2026): 98 % named here,
100 % equal to libmagic's answer; signatures 1-4 us a file, the data check ~20 us a binary
head, the text pass ~0.2-0.25 ms a text head, libmagic 0.35-1.4 ms. Also
measured: libsigscan-python 4 us with eight signatures before any Python around it, and
puremagic 1.3 ms (it tries every signature at every offset: slower than libmagic itself).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable

from triage.sniff_csv import is_csv
from triage.sniff_cues import STARTS, STARTS_ANY_CASE
from triage.sniff_data import ENABLED as DATA_CHECKED
from triage.sniff_data import HIGH_BYTES, TEXT_BYTES, TEXTISH, data, may_match, tar_header
from triage.sniff_latin import eight_bit_text
from triage.sniff_text import text_pass

OCTET = "application/octet-stream"
UNSURE = ""  # _text: text, but which kind is libmagic's to say
SNIFF_BYTES = 8192  # what libmagic and this tier see of a file (triage.filetype.SNIFF_BYTES)
# libmagic's tests read past a signature (a PNG's header chunk, a zip's first name): a shorter
# head is libmagic's to type (it may call a bare signature data, or even text).
MIN_SIGNED = 64

# -- binary signatures ----------------------------------------------------------------------------


def _zip(head: bytes) -> str | None:
    """A zip, unless its members make libmagic call it something else (OOXML, ODF, APK, JAR)."""
    if head[:4] != b"PK\x03\x04" or any(cue in head for cue in _ZIP_KINDS):
        return None
    # libmagic reads the id after the first name (0xCAFE: a JAR): past the head, no match.
    after_name = 30 + int.from_bytes(head[26:28], "little")
    if after_name + 2 > len(head) or head[after_name : after_name + 2] == b"\xfe\xca":
        return None
    return "application/zip"


# Member names (anywhere in the head) by which libmagic tells a zip's kind.
_ZIP_KINDS = (
    b"[Content_Types].xml", b"_rels/", b"docProps", b"word/", b"xl/", b"ppt/", b"mimetype",
    b"META-INF", b"AndroidManifest", b"classes.dex", b"resources.arsc", b".kml", b"install.rdf",
    b"\xfe\xca", b"chrome.manifest", b"manifest.json",
)  # fmt: skip


def _elf(head: bytes) -> str | None:
    # libmagic reads ELF from a buffer by its magic rules only (its ELF parser needs a file).
    if len(head) < 18 or head[5] not in (1, 2):
        return None
    kind = int.from_bytes(head[16:18], "little" if head[5] == 1 else "big")
    return _ELF_KINDS.get(kind)


_ELF_KINDS = {
    1: "application/x-object",
    2: "application/x-executable",
    3: "application/x-sharedlib",
    4: "application/x-coredump",
}


def _mz(head: bytes) -> str | None:
    """A PE (``PE\\0\\0`` where the MZ header points); other MZ kinds are libmagic's."""
    if len(head) < 64:
        return None
    at = int.from_bytes(head[60:64], "little")
    if at and head[at : at + 4] == b"PE\x00\x00":
        return "application/vnd.microsoft.portable-executable"
    return None


def _riff(head: bytes) -> str | None:
    return _RIFF_KINDS.get(head[8:12])


_RIFF_KINDS = {b"WAVE": "audio/x-wav", b"AVI ": "video/x-msvideo", b"WEBP": "image/webp"}


def _ftyp(head: bytes) -> str | None:
    """ISO media by major brand, for the brands whose libmagic MIME type is known here."""
    if head[4:8] != b"ftyp":
        return None
    return _BRANDS.get(head[8:12])


_BRANDS = {
    b"isom": "video/mp4",
    b"iso2": "video/mp4",
    b"mp41": "video/mp4",
    b"mp42": "video/mp4",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/x-m4a",
    b"heic": "image/heic",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}


def _ebml(head: bytes) -> str | None:
    """Matroska or WebM, by the EBML doctype near the start."""
    start = head.find(b"\x42\x82", 4, 64)
    if start < 0 or start + 3 > len(head):
        return None
    doctype = head[start + 3 : start + 3 + (head[start + 2] & 0x7F)]
    return {b"matroska": "video/x-matroska", b"webm": "video/webm"}.get(doctype)


def _bmp(head: bytes) -> str | None:
    size = int.from_bytes(head[14:18], "little")
    return "image/bmp" if size in (12, 40, 56, 108, 124) else None


def _gzip(head: bytes) -> str | None:
    return "application/gzip" if head[2:3] == b"\x08" else None


def _bzip2(head: bytes) -> str | None:
    return "application/x-bzip2" if head[3:4] in b"123456789" and head[3:4] else None


def _fixed(mime: str, magic: bytes) -> Callable[[bytes], str | None]:
    def check(head: bytes) -> str | None:
        return mime if head.startswith(magic) else None

    return check


def _starting(magic: bytes, check: Callable[[bytes], str | None]) -> Callable:
    """``check`` for heads that start with the whole ``magic`` (it is found by two bytes)."""
    if len(magic) <= 2:
        return check
    return lambda head: check(head) if head.startswith(magic) else None


# Checks by a file's first two bytes; each is tried in turn.
_BY_START: dict[bytes, tuple[Callable[[bytes], str | None], ...]] = {}
# The whole signatures those checks stand for: a head that starts with one and is not named
# here is libmagic's (a text that merely starts "re" or "co", like "regf" and "conectix", is not).
_CLAIMED: list[bytes] = []
_OLE = b"\xd0\xcf\x11\xe0"  # libmagic types an OLE file by its members: always libmagic's


def _add(magic: bytes, check: Callable[[bytes], str | None]) -> None:
    """Try ``check`` on heads that start with ``magic``."""
    _BY_START[magic[:2]] = (*_BY_START.get(magic[:2], ()), check)
    _CLAIMED.append(magic)


for _magic, _mime in (
    # executables
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary"),
    # archives and compressed streams
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07\x00", "application/x-rar"),
    (b"Rar!\x1a\x07\x01\x00", "application/x-rar"),
    (b"\x28\xb5\x2f\xfd", "application/zstd"),
    (b"\x04\x22\x4d\x18", "application/x-lz4"),
    # documents, images, media
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"fLaC", "audio/flac"),
    # databases, Windows and Apple artefacts, disk images (libmagic gives some no MIME type)
    (b"\x37\x7f\x06\x82", OCTET),  # SQLite write-ahead log
    (b"\x37\x7f\x06\x83", OCTET),
    (b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7", OCTET),  # SQLite rollback journal
    (b"bplist00", OCTET),
    (b"regf", OCTET),
    (b"ElfFile\x00", "application/x-ms-evtx"),
    (b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46",
     "application/x-ms-shortcut"),
    (b"MAM\x04", OCTET),  # compressed prefetch
    (b"EVF\x09\x0d\x0a\xff\x00", OCTET),
    (b"LVF\x09\x0d\x0a\xff\x00", OCTET),
    (b"KDMV", OCTET),
    (b"conectix", "application/x-virtualbox-vhd"),
    (b"QFI\xfb", "application/x-qemu-disk"),
):  # fmt: skip
    _add(_magic, _fixed(_mime, _magic))
for _magic, _check in (
    (b"PK", _zip),
    # SQLite: libmagic also wants a page size (not 0) at 16
    (
        b"SQLite format 3",
        lambda head: (
            "application/vnd.sqlite3" if head[15:16] == b"\x00" and head[16:18] != b"\0\0" else None
        ),
    ),
    (b"\x7fELF", _elf),
    (b"MZ", _mz),
    (b"RIFF", _riff),
    (b"BM", _bmp),
    (b"\x1f\x8b", _gzip),
    (b"BZh", _bzip2),
    (b"\x1a\x45\xdf\xa3", _ebml),
):
    _add(_magic, _starting(_magic, _check))
_CLAIMED_STARTS = (_OLE, *_CLAIMED)


def _at_offset(head: bytes) -> str | None:
    """Signatures past the start (ISO media, tar, prefetch, ESE) and Python byte code."""
    if (
        head[2:4] == b"\r\n"
        and 3328 <= int.from_bytes(head[:2], "little") <= 3583
        and head[5:8] == b"\0\0\0"
        and head[4] <= 3
    ):
        # Python 3.6-3.13 byte code (libmagic 5.44 knows each of these magic numbers but 3498)
        return None if head[:2] == (3498).to_bytes(2, "little") else _PYC
    if head[4:8] == b"ftyp":
        return _ftyp(head)
    if head[4:8] == b"SCCA":
        return OCTET
    if head[4:8] == b"\xef\xcd\xab\x89":  # libmagic: and a zero (unknown1) at 132
        return "application/x-ms-ese" if head[132:136] == bytes(4) else None
    if head[257:262] == b"ustar" and tar_header(head):
        return "application/x-tar"
    return None


_PYC = "application/x-bytecode.python"


# -- text ------------------------------------------------------------------------------------------
# A byte outside libmagic's text classes (triage.sniff_data.TEXTISH): one search finds the
# first (a binary head usually has one in its first bytes, where deleting the text bytes reads
# all 512)
_CONTROL = re.compile(
    b"[" + b"".join(b"\\x%02x" % byte for byte in range(256) if byte not in TEXTISH) + b"]"
)
# The values of libmagic's binary-pass string tests by offset (triage/sniff_cues.py, generated
# from its compiled database): tried on text too, before its text pass.
_STARTS = tuple(sorted(STARTS.items()))
_STARTS_ANY_CASE = tuple(sorted(STARTS_ANY_CASE.items()))


def _starts_regex(starts: dict[int, tuple[bytes, ...]]) -> re.Pattern[bytes]:
    """One anchored regex for values at offsets past 0 (one try instead of one per offset)."""
    options = [
        b"(?:.{%d}(?:%s))" % (at, b"|".join(re.escape(value) for value in values))
        for at, values in sorted(starts.items())
        if at
    ]
    return re.compile(b"|".join(options) or b"(?!)", re.S)


def _by_pair(values: tuple[bytes, ...]) -> dict[bytes, tuple[bytes, ...]]:
    """Values at offset 0 by their first two bytes ("" for shorter ones): a head is compared
    with the few that share its start, not with hundreds (~1 us a head, was ~8)."""
    pairs: dict[bytes, tuple[bytes, ...]] = {}
    for value in values:
        key = value[:2] if len(value) >= 2 else b""
        pairs[key] = (*pairs.get(key, ()), value)
    return pairs


_STARTS_AT_0 = _by_pair(STARTS.get(0, ()))
_STARTS_PAST_0 = _starts_regex(STARTS)
_STARTS_ANY_CASE_AT_0 = _by_pair(STARTS_ANY_CASE.get(0, ()))
_STARTS_ANY_CASE_PAST_0 = _starts_regex(STARTS_ANY_CASE)


def _starts_at_0(text: bytes, pairs: dict[bytes, tuple[bytes, ...]]) -> bool:
    return text.startswith(pairs.get(text[:2], ())) or text.startswith(pairs.get(b"", ()))


def _binary_start(body: bytes) -> bool:
    """Whether a string test of libmagic's binary pass (tried on text too, first) might match."""
    if _starts_at_0(body, _STARTS_AT_0) or _STARTS_PAST_0.match(body):
        return True
    lowered = body[:64].lower()
    return _starts_at_0(lowered, _STARTS_ANY_CASE_AT_0) or bool(
        _STARTS_ANY_CASE_PAST_0.match(lowered)
    )


_SHEBANGS = re.compile(rb"#! ?(/usr)?/bin/(?:env )?(sh|bash|python[0-9.]*|perl)\s")
_SHEBANG_MIME = {b"sh": "text/x-shellscript", b"bash": "text/x-shellscript", b"perl": "text/x-perl"}
# XML that libmagic names by its root, doctype or namespace (SVG, XHTML, KML, TTML, COLLADA...):
# any of these in its first 4 KiB leaves it to libmagic (taken from the strings of its rules).
_XML_KINDS = (
    b"html", b"svg", b"ttml", b"kml", b"3dmanufacturing", b"gnc-v2", b"urlset", b"<osm",
    b"x3d", b"collada", b"<amf", b"metadata", b"qgis", b"openarchives", b"isotc211",
    b"datadryad", b"eml-", b"pef", b"xsl", b"<rss", b"<feed", b"smil", b"gpx", b"docbook",
    b"xul", b"<dia", b"office", b"rdf", b"mathml", b"<math", b"sym_lib", b"gadget", b"packageinfo",
)  # fmt: skip


def _text(head: bytes, whole: bool) -> str | None:
    """libmagic's MIME type of a text head where this tier is sure of it; :data:`UNSURE` for
    other text (libmagic's, never taken for random bytes); None when the head is not text."""
    body = head
    if head.startswith(b"\xef\xbb\xbf"):
        body = head[3:]
    if _CONTROL.search(body, 0, 512) is not None:
        return None  # control bytes early on: binary (the quick way out for most binaries)
    rest = body.translate(None, TEXT_BYTES)
    if rest and (rest.translate(None, HIGH_BYTES) or not _is_utf8(body, whole)):
        return None  # control bytes, or high bytes that are not UTF-8: not text to this tier
    if len(body) < 2 or not body.strip():
        return UNSURE  # libmagic calls one byte, or only white space, data
    if whole and body[:1] in b"[{" and _is_json(body):
        return "application/json"
    if is_csv(body):
        return "text/csv"
    # libmagic's text pass sees the text as UTF-8: exactly these bytes (ASCII, or whole
    # characters) unless the head cuts one in two: then only whether a test may match is known
    evaluate = whole or not rest or _is_utf8(body, True)
    start = body[:64]  # (libmagic's tests of these starts are at offset 0: no blanks first)
    if start.startswith(b"#!"):
        match = _SHEBANGS.match(start)
        if match is None:
            return UNSURE
        if match.group(2) in _SHEBANG_MIME:  # libmagic's binary pass names these first
            return _SHEBANG_MIME[match.group(2)]
        # Python's: only a text test of libmagic's names it, and a stronger one may come first
        # (its binary pass stops at "#!/usr/bin/env", which has no MIME type)
        return text_pass(body, evaluate=evaluate) or UNSURE
    if start.startswith(b"<?xml"):  # and a stronger text test may come first (a shebang...)
        mime = _xml(body)
        return mime if mime and text_pass(body, evaluate=evaluate) == mime else UNSURE
    lowered = start.lower()
    if lowered.startswith((b"<!doctype html", b"<html>", b"<html ", b"<html\t", b"<html\n")):
        return "text/html"  # (libmagic calls a bare "<html" text)
    if start.startswith((b"Received: ", b"Return-Path: ")):
        return "message/rfc822"
    if head is not body:  # libmagic may take a BOM's text otherwise
        return UNSURE
    if (
        (
            _binary_start(body)
            or body[:8].translate(None, TEXT_BYTES)  # a weak binary test ("V" and 0xE0: LATM
            or body[:1] in b"\x07\x08\x0b\x0c\x1b"  # audio; 0x0B 0x77: AC-3)
        )
        and (not DATA_CHECKED or may_match(head))
    ):
        # a binary test that may give a MIME type first (one without a MIME type does not stop
        # libmagic's text tests): the data check's clauses say exactly which may match
        return UNSURE
    return text_pass(body, evaluate=evaluate) or UNSURE


def _xml(body: bytes) -> str | None:
    """``text/xml`` for XML whose elements are all ordinary ones (a list, not a guess)."""
    lowered = body[:4096].lower()
    if b"<!doctype" in lowered and b"<!doctype plist" not in lowered:
        return None
    return None if any(kind in lowered for kind in _XML_KINDS) else "text/xml"


def _is_utf8(body: bytes, whole: bool) -> bool:
    """Valid UTF-8 without control bytes libmagic counts as binary (an end cut mid-character is
    fine when the head is not the whole file)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        if whole or error.start < len(body) - 3:
            return False
        text = body[: error.start].decode("utf-8")
    return not text.encode("ascii", "ignore").translate(None, TEXT_BYTES)


def _is_json(body: bytes) -> bool:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, (dict, list))


# -- random bytes ----------------------------------------------------------------------------------
# Starts that libmagic's weak tests (a byte or two) take for a format even in random bytes: a
# random head starting so is left to libmagic (COM executables, zlib, LATM audio...: found on
# 6,000 random heads; tests/test_sniff.py checks the rest agree).
WEAK_STARTS = frozenset(
    b"\x00\x01\x02\x03\x04\x05\x06\x07\x0a\x0e\x11\x1f\x3d\x56\x71\x76\x7f\x8c\xaa\xb8\xe9\xeb\xff"
    b"\x08\x18\x28\x38\x48\x58\x68\x78"  # zlib's first byte
)


def _random(head: bytes) -> str | None:
    """``application/octet-stream`` for a head of random-looking bytes: incompressible, and
    under 256 bytes (too short for zlib to tell) also of bytes nearly all different, as random
    bytes are (82 of 100 on average) and records with structure are not. Its first 16 bytes
    must look random too: a short header before compressed data is a format libmagic may know.
    """
    if len(head) < 64 or head[0] in WEAK_STARTS:
        return None
    if len(head) < 256 and len(set(head)) < 0.7 * len(head):
        return None
    if len(set(head[:16])) < 13:  # a header (JMOD's "JM" + a zip): libmagic may know it
        return None
    if any(head.startswith(values, at) for at, values in _STARTS):
        return None  # "#!/bin/sh" then any bytes: libmagic's test at the start still matches
    lowered = head[:64].lower()
    if any(lowered.startswith(values, at) for at, values in _STARTS_ANY_CASE if at < 64):
        return None
    sample = head[:512]
    if len(zlib.compress(sample, 1)) < len(sample):
        return None
    return OCTET


def _unless_text(mime: str, head: bytes) -> str | None:
    """None where libmagic would call a head it has no MIME type for text: it drops trailing
    NULs before its text test, so ``regf`` and nothing but zeros after it is text/plain (and
    high bytes may be ISO-8859 text to it)."""
    if mime == OCTET and not head.rstrip(b"\x00").translate(None, TEXTISH):
        return None
    return mime


def sniff(head: bytes) -> str | None:
    """libmagic's MIME type for a file whose first bytes are ``head``, or None if not sure.

    ``head`` is the file's first :data:`SNIFF_BYTES` (all of it when shorter).
    """
    if len(head) >= MIN_SIGNED:
        for check in _BY_START.get(head[:2], ()):
            mime = check(head)
            if mime is not None:
                return _unless_text(mime, head)
        mime = _at_offset(head)
        if mime is not None:
            return _unless_text(mime, head)
    # a known start whose details the table does not decide (where libmagic's database is not
    # the one the data check proves against, any head sharing a signature's first two bytes)
    if (
        head.startswith(_CLAIMED_STARTS)
        if DATA_CHECKED
        else head[:2] in _BY_START or head.startswith(_OLE)
    ):
        return None
    text = _text(head, len(head) < SNIFF_BYTES)
    if text is None:  # ISO-8859 or extended-ASCII text to libmagic, not UTF-8
        text = eight_bit_text(head)
    if text is not None:
        return text or None
    # binary that no libmagic test may name (triage.sniff_data: random bytes, machine code,
    # records...); the incompressible-bytes guess only where that check is off
    return data(head) if DATA_CHECKED else _random(head)
