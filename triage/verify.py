"""``triage verify``: hash the evidence as a whole and compare with its acquisition hashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from triage.errors import EvidenceError
from triage.evidence import locate, reopen
from triage.hashing import ALGORITHMS, MEDIA_FILE_ID, HashJob, hash_files, verify_stored_hashes


def verify_evidence(path: Path, algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, Any]:
    """The evidence's computed hashes, its stored ones and the verdict."""
    locator = locate(path)
    if locator.kind in ("directory", "itunes_backup"):
        raise EvidenceError(f"{path}: a folder has no acquisition hash to verify")
    source = reopen(locator)
    try:
        info = source.info()
    finally:
        source.close()
    job = HashJob(MEDIA_FILE_ID, None, info.size or 0)
    digest = next(hash_files(locator, [job], algorithms, jobs=1, type_files=False))
    computed = {name: getattr(digest, name) for name in ALGORITHMS if getattr(digest, name)}
    verdict = (
        verify_stored_hashes(info.stored_hashes, computed)
        if not digest.error
        else "not verified: the evidence could not be read to the end"
    )
    return {
        "evidence": str(path),
        "format": info.format,
        "size": info.size,
        "bytes_read": digest.bytes_read,
        **{name: computed.get(name) for name in ALGORITHMS},
        "stored_hashes": info.stored_hashes,
        "verification": verdict,
        "error": digest.error,
    }
