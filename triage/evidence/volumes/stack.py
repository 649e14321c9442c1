"""One partition through the volume layer: which volumes it holds and how each is read.

:class:`VolumeStack` looks at a partition's first bytes (never at its type code, which tools
set carelessly): BitLocker, LUKS or Core Storage are unlocked with the examiner's keys and what
they decrypt is looked at again; an APFS container gives one volume per APFS volume; anything
else is handed to TSK, and an NTFS volume with shadow copies gives one more volume per
snapshot. Every volume that cannot be walked is a problem line saying what it is, why, and what
would help (15.4: unreadable content is never a clean scan).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from triage.evidence.base import PartitionInfo, Problem, ProblemSink
from triage.evidence.media import Media
from triage.evidence.volumes import apfs, vss
from triage.evidence.volumes.base import Opened, VolumeKey
from triage.evidence.volumes.bitlocker import is_bitlocker, open_bitlocker
from triage.evidence.volumes.filevault import is_core_storage, open_filevault
from triage.evidence.volumes.handoff import reopen_volume
from triage.evidence.volumes.keys import Key
from triage.evidence.volumes.luks import is_luks, open_luks

# Partitions that hold no file system by design: not walking them is no loss of evidence.
EMPTY_BY_DESIGN = ("microsoft reserved", "bios boot", "swap", "extended", "unallocated")
ZERO_PROBE = 1 << 16


@dataclass
class StackedVolume:
    """One volume found in a partition: a walkable file system, an APFS volume, or neither."""

    info: PartitionInfo
    fs: Any | None = None  # TSK FS_Info
    media: Media | None = None  # the plain bytes the file system is in; None: the image's media
    apfs: apfs.ApfsVolume | None = None
    snapshot_of: int | None = None  # the live volume a VSS snapshot is a copy of
    snapshot_label: str | None = None
    keeps_live_index: bool = False  # walked first, its snapshots compared with it


class VolumeStack:
    """Opens the volumes of each partition; owns what it opened until :meth:`close`."""

    def __init__(
        self,
        media: Media,
        keys: list[Key],
        vss_enabled: bool,
        open_fs: Callable[[Media, int], Any | None],
        foreign: Callable[[Media, int], str | None],
        fs_name: Callable[[Any], str],
        problems: ProblemSink,
        handed: tuple[VolumeKey, ...] = (),
    ) -> None:
        self._media, self._keys, self._vss = media, keys, vss_enabled
        self._open_fs, self._foreign, self._fs_name = open_fs, foreign, fs_name
        self._problems = problems
        self._closers: list[Callable[[], None]] = []
        # Volume keys the scan process proved (this is a hashing worker), by partition start;
        # and those this stack's fast paths proved, to hand on (memory only: see VolumeKey).
        self._handed = {key.start: key for key in handed}
        self.volume_keys: list[VolumeKey] = []

    def has_volume_layer(self, start: int) -> bool:
        """True when the bytes at ``start`` are an encrypted volume or an APFS container."""
        media = self._media
        return any(
            test(media, start) for test in (is_bitlocker, is_luks, is_core_storage, apfs.is_apfs)
        )

    def volumes(
        self, first: int, slot: str, start: int, length: int, description: str
    ) -> list[StackedVolume]:
        """Every volume of the partition at ``start``, numbered from ``first``."""
        base = PartitionInfo(first, slot, start, length, description, None, False)
        media, inner_start, inner_length, layer = self._media, start, length, None
        opened = self._unlock(start, length)
        if opened is not None:
            encryption = opened.encryption or ("none" if opened.lock_state == "decrypted" else None)
            base = replace(base, encryption=encryption, lock_state=opened.lock_state)
            if opened.media is None:
                return [self._unwalked(base, opened.kind, opened.problem or "cannot be opened")]
            self._closers.append(opened.media.close)
            media, inner_start, inner_length = opened.media, 0, opened.media.size
            how = (
                "no key needed" if opened.opened_by == "no key needed" else f"by {opened.opened_by}"
            )
            layer = f"{opened.kind}, {opened.lock_state}, {how}"
            base = replace(base, layers=layer)
            if opened.note:
                base = replace(base, note=opened.note)
            elif opened.identifier:
                base = replace(base, note=f"{opened.kind} volume ID {opened.identifier}")
        if apfs.is_apfs(media, inner_start):
            return self._apfs(base, media, inner_start, inner_length)
        fs = self._open_fs(media, inner_start)
        plain = None if media is self._media else media
        if fs is None:
            foreign = self._foreign(media, inner_start)
            inner = f"{layer}: " if layer else ""
            why = f"{foreign}: no reader for it here" if foreign else "no file system TSK knows"
            return [
                self._unwalked(
                    replace(base, fs_type=foreign),
                    foreign or "unknown",
                    inner + why,
                    media,
                    inner_start,
                )
            ]
        live = replace(base, fs_type=self._fs_name(fs), walked=True)
        found = [StackedVolume(live, fs, plain)]
        if self._vss and live.fs_type == "NTFS" and vss.has_shadow_copies(media, inner_start):
            found.extend(self._snapshots(found[0], media, inner_start, inner_length))
        return found

    def _unlock(self, start: int, length: int) -> Opened | None:
        opened = self._open(start, length)
        if opened is not None and opened.handoff is not None:
            key = opened.handoff
            self.volume_keys.append(replace(key, opened=replace(opened, media=None, handoff=None)))
        return opened

    def _open(self, start: int, length: int) -> Opened | None:
        media, keys = self._media, self._keys
        if start in self._handed:
            opened = reopen_volume(media, self._handed[start])
            if opened is not None:
                return opened
        if is_bitlocker(media, start):
            return open_bitlocker(media, start, length, keys)
        if is_luks(media, start):
            return open_luks(media, start, length, keys)
        if is_core_storage(media, start):
            return open_filevault(media, start, length, keys)
        return None

    def _unwalked(
        self, info: PartitionInfo, what: str, why: str, media: Media | None = None, start: int = 0
    ) -> StackedVolume:
        """A volume that is not walked, and the problem line that says so."""
        info = replace(info, walked=False, note=why)
        severity = "error"
        described = info.description.lower()
        if info.lock_state is None and (
            any(word in described for word in EMPTY_BY_DESIGN)
            or self._zeros(media, start, info.length)
        ):
            severity = "warning"  # nothing was there to walk
        said = why.startswith(what) or why.startswith(what.split(" ", 1)[0])
        self._problems(
            Problem(
                "evidence",
                f"partition {info.index} ({info.description}): {why}"
                if said
                else f"partition {info.index} ({info.description}, {what}) not walked: {why}",
                partition=info.index,
                severity=severity,
            )
        )
        return StackedVolume(info)

    def _zeros(self, media: Media | None, start: int, length: int) -> bool:
        media = media or self._media
        head = media.read(start, min(length, ZERO_PROBE))
        return not head.strip(b"\0")

    def _apfs(
        self, base: PartitionInfo, media: Media, start: int, length: int
    ) -> list[StackedVolume]:
        try:
            container = apfs.ApfsContainer(media, start, length, self._keys)
        except OSError as error:
            return [
                self._unwalked(
                    replace(base, fs_type="APFS"),
                    "APFS container",
                    f"libfsapfs cannot open it: {error}",
                )
            ]
        self._closers.append(container.close)
        found = []
        for position, volume in enumerate(container.volumes):
            info = replace(
                base,
                index=base.index + position,
                slot=f"{base.slot}/apfs{position + 1}",
                description=f"{base.description}: APFS volume {volume.name}",
                fs_type="APFS",
                walked=not volume.locked,
                encryption=base.encryption or ("APFS encryption" if volume.encrypted else None),
                lock_state=base.lock_state
                or ("locked" if volume.locked else "unlocked" if volume.encrypted else None),
                layers=", ".join(
                    filter(
                        None,
                        (
                            base.layers,
                            f"APFS container {container.identifier}, volume {volume.identifier}"
                            + (f" (opened by {volume.opened_by})" if volume.opened_by else ""),
                        ),
                    )
                ),
            )
            if volume.locked:
                found.append(
                    self._unwalked(
                        info,
                        "encrypted APFS volume",
                        f"locked; volume {volume.identifier}; give --key with the volume's "
                        "password or its recovery key",
                    )
                )
            else:
                found.append(StackedVolume(info, apfs=volume))
        if not found:
            found.append(
                self._unwalked(replace(base, fs_type="APFS"), "APFS container", "no volumes in it")
            )
        return found

    def _snapshots(
        self, live: StackedVolume, media: Media, start: int, length: int
    ) -> list[StackedVolume]:
        try:
            copies = vss.snapshots(media, start, length)
        except OSError as error:
            self._problems(
                Problem(
                    "evidence",
                    f"partition {live.info.index}: Volume Shadow Copies unreadable: {error}",
                    partition=live.info.index,
                )
            )
            return []
        live.info = replace(live.info, snapshots=len(copies))
        live.keeps_live_index = bool(copies)
        found = []
        for copy in copies:
            self._closers.append(copy.media.close)
            index = live.info.index + len(found) + 1
            info = PartitionInfo(
                index,
                f"{live.info.slot}/vss{copy.number}",
                live.info.start,
                copy.media.size,
                f"{copy.label} of partition {live.info.index}",
                None,
                False,
                encryption=live.info.encryption,
                lock_state=live.info.lock_state,
                layers=", ".join(filter(None, (live.info.layers, copy.label))),
            )
            fs = self._open_fs(copy.media, 0)
            if fs is None:
                found.append(
                    self._unwalked(
                        info, "VSS snapshot", "no file system TSK knows in the snapshot", copy.media
                    )
                )
                continue
            info = replace(
                info,
                fs_type=self._fs_name(fs),
                walked=True,
                note="only entries that differ from the live volume are listed (not the "
                "shadow-copy store files)",
            )
            found.append(
                StackedVolume(
                    info, fs, copy.media, snapshot_of=live.info.index, snapshot_label=copy.label
                )
            )
        return found

    def close(self) -> None:
        """Close every volume opened, innermost first."""
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            try:
                close()
            except OSError:
                pass
