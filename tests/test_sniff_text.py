"""The first tier's text pass (triage.sniff_text) gives libmagic's own answer for text (issue 19).

libmagic is the oracle throughout: every expectation here is ``magic.from_buffer`` on the same
bytes (file 5.44, as Debian 12 ships and CI installs). A sample like the text a disk holds
(slices of Python's own source, text and HTML files at 4 KiB-aligned and arbitrary offsets,
whole files, shell scripts, configuration, logs) must agree wherever the tier names a type,
and the tier must name most of it; generated code-like text must agree too.
"""

from __future__ import annotations

import os
import random
import re
import sysconfig
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]

import magic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_sniff import _agreement
from triage.sniff import SNIFF_BYTES, sniff
from triage.sniff_cues import TEXT_TESTS
from triage.sniff_match import (
    _ANY_LINES,
    LONG_LINE,
    Line,
    _long_line,
    _nested_repeat,
    _once,
    _possessive_lead,
    lines_end,
)
from triage.sniff_regex import non_capturing, python_regex, trie
from triage.sniff_text import PLAIN, text_pass

LIBMAGIC = magic.Magic(mime=True)
STDLIB = Path(sysconfig.get_paths()["stdlib"])

# Where the tier and libmagic may differ on the text sample, and why: none is known. A head
# listed here would be (where, first tier, libmagic) with the reason beside it.
KNOWN_DIFFERENCES: frozenset[tuple[str, str, str]] = frozenset()


@pytest.mark.parametrize(
    "head",
    [
        b"class Parser:\n    pass\n",  # Python's class test
        b"def f(a, b):\n    return a\n",  # Python's def test
        b"try:\n    x()\nexcept:\n    pass\n",
        b"#include <stdio.h>\nint main(void) { return 0; }\n",
        b"CFLAGS = -O2\nall: x\n",  # a makefile
        b"from os import path\n",
        b"hello world\n",
        b"C     FORTRAN comment\n      PROGRAM X\n",
        b"<html><body>hi</body></html>\n",
        b"\\documentclass{article}\n\\begin{document}\n",
        b'package main\n\nimport "fmt"\n',
        b"var x = require('x');\n",
    ],
)
def test_a_text_head_gets_libmagics_type_or_is_left_to_it(head):
    first = sniff(head)
    assert first is None or first == LIBMAGIC.from_buffer(head)


def test_python_source_and_plain_text_are_named():
    """The point of the text pass: libmagic's dearest heads are typed without it."""
    assert sniff(b"class Parser:\n    pass\n") == "text/x-script.python"
    assert sniff(b"import sys\n\ndef main(argv):\n    return 0\n") == "text/x-script.python"
    assert sniff(b"CFLAGS = -O2\nall: x\n") == "text/x-makefile"
    assert sniff(b"Dear reader,\nthis is plain text (mostly).\n") == PLAIN
    for head in (b"class Parser:\n    pass\n", b"CFLAGS = -O2\nall: x\n"):
        assert LIBMAGIC.from_buffer(head) == sniff(head)


def test_posix_regex_spelling():
    """REG_NEWLINE: a negated bracket never matches a newline; classes are spelt out."""
    assert python_regex(b"[^a]") == b"[^\\na]"
    assert python_regex(b"[[:space:]]x") == b"[ \\t\\n\\r\\f\\v]x"
    assert python_regex(b"\\<word\\>") == b"\\bword\\b"
    assert python_regex(b"[]a]") == b"[\\]a]"


def test_a_test_reaching_a_line_it_cannot_evaluate_leaves_the_head_to_libmagic():
    # Nim's test: "import", then "os" (a `use` of a named test follows): libmagic's to say
    assert text_pass(b"import os\nprint(os.name)\n") is None
    assert sniff(b"import os\nprint(os.name)\n") is None


@pytest.mark.parametrize(
    "head",
    [
        b"x = main(a)\nif (y) {\n  z;\n}\n",  # main( with no String after: the default, C
        b"x = main(a) String y\n",  # ... and with it: Java, the default not tried
        b"x = main(a)\n",  # the default matches, its regex does not: no decision
        b"Title\n=====\n\n:Author: me\n",  # reStructuredText's test: its default unused
        b"Title\n=====\n\n..foo bar\n",  # ... and used
        b"import sys\nprint(sys.argv)\n",  # Nim's test: no "os", its defaults, no Nim words
    ],
)
def test_a_default_line_is_evaluated_as_libmagic_does(head):
    """libmagic's ``default`` matches where no line of its level has matched since its
    parent did: evaluated, these heads are named, and as libmagic names them."""
    assert sniff(head) == LIBMAGIC.from_buffer(head)
    assert sniff(head) is not None


@pytest.mark.parametrize(
    "head",
    [
        b"class Foo\n  include Bar::\nend\n",  # Ruby's include test: "(...::)+" matched once
        b"x\ninclude A::B\n",
        b"include Foo\nend\n",  # no "::": not Ruby
        b"  include <stdio.h>\n",
    ],
)
def test_a_last_repeated_group_is_matched_once_where_only_a_match_counts(head):
    """Ruby's ``^[[:space:]]*include ([A-Z]+[a-z]*(::))+`` (a repeat inside a repeat, which
    ``re`` may backtrack exponentially on) decides by whether it matches: ``(...)`` once
    matches where ``(...)+`` does, and the head is named as libmagic names it."""
    assert sniff(head) == LIBMAGIC.from_buffer(head)
    assert sniff(head) is not None


def test_only_a_last_group_repeated_is_taken_once():
    assert _once(b"^x(?:ab)+") == b"^x(?:ab)"
    assert _once(b"x\\)+") == b"x\\)+"  # an escaped parenthesis: a literal repeated
    assert _once(b"[)]+") == b"[)]+"  # in brackets
    assert _once(b"a(b)") == b"a(b)"


def _text_heads(count: int, seed: int) -> list[tuple[str, bytes]]:
    """Like the text a disk holds: slices of Python's .py/.txt/.html files (4 KiB-aligned, as
    the bench's small files, and at any offset), whole files, scripts, configuration, logs."""
    rng = random.Random(seed)
    files = sorted(
        path
        for path in STDLIB.rglob("*")
        if path.suffix in (".py", ".txt", ".html") and path.is_file()
    )
    heads = []
    for index in range(count):
        path = rng.choice(files)
        data = path.read_bytes()
        size = min(SNIFF_BYTES, int(100 * (655.36 ** rng.random())))
        start = rng.randrange(0, max(1, len(data) - size))
        if index % 2 == 0:
            start &= ~4095
        heads.append((f"{path.name}@{start}", data[start : start + size]))
    for path in rng.sample(files, min(300, len(files))):
        heads.append((path.name, path.read_bytes()[:SNIFF_BYTES]))
    for root in ("/usr/bin", "/etc", "/var/log", "/usr/share/doc"):
        heads += _some_text_files(Path(root), rng, 150)
    return [(where, head) for where, head in heads if head]


def _some_text_files(root: Path, rng: random.Random, count: int) -> list[tuple[str, bytes]]:
    found = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                with open(path, "rb") as handle:
                    head = handle.read(SNIFF_BYTES)
            except OSError:
                continue
            if head and b"\0" not in head[:512]:
                found.append((str(path), head))
    return rng.sample(found, min(count, len(found)))


def test_agreement_on_a_sample_of_text():
    heads = _text_heads(2400, seed=19)
    named, differ = _agreement(heads)
    unexplained = [item for item in differ if item not in KNOWN_DIFFERENCES]
    assert unexplained == []
    assert len(differ) <= 0.001 * named
    assert named >= 0.8 * len(heads)  # the tier names most text (91 % here; libmagic the rest)


# Code-like lines: keywords of the languages libmagic's text tests look for, names, marks.
_WORDS = st.sampled_from(
    [
        "class", "def", "import", "from", "as", "try:", "except", "finally:", "return",
        "if", "__name__", "__init__", "self", "struct", "union", "char", "int", "#include",
        "#define", "#ifdef", "#endif", "public:", "private:", "namespace", "using", "std;",
        "template", "virtual", "require", "module", "end", "package", "sub", "my", "use",
        "function", "var", "const", "let", "export", "begin", "BEGIN", "CFLAGS", "all:", "dnl",
        "<html>", "<head>", "<!--", "-->", "\\begin", "\\section", "{", "}", "(", ")", ":",
        ";", "=", "==", "*", ".", ",", "x", "Parser", "os", "main(", "C", "c", "#", "%",
        "#!/bin/sh", "#!/usr/bin/env python3", "<?xml", "<!DOCTYPE html>", "Received:", "",
    ]
)  # fmt: skip
_LINE = st.lists(_WORDS, min_size=0, max_size=8).map(" ".join)
_INDENT = st.sampled_from(["", "", "    ", "\t", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_INDENT, _LINE), min_size=1, max_size=30))
def test_code_like_text_is_typed_as_libmagic_types_it_or_left_to_it(lines):
    head = "".join(indent + line + "\n" for indent, line in lines).encode()
    first = sniff(head)
    assert first is None or first == LIBMAGIC.from_buffer(head)


# -- the shortcuts that only make the pass cheaper: each gives what the plain way gives ----------
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.binary(min_size=1, max_size=6).map(bytes.lower), min_size=1, max_size=12),
    st.binary(max_size=10),
)
def test_a_trie_regex_matches_the_longest_word_a_text_starts_with(words, text):
    longest = max((word for word in words if text.startswith(word)), key=len, default=None)
    found = re.match(b"(" + trie(words) + b")", text, re.S)
    assert (found.group(1) if found else None) == longest


def test_groups_made_non_capturing_find_the_same_spans():
    text = (STDLIB / "os.py").read_bytes()[:8192] + b"\nclass Foo < Bar\n  include Baz\nend\n"
    lines = [line for test in TEXT_TESTS for line in test if line[3] == "regex"]
    for line in lines:
        spelt = python_regex(line[7])
        try:
            plain = re.compile(spelt, re.M)
        except re.error:
            continue
        faster = re.compile(non_capturing(spelt), re.M)
        assert faster.groups == 0
        assert [m.span() for m in faster.finditer(text)] == [m.span() for m in plain.finditer(text)]


_INDENTED = st.lists(
    st.tuples(st.sampled_from(["", " ", "    ", "\t", "\n", " \n "]), _WORDS), max_size=40
).map(lambda pairs: "".join(blank + word + "\n" for blank, word in pairs).encode())


@settings(max_examples=200, deadline=None)
@given(_INDENTED)
def test_a_leading_repeat_made_possessive_finds_the_same_spans(text):
    """``^[[:space:]]*class...``: its leading blanks taken possessively (no byte given back:
    what follows cannot start with one) match exactly where the plain regex matches."""
    text = (STDLIB / "os.py").read_bytes()[:2000] + text + b"\n  \n\tclass Foo\n end\n"
    rewritten = 0
    for test in TEXT_TESTS:
        for line in test:
            if line[3] != "regex":
                continue
            # as Line spells it: "(.*[\n]*)*" as any bytes, and no regex re may take
            # exponential time on (a generated text found one that ran for minutes)
            spelt = non_capturing(python_regex(line[7]).replace(_ANY_LINES, rb"[\s\S]*"))
            try:
                plain = re.compile(spelt, re.M)
                items = list(sre_parse.parse(spelt.decode("latin-1")))
            except re.error:
                continue
            if _nested_repeat(items):
                continue
            possessive = _possessive_lead(spelt, items, False)
            if possessive == spelt:
                continue
            rewritten += 1
            found = [m.span() for m in re.compile(possessive, re.M).finditer(text)]
            assert found == [m.span() for m in plain.finditer(text)], line[7]
    assert rewritten >= 25


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 4000), st.integers(0, 4000))
def test_a_line_start_regex_searched_in_place_finds_what_it_finds_in_a_copy(at, end):
    """A regex anchored at a line start is looked for in the region itself (its start tried
    first) where it once was in "\\n" + a copy of the region: the same match everywhere."""
    text = (STDLIB / "os.py").read_bytes()[:3000] + b"\nclass Foo < Bar\n  include Baz\nend\n"
    at, end = min(at, end, len(text)), min(max(at, end), len(text))
    lines = [Line(spec) for test in TEXT_TESTS for spec in test]
    lines = [line for line in lines if line.at_start]
    assert len(lines) > 90
    for line in lines:
        found = line.pattern.search(b"\n" + text[at:end])
        expected = -1
        if found is not None:
            expected = at + (found.start() if line.start_only else found.end() - 1)
        line.dear = False  # (its long-line guard aside: the match itself compared)
        assert line._regex_in(text, at, end) == expected, line.value


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2999), max_size=8), st.integers(0, 3000), st.integers(0, 3000))
def test_long_lines_are_found_by_blocks_as_by_splitting(newlines, at, end):
    buf = bytearray(b"x" * 3000)
    for where in newlines:
        buf[where] = 10
    buf = bytes(buf)
    at, end = min(at, end), max(at, end)
    expected = max(map(len, buf[at:end].split(b"\n"))) > LONG_LINE
    assert _long_line(buf, at, end) == expected


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b"\n", b"\n\n", b"\r", b"\r\n", b"xy"]), max_size=40).map(
        b"".join
    ),
    st.integers(1, 6),
    st.integers(0, 5),
)
def test_a_regex_region_of_lines_ends_where_libmagics_loop_ends_it(buf, lines, at):
    line = Line((0, False, 0, "regex", "l", lines, "=", b"x", True, ""))
    at = min(at, len(buf))
    end = at + min(lines * 80, len(buf) - at)
    assert line._regex_end(buf, at) == lines_end(buf, at, end, lines)
