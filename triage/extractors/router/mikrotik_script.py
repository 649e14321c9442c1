"""The syntax of a MikroTik RouterOS ``/export`` script: menu paths, commands, arguments.

Format (MikroTik RouterOS manual, "Configuration Management"): menu paths (``/ip dhcp-server
lease``) followed by commands (``add``/``set``) with ``key=value`` arguments, values quoted with
``"..."`` and RouterOS escapes (``\\"``, ``\\\\``, ``\\HH`` bytes); long lines are continued
with a trailing backslash and a four-space indent. A path and its command may share one line
(``/ip dns set servers=1.1.1.1``). What the commands mean is :mod:`.mikrotik`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

VERBS = frozenset({"add", "set", "remove", "enable", "disable", "move", "unset", "edit"})
MAX_CONTINUED = 1 << 20  # characters in one logical (joined) command line
_ARG = re.compile(r'\[[^\]]*\]|([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)|(\S+)')
_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "_": " ",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def unquote(value: str) -> str:
    """A RouterOS argument value without its quotes and escapes."""
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return value
    body = value[1:-1]
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(body):
        out += body[position : match.start()].encode("utf-8", "surrogateescape")
        code = match.group(1)
        if len(code) == 2:
            out.append(int(code, 16))
        else:
            out += _SIMPLE_ESCAPES.get(code, code).encode("utf-8", "surrogateescape")
        position = match.end()
    out += body[position:].encode("utf-8", "surrogateescape")
    return out.decode("utf-8", "replace")


@dataclass
class Command:
    """One RouterOS command: its menu path, verb, selector, positional words and arguments."""

    path: str
    verb: str
    line: int
    selector: str | None = None
    words: list[str] = field(default_factory=list)
    args: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str | None = None) -> str | None:
        """An argument's unquoted value."""
        return self.args.get(key, default)

    def target(self) -> str | None:
        """What a ``set`` addresses: ``[ find default-name=wlan1 ]`` or a positional name."""
        if self.selector:
            match = re.search(r"(?:default-name|name)=(\S+)", self.selector)
            return unquote(match.group(1)) if match else self.selector.strip("[] ")
        return self.words[0] if self.words else None


def logical_lines(lines) -> Iterator[tuple[int, str]]:
    """Join backslash-continued lines (the next line's four-space indent is not content)."""
    pending: list[str] = []
    start = 0
    size = 0
    for number, line in lines:
        text = line if not pending else line[4:] if line.startswith("    ") else line.lstrip()
        if not pending:
            start = number
        if text.endswith("\\") and not text.endswith("\\\\"):
            pending.append(text[:-1])
            size += len(text)
            if size > MAX_CONTINUED:
                yield start, "".join(pending)
                pending, size = [], 0
            continue
        pending.append(text)
        yield start, "".join(pending)
        pending, size = [], 0
    if pending:
        yield start, "".join(pending)


def parse_commands(lines) -> Iterator[Command | tuple[int, str]]:
    """Commands, and header comments as ``(line, text)``."""
    path = ""
    for number, text in logical_lines(lines):
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            yield number, stripped
            continue
        if stripped.startswith(":"):
            continue  # scripting (:global, :if ...): not configuration
        words = stripped.split(None, 1)
        rest = stripped
        if stripped.startswith("/"):
            tokens = stripped.split()
            index = 0
            parts: list[str] = []
            while index < len(tokens) and tokens[index] not in VERBS and "=" not in tokens[index]:
                parts.append(tokens[index].lstrip("/"))
                index += 1
            path = " ".join(part for part in parts if part)
            if index >= len(tokens):
                continue
            rest = " ".join(tokens[index:])
            words = rest.split(None, 1)
        verb = words[0]
        if verb not in VERBS:
            continue
        command = Command(path, verb, number)
        for match in _ARG.finditer(words[1] if len(words) > 1 else ""):
            whole, key, value, word = match.group(0), match.group(1), match.group(2), match.group(3)
            if whole.startswith("["):
                command.selector = whole
            elif key is not None:
                command.args[key] = unquote(value)
            elif word is not None:
                command.words.append(word)
        yield command
