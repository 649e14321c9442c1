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
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from re import _parser as sre_parse  # type: ignore[attr-defined]  # (sre_parse warns)

from triage.sniff_cues import TEXT_TESTS
from triage.sniff_regex import (
    WORDY,
    half_bounded,
    line_starts,
    literal_runs,
    python_regex,
    search_words,
    strncmp_regex,
    words_of,
)

PLAIN = "text/plain"
REGEX_MAX = 8192  # libmagic's regex_max: a regex never looks further


# "(.*[\n]*)*" (C++'s class test): any bytes, which re would try in exponentially many ways
_ANY_LINES = b"(.*[\n]*)*"


def _nested_repeat(items: list, inside: bool = False) -> bool:
    """Whether an unbounded repeat holds another (a regex re may take exponential time on)."""
    for op, arg in items:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            unbounded = arg[1] is sre_parse.MAXREPEAT
            parts = [list(arg[2])]
            if unbounded and inside:
                return True
            inner = inside or unbounded
        else:
            inner = inside
            parts = []
            if op is sre_parse.SUBPATTERN and arg[-1] is not None:
                parts = [list(arg[-1])]
            elif op is sre_parse.BRANCH:
                parts = [list(branch) for branch in arg[1]]
        if any(_nested_repeat(part, inner) for part in parts):
            return True
    return False


LONG_LINE = 1024  # a line longer than this is left to libmagic by a quadratic regex


class Dear(Exception):
    """A regex would cost too much on this text in ``re``: the head is libmagic's."""


def _unbounded_repeats(items: list) -> int:
    count = 0
    for op, arg in items:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            count += (arg[1] is sre_parse.MAXREPEAT) + _unbounded_repeats(list(arg[2]))
        elif op is sre_parse.SUBPATTERN and arg[-1] is not None:
            count += _unbounded_repeats(list(arg[-1]))
        elif op is sre_parse.BRANCH:
            count += max(_unbounded_repeats(list(branch)) for branch in arg[1])
    return count


class _Line:
    """One line of a test, ready to evaluate: ``match(buf, at) -> end or -1``."""

    def __init__(self, spec: tuple) -> None:
        (self.level, self.relative, self.offset, self.kind, flags, self.range, self.relation,
         self.value, self.described, self.mime) = spec  # fmt: skip
        self.flags = flags
        self.start_only = "s" in flags
        self.supported = self.kind in ("string", "search", "regex") and self.relation in "=!"
        self.pattern: re.Pattern[bytes] | None = None
        self.newline_first = False
        self.dear = False  # two unbounded repeats: quadratic in a line's length in re
        if not self.supported:
            return
        if self.kind == "regex":
            try:
                spelt = python_regex(self.value).replace(_ANY_LINES, rb"[\s\S]*")
                icase = re.I if "c" in flags.lower() else 0
                self.pattern = re.compile(spelt, re.M | icase)
                items = list(sre_parse.parse(spelt.decode("latin-1")))
            except (re.error, ValueError, KeyError):
                self.supported = False
                return
            if _nested_repeat(items):  # exponential in re's backtracking: libmagic's to run
                self.supported = False
                return
            self.dear = _unbounded_repeats(items) >= 2
            if items[:1] == [(sre_parse.AT, sre_parse.AT_BEGINNING)] and all(
                op is not sre_parse.BRANCH for op, _ in items
            ):
                # "^x": found as "\nx" in "\n" + the region, where re looks for its literal
                # first byte quickly (a line start anywhere else costs a try at every byte)
                self.pattern = re.compile(b"\n" + spelt[1:], re.M | icase)
                self.newline_first = True
        elif set(flags) & set("cCwWf"):
            self.pattern = re.compile(strncmp_regex(self.value, flags))

    def match(self, buf: bytes, at: int) -> int:
        """Where the match ends (libmagic's offset for ``&`` continuations), or -1."""
        found = self._find(buf, at)
        if self.relation == "!":
            return -1 if found >= 0 else at + (len(self.value) if self.kind != "regex" else 0)
        return found

    def _find(self, buf: bytes, at: int) -> int:
        if self.kind == "regex":
            if at > len(buf):
                return -1
            if "l" in self.flags and self.range:
                # a match in the first line is in the region whatever its end (it holds a line)
                first = buf.find(b"\n", at, at + min(self.range * 80, REGEX_MAX) - 1)
                found = self._regex_in(buf, at, first) if first > at else -1
                if found >= 0:
                    return found
            return self._regex_in(buf, at, max(at, self._regex_end(buf, at) - 1))
        return self._string_or_search(buf, at)

    def _regex_in(self, buf: bytes, at: int, end: int) -> int:
        """Where a match of the regex in ``buf[at:end]`` ends (starts, with flag s), or -1."""
        if (
            self.dear
            and end - at > LONG_LINE
            and max(map(len, buf[at:end].split(b"\n"))) > LONG_LINE
        ):
            raise Dear  # (hostile text could make this take seconds: libmagic's DFA does not)
        if self.newline_first:
            found = self.pattern.search(b"\n" + buf[at:end])
            if found is None:
                return -1
            return at + (found.start() if self.start_only else found.end() - 1)
        found = self.pattern.search(buf, at, end)
        if found is None:
            return -1
        return found.start() if self.start_only else found.end()

    def _string_or_search(self, buf: bytes, at: int) -> int:
        size, value = len(buf), self.value
        if at + len(value) > size:
            return -1
        if self.kind == "string":
            if self.pattern is None:
                hit = buf.startswith(value, at)
            else:
                hit = self.pattern.match(buf, at, min(size, at + 128)) is not None
            return at + len(value) if hit else -1
        # search
        if self.pattern is None and not self.flags:
            stop = size if not self.range else min(size, at + self.range + len(value))
            index = buf.find(value, at, stop)
        else:
            index = self._flagged_search(buf, at)
        if index < 0:
            return -1
        return index if self.start_only else index + len(value)

    def _flagged_search(self, buf: bytes, at: int) -> int:
        if self.pattern is None:
            index = buf.find(self.value, at)
        else:
            found = self.pattern.search(buf, at)
            index = -1 if found is None else found.start()
        if index < 0 or (self.range and index - at >= self.range):
            return -1
        return index if index + len(self.value) <= len(buf) else -1

    def _regex_end(self, buf: bytes, at: int) -> int:
        """The end of the region libmagic's regex sees (bytes, or lines with flag l)."""
        lines = self.range if "l" in self.flags else 0
        count = lines * 80 if lines else self.range
        if count == 0 or count > len(buf) - at:
            count = len(buf) - at
        end = at + min(count, REGEX_MAX)
        if not lines or (buf.count(b"\n", at, end) < lines and b"\r" not in buf[at:end]):
            return end  # (each line counted takes a newline: too few, the whole region)
        last, index = end, at
        while lines and index < end:
            newline = buf.find(b"\n", index, end)
            if newline < 0:
                newline = buf.find(b"\r", index, end)
                if newline < 0:
                    break
            index = newline
            if index < end - 1 and buf[index] == 13 and buf[index + 1] == 10:
                index += 1
            if index < end - 1 and buf[index] == 10:
                index += 1
            last = index
            lines -= 1
            index += 1
        return end if lines else last


class _Test:
    """A top-level test and its continuations, run as libmagic's ``match()`` runs one."""

    def __init__(self, specs: tuple) -> None:
        self.lines = [_Line(spec) for spec in specs]
        self.supported = all(line.supported for line in self.lines)

    def run(self, buf: bytes) -> str | None:
        """The MIME type this test gives ``buf``, ``text/plain`` if it matches with a
        description only, None if it does not decide, "" if that depends on a line of a kind
        this module does not evaluate."""
        top = self.lines[0]
        if not top.supported:
            return ""
        end = top.match(buf, top.offset)
        if end < 0:
            return None
        if top.mime:
            return top.mime
        described = top.described
        ends = {0: end}
        level = 1
        for line in self.lines[1:]:
            if level < line.level:
                continue
            level = min(level, line.level)
            if not line.supported:
                return ""  # a line this module does not evaluate: libmagic's to say
            at = line.offset + (ends[level - 1] if line.relative else 0)
            end = line.match(buf, at)
            if end < 0:
                continue
            if line.mime:
                return line.mime
            described = described or line.described
            ends[level] = end
            level += 1
        return PLAIN if described else None


# -- cues: what a test cannot match without --------------------------------------------------------
_WORD_BYTES = bytes(c if (97 <= c <= 122 or c == 95) else 32 for c in range(256))


def _cue(line: _Line) -> tuple:
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
        if words:
            return ("words", (max(words, key=len),))
        return half_bounded(search_words(key)) or ("scan", key.lower())
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

    Tests are tried in libmagic's order and the first that decides ends the pass, so a cue is
    looked for only when its test is reached, except the cheapest, found for all tests at once:
    words (a set intersection), starts (one ``startswith`` per offset) and literals near the
    start (one ``find`` per first byte).
    """

    def __init__(self, specs: tuple) -> None:
        self.tests = [_Test(test) for test in specs]
        self.by_word: dict[bytes, list[int]] = defaultdict(list)
        starts: dict[tuple[int, bool], list[tuple[bytes, int]]] = defaultdict(list)
        ranges: dict[bytes, list[tuple[bytes, int, int, int]]] = defaultdict(list)
        self.lazy: dict[int, Callable[[bytes, bytes, _Words], bool]] = {}
        for index, test in enumerate(self.tests):
            cue = _test_cue(test)
            top = test.lines[0]
            if cue[0] == "words":
                for word in cue[1]:
                    self.by_word[word].append(index)
            elif cue[0] == "start":
                starts[cue[1], cue[3]].append((cue[2], index))
            elif cue[0] == "range":
                ranges[cue[3][:1]].append((cue[3], cue[1], cue[2], index))
            elif cue[0] == "always" and top.supported:  # the top line itself, evaluated
                self.lazy[index] = lambda body, lowered, words, top=top: (
                    top.match(body, top.offset) >= 0
                )
            else:
                self.lazy[index] = _check(cue)
        self.starts = [
            (at, anycase, tuple(value for value, _ in group), group)
            for (at, anycase), group in sorted(starts.items())
        ]
        # literals near the start, by their first byte: one find for the lot, then each
        self.ranges = [
            (first, min(low for _, low, _, _ in group), max(high for _, _, high, _ in group), group)
            for first, group in sorted(ranges.items())
        ]
        self.deep = {index: _deep_cue(test) for index, test in enumerate(self.tests)}
        self.deep = {index: deep for index, deep in self.deep.items() if deep}

    def candidates(self, body: bytes, lowered: bytes, words: _Words) -> list[int]:
        """The tests whose cue may be in ``body`` (those with a dear cue still to check), in
        libmagic's order."""
        hit = {index for word in self.by_word.keys() & words.every for index in self.by_word[word]}
        for at, anycase, values, group in self.starts:
            text = lowered if anycase else body
            if text.startswith(values, at):
                hit.update(index for value, index in group if text.startswith(value, at))
        for first, low, high, group in self.ranges:
            if lowered.find(first, low, high) >= 0:
                hit.update(
                    index for value, at, end, index in group if lowered.find(value, at, end) >= 0
                )
        return sorted(hit.union(self.lazy))

    def __call__(self, body: bytes, evaluate: bool = True) -> str | None:
        """libmagic's text-pass answer for ``body`` (its MIME type, or ``text/plain``), or None
        when a test it cannot evaluate might match (or any might, and not ``evaluate``)."""
        lowered = body.lower()
        words = _Words(lowered)
        try:
            for index in self.candidates(body, lowered, words):
                check = self.lazy.get(index)
                if check is not None and not check(body, lowered, words):
                    continue
                deep = self.deep.get(index)
                if deep and not any(
                    all(not words.every.isdisjoint(options) for options in chain) for chain in deep
                ):
                    continue  # no line that decides can match: each needs a word not there
                mime = self.tests[index].run(body) if evaluate else ""
                if mime is not None:
                    return mime or None
        except Dear:
            return None
        return PLAIN


class _Words:
    """The words of a text (runs of letters and ``_``, lower case), sorted only if asked."""

    def __init__(self, lowered: bytes) -> None:
        self.every = set(lowered.translate(_WORD_BYTES).split())
        self._sorted: list[bytes] | None = None

    def has_prefix(self, prefix: bytes) -> bool:
        """Whether a word starts with ``prefix``."""
        if self._sorted is None:
            self._sorted = sorted(self.every)
        at = bisect_left(self._sorted, prefix)
        return at < len(self._sorted) and self._sorted[at].startswith(prefix)


def _test_cue(test: _Test) -> tuple:
    """A test's cue: its top line's, or when that line describes nothing (the test then
    decides only where a continuation matches), the words of its first-level continuations
    if each has some."""
    top = test.lines[0]
    cue = _cue(top)
    if cue[0] == "words" or top.described or top.mime:
        return cue
    children = [_cue(line) for line in test.lines[1:] if line.level == 1]
    if children and all(child[0] == "words" for child in children):
        return ("words", tuple(word for child in children for word in child[1]))
    return cue


def _deep_cue(test: _Test) -> list[list[tuple[bytes, ...]]]:
    """For each line that may decide (one with a description or MIME type, or one not
    evaluated here), the words its line and every line it depends on need (one of each
    tuple); [] when some such line needs none (nothing to prune by)."""
    chains, stack = [], []
    for line in test.lines:
        del stack[line.level :]
        cue = _cue(line)
        stack.append(cue[1] if cue[0] == "words" else ())
        if line.described or line.mime or not line.supported:
            chain = [options for options in stack if options]
            if not chain:
                return []
            chains.append(chain)
    return chains


def _check(cue: tuple) -> Callable[[bytes, bytes, _Words], bool]:
    """The check of a cue that is looked for when its test is reached."""
    kind = cue[0]
    if kind == "range":
        _, low, high, value = cue
        return lambda body, lowered, words: lowered.find(value, low, high) >= 0
    if kind in ("scan", "suffix"):  # (a suffix of a word: somewhere in the text)
        value = cue[1]
        return lambda body, lowered, words: value in lowered
    if kind == "prefix":
        value = cue[1]
        return lambda body, lowered, words: words.has_prefix(value)
    if kind == "line starts":
        _, starts, anycase = cue
        firsts = tuple(bytes([c]) for c in set(starts.lower() if anycase else starts))
        after_newline = tuple(b"\n" + first for first in firsts)
        if anycase:
            return lambda body, lowered, words: (
                lowered.startswith(firsts) or any(first in lowered for first in after_newline)
            )
        return lambda body, lowered, words: (
            body.startswith(firsts) or any(first in body for first in after_newline)
        )
    return lambda body, lowered, words: True


text_pass = TextPass(TEXT_TESTS)
