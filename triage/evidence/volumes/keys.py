"""The examiner's keys: what each one is, and keeping them out of every record.

A key given with ``--key`` (or one per line of ``--key-file``) is a BitLocker recovery password
(eight groups of six digits), a path to a BitLocker startup/recovery key file (``.BEK``) or a
password. Keys travel to the hashing workers inside the evidence locator (in memory, through the
pool initializer) and are never written: :func:`redact_command_line` blanks them in the command
line the store records, and a :class:`Key` never shows its value in a repr.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

KeyKind = Literal["recovery password", "startup key", "password"]
BITLOCKER_RECOVERY = re.compile(r"^\d{6}(-\d{6}){7}$")
SECRET_OPTIONS = ("--key", "--password")
REDACTED = "REDACTED"  # shell-safe: shlex.join leaves it unquoted
BEK_MAX_SIZE = 1 << 16  # a .BEK file is ~160 bytes


@dataclass(frozen=True)
class Key:
    """One key, its value hidden from reprs and logs."""

    kind: KeyKind
    value: str = field(repr=False)


def classify(text: str) -> Key:
    """What a key given on the command line is (see the module docstring)."""
    text = text.strip()
    if BITLOCKER_RECOVERY.match(text):
        return Key("recovery password", text)
    path = Path(text)
    try:
        if path.suffix.lower() == ".bek" and path.is_file() and path.stat().st_size < BEK_MAX_SIZE:
            return Key("startup key", str(path))
    except OSError:
        pass
    return Key("password", text)


def keys_of(texts: tuple[str, ...]) -> list[Key]:
    """The keys in the order given, duplicates dropped."""
    seen: dict[str, Key] = {}
    for text in texts:
        if text.strip() and text not in seen:
            seen[text] = classify(text)
    return list(seen.values())


def read_key_file(path: Path) -> tuple[str, ...]:
    """One key per line (blank lines and lines starting with # skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


def redact_command_line(arguments: list[str]) -> list[str]:
    """The arguments with the value of every ``--key``/``--password`` blanked.

    ``--key-file`` names a file, which is kept: the keys are in it, not in the command line.
    """
    redacted, blank_next = [], False
    for argument in arguments:
        if blank_next:
            redacted.append(REDACTED)
            blank_next = False
            continue
        option, equals, _ = argument.partition("=")
        if option in SECRET_OPTIONS:
            if equals:
                redacted.append(f"{option}={REDACTED}")
            else:
                redacted.append(argument)
                blank_next = True
            continue
        redacted.append(argument)
    return redacted
