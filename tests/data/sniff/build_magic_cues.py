#!/usr/bin/env python3
"""Build ``triage/sniff_cues.py``: libmagic's tests that can match a text file, in its order.

    python3 tests/data/sniff/build_magic_cues.py [/usr/lib/file/magic.mgc]   (then ruff format)

Reads the compiled database of the libmagic the first typing tier must agree with (Debian 12's
file 5.44-3, whose Magdir differs from the FILE5_44 tag in places), entry by entry: its
``struct magic`` records (376 bytes each, file.h VERSIONNO 18) are already in libmagic's own
order (by strength), with escapes undone and flags parsed. It writes:

- ``TEXT_TESTS``: every top-level test of libmagic's text pass (flag TEXTTEST: the one it runs on
  a text file after JSON and CSV), in order, each with its continuations as
  ``(level, relative, offset, type, flags, range, relation, value, described, mime)``;
  the first tier evaluates those it can (string, search, regex) and leaves the file to libmagic
  when one it cannot might match;
- ``STARTS`` / ``STARTS_ANY_CASE``: the text-looking values of the binary pass's top-level
  ``string`` tests by offset (cut at the first blank under /w or /W; lower-cased for /c), which
  libmagic tries on every file first: a text head starting so is left to libmagic.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

TARGET = Path(__file__).resolve().parents[3] / "triage" / "sniff_cues.py"
SIZE = 376  # sizeof(struct magic), file 5.44
TEXT = {7, 8, 9, 10, 11, 12, 13, 27, *range(32, 127)}
TYPES = {5: "string", 17: "regex", 20: "search"}  # FILE_STRING, FILE_REGEX, FILE_SEARCH
INDIR, OFFADD, INDIROFFADD, BINTEST, TEXTTEST, OFFNEGATIVE = 1, 2, 4, 0x20, 0x40, 0x80
# str_flags bits (file.h): W w c C s t b, T (trim), f (full word); l (line count) for regex
FLAG_BITS = {"W": 0, "w": 1, "c": 2, "C": 3, "s": 4, "t": 5, "b": 6, "T": 13, "f": 14}
LINE_COUNT = 1 << 11


def records(path: Path) -> list[dict]:
    data = path.read_bytes()
    magic_no, version, count, _ = struct.unpack_from("<4I", data, 0)
    if (magic_no, version) != (0xF11E041C, 18):
        raise SystemExit(f"{path}: not a file 5.44 magic database")
    found = []
    for index in range(count):
        at = SIZE * (index + 1)
        (level, flag, _, reln, vallen, kind, _, _, _, cond, _, offset, _, lineno, count_, flags) = (
            struct.unpack_from("<HBBBBBBBBBBiiIII", data, at)
        )
        found.append(
            {
                "level": level, "flag": flag, "reln": chr(reln) if reln else "=",
                "kind": TYPES.get(kind, f"type{kind}"), "cond": cond, "offset": offset,
                "lineno": lineno, "range": count_, "flags": flags,
                "value": data[at + 32 : at + 32 + vallen],
                "desc": data[at + 160 : at + 224].split(b"\0")[0],
                "mime": data[at + 224 : at + 304].split(b"\0")[0].decode("latin-1"),
            }
        )  # fmt: skip
    return found


def flag_letters(record: dict) -> str:
    letters = "".join(name for name, bit in FLAG_BITS.items() if record["flags"] >> bit & 1)
    if record["kind"] == "regex" and record["flags"] & LINE_COUNT:
        letters += "l"
    return letters


def line_of(record: dict) -> tuple:
    kind = record["kind"]
    if record["flag"] & (INDIR | INDIROFFADD | OFFNEGATIVE) or record["cond"]:
        kind = "other"  # an indirect or end-relative offset, or a conditional: not evaluated
    return (
        record["level"], bool(record["flag"] & OFFADD), record["offset"], kind,
        flag_letters(record), record["range"], record["reln"], record["value"],
        bool(record["desc"]), record["mime"],
    )  # fmt: skip


def main(mgc: Path) -> None:
    found = records(mgc)
    entries: list[list[dict]] = []
    for record in found:
        if record["level"] == 0:
            entries.append([])
        entries[-1].append(record)
    text_tests, starts, any_case = [], defaultdict(set), defaultdict(set)
    for entry in entries:
        top = entry[0]
        if top["flag"] & TEXTTEST and not top["flag"] & BINTEST:
            text_tests.append(tuple(line_of(record) for record in entry))
            continue
        value, letters = top["value"], flag_letters(top)
        if top["kind"] != "string" or top["flag"] & (INDIR | OFFNEGATIVE) or top["reln"] != "=":
            continue
        if not value or top["offset"] > 8192 or not all(byte in TEXT for byte in value):
            continue
        cut = value.split()[0] if "w" in letters.lower() and value.split() else value
        if "c" in letters.lower():
            any_case[top["offset"]].add(cut.lower())
        else:
            starts[top["offset"]].add(cut)
    lines = [
        '"""libmagic 5.44\'s tests that can match a text file, in its order (generated: do not'
        " edit).",
        "",
        "Built by tests/data/sniff/build_magic_cues.py from Debian 12's /usr/lib/file/magic.mgc.",
        '"""',
        "# ruff: noqa: E501",
        "",
        "# offset -> the values of the binary pass's top-level string tests there",
        "STARTS: dict[int, tuple[bytes, ...]] = {",
    ]
    for offset in sorted(starts):
        lines.append(f"    {offset}: {tuple(sorted(starts[offset]))!r},")
    lines += ["}", "STARTS_ANY_CASE: dict[int, tuple[bytes, ...]] = {"]
    for offset in sorted(any_case):
        lines.append(f"    {offset}: {tuple(sorted(any_case[offset]))!r},")
    lines += [
        "}",
        "# The text pass, in libmagic's order; each test a tuple of lines (level, relative,",
        "# offset, type, flags, range, relation, value, described, mime)",
        "TEXT_TESTS: tuple[tuple[tuple, ...], ...] = (",
    ]
    for test in text_tests:
        lines.append("    (")
        lines.extend(f"        {line!r}," for line in test)
        lines.append("    ),")
    lines.append(")")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(["ruff", "format", "--quiet", str(TARGET)], check=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/file/magic.mgc"))
