"""Reading Apple property lists as identity parsers need them: dicts, UTC times, text.

plistlib reads both XML and binary plists; a corrupt one raises ``InvalidFileException`` (or
``ValueError``/``IndexError`` for damaged binary offsets), which the extractor reports. Dates in
plists are NSDate values (UTC); plistlib returns them naive, so they are made UTC-aware here.
"""

from __future__ import annotations

import plistlib
from datetime import UTC, datetime

from triage.extractors.identity.facts import Facts
from triage.extractors.plists import PLIST_DAMAGE
from triage.timestamps import EARLIEST, LATEST

MAX_PLIST_BYTES = 32 << 20


def load_plist(data: bytes, facts: Facts) -> dict:
    """The top-level dictionary of a plist (an empty dict, with a problem, when it is not one).

    A damaged plist raises ``plistlib.InvalidFileException`` naming the damage, whatever
    plistlib raised for it, so every identity parser reports it the same way.
    """
    try:
        value = plistlib.loads(data)
    except PLIST_DAMAGE as error:
        raise plistlib.InvalidFileException(f"{type(error).__name__}: {error}") from error
    if not isinstance(value, dict):
        facts.problem(f"property list holds a {type(value).__name__}, not a dictionary")
        return {}
    return value


def plist_time(value: object) -> datetime | None:
    """A plist date as a UTC datetime (None when absent or implausible)."""
    if not isinstance(value, datetime):
        return None
    when = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return when if EARLIEST <= when < LATEST else None


def text(value: object) -> str | None:
    """A plist scalar as text (bytes decoded as UTF-8); None for containers and empties."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (bool, dict, list)) or value is None:
        return None
    result = str(value).strip()
    return result or None


def dig(data: object, *keys: str) -> object:
    """``data[k1][k2]...`` through nested dicts, None when any step is missing."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
