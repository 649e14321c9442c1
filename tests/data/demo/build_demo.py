#!/usr/bin/env python3
"""Build the bundled demo case in ``triage/demo/data/`` (run as root; fictional data only).

    apt-get install ntfs-3g ewf-tools faketime
    python3 tests/data/demo/build_demo.py

The demo is the case of the project's story (a fake tech-support call centre): three devices
whose artifacts link up in the case report.

  laptop-01.E01     Windows 10 laptop, NTFS in an MBR disk, acquired with ewfacquire (deflate,
                    MD5 + SHA-1 stored): registry hives, Chrome history with the AnyDesk
                    download, AnyDesk.exe with its Zone.Identifier stream, AnyDesk and
                    TeamViewer logs, MicroSIP calls
  phone-03.tar.gz   Android 12 file-system extraction: build.prop, SIM, accounts, Wi-Fi,
                    packages, call log, Chrome history, the AnyDesk app folder; deleted
                    calls (in the call log's old page, its -wal not merged) and deleted
                    history (freeblocks) for the recovery layer
  router-01.tar.gz  OpenWrt sysupgrade backup: PPPoE account, DHCP leases, port forward, logs
  case.yaml         the manifest ``triage demo`` scans

Artifact content comes from each extractor family's generator (tests/data/<family>/build_*.py),
so the demo and the tests plant the same story values.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
TARGET = REPO / "triage" / "demo" / "data"
MiB = 1024 * 1024
STORY_TIME = 1709283600  # 2024-03-01T09:00:00Z
DOWNLOADED = 1709287120  # 2024-03-01T09:58:40Z, when AnyDesk.exe was saved
SEIZED = 1709296200  # 2024-03-01T12:30:00Z: no member of the phone's tar is newer than this

MANIFEST = """\
case: DEMO-CC-2024-0301
devices:
  - name: laptop-01
    evidence: laptop-01.E01
    country: US          # the dialer's numbers are US numbers without +1
  - name: phone-03
    evidence: phone-03.tar.gz
  - name: router-01
    evidence: router-01.tar.gz
"""


def family(name: str):
    """A family's fixture generator module, loaded from its file."""
    path = REPO / "tests" / "data" / name / f"build_{name}.py"
    spec = importlib.util.spec_from_file_location(f"build_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the generators look themselves up here
    spec.loader.exec_module(module)
    return module


def run(*args: str) -> None:
    print("+", " ".join(args))
    subprocess.run(args, check=True)


def laptop_tree(root: Path) -> None:
    for name in ("identity", "browser", "calls", "remote_access"):
        family(name).populate_windows_laptop(root)


def phone_tree(root: Path) -> None:
    for name in ("identity", "browser", "calls", "remote_access"):
        family(name).populate_android_phone(root)
    family("recover").populate_android_phone(root)  # deleted calls and history (issue 18)


def copy_tree(source: Path, mount: Path) -> None:
    """Copy a folder into the NTFS mount keeping file times (directories last)."""
    for path in sorted(source.rglob("*")):
        target = mount / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            stat = path.stat()
            os.utime(target, (stat.st_atime, stat.st_mtime))
    for path in sorted(source.rglob("*"), reverse=True):
        if path.is_dir():
            os.utime(mount / path.relative_to(source), (STORY_TIME, STORY_TIME))


def build_laptop(work: Path) -> None:
    tree = work / "laptop"
    laptop_tree(tree)
    used = sum(path.stat().st_size for path in tree.rglob("*") if path.is_file())
    size = max(16 * MiB, (used * 3 // MiB + 8) * MiB)
    disk = work / "laptop-01.raw"
    with open(disk, "wb") as handle:
        handle.truncate(size + MiB)
    layout = (
        "label: dos\nlabel-id: 0x0c0ffee0\nunit: sectors\n\n"
        f"start=2048, size={size // 512}, type=7, bootable\n"
    )
    subprocess.run(["sfdisk", "-q", str(disk)], input=layout.encode(), check=True)
    volume = work / "ntfs.img"
    with open(volume, "wb") as handle:
        handle.truncate(size)
    run(
        "faketime",
        "2024-02-20 08:00:00",
        "mkntfs",
        "-F",
        "-q",
        "-f",
        "-L",
        "Windows",
        "-p",
        "2048",
        "-H",
        "255",
        "-S",
        "63",
        str(volume),
    )
    mount = Path(tempfile.mkdtemp(prefix="demo-ntfs-"))
    run("ntfs-3g", "-o", "streams_interface=windows", str(volume), str(mount))
    try:
        copy_tree(tree, mount)
        installer = mount / "Users" / "agent1" / "Downloads" / "AnyDesk.exe"
        zone = family("remote_access").zone_identifier_text()
        Path(f"{installer}:Zone.Identifier").write_text(zone)
        os.utime(installer, (DOWNLOADED, DOWNLOADED))
    finally:
        run("umount", str(mount))
        mount.rmdir()
    with open(volume, "rb") as source, open(disk, "r+b") as out:
        out.seek(2048 * 512)
        shutil.copyfileobj(source, out)
    for old in TARGET.glob("laptop-01.E*"):
        old.unlink()
    run(
        "faketime",
        "2024-03-02 08:00:00",
        "ewfacquire",
        "-u",
        "-q",
        "-t",
        str(TARGET / "laptop-01"),
        "-c",
        "deflate:best",
        "-C",
        "DEMO-CC-2024-0301",
        "-D",
        "Seized laptop CC-LAPTOP-01 (demo, fictional)",
        "-E",
        "EV-01",
        "-e",
        "triage demo",
        "-N",
        "synthetic demo evidence",
        "-f",
        "encase6",
        "-d",
        "sha1",
        "-S",
        "1.4GiB",
        str(disk),
    )


def deterministic_tar(tree: Path, target: Path) -> None:
    """A tar.gz with sorted members, fixed owners, no time after the seizure, gzip mtime 0."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for path in sorted(tree.rglob("*")):
            info = archive.gettarinfo(str(path), arcname=str(path.relative_to(tree)))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = min(info.mtime, SEIZED)  # made now by the builders: the story's time
            if path.is_file():
                with open(path, "rb") as handle:
                    archive.addfile(info, handle)
            else:
                archive.addfile(info)
    with gzip.GzipFile(target, "wb", mtime=0) as out:
        out.write(buffer.getvalue())


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        build_laptop(work)
        phone_tree(work / "phone")
        deterministic_tar(work / "phone", TARGET / "phone-03.tar.gz")
    family("router").build_openwrt_backup(TARGET / "router-01.tar.gz")
    (TARGET / "case.yaml").write_text(MANIFEST, encoding="utf-8")
    for path in sorted(TARGET.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
