"""LUKS volumes through libluksde (pyluksde): LUKS1 unlocked with a passphrase.

libluksde reads LUKS1 only; a LUKS2 header (JSON metadata, Argon2 key slots) is named as such,
with what would help: open it with cryptsetup on a lab machine and scan the mapped device.
"""

from __future__ import annotations

import struct
from dataclasses import replace

from triage.evidence.media import Media
from triage.evidence.volumes.base import MediaStream, Opened, libyal_media
from triage.evidence.volumes.keys import Key

MAGIC = b"LUKS\xba\xbe"


def is_luks(media: Media, start: int) -> bool:
    """True when the partition starts with a LUKS header."""
    return media.read(start, len(MAGIC)) == MAGIC


def open_luks(media: Media, start: int, length: int, keys: list[Key], fast: bool = True) -> Opened:
    """The plain bytes of a LUKS1 volume, or why they cannot be had.

    With ``fast``, an aes-xts-plain64 volume libluksde has unlocked is then read with OpenSSL
    from the master key recovered here, when that provably reads what libluksde reads
    (:mod:`luks_fast`).
    """
    header = media.read(start, 208)
    version = struct.unpack_from(">H", header, 6)[0] if len(header) >= 8 else 0
    uuid = header[168:208].split(b"\0", 1)[0].decode("ascii", "replace") or None
    if version != 1:
        return Opened(
            f"LUKS{version}",
            None,
            "unreadable",
            problem=f"LUKS{version} volume (UUID {uuid}): no reader for LUKS version {version} "
            "here (libluksde reads LUKS1 only); open it with cryptsetup on a lab machine "
            "(cryptsetup open --readonly) and scan the mapped device",
            identifier=uuid,
        )
    cipher = header[8:40].split(b"\0", 1)[0].decode("ascii", "replace")
    mode = header[40:72].split(b"\0", 1)[0].decode("ascii", "replace")
    encryption = f"{cipher}-{mode}"
    import pyluksde  # noqa: PLC0415 - only disks with LUKS need it

    tried = 0
    for key in keys:
        if key.kind == "startup key":
            continue
        tried += 1
        volume = pyluksde.volume()
        try:
            volume.open_file_object(MediaStream(media, start, length))
            volume.set_password(key.value)
            unlocked = volume.unlock()
        except OSError as error:
            return Opened(
                "LUKS1",
                encryption,
                "unreadable",
                problem=f"LUKS1 header unreadable: {error}",
                identifier=uuid,
            )
        if unlocked and not volume.is_locked():
            quick = None
            if fast and encryption == "aes-xts-plain64":
                from triage.evidence.volumes.luks_fast import fast_luks_media  # noqa: PLC0415

                quick = fast_luks_media(media, start, volume, key)
            return Opened(
                "LUKS1",
                encryption,
                "unlocked",
                quick[0] if quick else libyal_media(volume, "LUKS1", volume.get_size()),
                opened_by="passphrase (a key slot)",
                identifier=uuid,
                handoff=replace(quick[1], start=start) if quick else None,
            )
        volume.close()
    note = f" ({tried} key(s) given did not open it)" if tried else ""
    return Opened(
        "LUKS1",
        encryption,
        "locked",
        problem=f"LUKS1, locked{note}; UUID {uuid}; give --key with its passphrase",
        identifier=uuid,
    )
