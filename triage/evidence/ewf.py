"""Expert Witness (E01) images: every segment found and checked, read by our own EWF reader.

libewf opens a segment set with a missing middle or final segment and only fails when a read
reaches the gap, so the set is checked first: segment numbers must run 1..N without a gap and the
last segment must end with a ``done`` section (EWF specification, libewf documentation
"Expert Witness Compression Format", section descriptors).
"""

from __future__ import annotations

import logging
import re
import struct
from pathlib import Path

from triage.errors import EvidenceError
from triage.evidence.base import open_evidence_file
from triage.evidence.damage import DamagedMedia
from triage.evidence.ewf_reader import INFLATE_NAME, EwfReader
from triage.evidence.media import EWF_SIGNATURE, Media

log = logging.getLogger(__name__)

SECTION_DESCRIPTOR = struct.Struct("<16sQQ40sI")  # type, next offset, size, padding, checksum
FILE_HEADER = struct.Struct("<8sBHH")  # signature, fields start, segment number, fields end


def segment_number(path: Path) -> int:
    """The segment number stored in an EWF file header (1 for .E01)."""
    with open_evidence_file(path) as handle:
        header = handle.read(FILE_HEADER.size)
    if len(header) < FILE_HEADER.size or not header.startswith(EWF_SIGNATURE):
        raise EvidenceError(f"{path}: not an EWF segment (bad signature)")
    return FILE_HEADER.unpack(header)[2]


def section_types(path: Path) -> list[str]:
    """The chain of section types in one segment file, following each descriptor's next offset."""
    types: list[str] = []
    with open_evidence_file(path) as handle:
        size = handle.seek(0, 2)
        offset = FILE_HEADER.size
        seen: set[int] = set()
        while offset + SECTION_DESCRIPTOR.size <= size and offset not in seen:
            seen.add(offset)
            handle.seek(offset)
            kind, next_offset, _, _, _ = SECTION_DESCRIPTOR.unpack(
                handle.read(SECTION_DESCRIPTOR.size)
            )
            name = kind.rstrip(b"\0").decode("ascii", "replace")
            types.append(name)
            if name in ("done", "next") or next_offset <= offset:
                break
            offset = next_offset
    return types


def find_segments(path: Path) -> tuple[Path, ...]:
    """All segments of a whole set, in order; raises naming the first gap. A scan reads around
    gaps (:func:`survey_segments`); the bench and the reader's tests want the whole set."""
    slots, gaps = survey_segments(path)
    if gaps:
        raise EvidenceError(f"{path}: {gaps[0]}; put all segments in one folder")
    return tuple(slot for slot in slots if slot is not None)


SEGMENT_SUFFIX = re.compile(r"^\.[EeSsLl](\d\d|[A-Za-z]{2})$")


def survey_segments(path: Path) -> tuple[tuple[Path | None, ...], list[str]]:
    """The segments of the set ``path`` belongs to, numbered by their own headers, with None
    for each one missing (after the last one found too, when its chain points to a next
    segment), and a sentence per gap; the set is read as far as it goes, not refused.
    """
    found: dict[int, Path] = {}
    for candidate in path.parent.iterdir():
        if candidate.stem == path.stem and SEGMENT_SUFFIX.match(candidate.suffix):
            try:
                number = segment_number(candidate)
            except (EvidenceError, OSError):
                continue
            found.setdefault(number, candidate)
    if 1 not in found:
        raise EvidenceError(
            f"{path}: E01 segment 1 (the .E01 file, which holds the media's description) is "
            "missing or unreadable; put all segments in one folder"
        )
    last = max(found)
    slots: list[Path | None] = [found.get(number) for number in range(1, last + 1)]
    gaps = [
        f"E01 segment {number} is missing" for number in range(1, last + 1) if number not in found
    ]
    chain = section_types(found[last])
    if "done" not in chain:
        if "next" in chain:
            slots.append(None)
            gaps.append(
                f"E01 segment {found[last].name} points to {_next_segment_name(found[last])}, "
                "which is missing"
            )
        else:
            gaps.append(f"E01 segment {found[last].name} is truncated")
    return tuple(slots), gaps


def _next_segment_name(path: Path) -> str:
    suffix = path.suffix
    if len(suffix) == 4 and suffix[2:].isdigit() and suffix[2:] != "99":
        return path.with_suffix(f"{suffix[:2]}{int(suffix[2:]) + 1:02d}").name
    return "the next segment"


def open_ewf(path: Path) -> Media:
    """Open an E01 set read-only after checking that no segment is missing.

    Media data is read by :class:`~triage.evidence.ewf_reader.EwfReader` (our inflate, 13x
    pyewf's read rate in ``bench/hashing.py``); pyewf, the reference implementation, reads the
    acquisition header values, and stays the reader of what ours does not handle (EWF2 Ex01,
    or a set our reader refuses). Stored hashes come from the hash/digest sections.
    """
    import pyewf  # noqa: PLC0415

    slots, gaps = survey_segments(path)
    if gaps:
        return _incomplete(path, slots, gaps)
    segments = tuple(slot for slot in slots if slot is not None)
    try:
        reader: EwfReader | None = EwfReader(segments)
    except OSError as error:
        log.warning(
            "%s: triage's E01 reader refused the set (%s); reading through pyewf", path, error
        )
        reader = None
    handle = pyewf.handle()
    files = [open_evidence_file(segment) for segment in segments]  # access times kept

    def close_pyewf() -> None:
        try:
            handle.close()
        finally:
            for file in files:
                file.close()

    try:
        handle.open_file_objects(files, "r")
    except OSError as error:
        for file in files:
            file.close()
        if reader is None:
            raise EvidenceError(f"{path}: E01 cannot be opened: {error}") from error
        # libewf refuses a set whose hash section fails its checksum; ours reads it and says so.
        log.warning("%s: pyewf refused the set (%s); reading with triage's reader", path, error)
        return _reader_media(reader, segments, {"pyewf_error": str(error)})
    metadata = {key: str(value) for key, value in (handle.get_header_values() or {}).items()}
    metadata["chunk_size"] = str(handle.get_chunk_size())
    metadata["compression_method"] = str(handle.get_compression_method())
    media_size = handle.get_media_size()
    if reader is not None and reader.size != media_size:
        log.warning(
            "%s: media size %d, pyewf says %d; reading through pyewf", path, reader.size, media_size
        )
        reader.close()
        reader = None
    if reader is None:
        stored = {
            name.lower(): value.lower()
            for name, value in (handle.get_hash_values() or {}).items()
            if value and set(value.lower()) - {"0"}
        }
        reads = DamagedMedia(  # a chunk libewf cannot read is zeros, counted and reported
            lambda offset, length: handle.read_buffer_at_offset(length, offset),
            media_size,
            (OSError, RuntimeError, ValueError),
            what="E01 media",
        )
        return Media(
            format="E01",
            size=media_size,
            segments=segments,
            read_at=reads.read,
            close=close_pyewf,
            stored_hashes=stored,
            metadata=metadata,
        )
    close_pyewf()
    return _reader_media(reader, segments, metadata)


def _reader_media(reader: EwfReader, segments: tuple[Path, ...], metadata: dict[str, str]) -> Media:
    metadata = {**metadata, "reader": f"triage ewf_reader ({INFLATE_NAME} inflate)"}
    if reader.hash_section_errors:
        metadata["stored_hash_problem"] = "; ".join(reader.hash_section_errors)
    return Media(
        format="E01",
        size=reader.size,
        segments=segments,
        read_at=reader.read,
        close=reader.close,
        stored_hashes=dict(reader.stored_hashes),
        metadata=metadata,
    )


def _incomplete(path: Path, slots: tuple[Path | None, ...], gaps: list[str]) -> Media:
    """A set with segments missing or cut: read by our reader as far as it goes (pyewf cannot
    read past a gap), the missing chunks reading as zeros, counted and named."""
    try:
        reader = EwfReader(slots, lenient=True)
    except OSError as error:
        advice = (
            "put all segments in one folder"
            if any("missing" in gap for gap in gaps)
            else "copy the segment file again from its source"
        )
        raise EvidenceError(
            f"{path}: E01 cannot be opened ({'; '.join(gaps)}; {error}); {advice}"
        ) from error
    segments = tuple(slot for slot in slots if slot is not None)
    damage = "; ".join([*gaps, *filter(None, [reader.describe_damage()])])
    return _reader_media(reader, segments, {"container_damage": damage})
