"""Benchmark inputs: file trees, ext4/NTFS images of them and a deflate E01, built once and kept.

Everything is synthetic and reproducible from a seed. File contents mix two kinds of 1 MiB
pieces: random bytes (like photos, video, archives and installer payloads, which a disk is mostly
made of and which E01 stores uncompressed) and slices of this Python installation's own files
(source and shared libraries, which compress and inflate like programs and documents). The
compressible share is what makes a deflate E01 slow to read, so it is a parameter
(:data:`COMPRESSIBLE_SHARE`) and printed with the results.

Tools: ``mke2fs -d`` (e2fsprogs) builds ext4 without root; NTFS is made with ``mkntfs`` and
filled through an ``ntfs-3g`` FUSE mount; ``ewfacquire -c deflate:fast`` (ewf-tools) makes the
E01. A missing tool skips the inputs that need it.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import subprocess
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
PIECE = MiB
COMPRESSIBLE_SHARE = 0.5  # share of large-file pieces taken from program files, not random


@dataclass(frozen=True)
class Sizes:
    """How big the inputs are: ``QUICK`` for a smoke run, ``FULL`` for the figures."""

    name: str
    large_files: int
    large_size: int
    image_size: int
    small_files: int
    million_files: int


QUICK = Sizes("quick", 4, 48 * MiB, 256 * MiB, 5_000, 100_000)
FULL = Sizes("full", 6, 288 * MiB, 2048 * MiB, 20_000, 1_000_000)


def tool(name: str) -> str | None:
    """The path of an external tool, or None (sbin folders included: mke2fs lives there)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/sbin"):
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    return None


def compressible_pool(size: int = 16 * MiB) -> bytes:
    """Bytes of this Python installation's own files, in a fixed order: real program data."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    buffer = bytearray()
    for path in sorted(stdlib.rglob("*")):
        if path.suffix not in (".py", ".so", ".txt", ".html") or not path.is_file():
            continue
        try:
            buffer += path.read_bytes()
        except OSError:
            continue
        if len(buffer) >= size:
            break
    if len(buffer) < PIECE * 2:
        raise RuntimeError(f"{stdlib}: not enough files to build compressible content")
    return bytes(buffer[:size])


class Content:
    """Deterministic file content: random or program-like pieces in a fixed proportion."""

    def __init__(self, seed: int, share: float = COMPRESSIBLE_SHARE) -> None:
        self.random = random.Random(seed)
        self.pool = compressible_pool()
        self.share = share

    def piece(self, size: int) -> bytes:
        """``size`` bytes of one kind, chosen with the compressible share."""
        if self.random.random() < self.share:
            start = self.random.randrange(0, len(self.pool) - size) & ~4095
            return self.pool[start : start + size]
        return self.random.randbytes(size)

    def write_file(self, path: Path, size: int) -> None:
        """Write a file of ``size`` bytes made of 1 MiB pieces."""
        with open(path, "wb") as handle:
            left = size
            while left > 0:
                take = min(PIECE, left)
                handle.write(self.piece(take))
                left -= take


def log_uniform(rng: random.Random, low: int, high: int) -> int:
    """A size between low and high, uniform on a log scale (many small files, some larger)."""
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def build_large_tree(root: Path, sizes: Sizes) -> Path:
    """A few large files plus a handful of medium ones."""
    tree = root / f"large-tree-{sizes.name}"
    if (tree / ".complete").is_file():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "videos").mkdir(parents=True)
    (tree / "docs").mkdir()
    content = Content(1)
    for index in range(sizes.large_files):
        content.write_file(tree / "videos" / f"recording-{index:02d}.bin", sizes.large_size)
    for index in range(8):
        content.write_file(tree / "docs" / f"medium-{index:02d}.bin", (index + 1) * MiB)
    (tree / ".complete").touch()
    return tree


def build_small_tree(root: Path, sizes: Sizes) -> Path:
    """``small_files`` files of 100 B - 64 KiB (log-uniform), 100 to a folder."""
    tree = root / f"small-tree-{sizes.name}"
    if (tree / ".complete").is_file():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    content = Content(2)
    rng = random.Random(3)
    for index in range(sizes.small_files):
        folder = tree / f"d{index // 100:04d}"
        if index % 100 == 0:
            folder.mkdir()
        size = log_uniform(rng, 100, 64 * 1024)
        (folder / f"file-{index:06d}.dat").write_bytes(content.piece(size))
    (tree / ".complete").touch()
    return tree


def build_million_tree(root: Path, sizes: Sizes) -> Path:
    """``million_files`` tiny files (0-64 bytes), 1000 to a folder: the memory case."""
    tree = root / f"million-tree-{sizes.name}"
    if (tree / ".complete").is_file():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    rng = random.Random(4)
    for index in range(sizes.million_files):
        folder = tree / f"d{index // 1000:04d}"
        if index % 1000 == 0:
            folder.mkdir()
        descriptor = os.open(folder / f"f{index:07d}", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(descriptor, rng.randbytes(index % 65))
        os.close(descriptor)
    (tree / ".complete").touch()
    return tree


def tree_bytes(tree: Path) -> tuple[int, int]:
    """(files, bytes) under a tree, marker files excluded."""
    files = total = 0
    for folder, _, names in os.walk(tree):
        for name in names:
            if name == ".complete":
                continue
            files += 1
            total += os.lstat(os.path.join(folder, name)).st_size
    return files, total


def build_ext4(tree: Path, image: Path, size: int, inodes: int | None = None) -> Path | None:
    """An ext4 image of ``tree`` made with ``mke2fs -d`` (no root, no mount)."""
    if image.is_file():
        return image
    mke2fs = tool("mke2fs")
    if mke2fs is None:
        return None
    part = image.with_name(image.name + ".part")
    part.unlink(missing_ok=True)
    command = [mke2fs, "-q", "-F", "-t", "ext4", "-m", "0", "-d", str(tree)]
    if inodes:
        command += ["-N", str(inodes)]
    subprocess.run([*command, str(part), f"{size // 1024}k"], check=True, capture_output=True)
    part.rename(image)
    return image


def build_ntfs(tree: Path, image: Path, size: int) -> Path | None:
    """An NTFS image of ``tree``: mkntfs, then copy through an ntfs-3g FUSE mount."""
    if image.is_file():
        return image
    mkntfs, ntfs3g = tool("mkntfs"), tool("ntfs-3g")
    fusermount = tool("fusermount") or tool("fusermount3")
    if not (mkntfs and ntfs3g and fusermount and Path("/dev/fuse").exists()):
        return None
    part = image.with_name(image.name + ".part")
    part.unlink(missing_ok=True)
    with open(part, "wb") as handle:
        handle.truncate(size)
    subprocess.run([mkntfs, "-q", "-F", "-Q", str(part)], check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="bench-ntfs-") as mount:
        subprocess.run([ntfs3g, str(part), mount], check=True)
        try:
            for entry in sorted(tree.iterdir()):
                if entry.name == ".complete":
                    continue
                target = Path(mount) / entry.name
                if entry.is_dir():
                    shutil.copytree(entry, target)
                else:
                    shutil.copy2(entry, target)
        finally:
            subprocess.run([fusermount, "-u", mount], check=True)
    part.rename(image)
    return image


def build_e01(image: Path, target: Path) -> Path | None:
    """A deflate-compressed E01 of ``image`` with MD5 and SHA-1 stored, via ewfacquire."""
    first = target.with_suffix(".E01")
    if first.is_file():
        return first
    ewfacquire = tool("ewfacquire")
    if ewfacquire is None:
        return None
    for stale in target.parent.glob(target.name + ".E*"):
        stale.unlink()
    subprocess.run(
        [
            ewfacquire,
            "-u",
            "-q",
            "-c",
            "deflate:fast",
            "-d",
            "sha1",
            "-f",
            "encase6",
            "-t",
            str(target),
            str(image),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return first
