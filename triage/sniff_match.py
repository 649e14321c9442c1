"""libmagic's ``match()`` for one text test, in Python: a test line by line, as it runs them.

A test is a top-level line and its continuations (:data:`triage.sniff_cues.TEXT_TESTS`): the
top line must match, then each continuation is tried where the level of the last line that
matched allows it, at its offset (from the end of its parent's match with ``&``); the first
matching line with a MIME type gives it, a matching line with a description makes the test
decide (``text/plain`` in libmagic's MIME mode). Lines are ``string``, ``search`` and
``regex`` tests, evaluated as libmagic 5.44 does (search ranges, regex byte or line limits
and the byte its regex copy drops at the end, flags /c /C /w /W /f /s), and ``default``
(matches where no line of its level has since its parent did) and ``clear`` (forgets that
they did); any other line (``use`` of a named test, numbers...), a regex
``re`` could take exponential time on, or a quadratic one over a long line, makes the answer
libmagic's ("" or :class:`Dear`).
"""

from __future__ import annotations

import re
from re import _parser as sre_parse  # type: ignore[attr-defined]  # (sre_parse warns)

from triage.sniff_regex import first_bytes, non_capturing, python_regex, strncmp_regex, unparse_in

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


def _long_line(buf: bytes, at: int, end: int) -> bool:
    """Whether ``buf[at:end]`` has a line longer than :data:`LONG_LINE`. Such a line holds a
    whole block of half that from ``at`` on: the lines are measured only when a block has no
    newline (a ``find`` per block, where splitting 8 KiB into lines costs ten times more)."""
    step = LONG_LINE // 2
    for start in range(at, end - step + 1, step):
        if buf.find(b"\n", start, start + step) < 0:
            return max(map(len, buf[at:end].split(b"\n"))) > LONG_LINE
    return False


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


class Line:
    """One line of a test, ready to evaluate: ``match(buf, at) -> end or -1``."""

    def __init__(self, spec: tuple, end_used: bool = True) -> None:
        (self.level, self.relative, self.offset, self.kind, flags, self.range, self.relation,
         self.value, self.described, self.mime) = spec  # fmt: skip
        self.flags = flags
        self.start_only = "s" in flags
        self.supported = self.kind in ("string", "search", "regex") and self.relation in "=!"
        # libmagic's ``default`` and ``clear`` (file.h types 3 and 47, relation x): they match
        # at their offset, ``default`` only where no line of its level has matched yet
        self.default = self.kind == "type3" and self.relation == "x"
        self.clear = self.kind == "type47" and self.relation == "x"
        self.pattern: re.Pattern[bytes] | None = None
        self.newline_first = False
        self.at_start: re.Pattern[bytes] | None = None
        self.dear = False  # two unbounded repeats: quadratic in a line's length in re
        # libmagic's count of lines (flag l) with only newlines: each counted one skips the
        # byte after it (its loop's quirk), the end just past the last (before it at the end)
        self.line_count = re.compile(
            b"(?:[^\n]*\n[\\s\\S]){%d}[^\n]*\n" % max(0, self.range - 1) if "l" in flags else b"$^"
        )
        if self.default or self.clear:
            self.supported = True
        if not self.supported or self.default or self.clear:
            return
        if self.kind == "regex":
            try:
                spelt = python_regex(self.value).replace(_ANY_LINES, rb"[\s\S]*")
                icase = re.I if "c" in flags.lower() else 0
                items = list(sre_parse.parse(spelt.decode("latin-1")))
                # only where a match starts and ends is used: groups that capture cost time
                spelt = non_capturing(spelt)
                self.pattern = re.compile(spelt, re.M | icase)
            except (re.error, ValueError, KeyError):
                self.supported = False
                return
            if _nested_repeat(items) and not end_used:
                # only whether it matches (and where a match starts) is asked: a last group
                # repeated once or more matches where it matches once
                spelt = _once(spelt)
                items = list(sre_parse.parse(spelt.decode("latin-1")))
            if _nested_repeat(items):  # exponential in re's backtracking: libmagic's to run
                self.supported = False
                return
            spelt = _possessive_lead(spelt, items, bool(icase))
            self.pattern = re.compile(spelt, re.M | icase)
            self.dear = _unbounded_repeats(items) >= 2
            if items[:1] == [(sre_parse.AT, sre_parse.AT_BEGINNING)] and all(
                op is not sre_parse.BRANCH for op, _ in items
            ):
                # "^x": found as "\nx" in "\n" + the region, where re looks for its literal
                # first byte quickly (a line start anywhere else costs a try at every byte)
                self.pattern = re.compile(b"\n" + spelt[1:], re.M | icase)
                self.newline_first = True
                rest = spelt[1:].replace(b"[^", b"[")
                if not any(mark in rest for mark in (b"^", b"\\b", b"\\B", b"(?<")):
                    # nothing in it looks before where it is tried: the region searched in
                    # place (no copy), its start tried first as the copy's first line start
                    self.at_start = re.compile(spelt[1:], re.M | icase)
        elif set(flags) & set("cCwWf"):
            self.pattern = re.compile(strncmp_regex(self.value, flags))

    def match(self, buf: bytes, at: int) -> int:
        """Where the match ends (libmagic's offset for ``&`` continuations), or -1 (a
        ``default`` or ``clear`` line: at its offset; :meth:`Test.run` tells if one matches)."""
        if self.default or self.clear:
            return at
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
        if self.dear and end - at > LONG_LINE and _long_line(buf, at, end):
            raise Dear  # (hostile text could make this take seconds: libmagic's DFA does not)
        if self.at_start is not None:
            found = self.at_start.match(buf, at, end)
            if found is not None:
                return at if self.start_only else found.end()
            found = self.pattern.search(buf, at, end)
            if found is None:
                return -1
            return found.start() + 1 if self.start_only else found.end()
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
        if not lines:
            return end
        if buf.find(b"\r", at, end) < 0:  # (each line counted takes a newline)
            found = (
                None if buf.count(b"\n", at, end) < lines else self.line_count.match(buf, at, end)
            )
            if found is None:
                return end  # too few: the whole region
            return found.end() if found.end() < end else end - 1
        return lines_end(buf, at, end, lines)


def lines_end(buf: bytes, at: int, end: int, lines: int) -> int:
    """libmagic's own loop (softmagic.c, a regex with flag l): where ``lines`` lines from ``at``
    end in ``buf[:end]`` (``end`` when there are fewer). Carriage returns count as it counts
    them; without any, one regex match says the same (:meth:`Line._regex_end`)."""
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


_QUANTIFIER = re.compile(rb"[*+?]|\{[0-9]*(,[0-9]*)?\}")


def _possessive_lead(spelt: bytes, items: list, icase: bool) -> bytes:
    """``^[class]*x...`` with its leading repeat possessive (``*+``) where what follows it
    cannot start with a byte of the class: giving bytes back could never let the rest match,
    and re would try that at every line start (quadratic in indented text, blank lines)."""
    if len(items) < 3 or items[0] != (sre_parse.AT, sre_parse.AT_BEGINNING):
        return spelt
    if items[1][0] is not sre_parse.MAX_REPEAT or spelt[1:2] != b"[":
        return spelt
    body = list(items[1][1][2])
    after = first_bytes(items[2])
    if len(body) != 1 or body[0][0] is not sre_parse.IN or not after:
        return spelt
    try:
        within = re.compile(unparse_in(body[0][1]))
    except (re.error, KeyError):
        return spelt
    if any(within.match(bytes([byte])) for byte in after + (after.swapcase() if icase else b"")):
        return spelt
    end = 2
    while end < len(spelt) and spelt[end : end + 1] != b"]":
        end += 2 if spelt[end : end + 1] == b"\\" else 1
    quantifier = _QUANTIFIER.match(spelt, end + 1)
    if quantifier is None or spelt[quantifier.end() : quantifier.end() + 1] in (b"+", b"?"):
        return spelt
    return spelt[: quantifier.end()] + b"+" + spelt[quantifier.end() :]


def _once(spelt: bytes) -> bytes:
    """``spelt`` with a last group repeated once or more (``(...)+`` at its end) taken once:
    a match starts where one did, on the same texts (unchanged when it has no such group)."""
    if not spelt.endswith(b")+"):
        return spelt
    at, inside = 0, False
    while at < len(spelt) - 2:  # is the last ")" a group's, not escaped or in brackets?
        char = spelt[at : at + 1]
        if char == b"\\":
            at += 1
        elif inside:
            inside = char != b"]"
        elif char == b"[":
            inside = True
        at += 1
    return spelt if at > len(spelt) - 2 or inside else spelt[:-1]


class Test:
    """A top-level test and its continuations, run as libmagic's ``match()`` runs one."""

    def __init__(self, specs: tuple) -> None:
        # a line's match end is used only by a relative continuation right under it
        self.lines = [
            Line(spec, end_used=_end_used(specs, index)) for index, spec in enumerate(specs)
        ]
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
        matched = {1: False}  # whether a line of a level has matched since its parent did
        level = 1
        for line in self.lines[1:]:
            if level < line.level:
                continue
            level = min(level, line.level)
            if not line.supported:
                return ""  # a line this module does not evaluate: libmagic's to say
            if line.default and matched[level]:
                continue
            at = line.offset + (ends[level - 1] if line.relative else 0)
            end = line.match(buf, at)
            if end < 0:
                continue
            matched[level] = not line.clear
            if line.mime:
                return line.mime
            described = described or line.described
            ends[level] = end
            level += 1
            matched[level] = False
        return PLAIN if described else None


def _end_used(specs: tuple, index: int) -> bool:
    """Whether a continuation under line ``index`` starts where its match ends (``&``); a
    line with a MIME type ends the test when it matches, so nothing under it runs."""
    level, mime = specs[index][0], specs[index][9]
    if mime:
        return False
    for spec in specs[index + 1 :]:
        if spec[0] <= level:
            return False
        if spec[0] == level + 1 and spec[1]:
            return True
    return False
