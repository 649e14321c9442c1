"""Router evidence is text written by hostile hands: read it as a bounded stream of lines.

Configs, exports, captures and logs are read line by line through ``ctx.open`` (never whole into
memory). A line longer than ``MAX_LINE`` characters is skipped and reported as a problem; the
scan goes on with the next line (the splitting and the cap are
:mod:`triage.extractors.text_lines`). UTF-16 files (a Windows admin's saved console capture) are
recognised by their byte-order mark; everything else is UTF-8 with replacement characters.
"""

from __future__ import annotations

from collections.abc import Iterator

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.text_lines import (
    CHUNK,
    MAX_LINE,
    READ_ERRORS,
    capped_lines,
    decoded_chunks,
)

SNIFF_BYTES = 16384


def sniff(ctx: ExtractionContext, file: StoredFile, size: int = SNIFF_BYTES) -> str | None:
    """The first bytes of a file as text for content checks; None when binary or unreadable."""
    try:
        data = ctx.read_bytes(file, size)
    except READ_ERRORS as error:
        ctx.problem(f"could not read the start of the file: {error}", file, "warning")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if b"\x00" in data:
        return None
    return data.decode("utf-8-sig", "replace")


def read_lines(
    ctx: ExtractionContext, file: StoredFile, max_line: int = MAX_LINE
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for every line, without line ends; overlong lines are skipped."""

    def overlong(number: int) -> None:
        ctx.problem(f"line {number} is longer than {max_line} characters; skipped", file)

    with ctx.open(file) as stream:
        head = stream.read(CHUNK)
        encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
        lines = capped_lines(decoded_chunks(stream, head, encoding), max_line, overlong)
        for number, line in lines:
            yield number, line.rstrip("\r")
