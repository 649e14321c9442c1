"""Folder, tar, tar.gz and zip evidence: read in place, never followed or extracted outside."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from triage.errors import EvidenceError, OutputError
from triage.evidence import detect_kind, open_evidence

CALLLOG = b"SQLite format 3\x00" + b"\x00" * 84  # content does not matter here
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def phone_tree(root: Path) -> Path:
    (root / "data" / "data" / "com.android.providers.contacts" / "databases").mkdir(parents=True)
    (
        root / "data" / "data" / "com.android.providers.contacts" / "databases" / "calllog.db"
    ).write_bytes(CALLLOG)
    (root / "sdcard" / "DCIM").mkdir(parents=True)
    (root / "sdcard" / "DCIM" / "IMG_1.jpg").write_bytes(PHOTO)
    return root


def test_kinds_are_detected_from_content_not_extension(tmp_path):
    tree = phone_tree(tmp_path / "tree")
    disguised = tmp_path / "backup.dat"  # a tar.gz whatever its name says
    with tarfile.open(disguised, "w:gz") as archive:
        archive.add(tree, arcname=".")
    zipped = tmp_path / "extraction.bin"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.txt", "x")
    assert detect_kind(tree) == "directory"
    assert detect_kind(disguised) == "archive"
    assert detect_kind(zipped) == "archive"
    with pytest.raises(EvidenceError, match="no such file"):
        detect_kind(tmp_path / "missing.E01")


def test_not_evidence_is_a_one_line_error(tmp_path):
    """A text file is a one-file device now; what is no file, folder or device is refused."""
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"just some text, not an image\n" * 100)
    assert detect_kind(notes) == "file"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(EvidenceError, match="not a file, folder or block device"):
        open_evidence(fifo)


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_members_hash_like_the_files(tmp_path, scan, mode):
    tree = phone_tree(tmp_path / "tree")
    archive_path = tmp_path / f"phone.{mode.replace(':', '.')}"
    with tarfile.open(archive_path, mode) as archive:
        archive.add(tree, arcname=".")
    out = scan(archive_path, extractors=[], jobs=2)
    files = {row["path"]: row for row in out.files()}
    assert files["/data/data/com.android.providers.contacts/databases/calllog.db"]["sha256"] == (
        sha256(CALLLOG)
    )
    assert files["/sdcard/DCIM/IMG_1.jpg"]["sha256"] == sha256(PHOTO)
    assert files["/sdcard/DCIM/IMG_1.jpg"]["mime"] == "image/jpeg"
    evidence = out.rows("SELECT * FROM evidence")[0]
    assert evidence["sha256"] == sha256(archive_path.read_bytes())
    assert out.problems() == []


def test_zip_members_hash_like_the_files(tmp_path, scan):
    zipped = tmp_path / "phone.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/media/IMG_1.jpg", PHOTO)
        archive.writestr("data/notes.txt", b"hello\n")
    out = scan(zipped, extractors=[])
    files = {row["path"]: row for row in out.files()}
    assert files["/data/media/IMG_1.jpg"]["sha256"] == sha256(PHOTO)
    assert files["/data/notes.txt"]["md5"] == hashlib.md5(b"hello\n").hexdigest()


def test_hostile_member_names_stay_inside_and_nothing_is_extracted(tmp_path, scan):
    archive_path = tmp_path / "evil.tar"
    with tarfile.open(archive_path, "w") as archive:
        for name, data in (
            ("../../escaped.txt", b"a"),
            ("/etc/passwd", b"b"),
            ("ok/file.txt", b"c"),
            ("ok/file.txt", b"d"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("ok/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
        archive.addfile(link)
    before = set(os.listdir(tmp_path))
    out = scan(archive_path, extractors=[])
    rows = out.files()
    assert [(row["path"], row["kind"], row["sha256"]) for row in rows] == [
        ("/escaped.txt", "file", sha256(b"a")),
        ("/etc/passwd", "file", sha256(b"b")),
        ("/ok/file.txt", "file", sha256(b"c")),
        ("/ok/file.txt", "file", sha256(b"d")),
        ("/ok/link", "link", None),
    ]
    assert rows[3]["note"] == "name appears more than once in the archive"
    assert rows[4]["note"] == "link target: /etc/shadow"
    warnings = [p["message"] for p in out.problems() if p["severity"] == "warning"]
    assert any("climbs with '..'" in message for message in warnings)
    assert any("absolute member name" in message for message in warnings)
    assert set(os.listdir(tmp_path)) - before == {"out1", "profiles1"}
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_zip_bomb_member_is_listed_not_read(tmp_path, scan):
    zipped = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.bin", b"\0" * 100_000)
        archive.writestr("ok.txt", b"fine\n")
    data = bytearray(zipped.read_bytes())
    declared = 10 * 1024**3  # claim 10 GiB uncompressed in the local and central headers
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared & 0xFFFFFFFF)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 0xFFFFFFFF)
    zipped.write_bytes(bytes(data))
    out = scan(zipped, extractors=[])
    files = {row["path"]: row for row in out.files()}
    assert files["/ok.txt"]["sha256"] == sha256(b"fine\n")
    bomb = files["/bomb.bin"]
    assert bomb["sha256"] is None and "zip bomb" in (bomb["hash_error"] or "")
    assert any("zip bomb" in p["message"] for p in out.problems())


def test_truncated_tar_gz_keeps_what_was_listed(tmp_path, scan):
    tree = phone_tree(tmp_path / "tree")
    for index in range(30):
        (tree / f"filler{index}.bin").write_bytes(random.Random(index).randbytes(4096))
    whole = tmp_path / "whole.tar.gz"
    with tarfile.open(whole, "w:gz") as archive:
        archive.add(tree, arcname=".")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    out = scan(cut, extractors=[])
    assert any("damaged or truncated" in p["message"] for p in out.problems())
    assert len(out.files()) >= 5
    assert out.result.errors >= 1


def test_folder_links_and_special_files_are_never_followed(tmp_path, scan):
    root = phone_tree(tmp_path / "tree")
    (root / "escape").symlink_to(tmp_path.parent)
    (root / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(root / "pipe")
    out = scan(root, extractors=[])
    files = {row["path"]: row for row in out.files()}
    assert files["/escape"]["kind"] == "link" and files["/passwd"]["kind"] == "link"
    assert files["/passwd"]["sha256"] is None
    assert files["/pipe"]["kind"] == "other"
    assert not any(path.startswith("/escape/") for path in files)


def test_folder_with_a_non_utf8_name(tmp_path, scan):
    root = phone_tree(tmp_path / "tree")
    raw_name = os.fsencode(root / "sdcard") + b"/caf\xe9.txt"
    with open(raw_name, "wb") as handle:
        handle.write(b"latin-1 name\n")
    out = scan(root, extractors=[])
    row = next(row for row in out.files() if row["path"].startswith("/sdcard/caf"))
    assert row["path"] == "/sdcard/caf\\xe9.txt"  # shown escaped, the bytes kept in hex
    assert bytes.fromhex(row["path_hex"]) == b"/sdcard/caf\xe9.txt"
    assert row["sha256"] == sha256(b"latin-1 name\n")
    assert any("not valid UTF-8" in p["message"] for p in out.problems())


def test_output_inside_folder_evidence_is_refused(tmp_path, scan):
    root = phone_tree(tmp_path / "tree")
    with pytest.raises(OutputError, match="inside the evidence"):
        from triage.config import ScanConfig
        from triage.pipeline import scan_device

        scan_device(ScanConfig(evidence=root, output=root / "out", name="x"))
    assert not (root / "out").exists()
