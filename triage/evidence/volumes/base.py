"""Shared pieces of the volume layer: a partition as a file object, decrypted bytes as media.

The libyal bindings read their input through a Python file object (``read``/``seek``/``tell``/
``get_size``), so a partition inside any media (E01, QCOW2, a decrypted volume) can be handed to
them; what they decrypt comes back as a :class:`Media`, which TSK and the hashing core read like
the image itself.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage.evidence.media import Media

ALIGN = 4096  # reads through libyal volume handles start and end on this boundary

log = logging.getLogger(__name__)


class NotFast(Exception):
    """The fast path cannot be trusted for this volume; the message says why (no key in it)."""


@dataclass(frozen=True)
class VolumeKey:
    """A volume key the scan process derived and proved, handed to its hashing workers.

    Every worker reopens the evidence; without this it would unlock each volume again (for
    BitLocker: libbde's key stretch and triage's, 2**20 SHA-256 rounds each, ~2.5 s of CPU per
    worker). It travels in memory only, inside the evidence locator through the pool's
    initializer: never in a repr, a log, the store or a file. A worker uses it only when the
    volume's first ``check`` bytes decrypt to the SHA-256 ``proof`` of what the library read
    in the scan process, else it unlocks with the examiner's keys as the scan process did.
    """

    start: int  # the partition's offset on the media
    size: int  # the plain volume's size
    check: int
    secret: Any = field(repr=False)  # what the fast reader needs: a Layout, (master key, payload)
    proof: bytes = field(repr=False)
    opened: Opened | None = None  # how the scan process opened it (no media), for the worker's


def proven_media(
    kind: str,
    library: str,
    volume: Any,
    size: int,
    build: Callable[[], tuple[Callable[[int, int], bytes], Any]],
    check: int,
    mismatch: str,
    accept: Callable[[bytes], bool] = lambda head: True,
) -> tuple[Media, VolumeKey] | None:
    """Media read by triage's own decryption (``build`` returns its reader and the secret it
    reads with), when its first ``check`` bytes are ones ``accept`` takes and equal what the
    library's ``volume`` reads, with the :class:`VolumeKey` (no start yet) that reads it again;
    else None, and the library keeps reading (the log says why, never the key). ``volume`` is
    closed when the fast media is returned."""
    try:
        read, secret = build()
        mine = read(0, check)
    except NotFast as reason:
        log.info("%s read through %s: %s", kind, library, reason)
        return None
    except (ImportError, ValueError, OSError, struct.error, IndexError) as error:
        log.info("%s read through %s: fast path failed (%s)", kind, library, type(error).__name__)
        return None
    if not accept(mine) or mine != volume.read_buffer_at_offset(check, 0):
        log.info("%s read through %s: %s", kind, library, mismatch)
        return None
    volume.close()
    proof = hashlib.sha256(mine).digest()
    return fast_media_of(kind, size, read), VolumeKey(0, size, check, secret, proof)


def fast_media_of(kind: str, size: int, read: Callable[[int, int], bytes]) -> Media:
    """Media over a fast reader (its handles are the evidence's: nothing to close)."""
    return Media(format=kind, size=size, segments=(), read_at=read, close=lambda: None)


class MediaStream(io.RawIOBase):
    """``length`` bytes of ``media`` from ``start``, as the seekable file libyal reads."""

    def __init__(self, media: Media, start: int, length: int) -> None:
        super().__init__()
        self._media, self._start, self._length, self._offset = media, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._offset
        if left <= 0:
            return b""
        size = left if size is None or size < 0 else min(size, left)
        data = self._media.read(self._start + self._offset, size)
        self._offset += len(data)
        return data if type(data) is bytes else bytes(data)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._offset, io.SEEK_END: self._length}[whence]
        self._offset = max(0, base + offset)
        return self._offset

    def tell(self) -> int:
        return self._offset

    def get_size(self) -> int:
        """The partition's size (libyal asks for it by this name)."""
        return self._length


def libyal_media(handle: Any, kind: str, size: int, keep: Any = None) -> Media:
    """Media over a libyal volume handle's ``read_buffer_at_offset`` (``keep``: its input).

    ``format`` is the volume kind, never "raw": such media has no host file to map, so the
    hashing core's in-place shortcut stays off and every byte goes through the decryption.
    """

    def close() -> None:
        closer = getattr(handle, "close", None)  # a VSS store closes with its volume
        if closer is not None:
            closer()
        if keep is not None:
            keep.close()

    def read_at(offset: int, length: int) -> bytes:
        # libbde 20260916 and libluksde 20260902 return wrong bytes for a read that starts
        # inside a sector and spans more than one: read whole aligned blocks, then cut.
        first = offset - offset % ALIGN
        last = min(-(-(offset + length) // ALIGN) * ALIGN, size)
        data = handle.read_buffer_at_offset(last - first, first)
        return data[offset - first : offset - first + length]

    return Media(format=kind, size=size, segments=(), read_at=read_at, close=close)


@dataclass
class Opened:
    """What an encrypted-volume module made of a partition.

    ``media`` holds the plain bytes when the volume is readable (unlocked, decrypted, or
    suspended with its clear key on disk); else ``problem`` says why not and what would help.
    """

    kind: str  # "BitLocker", "LUKS1", "FileVault (CoreStorage)"
    encryption: str | None  # "AES-XTS 128", "aes-ecb"...
    lock_state: str  # unlocked, locked, decrypted, suspended (clear key), unreadable
    media: Media | None = None
    opened_by: str | None = None  # which protector opened it (never the key itself)
    problem: str | None = None
    identifier: str | None = None  # the volume's own GUID/UUID
    note: str | None = None  # for the partition table, when more than the ID (BitLocker protectors)
    handoff: VolumeKey | None = field(default=None, repr=False)  # the fast path's, for workers
