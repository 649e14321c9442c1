"""libmagic's text pass, evaluated in Python where it can be: which text test a head matches.

After JSON and CSV, libmagic 5.44 types a text file by its text tests (``search``, ``regex``
and ``string/t`` rules, :data:`triage.sniff_cues.TEXT_TESTS`), tried in its own order (by
strength): the first test that matches and describes something decides, with the MIME type
of the first matching line that has one, else ``text/plain``; when none matches the file is
``text/plain`` too. :data:`text_pass` replays that: each test first gets a cheap cue (a word,
a start, or a literal the test cannot match without), and only a test whose cue is present is
evaluated, exactly as libmagic's ``match()`` does (its search ranges, regex line limits, flags
/c /C /w /W /f /s, relative offsets, the byte its regex copy drops at the end); a test that uses
anything else (numeric types, indirect offsets, ``use``) whose cue is present leaves the head
to libmagic (None).

libmagic's regexes are POSIX extended ones compiled with REG_NEWLINE in the C locale:
:mod:`triage.sniff_regex` spells them for Python's ``re`` (classes spelt out, a negated
bracket never matching a newline); leftmost-longest against leftmost-first only moves where a
match ends, which matters only to a continuation at ``&0`` after it: tests/test_sniff_text.py
checks the agreement on real text and on generated code-like text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from re import _parser as sre_parse  # type: ignore[attr-defined]  # (sre_parse warns)

from triage.sniff_cues import TEXT_TESTS
from triage.sniff_match import PLAIN, Dear, Line, Test
from triage.sniff_regex import (
    WORDY,
    half_bounded,
    line_starts,
    literal_runs,
    python_regex,
    search_words,
    words_of,
)
from triage.sniff_words import Found, word_finder

# -- cues: what a test cannot match without --------------------------------------------------------
_LETTERS = bytes(range(97, 123)) + b"_"


def _cue(line: Line) -> tuple:
    """The cheapest thing a top-level line cannot match without:
    ("start", at, bytes, any case) | ("range", lo, hi, lower bytes) | ("word", word) |
    ("scan", lower bytes) | ("always",)."""
    value = line.value
    if line.relation != "=" or line.kind not in ("string", "search", "regex"):
        return ("always",)
    if line.kind in ("string", "search"):
        anycase = bool(set(line.flags) & set("cC"))
        key = value.split()[0] if set(line.flags) & set("wW") and value.split() else value
        if not key:
            return ("always",)
        if line.kind == "string":
            return ("start", line.offset, key.lower() if anycase else key, anycase)
        if line.range and line.range <= 512:
            return ("range", line.offset, line.offset + line.range + len(value), key.lower())
        words = [
            word for word, before, after in search_words(key) if before and after and len(word) >= 2
        ]
        if words and len(max(words, key=len)) >= 3:
            return ("words", (max(words, key=len),))
        # a two-letter word ("is") is in most text: a longer word start or end is rarer
        return (
            half_bounded(search_words(key))
            or (words and ("words", (max(words, key=len),)))
            or ("scan", key.lower())
        )
    try:
        parsed = sre_parse.parse(python_regex(value).decode("latin-1"))
    except (re.error, ValueError, KeyError):
        return ("always",)
    words = words_of(parsed)
    if words:
        return ("words", tuple(words))
    half = half_bounded(
        [
            (match.group().lower(), match.start() > 0 or before, match.end() < len(run) or after)
            for run, before, after in literal_runs(parsed)
            for match in re.finditer(rb"[A-Za-z_]+", run)
        ]
    )
    if half:
        return half
    runs = [run.lower() for run, _, _ in literal_runs(parsed) if len(run) >= 2]
    if runs:
        return ("scan", max(runs, key=len))
    starts = line_starts(parsed)
    if starts:
        return ("line starts", starts, "c" in line.flags.lower())
    single = [run for run, _, _ in literal_runs(parsed) if len(run) == 1 and run not in WORDY]
    if single:
        return ("scan", single[0])
    return ("always",)


class TextPass:
    """The text tests, their cues indexed once (built at import: no state changes after).

    A head's cues are found for all tests at once: words, word starts, runs in words and
    literals anywhere (one pass for all, :mod:`triage.sniff_words`), starts (one
    ``startswith`` per offset) and literals near the start (one ``find`` per first byte). The
    tests whose cue is there are tried in libmagic's order and the first that decides ends the
    pass; a test whose top line has no cue is evaluated where it is reached.
    """

    def __init__(self, specs: tuple, finder: Callable = word_finder) -> None:
        self.tests = [Test(test) for test in specs]
        self.by_word: dict[bytes, list[int]] = defaultdict(list)
        starts: dict[tuple[int, bool], list[tuple[bytes, int]]] = defaultdict(list)
        ranges: dict[bytes, list[tuple[bytes, int, int, int]]] = defaultdict(list)
        near: dict[tuple[int, int], list[tuple[bytes, int]]] = defaultdict(list)
        # tests tried on every head: their top line evaluated when reached, or none to check
        always: dict[int, Callable[[bytes, bytes, Found], bool] | None] = {}
        by_prefix: dict[bytes, list[int]] = defaultdict(list)
        # cues found with the words: a run in a word, a literal anywhere, a line's first byte
        by_run: dict[bytes, list[int]] = defaultdict(list)
        by_literal: dict[tuple[bytes, bool], list[int]] = defaultdict(list)
        self.line_starts: list[tuple[tuple[bytes, ...], bool, int]] = []  # (the head's start)
        # each line's cue, worked out once (a test's cue and its deep cue both read them)
        cue_of = {line: _cue(line) for test in self.tests for line in test.lines}
        cues = [_test_cue(test, cue_of) for test in self.tests]
        for index, test in enumerate(self.tests):
            cue = cues[index]
            top = test.lines[0]
            if cue[0] == "words":
                for word in cue[1]:
                    self.by_word[word].append(index)
            elif cue[0] == "start":
                starts[cue[1], cue[3]].append((cue[2], index))
            elif cue[0] == "range" and cue[2] - cue[1] - len(cue[3]) <= 3:
                # a few places only (mostly search/1 at 0: libmagic's "#!" variants)
                near[cue[1], cue[2] - cue[1] - len(cue[3])].append((cue[3], index))
            elif cue[0] == "range":
                ranges[cue[3][:1]].append((cue[3], cue[1], cue[2], index))
            elif cue[0] == "prefix":
                by_prefix[cue[1]].append(index)
            elif _is_run(cue):
                by_run[cue[1]].append(index)
            elif cue[0] in ("scan", "suffix", "line starts"):
                for literal in _literals(cue):
                    by_literal[literal].append(index)
                if cue[0] == "line starts":
                    firsts = tuple(bytes([first]) for first in _firsts(cue[1], cue[2]))
                    self.line_starts.append((firsts, cue[2], index))
            elif cue[0] == "always" and top.supported:  # the top line itself, evaluated
                always[index] = lambda body, lowered, words, top=top: (
                    top.match(body, top.offset) >= 0
                )
            else:  # a test always tried
                always[index] = None
        self.by_prefix = dict(by_prefix)
        self.by_run = dict(by_run)
        self.by_literal = dict(by_literal)
        self.starts = [
            (at, anycase, tuple(value for value, _ in group), group)
            for (at, anycase), group in sorted(starts.items())
        ]
        # literals a few bytes from an offset: one startswith per place for the lot
        self.near = [
            (range(at, at + spread + 1), tuple(value for value, _ in group), group)
            for (at, spread), group in sorted(near.items())
        ]
        # literals near the start, by their first byte: one find for the lot, then each
        self.ranges = [
            (first, min(low for _, low, _, _ in group), max(high for _, _, high, _ in group), group)
            for first, group in sorted(ranges.items())
        ]
        deep = {index: _deep_cue(test, cue_of) for index, test in enumerate(self.tests)}
        # by test index (a list look-up per candidate, not a dict's): its late check, its
        # deep cue, its run
        self.checks = [always.get(index) for index in range(len(self.tests))]
        # a deep cue whose lines each need one word of a list: the union of those, one
        # isdisjoint (else each line's words, the list it needs one of per line it depends on)
        self.needs = [None] * len(self.tests)
        self.deeps = [None] * len(self.tests)
        for index, chains in deep.items():
            if chains and all(len(chain) == 1 for chain in chains):
                self.needs[index] = frozenset(word for chain in chains for word in chain[0])
            elif chains:
                self.deeps[index] = chains
        self.runs = [test.run for test in self.tests]
        self.words = frozenset(self.by_word)
        self.always = frozenset(always)
        # every literal of letters a cue asks about, found in one pass over a head
        vocabulary = set(self.words).union(*(need for need in self.needs if need))
        for chains in filter(None, self.deeps):
            vocabulary.update(word for chain in chains for options in chain for word in options)
        self.find_words = finder(vocabulary, self.by_prefix, self.by_run, self.by_literal)

    def candidates(self, body: bytes, lowered: bytes, words: Found) -> list[int]:
        """The tests whose cue may be in ``body`` (those with a dear cue still to check), in
        libmagic's order."""
        hit = set(self.always)
        by_word = self.by_word
        for word in self.words.intersection(words.every):
            hit.update(by_word[word])
        by_prefix = self.by_prefix
        for found in words.starts:
            hit.update(by_prefix[found])
        by_run = self.by_run
        for found in words.runs:
            hit.update(by_run[found])
        by_literal = self.by_literal
        for found in words.literals:
            hit.update(by_literal[found])
        for firsts, anycase, index in self.line_starts:
            if (lowered if anycase else body).startswith(firsts):
                hit.add(index)
        for at, anycase, values, group in self.starts:
            text = lowered if anycase else body
            if text.startswith(values, at):
                hit.update(index for value, index in group if text.startswith(value, at))
        for places, values, group in self.near:
            for at in places:
                if lowered.startswith(values, at):
                    hit.update(index for value, index in group if lowered.startswith(value, at))
        for first, low, high, group in self.ranges:
            if lowered.find(first, low, high) >= 0:
                hit.update(
                    index for value, at, end, index in group if lowered.find(value, at, end) >= 0
                )
        return sorted(hit)

    def __call__(self, body: bytes, evaluate: bool = True) -> str | None:
        """libmagic's text-pass answer for ``body`` (its MIME type, or ``text/plain``), or None
        when a test it cannot evaluate might match (or any might, and not ``evaluate``)."""
        lowered = body.lower()
        words = self.find_words(body, lowered)
        every = words.every
        checks, needs, deeps, runs = self.checks, self.needs, self.deeps, self.runs
        try:
            for index in self.candidates(body, lowered, words):
                check = checks[index]
                if check is not None and not check(body, lowered, words):
                    continue
                need = needs[index]
                if need is not None and every.isdisjoint(need):
                    continue  # no line that decides can match: each needs a word not there
                deep = deeps[index]
                if deep is not None and not any(
                    all(not every.isdisjoint(options) for options in chain) for chain in deep
                ):
                    continue  # no line that decides can match: each needs a word not there
                mime = runs[index](body) if evaluate else ""
                if mime is not None:
                    return mime or None
        except Dear:
            return None
        return PLAIN


def _test_cue(test: Test, cue_of: dict[Line, tuple]) -> tuple:
    """A test's cue: its top line's, or when that line describes nothing (the test then
    decides only where a continuation matches), the words of its first-level continuations
    if each has some."""
    top = test.lines[0]
    cue = cue_of[top]
    if cue[0] == "words" or top.described or top.mime:
        return cue
    children = [cue_of[line] for line in test.lines[1:] if line.level == 1]
    if children and all(child[0] == "words" for child in children):
        return ("words", tuple(word for child in children for word in child[1]))
    return cue


def _deep_cue(test: Test, cue_of: dict[Line, tuple]) -> list[list[tuple[bytes, ...]]]:
    """For each line that may decide (one with a description or MIME type, or one not
    evaluated here), the words its line and every line it depends on need (one of each
    tuple); [] when some such line needs none (nothing to prune by)."""
    chains, stack = [], []
    for line in test.lines:
        del stack[line.level :]
        cue = cue_of[line]
        stack.append(cue[1] if cue[0] == "words" else ())
        if line.described or line.mime or not line.supported:
            chain = [options for options in stack if options]
            if not chain:
                return []
            chains.append(chain)
    return chains


def _is_run(cue: tuple) -> bool:
    """Whether a cue is letters looked for anywhere (inside a word): found with the words."""
    return cue[0] in ("scan", "suffix") and not cue[1].translate(None, _LETTERS)


def _literals(cue: tuple) -> list[tuple[bytes, bool]]:
    """The literals (value, in any case) a cue checked when its test is reached looks for in
    the head: found for all tests at once with the words."""
    kind = cue[0]
    if kind in ("scan", "suffix") and not _is_run(cue):  # (a suffix of a word: anywhere)
        return [(cue[1], True)]
    if kind == "line starts":  # a newline, then one of the bytes (the head's start: apart)
        _, starts, anycase = cue
        return [(b"\n" + bytes([first]), anycase) for first in sorted(_firsts(starts, anycase))]
    return []


def _firsts(starts: bytes, anycase: bool) -> set[int]:
    return set(starts.lower() if anycase else starts)


text_pass = TextPass(TEXT_TESTS)
