"""Build ``planted.raw.gz`` and ``planted.E01``: a small MBR disk with artifacts to break.

Requirements (Debian/Ubuntu): ``apt-get install e2fsprogs fdisk ewf-tools faketime``, then::

    python3 tests/hostile/data/build_planted.py

The disk (12 MiB, MBR, one Linux partition at 1 MiB holding ext2 with 1 KiB blocks) carries
artifacts that the hostile-input tests damage around, so each test can show that the rest of
the device is still extracted:

* a Chromium ``History`` with three visits (``PLANTED_VISITS``), and a second profile whose
  ``History`` is corrupt (a SQLite header followed by garbage);
* a dnsmasq ``/tmp/dhcp.leases`` with two leases (``PLANTED_LEASES``);
* ``/loop/a/b/c/up``: a directory entry that points back at ``/loop/a`` (made with debugfs
  ``ln``), the looping directory structure a hostile file system can hold;
* ``/zz/filler.bin``: 2 MiB written last, so its blocks lie at the end of the file system and
  a truncated copy of the image cuts it (an unreadable file) while the artifacts stay readable.

``planted.E01`` is the raw disk acquired with ewfacquire (deflate, MD5 + SHA-1 stored). mke2fs
is given a fixed UUID, hash seed and clock, so the file system facts are stable; all content is
fictional.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
MiB = 1024 * 1024
DISK_SIZE = 12 * MiB
PARTITION_START = 1 * MiB
PARTITION_SIZE = 10 * MiB
FIXED = "2024-03-01 09:00:00"
T_MODIFIED = 1709283600  # 2024-03-01T09:00:00Z
CHROME = "Users/agent1/AppData/Local/Google/Chrome/User Data"
PLANTED_VISITS = (
    ("https://anydesk.com/en/downloads/windows", "Download AnyDesk", "2024-03-01T09:58:00"),
    ("https://download.anydesk.com/AnyDesk.exe", "AnyDesk.exe", "2024-03-01T09:58:40"),
    ("https://bank.example/login", "Online banking", "2024-03-01T10:20:00"),
)
PLANTED_LEASES = (
    (1709329801, "00:1a:2b:3c:4d:5e", "192.168.1.23", "CC-LAPTOP-01"),
    (1709334600, "02:11:22:33:44:55", "192.168.1.45", "Galaxy-A52"),
)
FILLER_SIZE = 2 * MiB


def _browser_builder():
    path = REPO / "tests" / "data" / "browser" / "build_browser.py"
    spec = importlib.util.spec_from_file_location("build_browser", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_browser", module)
    spec.loader.exec_module(module)
    return module


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(args))
    return subprocess.run(args, check=True, **kwargs)


def filler(size: int) -> bytes:
    """Repetitive but never-zero text, so the E01 stays small and every block holds data."""
    line = b"planted filler: the last file of the file system\n"
    return (line * (size // len(line) + 1))[:size]


def planted_tree(root: Path) -> None:
    browser = _browser_builder()
    visits = [
        browser.Visit(url, title, datetime.fromisoformat(when).replace(tzinfo=UTC))
        for url, title, when in PLANTED_VISITS
    ]
    browser.write_chrome_history(root / CHROME / "Default" / "History", visits)
    corrupt = root / CHROME / "Profile 2" / "History"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    leases = root / "tmp" / "dhcp.leases"
    leases.parent.mkdir(parents=True)
    leases.write_text(
        "".join(f"{expiry} {mac} {ip} {host} *\n" for expiry, mac, ip, host in PLANTED_LEASES)
    )
    keep = root / "loop" / "a" / "b" / "c" / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("inside the loop\n")
    for path in sorted(root.rglob("*"), reverse=True):
        os.utime(path, (T_MODIFIED, T_MODIFIED), follow_symlinks=False)


def build_raw(target: Path) -> None:
    with open(target, "wb") as handle:
        handle.truncate(DISK_SIZE)
    layout = (
        "label: dos\nlabel-id: 0x7a11e0d1\nunit: sectors\n\n"
        f"start={PARTITION_START // 512}, size={PARTITION_SIZE // 512}, type=83\n"
    )
    run("sfdisk", "-q", str(target), input=layout.encode())
    with tempfile.TemporaryDirectory() as work:
        tree = Path(work) / "tree"
        tree.mkdir()
        planted_tree(tree)
        volume = Path(work) / "volume.img"
        extra = Path(work) / "filler.bin"
        extra.write_bytes(filler(FILLER_SIZE))
        env = dict(os.environ, E2FSPROGS_FAKE_TIME=str(T_MODIFIED))
        uuid = "5e1f0a0b-0c0d-0e0f-1011-121314151617"
        run(
            "mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-L", "planted", "-U", uuid,
            "-E", f"hash_seed={uuid}", "-d", str(tree), str(volume),
            f"{PARTITION_SIZE // 1024}k", env=env,
        )  # fmt: skip
        # The loop: /loop/a/b/c/up is a second name of /loop/a (debugfs ln makes no checks).
        run("debugfs", "-w", "-R", "ln /loop/a /loop/a/b/c/up", str(volume), env=env)
        # Written after everything else: its blocks come last in the file system.
        run("debugfs", "-w", "-R", "mkdir /zz", str(volume), env=env)
        run("debugfs", "-w", "-R", f"write {extra} /zz/filler.bin", str(volume), env=env)
        with open(volume, "rb") as source, open(target, "r+b") as out:
            out.seek(PARTITION_START)
            shutil.copyfileobj(source, out)


def acquire_e01(raw: Path, stem: Path) -> None:
    run(
        "faketime", FIXED, "ewfacquire", "-u", "-q", "-t", str(stem), "-c", "deflate:best",
        "-C", "KOL-CYB-TEST", "-D", "planted hostile-input disk", "-E", "EV-9",
        "-e", "triage tests", "-N", "synthetic fixture", "-f", "encase6", "-d", "sha1",
        "-S", "1.4GiB", str(raw),
    )  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        raw = Path(work) / "planted.raw"
        build_raw(raw)
        with (
            open(raw, "rb") as source,
            gzip.GzipFile(HERE / "planted.raw.gz", "wb", mtime=0) as out,
        ):
            shutil.copyfileobj(source, out)
        (HERE / "planted.E01").unlink(missing_ok=True)
        acquire_e01(raw, HERE / "planted")
    print("done")


if __name__ == "__main__":
    main()
