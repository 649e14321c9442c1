"""Reading an unlocked LUKS1 aes-xts-plain64 volume with OpenSSL instead of libluksde.

libluksde decrypts through a Python callback per 512-byte sector (~5-9 % of the raw rate) and
does not hand out the master key. Once it has unlocked a volume with a passphrase, the master
key is recovered here the way the LUKS On-Disk Format Specification 1.2.3 says (and
``tests/evidence/volume_fixtures.py`` writes it): PBKDF2 of the passphrase with each active key
slot's salt, the slot's key material decrypted with aes-xts-plain64, AF-merged, and accepted
only when its PBKDF2 digest equals the header's. The fast media is used only when its first
64 KiB equal libluksde's; anything else (other ciphers or modes, hashes hashlib lacks) stays on
libluksde. Keys stay in memory and are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import struct
from collections.abc import Callable
from typing import Any

from triage.evidence.media import Media
from triage.evidence.volumes.base import NotFast, VolumeKey, proven_media
from triage.evidence.volumes.keys import Key

log = logging.getLogger(__name__)

SECTOR = 512
SLOT_ACTIVE = 0x00AC71F3
CHECK_BYTES = 1 << 16


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def _diffuse(block: bytes, hash_name: str) -> bytes:
    """cryptsetup's AF diffusion: each digest-sized piece hashed with its big-endian index."""
    size = hashlib.new(hash_name).digest_size
    out = bytearray()
    for index in range(0, len(block), size):
        piece = block[index : index + size]
        out += hashlib.new(hash_name, struct.pack(">I", index // size) + piece).digest()[
            : len(piece)
        ]
    return bytes(out)


def af_merge(material: bytes, key_bytes: int, stripes: int, hash_name: str) -> bytes:
    """The key the anti-forensic split of ``material`` stands for (LUKS1 spec, section 2.4)."""
    mixed = 0
    for index in range(stripes - 1):
        stripe = int.from_bytes(material[index * key_bytes : (index + 1) * key_bytes], "big")
        mixed = int.from_bytes(
            _diffuse((stripe ^ mixed).to_bytes(key_bytes, "big"), hash_name), "big"
        )
    last = int.from_bytes(material[(stripes - 1) * key_bytes : stripes * key_bytes], "big")
    return (last ^ mixed).to_bytes(key_bytes, "big")


def master_key(read: Callable[[int, int], bytes], passphrase: str) -> tuple[bytes, int]:
    """(master key, payload offset in bytes) of a LUKS1 aes-xts-plain64 volume."""
    from triage.evidence.volumes.xts import XtsDecryptor  # noqa: PLC0415 - numpy on use

    header = read(0, 592)
    if len(header) < 592 or header[:6] != b"LUKS\xba\xbe" or header[6:8] != b"\0\1":
        raise NotFast("not a LUKS1 header")
    cipher, mode, hash_name = _text(header[8:40]), _text(header[40:72]), _text(header[72:104])
    if (cipher, mode) != ("aes", "xts-plain64"):
        raise NotFast(f"{cipher}-{mode} is not aes-xts-plain64")
    payload, key_bytes = struct.unpack_from(">II", header, 104)
    digest, digest_salt = header[112:132], header[132:164]
    digest_iterations = struct.unpack_from(">I", header, 164)[0]
    if key_bytes not in (32, 64):
        raise NotFast(f"{key_bytes}-byte key")
    try:
        hashlib.new(hash_name)
    except ValueError as error:
        raise NotFast(f"hash {hash_name} not available") from error
    secret = passphrase.encode("utf-8")
    for slot in range(8):
        active, iterations = struct.unpack_from(">II", header, 208 + slot * 48)
        salt = header[216 + slot * 48 : 248 + slot * 48]
        material_offset, stripes = struct.unpack_from(">II", header, 248 + slot * 48)
        if active != SLOT_ACTIVE or not 0 < stripes <= 1 << 16:
            continue
        slot_key = hashlib.pbkdf2_hmac(hash_name, secret, salt, iterations, key_bytes)
        length = -(-key_bytes * stripes // SECTOR) * SECTOR
        material = read(material_offset * SECTOR, length)
        if len(material) < length:
            continue
        split = XtsDecryptor(slot_key, SECTOR).decrypt(material, 0)
        candidate = af_merge(split, key_bytes, stripes, hash_name)
        check = hashlib.pbkdf2_hmac(hash_name, candidate, digest_salt, digest_iterations, 20)
        if hmac.compare_digest(check, digest):
            return candidate, payload * SECTOR
    raise NotFast("no key slot opened with the passphrase")


class XtsPlain64Reader:
    """Plain bytes of an aes-xts-plain64 payload: sector n of it has tweak n."""

    def __init__(self, media: Media, start: int, size: int, key: bytes) -> None:
        from triage.evidence.volumes.xts import XtsDecryptor  # noqa: PLC0415 - numpy on use

        self._media, self._start, self._size = media, start, size
        self._xts = XtsDecryptor(key, SECTOR)

    def read(self, offset: int, length: int) -> bytes:
        """``length`` plain bytes at ``offset`` (short only at the end of the volume)."""
        end = min(offset + length, self._size)
        if offset >= end:
            return b""
        first, last = offset // SECTOR * SECTOR, -(-end // SECTOR) * SECTOR
        data = self._media.read(self._start + first, last - first)
        if len(data) < last - first:
            raise OSError(f"LUKS1 sector data at offset {first} is past the end of the image")
        plain = self._xts.decrypt(data if type(data) is bytes else bytes(data), first // SECTOR)
        skip = offset - first
        return (
            plain if skip == 0 and len(plain) == end - offset else plain[skip : skip + end - offset]
        )


def reader_of(media: Media, start: int, size: int, secret: tuple[bytes, int]) -> Any:
    """The fast reader of the volume at ``start`` with (master key, payload offset) had before."""
    master, payload = secret
    return XtsPlain64Reader(media, start + payload, size, master).read


def fast_luks_media(
    media: Media, start: int, volume: Any, key: Key
) -> tuple[Media, VolumeKey] | None:
    """Media decrypting with OpenSSL when it provably reads what libluksde reads (with the
    key that reads it again, for the hashing workers), else None.

    ``volume`` is the pyluksde handle unlocked with ``key``: closed when the fast media is
    returned, kept open otherwise.
    """
    size = volume.get_size()

    def build():
        secret = master_key(lambda at, length: media.read(start + at, length), key.value)
        return reader_of(media, start, size, secret), secret

    return proven_media(
        "LUKS1", "libluksde", volume, size, build, min(CHECK_BYTES, size),
        "derived key does not read what libluksde reads",
    )  # fmt: skip
