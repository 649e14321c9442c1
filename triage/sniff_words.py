"""The words of a text head that the text pass asks about, found in one pass over it.

The text pass (:mod:`triage.sniff_text`) decides which of libmagic's text tests to try by
their cues: whole words ("import", "class"), word starts ("func" in "function") and runs of
letters inside words. Splitting a 4 KiB head into the set of all its words costs ~90 us in
Python (Python source has ~600 of them); the pass only ever asks about ~140 registered ones.

With Hyperscan (Intel's multi-literal matcher, the one Suricata and Snort scan packets with)
the registered literals are found in one compiled pass over the head's letters, the rest
turned to blanks: a word is `` word ``, a word start `` start``, a run just its letters;
~15 us on a Python head. Where Hyperscan is not installed (it ships for x86-64 only), the
set of all words answers the same questions: :class:`SplitWords`. Both give the same answers
(tests/test_sniff_words.py holds them to it on generated text).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable

from triage.sniff_regex import trie

try:  # an optional accelerator: x86-64 wheels only
    import hyperscan
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    hyperscan = None

# letters and "_" are kept (the head is lower-cased first), every other byte is a blank
WORD_BYTES = bytes(c if (97 <= c <= 122 or c == 95) else 32 for c in range(256))


class Found:
    """What a head holds of the registered literals: its registered whole words (or all its
    words), the registered word starts it has, and the registered runs it has."""

    __slots__ = ("every", "starts", "runs")

    def __init__(self, every: set[bytes], starts: set[bytes], runs: set[bytes]) -> None:
        self.every = every
        self.starts = starts
        self.runs = runs


class SplitWords:
    """The plain-Python finder: the set of all words of the head, one ``findall`` for the
    longest registered start at each word, and the runs looked for among the words (each word
    once, between blanks: an eighth of the text, typically)."""

    def __init__(self, starts: Iterable[bytes], runs: Iterable[bytes]) -> None:
        starts = sorted(set(starts))
        self._starts = re.compile(b" (" + trie(starts) + b")")
        # the longest start found at a word stands for each registered one it starts with
        self._shorter = {
            found: frozenset(start for start in starts if found.startswith(start))
            for found in starts
        }
        self._runs = tuple(sorted(set(runs)))

    def __call__(self, lowered: bytes) -> Found:
        every = set(lowered.translate(WORD_BYTES).split())
        joined = b" " + b" ".join(every) + b" "
        starts: set[bytes] = set()
        for found in set(self._starts.findall(joined)):
            starts |= self._shorter[found]
        return Found(every, starts, {run for run in self._runs if run in joined})


class ScannedWords:
    """The Hyperscan finder: one block-mode scan of the head's letters for every registered
    literal, each reported once (``HS_FLAG_SINGLEMATCH``)."""

    def __init__(self, words: Iterable[bytes], starts: Iterable[bytes], runs: Iterable[bytes]):
        literals = (
            [(b" " + word + b" ", 0, word) for word in sorted(set(words))]
            + [(b" " + start, 1, start) for start in sorted(set(starts))]
            + [(run, 2, run) for run in sorted(set(runs))]
        )
        self._meaning = [(kind, value) for _, kind, value in literals]
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._database.compile(
            expressions=[literal for literal, _, _ in literals],
            ids=list(range(len(literals))),
            elements=len(literals),
            flags=hyperscan.HS_FLAG_SINGLEMATCH,
            literal=True,
        )
        self._local = threading.local()  # scratch space is per thread (Hyperscan's rule)

    def __call__(self, lowered: bytes) -> Found:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        hits: list[int] = []
        self._database.scan(
            b" " + lowered.translate(WORD_BYTES) + b" ",
            match_event_handler=lambda number, start, end, flags, context: hits.append(number),
            scratch=scratch,
        )
        found: tuple[set[bytes], set[bytes], set[bytes]] = (set(), set(), set())
        meaning = self._meaning
        for number in hits:
            kind, value = meaning[number]
            found[kind].add(value)
        return Found(*found)


def word_finder(
    words: Iterable[bytes], starts: Iterable[bytes], runs: Iterable[bytes]
) -> Callable[[bytes], Found]:
    """The quickest finder this machine has for these literals (of lower-case letters and
    ``_``): whole ``words``, word ``starts`` and ``runs`` anywhere in a word."""
    if hyperscan is not None:
        return ScannedWords(words, starts, runs)
    return SplitWords(starts, runs)
