"""Encrypted iTunes / Finder backups, opened with the backup password (``--password``).

An encrypted backup keeps the same layout as a plain one, but ``Manifest.db`` and every file
blob are AES-256-CBC encrypted. ``Manifest.plist`` (plain) holds the ``BackupKeyBag``: per data
protection class a key wrapped (AES key wrap, RFC 3394) with a key derived from the password
(PBKDF2-HMAC-SHA256 over ``DPSL``/``DPIC`` rounds, then PBKDF2-HMAC-SHA1 over
``SALT``/``ITER``), and ``ManifestKey`` (protection class + the wrapped key of Manifest.db).
Each file's own wrapped key and class are in its Manifest.db record (``MBFile``
``EncryptionKey``/``ProtectionClass``). ``Info.plist`` and ``Status.plist`` are not encrypted.

The keybag, the key unwrapping, the PBKDF2 bounds checks and the chunked CBC decryption are
those of the maintained library iphone_backup_decrypt (``utils.BackupKeyBag``,
``utils.FilePlist``, ``utils.aes_decrypt_chunked``); its ``EncryptedBackup`` class is not used
because it prints to stdout and keeps its own temporary copies. Decrypted data goes only into a
private temporary folder (mode 0700) that ``close()`` removes: ``Manifest.db`` once, and each
file when it is opened, unlinked as soon as it is open. Nothing is written into the backup.
Reference: iphone_backup_decrypt ``iphone_backup.py`` and ``utils.py``; the iPhone data
protection paper (Bédrune & Sigwald, "iPhone data protection in depth", 2011).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import struct
import tempfile
from itertools import count
from pathlib import Path
from typing import BinaryIO

from iphone_backup_decrypt.exceptions import BackupKeyBagNotUnlockedError, UnsafeBackupError
from iphone_backup_decrypt.utils import BackupKeyBag, FilePlist, aes_decrypt_chunked

from triage.errors import EvidenceError
from triage.evidence.base import EvidenceInfo, EvidenceLocator, FileRef, copy_untouched
from triage.evidence.itunes_backup import ItunesBackupSource

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"
# What a malformed keybag, manifest key or file record makes the library raise.
KEYBAG_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    struct.error,
    UnsafeBackupError,
    BackupKeyBagNotUnlockedError,
)


class EncryptedItunesBackupSource(ItunesBackupSource):
    """An encrypted iTunes backup read through its password; same interface as a plain one."""

    kind = "itunes_backup"
    # Hash sequentially: every worker process would derive the key again (10,000,000 PBKDF2
    # rounds on current iOS), which costs more than decrypting on one core.
    sequential = True

    def __init__(self, locator: EvidenceLocator) -> None:
        self.locator = locator
        self._root = locator.path
        self._manifest = self._read_plist("Manifest.plist")
        self._tempdir: Path | None = None
        self._keybag: BackupKeyBag | None = None
        self._names = count()
        if not self._manifest.get("IsEncrypted"):
            log.info("%s: backup is not encrypted; the password is not needed", locator.path)
            super().__init__(locator)
            return
        if not (self._root / "Manifest.db").is_file():
            raise EvidenceError(f"{locator.path}: encrypted backup has no Manifest.db")
        if not locator.password:
            raise EvidenceError(
                f"{locator.path}: this iTunes backup is encrypted; give its password with "
                "--password to open it"
            )
        self._keybag = self._unlock(locator.password)
        self._tempdir = Path(tempfile.mkdtemp(prefix="triage-itunes-"))
        try:
            self._manifest_db = self._decrypt_manifest()
        except BaseException:
            self.close()
            raise

    def _unlock(self, password: str) -> BackupKeyBag:
        blob = self._manifest.get("BackupKeyBag")
        if not isinstance(blob, bytes):
            raise EvidenceError(
                f"{self._root}: Manifest.plist has no BackupKeyBag; the backup cannot be decrypted"
            )
        try:
            keybag = BackupKeyBag(blob)
            unlocked = keybag.unlock_with_passphrase(password.encode("utf-8"))
        except KEYBAG_ERRORS as error:
            raise EvidenceError(
                f"{self._root}: the backup's keybag cannot be used ({type(error).__name__}: "
                f"{error})"
            ) from error
        if not unlocked:
            raise EvidenceError(
                f"{self._root}: wrong password for this encrypted iTunes backup (its keybag "
                "did not unlock); check the --password value"
            )
        return keybag

    def _decrypt_manifest(self) -> Path:
        wrapped = self._manifest.get("ManifestKey")
        if not isinstance(wrapped, bytes) or len(wrapped) < 8:
            raise EvidenceError(f"{self._root}: Manifest.plist has no usable ManifestKey")
        assert self._keybag is not None and self._tempdir is not None
        target = self._tempdir / "Manifest.db"
        try:
            protection = struct.unpack("<l", wrapped[:4])[0]
            key = self._keybag.unwrap_key_for_class(protection, wrapped[4:])
            # decrypted from a private copy read with O_NOATIME: the library opens it plainly
            encrypted = copy_untouched(self._root / "Manifest.db", self._tempdir / "Manifest.enc")
            aes_decrypt_chunked(in_filename=encrypted, key=key, out_filepath=target)
            encrypted.unlink()
        except KEYBAG_ERRORS as error:
            raise EvidenceError(
                f"{self._root}: Manifest.db cannot be decrypted ({type(error).__name__}: {error})"
            ) from error
        with open(target, "rb") as handle:
            if handle.read(16) != SQLITE_MAGIC:
                raise EvidenceError(
                    f"{self._root}: Manifest.db did not decrypt to a SQLite database"
                )
        return target

    def info(self) -> EvidenceInfo:
        """As for a plain backup, saying it was decrypted."""
        info = super().info()
        if self._keybag is not None:
            info.metadata["decrypted"] = "yes, with the password given"
        return info

    def _file_size(self, host: Path, fields: dict) -> int:
        """The plain size from the file's record (the blob is padded ciphertext)."""
        if self._keybag is None:
            return super()._file_size(host, fields)
        try:
            return int(fields.get("Size", 0) or 0)
        except (TypeError, ValueError):
            return 0

    def _record(self, file_id: str) -> bytes:
        connection = sqlite3.connect(
            f"{self._manifest_db.absolute().as_uri()}?mode=ro&immutable=1", uri=True
        )
        try:
            row = connection.execute(
                "SELECT file FROM Files WHERE fileID = ?", (file_id,)
            ).fetchone()
        finally:
            connection.close()
        if row is None or not row[0]:
            raise OSError(f"backup file {file_id} has no record in Manifest.db")
        return row[0]

    def open_file(self, ref: FileRef) -> BinaryIO:
        """A stream of one file's decrypted bytes (the backup's own plists as stored)."""
        member = ref.member or ""
        if self._keybag is None or member.startswith("@"):
            return super().open_file(ref)
        host = self._host(member)
        assert self._tempdir is not None
        try:
            record = FilePlist(self._record(member))
            if record.encryption_key is None:
                raise OSError(f"backup file {member} has no encryption key in Manifest.db")
            key = self._keybag.unwrap_key_for_class(record.protection_class, record.encryption_key)
            target = self._tempdir / f"{member}.{next(self._names)}"
            aes_decrypt_chunked(in_filename=host, key=key, out_filepath=target)
        except KEYBAG_ERRORS as error:
            raise OSError(f"backup file {member} cannot be decrypted: {error}") from error
        handle = open(target, "rb", buffering=1 << 20)  # noqa: SIM115 - the caller closes it
        # POSIX frees the space when the handle closes; Windows refuses while it is open, and
        # close() removes the whole folder then.
        with contextlib.suppress(PermissionError):
            target.unlink()
        return handle

    def close(self) -> None:
        """Remove the private folder of decrypted data."""
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
