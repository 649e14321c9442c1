"""The data check (:mod:`triage.sniff_data`) head by head against libmagic, and what it costs.

    python bench/data_check.py HEADS.pkl LIBMAGIC.pkl [OLD_SRC]

``HEADS.pkl``: a pickled list of heads (bytes, the first 8 KiB of each file of a tree, e.g.
the bench's small-file tree); ``LIBMAGIC.pkl``: libmagic's MIME answer for each, same order
(``magic.Magic(mime=True).from_buffer``). Prints, over every head:

- where the first tier (:func:`triage.sniff.sniff`) answers and libmagic says otherwise (must
  be none), and where the data check names a head libmagic names otherwise (must be none);
- how many heads the first tier leaves to libmagic, and how many of them are binary heads the
  data check looked at (left because a clause may match), by libmagic's answer;
- the CPU (``time.process_time``) of ``may_match`` per head over the heads the data check
  names, the least of 15 rounds taken in turns; with ``OLD_SRC`` (a copy of the tree before
  a change, e.g.
  ``git archive main triage | tar -x -C /tmp/old``) the same for its ``may_match``, side by
  side in this one run, on the heads the old check names.
"""

from __future__ import annotations

import collections
import importlib
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def _load(src: Path):
    """triage.sniff_data and triage.sniff as found under ``src``, fresh."""
    for name in [n for n in sys.modules if n == "triage" or n.startswith("triage.")]:
        del sys.modules[name]
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module("triage.sniff_data"), importlib.import_module("triage.sniff")
    finally:
        sys.path.remove(str(src))


def _costs(functions: dict, heads: list[bytes], rounds: int = 15) -> dict[str, float]:
    """CPU a head of each function, the least of ``rounds`` passes over ``heads``, the
    functions taking turns within each round (so a busy spell of a shared machine hits all)."""
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for label, function in functions.items():
            start = time.process_time()
            for head in heads:
                function(head)
            best[label] = min(best[label], time.process_time() - start)
    return {label: spent / len(heads) * 1e6 for label, spent in best.items()}


def main(heads_path: str, answers_path: str, old: str | None = None) -> int:
    with open(heads_path, "rb") as handle:
        heads: list[bytes] = pickle.load(handle)
    with open(answers_path, "rb") as handle:
        answers: list[str] = pickle.load(handle)
    data_module, sniff_module = _load(HERE)
    OCTET = data_module.OCTET
    wrong_tier, wrong_data, named = [], [], []
    left: collections.Counter = collections.Counter()
    looked: collections.Counter = collections.Counter()
    for number, (head, answer) in enumerate(zip(heads, answers, strict=True)):
        first = sniff_module.sniff(head)
        if first is not None and first != answer:
            wrong_tier.append((number, first, answer))
        if first is None:
            left[answer] += 1
        if data_module.data(head) is not None:
            named.append(head)
            if answer != OCTET:
                wrong_data.append((number, answer))
        elif (
            len(head) >= 2
            and not data_module._may_be_text(head)
            and not data_module.built_in_may_claim(head)
        ):
            looked[answer] += 1
    print(f"heads {len(heads)}; first tier answers {len(heads) - sum(left.values())}")
    print(f"first tier differs from libmagic: {len(wrong_tier)} {wrong_tier[:10]}")
    print(f"data check names what libmagic names otherwise: {len(wrong_data)} {wrong_data[:10]}")
    print(f"left to libmagic: {sum(left.values())} ({left[OCTET]} of them octet-stream to it)")
    print(f"binary heads the data check leaves (a clause may match): {sum(looked.values())}")
    print(f"  by libmagic's answer: {looked.most_common(12)}")
    print(f"data check names {len(named)} heads")
    timings = {"new": data_module.may_match}
    if old:
        old_data, _ = _load(Path(old))
        timings["old"] = old_data.may_match
        named = [head for head in heads if old_data.data(head) is not None]
        print(f"old data check names {len(named)} heads (timed on those)")
    for label, cost in _costs(timings, named).items():
        print(f"may_match {label}: {cost:.1f} us a head (least of 15 rounds, CPU)")
    return 1 if wrong_tier or wrong_data else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
