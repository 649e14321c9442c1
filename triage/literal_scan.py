"""Which of a fixed list of literals occur in a text: one compiled pass with Hyperscan.

The first typing tier asks, of every file's head, whether any of a few hundred literals is in
it (the text pass's words and cues, the data check's searches). Python answers each with its
own ``find``: ~0.5 us a literal on 8 KiB, and each one a Python step. Hyperscan (Intel's
multi-literal matcher, the one Suricata and Snort scan packets with) finds them all in one
pass over the text, each reported once (``HS_FLAG_SINGLEMATCH``); it ships as a wheel for
x86-64 only, and where it is missing each literal is looked for with ``in``: the same
answers (tests/test_sniff_words.py), slower.

Only Hyperscan's literal mode is used. Its regex mode, tried as a filter before ``re`` for the
text tests' regexes, misses matches on this project's machines (the wheel's Hyperscan 5.4.12,
an AVX-512 CPU): ``\\) *\\{`` finds nothing in ``b"x" * 15 + b"){"``, ``\\n[ \\t]{0,100}BEGIN``
nothing after 40 bytes of other text (bench/README, fifth round). Literal mode is checked
against ``in`` on heads of every length with the literals planted anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

try:  # an optional accelerator: x86-64 wheels only
    import hyperscan
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    hyperscan = None


def _hyperscan_works() -> bool:
    """Whether Hyperscan is installed and runs on this CPU (it needs SSSE3: a CPU without it
    refuses to compile or scan, and every literal is then looked for by hand)."""
    if hyperscan is None:
        return False
    try:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=[b"ab"], ids=[0], elements=1, flags=0, literal=True)
        found: list[int] = []
        database.scan(b"xab", match_event_handler=lambda index, *rest: found.append(index))
    except hyperscan.error:
        return False
    return found == [0]


ACCELERATED = _hyperscan_works()


class LiteralScan:
    """The indices of ``literals`` — (value, in any ASCII case) — that occur in a text."""

    def __init__(
        self, literals: Sequence[tuple[bytes, bool]], accelerated: bool = ACCELERATED
    ) -> None:
        self.literals = tuple(literals)
        # (the binding passes patterns as C strings: one with a NUL is looked for with ``in``)
        compiled: list[tuple[int, bytes, bool]] = []
        self._by_hand: list[tuple[int, bytes, bool]] = []
        for index, (value, caseless) in enumerate(self.literals):
            if accelerated and b"\0" not in value:
                compiled.append((index, value, caseless))
            else:
                self._by_hand.append((index, value.lower() if caseless else value, caseless))
        self._database = None
        if compiled:
            self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._database.compile(
                expressions=[value for _, value, _ in compiled],
                ids=[index for index, _, _ in compiled],
                elements=len(compiled),
                flags=[
                    hyperscan.HS_FLAG_SINGLEMATCH | (hyperscan.HS_FLAG_CASELESS if caseless else 0)
                    for _, _, caseless in compiled
                ],
                literal=True,
            )
        self._local = threading.local()  # scratch space is per thread (Hyperscan's rule)

    def __call__(self, text: bytes, lowered: bytes | None = None) -> list[int]:
        """The indices found in ``text`` (``lowered``: its lower case, if already made), each
        once, in no particular order."""
        found: list[int] = []
        if self._database is not None:
            scratch = getattr(self._local, "scratch", None)
            if scratch is None:
                scratch = self._local.scratch = hyperscan.Scratch(self._database)
            self._database.scan(
                text,
                match_event_handler=lambda index, start, end, flags, context: found.append(index),
                scratch=scratch,
            )
        if self._by_hand:
            if lowered is None:
                lowered = text.lower()
            found += [
                index
                for index, value, caseless in self._by_hand
                if value in (lowered if caseless else text)
            ]
        return found
