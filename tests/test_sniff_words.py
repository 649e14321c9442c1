"""The text pass's two word finders give the same answers: Hyperscan's one pass over the head
and the plain-Python set of all words (the fallback where the wheel is missing)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import sniff_text
from triage.literal_scan import LiteralScan
from triage.sniff_cues import TEXT_TESTS
from triage.sniff_words import ScannedWords, SplitWords, word_finder

pytest.importorskip("hyperscan")

WORDS = [b"import", b"class", b"def", b"in", b"include", b"_init", b"x"]
STARTS = [b"func", b"fun", b"inc", b"__"]
RUNS = [b"port", b"ass", b"nclu"]
LITERALS = [(b"<?php", True), (b"\nC", False), (b"\nc", True), (b"(y)", True), (b"\xe9\0", False)]

# pieces that make words, near-words and every kind of separator, in any case
PIECES = st.sampled_from(
    WORDS
    + STARTS
    + RUNS
    + [b"IMPORT", b"Class", b"tion", b"s", b"1", b" ", b"\n", b"\t", b"(", b".", b"\xe9", b"\0"]
    + [b"<?PHP", b"<?php", b"C", b"c", b"y)"]
)
TEXT = st.lists(PIECES, max_size=60).map(b"".join)


def _same(text: bytes, scanned, split, words) -> None:
    lowered = text.lower()
    fast, slow = scanned(text, lowered), split(text, lowered)
    assert fast.every == slow.every & set(words)
    assert fast.starts == slow.starts
    assert fast.runs == slow.runs
    assert fast.literals == slow.literals


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_hyperscan_finds_what_the_word_set_finds(text):
    _same(
        text,
        ScannedWords(WORDS, STARTS, RUNS, LITERALS),
        SplitWords(STARTS, RUNS, LITERALS),
        WORDS,
    )


def test_known_words_starts_runs_and_literals():
    find = ScannedWords(WORDS, STARTS, RUNS, LITERALS)
    text = b"from x import (Y)\nclassy"
    found = find(text, text.lower())
    assert found.every == {b"x", b"import"}  # "classy" is not "class"
    assert found.starts == set()
    assert found.runs == {b"port", b"ass"}
    assert found.literals == {(b"(y)", True), (b"\nc", True)}  # "\nC" is case-sensitive
    text = b"function include_ 3def2\nC <?PHP"
    found = find(text, text.lower())
    assert found.every == {b"def"}  # digits are not letters: they end a word
    assert found.starts == {b"func", b"fun", b"inc"}
    assert found.runs == {b"nclu"}
    assert found.literals == {(b"\nC", False), (b"\nc", True), (b"<?php", True)}


@pytest.fixture(scope="module")
def split_pass() -> sniff_text.TextPass:
    return sniff_text.TextPass(
        TEXT_TESTS, finder=lambda words, starts, runs, literals: SplitWords(starts, runs, literals)
    )


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(sorted(sniff_text.text_pass.words) + [b"\n", b"(", b":"])))
def test_the_text_pass_answers_alike_with_either_finder(split_pass, pieces):
    head = b" ".join(pieces)
    assert split_pass(head) == sniff_text.text_pass(head)


def test_the_quickest_finder_is_taken():
    assert isinstance(word_finder(WORDS, STARTS, RUNS, LITERALS), ScannedWords)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_a_literal_scan_finds_what_in_finds(text):
    """Each literal once, caseless ones in any ASCII case, one with a NUL too."""
    literals = [*LITERALS, (b"ort", False), (b"\0", False), (b"S", True)]
    expected = sorted(LiteralScan(literals, accelerated=False)(text))
    assert sorted(LiteralScan(literals)(text)) == expected
    assert expected == [
        index
        for index, (value, caseless) in enumerate(literals)
        if (value.lower() in text.lower() if caseless else value in text)
    ]


HEADS = [
    b"import os\nimport sys\n\n\ndef main(argv):\n    return 0\n",
    b"#include <stdio.h>\nint main(void) { return 0; }\n",
    b"class Foo\n  include Bar::Baz\nend\n",
    b"<?php echo 'hi'; ?>\n",
    b"Dear reader,\nthis is plain text (mostly).\n" * 20,
    b"#!/bin/sh\necho hi\n",
    b"CFLAGS = -O2\nall: x\n",
    b"\xe9\x10\x00" + bytes(range(256)) * 8,
    bytes(range(256)) * 4,
]


def test_the_first_tier_types_alike_without_hyperscan():
    """Where the wheel is missing (an ARM machine) the plain-Python finders give every
    answer the accelerated ones give."""
    import json
    import subprocess
    import sys

    from triage.sniff import sniff

    script = (
        "import sys, json; sys.modules['hyperscan'] = None\n"
        "from triage import literal_scan\n"
        "from triage.sniff import sniff\n"
        "assert not literal_scan.ACCELERATED\n"
        "heads = [bytes.fromhex(h) for h in json.loads(sys.stdin.read())]\n"
        "print(json.dumps([sniff(h) for h in heads]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([head.hex() for head in HEADS]),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [sniff(head) for head in HEADS]
    assert sniff(HEADS[0]) == "text/x-script.python"


def _production_scans() -> list[LiteralScan]:
    from triage.sniff_data import _any_loose

    finder = sniff_text.text_pass.find_words
    scans = [value for value in vars(finder).values() if isinstance(value, LiteralScan)]
    return [*scans, _any_loose._keys]


@settings(max_examples=300, deadline=None)
@given(
    scan=st.sampled_from(_production_scans()),
    size=st.sampled_from([15, 16, 17, 31, 32, 33, 64, 65, 511, 4096, 8192]),
    seed=st.integers(0, 2**32),
    planted=st.lists(st.tuples(st.integers(0, 8192), st.integers(0, 1000), st.booleans())),
)
def test_the_production_scans_find_literals_anywhere_in_a_long_head(scan, size, seed, planted):
    """Hyperscan's literal mode, on heads of every length with the literals planted anywhere
    (its regex mode misses matches past the first ~16 bytes on this machine's AVX-512 path:
    bench/README, fifth round; each literal is compared with ``in`` here)."""
    rng = random.Random(seed)
    text = bytearray(rng.randbytes(size) if seed % 2 else rng.choice([b" ", b"x", b"\n"]) * size)
    for at, which, swap in planted:
        value, caseless = scan.literals[which % len(scan.literals)]
        if caseless and swap:
            value = value.swapcase()
        text[at % (len(text) + 1) : at % (len(text) + 1)] = value
    head = bytes(text)
    expected = {
        index
        for index, (value, caseless) in enumerate(scan.literals)
        if (value.lower() in head.lower() if caseless else value in head)
    }
    assert set(scan(head)) == expected
