"""Router evidence is text written by hostile hands: read it as a bounded stream of lines.

Configs, exports, captures and logs are read line by line through ``ctx.open`` (never whole into
memory). A line longer than :data:`MAX_LINE` characters is skipped and reported as a problem; the
scan goes on with the next line. UTF-16 files (a Windows admin's saved console capture) are
recognised by their byte-order mark; everything else is UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterator

from triage.extractors.base import ExtractionContext, StoredFile

MAX_LINE = 1 << 20  # characters; longer lines are reported and skipped
CHUNK = 1 << 16
SNIFF_BYTES = 16384
# What reading evidence can raise: damaged archives and images, truncated compressed members.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, ValueError)


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
    with ctx.open(file) as stream:
        chunk = stream.read(CHUNK)
        encoding = "utf-16" if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
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
                        return
                    chunk = stream.read(CHUNK)
                    continue
                number += 1
                skipping = False
                decoded = decoded[end + 1 :]
            pending += decoded
            lines = pending.split("\n")
            pending = lines.pop()
            for line in lines:
                number += 1
                if len(line) > max_line:
                    ctx.problem(
                        f"line {number} is longer than {max_line} characters; skipped", file
                    )
                    continue
                yield number, line.rstrip("\r")
            if len(pending) > max_line:
                ctx.problem(
                    f"line {number + 1} is longer than {max_line} characters; skipped", file
                )
                skipping = True
                pending = ""
            if final:
                break
            chunk = stream.read(CHUNK)
        if skipping:
            return
        if pending:
            yield number + 1, pending.rstrip("\r")
