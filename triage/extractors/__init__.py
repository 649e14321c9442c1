"""Every extractor triage has, registered in one explicit tuple.

Families live in their own modules and export a tuple each; this module concatenates them.
Registration is explicit (no import-time side effects, no plugin discovery), and a duplicate id
is an error at import time, caught by the meta-tests.
"""

from __future__ import annotations

from triage.extractors import browser, calls, identity, remote_access, router
from triage.extractors.base import ExtractionContext, Extractor, StoredFile

# Identity first: phone-number normalisation and time zones read what it found.
EXTRACTOR_CLASSES: tuple[type[Extractor], ...] = (
    *identity.EXTRACTORS,
    *browser.EXTRACTORS,
    *calls.EXTRACTORS,
    *remote_access.EXTRACTORS,
    *router.EXTRACTORS,
)


def all_extractors() -> dict[str, type[Extractor]]:
    """Extractor id -> class, in registration order; raises on a duplicate id."""
    registry: dict[str, type[Extractor]] = {}
    for cls in EXTRACTOR_CLASSES:
        if cls.name in registry:
            raise ValueError(f"extractor id {cls.name!r} is registered twice")
        registry[cls.name] = cls
    return registry


__all__ = ["EXTRACTOR_CLASSES", "ExtractionContext", "Extractor", "StoredFile", "all_extractors"]
