"""Build ``names.ext2.raw.gz``: a 1 MiB ext2 file system whose names are hostile bytes.

ext2 takes any byte in a name but ``/`` and NUL, and TSK hands the names over as bytes: this is
the disk-image case of "names are bytes" (issue 15, item 1). Run as any user with e2fsprogs
(``mke2fs -d``); the host folder it copies from must accept any byte in names (Linux does).
Each file holds ``content of `` and its own name, so a test knows every hash.

    python tests/hostile/data/build_names.py
"""

from __future__ import annotations

import gzip
import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "names.ext2.raw.gz"
# (folder, name) pairs as bytes; folder b"" is the root.
NAMES: tuple[tuple[bytes, bytes], ...] = (
    (b"", b"rec_\xff\xfe_call.amr"),  # not UTF-8 at all
    (b"", b"caf\xe9.txt"),  # latin-1
    (b"", "r\u00e9sum\u00e9.txt".encode()),  # UTF-8, shown as is
    (b"", b"line\nbreak.txt"),  # a newline in a name breaks line-based lists
    (b"", "\u202egpj.exe".encode()),  # right-to-left override: shows as exe.jpg
    (b"", b"=cmd|' -C calc'!A0.csv"),  # a spreadsheet formula (a name holds no '/')
    (b"", b"<img src=x onerror=alert(1)>.html"),  # markup (a name holds no "/")
    (b"", b"\x1b[31mred.txt"),  # a terminal escape
    (b"dir\xff", b"inner.txt"),  # a folder whose name is not UTF-8
    (b"", b"a" * 251 + b".txt"),  # the longest name ext2 allows (255 bytes)
)
UUID = "6c1d2a4e-0b1f-4c55-9e55-1a2b3c4d5e6f"


def content(name: bytes) -> bytes:
    """What the file called ``name`` holds."""
    return b"content of " + name


def build(target: Path = TARGET) -> Path:
    """Write the gzip-compressed image to ``target``."""
    with tempfile.TemporaryDirectory() as work:
        tree = os.path.join(os.fsencode(work), b"tree")
        os.mkdir(tree)
        for folder, name in NAMES:
            os.makedirs(os.path.join(tree, folder), exist_ok=True)
            with open(os.path.join(tree, folder, name), "wb") as handle:
                handle.write(content(name))
            os.utime(os.path.join(tree, folder, name), (1_700_000_000, 1_700_000_000))
        image = Path(work) / "names.raw"
        environment = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
        subprocess.run(
            ["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-N", "32", "-U", UUID,
             "-E", f"hash_seed={UUID}", "-d", os.fsdecode(tree), str(image), "1024"],
            check=True, env=environment,
        )  # fmt: skip
        with open(image, "rb") as raw, gzip.GzipFile(target, "wb", mtime=0) as out:
            out.write(raw.read())
    return target


if __name__ == "__main__":
    print(build())
