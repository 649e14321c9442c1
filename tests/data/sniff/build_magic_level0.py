#!/usr/bin/env python3
"""Build ``triage/sniff_level0.pickle`` (loaded by ``triage/sniff_level0.py``): when libmagic's
soft magic may give a binary head a MIME type.

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
script can state exactly (:mod:`magic_atoms`), conservatively (a test it cannot state, such as
an indirect offset, a regex beyond its literal runs or a mask operator it does not model, is
left out of the clause: assumed to match). A head for which no clause holds cannot be given a
MIME type by soft magic. Named entries (``use``) at a known offset are followed into.

Which level-0 tests run on a binary buffer is libmagic's own rule (softmagic.c ``match``):
the BINTEST flag set at compile time, and for string-like tests not flagged text-only (``/t``).
Negative (from the end) offsets never match a buffer (``buffer_fill`` needs a file), so their
tests are dropped. Paths are followed to a depth of :data:`MAX_DEPTH` and while an entry has at
most :data:`MAX_CLAUSES` clauses; past that the clause stops at the last line followed (which
only makes it match more often).

Each clause is written as (need, fixed, numeric, searches, indirect, padded, regexes,
pointers): ``need`` the
length a head must have (libmagic does not match a test that reads past the end of the buffer,
except ``!``), ``fixed`` byte constraints ``(start, end, mask, value)`` on
``int.from_bytes(head[start:end])`` (equality tests on numbers, strings, GUIDs), ``numeric``
the other relations on numbers, ``searches`` bytes that must occur in a range, ``indirect``
offsets from which the whole check must hold again, ``padded`` byte constraints read with
zeros past the end (inside named entries), ``regexes`` regex tests spelt for Python's ``re``
(:mod:`magic_regex`; ``(at, span, exact, pattern, caseless)``, ``at`` -1 where the data says
where), ``pointers`` indirect offsets that must point inside the head
(:func:`magic_atoms.pointer`). A ``use`` line's continuations also need the named entry to
find a match (:func:`found_in`). The clauses are indexed by one of their fixed
constraints (``GROUPS``), so a head is checked with one slice and one dict lookup per group;
clauses with no fixed constraint are ``LOOSE``.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from magic_atoms import (  # noqa: E402
    atoms_of,
    end_of,
    inside_named,
    numeric,
    regex_literal,
    resolve,
    string_atoms,
)
from magic_index import index  # noqa: E402
from magic_mgc import (  # noqa: E402
    BINTEST,
    FILE_OPINVERSE,
    INDIR,
    INDIRECT,
    INDIROFFADD,
    NUMERIC,
    OFFADD,
    OFFNEGATIVE,
    STRING,
    STRING_BINTEST,
    STRING_TEXTTEST,
    STRINGLIKE,
    USE,
    Line,
    read,
)

# The tables go to a pickle that triage.sniff_level0 loads: compiling them as Python source
# (460 KB of literals) cost ~0.25 s and ~50 MB wherever no byte code is cached, in every
# process that types; unpickling them takes ~4 ms. render() still spells them as Python.
TARGET = Path(__file__).resolve().parents[3] / "triage" / "sniff_level0.pickle"
TABLES = ("MGC_SHA256", "MGC_SIZE", "CLAUSES", "GROUPS", "LOOSE", "TOPS", "SHADOWS",
          "SHADOW_GROUPS", "SHADOW_LOOSE")  # fmt: skip
MAX_DEPTH = 12
MAX_CLAUSES = 64
__all__ = ["build", "regex_literal", "render", "tables"]


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
    first: dict[tuple, int] = {}  # clause -> the first test (in libmagic's order) it is from
    shadows: list[tuple] = []
    for order, top in enumerate(tops):
        if not top.flag & BINTEST or top.flag & OFFNEGATIVE:
            continue
        if top.type in STRINGLIKE and top.str_flags & 0x60 == STRING_TEXTTEST:
            continue
        shadow = definite(top)
        if shadow is not None:
            shadows.append((order, shadow))
        if not bearing(top):
            continue
        for atoms in paths(top, 0, rules):
            clause = merge(atoms)
            if clause is not None:
                first[clause] = min(first.get(clause, order), order)
    clauses = sorted(first)
    table = index(clauses, mgc)
    table["tops"] = [first[clause] for clause in clauses]
    shadowing = index([shadow for _, shadow in shadows], mgc)
    table["shadows"] = [(order, shadow[0], shadow[1]) for order, shadow in shadows]
    table["shadow_groups"], table["shadow_loose"] = shadowing["groups"], shadowing["loose"]
    return table


def definite(top: Line) -> tuple | None:
    """A level-0 test that surely matches a head where its clause holds (a clause of only
    ``need`` and fixed bytes: a number compared for equality under an AND mask or always
    matching, a string without flags, at a fixed offset) and has a description: libmagic
    (softmagic.c match, MIME mode) stops at the first test that matches with a description,
    printing only a MIME type it meets on the way, so where such a test comes before every
    test that may print one, the answer is ``application/octet-stream``."""
    if not top.desc or top.flag & (INDIR | OFFADD | INDIROFFADD | OFFNEGATIVE) or top.offset < 0:
        return None
    if top.type in NUMERIC and top.reln in "=x":
        if top.mask_op & (FILE_OPINVERSE | 0x80) or (top.mask and top.mask_op & 7):
            return None
        atoms = numeric(top, top.offset, top.reln)
    elif top.type == STRING and top.reln == "=" and top.vallen:
        if top.str_flags & ~(STRING_TEXTTEST | STRING_BINTEST):
            return None
        atoms = string_atoms(top, top.offset)
    else:
        return None
    if atoms is None or any(atom[0] not in ("need", "fixed") for atom in atoms):
        return None
    return merge(atoms)


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
    gate: list[list[tuple]] | None = None
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
        gate = found_in(target, depth, at)
    elif rules.terminal(line) or depth >= MAX_DEPTH:
        return [own]
    end = end_of(line, at)
    below = [
        rest
        for child in line.children
        if rules.bearing(child)
        for rest in paths(child, depth + 1, rules, end, base)
    ]
    if gate is not None and len(gate) * len(below) <= MAX_CLAUSES:
        below = [way + rest for way in gate for rest in below]
    found += [own + rest for rest in below]
    return [own] if len(found) > MAX_CLAUSES else found


def found_in(target: Line, depth: int, at: int) -> list[list[tuple]] | None:
    """What a ``use`` of ``target`` at ``at`` needs for its continuations to run: softmagic.c
    (mget's FILE_USE, magiccheck) lets a ``use`` line match only when the named entry found a
    match, i.e. matched a line with a description or a MIME type, an ``indirect`` test, or a
    ``use`` (assumed here to find one). The paths to the first such line on each branch, as
    atoms; None when nothing is required (the name line has a description, or too many)."""
    if target.desc or target.mime:
        return None
    found = [way for child in target.children for way in _found(child, depth + 1, at, at)]
    return None if len(found) > MAX_CLAUSES else found


def _found(line: Line, depth: int, parent_end: int | None, base: int) -> list[list[tuple]]:
    at = resolve(line, parent_end, base)
    own = atoms_of(line, depth, at)
    if own is None:
        return []
    own = inside_named(own, base) if base else own
    if line.desc or line.mime or line.type in (INDIRECT, USE) or depth >= MAX_DEPTH:
        return [own]
    end = end_of(line, at)
    found = [own + rest for child in line.children for rest in _found(child, depth + 1, end, base)]
    return [own] if len(found) > MAX_CLAUSES else found


def merge(atoms: list[tuple]) -> tuple | None:
    """A clause from its atoms: byte constraints merged per position (None if they conflict)."""
    need = 0
    known: dict[str, dict[int, tuple[int, int]]] = {"fixed": {}, "padded": {}}
    others: list[tuple] = []
    searches: list[tuple] = []
    indirect: list[int] = []
    regexes: list[tuple] = []
    pointers: list[tuple] = []
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
        elif atom[0] == "regex":
            regexes.append(atom[1:])
        elif atom[0] == "pointer":
            pointers.append(atom[1:])
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
        tuple(sorted(set(regexes))),
        tuple(sorted(set(pointers))),
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


def _render_groups(name: str, groups: dict) -> list[str]:
    """``name: tuple = ((start, end, {key: clause numbers}), ...)``, one group a line."""
    lines = [f"{name}: tuple = ("]
    for (start, end), keys in sorted(groups.items()):
        body = ", ".join(f"{key!r}: {tuple(numbers)!r}" for key, numbers in sorted(keys.items()))
        lines.append(f"    ({start}, {end}, {{{body}}}),")
    return [*lines, ")"]


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
        "#  byte constraints read with zeros past the end, regexes, indirect offsets' reads)",
        "CLAUSES: tuple = (",
    ]
    lines += [f"    {clause!r}," for clause in table["clauses"]]
    lines.append(")")
    lines.append("# (start, end, {head[start:end]: clause numbers})")
    lines += _render_groups("GROUPS", table["groups"])
    lines.append(f"LOOSE: tuple = {tuple(table['loose'])!r}")
    lines.append("# the first of libmagic's level-0 tests (in its order) each clause is from")
    lines.append(f"TOPS: tuple = {tuple(table['tops'])!r}")
    lines.append("# (order, need, fixed): level-0 tests with a description that surely match a")
    lines.append("# head of at least need bytes with those fixed bytes; indexed like the clauses")
    lines.append("SHADOWS: tuple = (")
    lines += [f"    {shadow!r}," for shadow in table["shadows"]]
    lines.append(")")
    lines += _render_groups("SHADOW_GROUPS", table["shadow_groups"])
    lines.append(f"SHADOW_LOOSE: tuple = {tuple(table['shadow_loose'])!r}")
    return "\n".join(lines) + "\n"


def tables(table: dict) -> dict:
    """The tables by name, as the rendered module spells them (each value what Python makes of
    its literal): what the pickle holds."""
    namespace: dict = {}
    exec(render(table), namespace)  # (our own generated text)
    return {name: namespace[name] for name in TABLES}


if __name__ == "__main__":
    TARGET.write_bytes(
        pickle.dumps(
            tables(build(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/file/magic.mgc"))),
            protocol=4,
        )
    )
