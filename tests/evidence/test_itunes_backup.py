"""Unencrypted iTunes backups: files at their phone paths, the backup's own plists, clear errors."""

from __future__ import annotations

import hashlib
import os
import plistlib
import shutil
import sqlite3
from pathlib import Path, PurePosixPath

import pytest

from triage.errors import EvidenceError
from triage.evidence import detect_kind, open_evidence
from triage.evidence.itunes_backup import domain_path

BACKUP = Path(__file__).resolve().parents[1] / "data" / "identity" / "iphone_backup"
IPHONE = BACKUP.parent / "iphone"


def _walk(path: Path, password: str | None = None) -> dict[str, tuple[str, int]]:
    problems: list = []
    source = open_evidence(path, password)
    try:
        return {str(entry.path): (entry.kind, entry.size) for entry in source.walk(problems.append)}
    finally:
        source.close()
        assert problems == []


def test_backup_is_detected_and_walked_at_phone_paths() -> None:
    """Manifest.db entries appear where a file-system extraction has them."""
    assert detect_kind(BACKUP) == "itunes_backup"
    entries = _walk(BACKUP)
    assert entries == {
        "/iTunes Backup": ("dir", 0),
        "/iTunes Backup/Info.plist": ("file", (BACKUP / "Info.plist").stat().st_size),
        "/iTunes Backup/Manifest.plist": ("file", (BACKUP / "Manifest.plist").stat().st_size),
        "/iTunes Backup/Status.plist": ("file", (BACKUP / "Status.plist").stat().st_size),
        "/iTunes Backup/Manifest.db": ("file", (BACKUP / "Manifest.db").stat().st_size),
        "/private/var/mobile/Library": ("dir", 0),
        "/private/var/wireless/Library": ("dir", 0),
        **{
            f"/{path.relative_to(IPHONE)}": ("file", path.stat().st_size)
            for path in IPHONE.rglob("*")
            if path.is_file()
            and path.is_relative_to(IPHONE / "private")
            and "nobackup" not in path.name
        },
    }


def test_backup_files_read_as_the_phone_files() -> None:
    """open_file gives the stored bytes; the metadata plists are listed as they are."""
    source = open_evidence(BACKUP)
    try:
        files = {str(e.path): e for e in source.walk(lambda problem: None)}
        entry = files["/private/var/wireless/Library/Preferences/com.apple.commcenter.plist"]
        with source.open_file(entry.ref) as stream:
            data = stream.read()
        original = IPHONE / "private/var/wireless/Library/Preferences/com.apple.commcenter.plist"
        assert data == original.read_bytes()
        with source.open_file(files["/iTunes Backup/Info.plist"].ref) as stream:
            assert plistlib.loads(stream.read())["Device Name"] == "Supervisor iPhone"
        info = source.info()
        assert info.kind == "itunes_backup" and info.format == "iTunes backup"
        assert info.metadata == {
            "Device Name": "Supervisor iPhone",
            "Product Type": "iPhone14,5",
            "Product Version": "17.3.1",
            "Serial Number": "F4GZX1ABCDEF",
            "Last Backup Date": "2024-03-02 08:00:00",
            "Unique Identifier": "00008110-000A1B2C3D4E5F60",
            "encrypted": "False",
        }
        modified = entry.modified
        assert modified is not None and modified.isoformat() == "2024-03-02T08:00:00+00:00"
    finally:
        source.close()


def test_domains_translate_to_phone_paths() -> None:
    """Domain table of dissect's itunes loader; app containers get their bundle folder."""
    assert domain_path("HomeDomain", "Library/SMS/sms.db") == PurePosixPath(
        "/private/var/mobile/Library/SMS/sms.db"
    )
    assert domain_path("AppDomain-net.whatsapp.WhatsApp", "Documents/x") == PurePosixPath(
        "/private/var/mobile/Containers/Data/Application/net.whatsapp.WhatsApp/Documents/x"
    )
    assert domain_path("WirelessDomain", "../../etc/passwd") == PurePosixPath(
        "/private/var/wireless/etc/passwd"
    )


def test_encrypted_backup_without_password_is_a_clear_error() -> None:
    """No --password: one line that says what to do."""
    encrypted = BACKUP.parent / "iphone_backup_encrypted"
    with pytest.raises(EvidenceError) as error:
        open_evidence(encrypted)
    assert str(error.value) == (
        f"{encrypted.absolute()}: this iTunes backup is encrypted; give its password with "
        "--password to open it"
    )


def test_backup_without_manifest_db_is_refused(tmp_path: Path) -> None:
    """iOS 9 and older backups (Manifest.mbdb) are named as unsupported."""
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(BACKUP / "Manifest.plist", old / "Manifest.plist")
    with pytest.raises(EvidenceError, match="no Manifest.db .*not supported"):
        open_evidence(old)


def test_scanning_a_backup_never_writes_to_it(tmp_path: Path, scan) -> None:
    """Every file of the backup has the same bytes after a scan, and nothing was added."""
    copy = tmp_path / "backup"
    shutil.copytree(BACKUP, copy)

    def state() -> dict[str, str]:
        return {
            str(path.relative_to(copy)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(copy.rglob("*"))
            if path.is_file()
        }

    before = state()
    out = scan(copy, extractors=["ios.identity"])
    assert out.result.records["identity"] > 0
    assert state() == before


def _mbfile(fields: dict) -> bytes:
    """An NSKeyedArchiver MBFile record holding ``fields``, as Manifest.db stores it."""
    archive = {
        "$archiver": "NSKeyedArchiver",
        "$version": 100000,
        "$top": {"root": plistlib.UID(1)},
        "$objects": ["$null", fields],
    }
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY)


def test_manifest_db_access_time_is_kept(tmp_path: Path) -> None:
    """Manifest.db is read from a private copy made with O_NOATIME, not opened by SQLite."""
    copy = tmp_path / "backup"
    shutil.copytree(BACKUP, copy)
    manifest = copy / "Manifest.db"
    os.utime(manifest, ns=(1_000_000_000_000_000_000, 1_600_000_000_000_000_000))
    entries = _walk(copy)
    assert "/private/var/wireless/Library/Preferences/com.apple.commcenter.plist" in entries
    assert manifest.stat().st_atime_ns == 1_000_000_000_000_000_000


def test_hostile_manifest_rows_are_problems_and_the_walk_goes_on(tmp_path: Path) -> None:
    """A BLOB domain, a Size that is text or a dict, a non-hex fileID: problem lines only."""
    copy = tmp_path / "backup"
    shutil.copytree(BACKUP, copy)
    text_size, dict_size = "aa" + "1" * 38, "bb" + "2" * 38
    for file_id, data in ((text_size, b"twelve bytes"), (dict_size, b"seven b")):
        (copy / file_id[:2]).mkdir(exist_ok=True)
        (copy / file_id[:2] / file_id).write_bytes(data)
    rows = [
        ("cc" + "3" * 38, b"Home\xffDomain", "Library/blob-domain.txt", 2, None),
        (text_size, "HomeDomain", "Library/text-size.txt", 1, _mbfile({"Size": "many"})),
        (dict_size, "HomeDomain", "Library/dict-size.txt", 1, _mbfile({"Size": {"a": 1}})),
        ("../../etc/passwd", "HomeDomain", "Library/bad-id.txt", 1, _mbfile({"Size": 5})),
        (b"\x00\x01", "HomeDomain", "Library/blob-id.txt", 1, None),
    ]
    with sqlite3.connect(copy / "Manifest.db") as connection:
        connection.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
    connection.close()
    problems: list = []
    source = open_evidence(copy)
    try:
        entries = {str(entry.path): entry for entry in source.walk(problems.append)}
    finally:
        source.close()
    # the real files are all still there
    assert "/private/var/wireless/Library/Preferences/com.apple.commcenter.plist" in entries
    assert entries["/private/var/Home\ufffdDomain/Library/blob-domain.txt"].kind == "dir"
    assert entries["/private/var/mobile/Library/text-size.txt"].size == 12
    assert entries["/private/var/mobile/Library/dict-size.txt"].size == 7
    bad = entries["/private/var/mobile/Library/bad-id.txt"]
    assert bad.ref.member is None and bad.note == (
        "file ID '../../etc/passwd' is not a backup file ID: not read"
    )
    assert entries["/private/var/mobile/Library/blob-id.txt"].note == (
        "file ID BLOB 0001 is not a backup file ID: not read"
    )
    assert sorted((p.severity, p.path, p.message) for p in problems) == [
        (
            "error",
            "/private/var/mobile/Library/bad-id.txt",
            "Manifest.db: file ID '../../etc/passwd' is not a backup file ID: not read",
        ),
        (
            "error",
            "/private/var/mobile/Library/blob-id.txt",
            "Manifest.db: file ID BLOB 0001 is not a backup file ID: not read",
        ),
        (
            "warning",
            "/iTunes Backup/Manifest.db",
            f"Manifest.db row 'cc{'3' * 38}': domain is BLOB 486f6d65ff446f6d61696e, not "
            "text; read as text",
        ),
        (
            "warning",
            "/private/var/mobile/Library/dict-size.txt",
            "Manifest.db record's Size is dict {'a': 1}, not a size; taken as 0",
        ),
        (
            "warning",
            "/private/var/mobile/Library/text-size.txt",
            "Manifest.db record's Size is 'many', not a size; taken as 0",
        ),
    ]


def test_scan_of_a_hostile_manifest_ends_with_problems(tmp_path: Path, scan) -> None:
    """End to end: the scan finishes, the bad row is in the problems table, identity is read."""
    copy = tmp_path / "backup"
    shutil.copytree(BACKUP, copy)
    with sqlite3.connect(copy / "Manifest.db") as connection:
        connection.execute("INSERT INTO Files VALUES ('zz', ?, 'x', 1, NULL)", (b"\xfe\xffDomain",))
    connection.close()
    out = scan(copy, extractors=["ios.identity"])
    assert out.result.records["identity"] > 0
    messages = [row["message"] for row in out.rows("SELECT * FROM problems")]
    assert "Manifest.db: file ID 'zz' is not a backup file ID: not read" in messages
