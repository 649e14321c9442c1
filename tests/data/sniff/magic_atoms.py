"""What one line of libmagic's compiled database requires of a buffer, as atoms.

softmagic.c (file 5.44) decides where a line reads (msetoffset: absolute, ``&`` relative to
where the parent's match ended as moffset says, indirect), whether it may read there (mget's
OFFSET_OOB: a test past the end does not match, except ``!``), what it reads (mcopy: zeros past
the end) and how it compares (mconvert, magiccheck, file_strncmp). An atom states a part of
that exactly: ``("need", n)`` a buffer of at least n bytes, ``("fixed", at, bytes, mask)``
(``"padded"`` inside a named entry: read with zeros past the end), ``("numeric", ...)`` another
relation on a number, ``("search", start, end, bytes, caseless, to_nul)`` bytes in a range,
``("indirect", at)`` the whole database again from there. A line whose test cannot be stated is
no atom (assumed to match); None is a line that never matches a buffer.
"""

from __future__ import annotations

from magic_mgc import (
    FILE_OPAND,
    FILE_OPINDIRECT,
    FILE_OPINVERSE,
    FILE_OPMODULO,
    FILE_OPS_MASK,
    FILE_OPSIGNED,
    GUID,
    INDIR,
    INDIRECT,
    INDIROFFADD,
    LESTRING16,
    NUMERIC,
    OFFADD,
    OFFNEGATIVE,
    REGEX,
    REGEX_LINE_COUNT,
    REGEX_MAX,
    SEARCH,
    SPACE,
    STRING,
    STRING_COMPACT_WS,
    STRING_IGNORE_LOWER,
    STRING_IGNORE_UPPER,
    STRING_OPTIONAL_WS,
    UNSIGNED,
    USE,
    WIDTHS,
    Line,
)
from magic_regex import python_regex, required_any


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
            out.append(atom if atom[-1] == NO_END else (*atom[:-1], base))
        elif atom[0] not in ("indirect", "regex", "pointer"):  # (not stated there)
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
        found = [("search", 0, -1, literal, caseless, False)] if literal else []
        found += regex_anywhere(line) if line.type == REGEX and reln == "=" else []
        return found + pointer(line)
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
        found = [("search", at, end, literal, caseless, True)] if literal else []
        return found + regex_at(line, at)
    if line.type == GUID and reln == "=":
        return [("need", at + 16), ("fixed", at, line.value[:16], b"\xff" * 16)]
    if line.type == LESTRING16 and reln == "=" and line.vallen:
        # 8-bit characters at every other byte; a NUL may stand for a blank
        # (only the first: past the end of the buffer libmagic compares what its copy held)
        first = line.value[0]
        if first in SPACE or first == 0:
            return []
        return [("need", at + 1), ("fixed", at, bytes([first]), b"\xff")]
    if line.type == STRING and reln in "<>" and line.vallen and not line.flag & UNSIGNED:
        return string_order(line, at)
    if line.type in (STRING, SEARCH, 13, 59) and reln != "!" and line.vallen:
        return [("need", at + line.vallen)]
    return []


def regex_at(line: Line, at: int) -> list[tuple]:
    """A regex read at a known offset: ``("regex", at, span, exact, pattern, caseless, needs)``,
    ``needs`` bytes of which a match has one (lower case when caseless: a cheap check), the
    pattern in Python's syntax (:mod:`magic_regex`) to search in the bytes libmagic hands it
    (mcopy, magiccheck): ``span`` bytes from ``at`` (0: the rest of the buffer), at most
    FILE_REGEX_MAX, the last one dropped, up to the first NUL. With a line count (/l) the
    region ends at a line's end: ``exact`` False, the whole span is searched and ``$`` is not
    stated."""
    exact = not line.str_flags & REGEX_LINE_COUNT
    span = line.str_range * (1 if exact else 80)
    caseless = bool(line.str_flags & (STRING_IGNORE_LOWER | STRING_IGNORE_UPPER))
    spelt = python_regex(line.value.split(b"\0")[0], True, exact, caseless)
    if spelt is None:
        return []
    return [("regex", at, span, exact, spelt, caseless, required_any(spelt, caseless))]


def regex_anywhere(line: Line) -> list[tuple]:
    """A regex read where the data says: it must match somewhere in the buffer (``at`` -1),
    its anchors not stated (its string may start and end anywhere)."""
    caseless = bool(line.str_flags & (STRING_IGNORE_LOWER | STRING_IGNORE_UPPER))
    spelt = python_regex(line.value.split(b"\0")[0], False, False, caseless)
    if spelt is None:
        return []
    return [("regex", -1, 0, False, spelt, caseless, required_any(spelt, caseless))]


def pointer(line: Line) -> list[tuple]:
    """An indirect offset ``(at.t op n)`` read at a fixed place (mget, do_ops): the number
    there must be in the buffer and so must the test's own bytes where it points, else the
    test does not match (a "!" test then does). ``("pointer", at, width, little, signed, op,
    operand, inverse, reads)``; [] for anything else (relative, nested, in a named entry)."""
    if (
        not line.flag & INDIR
        or line.flag & (OFFADD | INDIROFFADD | OFFNEGATIVE)
        or line.in_op & FILE_OPINDIRECT
        or line.in_type not in NUMERIC
        or line.offset < 0
        or line.reln == "!"
    ):
        return []
    if line.type in CHECKED_END:  # (mget's check of the end: the types it lists)
        reads = CHECKED_END[line.type]
    elif line.type in (STRING, 13, SEARCH, 59):
        reads = line.vallen
    elif line.type in (REGEX, USE, INDIRECT):
        reads = 0
    else:
        return []
    width, little = NUMERIC[line.in_type]
    signed = bool(line.in_op & FILE_OPSIGNED)
    inverse = bool(line.in_op & FILE_OPINVERSE)
    operation = line.in_op & FILE_OPS_MASK
    offset, operand = line.offset, line.in_offset
    return [("pointer", offset, width, little, signed, operation, operand, inverse, reads)]


def string_order(line: Line, at: int) -> list[tuple]:
    """A string compared by ``<`` or ``>`` (file_strncmp, flags none: the difference of the
    first bytes that differ, signed): the head's bytes there are lower (higher) than the
    value, read as one big-endian number of its first 8 bytes (exact up to 8 bytes; for a
    longer value its first 8 may also be equal)."""
    value = line.value[: line.vallen]
    if line.str_flags & (STRING_COMPACT_WS | STRING_OPTIONAL_WS | 0xC):
        return [("need", at + line.vallen)]
    width = min(len(value), 8)
    number = int.from_bytes(value[:width], "big")
    if len(value) > width:  # the first 8 bytes may also be equal: <= or >=
        if line.reln == "<":
            number += 1
        elif number == 0:
            return [("need", at + line.vallen)]
        else:
            number -= 1
    if number >> (8 * width):
        return [("need", at + line.vallen)]
    test = ("numeric", at, width, False, False, FILE_OPAND, -1, line.reln, number, 0)
    return [("need", at + line.vallen), test]


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


# mget's check that a type's bytes are in the buffer (softmagic.c, file 5.44): byte, shorts,
# longs, dates, floats, doubles, GUID (strings by their length; quads and the rest: none)
CHECKED_END = {
    1: 1, 2: 2, 7: 2, 10: 2, 4: 4, 8: 4, 11: 4, 23: 4, 6: 4, 9: 4, 12: 4, 21: 4, 14: 4, 15: 4,
    16: 4, 22: 4, 33: 4, 34: 4, 35: 4, 36: 8, 37: 8, 38: 8, 49: 16,
}  # fmt: skip
QUADS = (24, 25, 26)  # quad, lequad, bequad: mget checks no end for them (zeros past it)
NO_END = 1 << 40  # a numeric atom's "base" for a number read with zeros past the end


def numeric(line: Line, at: int, reln: str) -> list[tuple] | None:
    """A number's test; a quad's as read with zeros past the end of the buffer (mget's check
    of the end lists every fixed-size type but the 8-byte integers; mcopy pads with zeros)."""
    atoms = _numeric(line, at, reln)
    if atoms is None or line.type not in QUADS:
        return atoms
    out: list[tuple] = []
    for atom in atoms:
        if atom[0] == "fixed":  # its bytes up to the last one not zero, then zeros or nothing
            _, start, value, mask = atom
            kept = max((i + 1 for i in range(len(value)) if value[i] & mask[i]), default=0)
            if kept:
                out += [("need", start + kept), ("fixed", start, value[:kept], mask[:kept])]
            if kept < len(value):
                out.append(("padded", start + kept, value[kept:], mask[kept:]))
        elif atom[0] == "numeric":
            out.append((*atom[:-1], NO_END))
    return out


def _numeric(line: Line, at: int, reln: str) -> list[tuple] | None:
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
