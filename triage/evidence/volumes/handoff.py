"""A hashing worker reads an encrypted volume with the key the scan process derived and proved.

The scan process unlocks each volume with the examiner's keys (the library first, then the
fast path's own derivation) and hands what its fast reader needs to the workers inside the
evidence locator (:class:`~triage.evidence.volumes.base.VolumeKey`, memory only). A worker
reads the volume's first bytes with it and uses it only when their SHA-256 is the one proven
against libbde/libluksde in the scan process; else (another image at that path, a reader
that changed) it unlocks the volume itself as before.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from triage.evidence.media import Media
from triage.evidence.volumes.base import Opened, VolumeKey, fast_media_of

log = logging.getLogger(__name__)


def _reader(kind: str):
    if kind == "BitLocker":
        from triage.evidence.volumes.bde_fast import reader_of  # noqa: PLC0415 - numpy on use
    elif kind == "LUKS1":
        from triage.evidence.volumes.luks_fast import reader_of  # noqa: PLC0415
    else:
        return None
    return reader_of


def reopen_volume(media: Media, handed: VolumeKey) -> Opened | None:
    """The volume ``handed`` describes, read with its key, when that reads the proven bytes."""
    opened = handed.opened
    make = _reader(opened.kind) if opened is not None else None
    if opened is None or make is None:
        return None
    try:
        read = make(media, handed.start, handed.size, handed.secret)
        head = read(0, handed.check)
    except (ValueError, OSError, IndexError) as error:
        log.info("%s volume key handed over unusable (%s)", opened.kind, type(error).__name__)
        return None
    if hashlib.sha256(head).digest() != handed.proof:
        log.info("%s volume key handed over does not read the proven bytes", opened.kind)
        return None
    return replace(opened, media=fast_media_of(opened.kind, handed.size, read), handoff=handed)
