"""Volume Shadow Copies through libvshadow (pyvshadow): the older copies Windows keeps.

Each snapshot (a "store") reads as a whole NTFS volume as it was at its creation time; the
file-system layer walks it like any volume. What makes it worth an examiner's time is what it
has and the live volume has not: :class:`SnapshotFilter` keeps the entries that are gone from
the live volume or differ from it (size or times), and drops the identical ones, so a snapshot
adds only its own evidence to the listing, the hashes and the extractors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from triage.evidence.base import WalkRow
from triage.evidence.media import Media
from triage.evidence.volumes.base import MediaStream, libyal_media

FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
VSS_HEADER_OFFSET = 0x1E00
VSS_IDENTIFIER = bytes.fromhex("6b87083876c1484eb7ae04046e6cc752")
# Columns of a walk row compared with the live volume: kind, size, mtime, ctime, crtime (the
# access time changes by reading alone, so it does not make a file different).
COMPARED = (2, 3, 9, 11, 12)
PATH, NOTE = 0, 13
# The shadow copies' own storage ("{store GUID}{3808876b-...}" in System Volume Information): in a
# snapshot it is an older, smaller copy of the same store, hundreds of MB read through every
# snapshot for nothing the live volume's copy does not hold. Listed on the live volume only.
STORE_FILE_SUFFIX = "{3808876b-c176-4e48-b7ae-04046e6cc752}"


@dataclass
class Snapshot:
    """One shadow copy: its number (1 = oldest), IDs, creation time and bytes."""

    number: int
    identifier: str
    copy_identifier: str
    created: str | None  # UTC ISO 8601
    created_raw: int  # FILETIME as stored
    media: Media

    @property
    def label(self) -> str:
        """How the report names it: "VSS snapshot 1 {id}, created ..."."""
        created = self.created or f"FILETIME {self.created_raw}"
        return f"VSS snapshot {self.number} {{{self.identifier}}} created {created}"


def has_shadow_copies(media: Media, start: int) -> bool:
    """True when an NTFS volume carries the VSS catalog header (cheap: one read)."""
    return media.read(start + VSS_HEADER_OFFSET, 16) == VSS_IDENTIFIER


def _filetime(value: int) -> str | None:
    try:
        return (
            (FILETIME_EPOCH + timedelta(microseconds=value // 10))
            .isoformat()
            .replace("+00:00", "Z")
        )
    except (OverflowError, ValueError):
        return None


def snapshots(media: Media, start: int, length: int) -> list[Snapshot]:
    """Every shadow copy of the NTFS volume at ``start``, oldest first (raises OSError)."""
    import pyvshadow  # noqa: PLC0415 - only NTFS volumes with a VSS header need it

    stream = MediaStream(media, start, length)
    volume = pyvshadow.volume()
    volume.open_file_object(stream)
    found = []
    for index in range(volume.number_of_stores):
        store = volume.get_store(index)
        raw = store.get_creation_time_as_integer()
        found.append(
            Snapshot(
                number=index + 1,
                identifier=str(store.identifier),
                copy_identifier=str(store.copy_identifier),
                created=_filetime(raw),
                created_raw=raw,
                media=libyal_media(store, "VSS snapshot", store.volume_size),
            )
        )
    # The stores close with the volume: keep it open until the last snapshot's media closes.
    if found:
        last = found[-1].media.close
        found[-1].media.close = lambda: (last(), volume.close())
    else:
        volume.close()
    return found


class SnapshotFilter:
    """Collects the live volume's entries, then keeps a snapshot's entries that differ."""

    def __init__(self) -> None:
        self._live: dict[str, tuple] = {}

    def collect(self, rows: Iterator[WalkRow]) -> Iterator[WalkRow]:
        """The live volume's rows, unchanged, remembered for comparison."""
        for row in rows:
            self._live[row[PATH]] = tuple(row[column] for column in COMPARED)
            yield row

    def differing(self, rows: Iterator[WalkRow], label: str) -> Iterator[WalkRow]:
        """The snapshot's rows that are gone from the live volume or differ, marked so."""
        for row in rows:
            if row[PATH].lower().endswith(STORE_FILE_SUFFIX):
                continue
            live = self._live.get(row[PATH])
            if live is None:
                mark = f"{label}: gone from the live volume"
            elif live != tuple(row[column] for column in COMPARED):
                mark = f"{label}: differs from the live volume"
            else:
                continue
            note = row[NOTE]
            yield (*row[:NOTE], f"{mark}; {note}" if note else mark)
