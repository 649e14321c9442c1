"""Encrypted iTunes backups opened with --password: same files as the plain backup, decrypted
only into a private temporary folder; wrong passwords and damaged backups are clear errors.

The fixture (tests/data/identity/iphone_backup_encrypted, password "triage-demo") is the plain
fixture backup encrypted by build_identity.py the way iOS does it (keybag, AES key wrap,
AES-CBC), with few PBKDF2 rounds so the tests stay fast.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import shutil
import tempfile
from pathlib import Path

import pytest

from triage.errors import EvidenceError
from triage.evidence import open_evidence
from triage.evidence.itunes_encrypted import EncryptedItunesBackupSource

DATA = Path(__file__).resolve().parents[1] / "data" / "identity"
ENCRYPTED = DATA / "iphone_backup_encrypted"
PLAIN = DATA / "iphone_backup"
PASSWORD = "triage-demo"


def _files(path: Path, password: str | None) -> dict[str, tuple[str, int, bytes | None]]:
    """Walked path -> (kind, size, bytes read) for a backup."""
    source = open_evidence(path, password)
    problems: list = []
    try:
        found = {}
        for entry in source.walk(problems.append):
            data = None
            if entry.kind == "file" and not str(entry.path).startswith("/iTunes Backup"):
                with source.open_file(entry.ref) as stream:
                    data = stream.read()
            found[str(entry.path)] = (entry.kind, entry.size, data)
        return found
    finally:
        source.close()
        assert problems == []


def _state(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    } | {str(path.relative_to(folder)): "dir" for path in folder.rglob("*") if path.is_dir()}


def test_decrypted_backup_reads_like_the_plain_one() -> None:
    """Same phone paths, same sizes, same bytes as the unencrypted backup of the same iPhone."""
    decrypted = _files(ENCRYPTED, PASSWORD)
    plain = _files(PLAIN, None)
    phone = {path: value for path, value in plain.items() if not path.startswith("/iTunes Backup")}
    assert {p: v for p, v in decrypted.items() if not p.startswith("/iTunes Backup")} == phone
    assert len(phone) == 7  # 2 folders, 5 files
    assert sorted(p for p in decrypted if p.startswith("/iTunes Backup")) == [
        "/iTunes Backup",
        "/iTunes Backup/Info.plist",
        "/iTunes Backup/Manifest.db",
        "/iTunes Backup/Manifest.plist",
        "/iTunes Backup/Status.plist",
    ]


def test_metadata_and_the_evidence_manifest_as_stored() -> None:
    """Info.plist is plain in an encrypted backup; Manifest.db is listed as stored (encrypted)."""
    source = open_evidence(ENCRYPTED, PASSWORD)
    try:
        assert isinstance(source, EncryptedItunesBackupSource)
        entries = {str(e.path): e for e in source.walk(lambda problem: None)}
        with source.open_file(entries["/iTunes Backup/Manifest.db"].ref) as stream:
            assert stream.read() == (ENCRYPTED / "Manifest.db").read_bytes()
        with source.open_file(entries["/iTunes Backup/Info.plist"].ref) as stream:
            assert plistlib.loads(stream.read())["IMEI"] == "356123450000005"
        info = source.info()
        assert info.metadata["encrypted"] == "True"
        assert info.metadata["decrypted"] == "yes, with the password given"
        assert info.metadata["Device Name"] == "Supervisor iPhone"
    finally:
        source.close()


def test_decrypted_data_stays_in_a_private_folder_removed_on_close(tmp_path: Path) -> None:
    """Nothing is written into the backup; the temporary folder is private and goes away."""
    copy = tmp_path / "backup"
    shutil.copytree(ENCRYPTED, copy)
    before = _state(copy)
    source = open_evidence(copy, PASSWORD)
    assert isinstance(source, EncryptedItunesBackupSource)
    private = source._tempdir
    assert private is not None and private.is_dir()
    assert Path(tempfile.gettempdir()) in private.parents
    assert private.stat().st_mode & 0o077 == 0
    entry = next(e for e in source.walk(lambda problem: None) if e.path.name == "Accounts3.sqlite")
    with source.open_file(entry.ref) as stream:
        assert stream.read(16) == b"SQLite format 3\x00"
        assert sorted(p.name for p in private.iterdir()) == ["Manifest.db"]  # file unlinked
    source.close()
    assert not private.exists()
    assert _state(copy) == before


@pytest.mark.parametrize("password", ["wrong", "", "triage-dem0", "тriage-demo"])
def test_wrong_password_is_a_clear_error(password: str) -> None:
    """A wrong (or empty) password says so in one line; nothing is left behind."""
    with pytest.raises(EvidenceError) as error:
        open_evidence(ENCRYPTED, password)
    message = str(error.value)
    assert message.startswith(str(ENCRYPTED.absolute()))
    if password:
        assert message.endswith(
            "wrong password for this encrypted iTunes backup (its keybag did not unlock); "
            "check the --password value"
        )
    else:
        assert message.endswith("give its password with --password to open it")


def test_password_for_a_plain_backup_is_not_needed() -> None:
    """--password on an unencrypted backup: it opens as a plain backup."""
    source = open_evidence(PLAIN, "anything")
    try:
        assert "decrypted" not in source.info().metadata
        assert any(e.path.name == "Accounts3.sqlite" for e in source.walk(lambda problem: None))
    finally:
        source.close()


def _damaged(tmp_path: Path, change) -> Path:
    copy = tmp_path / "backup"
    shutil.copytree(ENCRYPTED, copy)
    manifest = plistlib.loads((copy / "Manifest.plist").read_bytes())
    change(copy, manifest)
    (copy / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    return copy


def test_damaged_keybag_manifest_key_and_manifest_db(tmp_path: Path) -> None:
    """Each damaged part of the encryption is named in the error."""

    def no_keybag(copy: Path, manifest: dict) -> None:
        del manifest["BackupKeyBag"]

    def bad_iterations(copy: Path, manifest: dict) -> None:
        blob = manifest["BackupKeyBag"]
        index = blob.index(b"DPIC") + 8
        manifest["BackupKeyBag"] = blob[:index] + b"\xff\xff\xff\xff" + blob[index + 4 :]

    def no_manifest_key(copy: Path, manifest: dict) -> None:
        manifest["ManifestKey"] = b"\x04\x00"

    def garbage_manifest_db(copy: Path, manifest: dict) -> None:
        (copy / "Manifest.db").write_bytes(b"\x13" * 4096)

    cases = [
        (no_keybag, "Manifest.plist has no BackupKeyBag; the backup cannot be decrypted"),
        (bad_iterations, "the backup's keybag cannot be used (UnsafeBackupError: "),
        (no_manifest_key, "Manifest.plist has no usable ManifestKey"),
        (garbage_manifest_db, "Manifest.db cannot be decrypted (ValueError: "),
    ]
    for index, (change, expected) in enumerate(cases):
        folder = tmp_path / str(index)
        folder.mkdir()
        with pytest.raises(EvidenceError) as error:
            open_evidence(_damaged(folder, change), PASSWORD)
        assert expected in str(error.value), str(error.value)


def test_damaged_file_blob_is_an_error_on_that_file(tmp_path: Path, scan) -> None:
    """A blob whose padding is wrong fails to open (OSError); the scan records it and goes on."""
    copy = tmp_path / "backup"
    shutil.copytree(ENCRYPTED, copy)
    source = open_evidence(copy, PASSWORD)
    try:
        entries = {e.path.name: e for e in source.walk(lambda problem: None)}
        damaged = entries["CellularUsage.db"].ref.member
    finally:
        source.close()
    blob = copy / damaged[:2] / damaged
    blob.write_bytes(blob.read_bytes()[:-16] + b"\x00" * 16)
    out = scan(copy, extractors=["ios.identity"], password=PASSWORD)
    messages = [(p["path"], p["message"]) for p in out.problems()]
    path = "/private/var/wireless/Library/Databases/CellularUsage.db"
    assert any(p == path and "cannot be decrypted" in m for p, m in messages), messages
    assert {r["source_path"] for r in out.records("identity")} >= {
        "/iTunes Backup/Info.plist",
        "/private/var/mobile/Library/Accounts/Accounts3.sqlite",
    }


def test_scan_with_password_hashes_and_extracts_the_plain_files(scan) -> None:
    """The pipeline hashes decrypted files (their SHA-256 is the plain file's) and extracts."""
    out = scan(ENCRYPTED, extractors=["ios.identity"], password=PASSWORD)
    assert out.problems() == []
    files = {row["path"]: row for row in out.files()}
    plain = DATA / "iphone/private/var/mobile/Library/Accounts/Accounts3.sqlite"
    accounts = files["/private/var/mobile/Library/Accounts/Accounts3.sqlite"]
    assert accounts["sha256"] == hashlib.sha256(plain.read_bytes()).hexdigest()
    assert accounts["size"] == plain.stat().st_size
    identity = out.records("identity")
    assert [r["value"] for r in identity if r["key"] == "account"] == ["supervisor@icloud.example"]
    assert [r["value"] for r in identity if r["key"] == "backup_encrypted"] == ["yes"]


def test_encrypted_manifest_db_access_time_is_kept(tmp_path: Path) -> None:
    """The encrypted Manifest.db is decrypted from a private O_NOATIME copy."""
    copy = tmp_path / "backup"
    shutil.copytree(ENCRYPTED, copy)
    manifest = copy / "Manifest.db"
    os.utime(manifest, ns=(1_000_000_000_000_000_000, 1_600_000_000_000_000_000))
    source = open_evidence(copy, PASSWORD)
    try:
        assert any(entry.kind == "file" for entry in source.walk(lambda problem: None))
    finally:
        source.close()
    assert manifest.stat().st_atime_ns == 1_000_000_000_000_000_000
