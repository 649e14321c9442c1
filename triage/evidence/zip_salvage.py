"""A zip whose central directory is missing or damaged, read from its local headers.

A zip cut short (an interrupted copy, a carved file) loses its central directory first, since it
is written last; every member before the cut is still there, each behind its own local header
(APPNOTE.TXT 4.3.7). The local headers are walked from the start and a central directory is
synthesised for them; :class:`SalvagedZip` shows the archive followed by that directory as one
read-only file, so ``zipfile`` reads the members as usual (decompression, CRC checks, bombs).
Nothing is written: the directory lives in memory and the evidence is only read.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

LOCAL = struct.Struct("<4sHHHHHIIIHH")  # APPNOTE 4.3.7
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # APPNOTE 4.3.12
END = struct.Struct("<4s4H2LH")  # APPNOTE 4.3.16
LOCAL_SIG, CENTRAL_SIG, END_SIG, DESCRIPTOR_SIG = (
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06",
    b"PK\x07\x08",
)
DATA_DESCRIPTOR = 0x08
DEFLATED = 8
MAX_MEMBERS = 1_000_000
LIMIT_32 = 0xFFFFFFFF


@dataclass(frozen=True)
class LocalEntry:
    """One member found by its local header."""

    offset: int
    header: tuple  # LOCAL fields
    name: bytes
    crc: int
    compressed: int
    size: int


def scan_local_headers(handle: BinaryIO, length: int) -> tuple[list[LocalEntry], str]:
    """The members found walking local headers from byte 0, and where and why the walk ended."""
    entries: list[LocalEntry] = []
    offset = 0
    while len(entries) < MAX_MEMBERS:
        handle.seek(offset)
        raw = handle.read(LOCAL.size)
        if len(raw) < LOCAL.size or not raw.startswith(LOCAL_SIG):
            if offset >= length:
                return entries, f"the file ends at byte {length}, after the last member"
            if raw[:4] in (CENTRAL_SIG, END_SIG):
                return entries, f"central directory found at byte {offset} but not readable"
            return entries, f"no further local header at byte {offset} (file is {length} bytes)"
        header = LOCAL.unpack(raw)
        _, _, flags, method, _, _, crc, compressed, size, name_length, extra_length = header
        name = handle.read(name_length)
        if len(name) < name_length:
            return entries, f"local header at byte {offset} is cut short"
        data = offset + LOCAL.size + name_length + extra_length
        following = data + compressed
        if flags & DATA_DESCRIPTOR and compressed == 0:
            found = _described(handle, data, method, length)
            if found is None:
                entries.append(LocalEntry(offset, header, name, crc, length - data, 0))
                return entries, f"member at byte {offset} is cut short (no end found)"
            crc, compressed, size, following = found
        entries.append(LocalEntry(offset, header, name, crc, compressed, size))
        if following > length:
            return entries, f"member at byte {offset} is cut short: it needs {following} bytes"
        offset = following
    return entries, f"stopped after {MAX_MEMBERS} members"


def _described(
    handle: BinaryIO, data: int, method: int, length: int
) -> tuple[int, int, int, int] | None:
    """(CRC, compressed size, size, next header offset) of a member whose sizes follow it."""
    handle.seek(data)
    if method == DEFLATED:
        inflater = zlib.decompressobj(-15)
        fed = size = 0
        while not inflater.eof:
            block = handle.read(1 << 16)
            if not block:
                return None
            try:
                size += len(inflater.decompress(block))
            except zlib.error:
                return None
            fed += len(block)
        compressed = fed - len(inflater.unused_data)
    else:  # stored with a descriptor: the next signature ends it
        window = b""
        position = data
        while True:
            block = handle.read(1 << 16)
            if not block:
                return None
            window = window[-3:] + block
            found = window.find(DESCRIPTOR_SIG)
            if found >= 0:
                compressed = position - (len(window) - len(block)) + found - data
                break
            position += len(block)
        size = compressed
    handle.seek(data + compressed)
    tail = handle.read(16)
    if tail.startswith(DESCRIPTOR_SIG):
        tail = tail[4:]
        skip = 16
    else:
        skip = 12
    if len(tail) < 4:
        return None
    (crc,) = struct.unpack_from("<I", tail)
    return crc, compressed, size, data + compressed + skip


def central_directory(entries: list[LocalEntry], at: int) -> bytes:
    """A central directory and end record for ``entries``, to sit at byte ``at``."""
    records = []
    for entry in entries:
        _, version, flags, method, time, date, _, _, _, _, _ = entry.header
        if max(entry.offset, entry.compressed, entry.size) > LIMIT_32:
            break  # zip64 members are left out of a salvaged directory
        records.append(
            CENTRAL.pack(
                CENTRAL_SIG,
                20,
                0,
                min(version & 0xFF, 45),  # zipfile refuses what it cannot extract anyway
                0,
                flags,
                method,
                time,
                date,
                entry.crc,
                entry.compressed,
                entry.size,
                len(entry.name),
                0,
                0,
                0,
                0,
                0,
                entry.offset,
            )  # fmt: skip
            + entry.name
        )
    body = b"".join(records)
    count = min(len(records), 0xFFFF)
    return body + END.pack(END_SIG, 0, 0, count, count, len(body), at, 0)


class SalvagedZip(io.RawIOBase):
    """The archive's bytes followed by a synthesised central directory, read-only."""

    def __init__(self, handle: BinaryIO, length: int, directory: bytes) -> None:
        self._handle, self._length, self._directory = handle, length, directory
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position}.get(whence)
        if base is None:
            base = self._length + len(self._directory)
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer) -> int:
        wanted = len(buffer)
        data = b""
        if self._position < self._length:
            self._handle.seek(self._position)
            data = self._handle.read(min(wanted, self._length - self._position))
        if len(data) < wanted and self._position + len(data) >= self._length:
            start = self._position + len(data) - self._length
            data += self._directory[start : start + wanted - len(data)]
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()
