#!/usr/bin/env python3
"""Build the disk-image fixtures in this folder (run as root; needs the tools below).

    apt-get install ntfs-3g dosfstools mtools e2fsprogs exfatprogs fdisk gdisk ewf-tools faketime
    python3 tests/data/images/build_images.py

Outputs (committed, gzip-compressed raw images so the repository stays small; tests unpack them):
  ntfs.raw.gz  bare NTFS volume: user files, an alternate data stream (Zone.Identifier), a
               deleted file, a hard link, a non-ASCII name, an empty file, a PE named .jpg
  mbr.raw.gz   MBR disk: FAT16 primary, an empty primary of type 0x0c (no file system), and
               an extended partition holding a logical ext2 (with a deleted file) and exFAT
  gpt.raw.gz   GPT disk: FAT32 "USBDATA" and ext4 (symlink, deleted file)
  gpt.E01      the GPT disk acquired with ewfacquire (deflate, MD5 + SHA-1 stored)
All content is synthetic. Times are fixed with faketime / explicit utime so facts stay stable;
mkntfs and mke2fs still write random volume serials, so the images are not byte-reproducible,
which is why the outputs are committed and the tests assert their content, not their hashes.
"""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MiB = 1024 * 1024
FIXED = "2024-03-01 09:00:00"  # faketime clock for every tool that stamps times
T_MODIFIED = 1709283600  # 2024-03-01T09:00:00Z
T_OLD = 1704067200  # 2024-01-01T00:00:00Z

ZONE_IDENTIFIER = (
    "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://anydesk.com/en/downloads/windows\r\n"
    "HostUrl=https://download.anydesk.com/AnyDesk.exe\r\n"
)


def tiny_pe() -> bytes:
    """A minimal PE32 header that libmagic recognises as a Windows executable."""
    dos = bytearray(b"MZ" + b"\0" * 58 + struct.pack("<I", 64))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = bytearray(0xE0)
    optional[0:2] = struct.pack("<H", 0x10B)  # PE32 magic
    optional[68:70] = struct.pack("<H", 2)  # subsystem: Windows GUI
    section = b".text\0\0\0" + b"\0" * 32
    body = bytes(dos) + b"PE\0\0" + coff + bytes(optional) + section
    return body + b"\0" * (1024 - len(body)) + b"fictional installer payload\n"


def tiny_jpeg() -> bytes:
    """The start of a JFIF JPEG (enough for libmagic)."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xdb\x00\x43\x00"
        + bytes(range(64))
        + b"\xff\xd9"
    )


def pattern(size: int) -> bytes:
    """Deterministic, compressible bytes spanning several read chunks."""
    block = bytes(range(256)) * 16
    return (block * (size // len(block) + 1))[:size]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(args))
    return subprocess.run(args, check=True, **kwargs)


def write(path: Path, data: bytes, mtime: int = T_MODIFIED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def build_ntfs(target: Path) -> None:
    """NTFS through ntfs-3g (FUSE), so ADS, hard links and deletion are real NTFS operations."""
    with open(target, "wb") as handle:
        handle.truncate(6 * MiB)
    run("faketime", FIXED, "mkntfs", "-F", "-q", "-f", "-L", "LAPTOP", "-c", "4096", str(target))
    mount = Path(tempfile.mkdtemp(prefix="ntfs-"))
    # not under faketime: its wrapper waits on the FUSE daemon forever; times are set by utime
    run("ntfs-3g", "-o", "streams_interface=windows", str(target), str(mount))
    try:
        user = mount / "Users" / "agent1"
        write(user / "Downloads" / "AnyDesk.exe", tiny_pe())
        (user / "Downloads" / "AnyDesk.exe:Zone.Identifier").write_text(ZONE_IDENTIFIER)
        os.utime(user / "Downloads" / "AnyDesk.exe", (T_MODIFIED, T_MODIFIED))
        write(user / "Documents" / "notes.txt", b"call list for monday\n")
        os.link(user / "Documents" / "notes.txt", user / "Documents" / "notes-link.txt")
        write(user / "Documents" / "deleted-secret.txt", b"wire $900 to the account ending 4471\n")
        write(user / "Pictures" / "holiday.jpg", tiny_pe())
        write(user / "Pictures" / "real.jpg", tiny_jpeg())
        write(user / "résumé.txt", "Curriculum vitae — agent1\n".encode())
        write(user / "big.bin", pattern(1536 * 1024))
        write(mount / "empty.txt", b"")
        os.sync()
        (user / "Documents" / "deleted-secret.txt").unlink()
        for path in sorted(mount.rglob("*"), reverse=True):
            if path.is_dir():
                os.utime(path, (T_MODIFIED, T_MODIFIED))
    finally:
        run("umount", str(mount))
        mount.rmdir()


def build_fat(
    target: Path, offset: int, size: int, fat: str, label: str, files: dict[str, bytes]
) -> None:
    """A FAT file system inside an image at ``offset`` via mkfs.fat --offset and mtools."""
    sectors = offset // 512
    extra = ["-s", "1"]  # 512-byte clusters: enough clusters for FAT16/32 on tiny volumes
    run(
        "faketime",
        FIXED,
        "mkfs.fat",
        "-F",
        fat,
        *extra,
        "-n",
        label,
        "--offset",
        str(sectors),
        "-i",
        "1a2b3c4d",
        str(target),
        str(size // 1024),
    )
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    with tempfile.TemporaryDirectory() as staging:
        for name, data in files.items():
            local = Path(staging) / name.replace("/", "_")
            write(local, data)
            folder = "/".join(name.split("/")[:-1])
            if folder:
                subprocess.run(
                    ["mmd", "-i", f"{target}@@{offset}", f"::/{folder}"],
                    env=env,
                    check=False,
                    capture_output=True,
                )
            run(
                "faketime",
                FIXED,
                "mcopy",
                "-m",
                "-i",
                f"{target}@@{offset}",
                str(local),
                f"::/{name}",
                env=env,
            )


def build_ext(
    target: Path, offset: int, size: int, kind: str, tree: Path, delete: list[str]
) -> None:
    """ext2/ext4 from a folder with mke2fs -d, written into the image at ``offset``."""
    with tempfile.TemporaryDirectory() as work:
        volume = Path(work) / "volume.img"
        env = dict(os.environ, E2FSPROGS_FAKE_TIME=str(T_MODIFIED))
        run(
            "mke2fs",
            "-q",
            "-F",
            "-t",
            kind,
            "-b",
            "1024",
            "-L",
            f"{kind}_vol",
            "-U",
            "0f0e0d0c-0b0a-0908-0706-050403020100",
            "-E",
            "hash_seed=0f0e0d0c-0b0a-0908-0706-050403020100",
            "-d",
            str(tree),
            str(volume),
            f"{size // 1024}k",
            env=env,
        )
        for name in delete:
            run("debugfs", "-w", "-R", f"rm {name}", str(volume), env=env)
        with open(volume, "rb") as source, open(target, "r+b") as out:
            out.seek(offset)
            shutil.copyfileobj(source, out)


def build_mbr(target: Path) -> None:
    with open(target, "wb") as handle:
        handle.truncate(16 * MiB)
    layout = (
        "label: dos\nlabel-id: 0x1e0f2a3b\nunit: sectors\n\n"
        "start=2048, size=8192, type=6\n"  # p1 FAT16, 4 MiB
        "start=10240, size=2048, type=c\n"  # p2 empty, 1 MiB, no file system
        "start=12288, type=5\n"  # p3 extended, rest of the disk
        "start=14336, size=8192, type=83\n"  # p5 logical ext2, 4 MiB
        "start=24576, size=6144, type=7\n"
    )  # p6 logical exFAT, 3 MiB
    run("sfdisk", "-q", str(target), input=layout.encode())
    build_fat(
        target,
        2048 * 512,
        4 * MiB,
        "16",
        "CAMERA",
        {"DCIM/IMG_0001.JPG": tiny_jpeg(), "README.TXT": b"fat16 partition\r\n"},
    )
    with tempfile.TemporaryDirectory() as tree:
        root = Path(tree)
        write(root / "home" / "agent1" / ".bash_history", b"ssh root@192.168.1.1\nls\n")
        write(root / "home" / "agent1" / "victims.csv", b"name,phone\nMargaret,5404561685\n")
        write(root / "etc" / "hostname", b"cc-linux\n")
        build_ext(target, 14336 * 512, 4 * MiB, "ext2", root, ["/home/agent1/victims.csv"])
    with tempfile.TemporaryDirectory() as work:
        volume = Path(work) / "exfat.img"
        with open(volume, "wb") as handle:
            handle.truncate(3 * MiB)
        run("faketime", FIXED, "mkfs.exfat", "-L", "EXFATVOL", str(volume))
        with open(volume, "rb") as source, open(target, "r+b") as out:
            out.seek(24576 * 512)
            shutil.copyfileobj(source, out)


def build_gpt(target: Path) -> None:
    with open(target, "wb") as handle:
        handle.truncate(44 * MiB)
    run(
        "sgdisk",
        "-U",
        "11111111-2222-3333-4444-555555555555",
        "-n",
        "1:2048:+33M",
        "-t",
        "1:0700",
        "-c",
        "1:USBDATA",
        "-u",
        "1:aaaaaaaa-0000-0000-0000-000000000001",
        "-n",
        "2:0:+8M",
        "-t",
        "2:8300",
        "-c",
        "2:linux",
        "-u",
        "2:aaaaaaaa-0000-0000-0000-000000000002",
        str(target),
    )
    build_fat(
        target,
        2048 * 512,
        33 * MiB,
        "32",
        "USBDATA",
        {"DOCS/INVOICE.TXT": b"invoice 88412\r\n", "TOOLS/ANYDESK.EXE": tiny_pe()},
    )
    second = (2048 + 33 * 2048) * 512
    with tempfile.TemporaryDirectory() as tree:
        root = Path(tree)
        write(root / "home" / "agent1" / "todo.txt", b"buy gift cards\n")
        write(root / "home" / "agent1" / "gone.txt", b"deleted on ext4\n")
        write(root / "var" / "log" / "big.log", pattern(1100 * 1024))
        (root / "home" / "agent1" / "latest").symlink_to("todo.txt")
        build_ext(target, second, 8 * MiB, "ext4", root, ["/home/agent1/gone.txt"])


def acquire_e01(raw: Path, target_stem: Path) -> None:
    run(
        "faketime",
        FIXED,
        "ewfacquire",
        "-u",
        "-q",
        "-t",
        str(target_stem),
        "-c",
        "deflate:best",
        "-C",
        "KOL-CYB-TEST",
        "-D",
        "GPT fixture disk",
        "-E",
        "EV-1",
        "-e",
        "triage tests",
        "-N",
        "synthetic fixture",
        "-f",
        "encase6",
        "-d",
        "sha1",
        "-S",
        "1.4GiB",
        str(raw),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        scratch = Path(work)
        for name, builder in (("ntfs", build_ntfs), ("mbr", build_mbr), ("gpt", build_gpt)):
            raw = scratch / f"{name}.raw"
            builder(raw)
            with (
                open(raw, "rb") as source,
                gzip.GzipFile(HERE / f"{name}.raw.gz", "wb", mtime=0) as out,
            ):
                shutil.copyfileobj(source, out)
            if name == "gpt":
                acquire_e01(raw, HERE / "gpt")
    print("done")


if __name__ == "__main__":
    main()
