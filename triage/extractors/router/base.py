"""The router family's extractor base: content-checked matching and a guarded per-file loop.

Every extractor of the family runs on every device (profiles list ``*``), so path patterns only
narrow the candidates; ``recognise`` then checks the first bytes for the format's signature, so a
laptop's ``/etc/foo.conf`` or ``/var/log/syslog`` is never read as a router's. Each file is parsed
on its own: a file that cannot be read is a problem, the other files are still read, and a file
yielding an absurd number of facts (hostile repetition) is cut off with a problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import ClassVar

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, stored_time
from triage.extractors.router.text import SNIFF_BYTES, sniff
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RouterFact

MAX_FACTS_PER_FILE = 1_000_000


class RouterExtractor(Extractor):
    """Base of the router extractors: ``recognise`` the head, ``parse`` one file into facts."""

    record_types: ClassVar[tuple[type, ...]] = (RouterFact,)
    sniff_bytes: ClassVar[int] = SNIFF_BYTES

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Only non-empty files whose first bytes carry the format's signature."""
        if not super().accepts(file, ctx) or not file.size:
            return False
        head = sniff(ctx, file, self.sniff_bytes)
        return head is not None and self.recognise(head, file, ctx)

    def claims_content(self, head: bytes) -> bool:
        """Any text: ``accepts`` checks the format's signature (a lone ``export.txt``)."""
        return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Whether the head of a file is this extractor's format."""
        raise NotImplementedError

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """Facts of one file; ``fact`` is RouterFact with the file's provenance bound."""
        raise NotImplementedError

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[RouterFact]:
        """Parse each file on its own; read errors and runaway files become problems."""
        for file in files:
            fact = partial(RouterFact, ctx.source_ref(file))
            count = 0
            try:
                for record in self.parse(file, ctx, fact):
                    count += 1
                    if count > MAX_FACTS_PER_FILE:
                        ctx.problem(
                            f"more than {MAX_FACTS_PER_FILE} facts from one file; the rest "
                            "was not read",
                            file,
                        )
                        break
                    yield record
            except READ_ERRORS as error:
                ctx.problem(
                    f"reading stopped after {count} facts: {type(error).__name__}: {error}", file
                )


def modified_time(file: StoredFile):
    """The file's modification time as a UTC datetime (None when unknown)."""
    return stored_time(file.modified)
