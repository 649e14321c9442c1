"""The text pass on a tree's heads: exactness head by head, and CPU per head, old and new.

    python bench/text_pass.py HEADS.pkl LIBMAGIC.pkl [--old GIT-REF] [--rounds 5]

``HEADS.pkl`` is a pickled list of heads (each file's first 8 KiB, as the hashing read gives
it), ``LIBMAGIC.pkl`` libmagic's MIME type for each (same order). Checks that
:func:`triage.sniff.sniff` equals libmagic wherever it answers (every head: each disagreement
is printed), counts the text heads it leaves to libmagic (and why: what libmagic calls them),
and times it (``time.process_time``) on the heads libmagic calls Python, plain text and HTML.
With ``--old`` the same is done for the code at that git ref (its ``triage`` package, loaded
beside this one), the two timed in alternating rounds within one run (per head the median
and the least: the least is the steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("text/x-script.python", "text/plain", "text/html")


def load_sniff(root: Path) -> Callable[[bytes], str | None]:
    """``triage.sniff.sniff`` from the package under ``root`` (a fresh import)."""
    for name in [name for name in sys.modules if name == "triage" or name.startswith("triage.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("triage.sniff").sniff
    finally:
        sys.path.remove(str(root))


def check(sniff: Callable, heads: list[bytes], libmagic: list[str]) -> tuple[int, list, dict]:
    """(heads named, disagreements (index, sniff, libmagic), text heads left by libmagic's
    answer)."""
    named, differ, left = 0, [], collections.Counter()
    for index, (head, want) in enumerate(zip(heads, libmagic, strict=True)):
        got = sniff(head)
        if got is None:
            if want.startswith("text/"):
                left[want] += 1
            continue
        named += 1
        if got != want:
            differ.append((index, got, want))
    return named, differ, dict(left)


def per_head(sniff: Callable, heads: list[bytes]) -> float:
    start = time.process_time()
    for head in heads:
        sniff(head)
    return (time.process_time() - start) / max(1, len(heads)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("heads", type=Path)
    parser.add_argument("libmagic", type=Path)
    parser.add_argument("--old", help="a git ref whose triage package to time beside this one")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    heads = pickle.loads(args.heads.read_bytes())
    libmagic = pickle.loads(args.libmagic.read_bytes())
    versions = {"new": load_sniff(ROOT)}
    if args.old:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.old, "triage"], capture_output=True, check=True
        ).stdout
        with tempfile.TemporaryDirectory(prefix="text_pass_old_") as folder:
            subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
            versions = {"old": load_sniff(Path(folder)), **versions}  # (all imported here)
    text = [index for index, want in enumerate(libmagic) if want.startswith("text/")]
    print(f"{len(heads)} heads, {len(text)} text to libmagic")
    for name, sniff in versions.items():
        named, differ, left = check(sniff, heads, libmagic)
        print(f"{name}: named {named}, disagree {len(differ)}, text heads left to libmagic "
              f"{sum(left.values())} {left}")  # fmt: skip
        for index, got, want in differ[:20]:
            print(f"  head {index}: first tier {got}, libmagic {want}")
    groups = {kind: [heads[i] for i in text if libmagic[i] == kind] for kind in KINDS}
    times: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    for _ in range(args.rounds):
        for kind, group in groups.items():
            for name, sniff in versions.items():
                times[name, kind].append(per_head(sniff, group))
    print(f"us per head (process_time; median, min of {args.rounds} alternating rounds):")
    for kind, group in groups.items():
        cells = "  ".join(
            f"{name} {statistics.median(times[name, kind]):6.1f}, {min(times[name, kind]):6.1f}"
            for name in versions
        )
        print(f"  {kind:22} {len(group):5} heads  {cells}")


if __name__ == "__main__":
    main()
