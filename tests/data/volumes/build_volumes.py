#!/usr/bin/env python3
"""Build the committed volume-layer fixtures in this folder (needs ewf-tools: ewfacquire).

    python3 tests/data/volumes/build_volumes.py

Outputs:
  random.E01  an E01 (EnCase 6, no compression) of 32 KiB of seeded pseudo-random bytes: media
              with no partition table, file system or volume (issue 15 item 4)

The encrypted-volume fixtures (LUKS1 over the NTFS fixture) are not committed: encrypted bytes do
not compress, so tests build them at run time with tests/evidence/volume_fixtures.py.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "random.raw"
        raw.write_bytes(random.Random(7).randbytes(32768))
        target = HERE / "random"
        for old in HERE.glob("random.E0?"):
            old.unlink()
        subprocess.run(
            ["ewfacquire", "-u", "-t", str(target), "-f", "encase6", "-c", "none", "-d", "sha1",
             "-C", "random bytes", "-D", "issue 15 item 4 fixture", "-e", "triage tests",
             "-E", "1", "-N", "seed 7", str(raw)],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
