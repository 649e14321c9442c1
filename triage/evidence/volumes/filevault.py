"""FileVault 2 / Core Storage volumes through libfvde (pyfvde).

Macs before APFS (10.7-10.12) encrypt with FileVault 2 on Core Storage: a physical volume
(signature "CS" at byte 88) holds a volume group whose logical volume is the HFS+ system
volume, unlocked with the user's password or the recovery key. No real test data was at hand
for this layer: it follows libfvde's documented use and reports every failure as a problem.
"""

from __future__ import annotations

from triage.evidence.media import Media
from triage.evidence.volumes.base import MediaStream, Opened, libyal_media
from triage.evidence.volumes.keys import Key

SIGNATURE = (88, b"CS")
KIND = "FileVault (Core Storage)"


def is_core_storage(media: Media, start: int) -> bool:
    """True when the partition starts with a Core Storage physical volume header."""
    offset, signature = SIGNATURE
    head = media.read(start + offset, 4)
    return head[:2] == signature and head[2:4] == b"\x01\x00"  # version 1


def open_filevault(media: Media, start: int, length: int, keys: list[Key]) -> Opened:
    """The plain bytes of the (first) logical volume, or why they cannot be had."""
    import pyfvde  # noqa: PLC0415 - only old Mac disks need it

    stream = MediaStream(media, start, length)
    volume = pyfvde.volume()
    try:
        volume.open_file_object(stream)
        volume.open_physical_volume_files_as_file_objects([MediaStream(media, start, length)])
        group = volume.get_volume_group()
        logical = group.get_logical_volume(0)
    except (OSError, IndexError) as error:
        return Opened(
            KIND, "AES-XTS 128", "unreadable", problem=f"{KIND}: metadata unreadable ({error})"
        )
    identifier = str(logical.identifier)
    if not logical.is_locked():
        return Opened(
            KIND,
            None,
            "not encrypted",
            libyal_media(logical, KIND, logical.size),
            "no key needed",
            identifier=identifier,
        )
    tried = 0
    for key in keys:
        if key.kind == "startup key":
            continue
        tried += 1
        for setter, what in (
            (logical.set_password, "password"),
            (logical.set_recovery_password, "recovery key"),
        ):
            try:
                setter(key.value)
                if logical.unlock():
                    return Opened(
                        KIND,
                        "AES-XTS 128",
                        "unlocked",
                        libyal_media(logical, KIND, logical.size),
                        what,
                        identifier=identifier,
                    )
            except OSError:
                continue
    note = f" ({tried} key(s) given did not open it)" if tried else ""
    return Opened(
        KIND,
        "AES-XTS 128",
        "locked",
        problem=f"{KIND}, locked{note}; logical volume {identifier}; give --key with a user's "
        "password or the recovery key (EncryptedRoot.plist.wipekey is read from the Recovery HD "
        "by Mac tools, not here)",
        identifier=identifier,
    )
