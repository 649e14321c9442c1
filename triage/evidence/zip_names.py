"""Zip member names as bytes (:mod:`triage.names`), whatever the zip's UTF-8 flag claims.

A zip names a member in cp437 unless general-purpose bit 11 says UTF-8. Writers get this wrong
both ways: Info-ZIP, Android and macOS write UTF-8 without the flag, and some tools set the flag
on names in a local code page. zipfile then raises UnicodeDecodeError while reading the central
directory, and the whole archive would be lost for one name.
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from triage.names import NOT_UTF8, from_bytes, not_utf8

ZIP_UTF8_FLAG = 0x800  # general purpose bit 11: the name and comment are UTF-8
ZIP_CENTRAL_ENTRY = struct.Struct("<4s4B4HL2L5H2L")  # 46 bytes, as zipfile reads it
ZIP_CENTRAL_SIGNATURE = b"PK\x01\x02"
ZIP_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # 30 bytes, as zipfile reads it
ZIP_LOCAL_SIGNATURE = b"PK\x03\x04"


def open_zip(file: BinaryIO) -> zipfile.ZipFile:
    """A ZipFile, also when a name flagged UTF-8 is not (zipfile raises UnicodeDecodeError).

    Such a zip is read again through :class:`_Utf8FlagMask`, which shows zipfile the central
    directory with bit 11 cleared on those entries only: their names then decode as cp437,
    which maps every byte, and :func:`zip_member_name` gets their bytes back.
    """
    try:
        return zipfile.ZipFile(file)
    except UnicodeDecodeError:
        file.seek(0)
        return zipfile.ZipFile(_Utf8FlagMask(file))  # type: ignore[arg-type]


class _Utf8FlagMask:
    """The zip file as read, with the UTF-8 flag cleared on central entries whose names are not
    UTF-8. zipfile reads the whole central directory in one read; that read is the one fixed."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.masked: set[bytes] = set()  # names whose flag was cleared

    def __getattr__(self, name: str):
        return getattr(self._file, name)

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        if len(data) == ZIP_LOCAL_HEADER.size and data.startswith(ZIP_LOCAL_SIGNATURE):
            return self._local_header(data)
        if not data.startswith(ZIP_CENTRAL_SIGNATURE):
            return data
        fixed = bytearray(data)
        position = 0
        while position + ZIP_CENTRAL_ENTRY.size <= len(fixed):
            entry = ZIP_CENTRAL_ENTRY.unpack_from(fixed, position)
            if entry[0] != ZIP_CENTRAL_SIGNATURE:
                break
            flags, name_length = entry[5], entry[12]
            start = position + ZIP_CENTRAL_ENTRY.size
            if flags & ZIP_UTF8_FLAG:
                name = bytes(fixed[start : start + name_length])
                try:
                    name.decode("utf-8")
                except UnicodeDecodeError:
                    struct.pack_into("<H", fixed, position + 8, flags & ~ZIP_UTF8_FLAG)
                    self.masked.add(name)
            position = start + name_length + entry[13] + entry[14]
        return bytes(fixed)

    def _local_header(self, header: bytes) -> bytes:
        """A member's local header, its flag cleared too when its name (read next) is not UTF-8
        (zipfile checks that the local name matches the central one, decoded by this flag)."""
        fields = ZIP_LOCAL_HEADER.unpack(header)
        flags, name_length = fields[3], fields[10]
        if not flags & ZIP_UTF8_FLAG:
            return header
        position = self._file.tell()
        name = self._file.read(name_length)
        self._file.seek(position)
        try:
            name.decode("utf-8")
        except UnicodeDecodeError:
            return header[:6] + struct.pack("<H", flags & ~ZIP_UTF8_FLAG) + header[8:]
        return header


def zip_member_name(
    member: zipfile.ZipInfo, masked: set[bytes] | frozenset[bytes] = frozenset()
) -> tuple[str, str | None]:
    """A zip member's name in triage's convention (:mod:`triage.names`), and a note.

    zipfile decodes a name as UTF-8 when its flag says so and as cp437 otherwise; the bytes are
    recovered from that. A name without the flag that is valid UTF-8 is read as UTF-8 (what
    Info-ZIP, Android and macOS write); one that is not keeps its bytes, and the note gives its
    cp437 reading, which is what the zip format says such a name means.
    """
    name = member.orig_filename
    if member.flag_bits & ZIP_UTF8_FLAG:
        return name, None
    if name.isascii():
        return name, None
    raw = name.encode("cp437")
    text = from_bytes(raw)
    if not not_utf8(text):
        return text, None
    if raw in masked:
        return text, f"{NOT_UTF8}; the zip marks it UTF-8 but it is not"
    return text, f"{NOT_UTF8}; read as cp437 it is {name!r}"
