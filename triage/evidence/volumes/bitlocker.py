"""BitLocker volumes through libbde (pybde): unlock with the examiner's keys, or say what would.

libbde reads every state Windows leaves a volume in: encrypted (AES-CBC with or without the
Elephant diffuser, AES-XTS), decrypted, and suspended (the volume key stored in clear). It
unlocks with a recovery password, a user password or a startup/recovery key file (``.BEK``);
a startup key must be read before the volume is opened, so every key is tried on a fresh
handle. A volume that stays locked is reported with its key protectors and their IDs: the
recovery key ID is what an examiner asks Microsoft or the domain for.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from triage.evidence.media import Media
from triage.evidence.volumes.base import MediaStream, Opened, VolumeKey, libyal_media
from triage.evidence.volumes.keys import Key

log = logging.getLogger(__name__)

SIGNATURE = (3, b"-FVE-FS-")
METHODS = {
    0x8000: "AES-CBC 128 with diffuser",
    0x8001: "AES-CBC 256 with diffuser",
    0x8002: "AES-CBC 128",
    0x8003: "AES-CBC 256",
    0x8004: "AES-XTS 128",
    0x8005: "AES-XTS 256",
}
XTS_METHODS = (0x8004, 0x8005)
PROTECTORS = {
    0x0000: "clear key",
    0x0100: "TPM",
    0x0200: "startup key",
    0x0500: "TPM and PIN",
    0x0800: "recovery password",
    0x2000: "password",
}
# Which protector type each kind of key opens.
KEY_PROTECTOR = {"recovery password": 0x0800, "startup key": 0x0200, "password": 0x2000}


def is_bitlocker(media: Media, start: int) -> bool:
    """True when the partition starts with BitLocker's boot sector signature."""
    offset, signature = SIGNATURE
    return media.read(start + offset, len(signature)) == signature


def protectors(volume: Any) -> list[tuple[str, str]]:
    """(type, ID) of each key protector, IDs upper-case as Windows shows them."""
    found = []
    for index in range(volume.number_of_key_protectors):
        protector = volume.get_key_protector(index)
        kind = PROTECTORS.get(protector.type, f"type 0x{protector.type:04x}")
        found.append((kind, str(protector.identifier).upper()))
    return found


def _hint(kinds: set[str]) -> str:
    wanted = []
    if "recovery password" in kinds:
        wanted.append("its recovery password")
    if "startup key" in kinds or "recovery password" in kinds:
        wanted.append(".BEK")
    if "password" in kinds:
        wanted.append("its password")
    text = (
        "give --key with " + " or ".join(wanted)
        if wanted
        else "no protector usable off the machine"
    )
    if kinds & {"TPM", "TPM and PIN"} and not wanted:
        text += " (TPM only: the key is in the laptop's TPM)"
    return text


def _apply(volume: Any, key: Key) -> None:
    if key.kind == "startup key":
        volume.read_startup_key(key.value)
    elif key.kind == "recovery password":
        volume.set_recovery_password(key.value)
    else:
        volume.set_password(key.value)


def open_bitlocker(
    media: Media, start: int, length: int, keys: list[Key], fast: bool = True
) -> Opened:
    """The plain bytes of a BitLocker volume, or why they cannot be had.

    With ``fast``, an AES-XTS volume libbde has opened is then read with OpenSSL from the FVEK
    derived here, when that provably reads what libbde reads (:mod:`bde_fast`).
    """
    import pybde  # noqa: PLC0415 - only disks with BitLocker need it

    def fresh(key: Key | None) -> Any:
        volume = pybde.volume()
        if key is not None:
            _apply(volume, key)
        volume.open_file_object(MediaStream(media, start, length))
        return volume

    try:
        volume = fresh(None)
    except OSError as error:
        return Opened(
            "BitLocker", None, "unreadable", problem=f"BitLocker metadata unreadable: {error}"
        )
    found = protectors(volume)
    method = METHODS.get(volume.encryption_method) if volume.encryption_method else None
    identifier = str(volume.identifier).upper() if volume.identifier else None
    kinds = {kind for kind, _ in found}
    listed = "; ".join(f"{kind} ID {ident}" for kind, ident in found)
    # every protector ID, not only the one that opened it (a locked volume's problem says them)
    note = f"BitLocker volume ID {identifier or 'unknown'}; key protectors: {listed or 'none'}"
    if not volume.is_locked():
        state = "suspended (clear key on disk)" if "clear key" in kinds else "decrypted"
        if method is None:
            state = "decrypted"
        readable, handoff = _readable(volume, media, start, None, fast)
        return Opened(
            "BitLocker",
            method,
            state,
            readable,
            opened_by="no key needed",
            identifier=identifier,
            note=note,
            handoff=handoff,
        )
    xts = fast and volume.encryption_method in XTS_METHODS
    volume.close()
    tried = 0
    for key in keys:
        wanted = KEY_PROTECTOR[key.kind]
        matching = [ident for kind, ident in found if PROTECTORS.get(wanted) == kind]
        if not matching:
            continue
        tried += 1
        soon = None
        if xts:  # the fast path's key derivation runs while libbde checks the key
            from triage.evidence.volumes.bde_fast import derive_soon  # noqa: PLC0415

            soon = derive_soon(media, start, key)
        try:
            candidate = fresh(key)
        except OSError:
            log.info("a %s did not fit this BitLocker volume", key.kind)
            continue
        if candidate.is_locked():
            candidate.close()
            continue
        which = matching[0] if len(matching) == 1 else " or ".join(matching)
        readable, handoff = _readable(candidate, media, start, key, fast, soon)
        return Opened(
            "BitLocker",
            method,
            "unlocked",
            readable,
            opened_by=f"{key.kind} (protector ID {which})",
            identifier=identifier,
            note=note,
            handoff=handoff,
        )
    untried = f" ({tried} key(s) given did not open it)" if tried else ""
    return Opened(
        "BitLocker",
        method,
        "locked",
        problem=f"BitLocker, locked{untried}; {listed or 'no key protectors'}; {_hint(kinds)}",
        identifier=identifier,
    )


def _readable(
    volume: Any, media: Media, start: int, key: Key | None, fast: bool, soon: Any = None
) -> tuple[Media, VolumeKey | None]:
    """The fast AES-XTS reader when it is proved to read as libbde does (with its key for the
    hashing workers), else libbde."""
    if fast and volume.encryption_method in XTS_METHODS:
        from triage.evidence.volumes.bde_fast import fast_media  # noqa: PLC0415

        quick = fast_media(media, start, volume, key, soon)
        if quick is not None:
            return quick[0], replace(quick[1], start=start)
    return _media(volume), None


def _media(volume: Any) -> Media:
    return libyal_media(volume, "BitLocker", volume.get_size())
