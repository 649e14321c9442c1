"""The examiner's keys: what each one is, and keeping them out of every record.

A key given with ``--key`` (or one per line of ``--key-file``) is a BitLocker recovery password
(eight groups of six digits), a path to a BitLocker startup/recovery key file (``.BEK``) or a
password. Keys travel to the hashing workers inside the evidence locator (in memory, through the
pool initializer) and are never written: :func:`redact_command_line` blanks them in the command
line the store records, and a :class:`Key` never shows its value in a repr.

Keys come from the command line, key files and case manifests, so anything may arrive: a key
the volume libraries cannot take (a NUL character, text that is not UTF-8) is refused up front
with :class:`KeyInputError`, whose message says which key and why but never holds the key;
:func:`keys_of` drops such keys too, so no opener ever sees one.
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
KEY_FILE_MAX = 1 << 20  # a key file holds keys, one a line: a bigger file is not one
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # PowerShell 5 and Notepad write key lists so


class KeyInputError(ValueError):
    """A key or key file that cannot be used; the message names it by position, never by value."""


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
    if is_bek_file(Path(text)):
        return Key("startup key", text)
    return Key("password", text)


def is_bek_file(path: Path) -> bool:
    """True when ``path`` names a file small enough to be a .BEK startup/recovery key."""
    try:
        return (
            path.suffix.lower() == ".bek" and path.is_file() and path.stat().st_size < BEK_MAX_SIZE
        )
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return False


def unusable(text: str) -> str | None:
    """Why a key cannot be handed to the volume libraries (None: it can), without the key."""
    if not text.strip():
        return "is empty"
    if "\0" in text:
        return "holds a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not UTF-8 text"
    return None


def check_keys(texts: tuple[str, ...], what: str = "key") -> tuple[str, ...]:
    """``texts`` when every one is usable, a ``.BEK`` path made absolute (a batch's workers
    may run elsewhere); else :class:`KeyInputError` naming the first that is not by its
    position (``key 2 holds a NUL character``)."""
    for number, text in enumerate(texts, start=1):
        why = unusable(text) or missing_bek(text.strip(), Path.cwd())
        if why is not None:
            raise KeyInputError(f"{what} {number} {why}")
    return tuple(
        str(Path(text.strip()).resolve()) if is_bek_file(Path(text.strip())) else text
        for text in texts
    )


def missing_bek(text: str, folder: Path) -> str | None:
    """Why a key that names a .BEK file is no key (a typo would else be tried as a password)."""
    if not text.lower().endswith(".bek") or is_bek_file(folder / text):
        return None
    return f"names a .BEK key file that is not in {folder} (or is over {BEK_MAX_SIZE:,} bytes)"


def keys_of(texts: tuple[str, ...]) -> list[Key]:
    """The keys in the order given, duplicates and unusable ones dropped."""
    seen: dict[str, Key] = {}
    for text in texts:
        if text not in seen and unusable(text) is None:
            seen[text] = classify(text)
    return list(seen.values())


def read_key_file(path: Path) -> tuple[str, ...]:
    """One key per line (blank lines and lines starting with # skipped).

    UTF-8 (with or without a byte-order mark), or UTF-16 with its byte-order mark (what
    PowerShell 5 and Notepad write). A line naming a ``.BEK`` file beside the key file (else
    where triage runs) is that file. Anything else (not text, over :data:`KEY_FILE_MAX`, a
    ``.BEK`` file that is not there) is a :class:`KeyInputError` that names the file and the
    line, never a key.
    """
    with path.open("rb") as handle:
        data = handle.read(KEY_FILE_MAX + 1)
    if len(data) > KEY_FILE_MAX:
        raise KeyInputError(
            f"{path}: over {KEY_FILE_MAX:,} bytes; a key file holds keys, one a line"
        )
    text = _decoded(path, data)
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "\0" in line:
            raise KeyInputError(
                f"{path}: line {number} holds a NUL character (UTF-16 without a byte-order mark?)"
            )
        if line.lower().endswith(".bek"):  # beside the key file, else where triage runs
            places = (path.parent / line, Path(line))
            found = next((place for place in places if is_bek_file(place)), None)
            if found is None:
                raise KeyInputError(f"{path}: line {number} {missing_bek(line, path.parent)}")
            line = str(found.resolve())
        keys.append(line)
    return tuple(keys)


def _decoded(path: Path, data: bytes) -> str:
    """The text of a key file; :class:`KeyInputError` names the first line that is not text."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise KeyInputError(f"{path}: not UTF-16 text after its byte-order mark") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise KeyInputError(
                f"{path}: line {number} is not UTF-8 text (a key file is UTF-8, or UTF-16 with "
                "a byte-order mark)"
            ) from None
    raise KeyInputError(f"{path}: not UTF-8 text")  # pragma: no cover - a line fails above


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
