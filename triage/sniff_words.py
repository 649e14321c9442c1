"""The words of a text head that the text pass asks about, found in one pass over it.

The text pass (:mod:`triage.sniff_text`) decides which of libmagic's text tests to try by
their cues: whole words ("import", "class"), word starts ("func" in "function"), runs of
letters inside words, and literals anywhere ("<?php", a newline then "C"). Splitting a 4 KiB
head into the set of all its words costs ~90 us in Python (Python source has ~600 of them),
and each literal looked for ~3 us more; the pass only ever asks about ~200 registered ones.

With Hyperscan (Intel's multi-literal matcher, the one Suricata and Snort scan packets with)
the registered literals are found in two compiled passes: one over the head's letters, the
rest turned to blanks (a word is `` word ``, a word start `` start``, a run just its letters),
one over the head as it is; ~15 us on a Python head. Where Hyperscan is not installed (it
ships for x86-64 only), the set of all words and one ``in`` per literal answer the same
questions: :class:`SplitWords` (tests/test_sniff_words.py holds both to the same answers).
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
    words), word starts and runs, and its literals as (value, caseless) pairs."""

    __slots__ = ("every", "starts", "runs", "literals")

    def __init__(
        self,
        every: set[bytes],
        starts: set[bytes],
        runs: set[bytes],
        literals: set[tuple[bytes, bool]],
    ) -> None:
        self.every = every
        self.starts = starts
        self.runs = runs
        self.literals = literals


Literal = tuple[bytes, bool]  # a value looked for anywhere in the head, and whether in any case


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


def _database(literals: list[bytes], caseless: list[bool]):
    """A block-mode Hyperscan database of ``literals``, each reported once a scan, by its
    index."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=literals,
        ids=list(range(len(literals))),
        elements=len(literals),
        flags=[
            hyperscan.HS_FLAG_SINGLEMATCH | (hyperscan.HS_FLAG_CASELESS if anycase else 0)
            for anycase in caseless
        ],
        literal=True,
    )
    return database


class ScannedWords:
    """The Hyperscan finder: a block-mode scan of the head's letters for the words, starts
    and runs, and one of the head for the literals, each reported once
    (``HS_FLAG_SINGLEMATCH``; caseless, ``HS_FLAG_CASELESS``, folds ASCII as ``lower`` does)."""

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
        self._letters = _database([text for text, _, _ in spelt], [False] * len(spelt))
        # (the binding passes patterns as C strings: one with a NUL is looked for with ``in``)
        literals = sorted(set(literals))
        self._literals = [literal for literal in literals if b"\0" not in literal[0]]
        self._with_nul = [literal for literal in literals if b"\0" in literal[0]]
        self._anywhere = (
            _database(
                [value for value, _ in self._literals], [anycase for _, anycase in self._literals]
            )
            if self._literals
            else None
        )
        self._local = threading.local()  # scratch space is per thread (Hyperscan's rule)

    def _scratch(self) -> tuple:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = (
                hyperscan.Scratch(self._letters),
                self._anywhere and hyperscan.Scratch(self._anywhere),
            )
        return scratch

    def __call__(self, body: bytes, lowered: bytes) -> Found:
        letters, anywhere = self._scratch()
        hits: list[int] = []
        report = lambda number, start, end, flags, context: hits.append(number)  # noqa: E731
        self._letters.scan(
            b" " + lowered.translate(WORD_BYTES) + b" ", match_event_handler=report, scratch=letters
        )
        found: tuple[set[bytes], set[bytes], set[bytes]] = (set(), set(), set())
        meaning = self._meaning
        for number in hits:
            kind, value = meaning[number]
            found[kind].add(value)
        hits.clear()
        if self._anywhere is not None:
            self._anywhere.scan(body, match_event_handler=report, scratch=anywhere)
        literals = self._literals
        present = {literals[number] for number in hits}
        for value, caseless in self._with_nul:
            if value in (lowered if caseless else body):
                present.add((value, caseless))
        return Found(*found, present)


def word_finder(
    words: Iterable[bytes],
    starts: Iterable[bytes],
    runs: Iterable[bytes],
    literals: Iterable[Literal],
) -> Callable[[bytes, bytes], Found]:
    """The quickest finder this machine has for these: whole ``words``, word ``starts`` and
    ``runs`` anywhere in a word (of lower-case letters and ``_``), and ``literals``."""
    if hyperscan is not None:
        return ScannedWords(words, starts, runs, literals)
    return SplitWords(starts, runs, literals)
