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
import tempfile
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
    copy_untouched,
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


def _shown(value: object) -> str:
    """A Manifest.db value for a problem line: text quoted, anything else by its type."""
    if isinstance(value, str):
        return repr(value[:80])
    if isinstance(value, bytes):
        return f"BLOB {value[:40].hex()}"
    return f"{type(value).__name__} {value!r}"[:80]


def _is_file_id(member: str) -> bool:
    """A backup file ID: lowercase hex (40 digits in real backups), at least 3 of them."""
    return len(member) >= 3 and all(ch in "0123456789abcdef" for ch in member)


def _text(value: object, column: str, file_id: object, problems: ProblemSink) -> str:
    """A text column of Manifest.db; a BLOB or number is decoded with a warning."""
    if value is None or isinstance(value, str):
        return value or ""
    problems(
        Problem(
            "walk",
            f"Manifest.db row {_shown(file_id)}: {column} is {_shown(value)}, not text; "
            "read as text",
            str(BACKUP_FOLDER / "Manifest.db"),
            severity="warning",
        )
    )
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _size_field(fields: dict, path: PurePosixPath, problems: ProblemSink) -> int:
    """The Size of a file's MBFile record; anything but a whole number is a warning and 0."""
    value = fields.get("Size", 0)
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    problems(
        Problem(
            "walk",
            f"Manifest.db record's Size is {_shown(value)}, not a size; taken as 0",
            str(path),
            severity="warning",
        )
    )
    return 0


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
            with tempfile.TemporaryDirectory(prefix="triage-manifest-") as folder:
                yield from self._manifest_entries(Path(folder), problems)
        except sqlite3.DatabaseError as error:
            problems(
                Problem(
                    "walk",
                    f"Manifest.db cannot be read: {error}",
                    str(BACKUP_FOLDER / "Manifest.db"),
                )
            )

    def _manifest_entries(self, folder: Path, problems: ProblemSink) -> Iterator[EvidenceFile]:
        """Every Files row of Manifest.db as an entry; a hostile row is a problem, not a crash.

        SQLite opens paths itself, and reading the evidence's Manifest.db so would change its
        access time: it reads a private copy made with ``O_NOATIME`` (an encrypted backup's
        decrypted copy is private already).
        """
        database = self._manifest_db
        if database.parent == self._root:
            database = copy_untouched(database, folder / "Manifest.db")
        # as_uri() escapes "?" and "#" in folder names; immutable: no journal or lock files
        connection = sqlite3.connect(
            f"{database.absolute().as_uri()}?mode=ro&immutable=1", uri=True
        )
        connection.text_factory = from_bytes  # names are bytes (triage.names)
        try:
            rows = connection.execute(
                "SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain, "
                "relativePath"
            )
            for row in rows:
                try:
                    yield self._entry(*row, problems)
                except Exception as error:  # noqa: BLE001 - one hostile row must not stop the walk
                    problems(
                        Problem(
                            "walk",
                            f"Manifest.db row {_shown(row[0])} cannot be read: "
                            f"{type(error).__name__}: {error}",
                            str(BACKUP_FOLDER / "Manifest.db"),
                        )
                    )
        finally:
            connection.close()

    def _entry(
        self,
        file_id: object,
        domain: object,
        relative: object,
        flags: object,
        blob: object,
        problems: ProblemSink,
    ) -> EvidenceFile:
        domain_text = _text(domain, "domain", file_id, problems)
        relative_text = _text(relative, "relativePath", file_id, problems)
        path = domain_path(domain_text, relative_text)
        kind = FLAG_KINDS.get(flags if isinstance(flags, int) else 0, "other")
        fields = _mbfile_fields(blob if isinstance(blob, bytes) else None)
        note = None
        size = 0
        if kind == "file":
            size = _size_field(fields, path, problems)
            member = file_id if isinstance(file_id, str) else None
            if member is None or not _is_file_id(member):
                note = f"file ID {_shown(file_id)} is not a backup file ID: not read"
                problems(Problem("walk", f"Manifest.db: {note}", str(path)))
                member = None
            elif not (host := self._host(member)).is_file():
                note = "listed in Manifest.db but missing from the backup"
                problems(Problem("walk", note, str(path)))
            else:
                size = self._file_size(host, fields)
        else:
            member = file_id if isinstance(file_id, str) else None
        return EvidenceFile(
            path=path,
            kind=kind,
            size=size,
            allocated=True,
            ref=FileRef(member=member),
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
        if not _is_file_id(member):
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
