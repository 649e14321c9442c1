"""Evidence for the hostile-input tests: every kind triage reads, with artifacts planted.

The artifacts come from the families' own fixture generators (``tests/data/<family>/build_*.py``)
so the devices hold real schemas and formats; ``tests/hostile/data/planted.*`` is a small disk
whose file system carries artifacts next to the traps the tests set (see its SOURCE.md).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import shutil
import sqlite3
import stat
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.conftest import DATA

HOSTILE_DATA = Path(__file__).resolve().parent / "data"
BUILDERS = {
    "browser": DATA / "browser" / "build_browser.py",
    "calls": DATA / "calls" / "build_calls.py",
    "identity": DATA / "identity" / "build_identity.py",
    "remote_access": DATA / "remote_access" / "build_remote_access.py",
    "router": DATA / "router" / "build_router.py",
    "planted": HOSTILE_DATA / "build_planted.py",
}
PLANTED_CHROME = "/Users/agent1/AppData/Local/Google/Chrome/User Data"
PLANTED_CORRUPT_HISTORY = f"{PLANTED_CHROME}/Profile 2/History"  # a SQLite header, then garbage
LEASES = "1709329801 00:1a:2b:3c:4d:5e 192.168.1.23 CC-LAPTOP-01 *\n"


def builder(family: str, fresh: bool = False) -> ModuleType:
    """A family's fixture generator, imported from its path (``fresh``: a private copy whose
    module constants a test may change without touching anyone else's)."""
    name = f"tests_hostile_build_{family}"
    if not fresh and name in sys.modules:
        return sys.modules[name]
    if fresh:
        name += f"_{len([key for key in sys.modules if key.startswith(name)])}"
    spec = importlib.util.spec_from_file_location(name, BUILDERS[family])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def laptop_tree(root: Path) -> Path:
    """A Windows laptop folder: Chrome, AnyDesk, TeamViewer, MicroSIP, registry hives, leases."""
    builder("browser").populate_windows_laptop(root)
    builder("remote_access").populate_windows_laptop(root)
    builder("calls").populate_windows_laptop(root)
    builder("identity").populate_windows_laptop(root)
    leases = root / "tmp" / "dhcp.leases"
    leases.parent.mkdir(parents=True, exist_ok=True)
    leases.write_text(LEASES, encoding="utf-8")
    return root


def phone_tree(root: Path) -> Path:
    """An Android phone folder: Chrome, call log, identity files, the AnyDesk app."""
    builder("browser").populate_android_phone(root)
    builder("calls").populate_android_phone(root)
    builder("identity").populate_android_phone(root)
    builder("remote_access").populate_android_phone(root)
    return root


def unpack_planted(target: Path) -> Path:
    """``planted.raw`` (the gzip-compressed committed disk) unpacked to ``target``."""
    with gzip.open(HOSTILE_DATA / "planted.raw.gz", "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    return target


def tar_tree(tree: Path, target: Path, mode: str = "w") -> Path:
    """A tar (``mode`` w, w:gz...) of a folder, members relative to it."""
    with tarfile.open(target, mode) as archive:
        for path in sorted(tree.rglob("*")):
            archive.add(path, arcname=str(path.relative_to(tree)), recursive=False)
    return target


def zip_tree(tree: Path, target: Path) -> Path:
    """A deflated zip of a folder's files."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                archive.write(path, str(path.relative_to(tree)))
    return target


@dataclass(frozen=True)
class EvidenceItem:
    """One device of the all-kinds case: its evidence path, kind and what it must yield."""

    name: str
    path: Path
    kind: str  # raw, split raw, E01, directory, tar, tar.gz, zip, iTunes backup
    records: dict[str, int]  # record table -> at least this many rows
    folder: bool  # the evidence is a host folder (its files' access times are checkable)
    problems: tuple[str, ...] = ()  # paths of the problems its planted traps must give


def build_case(case: Path, work: Path) -> list[EvidenceItem]:
    """A case folder holding one device of every evidence kind, each with artifacts planted."""
    case.mkdir(parents=True)
    laptop = laptop_tree(case / "laptop")
    phone = phone_tree(work / "phone")
    tar_tree(phone, case / "phone.tar")
    tar_tree(phone, case / "phone-gz.tar.gz", "w:gz")
    zip_tree(laptop_tree(work / "laptop"), case / "laptop-zip.zip")
    disk = unpack_planted(case / "disk.raw")
    data = disk.read_bytes()
    third = len(data) // 3
    for index, piece in enumerate((data[:third], data[third : 2 * third], data[2 * third :])):
        (case / f"split.{index + 1:03d}").write_bytes(piece)
    shutil.copy(HOSTILE_DATA / "planted.E01", case / "ewf.E01")
    shutil.copytree(DATA / "identity" / "iphone_backup", case / "iphone")
    laptop_records = {
        "browser_visits": 1,
        "remote_access_events": 1,
        "calls": 1,
        "identity": 1,
        "router_facts": 1,
    }
    phone_records = {"browser_visits": 1, "calls": 1, "identity": 1, "artifact_presence": 1}
    disk_records = {"browser_visits": 3, "router_facts": 2}
    corrupt = ("/loop/a/b/c/up", PLANTED_CORRUPT_HISTORY)  # a loop (warning), a corrupt History
    return [
        EvidenceItem("disk", disk, "raw", disk_records, False, corrupt),
        EvidenceItem("ewf", case / "ewf.E01", "E01", disk_records, False, corrupt),
        EvidenceItem("iphone", case / "iphone", "iTunes backup", {"identity": 1}, True),
        EvidenceItem("laptop", laptop, "directory", laptop_records, True),
        EvidenceItem("laptop-zip", case / "laptop-zip.zip", "zip", laptop_records, False),
        EvidenceItem("phone", case / "phone.tar", "tar", phone_records, False),
        EvidenceItem("phone-gz", case / "phone-gz.tar.gz", "tar.gz", phone_records, False),
        EvidenceItem("split", case / "split.001", "split raw", disk_records, False, corrupt),
    ]


@dataclass(frozen=True)
class NodeState:
    """What a file's bytes and metadata were at one moment."""

    kind: str
    sha256: str | None
    size: int
    mode: int
    mtime_ns: int
    ctime_ns: int
    atime_ns: int


def snapshot(root: Path) -> dict[str, NodeState]:
    """Every node under ``root`` (or ``root`` itself when a file), never following links."""
    nodes: dict[str, NodeState] = {}
    paths = [root, *sorted(root.rglob("*"))] if root.is_dir() else [root]
    for path in paths:
        info = path.lstat()
        digest = None
        if stat.S_ISREG(info.st_mode):
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
            with open(descriptor, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        kind = "dir" if stat.S_ISDIR(info.st_mode) else "file"
        if stat.S_ISLNK(info.st_mode):
            kind = "link"
        elif not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
            kind = "special"
        nodes[str(path.relative_to(root.parent))] = NodeState(
            kind,
            digest,
            info.st_size,
            info.st_mode,
            info.st_mtime_ns,
            info.st_ctime_ns,
            info.st_atime_ns,
        )
    return nodes


def age_access_times(root: Path, when: float = 1_577_836_800) -> None:
    """Set every file's and folder's access and modification times to ``when`` (2020-01-01).

    With atime older than a day (and not after mtime) Linux ``relatime`` updates it on the next
    read, so a later equal atime shows the file was read without touching it.
    """
    for path in [*sorted(root.rglob("*"), reverse=True), root]:
        if not path.is_symlink():
            os.utime(path, (when, when))


def store_rows(store: Path, sql: str) -> list[dict[str, Any]]:
    """Rows of a device store (read-only)."""
    connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql)]
    finally:
        connection.close()


def record_tables(store: Path) -> dict[str, list[dict[str, Any]]]:
    """Every record table of a device store, rows in store order without the rowid."""
    tables = [row["name"] for row in store_rows(store, "SELECT name FROM record_tables")]
    result = {}
    for table in sorted(tables):
        rows = store_rows(store, f'SELECT * FROM "{table}" ORDER BY rowid')
        result[table] = [{k: v for k, v in row.items() if k != "rowid"} for row in rows]
    return result


def file_digests(store: Path) -> list[tuple[Any, ...]]:
    """The files table's identity and digests, in walk order."""
    return [
        tuple(row.values())
        for row in store_rows(
            store,
            "SELECT id, path, kind, size, partition, inode, attr_id, member, md5, sha1, sha256, "
            "mime, hash_error, note FROM files ORDER BY id",
        )
    ]
