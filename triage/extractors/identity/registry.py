"""Read Windows registry hives (regf) through regipy, without its display-oriented conversions.

regipy (``RegistryHive``) parses the hive; this module wraps its keys so parsers get what the
hive stores: REG_BINARY as bytes (regipy hex-encodes it unless ``trim_values=False``), strings
untrimmed, the raw type number of values whose type is not a REG_* constant (the SAM stores a
user's RID as the type of ``Names\\<user>``'s default value), key last-written times as UTC
datetimes with the FILETIME kept. Lookups are case-insensitive, as Windows' are. Subkey lists
are capped, because a hostile hive can claim millions of subkeys or point a list at itself.

Format reference: Maxim Suhanov, "Windows registry file format specification"
(github.com/msuhanov/regf); regipy's ``registry.py``.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path

from construct.core import ConstructError
from regipy.exceptions import RegipyException
from regipy.registry import NKRecord, RegistryHive

from triage.timestamps import from_filetime

REGF_MAGIC = b"regf"
MAX_HIVE_BYTES = 768 << 20  # regipy reads a hive into memory; real SOFTWARE hives stay far below
MAX_SUBKEYS = 20000
MAX_VALUES = 5000

# What a corrupt or hostile hive makes regipy and construct raise while parsing.
HIVE_ERRORS: tuple[type[BaseException], ...] = (
    RegipyException,
    ConstructError,
    struct.error,
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    EOFError,
    OverflowError,
    RecursionError,
)

REG_TYPES = {
    "REG_NONE": 0,
    "REG_SZ": 1,
    "REG_EXPAND_SZ": 2,
    "REG_EXPAND": 2,
    "REG_BINARY": 3,
    "REG_DWORD": 4,
    "REG_DWORD_BIG_ENDIAN": 5,
    "REG_LINK": 6,
    "REG_MULTI_SZ": 7,
    "REG_QWORD": 11,
}


@contextmanager
def _quiet_regipy() -> Iterator[None]:
    """Silence regipy's per-value warnings while one key's values are read, then restore.

    regipy logs "Could not parse data as string" at WARNING for every binary value it tries to
    show as text (every SAM ``Names`` default value, for one); with no handler on the root
    logger Python would print each to stderr in the middle of the progress bars.
    """
    logger = logging.getLogger("regipy")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


class RegValue:
    """One value: its name, numeric type and data as Python types (str, int, bytes, list)."""

    __slots__ = ("data", "name", "type")

    def __init__(self, name: str, reg_type: int | None, data: object) -> None:
        self.name = name
        self.type = reg_type
        self.data = data


def _type_number(value_type: object) -> int | None:
    text = str(value_type)
    if text in REG_TYPES:
        return REG_TYPES[text]
    try:
        return int(text)
    except ValueError:
        return None


class RegKey:
    """One key of a hive, with case-insensitive access to its values and subkeys."""

    def __init__(self, record: NKRecord, path: str) -> None:
        self._record = record
        self.name: str = record.name
        self.path = path
        self._values: dict[str, RegValue] | None = None

    @property
    def filetime(self) -> int:
        """The key's last-written time as stored (FILETIME)."""
        return int(self._record.header.last_modified)

    @property
    def last_written(self) -> datetime | None:
        """The key's last-written time, UTC."""
        return from_filetime(self.filetime)

    def values(self) -> dict[str, RegValue]:
        """Values by lower-case name (``""`` is the default value)."""
        if self._values is None:
            found: dict[str, RegValue] = {}
            with _quiet_regipy():
                records = self._record.iter_values(as_json=False, trim_values=False)
                for value in islice(records or (), MAX_VALUES):
                    name = "" if value.name == "(default)" else value.name
                    found.setdefault(
                        name.lower(), RegValue(name, _type_number(value.value_type), value.value)
                    )
            self._values = found
        return self._values

    def value(self, name: str) -> object | None:
        """The data of a value (None when absent)."""
        found = self.values().get(name.lower())
        return None if found is None else found.data

    def text(self, name: str) -> str | None:
        """A value as text: strings as stored, numbers in decimal, UTF-16 bytes decoded."""
        data = self.value(name)
        if data is None:
            return None
        if isinstance(data, str):
            return data.rstrip("\x00")
        if isinstance(data, bytes):
            return data.decode("utf-16-le", "replace").rstrip("\x00")
        if isinstance(data, list):
            return "; ".join(str(item) for item in data)
        return str(data)

    def strings(self, name: str) -> list[str]:
        """A REG_MULTI_SZ (or a single string) as a list of non-empty strings."""
        data = self.value(name)
        if isinstance(data, list):
            return [str(item) for item in data if str(item).strip()]
        text = self.text(name)
        return [text] if text and text.strip() else []

    def number(self, name: str) -> int | None:
        """A REG_DWORD/REG_QWORD (or a numeric string) as an int."""
        data = self.value(name)
        if isinstance(data, bool):
            return None
        if isinstance(data, int):
            return data
        if isinstance(data, str) and data.strip().lstrip("-").isdigit():
            return int(data.strip())
        return None

    def data(self, name: str) -> bytes | None:
        """A REG_BINARY value's bytes."""
        data = self.value(name)
        return data if isinstance(data, bytes) else None

    def subkeys(self) -> list[RegKey]:
        """The subkeys (at most MAX_SUBKEYS)."""
        records = islice(self._record.iter_subkeys() or (), MAX_SUBKEYS)
        return [RegKey(record, f"{self.path}\\{record.name}") for record in records]

    def subkey(self, name: str) -> RegKey | None:
        """One subkey by name, or None."""
        wanted = name.upper()
        for key in self.subkeys():
            if key.name.upper() == wanted:
                return key
        return None


class Hive:
    """An open hive file (a private copy: regipy reads it whole into memory)."""

    def __init__(self, path: Path) -> None:
        try:
            self._hive = RegistryHive(str(path))
        except StopIteration as error:  # regipy's next() over the first bin's cells
            raise ValueError("damaged hive: its first bin holds no cell") from error
        header = self._hive.header
        self.file_name: str = str(header.file_name or "").rstrip("\x00")
        self.filetime = int(header.last_modification_time)
        self.sequences = (int(header.primary_sequence_num), int(header.secondary_sequence_num))
        self.dirty = self.sequences[0] != self.sequences[1]

    @property
    def last_written(self) -> datetime | None:
        """When the hive was last written (base block timestamp), UTC."""
        return from_filetime(self.filetime)

    def key(self, path: str) -> RegKey | None:
        """A key by path from the hive root (``\\Select``, ``Microsoft\\Windows NT``); or None."""
        parts = [part for part in path.split("\\") if part]
        record: NKRecord | None = self._hive.root
        for part in parts:
            record = record.get_subkey(part, raise_on_missing=False) if record else None
            if record is None:
                return None
        return RegKey(record, "\\" + "\\".join(parts)) if record is not None else None


def hive_header_ok(head: bytes) -> bool:
    """Whether the first bytes are a regf base block."""
    return head[:4] == REGF_MAGIC


def embedded_name(head: bytes) -> str | None:
    """The hive path Windows wrote in the base block (its last 31 characters, UTF-16), or None.

    ``\\REGISTRY\\MACHINE\\SYSTEM``, ``\\SystemRoot\\System32\\Config\\SAM``,
    ``\\??\\C:\\Users\\bob\\ntuser.dat``: which hive a file is when its name does not say.
    """
    if not hive_header_ok(head) or len(head) < 0x70:
        return None
    text = head[0x30:0x70].decode("utf-16-le", "replace").split("\x00", 1)[0].strip()
    return text or None
