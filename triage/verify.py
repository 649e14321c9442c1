"""``triage verify``: hash the evidence as a whole and compare with its acquisition hashes.

Only the evidence stream is read, once: the reading thread inflates (E01) or reads while digest
lanes hash (MD5 alone on one core, SHA-1 and SHA-256 on the other: see :mod:`triage.hashing`),
so MD5, SHA-1 and SHA-256 together take about as long as MD5 alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from triage.errors import EvidenceError
from triage.evidence import locate
from triage.hashing import (
    ALGORITHMS,
    MEDIA_FILE_ID,
    WORKER_SWITCH_INTERVAL,
    FileHasher,
    HashJob,
    verify_stored_hashes,
)


def verify_evidence(path: Path, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, Any]:
    """The evidence's computed hashes, its stored ones and the verdict."""
    locator = locate(path)
    if locator.kind in ("directory", "itunes_backup"):
        raise EvidenceError(f"{path}: a folder has no acquisition hash to verify")
    previous = sys.getswitchinterval()
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)  # digest threads get the GIL back promptly
    hasher = FileHasher(locator, algorithms, type_files=False)
    try:
        info = hasher.source.info()
        digest = hasher.hash_one(HashJob(MEDIA_FILE_ID, None, info.size or 0))
    finally:
        hasher.close()
        sys.setswitchinterval(previous)
    computed = {name: getattr(digest, name) for name in ALGORITHMS if getattr(digest, name)}
    notes = [text for text in (digest.note, info.metadata.get("stored_hash_problem")) if text]
    verdict = (
        verify_stored_hashes(info.stored_hashes, computed, "; ".join(notes) or None)
        if not digest.error
        else "not verified: the evidence could not be read to the end"
    )
    if digest.note and not digest.error and verdict.startswith("verified"):
        # Corrupt chunks read as zeros; when they held zeros at acquisition the hashes still
        # match, but the container is damaged all the same and must not pass as sound.
        verdict = (
            f"DAMAGED: {verdict} only because the corrupt chunks held zeros when acquired; "
            f"{digest.note}"
        )
    return {
        "evidence": str(path),
        "format": info.format,
        "size": info.size,
        "bytes_read": digest.bytes_read,
        **{name: computed.get(name) for name in ALGORITHMS},
        "stored_hashes": info.stored_hashes,
        "verification": verdict,
        "damaged": digest.note,
        "error": digest.error,
    }
