"""libmagic's text pass, evaluated in Python where it can be: which text test a head matches.

After JSON and CSV, libmagic 5.44 types a text file by its text tests (``search``, ``regex``
and ``string/t`` rules, :data:`triage.sniff_cues.TEXT_TESTS`), tried in its own order (by
strength): the first test that matches and describes something decides, with the MIME type
of the first matching line that has one, else ``text/plain``; when none matches the file is
``text/plain`` too. :func:`text_pass` replays that: each test first gets a cheap cue (a word,
a start, or a literal the test cannot match without), and only a test whose cue is present is
evaluated, exactly as libmagic's ``match()`` does (its search ranges, regex line limits, flags
/c /C /w /W /f /s, relative offsets, the byte its regex copy drops at the end); a test that uses
anything else (numeric types, indirect offsets, ``use``) whose cue is present leaves the head
to libmagic (None).

libmagic's regexes are POSIX extended ones compiled with REG_NEWLINE in the C locale:
:func:`python_regex` spells them for Python's ``re`` (classes spelt out, a negated bracket
never matching a newline); leftmost-longest against leftmost-first only moves where a match
ends, which matters only to a continuation at ``&0`` after it: tests/test_sniff.py checks the
agreement on real text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from re import _parser as sre_parse  # type: ignore[attr-defined]  # (sre_parse warns)

from triage.sniff_cues import TEXT_TESTS

PLAIN = "text/plain"
REGEX_MAX = 8192  # libmagic's regex_max: a regex never looks further
_CLASSES = {
    b"alpha": b"A-Za-z", b"digit": b"0-9", b"alnum": b"A-Za-z0-9", b"upper": b"A-Z",
    b"lower": b"a-z", b"space": b" \\t\\n\\r\\f\\v", b"blank": b" \\t", b"punct": rb"!-/:-@\[-`{-~",
    b"print": b" -~", b"graph": b"!-~", b"xdigit": b"0-9A-Fa-f", b"cntrl": rb"\x00-\x1f\x7f",
}  # fmt: skip
_SPACE = b" \t\n\r\f\v"


def python_regex(ere: bytes) -> bytes:
    """A POSIX ERE (as libmagic compiles it: REG_NEWLINE, C locale) in Python's syntax."""
    out, index = bytearray(), 0
    while index < len(ere):
        char = ere[index : index + 1]
        if char == b"\\" and index + 1 < len(ere):
            following = ere[index + 1 : index + 2]
            out += rb"\b" if following in (b"<", b">") else b"\\" + following
            index += 2
        elif char == b"[":
            index = _bracket(ere, index + 1, out)
        else:
            out += char
            index += 1
    return bytes(out)


def _bracket(ere: bytes, index: int, out: bytearray) -> int:
    """A bracket expression from ``ere[index:]`` (after its ``[``); where it ends."""
    out += b"["
    if ere[index : index + 1] == b"^":
        out += b"^\\n"  # REG_NEWLINE: a negated list never matches a newline
        index += 1
    first = True
    while index < len(ere):
        char = ere[index : index + 1]
        if char == b"]" and not first:
            out += b"]"
            return index + 1
        first = False
        if ere.startswith(b"[:", index):
            end = ere.index(b":]", index)
            out += _CLASSES[ere[index + 2 : end]]
            index = end + 2
            continue
        out += b"\\" + char if char in b"\\[]^" else char
        index += 1
    raise ValueError("unterminated bracket")


def _strncmp_regex(value: bytes, flags: str) -> bytes:
    """libmagic's file_strncmp of ``value`` under /c /C /w /W /f, as a Python regex."""
    out, index = bytearray(), 0
    while index < len(value):
        byte = value[index : index + 1]
        index += 1
        if "c" in flags and byte.islower():
            out += b"[" + byte + byte.upper() + b"]"
        elif "C" in flags and byte.isupper():
            out += b"[" + byte + byte.lower() + b"]"
        elif "W" in flags and byte in _SPACE:
            # a blank: one or more, unless the value has another blank next (then exactly one)
            out += rb"\s" if value[index : index + 1] in _SPACE and index < len(value) else rb"\s+"
        elif "w" in flags and byte in _SPACE:
            out += rb"\s*"
        else:
            out += re.escape(byte)
    if "f" in flags:
        out += rb"(?!\S)"
    return bytes(out)


class _Line:
    """One line of a test, ready to evaluate: ``match(buf, at) -> end or -1``."""

    def __init__(self, spec: tuple) -> None:
        (self.level, self.relative, self.offset, self.kind, flags, self.range, self.relation,
         self.value, self.described, self.mime) = spec  # fmt: skip
        self.flags = flags
        self.start_only = "s" in flags
        self.supported = self.kind in ("string", "search", "regex") and self.relation in "=!"
        self.pattern: re.Pattern[bytes] | None = None
        if not self.supported:
            return
        self.newline_first = False
        if self.kind == "regex":
            try:
                spelt = python_regex(self.value)
                icase = re.I if "c" in flags.lower() else 0
                self.pattern = re.compile(spelt, re.M | icase)
                items = list(sre_parse.parse(spelt.decode("latin-1")))
            except (re.error, ValueError, KeyError):
                self.supported = False
                return
            if items[:1] == [(sre_parse.AT, sre_parse.AT_BEGINNING)] and all(
                op is not sre_parse.BRANCH for op, _ in items
            ):
                # "^x": found as "\nx" in "\n" + the region, where re looks for its literal
                # first byte quickly (a line start anywhere else costs a try at every byte)
                self.pattern = re.compile(b"\n" + spelt[1:], re.M | icase)
                self.newline_first = True
        elif set(flags) & set("cCwWf"):
            self.pattern = re.compile(_strncmp_regex(self.value, flags))

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
_WORDY = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


def _literal_runs(
    parsed: sre_parse.SubPattern, outer: tuple[bool, bool] = (False, False)
) -> list[tuple[bytes, bool, bool]]:
    """Literal runs a match must contain, each with whether a non-letter surely precedes and
    follows it (``outer``: whether that holds around this sequence)."""
    runs, run, start = [], bytearray(), 0
    items = list(parsed)

    def side(index: int, step: int) -> bool:
        if 0 <= index < len(items):
            return _bounded(items, index, step)
        return outer[0] if step < 0 else outer[1]

    for index, (op, arg) in enumerate(items):
        if op is sre_parse.LITERAL:
            if not run:
                start = index
            run.append(arg)
            continue
        if run:
            runs.append((bytes(run), side(start - 1, -1), side(index, 1)))
            run = bytearray()
        if op is sre_parse.SUBPATTERN and arg[-1] is not None:
            runs += _literal_runs(arg[-1], (side(index - 1, -1), side(index + 1, 1)))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:
            runs += _literal_runs(arg[2])
    if run:
        runs.append((bytes(run), side(start - 1, -1), side(len(items), 1)))
    return runs


def _words(parsed: sre_parse.SubPattern, outer: tuple[bool, bool] = (False, False)) -> list:
    """Words (lower case) one of which a match holds as a whole word of the text; [] if none
    can be told."""
    found = []
    for run, before, after in _literal_runs(parsed, outer):
        for match in re.finditer(rb"[A-Za-z_]{2,}", run):
            left = match.start() > 0 or before
            right = match.end() < len(run) or after
            if left and right:
                found.append(match.group().lower())
    if found:
        return [max(found, key=len)]
    items = list(parsed)
    for index, (op, arg) in enumerate(items):
        if op is sre_parse.SUBPATTERN and arg[-1] is not None and len(arg[-1]) == 1:
            op, arg = list(arg[-1])[0]
        if op is sre_parse.BRANCH:
            near = (
                _bounded(items, index - 1, -1) if index else outer[0],
                _bounded(items, index + 1, 1) if index + 1 < len(items) else outer[1],
            )
            options = [_words(alternative, near) for alternative in arg[1]]
            if all(options):
                return [word for option in options for word in option]
    return []


def _bounded(items: list, index: int, step: int) -> bool:
    """Whether the text next to a literal run (items[index] and on, in direction ``step``)
    is surely not a letter or ``_``: a line start or end, a non-letter, or blanks before one."""
    if not 0 <= index < len(items):
        return False
    op, arg = items[index]
    if op is sre_parse.AT:
        return arg in (sre_parse.AT_BEGINNING, sre_parse.AT_END)
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
        body = list(arg[2])
        if len(body) != 1 or not _not_wordy(body[0]):
            return False
        return arg[0] >= 1 or _bounded(items, index + step, step)
    if op is sre_parse.SUBPATTERN and arg[-1] is not None and len(arg[-1]):
        body = list(arg[-1])
        return _bounded(body, 0 if step > 0 else len(body) - 1, step)
    if op is sre_parse.BRANCH:
        return all(
            alternative
            and _bounded(list(alternative), 0 if step > 0 else len(alternative) - 1, step)
            for alternative in arg[1]
        )
    return _not_wordy((op, arg))


def _not_wordy(item: tuple) -> bool:
    op, arg = item
    if op is sre_parse.LITERAL:
        return arg not in _WORDY
    if op is sre_parse.IN:
        try:
            compiled = re.compile(_unparse_in(arg))
        except (re.error, KeyError):
            return False
        return not any(compiled.match(bytes([c])) for c in _WORDY)
    return False


def _unparse_in(arg: list) -> bytes:
    out = bytearray(b"[")
    for op, value in arg:
        if op is sre_parse.NEGATE:
            out += b"^"
        elif op is sre_parse.LITERAL:
            out += re.escape(bytes([value]))
        elif op is sre_parse.RANGE:
            out += re.escape(bytes([value[0]])) + b"-" + re.escape(bytes([value[1]]))
        elif op is sre_parse.CATEGORY:
            out += {
                sre_parse.CATEGORY_SPACE: rb"\s", sre_parse.CATEGORY_DIGIT: rb"\d",
                sre_parse.CATEGORY_WORD: rb"\w", sre_parse.CATEGORY_NOT_SPACE: rb"\S",
                sre_parse.CATEGORY_NOT_DIGIT: rb"\D", sre_parse.CATEGORY_NOT_WORD: rb"\W",
            }[value]  # fmt: skip
        else:
            raise re.error("unknown")
    return bytes(out + b"]")


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
            word
            for word, before, after in _search_words(key)
            if before and after and len(word) >= 2
        ]
        if words:
            return ("words", (max(words, key=len),))
        return _half_bounded(_search_words(key)) or ("scan", key.lower())
    try:
        parsed = sre_parse.parse(python_regex(value).decode("latin-1"))
    except (re.error, ValueError, KeyError):
        return ("always",)
    words = _words(parsed)
    if words:
        return ("words", tuple(words))
    half = _half_bounded(
        [
            (match.group().lower(), match.start() > 0 or before, match.end() < len(run) or after)
            for run, before, after in _literal_runs(parsed)
            for match in re.finditer(rb"[A-Za-z_]+", run)
        ]
    )
    if half:
        return half
    runs = [run.lower() for run, _, _ in _literal_runs(parsed) if len(run) >= 2]
    if runs:
        return ("scan", max(runs, key=len))
    starts = _line_starts(parsed)
    if starts:
        return ("line starts", starts, "c" in line.flags.lower())
    single = [run for run, _, _ in _literal_runs(parsed) if len(run) == 1 and run not in _WORDY]
    if single:
        return ("scan", single[0])
    return ("always",)


def _half_bounded(words: list[tuple[bytes, bool, bool]]) -> tuple | None:
    """("prefix", word) for a word the text must have at the start of one of its words (a
    non-letter before it), else ("suffix", word) for one at the end of a word; or None."""
    for kind, side in (("prefix", 1), ("suffix", 2)):
        found = [item[0] for item in words if item[side] and len(item[0]) >= 3]
        if found:
            return (kind, max(found, key=len))
    return None


def _line_starts(parsed: sre_parse.SubPattern) -> bytes:
    """The bytes a regex anchored at a line start may begin with (b"" when not so anchored or
    too many)."""
    items = list(parsed)
    if len(items) < 2 or items[0] != (sre_parse.AT, sre_parse.AT_BEGINNING):
        return b""
    return _first_bytes(items[1])


def _first_bytes(item: tuple) -> bytes:
    op, arg = item
    if op is sre_parse.LITERAL:
        return bytes([arg])
    if op is sre_parse.SUBPATTERN and arg[-1] is not None and len(arg[-1]):
        return _first_bytes(list(arg[-1])[0])
    if op is sre_parse.BRANCH:
        options = [_first_bytes(list(alternative)[0]) for alternative in arg[1] if alternative]
        if len(options) == len(arg[1]) and all(options):
            return b"".join(options)
        return b""
    if op is sre_parse.IN:
        try:
            compiled = re.compile(_unparse_in(arg))
        except (re.error, KeyError):
            return b""
        found = bytes(c for c in range(256) if compiled.match(bytes([c])))
        return found if len(found) <= 6 else b""
    return b""


def _search_words(key: bytes) -> list[tuple[bytes, bool, bool]]:
    """Runs of letters and ``_`` in a search value, with whether each is bounded inside it."""
    found = []
    for match in re.finditer(rb"[A-Za-z_]+", key):
        found.append((match.group().lower(), match.start() > 0, match.end() < len(key)))
    return found


class TextPass:
    """The text tests, their cues indexed once (built at import: no state changes after).

    A call costs one pass per kind of cue, not one per test: words by a set intersection,
    starts by one ``startswith`` per offset, literals searched for by a gate byte they share.
    """

    def __init__(self, specs: tuple) -> None:
        self.tests = [_Test(test) for test in specs]
        self.by_word: dict[bytes, list[int]] = defaultdict(list)
        starts: dict[tuple[int, bool], list[tuple[bytes, int]]] = defaultdict(list)
        ranges: dict[bytes, list[tuple[bytes, int, int, int]]] = defaultdict(list)
        scans: dict[bytes, list[tuple[bytes, int]]] = defaultdict(list)
        self.others: dict[int, Callable[[bytes, bytes], bool]] = {}
        self.prefixes: list[tuple[bytes, int]] = []
        self.suffixes: list[tuple[bytes, int]] = []
        for index, test in enumerate(self.tests):
            cue = _test_cue(test)
            top = test.lines[0]
            if cue[0] == "words":
                for word in cue[1]:
                    self.by_word[word].append(index)
            elif cue[0] == "start":
                starts[cue[1], cue[3]].append((cue[2], index))
            elif cue[0] == "range":
                ranges[_gate(cue[3])[:1]].append((cue[3], cue[1], cue[2], index))
            elif cue[0] in ("prefix", "suffix"):
                (self.prefixes if cue[0] == "prefix" else self.suffixes).append((cue[1], index))
            elif cue[0] == "scan":
                scans[_gate(cue[1])].append((cue[1], index))
            elif cue[0] == "always" and top.supported:  # the top line itself, evaluated
                self.others[index] = lambda body, lowered, top=top: top.match(body, top.offset) >= 0
            else:
                self.others[index] = _check(cue)
        self.starts = [
            (at, anycase, tuple(value for value, _ in group), group)
            for (at, anycase), group in sorted(starts.items())
        ]
        self.ranges = [
            (gate, min(low for _, low, _, _ in group), max(high for _, _, high, _ in group), group)
            for gate, group in sorted(ranges.items())
        ]
        self.scans = sorted(scans.items())

    def candidates(self, body: bytes, lowered: bytes) -> list[int]:
        """The tests whose cue is in ``body``, in libmagic's order."""
        every = set(lowered.translate(_WORD_BYTES).split())
        hit = {index for word in self.by_word.keys() & every for index in self.by_word[word]}
        ordered = sorted(every)
        for prefix, index in self.prefixes:
            at = bisect_left(ordered, prefix)
            if at < len(ordered) and ordered[at].startswith(prefix):
                hit.add(index)
        if self.suffixes:
            backwards = sorted(word[::-1] for word in every)
            for suffix, index in self.suffixes:
                at = bisect_left(backwards, suffix[::-1])
                if at < len(backwards) and backwards[at].startswith(suffix[::-1]):
                    hit.add(index)
        for at, anycase, values, group in self.starts:
            text = lowered if anycase else body
            if text.startswith(values, at):
                hit.update(index for value, index in group if text.startswith(value, at))
        for gate, low, high, group in self.ranges:
            if lowered.find(gate, low, high) >= 0:
                hit.update(
                    index for value, at, end, index in group if lowered.find(value, at, end) >= 0
                )
        for gate, group in self.scans:
            if gate in lowered:
                hit.update(index for value, index in group if value in lowered)
        return sorted(hit.union(self.others))  # (their cues are dear: checked when reached)

    def __call__(self, body: bytes, evaluate: bool = True) -> str | None:
        """libmagic's text-pass answer for ``body`` (its MIME type, or ``text/plain``), or None
        when a test it cannot evaluate might match (or any might, and not ``evaluate``)."""
        lowered = body.lower()
        for index in self.candidates(body, lowered):
            check = self.others.get(index)
            if check is not None and not check(body, lowered):
                continue
            mime = self.tests[index].run(body) if evaluate else ""
            if mime is not None:
                return mime or None
        return PLAIN


_GATES = b"\\\t\r@[{<=;:.(#!$%&*+-/>}]0123456789"  # rarer in text than letters, first found


def _gate(key: bytes) -> bytes:
    """A byte of ``key`` to look for before the key itself (keys sharing one share a search)."""
    for byte in _GATES:
        if byte in key:
            return bytes([byte])
    return key


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


def _check(cue: tuple) -> Callable[[bytes, bytes], bool]:
    kind = cue[0]
    if kind == "start":
        _, at, value, anycase = cue
        if anycase:
            return lambda body, lowered: lowered.startswith(value, at)
        return lambda body, lowered: body.startswith(value, at)
    if kind == "range":
        _, low, high, value = cue
        return lambda body, lowered: lowered.find(value, low, high) >= 0
    if kind == "scan":
        value = cue[1]
        return lambda body, lowered: value in lowered
    if kind == "line starts":
        _, starts, anycase = cue
        firsts = tuple(bytes([c]) for c in set(starts.lower() if anycase else starts))
        after_newline = tuple(b"\n" + first for first in firsts)
        if anycase:
            return lambda body, lowered: (
                lowered.startswith(firsts) or any(first in lowered for first in after_newline)
            )
        return lambda body, lowered: (
            body.startswith(firsts) or any(first in body for first in after_newline)
        )
    return lambda body, lowered: True


text_pass = TextPass(TEXT_TESTS)
