"""Remote-access logs as a bounded stream of text lines, whatever their encoding.

Tool logs are read line by line through ``ctx.open``, never whole into memory: AnyDesk traces
reach hundreds of megabytes. A line longer than :data:`MAX_LINE` is reported as a problem and
skipped; the next line is read as usual.

Encodings seen in these logs:

* UTF-16 with a byte-order mark, and UTF-16LE *without* one (AnyDesk ``file_transfer_trace.txt``,
  read as ``utf-16-le`` by dissect.target's AnyDesk plugin): recognised by the NUL byte in every
  second position of the first bytes.
* Everything else is 8-bit text decoded line by line: UTF-8 when the line is valid UTF-8, else
  Windows-1252 (logs that mix a UTF-8 path with an ANSI one). NUL bytes are dropped: AnyDesk
  traces contain runs of NULs where the file was preallocated or cut (artemis-api's trace parser
  replaces them the same way).
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterator

from triage.extractors.base import ExtractionContext, StoredFile

MAX_LINE = 1 << 20  # bytes (8-bit) or characters (UTF-16); longer lines are reported and skipped
CHUNK = 1 << 16
# What reading evidence can raise: damaged images and archives, truncated compressed members.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, ValueError)


def sniff_encoding(head: bytes) -> str | None:
    """``utf-16``/``utf-16-le``/``utf-16-be`` for UTF-16 text, None for 8-bit text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    if odd > pairs * 0.3 and even < pairs * 0.05:
        return "utf-16-le"
    if even > pairs * 0.3 and odd < pairs * 0.05:
        return "utf-16-be"
    return None


def decode_line(raw: bytes) -> str:
    """One 8-bit line as text: UTF-8 when valid, else Windows-1252; NULs and CR dropped."""
    raw = raw.replace(b"\x00", b"").rstrip(b"\r")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def read_lines(
    ctx: ExtractionContext, file: StoredFile, max_line: int = MAX_LINE
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for every line of a file, streamed; overlong lines are skipped."""
    with ctx.open(file) as stream:
        head = stream.read(CHUNK)
        encoding = sniff_encoding(head)
        if encoding:
            yield from _utf16_lines(ctx, file, stream, head, encoding, max_line)
        else:
            if head.startswith(codecs.BOM_UTF8):
                head = head[len(codecs.BOM_UTF8) :]
            yield from _byte_lines(ctx, file, stream, head, max_line)


def _byte_lines(
    ctx: ExtractionContext, file: StoredFile, stream, chunk: bytes, max_line: int
) -> Iterator[tuple[int, str]]:
    pending = b""
    number = 0
    skipping = False
    while chunk:
        if skipping:  # inside an overlong line: look only for its end, keep nothing
            end = chunk.find(b"\n")
            if end < 0:
                chunk = stream.read(CHUNK)
                continue
            number += 1
            skipping = False
            chunk = chunk[end + 1 :]
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for raw in parts:
            number += 1
            if len(raw) > max_line:
                _overlong(ctx, file, number, max_line)
                continue
            yield number, decode_line(raw)
        if len(pending) > max_line:
            _overlong(ctx, file, number + 1, max_line)
            skipping = True
            pending = b""
        chunk = stream.read(CHUNK)
    if pending and not skipping:
        yield number + 1, decode_line(pending)


def _utf16_lines(
    ctx: ExtractionContext, file: StoredFile, stream, chunk: bytes, encoding: str, max_line: int
) -> Iterator[tuple[int, str]]:
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    pending = ""
    number = 0
    skipping = False
    while True:
        final = not chunk
        decoded = decoder.decode(chunk, final=final)
        if skipping:  # inside an overlong line: look only for its end, keep nothing
            end = decoded.find("\n")
            if end < 0:
                if final:
                    break
                chunk = stream.read(CHUNK)
                continue
            number += 1
            skipping = False
            decoded = decoded[end + 1 :]
        parts = (pending + decoded).split("\n")
        pending = parts.pop()
        for text in parts:
            number += 1
            if len(text) > max_line:
                _overlong(ctx, file, number, max_line)
                continue
            yield number, text.replace("\x00", "").rstrip("\r")
        if len(pending) > max_line:
            _overlong(ctx, file, number + 1, max_line)
            skipping = True
            pending = ""
        if final:
            break
        chunk = stream.read(CHUNK)
    if pending and not skipping:
        yield number + 1, pending.replace("\x00", "").rstrip("\r")


def _overlong(ctx: ExtractionContext, file: StoredFile, number: int, max_line: int) -> None:
    ctx.problem(f"line {number} is longer than {max_line} bytes; skipped", file)
