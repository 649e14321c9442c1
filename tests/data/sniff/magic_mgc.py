"""file 5.44's compiled magic database (``magic.mgc``), read line by line.

The layout is struct magic of file's src/file.h at tag FILE5_44 (376 bytes a line after a
header line; VERSIONNO 18), in the byte order of the machine that compiled it (little-endian
here, amd64, as Debian 12 ships it). Used by ``build_magic_level0.py``.
"""

from __future__ import annotations

import struct
from pathlib import Path

RECORD = 376  # sizeof(struct magic), file 5.44
MAGICNO, VERSIONNO = 0xF11E041C, 18

# struct magic: flag bits, types (src/file.h, FILE5_44)
INDIR, OFFADD, INDIROFFADD, UNSIGNED, BINTEST, OFFNEGATIVE = 0x01, 0x02, 0x04, 0x08, 0x20, 0x80
STRING_COMPACT_WS, STRING_OPTIONAL_WS = 1, 2
STRING_IGNORE_LOWER, STRING_IGNORE_UPPER = 4, 8
STRING_TEXTTEST, STRING_BINTEST = 0x20, 0x40
FILE_OPAND, FILE_OPMODULO, FILE_OPS_MASK, FILE_OPINVERSE = 0, 7, 7, 0x40
FILE_OPSIGNED, FILE_OPINDIRECT = 0x20, 0x80
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
        self.in_type, self.in_op, self.in_offset = fields[6], fields[7], fields[12]
        self.reln = chr(reln)
        self.str_range, self.str_flags = self.mask & 0xFFFFFFFF, self.mask >> 32
        self.value = raw[32:160]
        self.q = int.from_bytes(raw[32:40], "little")
        self.desc = raw[160:224].split(b"\0")[0]
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
