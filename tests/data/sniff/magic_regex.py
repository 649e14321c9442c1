"""libmagic's regex tests as Python's ``re`` may check them on a binary head (issue 19).

file 5.44 compiles a ``regex`` test as a POSIX extended regex with REG_NEWLINE (and REG_ICASE
for /c), in the C locale (softmagic.c alloc_regex, funcs.c file_regcomp), and runs it on a C
string: ``s_len`` bytes from the test's offset (its range, or the rest of the buffer, at most
FILE_REGEX_MAX), the last of them overwritten by a NUL (magiccheck), so up to the first NUL.
:func:`python_regex` spells such a regex for ``re`` so that it matches at least where glibc
would: ``^``/``$`` only where the string's start/end is known exactly (else they are dropped,
which only matches more), a non-matching list without the newline (REG_NEWLINE), POSIX
bracket rules (a backslash in one is itself); anything else (back references, GNU escapes,
collating elements, stacked repetitions) is declined (None: the test is not stated).
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

from triage.sniff_regex import POSIX_CLASSES, class_members

_CLASSES = {name: class_members(name) for name in POSIX_CLASSES}
LITERAL, SUBPATTERN, BRANCH = sre_constants.LITERAL, sre_constants.SUBPATTERN, sre_constants.BRANCH
_BOUND = re.compile(rb"\{([0-9]+)(,([0-9]*))?\}")


def python_regex(
    ere: bytes, start_known: bool, end_known: bool, caseless: bool = False
) -> bytes | None:
    """``ere`` in Python's syntax (bytes, to compile with re.MULTILINE and re.IGNORECASE for
    /c), matching wherever glibc's REG_NEWLINE regex does; None when that is not sure."""
    out, index, repeatable = bytearray(), 0, False
    while index < len(ere):
        char = ere[index]
        if char == 0x5C:  # backslash: a quoted character (GNU's \w \< \1... are declined)
            if index + 1 >= len(ere) or chr(ere[index + 1]).isalnum():
                return None
            if ere[index + 1] in b"<>`'":
                return None
            out += _byte(ere[index + 1])
            index, repeatable = index + 2, True
        elif char == 0x5B:
            members, index = _bracket(ere, index + 1, caseless)
            if not members:
                return None
            out += b"[" + b"".join(_byte(member) for member in members) + b"]"
            repeatable = True
        elif char in b"*+?{":
            bound = _BOUND.match(ere, index) if char == 0x7B else None
            if not repeatable or (char == 0x7B and bound is None):
                return None  # nothing to repeat, a stacked repetition, or "{" not a bound
            taken = bound.group(0) if bound else bytes([char])
            out += taken
            index, repeatable = index + len(taken), False
        elif char == 0x5E:  # ^
            out += b"^" if start_known else b""
            index, repeatable = index + 1, False
        elif char == 0x24:  # $
            out += b"$" if end_known else b""
            index, repeatable = index + 1, False
        elif char == 0x28:
            if ere[index + 1 : index + 2] in (b"?", b"*", b"+", b"{", b")", b"|"):
                return None
            out += b"(?:"
            index, repeatable = index + 1, False
        elif char == 0x29:
            out += b")"
            index, repeatable = index + 1, True
        elif char == 0x7C:
            if ere[index + 1 : index + 2] in (b"|", b")", b"*", b"+", b"?", b"{", b""):
                return None
            out += b"|"
            index, repeatable = index + 1, False
        elif char == 0x2E:
            out += b"."
            index, repeatable = index + 1, True
        else:
            out += _byte(char)
            index, repeatable = index + 1, True
    try:
        re.compile(bytes(out))
    except re.error:
        return None
    return bytes(out)


def _byte(char: int) -> bytes:
    return b"\\x%02x" % char


def _bracket(ere: bytes, index: int, caseless: bool) -> tuple[bytes, int]:
    """The bytes a bracket expression starting at ``index`` (after its "[") matches, and
    where it ends; b"" when it is not understood. A non-matching list under REG_ICASE leaves
    out both cases of its letters (``re`` would let a letter in by its other case)."""
    negated = ere[index : index + 1] == b"^"
    index += negated
    members: set[int] = set()
    first = True
    while index < len(ere):
        char = ere[index]
        if char == 0x5D and not first:  # ]
            break
        first = False
        if ere[index : index + 2] == b"[:":
            close = ere.find(b":]", index + 2)
            name = ere[index + 2 : close] if close >= 0 else b""
            if name not in _CLASSES:
                return b"", len(ere)
            members.update(_CLASSES[name])
            index = close + 2
            continue
        if ere[index : index + 2] in (b"[.", b"[="):
            return b"", len(ere)
        if ere[index + 1 : index + 2] == b"-" and ere[index + 2 : index + 3] not in (b"]", b""):
            last = ere[index + 2]
            if last == 0x5B or last < char:
                return b"", len(ere)
            members.update(range(char, last + 1))
            index += 3
            continue
        members.add(char)
        index += 1
    else:
        return b"", len(ere)  # no closing "]"
    if negated:
        if caseless:
            members |= {c ^ 0x20 for c in members if chr(c).isascii() and chr(c).isalpha()}
        members = set(range(256)) - members - {0x0A}  # REG_NEWLINE: not the newline
    members.discard(0)  # the C string ends at a NUL
    return bytes(sorted(members)), index + 1


def required_any(spelt: bytes, caseless: bool, most: int = 16) -> tuple[bytes, ...]:
    """Bytes of which every match of ``spelt`` (as :func:`python_regex` writes it) contains
    one: the longest-shortest set of literal runs, a group of literal alternatives counting as
    one run each way; () when there is no run of at least 2 bytes. Lower case when
    ``caseless`` (to look for in a lowered head). A cheap check before the regex itself."""
    best: tuple[bytes, ...] = ()
    runs: set[bytes] = {b""}

    def close() -> None:
        nonlocal best, runs
        if min(map(len, runs)) > min(map(len, best), default=1):
            best = tuple(sorted(runs))
        runs = {b""}

    for op, arg in sre_parse.parse(spelt):
        if op is LITERAL:
            runs = {run + bytes([arg]) for run in runs}
            continue
        choices = _literal_choices(op, arg)
        if choices and len(runs) * len(choices) <= most:
            runs = {run + choice for run in runs for choice in choices}
        else:
            close()
    close()
    return tuple(run.lower() for run in best) if caseless else best


def _literal_choices(op, arg) -> list[bytes] | None:
    """The strings a group of literal alternatives (``(?:ab|cd)``, which ``re`` parses as a
    bare BRANCH) may be, else None."""
    if op is SUBPATTERN and len(arg[-1]) == 1:
        op, arg = list(arg[-1])[0]
    if op is not BRANCH:
        return None
    choices = []
    for branch in arg[1]:
        if not all(item[0] is LITERAL for item in branch):
            return None
        choices.append(bytes(item[1] for item in branch))
    return choices if all(choices) else None
