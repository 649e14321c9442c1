"""Real artifacts to start fuzzing from, for every extractor.

Three sources, matched to extractors by their ``patterns`` (and SQLite files by their
``sqlite_tables``, as the pipeline does):

* the committed fixtures, ``tests/data/**``;
* devices written by the families' own generators (``tests/data/<family>/build_*.py``) in a
  temporary folder: a Windows laptop, an Android phone, an iPhone, an OpenWrt backup, the
  remote-access and router fixture trees, a Linux ``/etc``;
* the shared real-data corpus (``../shared/corpus`` or ``$TRIAGE_CORPUS``), read in place,
  when it is present.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fuzz.harness import Seed  # noqa: E402
from triage.extractors import all_extractors  # noqa: E402
from triage.extractors.base import compile_patterns  # noqa: E402

MAX_SEED = 4 << 20  # bytes; bigger files are slow to mutate and add little
CORPUS = Path(os.environ.get("TRIAGE_CORPUS", REPO.parent / "shared" / "corpus"))
LINUX_ETC = {
    "etc/os-release": 'NAME="Ubuntu"\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n',
    "etc/hostname": "cc-desk-07\n",
    "etc/timezone": "Asia/Kolkata\n",
    "etc/machine-id": "0f0e0d0c0b0a09080706050403020100\n",
    "etc/passwd": (
        "root:x:0:0:root:/root:/bin/bash\nagent:x:1000:1000:Agent,,,:/home/agent:/bin/bash\n"
    ),
}
ZONE_IDENTIFIER = (
    "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://anydesk.com/en/downloads/windows\r\n"
    "HostUrl=https://download.anydesk.com/AnyDesk.exe\r\n"
)


# Extractors whose files are recognised by content here, when no seed has the usual name.
MAGIC = {
    "ie.index_dat": (0, b"Client UrlCache MMF Ver"),
    "ie.webcache": (4, b"\xef\xcd\xab\x89"),  # ESE database signature
}


def _magic(path: Path, offset: int, signature: bytes) -> bool:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(len(signature)) == signature


def _files(root: Path) -> Iterator[tuple[PurePosixPath, Path]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SEED:
            yield PurePosixPath("/" + path.relative_to(root).as_posix()), path


def generated_trees(work: Path) -> list[Path]:
    """Evidence folders written by the families' generators."""
    from tests.hostile.devices import builder, laptop_tree, phone_tree  # noqa: PLC0415

    trees = [laptop_tree(work / "laptop"), phone_tree(work / "phone")]
    iphone = work / "iphone"
    builder("identity").populate_iphone_files(iphone)
    trees.append(iphone)
    remote = work / "remote"
    module = builder("remote_access")
    for build in ("build_anydesk_windows", "build_teamviewer", "build_rustdesk",
                  "build_splashtop", "build_screenconnect", "build_presence"):  # fmt: skip
        getattr(module, build)(remote)
    trees.append(remote)
    router = work / "router"
    for name, data in builder("router").openwrt_members().items():
        target = router / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    trees.append(router)
    linux = work / "linux"
    for name, text in LINUX_ETC.items():
        (linux / name).parent.mkdir(parents=True, exist_ok=True)
        (linux / name).write_text(text, encoding="utf-8")
    stream = linux / "Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier"
    stream.parent.mkdir(parents=True)
    stream.write_text(ZONE_IDENTIFIER, encoding="utf-8")
    trees.append(linux)
    return trees


def _tables(path: Path) -> frozenset[str]:
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return frozenset()
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            return frozenset(
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            )
        finally:
            connection.close()
    except sqlite3.Error:
        return frozenset()


def collect(work: Path | None = None, corpus: bool = True) -> dict[str, list[Seed]]:
    """Extractor id -> its seeds (deduplicated by content)."""
    work = work or Path(tempfile.mkdtemp(prefix="triage-fuzz-seeds-"))
    roots = [(REPO / "tests" / "data", "fixture")]
    roots += [(tree, f"generated {tree.name}") for tree in generated_trees(work)]
    if corpus and (CORPUS / "MANIFEST.md").is_file():
        roots.append((CORPUS, "corpus"))
    candidates = [
        (virtual, path, origin) for root, origin in roots for virtual, path in _files(root)
    ]
    tables = {path: _tables(path) for _, path, _ in candidates}
    seeds: dict[str, list[Seed]] = {}
    for name, kind in sorted(all_extractors().items()):
        extractor = kind()
        regex = compile_patterns(extractor.patterns)
        found: dict[bytes, Seed] = {}
        for virtual, path, origin in candidates:
            by_path = regex.match(str(virtual).lstrip("/")) is not None
            by_schema = bool(extractor.sqlite_tables) and extractor.sqlite_tables <= tables[path]
            by_magic = name in MAGIC and _magic(path, *MAGIC[name])
            if not (by_path or by_schema or by_magic):
                continue
            data = path.read_bytes()
            if data in found:
                continue
            virtual_path = virtual if by_path else _pattern_path(extractor.patterns, virtual)
            found[data] = Seed(virtual_path, data, f"{origin}: {virtual}")
        seeds[name] = list(found.values())
    return seeds


def _pattern_path(patterns: tuple[str, ...], virtual: PurePosixPath) -> PurePosixPath:
    """A path that the first glob matches, for a database recognised by its schema."""
    glob = patterns[0] if patterns else str(virtual)
    path = glob.replace("**/", "").replace("**", "x").replace("*", "x").replace("?", "x")
    while "[" in path and "]" in path:
        start, end = path.index("["), path.index("]")
        path = path[:start] + path[start + 1 : start + 2] + path[end + 1 :]
    return PurePosixPath("/" + path)
