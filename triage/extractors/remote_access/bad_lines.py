"""Report the lines of a remote-access log that are not the tool's format, without flooding.

A damaged, truncated or foreign log can hold millions of lines an extractor cannot read. Each file
reports its first :data:`MAX_BAD_LINES` bad lines one by one, as warnings (the rest of the file is
still read), and, where the extractor asks for it, one total at the end. :func:`parsed_lines`
is the loop the line-per-entry logs share (AnyDesk ``connection_trace.txt`` and
``file_transfer_trace.txt``, TeamViewer connection lists): every non-blank line is one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.remote_access.lines import read_lines

MAX_BAD_LINES = 20  # problems reported per file before summarising
Entry = TypeVar("Entry")


@dataclass
class BadLines:
    """The unreadable lines of one file: the first few reported, all counted."""

    ctx: ExtractionContext
    file: StoredFile
    count: int = 0

    def report(self, message: str) -> None:
        """Count a bad line; report it while fewer than :data:`MAX_BAD_LINES` were."""
        self.count += 1
        if self.count <= MAX_BAD_LINES:
            self.ctx.problem(message, self.file, "warning")

    def summarise(self, what: str) -> None:
        """One warning with the total, when more were found than reported."""
        if self.count > MAX_BAD_LINES:
            self.ctx.problem(f"{self.count} unreadable {what} in all", self.file, "warning")


def parsed_lines(
    ctx: ExtractionContext,
    file: StoredFile,
    parse: Callable[[str], Entry | None],
    what: str,
) -> Iterator[Entry]:
    """The entry of every non-blank line ``parse`` reads; the other lines are bad lines.

    ``what`` names a good line in the problem (``"a connection_trace line"``).
    """
    bad = BadLines(ctx, file)
    for number, text in read_lines(ctx, file):
        if not text.strip():
            continue
        entry = parse(text)
        if entry is None:
            bad.report(f"line {number}: not {what}: {text[:200]!r}")
            continue
        yield entry
