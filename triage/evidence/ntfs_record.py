"""How much of an NTFS file's data was ever written, from its MFT record.

NTFS keeps two sizes for a file's data: its size, and its *initialized* size; bytes past the
initialized size read as zeros whatever the clusters hold (Windows and TSK both read them so).
The hashing core reads a large file straight from the media at its runs only when that gives
TSK's bytes, i.e. when the whole file is initialized, and pytsk3 does not expose TSK's
``initsize``. So this module reads the file's MFT record itself: the update-sequence fixups are
checked and applied, and the header of the unnamed non-resident $DATA attribute gives the sizes.
Anything unusual (no FILE signature, a torn record, the attribute in an extension record, a
compressed, encrypted or sparse stream, two unnamed streams) gives None, and TSK reads the file.

Layout: Microsoft's NTFS on-disk structures as documented in libfsntfs's "New Technologies
File System (NTFS)" format notes (MFT entry header, update sequence, attribute headers).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

FILE_SIGNATURE = b"FILE"
DATA_ATTRIBUTE = 0x80
END_OF_ATTRIBUTES = 0xFFFFFFFF
NOT_PLAIN_FLAGS = 0x0001 | 0x4000 | 0x8000  # compressed, encrypted, sparse
FIXUP_STRIDE = 512  # the update sequence protects the last 2 bytes of every 512


@dataclass(frozen=True, slots=True)
class DataSizes:
    """The sizes in the header of a file's unnamed non-resident $DATA attribute."""

    data_size: int
    initialized_size: int

    @property
    def fully_initialized(self) -> bool:
        """Every byte of the data was written: reading its clusters gives what TSK gives."""
        return self.initialized_size >= self.data_size


def fixed_up(record: bytes) -> bytes | None:
    """The record with its update-sequence fixups applied, or None when it is not a sound
    FILE record (a torn write leaves a sector whose last bytes do not match the sequence)."""
    if len(record) < 0x30 or not record.startswith(FILE_SIGNATURE):
        return None
    usa_offset, usa_count = struct.unpack_from("<HH", record, 4)
    if usa_count < 2 or (usa_count - 1) * FIXUP_STRIDE > len(record):
        return None
    if usa_offset + 2 * usa_count > len(record):
        return None
    data = bytearray(record)
    sequence = data[usa_offset : usa_offset + 2]
    for index in range(1, usa_count):
        end = index * FIXUP_STRIDE
        if data[end - 2 : end] != sequence:
            return None
        at = usa_offset + 2 * index
        data[end - 2 : end] = data[at : at + 2]
    return bytes(data)


def unnamed_data_sizes(record: bytes, number: int) -> DataSizes | None:
    """Sizes of the unnamed, non-resident, plain $DATA attribute (from VCN 0) of MFT entry
    ``number``, or None when the record is not that entry or has not exactly one such
    attribute. Records written since Windows XP carry their own number (at 0x2C, after the
    header the update sequence then follows at 0x30): it must be ``number``."""
    data = fixed_up(record)
    if data is None:
        return None
    (usa_offset,) = struct.unpack_from("<H", data, 4)
    if usa_offset >= 0x30 and struct.unpack_from("<I", data, 0x2C)[0] != number & 0xFFFFFFFF:
        return None
    (offset,) = struct.unpack_from("<H", data, 0x14)
    (used,) = struct.unpack_from("<I", data, 0x18)
    end = min(used, len(data))
    found: list[DataSizes] = []
    while offset + 16 <= end:
        kind, length = struct.unpack_from("<II", data, offset)
        if kind == END_OF_ATTRIBUTES:
            break
        if length < 16 or offset + length > end:
            return None  # a damaged attribute chain: let TSK decide
        nonresident, name_length = data[offset + 8], data[offset + 9]
        (flags,) = struct.unpack_from("<H", data, offset + 12)
        if kind == DATA_ATTRIBUTE and name_length == 0:
            if not nonresident or flags & NOT_PLAIN_FLAGS or length < 0x40:
                return None
            (first_vcn,) = struct.unpack_from("<Q", data, offset + 0x10)
            if first_vcn != 0:
                return None  # the stream continues in other records (an attribute list)
            data_size, initialized = struct.unpack_from("<QQ", data, offset + 0x30)
            found.append(DataSizes(data_size, initialized))
        offset += length
    return found[0] if len(found) == 1 else None
