"""iTunes / Finder backups of iPhones, opened as the phone's file system.

A backup folder stores each file under ``<fileID[:2]>/<fileID>`` and maps it in ``Manifest.db``
(table ``Files``: fileID, domain, relativePath, flags, file = NSKeyedArchiver MBFile with size and
times). Domains translate to the phone's real paths (``HomeDomain`` -> ``/private/var/mobile``),
so every extractor finds ``CallHistory.storedata`` where it would in a full file-system
extraction. The backup's own ``Info.plist``, ``Manifest.plist`` and ``Status.plist`` are listed
under ``/iTunes Backup/``. Reference: dissect.target ``loaders/itunes.py`` (domain table),
iLEAPP ``iTunesBackupInfo.py``.
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.parsers.expat import ExpatError

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
    open_evidence_file,
)
from triage.names import from_bytes

BACKUP_FOLDER = PurePosixPath("/iTunes Backup")
BACKUP_METADATA = ("Info.plist", "Manifest.plist", "Status.plist")
DOMAIN_ROOTS = {
    "AppDomain": "/private/var/mobile/Containers/Data/Application",
    "AppDomainGroup": "/private/var/mobile/Containers/Shared/AppGroup",
    "AppDomainPlugin": "/private/var/mobile/Containers/Data/PluginKitPlugin",
    "SysContainerDomain": "/private/var/containers/Data/System",
    "SysSharedContainerDomain": "/private/var/containers/Shared/SystemGroup",
    "KeychainDomain": "/private/var/Keychains",
    "CameraRollDomain": "/private/var/mobile",
    "MobileDeviceDomain": "/private/var/MobileDevice",
    "WirelessDomain": "/private/var/wireless",
    "InstallDomain": "/private/var/installd",
    "KeyboardDomain": "/private/var/mobile",
    "HomeDomain": "/private/var/mobile",
    "SystemPreferencesDomain": "/private/var/preferences",
    "DatabaseDomain": "/private/var/db",
    "TonesDomain": "/private/var/mobile",
    "RootDomain": "/private/var/root",
    "BooksDomain": "/private/var/mobile/Media/Books",
    "ManagedPreferencesDomain": "/private/var/Managed Preferences",
    "HomeKitDomain": "/private/var/mobile",
    "MediaDomain": "/private/var/mobile",
    "HealthDomain": "/private/var/mobile/Library",
    "ProtectedDomain": "/private/var/protected",
    "NetworkDomain": "/private/var/networkd",
}
FLAG_KINDS: dict[int, EntryKind] = {1: "file", 2: "dir", 4: "link"}


def is_itunes_backup(path: Path) -> bool:
    """A folder holding a backup manifest."""
    return path.is_dir() and (
        (path / "Manifest.db").is_file() or (path / "Manifest.plist").is_file()
    )


def domain_path(domain: str, relative: str) -> PurePosixPath:
    """A backup entry's phone path: ``HomeDomain`` + ``Library/x`` -> ``/private/var/mobile/x``."""
    base, _, container = domain.partition("-")
    root = DOMAIN_ROOTS.get(base)
    if root is None:
        root = f"/private/var/{domain}"
    elif container:
        root = f"{root}/{container}"
    parts = [part for part in relative.split("/") if part not in ("", ".", "..")]
    return PurePosixPath(root, *parts)


def _mbfile_fields(blob: bytes | None) -> dict:
    """Size and times from the NSKeyedArchiver ``MBFile`` stored in Manifest.db's file column."""
    if not blob:
        return {}
    try:
        archive = plistlib.loads(blob)
        objects = archive["$objects"]
        root = objects[archive["$top"]["root"].data]
        return root if isinstance(root, dict) else {}
    except (
        plistlib.InvalidFileException,
        ExpatError,
        LookupError,  # an unknown encoding="..."; KeyError, IndexError
        AttributeError,
        TypeError,
        ValueError,
    ):
        return {}


def _unix(value: object) -> datetime | None:
    """A Manifest.db time (Unix seconds); None when absent or out of range (hostile)."""
    if not isinstance(value, int) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


class ItunesBackupSource:
    """An unencrypted (or, with a password, decrypted) iTunes/Finder backup folder."""

    kind = "itunes_backup"
    sequential = False

    def __init__(self, locator: EvidenceLocator) -> None:
        self.locator = locator
        self._root = locator.path
        self._manifest = self._read_plist("Manifest.plist")
        self._manifest_db = self._root / "Manifest.db"  # the decrypted copy when encrypted
        if self._manifest.get("IsEncrypted"):
            raise EvidenceError(
                f"{locator.path}: this iTunes backup is encrypted; give its password with "
                "--password to open it"
            )
        if not self._manifest_db.is_file():
            raise EvidenceError(
                f"{locator.path}: backup has no Manifest.db (iOS 9 or older, Manifest.mbdb); "
                "this backup format is not supported"
            )

    def _read_plist(self, name: str) -> dict:
        path = self._root / name
        if not path.is_file():
            return {}
        try:
            with open_evidence_file(path) as handle:
                value = plistlib.load(handle)
        except (plistlib.InvalidFileException, ExpatError, LookupError, ValueError, OSError):
            return {}
        return value if isinstance(value, dict) else {}

    def info(self) -> EvidenceInfo:
        """Device and backup facts from Info.plist, for the report's first lines."""
        details = self._read_plist("Info.plist")
        metadata = {
            key: str(details[key])
            for key in (
                "Device Name",
                "Product Type",
                "Product Version",
                "Serial Number",
                "Last Backup Date",
                "Unique Identifier",
            )
            if key in details
        }
        metadata["encrypted"] = str(bool(self._manifest.get("IsEncrypted")))
        return EvidenceInfo(
            kind=self.kind,
            format="iTunes backup",
            path=str(self._root),
            size=None,
            metadata=metadata,
        )

    def partitions(self) -> list[PartitionInfo]:
        """A backup has no partitions."""
        return []

    def walk(self, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """The backup's own plists, then every Manifest.db entry at its phone path."""
        yield EvidenceFile(path=BACKUP_FOLDER, kind="dir", size=0, allocated=True, ref=FileRef())
        for name in BACKUP_METADATA + ("Manifest.db",):
            host = self._root / name
            if host.is_file():
                yield EvidenceFile(
                    path=BACKUP_FOLDER / name,
                    kind="file",
                    size=host.stat().st_size,
                    allocated=True,
                    ref=FileRef(member=f"@{name}"),
                )
        try:
            # as_uri() escapes "?" and "#" in folder names; immutable: never touch the evidence
            connection = sqlite3.connect(
                f"{self._manifest_db.absolute().as_uri()}?mode=ro&immutable=1", uri=True
            )
            connection.text_factory = from_bytes  # names are bytes (triage.names)
            rows = connection.execute(
                "SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain, "
                "relativePath"
            )
            for file_id, domain, relative, flags, blob in rows:
                yield self._entry(file_id, domain or "", relative or "", flags, blob, problems)
            connection.close()
        except sqlite3.DatabaseError as error:
            problems(
                Problem(
                    "walk",
                    f"Manifest.db cannot be read: {error}",
                    str(BACKUP_FOLDER / "Manifest.db"),
                )
            )

    def _entry(
        self,
        file_id: str,
        domain: str,
        relative: str,
        flags: int,
        blob: bytes | None,
        problems: ProblemSink,
    ) -> EvidenceFile:
        path = domain_path(domain, relative)
        kind = FLAG_KINDS.get(flags or 0, "other")
        fields = _mbfile_fields(blob)
        note = None
        size = int(fields.get("Size", 0) or 0) if kind == "file" else 0
        if kind == "file":
            host = self._host(file_id)
            if not host.is_file():
                note = "listed in Manifest.db but missing from the backup"
                problems(Problem("walk", note, str(path)))
            else:
                size = self._file_size(host, fields)
        return EvidenceFile(
            path=path,
            kind=kind,
            size=size,
            allocated=True,
            ref=FileRef(member=file_id),
            modified=_unix(fields.get("LastModified")),
            changed=_unix(fields.get("LastStatusChange")),
            created=_unix(fields.get("Birth")),
            note=note,
        )

    def _file_size(self, host: Path, fields: dict) -> int:
        """The size of a backed-up file: its blob's size (the plain text, when unencrypted)."""
        return host.stat().st_size

    def _host(self, member: str) -> Path:
        if member.startswith("@"):
            name = member[1:]
            if name not in BACKUP_METADATA + ("Manifest.db",):
                raise OSError(f"not a backup metadata file: {name}")
            return self._root / name
        if len(member) < 3 or not all(ch in "0123456789abcdef" for ch in member):
            raise OSError(f"not a backup file ID: {member!r}")
        return self._root / member[:2] / member

    def open_file(self, ref: FileRef) -> BinaryIO:
        """The stored bytes of one backup entry."""
        return open_evidence_file(self._host(ref.member or ""), buffering=1 << 20)

    def open_media(self) -> BinaryIO | None:
        """A backup folder is not one stream."""
        return None

    def close(self) -> None:
        """Nothing is held open."""
