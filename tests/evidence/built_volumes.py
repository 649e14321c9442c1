"""The encrypted-volume fixtures of :mod:`tests.evidence.volume_fixtures`, built and proved once
per test session (BitLocker's key stretching in pure Python takes seconds) for the test modules
that share them."""

from __future__ import annotations

from functools import cache

from tests.evidence.volume_fixtures import (
    bitlocker_volume,
    check_bitlocker_with_libbde,
    check_luks1_with_libluksde,
    luks1_volume,
    ntfs_payload,
)


@cache
def bitlocker() -> tuple[bytes, str, str]:
    """(BitLocker AES-XTS 128 volume over the NTFS fixture, its recovery password, the
    protector ID), read back whole by libbde before any triage code sees it."""
    payload = ntfs_payload()
    volume, password, protector = bitlocker_volume(payload)
    check_bitlocker_with_libbde(volume, password, payload)
    return volume, password, protector


@cache
def luks1(passphrase: str, seed: int = 17) -> bytes:
    """A LUKS1 aes-xts-plain64 volume over the NTFS fixture, read back whole by libluksde."""
    payload = ntfs_payload()
    volume = luks1_volume(payload, passphrase, seed=seed)
    check_luks1_with_libluksde(volume, passphrase, payload)
    return volume
