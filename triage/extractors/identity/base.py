"""What the identity extractors share: priority, record type, and reading one file safely.

Identity runs first (``priority = 10``): the pipeline takes the default region for phone numbers
from the ``sim_country`` fact, and the report opens with the device's identity. Each source file
is read in isolation: a corrupt hive or database becomes a problem on that file, and the other
files of the device are still read.
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Callable, Iterator
from typing import ClassVar
from xml.etree.ElementTree import ParseError

from triage.extractors.base import (
    ExtractionContext,
    Extractor,
    StoredFile,
    compile_patterns,
    ends_in_name,
)
from triage.extractors.identity.facts import Facts
from triage.extractors.identity.registry import HIVE_ERRORS
from triage.extractors.text_lines import CHUNK, MAX_LINE, byte_chunks, capped_lines
from triage.records import IdentityFact

# What reading a hostile file can raise; anything else is a bug the pipeline reports.
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    sqlite3.Error,
    plistlib.InvalidFileException,
    ParseError,
    UnicodeError,
    *HIVE_ERRORS,
)


class IdentityExtractor(Extractor):
    """Base of the identity extractors: one fact table, run before every other family."""

    record_types: ClassVar[tuple[type, ...]] = (IdentityFact,)
    priority: ClassVar[int] = 10

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Live files only: a deleted copy of a settings file does not describe the device."""
        return file.kind == "file" and file.allocated and file.size > 0

    @staticmethod
    def matches(file: StoredFile, *patterns: str) -> bool:
        """Whether the file's path matches one of the globs (as ``patterns`` match); a file at
        the evidence root (a lone ``SystemVersion.plist``, one-file evidence) by its name."""
        if compile_patterns(patterns).match(str(file.path).lstrip("/")) is not None:
            return True
        return str(file.path.parent) == "/" and ends_in_name(patterns, file.path.name)

    @staticmethod
    def read(ctx: ExtractionContext, file: StoredFile, parse: Callable[[Facts], None]) -> Facts:
        """Run one parser on one file; its problems go to the store with the file's path."""
        facts = Facts(ctx.source_ref(file))
        try:
            parse(facts)
        except READ_ERRORS as error:
            facts.problem(f"cannot be read: {type(error).__name__}: {error}")
        for message, severity in facts.problems:
            ctx.problem(message, file, severity)
        return facts

    @staticmethod
    def lines(ctx: ExtractionContext, file: StoredFile, facts: Facts) -> Iterator[str]:
        """The file's text lines as a stream (UTF-8 with replacement); overlong lines skipped."""

        def overlong(number: int) -> None:
            facts.problem(f"line {number} is longer than {MAX_LINE} bytes; skipped", "warning")

        with ctx.open(file) as stream:
            chunks = byte_chunks(stream, stream.read(CHUNK))
            for _number, raw in capped_lines(chunks, MAX_LINE, overlong):
                yield raw.decode("utf-8", "replace").rstrip("\r\n")

    @staticmethod
    def small_file(
        ctx: ExtractionContext, file: StoredFile, facts: Facts, limit: int
    ) -> bytes | None:
        """The whole file when it is at most ``limit`` bytes; else a problem and None."""
        data = ctx.read_bytes(file, limit + 1)
        if len(data) > limit:
            facts.problem(f"larger than {limit} bytes; not read")
            return None
        return data
