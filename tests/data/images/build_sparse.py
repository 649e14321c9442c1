#!/usr/bin/env python3
"""Build ``sparse.ext4.gz``: a 2 MiB ext4 holding a 128 MiB sparse file (issue 15 item 9).

    apt-get install e2fsprogs
    python3 tests/data/images/build_sparse.py

``lastlog`` is 128 MiB long, and only three short runs of it hold data (like a real
``/var/log/lastlog`` of a host with large user ids, which is terabytes of holes): ext4 stores
the rest nowhere, and TSK reports those runs as fillers. The data (``DATA`` below, at
``OFFSETS``) is what tests/test_sparse.py splices into zeros to compute the expected digests.
``small.txt`` is an ordinary file. mke2fs writes a random volume serial, so the image is not
byte-reproducible: the test asserts the file's content, not the image's hash.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 128 << 20
DATA = b"root     pts/0    10.0.0.1"
OFFSETS = (0, 64 << 20, SIZE - len(DATA))


def build(target: Path = HERE / "sparse.ext4.gz") -> Path:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "root"
        root.mkdir()
        with open(root / "lastlog", "wb") as handle:
            handle.truncate(SIZE)
            for offset in OFFSETS:
                handle.seek(offset)
                handle.write(DATA)
        (root / "small.txt").write_bytes(b"not sparse\n")
        for path in (root / "lastlog", root / "small.txt", root):
            os.utime(path, (1_700_000_000, 1_700_000_000))
        image = Path(folder) / "sparse.ext4"
        subprocess.run(
            ["mke2fs", "-q", "-t", "ext4", "-b", "4096", "-O", "^has_journal",
             "-E", "root_owner=0:0", "-d", str(root), str(image), "2M"],
            check=True,
            env={**os.environ, "E2FSPROGS_FAKE_TIME": "1700000000"},
        )  # fmt: skip
        with (
            open(image, "rb") as source,
            open(target, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out,
        ):
            shutil.copyfileobj(source, out)
    return target


if __name__ == "__main__":
    print(build())
