"""Decode Apple ``NSKeyedArchiver`` plists (binary plist with ``$objects``/``$top``) to Python.

Apps on iOS store dictionaries as keyed archives inside SQLite BLOBs (Microsoft Teams keeps its
``call-log`` this way in ``ZMESSAGEPROPERTIES.ZPROPERTIES``). The format (Apple
``NSKeyedArchiver`` documentation; the same walk as ``nska_deserialize``, which iLEAPP uses):
``$top.root`` is a UID into ``$objects``; a dictionary object has ``NS.keys``/``NS.objects``
UID lists, an array ``NS.objects``, a string ``NS.string``, data ``NS.data``, a date
``NS.time``; ``$null`` is None. Only these Foundation classes are resolved; anything else is
returned as its raw dict. Depth and object count are capped so a hostile archive (cycles,
deep nesting) cannot recurse forever.
"""

from __future__ import annotations

import plistlib
from typing import Any

from triage.extractors.plists import PLIST_DAMAGE

MAX_DEPTH = 64
MAX_NODES = 100_000  # shared references can fan out exponentially


class ArchiveError(ValueError):
    """The bytes are not a keyed archive this decoder understands."""


def unarchive(blob: bytes) -> Any:
    """The root object of a keyed archive."""
    try:
        archive = plistlib.loads(blob)
    except PLIST_DAMAGE as error:
        raise ArchiveError(f"not a property list: {error}") from error
    if not isinstance(archive, dict) or "$objects" not in archive or "$top" not in archive:
        raise ArchiveError("not an NSKeyedArchiver archive (no $objects/$top)")
    objects = archive["$objects"]
    top = archive["$top"]
    if not isinstance(objects, list) or not isinstance(top, dict):
        raise ArchiveError("malformed NSKeyedArchiver archive")
    root = top.get("root", next(iter(top.values()), None))
    return _Resolver(objects).resolve(root, 0)


class _Resolver:
    """Walks one archive's object table with a budget of resolved nodes."""

    def __init__(self, objects: list[Any]) -> None:
        self.objects = objects
        self.nodes = 0

    def resolve(self, value: Any, depth: int) -> Any:
        """The Python value of one archived value."""
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise ArchiveError("archive nested too deeply")
        if self.nodes > MAX_NODES:
            raise ArchiveError(f"archive expands to more than {MAX_NODES} values")
        objects = self.objects
        if isinstance(value, plistlib.UID):
            index = value.data
            if not 0 <= index < len(objects):
                raise ArchiveError(f"object reference {index} out of range")
            return self.resolve(objects[index], depth + 1)
        if isinstance(value, str) and value == "$null":
            return None
        if isinstance(value, dict):
            if "NS.keys" in value and "NS.objects" in value:
                keys = [self.resolve(key, depth + 1) for key in _items(value["NS.keys"])]
                items = [self.resolve(item, depth + 1) for item in _items(value["NS.objects"])]
                return {str(key): item for key, item in zip(keys, items, strict=False)}
            if "NS.objects" in value:
                return [self.resolve(item, depth + 1) for item in _items(value["NS.objects"])]
            if "NS.string" in value:
                return self.resolve(value["NS.string"], depth + 1)
            if "NS.data" in value:
                return value["NS.data"]
            if "NS.time" in value:
                return value["NS.time"]
            return {
                key: self.resolve(item, depth + 1) for key, item in value.items() if key != "$class"
            }
        if isinstance(value, list):
            return [self.resolve(item, depth + 1) for item in value]
        return value


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ArchiveError("NS.keys/NS.objects is not a list")
    return value
