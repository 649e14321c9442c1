#!/usr/bin/env python3
"""Build ``triage/sniff_level0.py``: when libmagic's soft magic may give a binary head a MIME type.

    python3 tests/data/sniff/build_magic_level0.py /usr/lib/file/magic.mgc

libmagic (file 5.44, as Debian 12 ships it; python-magic's ``Magic(mime=True)``, flags
MAGIC_MIME_TYPE only) types a buffer that is not text in any of its encodings by its soft magic
alone: it walks the top-level (level-0) tests of its compiled database in order and stops at
the first that matches with a line carrying a description or a MIME type. In MIME mode only a
matched line's ``!:mime`` is printed (or what an ``indirect`` test prints), so a buffer gets a
MIME type other than ``application/octet-stream`` only where a *path* of matched lines (a
level-0 test, then a continuation of it, then one of that...) reaches a line with a MIME type,
an ``indirect`` test, or a ``use`` of a named entry that holds one. This reads the compiled
database itself (struct magic of file 5.44's src/file.h, 376 bytes a line, VERSIONNO 18) and
writes every such path as a *clause*: the conjunction of the tests on its lines that this
script can state exactly, conservatively (a test it cannot state, such as an indirect offset,
an offset relative to a previous match, a regex or a mask operator it does not model, is left
out of the clause: assumed to match). A head for which no clause holds cannot be given a MIME
type by soft magic.

Which level-0 tests run on a binary buffer is libmagic's own rule (softmagic.c ``match``):
the BINTEST flag set at compile time, and for string-like tests not flagged text-only (``/t``).
Negative (from the end) offsets never match a buffer (``buffer_fill`` needs a file), so their
tests are dropped. Paths are followed to a depth of :data:`MAX_DEPTH` and while an entry has at
most :data:`MAX_CLAUSES` clauses; past that the clause stops at the last line followed (which
only makes it match more often).

Each clause is written as (need, fixed, numeric, searches): ``need`` the length a head must
have (libmagic does not match a test that reads past the end of the buffer, except ``!``),
``fixed`` byte constraints ``(start, end, mask, value)`` on ``int.from_bytes(head[start:end])``
(equality tests on numbers, strings, GUIDs), ``numeric`` the other relations on numbers,
``searches`` bytes that must occur in a range. The clauses are indexed by one of their fixed
constraints (``GROUPS``), so a head is checked with one slice and one dict lookup per group;
clauses with no fixed constraint are ``LOOSE``.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TARGET = Path(__file__).resolve().parents[3] / "triage" / "sniff_level0.py"
RECORD = 376  # sizeof(struct magic), file 5.44
MAGICNO, VERSIONNO = 0xF11E041C, 18
MAX_DEPTH = 12
MAX_CLAUSES = 64
MAX_KEY = 4  # bytes of a clause's index key
MAX_FREE_BITS = 6  # a key with bits that may be anything is indexed under each of their values

# struct magic: flag bits, types (src/file.h, FILE5_44)
INDIR, OFFADD, INDIROFFADD, UNSIGNED, BINTEST, OFFNEGATIVE = 0x01, 0x02, 0x04, 0x08, 0x20, 0x80
STRING_COMPACT_WS, STRING_OPTIONAL_WS = 1, 2
STRING_IGNORE_LOWER, STRING_IGNORE_UPPER = 4, 8
STRING_TEXTTEST, STRING_BINTEST = 0x20, 0x40
FILE_OPAND, FILE_OPMODULO, FILE_OPS_MASK, FILE_OPINVERSE = 0, 7, 7, 0x40
# numeric type -> (width, little-endian); "short"/"long"/"quad" are native (little on amd64)
NUMERIC = {
    1: (1, True), 2: (2, True), 4: (4, True), 7: (2, False), 8: (4, False), 10: (2, True),
    11: (4, True), 24: (8, True), 25: (8, True), 26: (8, False),
}  # fmt: skip
STRING, SEARCH, REGEX, LESTRING16, INDIRECT, NAME, USE, GUID = 5, 20, 17, 19, 41, 45, 46, 49
STRINGLIKE = {5, 13, 17, 18, 19, 20, 41, 45, 46, 59}  # IS_STRING()
# other fixed-size types -> bytes they read (dates, floats, MS-DOS dates and times)
WIDTHS = {
    6: 4, 9: 4, 12: 4, 14: 4, 15: 4, 16: 4, 21: 4, 22: 4, 23: 4, 27: 8, 28: 8, 29: 8, 30: 8,
    31: 8, 32: 8, 33: 4, 34: 4, 35: 4, 36: 8, 37: 8, 38: 8, 42: 8, 43: 8, 44: 8, 53: 2, 54: 2,
    55: 2, 56: 2, 57: 2, 58: 2,
}  # fmt: skip
SPACE = b" \t\n\v\f\r"
REGEX_LINE_COUNT = 1 << 11
REGEX_MAX = 8192  # FILE_REGEX_MAX: the bytes a regex test sees


class Line:
    """One line of the compiled database and its continuations."""

    def __init__(self, raw: bytes) -> None:
        fields = struct.unpack_from("<HBBBBBBBBBBiiIQ", raw)
        self.level, self.flag, reln, self.vallen, self.type = fields[0], fields[1], *fields[3:6]
        self.mask_op, self.offset, self.lineno, self.mask = fields[8], *fields[11:12], *fields[13:]
        self.reln = chr(reln)
        self.str_range, self.str_flags = self.mask & 0xFFFFFFFF, self.mask >> 32
        self.value = raw[32:160]
        self.q = int.from_bytes(raw[32:40], "little")
        self.mime = raw[224:304].split(b"\0")[0]
        self.children: list[Line] = []

    @property
    def name(self) -> bytes:
        return self.value.split(b"\0")[0].lstrip(b"^")


def read(path: Path) -> tuple[list[Line], list[Line]]:
    """The level-0 lines (with their continuations attached) of the two sets."""
    data = path.read_bytes()
    magic, version, n0, n1 = struct.unpack_from("<4I", data)
    if (magic, version) != (MAGICNO, VERSIONNO) or len(data) != RECORD * (1 + n0 + n1):
        raise SystemExit(f"{path}: not a file 5.44 compiled magic (version {version})")
    sets = []
    for start, count in ((1, n0), (1 + n0, n1)):
        tops: list[Line] = []
        stack: list[Line] = []
        for index in range(start, start + count):
            line = Line(data[index * RECORD : (index + 1) * RECORD])
            del stack[line.level :]
            if stack:
                stack[-1].children.append(line)
            else:
                tops.append(line)
            stack.append(line)
        sets.append(tops)
    return sets[0], sets[1]


@dataclass(frozen=True)
class Rules:
    """The named entries (``use``) and what a line leads to."""

    names: dict
    bearing: Callable[[Line], bool]
    terminal: Callable[[Line], bool]


def build(mgc: Path) -> dict:
    tops, named = read(mgc)
    names = {top.name: top for top in named}
    bearing_cache: dict[int, bool] = {}

    def bearing(line: Line, seen: frozenset = frozenset()) -> bool:
        """Whether a path through this line can print a MIME type (or hand over to more)."""
        if id(line) in bearing_cache:
            return bearing_cache[id(line)]
        result = terminal(line, seen) or any(bearing(child, seen) for child in line.children)
        bearing_cache[id(line)] = result
        return result

    def terminal(line: Line, seen: frozenset = frozenset()) -> bool:
        if line.mime or line.type == INDIRECT:
            return True
        if line.type == USE:
            target = names.get(line.name)
            if target is None or line.name in seen:
                return True  # unknown, or used within itself: assumed to lead to one
            return bearing(target, seen | {line.name})
        return False

    rules = Rules(names, bearing, terminal)
    clauses: list[tuple] = []
    for top in tops:
        if not top.flag & BINTEST or top.flag & OFFNEGATIVE:
            continue
        if top.type in STRINGLIKE and top.str_flags & 0x60 == STRING_TEXTTEST:
            continue
        if not bearing(top):
            continue
        for atoms in paths(top, 0, rules):
            clause = merge(atoms)
            if clause is not None:
                clauses.append(clause)
    return index(sorted(set(clauses)), mgc)


def paths(line: Line, depth: int, rules: Rules, parent_end: int | None = None, base: int = 0):
    """The atoms of every path from ``line`` to a line that may print a MIME type (only the
    children through which one can be reached are followed). ``parent_end`` is where the
    parent's match ended (libmagic's base for a ``&`` offset) when it is known; ``base`` the
    offset a named entry was used at (its offsets count from there)."""
    at = resolve(line, parent_end, base)
    own = atoms_of(line, depth, at)
    if own is None:
        return []
    own = inside_named(own, base) if base else own
    found = []
    if line.type == USE and not line.mime and at is not None and depth < MAX_DEPTH:
        target = rules.names.get(line.name)
        if target is None or line.value.startswith(b"^") or target.mime:
            # unknown, or with its byte order flipped: not followed; a MIME type on the name
            # line itself is printed as soon as the entry is used
            return [own]
        # the named entry's lines, counted from where it is used (its own line ends there)
        found += [
            own + rest
            for child in target.children
            if rules.bearing(child)
            for rest in paths(child, depth + 1, rules, at, at)
        ]
    elif rules.terminal(line) or depth >= MAX_DEPTH:
        return [own]
    end = end_of(line, at)
    found += [
        own + rest
        for child in line.children
        if rules.bearing(child)
        for rest in paths(child, depth + 1, rules, end, base)
    ]
    return [own] if len(found) > MAX_CLAUSES else found


def inside_named(atoms: list[tuple], base: int) -> list[tuple]:
    """Atoms of a line in a named entry used at ``base``: libmagic checks the end of the buffer
    against the offset without the base (mget's OFFSET_OOB) but reads at the offset with it,
    zeros past the end (mcopy); an indirect test there counts from elsewhere (not followed)."""
    out: list[tuple] = []
    for atom in atoms:
        if atom[0] == "need":
            out.append(("need", atom[1] - base))
        elif atom[0] == "fixed":
            out.append(("padded", *atom[1:]))
        elif atom[0] == "numeric":
            out.append((*atom[:-1], base))
        elif atom[0] != "indirect":
            out.append(atom)
    return out


def resolve(line: Line, parent_end: int | None, base: int = 0) -> int | None:
    """The offset a line reads at, where it does not depend on the data (softmagic.c's
    msetoffset: ``&n`` is n past where the parent's match ended, ``&-n`` is stored as n with
    OFFNEGATIVE); None when it does."""
    if line.flag & (INDIR | INDIROFFADD):
        return None
    if line.flag & OFFADD:
        if parent_end is None:
            return None
        at = parent_end - line.offset if line.flag & OFFNEGATIVE else parent_end + line.offset
        return at if at >= 0 else None
    return None if line.flag & OFFNEGATIVE or line.offset < 0 else base + line.offset


def end_of(line: Line, at: int | None) -> int | None:
    """Where a matched line's match ends (softmagic.c's moffset), when the data does not say."""
    if at is None:
        return None
    if line.type in NUMERIC:
        return at + NUMERIC[line.type][0]
    if line.type in WIDTHS:
        return at + WIDTHS[line.type]
    if line.type in (STRING, 13, 18, LESTRING16, 59) and line.reln in "=!":
        return at + line.vallen
    if line.type == GUID:
        return at + 16
    if line.type in (3, 41, 46, 47, 50):  # default, indirect, use, clear, offset
        return at
    return None


def atoms_of(line: Line, depth: int, at: int | None) -> list[tuple] | None:
    """What this line's test requires, as atoms; [] when not stated (assumed to match), None
    when it can never match a buffer. ``at``: the offset it reads at, None if not known."""
    if line.flag & OFFNEGATIVE and (depth == 0 or not line.flag & (OFFADD | INDIROFFADD)):
        return None  # from the end: buffer_fill() fails on a buffer, the entry is flushed
    reln = line.reln
    literal, caseless = b"", False
    if line.type in (STRING, SEARCH) and reln == "=":
        literal, caseless = string_literal(line)
    elif line.type == REGEX and reln == "=":
        literal = regex_literal(line.value.split(b"\0")[0])
        caseless = bool(line.str_flags & (STRING_IGNORE_LOWER | STRING_IGNORE_UPPER))
    literal = literal.lower() if caseless else literal
    if at is None:
        # wherever the test reads, it reads this buffer: its bytes must be somewhere in it
        return [("search", 0, -1, literal, caseless, False)] if literal else []
    if line.type == INDIRECT:
        # libmagic's whole database on the buffer from there on (never from offset 0)
        if line.str_flags & 1:  # INDIRECT_RELATIVE: the base inside a named entry
            return []
        return [("indirect", at)] if at else None
    if line.type in NUMERIC:
        return numeric(line, at, reln)
    if line.type == STRING and reln == "=" and line.vallen:
        return string_atoms(line, at)
    if line.type == SEARCH and reln == "=" and line.vallen:
        end = at + line.str_range + line.vallen if line.str_range else -1
        atoms: list[tuple] = [("need", at + line.vallen)]
        return atoms + ([("search", at, end, literal, caseless, False)] if literal else [])
    if line.type == REGEX and reln == "=":
        # regexec() sees a C string: the range from the offset, up to its first NUL
        if line.str_flags & REGEX_LINE_COUNT:
            end = at + 80 * line.str_range if line.str_range else -1
        else:
            end = at + line.str_range if line.str_range else -1
        if end == -1 or end - at > REGEX_MAX:
            end = at + REGEX_MAX
        return [("search", at, end, literal, caseless, True)] if literal else []
    if line.type == GUID and reln == "=":
        return [("need", at + 16), ("fixed", at, line.value[:16], b"\xff" * 16)]
    if line.type == LESTRING16 and reln == "=" and line.vallen:
        # 8-bit characters at every other byte; a NUL may stand for a blank
        # (only the first: past the end of the buffer libmagic compares what its copy held)
        first = line.value[0]
        if first in SPACE or first == 0:
            return []
        return [("need", at + 1), ("fixed", at, bytes([first]), b"\xff")]
    if line.type in (STRING, SEARCH, 13, 59) and reln != "!" and line.vallen:
        return [("need", at + line.vallen)]
    return []


def string_literal(line: Line) -> tuple[bytes, bool]:
    """The bytes a string or search test needs to find (up to its first blank when blanks are
    optional or compacted), and whether their case may differ."""
    value = line.value[: line.vallen]
    if line.str_flags & (STRING_COMPACT_WS | STRING_OPTIONAL_WS):
        value = value[: min((value.index(c) for c in value if c in SPACE), default=len(value))]
    return value, bool(line.str_flags & (STRING_IGNORE_LOWER | STRING_IGNORE_UPPER))


def regex_literal(pattern: bytes) -> bytes:
    """The longest run of bytes every match of a POSIX extended regex contains (b"" if none
    is sure: alternatives, groups, classes and repeated or optional atoms break a run)."""
    if b"|" in pattern:
        return b""
    runs, run, index, depth = [b""], bytearray(), 0, 0
    while index < len(pattern):
        char = pattern[index]
        token: int | None = None
        if char == 0x5C and index + 1 < len(pattern):  # backslash
            following = pattern[index + 1]
            token = None if chr(following).isalnum() else following
            index += 2
        elif char == 0x5B:  # a bracket expression: skip to its end
            end = index + 1
            end += pattern[end : end + 1] == b"^"
            end += pattern[end : end + 1] == b"]"
            close = pattern.find(b"]", end)
            index = len(pattern) if close < 0 else close + 1
        else:
            depth += (char == 0x28) - (char == 0x29)
            token = None if char in b"().^$*?+{}" else char
            index += 1
        quantifier = pattern[index : index + 1]
        if quantifier in (b"*", b"?", b"{"):
            token = None
        if token is None or depth:
            runs.append(bytes(run))
            run = bytearray()
            continue
        run.append(token)
        if quantifier == b"+":
            runs.append(bytes(run))
            run = bytearray()
    runs.append(bytes(run))
    return max(runs, key=len)


def numeric(line: Line, at: int, reln: str) -> list[tuple] | None:
    width, little = NUMERIC[line.type]
    bits = 8 * width
    signed = not line.flag & UNSIGNED
    if line.mask_op & FILE_OPINVERSE or line.mask_op & 0x80:
        return [] if reln == "!" else [("need", at + width)]
    op = line.mask_op & FILE_OPS_MASK if line.mask else FILE_OPAND
    mask = line.mask & ((1 << bits) - 1) if line.mask else (1 << bits) - 1
    if op == FILE_OPAND and reln == "=":
        if signed:
            low = line.q & ((1 << bits) - 1)
            extended = (low - (1 << bits) if low >> (bits - 1) else low) & ((1 << 64) - 1)
            if extended != line.q:
                return None
            target = low
        else:
            if line.q >> bits:
                return None
            target = line.q
        if target & ~mask:
            return None
        raw_value = target.to_bytes(width, "little" if little else "big")
        raw_mask = mask.to_bytes(width, "little" if little else "big")
        return [("need", at + width), ("fixed", at, raw_value, raw_mask)]
    if reln not in "=!&^<>" or op not in (FILE_OPAND, FILE_OPMODULO):
        return [("need", at + width)] if reln != "!" else []
    if op == FILE_OPMODULO and (line.mask & ((1 << bits) - 1)) == 0:
        return None  # libmagic: an error, no match
    # (offset, width, little, signed, op, operand, relation, value, base of a named entry)
    operand = line.mask & ((1 << bits) - 1) if line.mask else -1
    atom = ("numeric", at, width, little, signed, op, operand, reln, line.q, 0)
    return [atom] if reln == "!" else [("need", at + width), atom]


def string_atoms(line: Line, at: int) -> list[tuple]:
    """A string compared at a fixed offset: its bytes up to the first blank when blanks are
    optional or compacted (flags w/W), letters in either case with flags c/C."""
    flags = line.str_flags
    value = line.value[: line.vallen]
    pattern, mask = bytearray(), bytearray()
    for char in value:
        if flags & (STRING_COMPACT_WS | STRING_OPTIONAL_WS) and char in SPACE:
            break
        lower, upper = 97 <= char <= 122, 65 <= char <= 90
        if (flags & STRING_IGNORE_LOWER and lower) or (flags & STRING_IGNORE_UPPER and upper):
            pattern.append(char & 0xDF)
            mask.append(0xDF)
        else:
            pattern.append(char)
            mask.append(0xFF)
    atoms: list[tuple] = [("need", at + line.vallen)]
    if pattern:
        atoms.append(("fixed", at, bytes(pattern), bytes(mask)))
    return atoms


def merge(atoms: list[tuple]) -> tuple | None:
    """A clause from its atoms: byte constraints merged per position (None if they conflict)."""
    need = 0
    known: dict[str, dict[int, tuple[int, int]]] = {"fixed": {}, "padded": {}}
    others: list[tuple] = []
    searches: list[tuple] = []
    indirect: list[int] = []
    for atom in atoms:
        if atom[0] == "need":
            need = max(need, atom[1])
        elif atom[0] in known:
            _, at, pattern, mask = atom
            into = known[atom[0]]
            for position, (value, bits) in enumerate(zip(pattern, mask, strict=True), at):
                old_bits, old_value = into.get(position, (0, 0))
                if (old_value ^ value) & old_bits & bits:
                    return None
                into[position] = (old_bits | bits, (old_value & old_bits) | (value & bits))
        elif atom[0] == "numeric":
            others.append(atom[1:])
        elif atom[0] == "indirect":
            indirect.append(atom[1])
        else:
            searches.append(atom[1:])
    if known["fixed"] and max(known["fixed"]) >= need:
        raise AssertionError(f"a fixed byte past what the clause needs: {atoms}")
    return (
        need,
        runs(known["fixed"]),
        tuple(sorted(set(others))),
        tuple(sorted(set(searches))),
        tuple(sorted(set(indirect))),
        runs(known["padded"]),
    )


def runs(known: dict[int, tuple[int, int]]) -> tuple:
    """Byte constraints as runs (start, end, mask, value) of up to 8 bytes."""
    fixed: list[tuple[int, int, int, int]] = []
    for position in sorted(p for p in known if known[p][0]):
        bits, value = known[position]
        if fixed and fixed[-1][1] == position and fixed[-1][1] - fixed[-1][0] < 8:
            start, _, old_bits, old_value = fixed[-1]
            fixed[-1] = (start, position + 1, old_bits << 8 | bits, old_value << 8 | value)
        else:
            fixed.append((position, position + 1, bits, value))
    return tuple(fixed)


def key_of(clause: tuple) -> tuple | None:
    """The clause's index key: its most selective run of fixed bytes (at most MAX_KEY), where
    a byte that must be zero counts for little (binary data is full of zeros)."""
    best, best_score = None, 0.0
    for start, end, bits, value in clause[1]:
        size = end - start
        for offset in range(size):
            for take in range(1, min(MAX_KEY, size - offset) + 1):
                shift = 8 * (size - offset - take)
                window = (bits >> shift) & ((1 << 8 * take) - 1)
                wanted = (value >> shift) & window
                score = (
                    sum(
                        bin((window >> 8 * i) & 0xFF).count("1")
                        * (1 if (wanted >> 8 * i) & 0xFF else 0.25)
                        for i in range(take)
                    )
                    - 0.1 * take
                )
                free = 8 * take - bin(window).count("1")
                if score > best_score and free <= MAX_FREE_BITS:
                    best_score = score
                    best = (start + offset, start + offset + take, window, wanted)
    return best if best_score >= 1 else None


def index(clauses: list[tuple], mgc: Path) -> dict:
    groups: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(list))
    loose = []
    for number, clause in enumerate(clauses):
        key = key_of(clause)
        if key is None:
            loose.append(number)
            continue
        start, end, bits, value = key
        size = end - start
        free = [bit for bit in range(8 * size) if not bits >> bit & 1]
        for variant in range(1 << len(free)):
            filled = value
            for place, bit in enumerate(free):
                if variant >> place & 1:
                    filled |= 1 << bit
            groups[(start, end)][filled.to_bytes(size, "big")].append(number)
    return {
        "sha256": hashlib.sha256(mgc.read_bytes()).hexdigest(),
        "size": mgc.stat().st_size,
        "clauses": clauses,
        "groups": groups,
        "loose": loose,
    }


def render(table: dict) -> str:
    lines = [
        '"""When libmagic 5.44\'s soft magic may give a binary head a MIME type (generated: do',
        "not edit).",
        "",
        "Built by tests/data/sniff/build_magic_level0.py from the compiled magic.mgc whose",
        "SHA-256 is MGC_SHA256; see there for what a clause is.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        f'MGC_SHA256 = "{table["sha256"]}"',
        f"MGC_SIZE = {table['size']!r}",
        "# (need, ((start, end, mask, value), ...), numeric tests, searches, indirect offsets,",
        "#  byte constraints read with zeros past the end)",
        "CLAUSES: tuple = (",
    ]
    lines += [f"    {clause!r}," for clause in table["clauses"]]
    lines.append(")")
    lines.append("# (start, end, {head[start:end]: clause numbers})")
    lines.append("GROUPS: tuple = (")
    for (start, end), keys in sorted(table["groups"].items()):
        body = ", ".join(f"{key!r}: {tuple(numbers)!r}" for key, numbers in sorted(keys.items()))
        lines.append(f"    ({start}, {end}, {{{body}}}),")
    lines.append(")")
    lines.append(f"LOOSE: tuple = {tuple(table['loose'])!r}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.write_text(
        render(build(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/file/magic.mgc"))),
        "utf-8",
    )
