"""Reading an unlocked BitLocker AES-XTS volume with OpenSSL instead of libbde.

libbde stays the reference: it unlocks the volume first (so the key is right), and the fast
reader is used only when the FVEK derived here (:mod:`bde_keys`) decrypts the volume's first
4 KiB to a file system boot sector identical to what libbde reads; else libbde keeps reading and
the log says why. Each read is one read of the underlying media and one XTS pass over it
(:mod:`xts`); as libbde does, the first sectors come from where BitLocker moved the original
volume header, the FVE metadata blocks and that moved header read as zeros, and bytes past the
encrypted size are read as they are (a volume still being converted).
"""

from __future__ import annotations

import logging
import struct
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from triage.evidence.media import Media
from triage.evidence.volumes.base import NotFast, VolumeKey, proven_media
from triage.evidence.volumes.bde_keys import METADATA_SIZE, Layout, derive
from triage.evidence.volumes.keys import Key

log = logging.getLogger(__name__)

CHECK_BYTES = 4096
BOOT_SIGNATURES = ((3, b"NTFS    "), (3, b"EXFAT   "), (54, b"FAT12   "), (54, b"FAT16   "))
FAT32_SIGNATURE = (82, b"FAT32   ")


class FastReader:
    """Plain bytes of a BitLocker volume from ``media`` at ``start`` (``size`` bytes)."""

    def __init__(self, media: Media, start: int, size: int, layout: Layout) -> None:
        from triage.evidence.volumes.xts import XtsDecryptor  # noqa: PLC0415 - numpy on use

        self._media, self._start, self._size, self._layout = media, start, size, layout
        self._xts = XtsDecryptor(layout.fvek, layout.sector_size)
        # Ranges read otherwise than "decrypt in place", the first that holds a byte wins.
        self._special = [(offset, offset + METADATA_SIZE, "zero") for offset in layout.metadata]
        moved = layout.header_offset
        self._special.append((moved, moved + layout.header_size, "zero"))
        self._special.append((0, layout.header_size, "moved"))
        self._special.append((layout.encrypted_size, 1 << 63, "plain"))
        self._bounds = sorted({edge for low, high, _ in self._special for edge in (low, high)})
        self._unit = layout.sector_size

    def read(self, offset: int, length: int) -> bytes:
        """``length`` plain bytes at ``offset`` (short only at the end of the volume)."""
        end = min(offset + length, self._size)
        if offset >= end:
            return b""
        unit = self._unit
        first, last = offset // unit * unit, -(-end // unit) * unit
        pieces = []
        position = first
        while position < last:
            how = next((k for low, high, k in self._special if low <= position < high), "data")
            piece_end = min([last] + [edge for edge in self._bounds if edge > position])
            pieces.append(self._piece(position, piece_end, how))
            position = piece_end
        data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        skip = offset - first
        if skip == 0 and len(data) == end - offset:
            return data
        return data[skip : skip + end - offset]

    def _piece(self, low: int, high: int, how: str) -> bytes:
        if how == "zero":
            return bytes(high - low)
        if how == "plain":
            return self._raw(low, high - low)
        source = self._layout.header_offset + low if how == "moved" else low
        data = self._raw(source, high - low)
        whole = len(data) // self._unit * self._unit
        return self._xts.decrypt(data[:whole], source // self._unit) + data[whole:]

    def _raw(self, offset: int, length: int) -> bytes:
        data = self._media.read(self._start + offset, length)
        if len(data) < length:  # as libbde: a sector the image does not hold is an error
            raise OSError(f"BitLocker sector data at offset {offset} is past the end of the image")
        return data if type(data) is bytes else bytes(data)


def _boot_sector(head: bytes) -> bool:
    """A file system boot sector BitLocker may hold: NTFS, exFAT or FAT, 0x55AA at 510."""
    if len(head) < 512 or head[510:512] != b"\x55\xaa":
        return False
    marks = (*BOOT_SIGNATURES, FAT32_SIGNATURE)
    return any(head[at : at + len(mark)] == mark for at, mark in marks)


def reader_of(media: Media, start: int, size: int, layout: Layout) -> Any:
    """The fast reader of the volume at ``start`` with a layout (and FVEK) derived before."""
    return FastReader(media, start, size, layout).read


def derive_soon(media: Media, start: int, key: Key) -> Future:
    """:func:`derive` started in a thread, to run while libbde checks the same key.

    Both stretch a password or recovery password (2**20 SHA-256 rounds each, ~1 s); libbde
    lets go of the GIL meanwhile, so on two cores the scan waits for one stretch, not two. The
    thread only computes: the bytes it needs (boot sector, first FVE metadata block) are read
    here first, as the media may not be read from two threads at once. If libbde does not open
    the volume with the key, the result is never asked for.
    """
    boot = media.read(start, 512)
    held = {(0, 512): boot}
    if len(boot) == 512:
        first = struct.unpack_from("<Q", boot, 176)[0]
        held[(first, METADATA_SIZE)] = media.read(start + first, METADATA_SIZE)

    def read(offset: int, length: int) -> bytes:
        if (offset, length) not in held:
            raise NotFast("FVE metadata not where the boot sector says")
        return held[(offset, length)]

    worker = ThreadPoolExecutor(1, thread_name_prefix="bde-derive")
    try:
        return worker.submit(derive, read, key)
    finally:
        worker.shutdown(wait=False)


def fast_media(
    media: Media, start: int, volume: Any, key: Key | None, soon: Future | None = None
) -> tuple[Media, VolumeKey] | None:
    """Media decrypting with OpenSSL when it provably reads what libbde reads (with the key
    that reads it again, for the hashing workers), else None.

    ``volume`` is the pybde handle libbde unlocked with ``key`` (None: no key was needed); it
    is closed when the fast media is returned, kept open otherwise. ``soon``: the layout being
    derived already (:func:`derive_soon`).
    """
    size = volume.get_size()

    def build():
        if soon is not None:
            layout = soon.result()
        else:
            layout = derive(lambda offset, length: media.read(start + offset, length), key)
        return reader_of(media, start, size, layout), layout

    return proven_media(
        "BitLocker", "libbde", volume, size, build, CHECK_BYTES,
        "derived key does not read libbde's header", accept=_boot_sector,
    )  # fmt: skip
