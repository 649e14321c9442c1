"""libmagic's regexes and string tests as Python's ``re`` sees them, and what a regex needs.

libmagic 5.44 compiles its ``regex`` tests as POSIX extended regexes with REG_NEWLINE in the C
locale, and compares ``string``/``search`` values under flags /c /C /w /W /f (its
``file_strncmp``): :func:`python_regex` and :func:`strncmp_regex` spell both for ``re``. The
rest reads a parsed regex (``re``'s own parser) for the literals every match must contain, and
whether a letter may touch them: the first typing tier keys its cheap checks on those
(:mod:`triage.sniff_text`).
"""

from __future__ import annotations

import re
from re import _parser as sre_parse  # type: ignore[attr-defined]  # (sre_parse warns)

# The C locale's POSIX character classes, spelt for the inside of a Python bracket (the data
# check's builder reads their members from here too: class_members)
POSIX_CLASSES = {
    b"alpha": b"A-Za-z", b"digit": b"0-9", b"alnum": b"A-Za-z0-9", b"upper": b"A-Z",
    b"lower": b"a-z", b"space": b" \\t\\n\\r\\f\\v", b"blank": b" \\t", b"punct": rb"!-/:-@\[-`{-~",
    b"print": b" -~", b"graph": b"!-~", b"xdigit": b"0-9A-Fa-f", b"cntrl": rb"\x00-\x1f\x7f",
}  # fmt: skip
_SPACE = b" \t\n\r\f\v"


def class_members(name: bytes) -> bytes:
    """The bytes POSIX class ``name`` holds in the C locale, in order."""
    bracket = re.compile(b"[" + POSIX_CLASSES[name] + b"]")
    return bytes(byte for byte in range(256) if bracket.fullmatch(bytes([byte])))


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


def non_capturing(spelt: bytes) -> bytes:
    """``spelt`` (Python's syntax, as :func:`python_regex` writes it: no back references)
    with each group made non-capturing: the same matches, found faster."""
    out, index, inside = bytearray(), 0, False
    while index < len(spelt):
        char = spelt[index : index + 1]
        if char == b"\\":
            out += spelt[index : index + 2]
            index += 2
            continue
        if inside:
            inside = char != b"]"
        elif char == b"[":
            inside = True
        elif char == b"(" and spelt[index + 1 : index + 2] != b"?":
            char = b"(?:"
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
            out += POSIX_CLASSES[ere[index + 2 : end]]
            index = end + 2
            continue
        out += b"\\" + char if char in b"\\[]^" else char
        index += 1
    raise ValueError("unterminated bracket")


def strncmp_regex(value: bytes, flags: str) -> bytes:
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


WORDY = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


def literal_runs(
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
            runs += literal_runs(arg[-1], (side(index - 1, -1), side(index + 1, 1)))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:
            runs += literal_runs(arg[2])
    if run:
        runs.append((bytes(run), side(start - 1, -1), side(len(items), 1)))
    return runs


def words_of(parsed: sre_parse.SubPattern, outer: tuple[bool, bool] = (False, False)) -> list:
    """Words (lower case) one of which a match holds as a whole word of the text; [] if none
    can be told."""
    found = []
    for run, before, after in literal_runs(parsed, outer):
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
            options = [words_of(alternative, near) for alternative in arg[1]]
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
        if not body or not _bounded(body, 0 if step > 0 else len(body) - 1, step):
            return False
        return arg[0] >= 1 or _bounded(items, index + step, step)  # (or nothing, then on)
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
        return arg not in WORDY
    if op is sre_parse.IN:
        try:
            compiled = re.compile(unparse_in(arg))
        except (re.error, KeyError):
            return False
        return not any(compiled.match(bytes([c])) for c in WORDY)
    return False


def unparse_in(arg: list) -> bytes:
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


def half_bounded(words: list[tuple[bytes, bool, bool]]) -> tuple | None:
    """("prefix", word) for a word the text must have at the start of one of its words (a
    non-letter before it), else ("suffix", word) for one at the end of a word; or None."""
    for kind, side in (("prefix", 1), ("suffix", 2)):
        found = [item[0] for item in words if item[side] and len(item[0]) >= 3]
        if found:
            return (kind, max(found, key=len))
    return None


def line_starts(parsed: sre_parse.SubPattern) -> bytes:
    """The bytes a regex anchored at a line start may begin with (b"" when not so anchored or
    too many)."""
    items = list(parsed)
    if len(items) < 2 or items[0] != (sre_parse.AT, sre_parse.AT_BEGINNING):
        return b""
    return _first_bytes(items[1])


def first_bytes(item: tuple) -> bytes:
    """The bytes a parsed regex item may begin with (b"" when it may be empty or too many)."""
    return _first_bytes(item)


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
            compiled = re.compile(unparse_in(arg))
        except (re.error, KeyError):
            return b""
        found = bytes(c for c in range(256) if compiled.match(bytes([c])))
        return found if len(found) <= 6 else b""
    return b""


def search_words(key: bytes) -> list[tuple[bytes, bool, bool]]:
    """Runs of letters and ``_`` in a search value, with whether each is bounded inside it."""
    found = []
    for match in re.finditer(rb"[A-Za-z_]+", key):
        found.append((match.group().lower(), match.start() > 0, match.end() < len(key)))
    return found


def trie(words: list[bytes]) -> bytes:
    """One regex for literal ``words`` that, where several start at one place, matches the
    longest (a shared start is tried once: each alternative after it, the end last)."""
    ends = b"" in words
    firsts = sorted({word[:1] for word in words if word})
    options = [
        re.escape(first) + trie([word[1:] for word in words if word[:1] == first])
        for first in firsts
    ]
    if not options:
        return b""
    return b"(?:" + b"|".join(options) + (b"|)" if ends else b")")
