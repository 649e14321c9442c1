"""Which typing tier types how many files of a tree, and what each costs here (issue 19).

    python bench/typing_tiers.py bench/work/small-tree-full ../shared/corpus

For every file (its first 8 KiB, as the hashing read gives it): the first tier
(:func:`triage.sniff.sniff`) or libmagic, the CPU of each per file, and where the first tier
names a type whether libmagic agrees; the first tier's share before its data check
(:mod:`triage.sniff_data`: binary heads no libmagic test can name; before it, random heads
were named by compressibility), and what that check names and costs on the binary heads
without a signature it runs on. Costs are per file on this machine now (noisy when it is
shared: compare the tiers within one run).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

import magic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import triage.sniff as first_tier  # noqa: E402
from triage.sniff import OCTET, SNIFF_BYTES, sniff  # noqa: E402
from triage.sniff_data import _may_be_text, data  # noqa: E402


def heads(root: Path, limit: int) -> list[bytes]:
    """The first bytes of up to ``limit`` files under ``root`` (all when 0)."""
    found = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            with open(path, "rb") as handle:
                head = handle.read(SNIFF_BYTES)
            if head:
                found.append(head)
            if limit and len(found) >= limit:
                return found
    return found


def _without_data(head: bytes) -> str | None:
    """The first tier as it was before the data check (random heads by compressibility)."""
    saved = first_tier.DATA_CHECKED
    first_tier.DATA_CHECKED = False
    try:
        return sniff(head)
    finally:
        first_tier.DATA_CHECKED = saved


def report(root: Path, limit: int) -> str:
    typer = magic.Magic(mime=True)
    sample = heads(root, limit)
    first_seconds = libmagic_seconds = data_seconds = old_seconds = text_seconds = 0.0
    named = agree = before = by_data = data_runs = texts = text_named = 0
    typing = {"before": 0.0, "after": 0.0}  # both tiers' CPU: first tier, libmagic for the rest
    kinds: collections.Counter[str] = collections.Counter()
    for head in sample:
        started = time.perf_counter()
        mime = sniff(head)
        spent = time.perf_counter() - started
        first_seconds += spent
        started = time.perf_counter()
        other = typer.from_buffer(head)
        asked = time.perf_counter() - started
        libmagic_seconds += asked
        started = time.perf_counter()
        old = _without_data(head)
        old_seconds += time.perf_counter() - started
        before += old is not None
        typing["after"] += asked if mime is None else 0.0
        typing["before"] += asked if old is None else 0.0
        if mime in (None, OCTET) and not _may_be_text(head):  # binary, no signature named
            data_runs += 1
            started = time.perf_counter()
            said = data(head)
            data_seconds += time.perf_counter() - started
            by_data += said is not None
        if other.startswith("text/"):  # text heads (libmagic's text/*): the tier's text path
            texts, text_named, text_seconds = (
                texts + 1,
                text_named + (mime is not None),
                text_seconds + spent,
            )
        if mime is not None:
            named += 1
            agree += mime == other
            kinds[mime] += 1
    count = max(1, len(sample))
    typing["after"] += first_seconds
    typing["before"] += old_seconds
    top = ", ".join(f"{mime} {n}" for mime, n in kinds.most_common(6))
    return (
        f"{root}: {len(sample)} files; first tier {named} ({named / count:.0%}, agrees with "
        f"libmagic on {agree}), libmagic {len(sample) - named} ({1 - named / count:.0%}); "
        f"before the data check: first tier {before} ({before / count:.0%})\n"
        f"  data check: ran on {data_runs} binary heads (no signature, or one with no MIME "
        f"type), named {by_data} ({by_data / count:.0%} of all files)\n"
        f"  cost: first tier {first_seconds / count * 1e6:.0f} us/file, data check "
        f"{data_seconds / max(1, data_runs) * 1e6:.0f} us/head it ran on, libmagic "
        f"{libmagic_seconds / count * 1e6:.0f} us/file\n"
        f"  typing CPU (first tier, then libmagic for what it leaves): before the data check "
        f"{typing['before'] / count * 1e6:.0f} us/file, after {typing['after'] / count * 1e6:.0f}"
        f" us/file ({typing['before'] / max(typing['after'], 1e-9):.1f}x less)\n"
        f"  first tier named: {top}\n"
        f"  text heads (libmagic text/*): {texts}, first tier named {text_named}, "
        f"{text_seconds / max(1, texts) * 1e6:.0f} us/text head"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--limit", type=int, default=5000, help="files per tree (0: all)")
    options = parser.parse_args()
    for tree in options.trees:
        print(report(tree, options.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
