"""Disk images through The Sleuth Kit: partitions, file systems, the walk and file reads.

The media layer (:mod:`triage.evidence.media`) turns raw, split, E01 and VM containers into one
logical disk; this module hands it to pytsk3 through a small ``Img_Info`` subclass, finds the
volumes (MBR with extended partitions, GPT, or a bare file system at offset 0) and walks every
file system TSK knows. All pytsk3 quirks live in :func:`_walk_file_system`, one comment each.
"""

from __future__ import annotations

import io
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pytsk3

from triage.errors import EvidenceError
from triage.evidence.base import (
    EntryKind,
    EvidenceFile,
    EvidenceInfo,
    EvidenceLocator,
    FileRef,
    PartitionInfo,
    Problem,
    ProblemSink,
    WalkRow,
    entry_of_row,
)
from triage.evidence.media import Media, open_media
from triage.evidence.ntfs_record import unnamed_data_sizes
from triage.evidence.volumes import apfs
from triage.evidence.volumes.keys import keys_of
from triage.evidence.volumes.stack import StackedVolume, VolumeStack
from triage.evidence.volumes.vss import SnapshotFilter
from triage.names import NOT_UTF8, from_bytes
from triage.timestamps import EpochText

log = logging.getLogger(__name__)

FS_NAMES = {
    int(pytsk3.TSK_FS_TYPE_NTFS): "NTFS",
    int(pytsk3.TSK_FS_TYPE_FAT12): "FAT12",
    int(pytsk3.TSK_FS_TYPE_FAT16): "FAT16",
    int(pytsk3.TSK_FS_TYPE_FAT32): "FAT32",
    int(pytsk3.TSK_FS_TYPE_EXFAT): "exFAT",
    int(pytsk3.TSK_FS_TYPE_EXT2): "ext2",
    int(pytsk3.TSK_FS_TYPE_EXT3): "ext3",
    int(pytsk3.TSK_FS_TYPE_EXT4): "ext4",
    int(pytsk3.TSK_FS_TYPE_HFS): "HFS+",
    int(pytsk3.TSK_FS_TYPE_ISO9660): "ISO9660",
    int(pytsk3.TSK_FS_TYPE_FFS1): "UFS1",
    int(pytsk3.TSK_FS_TYPE_FFS1B): "UFS1b",
    int(pytsk3.TSK_FS_TYPE_FFS2): "UFS2",
    int(pytsk3.TSK_FS_TYPE_YAFFS2): "YAFFS2",
    int(pytsk3.TSK_FS_TYPE_APFS): "APFS",
}
VS_NAMES = {
    int(pytsk3.TSK_VS_TYPE_DOS): "MBR",
    int(pytsk3.TSK_VS_TYPE_GPT): "GPT",
    int(pytsk3.TSK_VS_TYPE_MAC): "Apple Partition Map",
    int(pytsk3.TSK_VS_TYPE_BSD): "BSD disklabel",
    int(pytsk3.TSK_VS_TYPE_SUN): "Sun VTOC",
}
# Signatures of file systems TSK cannot walk, so the report can still name them.
FOREIGN_SIGNATURES = (
    (32, b"NXSB", "APFS container"),
    (3, b"-FVE-FS-", "BitLocker encrypted volume"),
    (0, b"LUKS\xba\xbe", "LUKS encrypted volume"),
    (3, b"ReFS", "ReFS"),
    (0x10040, b"_BHRfS_M", "Btrfs"),
    (0, b"XFSB", "XFS"),
    (0xFF6, b"SWAPSPACE2", "Linux swap"),
)
# Offsets probed for a file system when the partition table is unreadable: sector 0, the DOS
# track-aligned start (63 sectors) and the usual 1 MiB alignment.
FALLBACK_OFFSETS = (0, 63 * 512, 128 * 512, 2048 * 512)
META_TYPE_KINDS: dict[int, EntryKind] = {
    int(pytsk3.TSK_FS_META_TYPE_REG): "file",
    int(pytsk3.TSK_FS_META_TYPE_DIR): "dir",
    int(pytsk3.TSK_FS_META_TYPE_VIRT_DIR): "dir",
    int(pytsk3.TSK_FS_META_TYPE_LNK): "link",
}
NAME_TYPE_KINDS: dict[int, EntryKind] = {
    int(pytsk3.TSK_FS_NAME_TYPE_REG): "file",
    int(pytsk3.TSK_FS_NAME_TYPE_DIR): "dir",
    int(pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR): "dir",
    int(pytsk3.TSK_FS_NAME_TYPE_LNK): "link",
}
NTFS_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
NAME_ALLOC = int(pytsk3.TSK_FS_NAME_FLAG_ALLOC)
META_ALLOC = int(pytsk3.TSK_FS_META_FLAG_ALLOC)
BAD_CLUSTERS_NOTE = "sparse bad-cluster map as large as the volume: not hashed"
DEFAULT_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT)
NO_DATA_RUN = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
HOLE = -1  # data_extents: the start of a run the file system stores nowhere (zeros)
NONRESIDENT = int(pytsk3.TSK_FS_ATTR_NONRES)
NOT_PLAIN = (
    int(pytsk3.TSK_FS_ATTR_RES)
    | int(pytsk3.TSK_FS_ATTR_COMP)
    | int(pytsk3.TSK_FS_ATTR_ENC)
    | int(pytsk3.TSK_FS_ATTR_SPARSE)
)
# File systems whose file data TSK reads as its runs' blocks and nothing else: no "initialized
# size" past which TSK reads zeros (exFAT; NTFS files qualify once their MFT record shows them
# fully initialized: data_extents), no compression (HFS+, APFS).
PLAIN_RUN_FILE_SYSTEMS = frozenset({"ext2", "ext3", "ext4"})
MAX_DEPTH = 512  # deeper than any real tree; a crafted directory chain stops here


def read_gpt(media: Media, sector: int = 512) -> list[tuple[str, int, int, str]]:
    """Partitions from the primary GPT header and entry array (UEFI spec 2.10, section 5.3).

    Used only when TSK rejects a GPT, e.g. when truncation removed the backup header.
    """
    header = media.read(sector, 92)
    if len(header) < 92 or header[:8] != b"EFI PART":
        return []
    entries_lba, count, entry_size = struct.unpack_from("<QII", header, 72)
    if not (0 < count <= 1024 and 128 <= entry_size <= 4096):
        return []
    table = media.read(entries_lba * sector, count * entry_size)
    slots = []
    for index in range(len(table) // entry_size):
        entry = table[index * entry_size : (index + 1) * entry_size]
        if entry[:16] == b"\0" * 16:
            continue
        first, last = struct.unpack_from("<QQ", entry, 32)
        name = entry[56:128].decode("utf-16-le", "replace").split("\0", 1)[0]
        if last >= first:
            slots.append(
                (
                    f"gpt{index}",
                    first * sector,
                    (last - first + 1) * sector,
                    name or "GPT partition",
                )
            )
    return slots


class MediaImage(pytsk3.Img_Info):
    """Lets TSK read any :class:`Media` (E01, split raw, VMDK...) through Python."""

    def __init__(self, media: Media) -> None:
        self._media = media
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:  # noqa: D102 - TSK callback
        data = self._media.read(offset, size)
        return data if type(data) is bytes else bytes(data)  # TSK accepts bytes only

    def get_size(self) -> int:  # noqa: D102 - TSK callback
        return self._media.size

    def close(self) -> None:  # noqa: D102 - the media owns the files
        pass


_Volume = StackedVolume  # a partition's volume: TSK file system, APFS volume, or neither


@dataclass(frozen=True)
class _MftLayout:
    """Where an NTFS volume keeps its MFT entries."""

    start: int  # the volume's offset on the media
    record_size: int
    cluster: int
    runs: list[tuple[int, int, int]]  # $MFT's data: (first VCN, first LCN, clusters)


def _fs_name(fs: pytsk3.FS_Info) -> str:
    return FS_NAMES.get(int(fs.info.ftype), f"TSK type {int(fs.info.ftype)}")


def _report_cut_short(fs: pytsk3.FS_Info, start: int, where: str, problems: ProblemSink) -> None:
    """A file system whose last blocks are not in the image (a truncated ISO, ext4, ...):
    TSK lists what it can and fails on reads past the end; the cut is said once, here."""
    last, present = int(fs.info.last_block), int(fs.info.last_block_act)
    if present < last:
        size = fs.info.block_size
        problems(
            Problem(
                "evidence",
                f"{_fs_name(fs)} file system in {where} (at byte {start}) is cut short: it has "
                f"{last + 1} blocks of {size} bytes, the image holds {present + 1}; blocks "
                f"{present + 1}-{last} (bytes {start + (present + 1) * size}-"
                f"{start + (last + 1) * size - 1}) are missing: the image is truncated",
            )
        )


def _report_cut_volumes(volumes: list[StackedVolume], where: str, problems: ProblemSink) -> None:
    """:func:`_report_cut_short` for each plain file system of a partition (a decrypted or
    snapshot volume's bytes are the library's, not the image's: their ends are its concern)."""
    for volume in volumes:
        if volume.fs is not None and volume.media is None and volume.snapshot_of is None:
            _report_cut_short(volume.fs, volume.info.start, where, problems)


class DiskImageSource:
    """A disk image opened read-only: its media, its volumes, and TSK handles per volume."""

    kind = "disk_image"

    def __init__(self, locator: EvidenceLocator, problems: ProblemSink | None = None) -> None:
        self.locator = locator
        self._media = open_media(locator.path)
        damage = self._media.metadata.get("container_damage")
        if damage and problems is not None:  # segments or pieces missing or cut: said at once
            problems(Problem("evidence", damage, str(locator.path)))
        self._img = MediaImage(self._media)
        self._images: dict[int, MediaImage] = {id(self._media): self._img}  # per decrypted media
        self._volume_system: str | None = None
        problems = problems or (lambda problem: None)
        self._stack = VolumeStack(
            self._media,
            keys_of(locator.keys),
            locator.vss,
            self._open_fs_in,
            self._foreign_signature_in,
            _fs_name,
            problems,
            locator.volume_keys,
        )
        self._volumes = self._find_volumes(problems)
        self._readers: dict[int, pytsk3.FS_Info] = {}  # per volume, made on first read
        self._mft_layouts: dict[int, _MftLayout | None] = {}  # per NTFS volume, on first use

    @property
    def volume_keys(self) -> tuple[Any, ...]:
        """Keys of the volumes this source unlocked, for its hashing workers (memory only)."""
        return tuple(self._stack.volume_keys)

    # -- discovery -------------------------------------------------------------------------------
    def _find_volumes(self, problems: ProblemSink) -> list[_Volume]:
        try:
            volume_system = pytsk3.Volume_Info(self._img)
        except OSError:
            volume_system = None
        if volume_system is not None:
            self._volume_system = VS_NAMES.get(int(volume_system.info.vstype), "unknown")
            block = volume_system.info.block_size
            slots = [
                (
                    str(part.addr),
                    part.start * block,
                    part.len * block,
                    part.desc.decode("utf-8", "replace"),
                )
                for part in volume_system
                if part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC
            ]  # table entries (Meta) and unpartitioned gaps are skipped
            if [slot[3] for slot in slots] == ["GPT Safety Partition (0xee)"]:
                # TSK falls back to the protective MBR when it rejects the GPT (a truncated
                # image loses the backup header); read the primary GPT ourselves.
                gpt = read_gpt(self._media)
                if gpt:
                    self._volume_system = "GPT"
                    problems(
                        Problem(
                            "evidence",
                            "TSK rejected the GPT (image truncated?); "
                            "partitions read from the primary GPT header",
                        )
                    )
                    slots = gpt
            volumes = self._partition_volumes(slots, problems)
            if volumes:
                return volumes
        if self._stack.has_volume_layer(0) or self._open_fs(0) is not None:
            volumes = self._stack.volumes(1, "-", 0, self._media.size, "whole image")
            _report_cut_volumes(volumes, "the image", problems)
            return volumes
        if self._media.read(510, 2) == b"\x55\xaa" or self._media.read(512, 8) == b"EFI PART":
            problems(
                Problem("evidence", "partition table present but unreadable; probing usual offsets")
            )
        volumes = self._probe_offsets(problems)
        if not volumes and self._media.format != "raw":
            problems(
                Problem(
                    "evidence",
                    f"the {self._media.format} media ({self._media.size} bytes) holds no partition "
                    "table, no file system and no volume triage can read (encrypted, wiped or "
                    "random data?): nothing was walked",
                )
            )
        return volumes

    def _partition_volumes(
        self, slots: list[tuple[str, int, int, str]], problems: ProblemSink
    ) -> list[_Volume]:
        volumes: list[_Volume] = []
        for slot, start, length, description in slots:
            index = len(volumes) + 1
            if start >= self._media.size:
                # A table entry pointing past the media (damage, or a crafted GPT with a huge
                # starting LBA): nothing of it can be read.
                note = (
                    f"starts at byte {start}, past the end of the image "
                    f"({self._media.size} bytes): nothing of it can be read"
                )
                problems(
                    Problem(
                        "evidence", f"partition {index} ({description}) {note}", partition=index
                    )
                )
                # Recorded at the end of the media, with no length: the table's value is in the
                # note (it may not even fit a 64-bit integer, as a crafted one does not).
                size = self._media.size
                info = PartitionInfo(index, slot, size, 0, description, None, False, note)
                volumes.append(_Volume(info))
                continue
            if start + length > self._media.size:
                problems(
                    Problem(
                        "evidence",
                        f"partition {index} ({description}) ends at byte {start + length}, "
                        f"past the end of the image ({self._media.size} bytes): the image is "
                        "truncated",
                    )
                )
            stacked = self._stack.volumes(index, slot, start, length, description)
            if start + length <= self._media.size:  # else reported just above
                _report_cut_volumes(stacked, f"partition {index}", problems)
            volumes.extend(stacked)
        return volumes

    def _probe_offsets(self, problems: ProblemSink) -> list[_Volume]:
        for offset in FALLBACK_OFFSETS[1:]:
            fs = self._open_fs(offset)
            if fs is not None:
                problems(
                    Problem(
                        "evidence",
                        f"found a {_fs_name(fs)} file system at byte {offset} "
                        "without a usable partition table",
                        severity="warning",
                    )
                )
                info = PartitionInfo(
                    1,
                    "probe",
                    offset,
                    self._media.size - offset,
                    "found by probing",
                    _fs_name(fs),
                    True,
                )
                return [_Volume(info, fs)]
        foreign = self._foreign_signature(0)
        if foreign:
            note = f"{foreign}: no reader for it here"
            info = PartitionInfo(1, "-", 0, self._media.size, "whole image", foreign, False, note)
            problems(
                Problem("evidence", f"partition 1 (whole image, {foreign}) not walked: {note}")
            )
            return [_Volume(info, None)]
        return []

    def _open_fs(self, offset: int) -> pytsk3.FS_Info | None:
        return self._open_fs_in(self._media, offset)

    def _open_fs_in(self, media: Media, offset: int) -> pytsk3.FS_Info | None:
        """TSK's file system at ``offset`` of ``media`` (the image, or a decrypted volume)."""
        image = self._images.get(id(media))
        if image is None:
            image = self._images[id(media)] = MediaImage(media)
        try:
            return pytsk3.FS_Info(image, offset=offset)
        except (OSError, OverflowError):  # OverflowError: an offset past what TSK takes
            return None

    def _foreign_signature(self, start: int) -> str | None:
        return self._foreign_signature_in(self._media, start)

    def _foreign_signature_in(self, media: Media, start: int) -> str | None:
        for offset, signature, name in FOREIGN_SIGNATURES:
            if media.read(start + offset, len(signature)) == signature:
                return name
        return None

    # -- EvidenceSource ----------------------------------------------------------------------------
    def info(self) -> EvidenceInfo:
        """Container format, media size, segments and acquisition metadata."""
        metadata = dict(self._media.metadata)
        if self._volume_system:
            metadata["volume_system"] = self._volume_system
        return EvidenceInfo(
            kind=self.kind,
            format=self._media.format,
            path=str(self.locator.path),
            size=self._media.size,
            segments=tuple(str(segment) for segment in self._media.segments),
            stored_hashes=dict(self._media.stored_hashes),
            metadata=metadata,
        )

    def partitions(self) -> list[PartitionInfo]:
        """Every volume found, walked or not."""
        return [volume.info for volume in self._volumes]

    def is_recognised(self) -> bool:
        """True when at least one volume or file system was found."""
        return bool(self._volumes)

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """Every entry of every walked file system, deleted ones included (see walk_rows)."""
        return map(entry_of_row, self.walk_rows(problems))

    def walk_rows(self, problems: ProblemSink) -> Iterator[WalkRow]:
        """Every entry of every walked file system as store rows, deleted ones included.

        A corrupt E01 chunk reads as zeros (as libewf returns it); when the file-system
        structures read for the listing lay in one, folders or files stored there are missing
        from it without TSK noticing, so the walk says so.
        """
        reader = getattr(self._media.read_at, "__self__", None)
        times = EpochText()
        live = SnapshotFilter()
        for volume in self._volumes:
            if volume.apfs is not None:
                yield from apfs.walk_rows(volume.apfs, volume.info, problems, times)
                continue
            if volume.fs is None:
                continue
            rows = _walk_file_system(volume.fs, volume.info, problems, times)
            if volume.keeps_live_index:
                live = SnapshotFilter()
                yield from live.collect(rows)
            elif volume.snapshot_of is not None:
                yield from live.differing(rows, volume.snapshot_label or "VSS snapshot")
            else:
                yield from rows
        describe = getattr(reader, "describe_damage", None)
        damage = describe() if describe is not None else None
        if damage:
            problems(
                Problem(
                    "walk",
                    f"the file-system structures read to list the files include {damage}: "
                    "folders and files recorded there may be missing from the listing",
                    str(self.locator.path),
                )
            )

    def open_file(self, ref: FileRef) -> BinaryIO:
        """A sequential reader over one file's data (or one NTFS stream)."""
        volume = self._apfs_volume(ref)
        if volume is not None:
            return apfs.open_data(volume, ref)
        handle, size = self._open_data(ref)
        # A small file gets a buffer of its own size, not 1 MiB (one allocation per file).
        buffer_size = max(io.DEFAULT_BUFFER_SIZE, min(size, 1 << 20))
        return io.BufferedReader(_TskFileRaw(handle, size, ref.attr_id), buffer_size=buffer_size)

    def read_whole(self, ref: FileRef, limit: int) -> bytes | None:
        """All of a file's data from one TSK read, or None when it is over ``limit`` bytes.

        The hashing core reads small files so: no reader objects and one call, about half the
        per-file cost of :meth:`open_file` with 20,000 small files (bench/hashing.py). Also None
        when TSK returns less than the whole file: the caller then reads it as a stream, which
        says where it stopped.
        """
        volume = self._apfs_volume(ref)
        if volume is not None:
            if apfs.data_size(volume, ref) > limit:
                return None
            return apfs.read_data(volume, ref)
        handle, size = self._open_data(ref)
        if size > limit:
            return None
        if size <= 0:
            return b""
        if ref.attr_id is None:
            data = handle.read_random(0, size)
        else:
            data = handle.read_random(0, size, NTFS_DATA, ref.attr_id)
        return data if len(data) == size else None

    def data_extents(self, ref: FileRef) -> tuple[Path | None, list[tuple[int, int]]] | None:
        """Where a file's bytes lie on the media, when reading them there is what TSK does.

        (host file, [(offset, length), ...]) covering exactly the file's size, in order; an
        offset of :data:`HOLE` is a sparse run (zeros stored nowhere: never read). With a
        host file (a raw image in one piece) the offsets are also the file's, and the hashing
        core digests the mapped image in place instead of copying every byte out through TSK
        (the copy is ~8 % of the CPU of hashing large files, bench/hashing.py); with None (E01,
        split raw, VM disks) it reads them from the media, which for an E01 hands out each
        inflated chunk as it is, where TSK's reads through the media cost two more copies and
        a callback per read (1.15 against 1.8-2.3 s per GB).
        None whenever TSK must read the file itself: not ext2/3/4 or NTFS, resident,
        compressed, encrypted or NTFS-sparse data, a gap in the runs, a run past the end of
        the media, or an NTFS file not written to its end (or whose MFT record cannot tell).
        """
        if ref.attr_id:
            return None
        if ref.partition is None or not 0 < ref.partition <= len(self._volumes):
            return None
        volume = self._volumes[ref.partition - 1]
        if volume.media is not None or volume.apfs is not None:
            return None  # decrypted or snapshot bytes: only their reader knows where they are
        is_ntfs = volume.info.fs_type == "NTFS"
        if ref.inode is None or not (is_ntfs or volume.info.fs_type in PLAIN_RUN_FILE_SYSTEMS):
            return None
        fs = self._file_system(ref.partition)
        handle = fs.open_meta(inode=ref.inode)
        meta = handle.info.meta
        size = meta.size if meta else 0
        block = fs.info.block_size
        data = _content_attribute(handle, is_ntfs)
        if size <= 0 or data is None or not block:
            return None
        flags = int(data.info.flags)
        if not flags & NONRESIDENT or flags & NOT_PLAIN:
            return None
        extents: list[tuple[int, int]] = []
        left, expected = size, 0
        for run in data:
            run_flags = int(run.flags)
            if run_flags & ~NO_DATA_RUN or run.offset != expected or not run.len:
                return None
            length = min(run.len * block, left)
            # A sparse or filler run is stored nowhere and reads as zeros: a hole (issue 15.9).
            start = HOLE if run_flags else volume.info.start + run.addr * block
            extents.append((start, length))
            left -= length
            expected += run.len
            if not left:
                break
        if left or any(
            0 <= start and start + length > self._media.size for start, length in extents
        ):
            return None
        if is_ntfs and not self._fully_initialized(ref.partition, ref.inode, size):
            return None  # TSK reads the bytes past the initialized size as zeros
        return self._media.single_file, extents

    def _fully_initialized(self, partition: int, inode: int, size: int) -> bool:
        """Whether every byte of an NTFS file's data was written (its MFT record says so).

        Only a shortcut depends on it: a record that cannot be read means "no", and TSK reads
        the file as it always did (its own error, if any, is the file's).
        """
        try:
            record = self._mft_record(partition, inode)
        except OSError:
            return False
        sizes = unnamed_data_sizes(record, inode) if record is not None else None
        return sizes is not None and sizes.data_size == size and sizes.fully_initialized

    def _mft_record(self, partition: int, inode: int) -> bytes | None:
        """MFT entry ``inode`` of an NTFS volume as stored, or None if it cannot be located."""
        if partition not in self._mft_layouts:
            self._mft_layouts[partition] = self._mft_layout(partition)
        layout = self._mft_layouts[partition]
        if layout is None:
            return None
        vcn, within = divmod(inode * layout.record_size, layout.cluster)
        for first_vcn, lcn, count in layout.runs:
            if first_vcn <= vcn < first_vcn + count:
                if within + layout.record_size > (first_vcn + count - vcn) * layout.cluster:
                    return None  # the record straddles two runs of $MFT
                start = layout.start + (lcn + vcn - first_vcn) * layout.cluster + within
                return self._media.read(start, layout.record_size)
        return None

    def _mft_layout(self, partition: int) -> _MftLayout | None:
        """Where an NTFS volume's MFT entries are: record size (boot sector), $MFT's runs."""
        volume = self._volumes[partition - 1]
        fs = self._file_system(partition)
        cluster = fs.info.block_size
        boot = self._media.read(volume.info.start, 512)
        if len(boot) < 0x41 or boot[3:11] != b"NTFS    " or not cluster:
            return None
        (per_record,) = struct.unpack_from("<b", boot, 0x40)
        record_size = per_record * cluster if per_record > 0 else 1 << -per_record
        if not 256 <= record_size <= 65536:
            return None
        data = _content_attribute(fs.open_meta(inode=0), is_ntfs=True)
        if data is None:
            return None
        runs = [(run.offset, run.addr, run.len) for run in data if not int(run.flags)]
        return _MftLayout(volume.info.start, record_size, cluster, runs)

    def _apfs_volume(self, ref: FileRef) -> apfs.ApfsVolume | None:
        """The APFS volume a file lies in, or None for TSK's file systems."""
        if ref.partition is None or not 0 < ref.partition <= len(self._volumes):
            return None
        return self._volumes[ref.partition - 1].apfs

    def _open_data(self, ref: FileRef) -> tuple[pytsk3.File, int]:
        """The TSK handle of one file and the size of its data (or of one NTFS stream)."""
        if ref.inode is None:
            raise OSError("no file system handle for this entry")
        handle = self._file_system(ref.partition).open_meta(inode=ref.inode)
        if ref.attr_id is not None:
            size = next(
                (
                    attr.info.size
                    for attr in handle
                    if attr.info.id == ref.attr_id and int(attr.info.type) == NTFS_DATA
                ),
                0,
            )
        else:
            meta = handle.info.meta
            size = meta.size if meta else 0
        return handle, size

    def _file_system(self, partition: int) -> pytsk3.FS_Info:
        """The TSK file system that file content of one volume is read through."""
        fs = self._readers.get(partition)
        if fs is not None:
            return fs
        volume = self._volumes[partition - 1]
        if volume.fs is None:
            raise OSError("no file system handle for this entry")
        # Content of a single-file raw image is read through TSK's own image layer: through the
        # Python MediaImage every read costs ~0.9 ms/MB of callbacks and copies (30 % of the
        # hashing cost), natively ~0.15 ms/MB (bench/hashing.py). One handle per volume, made
        # on first use; anything else (E01, split, VM disks) keeps the Python media.
        fs = volume.fs
        if self._media.single_file is not None and volume.media is None:
            try:
                image = pytsk3.Img_Info(str(self._media.single_file))
                fs = pytsk3.FS_Info(image, offset=volume.info.start)
            except (OSError, UnicodeEncodeError):  # TSK takes only UTF-8 names: names are bytes
                log.debug("native TSK image open failed; reading through Python media")
        self._readers[partition] = fs
        return fs

    def open_media(self) -> BinaryIO:
        """The whole logical disk as a stream, for the evidence hash."""
        return io.BufferedReader(_MediaRaw(self._media), buffer_size=1 << 20)

    @property
    def media(self) -> Media:
        """The logical disk under the file systems."""
        return self._media

    def close(self) -> None:
        """Release the TSK handles and the container files."""
        self._volumes = []
        self._readers = {}
        self._mft_layouts = {}
        self._stack.close()
        self._images = {}
        self._media.close()


def _walk_file_system(
    fs: pytsk3.FS_Info, part: PartitionInfo, problems: ProblemSink, times: EpochText
) -> Iterator[WalkRow]:
    """Depth-first walk of one file system with TSK's quirks handled, one comment per case.

    Entries come out as store rows (:data:`~triage.evidence.base.WALK_COLUMNS`) built from
    strings and TSK's integers: on a disk of small files this walk is what the scan waits for,
    and a path object, four datetimes and a dataclass per entry cost twice what TSK's own
    listing does. Each pytsk3 ``.info`` access makes a new wrapper, so each is read once.
    """
    is_ntfs = part.fs_type == "NTFS"
    index = part.index
    root = fs.info.root_inum
    # Directory inodes entered, with the path they were entered at: stops loops and hard-linked
    # directories (a hostile or damaged file system can point a folder at its own ancestor).
    visited: dict[int, str] = {root: "/"}
    stack: list[tuple[int, str, int, bool]] = [(root, "", 0, True)]
    while stack:
        inode, path, depth, parent_allocated = stack.pop()
        try:
            directory = fs.open_dir(inode=inode)
        except OSError as error:
            problems(
                Problem(
                    "walk",
                    f"directory cannot be listed: {error}",
                    path or "/",
                    index,
                    inode,
                    "warning" if not parent_allocated else "error",
                )
            )
            continue
        children: list[tuple[int, str, int, bool]] = []
        try:
            for entry in directory:
                info = entry.info
                name_info = info.name
                raw_name = name_info.name
                if raw_name in (b".", b".."):
                    continue  # TSK lists the self and parent links like any other name
                entry_inode = name_info.meta_addr
                try:
                    name, note = raw_name.decode("utf-8"), None
                except UnicodeDecodeError:
                    name, note = from_bytes(raw_name), NOT_UTF8  # the store keeps the bytes
                    problems(Problem("walk", note, f"{path}/{name}", index, entry_inode, "warning"))
                child_path = f"{path}/{name}"
                meta = info.meta
                name_flags = name_info.flags
                if meta is None and entry_inode and not name_flags & NAME_ALLOC:
                    # TSK leaves meta unset on deleted names; the metadata entry may still hold
                    # the file (freed, not reused), which is what fls and icat show.
                    meta, reuse_note = _deleted_meta(fs, entry_inode)
                    note = note or reuse_note
                if meta is not None:
                    kind = META_TYPE_KINDS.get(int(meta.type), "other")
                    allocated = bool(name_flags & NAME_ALLOC and meta.flags & META_ALLOC)
                else:
                    kind = NAME_TYPE_KINDS.get(int(name_info.type), "other")
                    allocated = bool(name_flags & NAME_ALLOC)
                if kind == "file" and name.endswith("(Volume Label Entry)"):
                    kind, note = "other", "FAT/exFAT volume label entry"
                if entry_inode == 0 and not is_ntfs:
                    # inode 0 is "no inode" outside NTFS: a deleted name whose inode was cleared.
                    # It is listed (fls shows it too) but has no data or times to read.
                    meta, entry_inode = None, None
                    note = note or "deleted name without metadata"
                if meta is None:
                    size, mtime, atime, ctime, crtime = 0, None, None, None, None
                else:
                    size = meta.size if kind == "file" else 0
                    # TSK's 0 is "not set"
                    mtime = times(seconds, meta.mtime_nano) if (seconds := meta.mtime) else None
                    atime = times(seconds, meta.atime_nano) if (seconds := meta.atime) else None
                    ctime = times(seconds, meta.ctime_nano) if (seconds := meta.ctime) else None
                    crtime = times(seconds, meta.crtime_nano) if (seconds := meta.crtime) else None
                    if kind == "link" and meta.link:
                        target = meta.link
                        if isinstance(target, bytes):
                            target = from_bytes(target)
                        note = f"link target: {target}"
                yield (
                    child_path, name, kind, size, int(allocated), index, entry_inode, None, None,
                    mtime, atime, ctime, crtime, note,
                )  # fmt: skip
                if is_ntfs and meta is not None:
                    for stream, attr_id, stream_size in _ntfs_streams(entry):
                        yield (
                            f"{child_path}:{stream}", f"{name}:{stream}", "ads", stream_size,
                            int(allocated), index, entry_inode, attr_id, None,
                            mtime, atime, ctime, crtime,
                            BAD_CLUSTERS_NOTE if name == "$BadClus" and stream == "$Bad" else None,
                        )  # fmt: skip
                if kind != "dir" or entry_inode is None:
                    continue
                if entry_inode in visited:
                    if allocated:
                        problems(
                            Problem(
                                "walk",
                                f"folder is a second name of {visited[entry_inode]} (inode "
                                f"{entry_inode}): a directory loop or hard-linked directory; "
                                "not entered again",
                                child_path,
                                index,
                                entry_inode,
                                "warning",
                            )
                        )
                elif depth + 1 >= MAX_DEPTH:
                    problems(
                        Problem(
                            "walk",
                            f"directory deeper than {MAX_DEPTH} levels not entered",
                            child_path,
                            index,
                            entry_inode,
                        )
                    )
                else:
                    visited[entry_inode] = child_path
                    children.append((entry_inode, child_path, depth + 1, allocated))
        except OSError as error:
            problems(
                Problem(
                    "walk",
                    f"directory listing stopped early: {error}",
                    path or "/",
                    index,
                    inode,
                )
            )
        stack.extend(reversed(children))


def _deleted_meta(fs: pytsk3.FS_Info, inode: int):
    """Metadata of a deleted name, unless the entry now belongs to another (allocated) file."""
    try:
        meta = fs.open_meta(inode=inode).info.meta
    except OSError:
        return None, "deleted name; its metadata entry cannot be read"
    if meta is None:
        return None, "deleted name without metadata"
    if meta.flags & META_ALLOC:
        return None, "deleted name whose metadata entry was reused by another file: not hashed"
    return meta, None


def _stream_name(info) -> str | None:
    """The name of an NTFS $DATA attribute; None for the unnamed one, the file's content
    (which TSK may also call "$Data")."""
    name = info.name
    if not name:
        return None
    name = from_bytes(name) if isinstance(name, bytes) else name
    return None if name == "$Data" else name


def _content_attribute(handle, is_ntfs: bool):
    """The attribute holding a file's content: NTFS's unnamed $DATA, else TSK's default."""
    for attr in handle:
        info = attr.info  # each access to .info makes a new wrapper: once per attribute
        if not is_ntfs and int(info.type) == DEFAULT_DATA:
            return attr
        if is_ntfs and int(info.type) == NTFS_DATA and _stream_name(info) is None:
            return attr
    return None


def _ntfs_streams(entry) -> list[tuple[str, int, int]]:
    """(name, attribute id, size) of each named $DATA attribute: the alternate data streams."""
    streams = []
    try:
        attributes = list(entry)
    except OSError:
        return streams
    for attr in attributes:
        info = attr.info  # each access to .info makes a new wrapper: once per attribute
        if info.type == NTFS_DATA and (stream := _stream_name(info)) is not None:
            streams.append((stream, info.id, info.size))
    return streams


class _TskFileRaw(io.RawIOBase):
    """Raw reader over one TSK file attribute, so io.BufferedReader can sit on top."""

    def __init__(self, handle, size: int, attr_id: int | None) -> None:
        self._handle, self._size, self._attr_id, self._offset = handle, size, attr_id, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes as TSK returns them: no copy into a buffer (hashing reads so)."""
        remaining = self._size - self._offset
        if remaining <= 0:
            return b""
        length = remaining if size is None or size < 0 else min(size, remaining)
        if self._attr_id is None:
            data = self._handle.read_random(self._offset, length)
        else:
            data = self._handle.read_random(self._offset, length, NTFS_DATA, self._attr_id)
        if not data:
            raise OSError(f"no data at offset {self._offset} of {self._size}")
        self._offset += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def data_runs(self) -> list[tuple[int, int]]:
        """(byte offset in the file system, length) of each stored run of this file's data.

        Used to tell whether a file lies in a damaged part of the media (a corrupt E01 chunk)
        that TSK may have served from its own cache. Sparse and filler runs hold no data;
        resident data (inside the NTFS MFT entry) has no runs.
        """
        block = self._handle.info.fs_info.block_size
        runs = []
        for attr in self._handle:
            kind = int(attr.info.type)
            if self._attr_id is not None and (kind != NTFS_DATA or attr.info.id != self._attr_id):
                continue
            if self._attr_id is None and kind not in (DEFAULT_DATA, NTFS_DATA):
                continue
            for run in attr:
                if int(run.flags) & NO_DATA_RUN or not run.len:
                    continue
                runs.append((run.addr * block, run.len * block))
        return runs


class _MediaRaw(io.RawIOBase):
    def __init__(self, media: Media) -> None:
        self._media, self._offset = media, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._media.read(self._offset, len(buffer))
        buffer[: len(data)] = data
        self._offset += len(data)
        return len(data)


def open_disk_image(
    locator: EvidenceLocator, problems: ProblemSink | None = None
) -> DiskImageSource:
    """Open a disk image; raise when it holds neither a volume system nor a file system."""
    source = DiskImageSource(locator, problems)
    if not source.is_recognised() and source.media.format == "raw":
        source.close()
        raise EvidenceError(
            f"{locator.path}: not evidence triage can read (no partition table, no known file "
            "system, not an archive or a backup)"
        )
    return source
