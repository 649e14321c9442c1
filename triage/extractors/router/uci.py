"""A small reader for OpenWrt UCI configuration files (``/etc/config/*``).

Format (OpenWrt documentation, "The UCI system", https://openwrt.org/docs/guide-user/base-system/uci):
``config <type> ['<name>']`` opens a section, ``option <key> '<value>'`` sets a value,
``list <key> '<value>'`` appends to a list, ``package <name>`` may open an export, ``#`` starts a
comment. Values are shell-quoted ('...' or "..."), and ``uci commit`` writes ``'it'\\''s'`` for a
quote inside a value, which POSIX ``shlex`` reads the same way libuci does.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

MAX_ENTRIES = 10_000  # options + list items in one section before the rest is ignored


@dataclass
class UciSection:
    """One ``config`` section: type, optional name, options and lists, and where it starts."""

    type: str
    name: str | None
    line: int
    options: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    entries: int = 0

    def get(self, key: str, default: str | None = None) -> str | None:
        """An option's value, else the first item of a list of that name, else the default."""
        if key in self.options:
            return self.options[key]
        items = self.lists.get(key)
        return items[0] if items else default

    def values(self, key: str) -> list[str]:
        """Every value of a key: list items, or a space-separated option (``option dns 'a b'``)."""
        items = list(self.lists.get(key, []))
        if key in self.options:
            items.extend(self.options[key].split())
        return items

    def label(self) -> str:
        """``type 'name'`` or ``type #line`` for messages and details."""
        return f"{self.type} '{self.name}'" if self.name else f"{self.type} (line {self.line})"


def parse_uci(
    lines: Iterable[tuple[int, str]], problem: Callable[[str], None]
) -> Iterator[UciSection]:
    """Sections in file order; a line that cannot be read is reported and skipped."""
    section: UciSection | None = None
    for number, line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = shlex.split(stripped, comments=True, posix=True)
        except ValueError as error:
            problem(f"line {number}: cannot read UCI statement ({error})")
            continue
        if not words:
            continue
        keyword = words[0]
        if keyword == "config":
            if section is not None:
                yield section
            if len(words) < 2:
                problem(f"line {number}: 'config' without a section type")
                section = None
                continue
            section = UciSection(words[1], words[2] if len(words) > 2 else None, number)
        elif keyword in ("option", "list"):
            if section is None:
                problem(f"line {number}: '{keyword}' outside of a config section")
                continue
            if len(words) < 3:
                if len(words) == 2 and keyword == "option":
                    words.append("")
                else:
                    problem(f"line {number}: '{keyword}' without a value")
                    continue
            section.entries += 1
            if section.entries == MAX_ENTRIES:
                problem(f"line {number}: section {section.label()} has too many entries")
            if section.entries >= MAX_ENTRIES:
                continue
            if keyword == "option":
                section.options[words[1]] = " ".join(words[2:])
            else:
                section.lists.setdefault(words[1], []).append(" ".join(words[2:]))
        elif keyword == "package":
            continue
        else:
            problem(f"line {number}: unknown UCI keyword {keyword[:40]!r}")
    if section is not None:
        yield section


def looks_like_uci(head: str) -> bool:
    """Whether the first meaningful line of a text is a UCI ``config``/``package`` statement."""
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped.startswith(("config ", "config\t", "package "))
    return False
