"""Remote-access logs as a bounded stream of text lines, whatever their encoding.

Tool logs are read line by line through ``ctx.open``, never whole into memory: AnyDesk traces
reach hundreds of megabytes. A line longer than ``MAX_LINE`` (bytes of 8-bit text, characters
of UTF-16) is reported as a problem and skipped; the next line is read as usual (the splitting
and the cap are :mod:`triage.extractors.text_lines`; the encodings are this module's).

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
from collections.abc import Iterator

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.text_lines import (
    CHUNK,
    MAX_LINE,
    byte_chunks,
    capped_lines,
    decoded_chunks,
)


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

    def overlong(number: int) -> None:
        ctx.problem(f"line {number} is longer than {max_line} bytes; skipped", file)

    with ctx.open(file) as stream:
        head = stream.read(CHUNK)
        encoding = sniff_encoding(head)
        if encoding:
            wide = capped_lines(decoded_chunks(stream, head, encoding), max_line, overlong)
            for number, text in wide:
                yield number, text.replace("\x00", "").rstrip("\r")
        else:
            if head.startswith(codecs.BOM_UTF8):
                head = head[len(codecs.BOM_UTF8) :]
            for number, raw in capped_lines(byte_chunks(stream, head), max_line, overlong):
                yield number, decode_line(raw)
