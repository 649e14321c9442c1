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
import sre_parse
from collections import defaultdict
from collections.abc import Callable

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
        if self.kind == "regex":
            try:
                self.pattern = re.compile(
                    python_regex(self.value), re.M | (re.I if "c" in flags.lower() else 0)
                )
            except (re.error, ValueError, KeyError):
                self.supported = False
        elif set(flags) & set("cCwWf"):
            self.pattern = re.compile(_strncmp_regex(self.value, flags))

    def match(self, buf: bytes, at: int) -> int:
        """Where the match ends (libmagic's offset for ``&`` continuations), or -1."""
        found = self._find(buf, at)
        if self.relation == "!":
            return -1 if found >= 0 else at + (len(self.value) if self.kind != "regex" else 0)
        return found

    def _find(self, buf: bytes, at: int) -> int:
        size, value = len(buf), self.value
        if self.kind == "regex":
            if at > size:
                return -1
            end = self._regex_end(buf, at)
            found = self.pattern.search(buf, at, max(at, end - 1))  # its copy ends in a NUL
            if found is None:
                return -1
            return found.start() if self.start_only else found.end()
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
        if not lines:
            return end
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


def _literal_runs(parsed: sre_parse.SubPattern) -> list[tuple[bytes, bool, bool]]:
    """Literal runs a match must contain, each with whether a non-letter surely precedes and
    follows it (then it is a whole word of the text)."""
    runs, run, start = [], bytearray(), 0
    items = list(parsed)
    for index, (op, arg) in enumerate(items):
        if op is sre_parse.LITERAL:
            if not run:
                start = index
            run.append(arg)
            continue
        if run:
            runs.append((bytes(run), _bounded(items, start - 1, -1), _bounded(items, index, 1)))
            run = bytearray()
        if op is sre_parse.SUBPATTERN and arg[-1] is not None:
            runs += _literal_runs(arg[-1])
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:
            runs += _literal_runs(arg[2])
    if run:
        runs.append((bytes(run), _bounded(items, start - 1, -1), False))
    return runs


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
            return ("word", max(words, key=len))
        return ("scan", key.lower())
    try:
        parsed = sre_parse.parse(python_regex(value).decode("latin-1"))
    except (re.error, ValueError, KeyError):
        return ("always",)
    runs = [
        (run.lower(), before, after)
        for run, before, after in _literal_runs(parsed)
        if len(run) >= 2
    ]
    words = [
        run for run, before, after in runs if before and after and all(c in _WORDY for c in run)
    ]
    if words:
        return ("word", max(words, key=len))
    if runs:
        return ("scan", max((run for run, _, _ in runs), key=len))
    return ("always",)


def _search_words(key: bytes) -> list[tuple[bytes, bool, bool]]:
    """Runs of letters and ``_`` in a search value, with whether each is bounded inside it."""
    found = []
    for match in re.finditer(rb"[A-Za-z_]+", key):
        found.append(
            (match.group().lower(), match.start() > 0, match.end() < len(key))
        )
    return found


class TextPass:
    """The text tests, their cues indexed once (built at import: no state changes after)."""

    def __init__(self, specs: tuple) -> None:
        self.tests = [_Test(test) for test in specs]
        self.by_word: dict[bytes, list[int]] = defaultdict(list)
        self.cues: list[Callable[[bytes, bytes], bool] | None] = []
        for index, test in enumerate(self.tests):
            cue = _cue(test.lines[0])
            if cue[0] == "word":
                self.by_word[cue[1]].append(index)
            top = test.lines[0]
            if cue[0] == "always" and top.supported:  # the top line itself, evaluated
                self.cues.append(lambda body, lowered, top=top: top.match(body, top.offset) >= 0)
                continue
            self.cues.append(None if cue[0] == "word" else _check(cue))

    def __call__(self, body: bytes, evaluate: bool = True) -> str | None:
        """libmagic's text-pass answer for ``body`` (its MIME type, or ``text/plain``), or None
        when a test it cannot evaluate might match (or any might, and not ``evaluate``)."""
        lowered = body.lower()
        words = self.by_word.keys() & set(lowered.translate(_WORD_BYTES).split())
        hit = {index for word in words for index in self.by_word[word]}
        for index, check in enumerate(self.cues):
            if index in hit if check is None else check(body, lowered):
                mime = self._run(index, body, evaluate)
                if mime is not None:
                    return mime or None
        return PLAIN

    def _run(self, index: int, body: bytes, evaluate: bool) -> str | None:
        """The test's answer, "" when it cannot be known here, None when it does not decide."""
        return self.tests[index].run(body) if evaluate else ""


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
    return lambda body, lowered: True


text_pass = TextPass(TEXT_TESTS)
