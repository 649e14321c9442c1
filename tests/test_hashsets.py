"""Hash sets: every format is recognised from content and matched against a scanned device.

The sets are written in tmp in each tool's real layout: hashdeep's ``%%%%`` header, GNU and BSD
``sha*sum`` lines, a plain list, NSRL's legacy ``NSRLFile.txt`` CSV and an NSRL RDSv3 SQLite
database with the ``FILE`` table of RDSv3's ``schema.sql``. Digests are fictional file contents.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from triage.config import HashSetSpec
from triage.hashsets import HashSetError, detect_format, match_store

BAD = b"MZ fictional remote-access installer\x00" * 40
GOOD = b"fictional system library" * 100
OTHER = b"nothing to see here\n"
FILES = {"Users/agent1/Downloads/AnyDesk.exe": BAD, "Windows/System32/good.dll": GOOD}


def hexes(data: bytes) -> dict[str, str]:
    return {name: hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256")}


@pytest.fixture
def device(tmp_path: Path) -> Path:
    root = tmp_path / "laptop"
    for relative, data in FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    (root / "copy-of-installer.bin").write_bytes(BAD)  # same content twice: two hits
    (root / "notes.txt").write_bytes(OTHER)
    return root


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "sets" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def hashdeep_set(tmp_path: Path) -> Path:
    bad = hexes(BAD)
    return write(
        tmp_path,
        "bad.hashdeep",
        "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n"
        "## Invoked from: /cases\n## $ hashdeep -c md5,sha256 -r tools\n##\n"
        f"{len(BAD)},{bad['md5']},{bad['sha256']},C:\\tools\\AnyDesk, v7.exe\n"
        f"10,{'0' * 32},{'1' * 64},C:\\tools\\other.exe\n",
    )


def rds_set(tmp_path: Path) -> Path:
    """NSRL RDSv3 (SQLite): FILE table as in RDSv3 schema.sql, upper-case hex."""
    path = tmp_path / "sets" / "RDS_2024.03.1_modern_minimal.db"
    path.parent.mkdir(exist_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE FILE (
         sha256     VARCHAR NOT NULL,
         sha1       VARCHAR NOT NULL,
         md5        VARCHAR NOT NULL,
         crc32      VARCHAR NOT NULL,
         file_name  VARCHAR NOT NULL,
         file_size  INTEGER NOT NULL,
         package_id INTEGER NOT NULL,
         CONSTRAINT PK_FILE__FILE PRIMARY KEY (sha256, sha1, md5, crc32, file_name,
           file_size, package_id)
        );
        CREATE TABLE PKG (package_id INTEGER NOT NULL, name VARCHAR NOT NULL);
        """
    )
    good = hexes(GOOD)
    rows = [
        (good["sha256"].upper(), good["sha1"].upper(), good["md5"].upper(), "0A1B2C3D",
         "good.dll", len(GOOD), 7),
        ("F" * 64, "F" * 40, "F" * 32, "00000000", "unrelated.sys", 1, 7),
    ]  # fmt: skip
    connection.executemany("INSERT INTO FILE VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()
    return path


def test_formats_are_detected_from_content(tmp_path):
    bad, good = hexes(BAD), hexes(GOOD)
    cases = {
        "hashdeep": hashdeep_set(tmp_path),
        "nsrl-rds": rds_set(tmp_path),
        "nsrl-legacy": write(
            tmp_path,
            "NSRLFile.txt",
            '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode",'
            '"SpecialCode"\n'
            f'"{good["sha1"].upper()}","{good["md5"].upper()}","0A1B2C3D","good.dll",'
            f'{len(GOOD)},1234,"WIN",""\n',
        ),
        "digest-list": write(tmp_path, "bad.sha256", f"{bad['sha256']}  AnyDesk.exe\n"),
    }
    for expected, path in cases.items():
        assert detect_format(path) == expected, path
    bsd = write(tmp_path, "bsd.txt", f"SHA1 (AnyDesk.exe) = {bad['sha1']}\n")
    assert detect_format(bsd) == "digest-list"
    with pytest.raises(HashSetError, match="not a hash set"):
        detect_format(write(tmp_path, "prose.txt", "Dear examiner,\nnothing here.\n"))
    other_db = tmp_path / "sets" / "History"
    sqlite3.connect(other_db).execute("CREATE TABLE urls (url TEXT)").connection.close()
    with pytest.raises(HashSetError, match="without the NSRL RDSv3 FILE table"):
        detect_format(other_db)


def test_every_format_matches_through_a_scan(tmp_path, device, scan):
    bad, good = hexes(BAD), hexes(GOOD)
    specs = (
        HashSetSpec(hashdeep_set(tmp_path), "known-bad"),
        HashSetSpec(write(tmp_path, "bad.md5", f"{bad['md5']}  AnyDesk.exe\n"), "known-bad"),
        HashSetSpec(write(tmp_path, "bad.sha256", f"{bad['sha256']} *AnyDesk.exe\n"), "known-bad"),
        HashSetSpec(
            write(tmp_path, "bad.bsd", f"SHA1 (AnyDesk.exe) = {bad['sha1']}\n"), "known-bad"
        ),
        HashSetSpec(write(tmp_path, "bad.txt", f"# IOC list\n{bad['md5'].upper()}\n"), "known-bad"),
        HashSetSpec(rds_set(tmp_path), "known-good"),
        HashSetSpec(
            write(
                tmp_path,
                "NSRLFile.txt",
                '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode",'
                '"SpecialCode"\n'
                f'"{good["sha1"].upper()}","{good["md5"].upper()}","0A1B2C3D","good.dll",'
                f'{len(GOOD)},1234,"WIN",""\n',
            ),
            "known-good",
        ),
    )
    out = scan(device, extractors=[], hashsets=specs)
    hits = out.records("hashset_hits")
    by_set: dict[str, list[tuple]] = {}
    for hit in hits:
        by_set.setdefault(hit["hashset"], []).append(
            (hit["source_path"], hit["label"], hit["algorithm"], hit["digest"], hit["set_entry"])
        )
    installer = ["/Users/agent1/Downloads/AnyDesk.exe", "/copy-of-installer.bin"]
    assert sorted(by_set) == sorted(spec.path.name for spec in specs)
    assert sorted(by_set["bad.hashdeep"]) == [
        (path, "known-bad", "sha256", bad["sha256"], "C:\\tools\\AnyDesk, v7.exe")
        for path in installer
    ]
    assert sorted(by_set["bad.md5"]) == [
        (path, "known-bad", "md5", bad["md5"], "AnyDesk.exe") for path in installer
    ]
    assert sorted(by_set["bad.sha256"]) == [
        (path, "known-bad", "sha256", bad["sha256"], "AnyDesk.exe") for path in installer
    ]
    assert sorted(by_set["bad.bsd"]) == [
        (path, "known-bad", "sha1", bad["sha1"], "AnyDesk.exe") for path in installer
    ]
    assert sorted(by_set["bad.txt"]) == [
        (path, "known-bad", "md5", bad["md5"], None) for path in installer
    ]
    good_hit = ("/Windows/System32/good.dll", "known-good")
    assert by_set["RDS_2024.03.1_modern_minimal.db"] == [
        (*good_hit, "sha256", good["sha256"], "good.dll")
    ]
    assert by_set["NSRLFile.txt"] == [(*good_hit, "sha1", good["sha1"], "good.dll")]
    # Provenance: the hit names the file row, its SHA-256 and the device.
    files = {row["path"]: row for row in out.files()}
    first = next(hit for hit in hits if hit["hashset"] == "bad.md5")
    assert first["source_file_id"] == files[first["source_path"]]["id"]
    assert first["source_sha256"] == bad["sha256"]
    assert first["source_evidence"] == "laptop"
    assert first["extractor"] == "hashsets"
    # Known-good files are left out of a file view with one query.
    shown = out.rows(
        "SELECT path FROM files WHERE kind = 'file' AND id NOT IN "
        "(SELECT source_file_id FROM hashset_hits WHERE label = 'known-good') ORDER BY path"
    )
    assert [row["path"] for row in shown] == [
        "/Users/agent1/Downloads/AnyDesk.exe",
        "/copy-of-installer.bin",
        "/notes.txt",
    ]
    assert not [p for p in out.problems() if p["stage"] == "hashsets"]
    assert out.result.records["hashset_hits"] == len(hits) == 12


def test_hostile_and_missing_sets_are_problems_not_crashes(tmp_path, device, scan):
    bad = hexes(BAD)
    lines = [
        "<script>alert(1)</script>",
        f"{bad['md5']}  AnyDesk.exe",
        "zz" * 16,
        "\x00\x01\x02 control characters",
        "f" * 2_000_000,  # a line over 1 MiB
    ]
    hostile = write(tmp_path, "hostile.txt", "\n".join(lines) + "\n")
    specs = (
        HashSetSpec(hostile, "known-bad"),
        HashSetSpec(tmp_path / "sets" / "missing.txt", "known-bad"),
        HashSetSpec(write(tmp_path, "prose.txt", "no digests in here\n"), "known-bad"),
    )
    out = scan(device, extractors=[], hashsets=specs)
    hits = out.records("hashset_hits")
    assert sorted(hit["source_path"] for hit in hits) == [
        "/Users/agent1/Downloads/AnyDesk.exe",
        "/copy-of-installer.bin",
    ]
    problems = [(p["severity"], p["message"], p["path"]) for p in out.problems()]
    assert (
        "warning",
        "4 line(s) are not digest-list entries and were skipped (line 1: "
        "'<script>alert(1)</script>'; line 3: '" + "zz" * 16 + "'; line 4: "
        "'\\x00\\x01\\x02 control characters')",
        str(hostile),
    ) in problems
    assert any(
        severity == "error"
        and message.startswith("hash set cannot be read: [Errno 2]")
        and path.endswith("missing.txt")
        for severity, message, path in problems
    )
    assert any(
        message.startswith("hash set cannot be read:") and "not a hash set" in message
        for _, message, _ in problems
    )


def test_match_store_reads_in_bounded_rounds(tmp_path, device, scan, monkeypatch):
    """With a tiny round size the device's digests are split by first hex digit; same hits."""
    from triage import hashsets
    from triage.store import DeviceStore

    out = scan(device, extractors=[])
    bad = hexes(BAD)
    spec = HashSetSpec(write(tmp_path, "bad.md5", f"{bad['md5']}  x.exe\n"), "known-bad")
    monkeypatch.setattr(hashsets, "ROUND_DIGESTS", 1)
    store = DeviceStore(out.output / "triage.sqlite")
    problems: list = []
    try:
        assert match_store(store, [spec], "laptop", out.output, problems.append) == 2
    finally:
        store.close()
    assert problems == []
