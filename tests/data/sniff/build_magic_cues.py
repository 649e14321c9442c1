#!/usr/bin/env python3
"""Build ``triage/sniff_cues.py``: where libmagic's tests could key on a text file.

    git clone https://github.com/file/file && git -C file checkout FILE5_44
    python3 tests/data/sniff/build_magic_cues.py file/magic/Magdir

The first typing tier (triage.sniff) calls a text file ``text/plain`` only when none of
libmagic's top-level tests could match it. This reads the magic source of the libmagic it must
agree with (file 5.44, as Debian 12 ships) and writes, conservatively (a cue may over-match,
never under-match):

- ``STARTS``: for each offset, the text-looking values of ``string``/``search/1`` tests there,
  cut at their first blank when flag /w or /W makes blanks optional; ``STARTS_ANY_CASE`` the
  same for the tests with flag /c or /C, lower-cased;
- ``WORDS``: the longest word of each text-looking ``search`` and ``regex`` test value anywhere
  in a file, and for each the values (lower-cased) or regexes themselves: a file holding the
  word (in any case) and then the value or a match of the regex is left to libmagic;
- ``LITERALS``: the values of such tests that hold no word (``==``, ``!p``), lower-cased.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

TEXT = {7, 8, 9, 10, 11, 12, 13, 27, *range(32, 127)}
TARGET = Path(__file__).resolve().parents[3] / "triage" / "sniff_cues.py"
ESCAPES = {"n": b"\n", "t": b"\t", "r": b"\r", "f": b"\f", "v": b"\v", "a": b"\a", "b": b"\b"}
LINE = re.compile(
    r"^(0x[0-9a-fA-F]+|[0-9]+)\s+(string|search|regex)(/[0-9]*[a-zA-Z]*)?(/[a-zA-Z]*)?\s+"
    r"((?:\\\s|\S)+)"
)
# A search's continuation that is a regex from the start or after the match ("search" then
# "regex": libmagic's C, C++, Python, Ruby, M4 tests): the word then leads to the regex.
NEXT_REGEX = re.compile(r"^>&?0\s+regex(/[0-9]*[a-zA-Z]*)?\s+((?:\\\s|\S)+)")
# Words a regex test only matches after a mark the first tier checks anyway (a line starting
# with "." for assembler directives and troff; "<" for markup), or too short to key on.
SKIP_WORDS = {"text", "file", "type", "even", "byte", "all", "li", "ha", "v"}


def unescape(value: str) -> bytes:
    out = bytearray()
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            following = value[index + 1]
            octal = re.match(r"[0-7]{1,3}", value[index + 1 :])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                index += 1 + len(octal.group())
                continue
            hexa = re.match(r"x([0-9a-fA-F]{1,2})", value[index + 1 :])
            if hexa:
                out.append(int(hexa.group(1), 16))
                index += 2 + len(hexa.group(1))
                continue
            out += ESCAPES.get(following, following.encode("latin-1"))
            index += 2
            continue
        out += char.encode("latin-1")
        index += 1
    return bytes(out)


def regex_unescape(raw: str) -> bytes:
    """A regex value as libmagic compiles it: octal escapes and escaped blanks become bytes,
    an escaped caret is the start of a line, an escaped backslash a backslash (which escapes
    what follows it in the regex); other escapes stay regex escapes."""
    out, index = [], 0
    while index < len(raw):
        char = raw[index]
        if char != "\\" or index + 1 == len(raw):
            out.append(char)
            index += 1
            continue
        following = raw[index + 1]
        octal = re.match(r"[0-7]{1,3}", raw[index + 1 :])
        if octal:
            out.append(re.escape(chr(int(octal.group(), 8))))
            index += 1 + len(octal.group())
            continue
        out.append({" ": " ", "t": "\t", "^": "^", "\\": "\\"}.get(following, "\\" + following))
        index += 2
    return "".join(out).encode("latin-1")


def python_regex(value: bytes, flags: str | None) -> bytes:
    """A POSIX extended regex of libmagic's as a Python one (classes spelt out); ``(?i)`` for
    flag /c. The first tier compiles it with re.M; one that does not compile is dropped there
    (the word alone then leaves the file to libmagic)."""
    classes = {
        b"[:space:]": rb"\s", b"[:alpha:]": b"A-Za-z", b"[:digit:]": b"0-9",
        b"[:alnum:]": b"A-Za-z0-9", b"[:upper:]": b"A-Z", b"[:lower:]": b"a-z",
        b"[:punct:]": rb"!-/:-@\[-`{-~", b"[:print:]": b" -~", b"[:xdigit:]": b"0-9A-Fa-f",
    }  # fmt: skip
    for name, spelt in classes.items():
        value = value.replace(name, spelt)
    return (b"(?i)" if flags and "c" in flags else b"") + value


def continuation_regexes(lines: list[str], start: int) -> list[bytes]:
    """The regexes of a test's first-level continuations, when every one is a regex (then the
    test matches only where one of them does); else none."""
    found = []
    for line in lines[start:]:
        if not line.startswith(">"):
            if line.strip() and not line.startswith(("#", "!:")):
                break
            continue
        if line.startswith(">>"):
            continue
        match = NEXT_REGEX.match(line)
        if match is None:
            return []
        found.append(python_regex(regex_unescape(match.group(2)), match.group(1)))
    return found


def main(magdir: Path) -> None:
    starts: dict[int, set[bytes]] = defaultdict(set)
    any_case: dict[int, set[bytes]] = defaultdict(set)
    words: dict[bytes, set[tuple[str, bytes]]] = defaultdict(set)
    literals: set[bytes] = set()
    for path in sorted(magdir.iterdir()):
        lines_of_file = path.read_text("latin-1").splitlines()
        for number, line in enumerate(lines_of_file):
            match = LINE.match(line)
            if not match:
                continue
            offset, kind, flags, raw = (
                int(match.group(1), 0),
                match.group(2),
                match.group(3),
                match.group(5),
            )
            if kind == "string" and raw[:1] in "<>!&^~" and len(raw) > 1:
                continue  # comparisons other than equality: not a signature of text
            if kind == "string" and raw[:1] == "=":
                raw = raw[1:]
            value = unescape(raw)
            if kind == "regex" and raw.startswith("!"):
                continue  # a negated regex (FORTRAN's): the first tier tests that one itself
            if kind == "regex":
                value = regex_unescape(raw.removeprefix("="))
                bare = re.sub(rb"\[:[a-z]+:\]|\\.", b" ", value)
                found = re.findall(rb"[A-Za-z_]{2,}", bare)
                found = [word.lower() for word in found if word.lower() not in SKIP_WORDS]
                if found:
                    words[max(found, key=len)].add(("regex", python_regex(value, flags)))
                continue
            if not value or offset > 8192 or not all(byte in TEXT for byte in value):
                continue
            ranged = kind == "search" and flags and re.match(r"/[0-9]+", flags)
            if kind == "string" or (ranged and int(re.match(r"/([0-9]+)", flags).group(1)) <= 1):
                modifiers = (flags or "") + (match.group(4) or "")
                cut = value.split()[0] if "w" in modifiers.lower() and value.split() else value
                if "c" in modifiers.lower():
                    any_case[offset].add(cut.lower())
                else:
                    starts[offset].add(cut)
                continue
            found = re.findall(rb"[A-Za-z_]{2,}", value)
            regexes = continuation_regexes(lines_of_file, number + 1)
            if found and regexes:  # the search only leads to these regexes, which decide
                for regex in regexes:
                    words[max(found, key=len).lower()].add(("regex", regex))
            elif found:
                words[max(found, key=len).lower()].add(("search", value.lower()))
            else:
                literals.add(value.lower().strip() or value)
    lines = [
        '"""Where libmagic 5.44\'s tests could key on a text file (generated: do not edit).',
        "",
        "Built by tests/data/sniff/build_magic_cues.py from file 5.44's magic/Magdir.",
        '"""',
        "",
        "STARTS: dict[int, tuple[bytes, ...]] = {",
    ]
    for offset in sorted(starts):
        values = ", ".join(repr(value) for value in sorted(starts[offset]))
        lines.append(f"    {offset}: ({values},),")
    lines.append("}")
    lines.append("STARTS_ANY_CASE: dict[int, tuple[bytes, ...]] = {")
    for offset in sorted(any_case):
        values = ", ".join(repr(value) for value in sorted(any_case[offset]))
        lines.append(f"    {offset}: ({values},),")
    lines.append("}")
    lines.append("# word -> what must also be there: a search value (lower-cased) or a regex")
    lines.append("WORDS: dict[bytes, tuple[tuple[str, bytes], ...]] = {")
    for word in sorted(words):
        checks = ", ".join(repr(check) for check in sorted(words[word]))
        lines.append(f"    {word!r}: ({checks},),")
    lines.append("}")
    lines.append("LITERALS: tuple[bytes, ...] = (")
    lines.extend(f"    {literal!r}," for literal in sorted(literals))
    lines.append(")")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
