"""Open any evidence read-only, recognising its kind from its content.

The openers are tried in one visible order (:data:`OPENERS`): an iTunes backup is a folder with a
manifest, so it goes before plain folders; archives and image containers are recognised from
their first bytes; a raw disk image must hold a partition table or a file system TSK knows; any
other file is a one-file device (:mod:`~triage.evidence.single_file`), last: a file whose first
bytes show it is no disk image (text, SQLite, a hive...) at once, any other once TSK found nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from triage.errors import EvidenceError
from triage.evidence.archive import archive_format
from triage.evidence.base import (
    EvidenceFile,
    EvidenceInfo,
    EvidenceLocator,
    EvidenceSource,
    FileRef,
    PartitionInfo,
    Problem,
    ProblemSink,
)
from triage.evidence.directory import DirectorySource
from triage.evidence.itunes_backup import ItunesBackupSource, is_itunes_backup
from triage.evidence.media import sniff_container, split_pieces
from triage.evidence.single_file import SingleFileSource, is_typed_file
from triage.evidence.tar_source import TarSource
from triage.evidence.zip_source import ZipSource

__all__ = [
    "OPENERS",
    "EvidenceFile",
    "EvidenceInfo",
    "EvidenceLocator",
    "EvidenceSource",
    "FileRef",
    "PartitionInfo",
    "Problem",
    "ProblemSink",
    "detect_kind",
    "open_evidence",
    "reopen",
]


def _is_archive(path: Path) -> bool:
    """A zip or tar (compressed or not); compressed data damaged from its start is not one: it
    is scanned as one file, whose problem line says why (:func:`single_file.archive_damage`)."""
    try:
        return path.is_file() and archive_format(path) is not None
    except EvidenceError:
        return False


def _is_image(path: Path) -> bool:
    """A block device, a container, or a file that may be a raw image (see _raw_or_file)."""
    return path.is_block_device() or (path.is_file() and not is_typed_file(path))


# (kind, test) in the order they are tried.
OPENERS: tuple[tuple[str, Callable[[Path], bool]], ...] = (
    ("itunes_backup", is_itunes_backup),
    ("directory", Path.is_dir),
    ("archive", _is_archive),
    ("disk_image", _is_image),
    ("file", Path.is_file),
)


def _raw_or_file(path: Path) -> str:
    """``disk_image`` when TSK finds a volume in a raw file (or it is a container), else
    ``file``: a file of no known type that holds no file system is a one-file device."""
    from triage.evidence.disk_image import DiskImageSource  # noqa: PLC0415

    if sniff_container(path) is not None or split_pieces(path):
        return "disk_image"  # a container or split image is never opened twice to tell
    source = DiskImageSource(EvidenceLocator("disk_image", path.absolute()))
    try:
        if source.is_recognised() or source.media.format != "raw":
            return "disk_image"
    finally:
        source.close()
    return "file"


def detect_kind(path: Path) -> str:
    """The evidence kind of ``path``; raises a one-line EvidenceError when it is none."""
    if not path.exists():
        raise EvidenceError(f"{path}: no such file or folder")
    try:
        for kind, test in OPENERS:
            if test(path):
                return _raw_or_file(path) if kind == "disk_image" and path.is_file() else kind
    except PermissionError as error:
        raise EvidenceError(f"{path}: cannot be read ({error.strerror})") from error
    raise EvidenceError(f"{path}: not a file, folder or block device")


def locate(
    path: Path, password: str | None = None, keys: tuple[str, ...] = (), vss: bool = True
) -> EvidenceLocator:
    """A picklable locator for ``path`` with its kind detected from content (and the keys of
    its encrypted volumes, which travel with it to the hashing workers, in memory only)."""
    path = Path(path)
    return EvidenceLocator(detect_kind(path), path.absolute(), password, tuple(keys), vss)


def reopen(locator: EvidenceLocator, problems: ProblemSink | None = None) -> EvidenceSource:
    """Open the evidence a locator names (in this or another process)."""
    try:
        if locator.kind == "itunes_backup":
            if locator.password:
                from triage.evidence.itunes_encrypted import (  # noqa: PLC0415
                    EncryptedItunesBackupSource,
                )

                return EncryptedItunesBackupSource(locator)
            return ItunesBackupSource(locator)
        if locator.kind == "directory":
            return DirectorySource(locator)
        if locator.kind == "file":
            return SingleFileSource(locator)
        if locator.kind == "archive":
            fmt = archive_format(locator.path)
            if fmt == "zip":
                return ZipSource(locator)
            return TarSource(locator, fmt or "tar")
        from triage.evidence.disk_image import open_disk_image  # noqa: PLC0415

        return open_disk_image(locator, problems)
    except PermissionError as error:
        raise EvidenceError(f"{locator.path}: cannot be read ({error.strerror})") from error


def open_evidence(
    path: Path, password: str | None = None, problems: ProblemSink | None = None
) -> EvidenceSource:
    """Detect the kind of ``path`` and open it read-only."""
    return reopen(locate(path, password), problems)
