"""Read evidence text as a stream of numbered lines, with a cap on the length of one line.

Logs, configs and console captures can be gigabytes, and a hostile or damaged one can hold a
"line" of gigabytes (a preallocated run of NULs, a file with no line ends at all). Every family
that reads text therefore reads it in chunks through ``ctx.open`` and never keeps more than one
capped line: :func:`capped_lines` numbers the lines of a chunk stream, skips a line longer than
the cap (keeping nothing of it while looking for its end) and tells the caller its number, so
that the caller reports it as a problem and the scan goes on with the next line. The same
splitter serves bytes (8-bit logs, decoded line by line by the caller) and text (decoded
incrementally, e.g. UTF-16); how a family decodes and words the problem stays with the family.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import AnyStr, BinaryIO

MAX_LINE = 1 << 20  # bytes or characters of one line; a longer line is reported and skipped
CHUNK = 1 << 16
# What reading evidence can raise: damaged images and archives, truncated compressed members.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, ValueError)


def byte_chunks(stream: BinaryIO, first: bytes) -> Iterator[bytes]:
    """``first``, then the rest of the stream in chunks; nothing more once a chunk is empty."""
    chunk = first
    while chunk:
        yield chunk
        chunk = stream.read(CHUNK)


def decoded_chunks(stream: BinaryIO, first: bytes, encoding: str) -> Iterator[str]:
    """The stream from ``first`` on, decoded incrementally (bad bytes become U+FFFD)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    for chunk in byte_chunks(stream, first):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def capped_lines(
    chunks: Iterable[AnyStr], max_line: int, overlong: Callable[[int], None]
) -> Iterator[tuple[int, AnyStr]]:
    """``(line number, line)`` split at ``\\n`` (line end removed); an overlong line is skipped.

    ``overlong(number)`` is called for each line longer than ``max_line`` as soon as it is seen;
    memory stays bounded by one chunk plus ``max_line``.
    """
    number = 0
    pending: AnyStr | None = None
    skipping = False
    for chunk in chunks:
        newline = "\n" if isinstance(chunk, str) else b"\n"
        if pending is None:
            pending = chunk[:0]
        if skipping:  # inside an overlong line: look only for its end, keep nothing
            end = chunk.find(newline)
            if end < 0:
                continue
            number += 1
            skipping = False
            chunk = chunk[end + 1 :]
        parts = (pending + chunk).split(newline)
        pending = parts.pop()
        for line in parts:
            number += 1
            if len(line) > max_line:
                overlong(number)
                continue
            yield number, line
        if len(pending) > max_line:
            overlong(number + 1)
            skipping = True
            pending = pending[:0]
    if pending and not skipping:
        yield number + 1, pending
