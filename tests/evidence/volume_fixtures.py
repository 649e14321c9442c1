"""Encrypted-volume fixtures written from the published formats, in pure Python.

The payloads are the committed NTFS fixture (``tests/data/images/ntfs.raw.gz``); the encrypted
bytes are incompressible, so instead of committing megabytes the tests build them at run time
with this script (milliseconds: low key-derivation iteration counts). Each builder is proved by
an independent reader before any triage code touches its output: ``python -m
tests.evidence.volume_fixtures`` unlocks the LUKS1 volume with libluksde and compares every byte.

LUKS1 follows the LUKS On-Disk Format Specification 1.2.3 (Clemens Fruhwirth): a 592-byte
big-endian header, eight key slots, the master key stored per slot through the anti-forensic
splitter (AF-split with SHA-256 diffusion) and encrypted with a PBKDF2-SHA256 key; the payload
is encrypted with aes-xts-plain64 (512-byte sectors, the sector number as the XTS tweak).
"""

from __future__ import annotations

import gzip
import hashlib
import random
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

DATA = Path(__file__).resolve().parents[1] / "data"
SECTOR = 512
LUKS_MAGIC = b"LUKS\xba\xbe"
KEY_BYTES = 64  # AES-256 in XTS mode: two 256-bit keys
STRIPES = 4000
SLOT_ACTIVE, SLOT_INACTIVE = 0x00AC71F3, 0x0000DEAD
MATERIAL_OFFSET = 8  # sectors: the first key slot's material, after the 592-byte header
PAYLOAD_OFFSET = 512  # sectors (256 KiB), past the slot's 500 sectors of material
LUKS_UUID = "6a0f5f0e-1c1b-4c57-9d3e-7d0b8e5f3a21"


def ntfs_payload() -> bytes:
    """The committed bare NTFS fixture (user files, a Zone.Identifier stream, a deleted file)."""
    return gzip.decompress((DATA / "images" / "ntfs.raw.gz").read_bytes())


def xts_plain64(key: bytes, data: bytes, first_sector: int = 0, sector: int = SECTOR) -> bytes:
    """``data`` (whole sectors) encrypted with AES-XTS, tweak = sector number (LE)."""
    out = bytearray()
    for index in range(0, len(data), sector):
        tweak = (first_sector + index // sector).to_bytes(16, "little")
        encryptor = Cipher(algorithms.AES(key), modes.XTS(tweak)).encryptor()
        out += encryptor.update(data[index : index + sector]) + encryptor.finalize()
    return bytes(out)


def _diffuse(block: bytes) -> bytes:
    """cryptsetup's AF diffusion: each 32-byte piece hashed with its big-endian index."""
    size = hashlib.sha256().digest_size
    out = bytearray()
    for index in range(0, len(block), size):
        piece = block[index : index + size]
        digest = hashlib.sha256(struct.pack(">I", index // size) + piece).digest()
        out += digest[: len(piece)]
    return bytes(out)


def af_split(key: bytes, stripes: int, rng: random.Random) -> bytes:
    """The anti-forensic split of ``key`` into ``stripes`` stripes (LUKS1 spec, section 2.4)."""
    mixed = bytes(len(key))
    out = bytearray()
    for _ in range(stripes - 1):
        stripe = rng.randbytes(len(key))
        out += stripe
        mixed = _diffuse(bytes(a ^ b for a, b in zip(stripe, mixed, strict=True)))
    out += bytes(a ^ b for a, b in zip(key, mixed, strict=True))
    return bytes(out)


def luks1_volume(payload: bytes, passphrase: str, iterations: int = 1000, seed: int = 17) -> bytes:
    """A LUKS1 aes-xts-plain64/sha256 volume holding ``payload``, key slot 0 opened by
    ``passphrase`` (deterministic for a given seed)."""
    rng = random.Random(seed)
    master = rng.randbytes(KEY_BYTES)
    digest_salt, slot_salt = rng.randbytes(32), rng.randbytes(32)
    digest = hashlib.pbkdf2_hmac("sha256", master, digest_salt, iterations, 20)
    header = bytearray(LUKS_MAGIC + struct.pack(">H", 1))
    for text in (b"aes", b"xts-plain64", b"sha256"):
        header += text.ljust(32, b"\0")
    header += struct.pack(">II", PAYLOAD_OFFSET, KEY_BYTES) + digest + digest_salt
    header += struct.pack(">I", iterations) + LUKS_UUID.encode().ljust(40, b"\0")
    material_sectors = -(-KEY_BYTES * STRIPES // SECTOR)
    header += struct.pack(">II", SLOT_ACTIVE, iterations) + slot_salt
    header += struct.pack(">II", MATERIAL_OFFSET, STRIPES)
    for _ in range(7):
        header += struct.pack(">II", SLOT_INACTIVE, 0) + bytes(32)
        header += struct.pack(">II", MATERIAL_OFFSET, STRIPES)
    slot_key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), slot_salt, iterations, KEY_BYTES)
    split = af_split(master, STRIPES, rng).ljust(material_sectors * SECTOR, b"\0")
    volume = bytearray(PAYLOAD_OFFSET * SECTOR)
    volume[: len(header)] = header
    start = MATERIAL_OFFSET * SECTOR
    volume[start : start + len(split)] = xts_plain64(slot_key, split)
    padded = payload.ljust(-(-len(payload) // SECTOR) * SECTOR, b"\0")
    return bytes(volume) + xts_plain64(master, padded)


# -- BitLocker (Windows 7+ layout, AES-XTS 128, one recovery-password protector) -------------------
# Following libyal's "BitLocker Drive Encryption (BDE) format" (J. Metz): a boot sector with the
# "-FVE-FS-" signature and the offsets of three FVE metadata blocks; each block holds a block
# header, a metadata header and entries: the VMK protected by the recovery password (stretch key
# with its salt, the VMK in AES-CCM under the stretched key) and the FVEK in AES-CCM under the
# VMK. Sectors are AES-XTS encrypted with the sector number as tweak; the file system's first
# 16 sectors are stored encrypted at the "volume header offset" (the boot sector shows
# BitLocker's own header).
BITLOCKER_GUID = "4967d63b-2e29-4ad8-8399-f6a339e3d001"
FVE_SIGNATURE = b"-FVE-FS-"
HEADER_SECTORS = 16
METADATA_BLOCK = 0x10000
AES_XTS_128 = 0x8004
STRETCH_ITERATIONS = 0x100000
FIXED_FILETIME = 133542864000000000  # 2024-03-01T09:00:00Z


def _guid(text: str) -> bytes:
    import uuid  # noqa: PLC0415

    return uuid.UUID(text).bytes_le


def recovery_password(seed: int = 5) -> tuple[str, bytes]:
    """A valid BitLocker recovery password (8 groups, each 11 x a 16-bit value) and its key."""
    key = random.Random(seed).randbytes(16)
    values = struct.unpack("<8H", key)
    return "-".join(f"{value * 11:06d}" for value in values), key


def _stretch(initial: bytes, salt: bytes) -> bytes:
    """BitLocker's key stretching: SHA-256 over (last, initial, salt, count) 2**20 times."""
    last = bytes(32)
    for count in range(STRETCH_ITERATIONS):
        last = hashlib.sha256(last + initial + salt + struct.pack("<Q", count)).digest()
    return last


def _entry(entry_type: int, value_type: int, data: bytes) -> bytes:
    return struct.pack("<HHHH", 8 + len(data), entry_type, value_type, 1) + data


def _ccm_key(entry_type: int, key: bytes, method: int, secret: bytes, counter: int) -> bytes:
    """An AES-CCM encrypted key entry: nonce (FILETIME, counter), MAC, then the key container."""
    nonce = struct.pack("<QI", FIXED_FILETIME, counter)
    container = struct.pack("<IHHI", 12 + len(secret), 1, 0, method) + secret
    sealed = AESCCM(key, tag_length=16).encrypt(nonce, container, None)
    return _entry(entry_type, 5, nonce + sealed[-16:] + sealed[:-16])


def bitlocker_volume(payload: bytes, seed: int = 5, sector: int = SECTOR) -> tuple[bytes, str, str]:
    """(volume, recovery password, protector ID): ``payload`` in BitLocker, AES-XTS 128, on a
    disk of ``sector``-byte sectors (4096: a 4Kn disk; each sector one XTS data unit)."""
    rng = random.Random(seed)
    password, password_key = recovery_password(seed)
    vmk, fvek, salt = rng.randbytes(32), rng.randbytes(32), rng.randbytes(16)
    protector = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
    volume_id = "0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9"
    padded = payload.ljust(-(-len(payload) // sector) * sector, b"\0")
    header_offset = len(padded)
    blocks = [header_offset + METADATA_BLOCK * index for index in (1, 2, 3)]
    size = blocks[-1] + METADATA_BLOCK
    stretched = _stretch(hashlib.sha256(password_key).digest(), salt)
    properties = _entry(0, 2, "DiskPassword\0".encode("utf-16-le"))
    properties += _entry(0, 3, struct.pack("<I", 0x1000) + salt)
    properties += _ccm_key(0, stretched, 0x2000, vmk, 1)
    vmk_entry = _entry(
        2, 8, _guid(protector) + struct.pack("<QHH", FIXED_FILETIME, 0, 0x0800) + properties
    )
    entries = _entry(7, 2, "TRIAGE-FIXTURE C: 3/1/2024\0".encode("utf-16-le")) + vmk_entry
    entries += _ccm_key(3, vmk, AES_XTS_128, fvek, 2)
    entries += _entry(15, 15, struct.pack("<QQ", header_offset, HEADER_SECTORS * sector))
    metadata = struct.pack("<IIII", 48 + len(entries), 1, 48, 48 + len(entries))
    metadata += _guid(volume_id) + struct.pack("<IIQ", 3, AES_XTS_128, FIXED_FILETIME) + entries
    block_header = FVE_SIGNATURE + struct.pack("<HHHHQII", 58, 2, 4, 4, size, 0, HEADER_SECTORS)
    block_header += struct.pack("<QQQQ", *blocks, header_offset)
    boot = bytearray(sector)
    boot[0:11] = b"\xebX\x90" + FVE_SIGNATURE
    struct.pack_into("<HBHBHHBHHHII", boot, 11, sector, 8, 0, 0, 0, 0, 0xF8, 0, 63, 255, 0, 0)
    boot[160:176] = _guid(BITLOCKER_GUID)
    struct.pack_into("<QQQ", boot, 176, *blocks)
    boot[510:512] = b"\x55\xaa"
    volume = bytearray(size)
    first = HEADER_SECTORS * sector
    volume[first : len(padded)] = xts_plain64(fvek, padded[first:], HEADER_SECTORS, sector)
    volume[0:sector] = boot
    volume[header_offset : header_offset + first] = xts_plain64(
        fvek, padded[:first], header_offset // sector, sector
    )
    for block in blocks:
        volume[block : block + 64 + len(metadata)] = block_header + metadata
    return bytes(volume), password, protector.upper()


def check_bitlocker_with_libbde(volume: bytes, password: str, payload: bytes) -> None:
    """Prove the BitLocker builder right with an independent reader: every payload byte back."""
    import io  # noqa: PLC0415

    import pybde  # noqa: PLC0415

    handle = pybde.volume()
    handle.set_recovery_password(password)
    handle.open_file_object(io.BytesIO(volume))
    if handle.is_locked():
        raise AssertionError("libbde did not unlock the BitLocker fixture")
    back = handle.read_buffer_at_offset(len(payload), 0)
    handle.close()
    if back != payload:
        first = next(i for i, (a, b) in enumerate(zip(back, payload, strict=False)) if a != b)
        raise AssertionError(f"libbde read other bytes than the payload (from byte {first})")


def mbr_disk(volume: bytes, type_code: int = 0x83, start_sector: int = 2048) -> bytes:
    """An MBR disk with one primary partition (type ``type_code``) holding ``volume``."""
    sectors = -(-len(volume) // SECTOR)
    entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", type_code, b"\0\0\0", start_sector, sectors)
    mbr = bytearray(SECTOR)
    mbr[446:462] = entry
    mbr[510:512] = b"\x55\xaa"
    disk = bytes(mbr) + bytes((start_sector - 1) * SECTOR) + volume
    return disk.ljust((start_sector + sectors) * SECTOR, b"\0")


def check_luks1_with_libluksde(volume: bytes, passphrase: str, payload: bytes) -> None:
    """Prove the LUKS1 builder right with an independent reader: every payload byte back."""
    import io  # noqa: PLC0415

    import pyluksde  # noqa: PLC0415

    handle = pyluksde.volume()
    handle.open_file_object(io.BytesIO(volume))
    handle.set_password(passphrase)
    if not handle.unlock():
        raise AssertionError("libluksde did not unlock the LUKS1 fixture")
    back = handle.read_buffer_at_offset(len(payload), 0)
    handle.close()
    if back != payload:
        raise AssertionError("libluksde read other bytes than the payload")


if __name__ == "__main__":
    plain = ntfs_payload()
    luks = luks1_volume(plain, "correct horse battery staple")
    check_luks1_with_libluksde(luks, "correct horse battery staple", plain)
    print(f"LUKS1 fixture verified by libluksde: {len(luks)} bytes", file=sys.stderr)
    bitlocker, password, _ = bitlocker_volume(plain)
    check_bitlocker_with_libbde(bitlocker, password, plain)
    print(f"BitLocker fixture verified by libbde: {len(bitlocker)} bytes", file=sys.stderr)
