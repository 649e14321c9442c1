"""A reader of EWF-E01 (EnCase 1-7, FTK, ewfacquire) media data on Python's own inflate.

Why our own reader: the libewf-python wheel inflates chunks with libewf's built-in decompressor
(measured ~170 MB/s), every call crosses into libewf, and a whole handle is needed per process.
Here chunks are read with one ``pread`` per run and inflated by one call that releases the GIL:
libdeflate (the ``deflate`` package, ~2x zlib) when it is installed, Python's zlib otherwise. pyewf
stays the reference: the tests compare every byte of every corpus E01 with it.

Format (Joachim Metz, "Expert Witness Compression Format (EWF)", libewf documentation, and
libewf ``libewf_chunk_group_fill_v1``): a segment file is a 13-byte header and a chain of
sections, each starting with a 76-byte descriptor (type, next offset, size). The ``volume`` (or
``disk``) section gives chunk size and media size; each ``table`` section lists 32-bit chunk
offsets whose top bit marks a deflated chunk, relative to the table's 64-bit base offset; the
chunk data sits in the preceding ``sectors`` section (EnCase 2+) or inside the table section
itself (EWF, SMART), which is how the size of a table's last chunk is found. An uncompressed
chunk is followed by its Adler-32; a deflated chunk is a zlib stream with its own Adler-32.
``table2`` mirrors ``table`` and is used when the table's checksum is wrong. The acquisition
hashes are in the ``hash`` (MD5), ``digest`` (MD5, SHA-1) and ``xhash`` (EWF-X XML) sections.

A chunk that fails its checksum or does not inflate reads as zeros, as libewf returns it (so
this reader agrees with pyewf byte for byte even on a damaged image), and is counted and named
(:meth:`EwfReader.describe_damage`), so a caller can report it instead of passing it on.

Memory stays flat on any size of image: tables are loaded on demand and a few are kept, chunk
data is cached only for the chunks a read cuts in two (the next read usually continues there).
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import re
import struct
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from triage.evidence.base import open_untouched
from triage.evidence.damage import DamageMap

try:  # libdeflate: ~2x zlib's inflate on this kind of data, and it releases the GIL
    import deflate as _libdeflate
except ImportError:  # pragma: no cover - depends on the installation
    _libdeflate = None

EWF_SIGNATURE = b"EVF\x09\x0d\x0a\xff\x00"
FILE_HEADER = struct.Struct("<8sBHH")
SECTION = struct.Struct("<16sQQ40sI")  # type, next offset, size, padding, Adler-32
TABLE_HEADER = struct.Struct("<I4sQ4sI")  # entries, padding, base offset, padding, Adler-32
VOLUME_E01 = struct.Struct(
    "<B3sIIIQ"
)  # media type, -, chunks, sectors/chunk, bytes/sector, sectors
VOLUME_SMART = struct.Struct("<4sIIII")  # -, chunks, sectors/chunk, bytes/sector, sectors (32-bit)
COMPRESSED = 0x80000000
OFFSET_MASK = 0x7FFFFFFF
INT32_MAX = 0x7FFFFFFF
TABLE_CACHE = 16  # tables kept loaded (16375 chunks each, ~512 MiB of media with 32 KiB chunks)
CHUNK_CACHE = 64  # inflated chunks kept (chunks cut by a read's start or end)
OPEN_SEGMENTS = 64  # segment files kept open at once
MAX_CHUNK = 64 << 20  # ewfacquire's largest chunk is 32768 sectors (16 MiB of 512 bytes)
MAX_DAMAGED = 1000  # corrupt chunks remembered with their reason (all are counted)
MAX_DAMAGE_NAMED = 3

INFLATE_NAME = "libdeflate" if _libdeflate is not None else "zlib"
_adler32: Callable[[bytes], int] = _libdeflate.adler32 if _libdeflate is not None else zlib.adler32
_INFLATE_ERRORS: tuple[type[BaseException], ...] = (zlib.error,) + (
    (_libdeflate.DeflateError,) if _libdeflate is not None else ()
)


def _inflate(stored: bytes | memoryview, capacity: int) -> bytes:
    """One zlib stream (RFC 1950, Adler-32 checked) into at most ``capacity`` bytes.

    Both libdeflate and zlib release the GIL, so digest threads keep running meanwhile; ISA-L
    (python-isal) was measured too and holds the GIL, which halved the evidence-hash rate.
    """
    if _libdeflate is not None:
        return _libdeflate.zlib_decompress(stored, capacity)
    return zlib.decompress(stored, bufsize=capacity)


class EwfFormatError(OSError):
    """The segment files are not an EWF-E01 image this reader understands."""


@dataclass(frozen=True, slots=True)
class _Section:
    kind: str
    start: int  # file offset of the descriptor
    end: int  # file offset just past the section
    data: int  # file offset of the section's data


@dataclass(frozen=True, slots=True)
class _Table:
    """Where one table's entries are, and what it needs to size its last chunk."""

    first_chunk: int
    count: int
    segment: int
    entries: int  # file offset of the entry array
    base: int
    start: int  # section start and end offsets
    end: int
    mirror: int | None  # file offset of the table2 entries, if any


@dataclass(frozen=True, slots=True)
class _LoadedTable:
    offsets: array  # absolute file offset of each chunk's stored data
    sizes: array  # stored size, checksum included
    compressed: bytes  # 1 where the chunk is deflated
    broken: str | None = None  # why none of the table's chunks can be found


class EwfReader:
    """Random access to the media of an E01 segment set, chunk by chunk."""

    def __init__(self, segments: Sequence[Path | None], lenient: bool = False) -> None:
        """``segments`` in order, None where a segment of the set is missing; ``lenient``
        reads a set with missing or cut segments as far as it goes, the chunks that are not
        there reading as zeros, counted as damage and named as gaps (:attr:`gaps`)."""
        self.segments = tuple(
            Path(segment) if segment is not None else None for segment in segments
        )
        self.lenient = lenient
        self.gaps: list[tuple[int, int, str]] = []  # first chunk, stop chunk, why
        self._open: OrderedDict[int, int] = OrderedDict()
        self._tables: list[_Table] = []
        self._loaded: OrderedDict[int, _LoadedTable] = OrderedDict()
        self._chunks: OrderedDict[int, bytes] = OrderedDict()
        self.stored_hashes: dict[str, str] = {}
        self.hash_section_errors: list[str] = []  # stored hashes whose section is damaged
        self.damaged = DamageMap()  # chunk index -> why it reads as zeros (gaps as ranges)
        self.damage_events = 0
        self.chunk_size = 0
        self.size = 0
        self.sector_size = 512
        try:
            self._parse()
        except (struct.error, ValueError, OverflowError, IndexError) as error:
            self.close()  # a field read past its section's end, or a number beyond reason
            raise EwfFormatError(f"{self._name(0)}: damaged EWF structures ({error})") from error
        except BaseException:
            self.close()
            raise

    # -- opening ---------------------------------------------------------------------------------
    def _fd(self, segment: int) -> int:
        descriptor = self._open.get(segment)
        if descriptor is not None:
            self._open.move_to_end(segment)
            return descriptor
        descriptor = open_untouched(self.segments[segment])
        self._open[segment] = descriptor
        if len(self._open) > OPEN_SEGMENTS:
            _, oldest = self._open.popitem(last=False)
            os.close(oldest)
        return descriptor

    def _pread(self, segment: int, size: int, offset: int) -> bytes:
        return os.pread(self._fd(segment), size, offset)

    def _sections(self, segment: int) -> list[_Section]:
        name = self.segments[segment].name
        header = self._pread(segment, FILE_HEADER.size, 0)
        if len(header) < FILE_HEADER.size or not header.startswith(EWF_SIGNATURE):
            raise EwfFormatError(f"{name}: not an EWF-E01 segment file")
        file_size = os.fstat(self._fd(segment)).st_size
        sections: list[_Section] = []
        offset = FILE_HEADER.size
        seen: set[int] = set()
        while offset + SECTION.size <= file_size and offset not in seen:
            seen.add(offset)
            raw = self._pread(segment, SECTION.size, offset)
            kind_raw, next_offset, size, _, checksum = SECTION.unpack(raw)
            if _adler32(raw[:72]) != checksum:
                raise EwfFormatError(f"{name}: section descriptor at {offset} fails its checksum")
            kind = kind_raw.rstrip(b"\0").decode("ascii", "replace")
            end = offset + size if size >= SECTION.size else next_offset
            end = min(end, file_size)  # a size beyond the file: the section ends with it
            sections.append(_Section(kind, offset, max(end, offset + SECTION.size), offset + 76))
            if kind in ("done", "next") or next_offset <= offset:
                break
            offset = next_offset
        return sections

    def _parse(self) -> None:
        chunk_index = 0
        volume: tuple[int, int, int] | None = None  # sectors/chunk, bytes/sector, sectors
        missing: list[tuple[int, int, str]] = []  # table position, chunk index, why
        for segment in range(len(self.segments)):
            if self.segments[segment] is None:
                if not missing or missing[-1][0] != len(self._tables):
                    missing.append((len(self._tables), chunk_index, f"segment {segment + 1}"))
                else:
                    missing[-1] = (*missing[-1][:2], f"{missing[-1][2]}, {segment + 1}")
                continue
            sections = self._sections(segment)
            for position, section in enumerate(sections):
                if section.kind in ("volume", "disk") and volume is None:
                    volume = self._read_volume(segment, section)
                elif section.kind == "table":
                    mirror = next(
                        (s for s in sections[position + 1 : position + 2] if s.kind == "table2"),
                        None,
                    )
                    table = self._read_table(segment, section, mirror, chunk_index)
                    if table is not None:
                        self._tables.append(table)
                        chunk_index += table.count
                elif section.kind in ("hash", "digest", "xhash"):
                    self._read_hashes(segment, section)
        first = self._name(0)
        if volume is None:
            raise EwfFormatError(f"{first}: no volume section")
        sectors_per_chunk, self.sector_size, sectors = volume
        self.chunk_size = sectors_per_chunk * self.sector_size
        self.size = sectors * self.sector_size
        if not 0 < self.chunk_size <= MAX_CHUNK or not 0 < self.sector_size <= MAX_CHUNK:
            raise EwfFormatError(
                f"{first}: volume section gives a chunk of {sectors_per_chunk} sectors of "
                f"{self.sector_size} bytes, beyond what EWF writers make"
            )
        self.chunk_count = chunk_index
        needed = -(-self.size // self.chunk_size)
        if self.chunk_count < needed and not self.lenient:
            raise EwfFormatError(
                f"{self._name(-1)}: tables list {self.chunk_count} of the {needed} "
                "chunks of the media; the image is truncated"
            )
        if self.chunk_count < needed or missing:
            self._place_gaps(missing, needed)

    def _name(self, segment: int) -> str:
        path = self.segments[segment]
        return path.name if path is not None else f"segment {segment % len(self.segments) + 1}"

    def _place_gaps(self, missing: list[tuple[int, int, str]], needed: int) -> None:
        """Where the chunks of missing segments (or of a cut last segment) lie on the media.

        Tables list chunks without their numbers, so the chunks after a gap are placed by
        counting: with one gap, it holds exactly the chunks no table lists; with more, the
        segments after the first gap cannot be placed and are not read.
        """
        listed = self.chunk_count
        if len(missing) > 1:
            position, first, why = missing[0]
            self._tables = self._tables[:position]
            later = ", ".join(text for _, _, text in missing[1:])
            missing = [(position, first, f"{why} (and {later}: later segments cannot be placed)")]
            listed = first
        if missing:
            position, first, why = missing[0]
            shift = needed - listed
            self._tables[position:] = [
                dataclasses.replace(table, first_chunk=table.first_chunk + shift)
                for table in self._tables[position:]
            ]
            reason = f"E01 {why} of the set is missing"
        else:
            first, shift = listed, needed - listed
            reason = f"E01 segment {self._name(-1)} is cut short: its chunk tables are gone"
        if shift > 0:
            self.gaps.append((first, first + shift, reason))
            self.damaged.ranges.append((first, first + shift, reason))
        self.chunk_count = needed

    def _read_volume(self, segment: int, section: _Section) -> tuple[int, int, int]:
        data = self._pread(segment, VOLUME_E01.size, section.data)
        if section.end - section.start - SECTION.size >= 1052:  # EnCase volume: 64-bit sectors
            _, _, _, per_chunk, per_sector, sectors = VOLUME_E01.unpack(data)
        else:  # EWF / SMART volume: 32-bit sector count
            _, _, per_chunk, per_sector, sectors = VOLUME_SMART.unpack(data[: VOLUME_SMART.size])
        return per_chunk, per_sector, sectors

    def _read_table(
        self, segment: int, section: _Section, mirror: _Section | None, first_chunk: int
    ) -> _Table | None:
        header = self._pread(segment, TABLE_HEADER.size, section.data)
        if len(header) < TABLE_HEADER.size:
            raise EwfFormatError(f"{self._name(segment)}: table at {section.start} is cut")
        count, _, base, _, _ = TABLE_HEADER.unpack(header)
        entries = section.data + TABLE_HEADER.size
        room = (min(section.end, os.fstat(self._fd(segment)).st_size) - entries) // 4
        count = min(count, max(room, 0))  # a count beyond its section: the rest is not there
        if count == 0:
            return None
        mirror_entries = mirror.data + TABLE_HEADER.size if mirror is not None else None
        return _Table(
            first_chunk,
            count,
            segment,
            section.data + TABLE_HEADER.size,
            base,
            section.start,
            section.end,
            mirror_entries,
        )

    def _read_hashes(self, segment: int, section: _Section) -> None:
        if section.kind == "xhash":
            raw = self._pread(segment, section.end - section.data, section.data)
            try:
                text = zlib.decompress(raw).decode("utf-8", "replace")
            except zlib.error:
                return
            for name in ("MD5", "SHA1", "SHA256"):
                found = re.search(rf"<{name}>([0-9a-fA-F]+)</{name}>", text)
                if found:
                    self._store_hash(name.lower(), bytes.fromhex(found[1]))
            return
        size = 80 if section.kind == "digest" else 36  # hashes, padding, Adler-32
        data = self._pread(segment, size, section.data)
        if len(data) < size:
            self.hash_section_errors.append(f"{section.kind} section is cut short")
            return
        (checksum,) = struct.unpack_from("<I", data, size - 4)
        if _adler32(data[: size - 4]) != checksum:
            self.hash_section_errors.append(f"{section.kind} section fails its checksum")
        self._store_hash("md5", data[:16])
        if section.kind == "digest":
            self._store_hash("sha1", data[16:36])

    def _store_hash(self, name: str, value: bytes) -> None:
        if any(value):  # an all-zero hash means "not computed"
            self.stored_hashes[name] = value.hex()

    # -- tables ----------------------------------------------------------------------------------
    def _gap_at(self, chunk: int) -> tuple[int, int, str] | None:
        return next((gap for gap in self.gaps if gap[0] <= chunk < gap[1]), None)

    def _table_for(self, chunk: int) -> tuple[_Table, _LoadedTable]:
        position = bisect.bisect_right(self._tables, chunk, key=lambda t: t.first_chunk) - 1
        if (
            position < 0
            or chunk >= self._tables[position].first_chunk + self._tables[position].count
        ):
            raise EwfFormatError(
                f"{self._name(-1)}: no table lists chunk {chunk} "
                f"(tables list {self.chunk_count}); the image is truncated"
            )
        table = self._tables[position]
        loaded = self._loaded.get(position)
        if loaded is None:
            loaded = self._load_table(table)
            self._loaded[position] = loaded
            if len(self._loaded) > TABLE_CACHE:
                self._loaded.popitem(last=False)
        else:
            self._loaded.move_to_end(position)
        return table, loaded

    def _load_table(self, table: _Table) -> _LoadedTable:
        raw = self._entries(table, table.entries)
        if raw is None and table.mirror is not None:
            raw = self._entries(table, table.mirror)
        if raw is None:  # its chunks read as zeros, counted as damage: the rest is still read
            return _LoadedTable(
                array("Q"),
                array("I"),
                b"",
                f"is listed in a damaged chunk table (segment {self._name(table.segment)}"
                f" offset {table.start}) that has no usable copy",
            )
        entries = array("I")
        entries.frombytes(raw)
        if entries.itemsize != 4:  # pragma: no cover - every supported platform has 4-byte I
            raise EwfFormatError("unsupported platform: array('I') is not 32 bits")
        if struct.pack("=I", 1) != struct.pack("<I", 1):  # pragma: no cover - big-endian host
            entries.byteswap()
        return _fill(table, entries, 2 * self.chunk_size + 1024)

    def _entries(self, table: _Table, offset: int) -> bytes | None:
        size = table.count * 4
        raw = self._pread(table.segment, size + 4, offset)
        if len(raw) < size:
            return None
        first = (struct.unpack_from("<I", raw)[0] & OFFSET_MASK) + table.base
        if len(raw) == size + 4 and first != offset + size:
            # SMART (.s01) tables have no checksum: the first chunk follows the entries directly.
            (checksum,) = struct.unpack_from("<I", raw, size)
            if _adler32(raw[:size]) != checksum and checksum != 0:
                return None
        return raw[:size]

    # -- reading ---------------------------------------------------------------------------------
    def read(self, offset: int, length: int) -> bytes:
        """Up to ``length`` media bytes at ``offset`` (short only at the end of the media)."""
        pieces = self.read_pieces(offset, length)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def read_pieces(self, offset: int, length: int) -> list[bytes]:
        """The same bytes as :meth:`read`, as one piece per chunk: no copy to join them.

        A digest can be updated piece by piece; joining 4 MiB costs as much as hashing a
        fifth of it on a slow memory bus.
        """
        if offset < 0 or length <= 0 or offset >= self.size:
            return [b""]
        length = min(length, self.size - offset)
        chunk_size = self.chunk_size
        first = offset // chunk_size
        last = (offset + length - 1) // chunk_size
        inner = offset - first * chunk_size
        if first == last:
            data = self._cached_chunk(first)
            return [data if inner == 0 and length == len(data) else data[inner : inner + length]]
        head = self._cached_chunk(first)
        pieces = [head[inner:] if inner else head]
        pieces.extend(self._chunks_between(first + 1, last))
        tail = offset + length - last * chunk_size
        end = self._cached_chunk(last)
        pieces.append(end if tail == len(end) else end[:tail])
        return pieces

    def _cached_chunk(self, index: int) -> bytes:
        data = self._chunks.get(index)
        if data is None:
            events = self.damage_events
            data = next(iter(self._chunks_between(index, index + 1)))
            if events != self.damage_events:
                return data  # a damaged chunk is never cached: every read of it is counted
            self._chunks[index] = data
            if len(self._chunks) > CHUNK_CACHE:
                self._chunks.popitem(last=False)
        return data

    def _chunks_between(self, first: int, stop: int) -> list[bytes]:
        """Chunks ``first`` .. ``stop - 1``, read with one pread per contiguous run in a table."""
        result: list[bytes] = []
        index = first
        while index < stop:
            gap = self._gap_at(index) if self.gaps else None
            if gap is not None:
                for missing in range(index, min(stop, gap[1])):
                    start = missing * self.chunk_size
                    result.append(self._zeros(min(self.chunk_size, self.size - start)))
                index = min(stop, gap[1])
                continue
            table, loaded = self._table_for(index)
            start = index - table.first_chunk
            end = min(stop - table.first_chunk, table.count)
            if loaded.broken is not None:
                for position in range(start, end):
                    result.append(self._unpack(table.first_chunk + position, loaded, position, b""))
                index = table.first_chunk + end
                continue
            run_start = loaded.offsets[start]
            run_end = loaded.offsets[end - 1] + loaded.sizes[end - 1]
            contiguous = run_end - run_start == sum(loaded.sizes[start:end])
            if contiguous and run_end - run_start <= 64 << 20:
                blob = memoryview(self._pread(table.segment, run_end - run_start, run_start))
                for position in range(start, end):
                    begin = loaded.offsets[position] - run_start
                    stored = blob[begin : begin + loaded.sizes[position]]
                    result.append(
                        self._unpack(table.first_chunk + position, loaded, position, stored)
                    )
            else:
                for position in range(start, end):
                    stored = self._pread(
                        table.segment, loaded.sizes[position], loaded.offsets[position]
                    )
                    result.append(
                        self._unpack(table.first_chunk + position, loaded, position, stored)
                    )
            index = table.first_chunk + end
        return result

    def _unpack(self, index: int, loaded: _LoadedTable, position: int, stored) -> bytes:
        start = index * self.chunk_size
        expected = min(self.chunk_size, self.size - start)
        if loaded.broken is not None:
            return self._damage(index, expected, loaded.broken)
        if loaded.sizes[position] < 4:
            return self._damage(index, expected, "has a table entry giving no usable size")
        if len(stored) < loaded.sizes[position]:
            return self._damage(index, expected, "the segment file ends inside it")
        if loaded.compressed[position]:
            try:
                data = _inflate(stored, self.chunk_size)
            except _INFLATE_ERRORS as error:
                return self._damage(index, expected, f"does not inflate ({error})")
        else:
            data = bytes(stored[:-4])
            (checksum,) = struct.unpack_from("<I", stored, len(stored) - 4)
            if _adler32(data) != checksum:
                return self._damage(index, expected, "fails its Adler-32 checksum")
        if len(data) < expected:
            return self._damage(index, expected, f"holds {len(data)} bytes, not {expected}")
        return data if len(data) == expected else data[:expected]

    def _damage(self, index: int, length: int, reason: str) -> bytes:
        """A chunk that cannot be read reads as zeros, as libewf (and so pyewf) returns it.

        Every such read is counted (:attr:`damage_events`) so that a caller can tell that the
        bytes it got were invented; the first chunks are kept with their reason.
        """
        self.damage_events += 1
        if len(self.damaged) < MAX_DAMAGED and index not in self.damaged:
            self.damaged[index] = reason
        return bytes(length)

    def _zeros(self, length: int) -> bytes:
        """A chunk of a gap: zeros, counted (the gap itself is named in :meth:`describe_damage`)."""
        self.damage_events += 1
        return bytes(length)

    def describe_damage(self) -> str | None:
        """``N corrupt chunk(s) read as zeros: chunk 3 at media offset 98304 does not ...``,
        after the gaps: ``E01 segment 2 of the set is missing: media bytes A-B read as zeros``."""
        gaps = [
            f"{why}: media bytes {first * self.chunk_size}-"
            f"{min(self.size, stop * self.chunk_size) - 1} (chunks {first}-{stop - 1}) "
            "read as zeros"
            for first, stop, why in self.gaps
        ]
        if not len(self.damaged):
            return "; ".join(gaps) or None
        if gaps:
            return "; ".join(gaps) + "; " + self._describe_chunks()
        return self._describe_chunks()

    def _describe_chunks(self) -> str:
        named = "; ".join(
            f"chunk {index} at media offset {index * self.chunk_size} {reason}"
            for index, reason in list(self.damaged.items())[:MAX_DAMAGE_NAMED]
        )
        more = len(self.damaged) - MAX_DAMAGE_NAMED
        return f"{len(self.damaged)} corrupt E01 chunk(s) read as zeros: {named}" + (
            f"; and {more} more" if more > 0 else ""
        )

    def close(self) -> None:
        """Close every segment file."""
        while self._open:
            _, descriptor = self._open.popitem()
            os.close(descriptor)
        self._loaded.clear()
        self._chunks.clear()


def _fill(table: _Table, entries: array, largest: int) -> _LoadedTable:
    """Offsets, stored sizes and flags of one table's chunks (libewf_chunk_group_fill_v1).

    A stored size beyond ``largest`` (no deflate stream grows a chunk that much), or below
    zero, comes from damaged entries: it is kept as 0, which reads as a damaged chunk."""
    count = table.count
    offsets = array("Q", bytes(8 * count))
    sizes = array("I", bytes(4 * count))
    compressed = bytearray(count)
    overflow = False
    for position in range(count):
        stored = entries[position]
        if overflow:
            current, is_compressed = stored, False
        else:
            current, is_compressed = stored & OFFSET_MASK, bool(stored & COMPRESSED)
        if position + 1 < count:
            following = entries[position + 1]
            nxt = following if overflow else following & OFFSET_MASK
            # EnCase 6.7 segment files over 2 GiB: the offset wraps into the flag bit.
            size = (following - current) if nxt < current else (nxt - current)
            size &= 0xFFFFFFFF
        else:
            absolute = table.base + current
            if absolute < table.start:  # data in the sectors section before the table
                size = table.start - absolute
            elif absolute < table.end:  # data inside the table section (EWF, SMART)
                size = table.end - absolute
            else:
                size = 0
        offsets[position] = table.base + current
        sizes[position] = size if 0 <= size <= largest else 0
        compressed[position] = is_compressed
        if not overflow and current + size > INT32_MAX:
            overflow = True
    return _LoadedTable(offsets, sizes, bytes(compressed))
