"""Binary heads the first tier calls data: libmagic must say ``application/octet-stream`` too.

triage.sniff_data names a binary head ``application/octet-stream`` only where no soft-magic
path of libmagic's (file 5.44) to a MIME type may match, no built-in test claims it and it is
not text. Checked here against libmagic itself on every corpus file (its head, and slices of
the larger files the way a disk image holds files), every fixture, and heads like the bench's
small files (slices of Python's own modules, shared objects and byte code, random bytes,
zero-padded records, database pages), plus Hypothesis-made binary heads: wherever the tier
names one, libmagic agrees (no exception).
"""

from __future__ import annotations

import hashlib
import importlib.util
import pickle
import random
import sqlite3
import struct
import sys
import sysconfig
from pathlib import Path

import magic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import sniff_clauses, sniff_data, sniff_level0
from triage.sniff import SNIFF_BYTES, sniff
from triage.sniff_data import OCTET, data, may_match

HERE = Path(__file__).parent
LIBMAGIC = magic.Magic(mime=True)
MGC = Path("/usr/lib/file/magic.mgc")

pytestmark = pytest.mark.skipif(
    not sniff_data.ENABLED, reason="libmagic's database is not the one the clauses were built from"
)


def _named_but_not_data(heads: list[tuple[str, bytes]]) -> tuple[int, list[tuple[str, str]]]:
    """(heads the tier named, [(where, libmagic's MIME)] where libmagic says otherwise)."""
    named, wrong = 0, []
    for where, head in heads:
        if data(head) is None:
            continue
        named += 1
        other = LIBMAGIC.from_buffer(head)
        if other != OCTET:
            wrong.append((where, other))
    return named, wrong


def _files(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()]


def _slices(path: Path, rng: random.Random, count: int) -> list[tuple[str, bytes]]:
    """Pieces of a file at 4 KiB-aligned offsets, 100 B to 8 KiB long (a file inside it)."""
    size = path.stat().st_size
    found = []
    with open(path, "rb") as handle:
        for _ in range(count if size > 2 * SNIFF_BYTES else 0):
            at = rng.randrange(0, size - SNIFF_BYTES) & ~4095
            handle.seek(at)
            head = handle.read(min(SNIFF_BYTES, int(100 * 81.92 ** rng.random())))
            found.append((f"{path.name}@{at}", head))
    return found


def _heads(root: Path, slices: int = 0) -> list[tuple[str, bytes]]:
    rng = random.Random(5)
    heads = []
    for path in _files(root):
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
        if head:
            heads.append((str(path.relative_to(root)), head))
        heads += _slices(path, rng, slices)
    return heads


def test_every_corpus_file_it_names_is_data_to_libmagic(corpus):
    heads = _heads(corpus, slices=12)
    named, wrong = _named_but_not_data(heads)
    assert wrong == []
    assert named >= 200  # machine code, pages and records inside the images and databases


def test_every_fixture_it_names_is_data_to_libmagic():
    named, wrong = _named_but_not_data(_heads(HERE / "data", slices=4))
    assert wrong == []
    assert named >= 20


def _stdlib(suffixes: tuple[str, ...], limit: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    found = [p for p in sorted(root.rglob("*")) if p.suffix in suffixes and p.is_file()]
    return found[:: max(1, len(found) // limit)]


def _records(rng: random.Random) -> bytes:
    """Fixed-size records of small numbers, flags and short names, padded with zeros."""
    size = rng.choice((16, 32, 48, 64, 128))
    out = bytearray()
    for index in range(rng.randrange(2, 120)):
        fields = struct.pack(
            "<IHHQ", index + rng.randrange(3), rng.randrange(4), rng.randrange(1 << 16), 0
        ) + bytes(rng.choice(b"abcdefgh") for _ in range(rng.randrange(0, 9)))
        out += fields[:size].ljust(size, b"\0")
    return bytes(out[:SNIFF_BYTES])


def _database_pages(tmp: Path) -> list[tuple[str, bytes]]:
    path = tmp / "pages.db"
    with sqlite3.connect(path) as db:
        db.execute("create table t (id integer primary key, name text, size integer, blob)")
        db.execute("create index t_name on t (name)")
        db.executemany(
            "insert into t (name, size, blob) values (?, ?, ?)",
            ((f"file-{n}.bin", n * 37, bytes(n % 50)) for n in range(3000)),
        )
    raw = path.read_bytes()
    return [(f"page {n}", raw[n * 4096 : (n + 1) * 4096]) for n in range(1, len(raw) // 4096)]


def _bench_like_heads(tmp: Path) -> list[tuple[str, bytes]]:
    """Like bench/inputs.py's small files: slices of Python's own files at 4 KiB-aligned
    offsets (modules, shared objects, byte code), random bytes; and records and pages."""
    rng = random.Random(11)
    heads = []
    for path in _stdlib((".so", ".pyc", ".py", ".txt", ".html"), 300):
        heads += _slices(path, rng, 3)
        heads.append((path.name, path.read_bytes()[:SNIFF_BYTES]))
    heads += [(f"random {n}", rng.randbytes(rng.randrange(2, SNIFF_BYTES))) for n in range(300)]
    heads += [(f"records {n}", _records(rng)) for n in range(300)]
    return heads + _database_pages(tmp)


def test_bench_like_heads_it_names_are_data_to_libmagic(tmp_path):
    heads = _bench_like_heads(tmp_path)
    named, wrong = _named_but_not_data(heads)
    assert wrong == []
    assert named >= 0.3 * len(heads)


def _bench_pool(size: int = 16 << 20) -> bytes:
    """bench/inputs.py's compressible pool: this Python's own files, in a fixed order."""
    pool = bytearray()
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*")):
        if path.suffix in (".py", ".so", ".txt", ".html") and path.is_file():
            pool += path.read_bytes()
        if len(pool) >= size:
            break
    return bytes(pool[:size])


def test_the_bench_trees_slices_it_names_are_data_to_libmagic():
    """The bench's small files as bench/inputs.py cuts them (100 B - 64 KiB at 4 KiB-aligned
    offsets of the pool), their first 8 KiB."""
    pool, rng = _bench_pool(), random.Random(2)
    heads = []
    for index in range(2500):
        size = int(100 * 655.36 ** rng.random())
        start = rng.randrange(0, len(pool) - size) & ~4095
        heads.append((f"slice {index} at {start}", pool[start : start + min(size, SNIFF_BYTES)]))
    named, wrong = _named_but_not_data(heads)
    assert wrong == []
    assert named >= 0.3 * len(heads)


def test_a_named_entrys_own_mime_type_is_seen():
    """Matlab v4 (a use of the named entry "matlab4", whose MIME type is on its name line)."""
    head = bytes.fromhex("00000446350100292600002326000009 8fb7020049da0000".replace(" ", ""))
    head += bytes(12) + bytes.fromhex("49da0000000000000400") + bytes(200)
    assert LIBMAGIC.from_buffer(head) == "application/x-matlab-data"
    assert data(head) is None


def test_libmagics_data_among_binary_slices_is_mostly_named_here():
    """What the tier is for: slices of machine code and data that libmagic calls data."""
    rng = random.Random(3)
    heads = [h for path in _stdlib((".so",), 40) for _, h in _slices(path, rng, 5)]
    octet = [h for h in heads if LIBMAGIC.from_buffer(h) == OCTET]
    assert len(octet) >= 50
    named = sum(data(h) == OCTET for h in octet)
    assert named >= 0.8 * len(octet)


@pytest.mark.parametrize(
    "head",
    [
        b"\x78\x9c" + bytes(range(200)),  # zlib: libmagic's beshort%31 test
        b"\x7fELF\x02\x01\x01" + bytes(200),  # ELF
        b"MZ" + bytes(200),  # DOS executable
        b"PK\x03\x04" + bytes(200),  # zip
        b"\x00\x00\x01\xba" + bytes(200),  # MPEG program stream
        b"\x1f\x8b\x08" + bytes(200),  # gzip
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),  # CDF: a built-in test
        b"  [" + bytes(100),  # JSON's start: a built-in test
        b"text only, nothing else",  # text is libmagic's (and the text tier's)
        b"\xff\xfeh\x00i\x00",  # UTF-16 with a BOM
    ],
)
def test_heads_a_libmagic_test_may_claim_are_left_to_it(head):
    assert data(head) is None


@pytest.mark.parametrize("size", [2, 3, 300, 4096, 8192])
def test_nothing_but_nuls_is_data_as_libmagic_says(size):
    """libmagic drops trailing NULs before its text test but keeps one byte: all NULs is one
    NUL to it, not text, and no test with a MIME type matches (encoding.c, file 5.44)."""
    head = bytes(size)
    assert LIBMAGIC.from_buffer(head) == OCTET
    assert data(head) == OCTET
    assert sniff(head) == OCTET
    assert data(b"ab" + head) is None  # text, then NULs libmagic drops: text to it


def test_a_brace_that_cannot_open_json_is_not_taken_for_it():
    head = b"{\x00\x01" + bytes.fromhex("554889e5534883ec08488b05") * 40
    assert LIBMAGIC.from_buffer(head) == OCTET
    assert data(head) == OCTET
    assert data(b'{"a' + head) is None  # an object's first key: it may be JSON


def test_machine_code_and_records_are_named():
    code = bytes.fromhex("554889e5534883ec08488b05") * 40 + bytes(16) + b"\x01\x02" * 50
    assert LIBMAGIC.from_buffer(code) == OCTET
    assert data(code) == OCTET
    record = (struct.pack("<IIHH", 7, 1, 3, 0) + b"name.txt").ljust(64, b"\0") * 20
    assert LIBMAGIC.from_buffer(record) == OCTET
    assert data(record) == OCTET
    assert sniff(record) == OCTET  # wired into the first tier


def test_an_indexed_signature_anywhere_in_the_table_is_left_to_libmagic():
    """Every clause's own fixed bytes (with zeros elsewhere) make may_match say so."""
    for number, (need, fixed, *_) in enumerate(sniff_level0.CLAUSES):
        head = bytearray(max(need, 2))
        for start, end, _mask, value in fixed:
            head[start:end] = value.to_bytes(end - start, "big")
        if not _numeric_and_searches_hold(number, bytes(head)):
            continue
        assert may_match(bytes(head)), number


def _numeric_and_searches_hold(number: int, head: bytes) -> bool:
    _, _, *rest = sniff_level0.CLAUSES[number]
    return sniff_data._holds(head, (0, (), *rest))


def _builder():
    path = HERE / "data" / "sniff" / "build_magic_level0.py"
    spec = importlib.util.spec_from_file_location("build_magic_level0", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclass looks its module up)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not MGC.is_file(), reason="no compiled magic at /usr/lib/file")
def test_the_table_is_the_one_built_from_this_libmagics_database():
    if hashlib.sha256(MGC.read_bytes()).hexdigest() != sniff_level0.MGC_SHA256:
        pytest.skip("another magic.mgc than the one the table was built from")
    builder = _builder()
    assert builder.tables(builder.build(MGC)) == pickle.loads(builder.TARGET.read_bytes())


def test_a_regex_needs_its_longest_literal_run():
    literal = _builder().regex_literal
    assert literal(rb"dryad-bibo/v[0-9]\.[0-9]") == b"dryad-bibo/v"
    assert literal(rb"^(abc)?def+gh") == b"def"
    assert literal(rb"a|b") == b""


_FIELD = st.one_of(
    st.integers(0, 0xFFFF).map(lambda v: v.to_bytes(2, "little")),
    st.integers(0, 0xFFFFFFFF).map(lambda v: v.to_bytes(4, "little")),
    st.integers(0, 0xFF).map(lambda v: bytes([v])),
    st.integers(1, 32).map(bytes),
    st.binary(max_size=12),
    st.sampled_from([b"\xff\xff", b"\x01\x00\x00\x00", b"\x00\x00\x00\x01", b"\x7f", b"\x80"]),
)
_RECORD = st.lists(_FIELD, min_size=1, max_size=8).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(_RECORD, st.integers(1, 80), st.binary(max_size=24), st.integers(0, 300))
def test_structured_binary_heads_it_names_are_data_to_libmagic(record, repeat, tail, pad):
    head = (record * repeat + tail + bytes(pad))[:SNIFF_BYTES]
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=2, max_size=600))
def test_any_bytes_it_names_are_data_to_libmagic(head):
    if data(head) is not None:
        assert LIBMAGIC.from_buffer(head) == OCTET


def test_each_compiled_clause_says_what_the_clause_says():
    """triage.sniff_clauses' function for each clause against the clause read test by test
    (sniff_data._holds), on heads that carry its fixed bytes over zeros, over random bytes and
    cut short, and on one that lacks them."""
    rng = random.Random(19)
    helpers = sniff_data._HELPERS
    for number, clause in enumerate(sniff_level0.CLAUSES):
        check = sniff_clauses.function(number, clause, helpers)
        need, fixed, *_ = clause
        for filler in (bytes(max(need, 2) + 40), rng.randbytes(max(need, 2) + 40)):
            head = bytearray(filler)
            for start, end, _mask, value in fixed:
                head[start:end] = value.to_bytes(end - start, "big")
            for cut in (len(head), max(need, 2), max(need - 1, 2)):
                assert check(bytes(head[:cut])) == sniff_data._holds(bytes(head[:cut]), clause)
        assert check(filler) == sniff_data._holds(filler, clause), number
    everything = sniff_clauses.any_of(sniff_level0.LOOSE, sniff_level0.CLAUSES, helpers)
    for head in (bytes(600), rng.randbytes(600), b"<!DOCTYPE svg" + bytes(9)):
        expected = any(sniff_data._holds(head, sniff_level0.CLAUSES[n]) for n in sniff_level0.LOOSE)
        assert everything(head) == expected


def test_loose_clauses_found_by_their_literals_answer_as_all_tried():
    """The clauses with no indexed place, each tried only where one scan found its longest
    literal, hold where trying all of them does: on heads that carry each clause's literals
    (in other case too) where its searches look, over random bytes, NULs and text."""
    rng = random.Random(7)
    scanned = sniff_data._LooseClauses(sniff_level0.LOOSE, sniff_level0.CLAUSES)
    by_hand = sniff_data._LooseClauses(sniff_level0.LOOSE, sniff_level0.CLAUSES, accelerated=False)
    heads = [bytes(600), rng.randbytes(600), b"<!DOCTYPE svg" + bytes(9), b"#FIG 3.2\n" * 9]
    for number in sniff_level0.LOOSE:
        searches = sniff_level0.CLAUSES[number][3]
        for filler in (bytes(300), rng.randbytes(300), b"text " * 60):
            head = bytearray(filler)
            for start, _end, literal, caseless, _to_nul in searches:
                head[start : start + len(literal)] = literal.upper() if caseless else literal
            heads.append(bytes(head))
    held = 0
    for head in heads:
        expected = any(sniff_data._holds(head, sniff_level0.CLAUSES[n]) for n in sniff_level0.LOOSE)
        assert scanned(head) == by_hand(head) == expected
        held += expected
    assert held >= 5  # (the planted literals make some clauses hold)


def test_only_a_tar_header_whose_checksum_adds_up_is_left_to_libmagic():
    """is_tar.c claims 512 bytes whose checksum field is their sum (the field as blanks): a
    real header is tar to both tiers; one whose checksum field parses but does not add up is
    data to libmagic, and to the data check."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        info = tarfile.TarInfo("evidence.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    header = buffer.getvalue()[:SNIFF_BYTES]
    assert LIBMAGIC.from_buffer(header) == "application/x-tar"
    assert sniff_data.tar_header(header)
    assert data(header) is None
    wrong = bytearray(random.Random(4).randbytes(600))  # a checksum field that parses
    wrong[148:156] = b"0001234\0"  # (668) but is not these bytes' sum
    assert sniff_data._tar_checksum(bytes(wrong)) == 0o1234
    assert not sniff_data.tar_header(bytes(wrong))
    assert LIBMAGIC.from_buffer(bytes(wrong)) == OCTET
    assert data(bytes(wrong)) == OCTET
