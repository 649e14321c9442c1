"""The words of a text head that the text pass asks about, found in one pass over it.

The text pass (:mod:`triage.sniff_text`) decides which of libmagic's text tests to try by
their cues: whole words ("import", "class"), word starts ("func" in "function"), runs of
letters inside words, and literals anywhere ("<?php", a newline then "C"). Splitting an 8 KiB
head into the set of all its words costs ~90 us in Python (Python source has ~600 of them),
and each literal looked for ~3 us more; the pass only ever asks about ~160 registered ones.

With Hyperscan (:mod:`triage.literal_scan`) the registered literals are found in two passes:
one over the head's letters, the rest turned to blanks (a word is `` word ``, a word start
`` start``, a run just its letters), one over the head as it is; ~15 us on a Python head.
Where Hyperscan is not installed, the set of all words and one ``in`` per literal answer the
same questions: :class:`SplitWords` (tests/test_sniff_words.py holds both to the same
answers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from triage.literal_scan import ACCELERATED, LiteralScan
from triage.sniff_regex import trie

# letters and "_" are kept (the head is lower-cased first), every other byte is a blank
WORD_BYTES = bytes(c if (97 <= c <= 122 or c == 95) else 32 for c in range(256))


Literal = tuple[bytes, bool]  # a value looked for anywhere in the head, and whether in any case


class Found:
    """What a head holds of the registered literals: its registered whole words (or all its
    words), word starts and runs, and its literals as (value, caseless) pairs."""

    __slots__ = ("every", "starts", "runs", "literals")

    def __init__(
        self,
        every: set[bytes],
        starts: set[bytes],
        runs: set[bytes],
        literals: set[Literal],
    ) -> None:
        self.every = every
        self.starts = starts
        self.runs = runs
        self.literals = literals


class SplitWords:
    """The plain-Python finder: the set of all words of the head, one ``findall`` for the
    longest registered start at each word, the runs looked for among the words (each word
    once, between blanks: an eighth of the text, typically) and one ``in`` per literal."""

    def __init__(self, starts: Iterable[bytes], runs: Iterable[bytes], literals: Iterable[Literal]):
        starts = sorted(set(starts))
        self._starts = re.compile(b" (" + trie(starts) + b")")
        # the longest start found at a word stands for each registered one it starts with
        self._shorter = {
            found: frozenset(start for start in starts if found.startswith(start))
            for found in starts
        }
        self._runs = tuple(sorted(set(runs)))
        self._literals = tuple(sorted(set(literals)))

    def __call__(self, body: bytes, lowered: bytes) -> Found:
        every = set(lowered.translate(WORD_BYTES).split())
        joined = b" " + b" ".join(every) + b" "
        starts: set[bytes] = set()
        for found in set(self._starts.findall(joined)):
            starts |= self._shorter[found]
        return Found(
            every,
            starts,
            {run for run in self._runs if run in joined},
            {
                (value, caseless)
                for value, caseless in self._literals
                if value in (lowered if caseless else body)
            },
        )


class ScannedWords:
    """The Hyperscan finder: a scan of the head's letters for the words, starts and runs,
    and one of the head for the literals."""

    def __init__(
        self,
        words: Iterable[bytes],
        starts: Iterable[bytes],
        runs: Iterable[bytes],
        literals: Iterable[Literal],
    ) -> None:
        spelt = (
            [(b" " + word + b" ", 0, word) for word in sorted(set(words))]
            + [(b" " + start, 1, start) for start in sorted(set(starts))]
            + [(run, 2, run) for run in sorted(set(runs))]
        )
        self._meaning = [(kind, value) for _, kind, value in spelt]
        self._letters = LiteralScan([(text, False) for text, _, _ in spelt])
        self._anywhere = LiteralScan(sorted(set(literals)))

    def __call__(self, body: bytes, lowered: bytes) -> Found:
        found: tuple[set[bytes], set[bytes], set[bytes]] = (set(), set(), set())
        meaning = self._meaning
        for number in self._letters(b" " + lowered.translate(WORD_BYTES) + b" "):
            kind, value = meaning[number]
            found[kind].add(value)
        literals = self._anywhere.literals
        return Found(*found, {literals[number] for number in self._anywhere(body, lowered)})


def word_finder(
    words: Iterable[bytes],
    starts: Iterable[bytes],
    runs: Iterable[bytes],
    literals: Iterable[Literal],
) -> Callable[[bytes, bytes], Found]:
    """The quickest finder this machine has for these: whole ``words``, word ``starts`` and
    ``runs`` anywhere in a word (of lower-case letters and ``_``), and ``literals``."""
    if ACCELERATED:
        return ScannedWords(words, starts, runs, literals)
    return SplitWords(starts, runs, literals)
