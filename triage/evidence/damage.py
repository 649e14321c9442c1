"""Media whose container is damaged: what cannot be read reads as zeros, and is counted and named.

A truncated or corrupt VM disk, a split raw image with a piece missing or cut short, an E01 set
with a segment missing: the rest of the media is still evidence, so it is read as far as it goes.
The bytes that cannot be read are zeros (as libewf returns a corrupt E01 chunk), and every read
that met them is counted (``damage_events``) and the places kept (``damaged``), so the hashing
core and the walk can say that a file's bytes, or the evidence hash, include invented zeros:
the same protocol :class:`~triage.evidence.ewf_reader.EwfReader` offers for corrupt chunks.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

UNIT = 64 * 1024  # damage is located to this granularity (the "chunk" of non-E01 media)
MAX_NAMED = 3


class DamageMap(dict):
    """Chunk index -> why it reads as zeros; whole missing ranges kept as ranges, not per chunk.

    (A missing 2 GB segment is 32 768 chunks: ``index in damage`` answers for them without a
    key each.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.ranges: list[tuple[int, int, str]] = []  # first chunk, stop chunk, reason

    def __contains__(self, index: object) -> bool:
        if dict.__contains__(self, index):
            return True
        return isinstance(index, int) and any(a <= index < b for a, b, _ in self.ranges)

    def __bool__(self) -> bool:
        return len(self) > 0 or bool(self.ranges)


class DamagedMedia:
    """Reads of media through ``read``, with known holes and read failures turned into zeros.

    ``holes`` are (start, end, reason) media byte ranges known to be missing before any read
    (a missing segment); a read that raises or comes back short inside the media is retried per
    :data:`UNIT`, and each unit that still fails reads as zeros and is recorded.
    """

    def __init__(
        self,
        read: Callable[[int, int], bytes],
        size: int,
        errors: tuple[type[BaseException], ...],
        holes: list[tuple[int, int, str]] | None = None,
        *,
        unit: int = UNIT,
        what: str = "media",
    ) -> None:
        self._read = read
        self.size = size
        self._errors = errors
        self.chunk_size = unit
        self.what = what
        self.holes = sorted(holes or [])
        self._hole_starts = [start for start, _, _ in self.holes]
        self.damaged = DamageMap()
        for start, end, reason in self.holes:
            self.damaged.ranges.append((start // unit, -(-end // unit), reason))
        self.damage_events = 0

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` (the caller keeps it inside the media)."""
        if not self.holes:
            try:
                data = self._read(offset, length)
            except self._errors:
                data = None
            if data is not None and len(data) == length:
                return data
            return self._by_unit(offset, length)
        return self._by_unit(offset, length)

    def _by_unit(self, offset: int, length: int) -> bytes:
        pieces = []
        end = offset + length
        position = offset
        while position < end:
            stop = min(end, (position // self.chunk_size + 1) * self.chunk_size)
            hole = self._hole_at(position)
            if hole is not None:
                stop = min(end, hole[1])
                pieces.append(self._zeros(position, stop - position, None))
            else:
                following = bisect.bisect_right(self._hole_starts, position)
                if following < len(self.holes):
                    stop = min(stop, self.holes[following][0])
                pieces.append(self._unit(position, stop - position))
            position = stop
        return b"".join(pieces)

    def _hole_at(self, offset: int) -> tuple[int, int, str] | None:
        position = bisect.bisect_right(self._hole_starts, offset) - 1
        if position >= 0 and offset < self.holes[position][1]:
            return self.holes[position]
        return None

    def _unit(self, offset: int, length: int) -> bytes:
        try:
            data = self._read(offset, length)
        except self._errors as error:
            return self._zeros(offset, length, f"cannot be read ({_words(error)})")
        if len(data) < length:
            return data + self._zeros(
                offset + len(data), length - len(data), "lies past the end of the container file"
            )
        return data

    def _zeros(self, offset: int, length: int, reason: str | None) -> bytes:
        self.damage_events += 1
        index = offset // self.chunk_size
        if reason is not None and index not in self.damaged and len(self.damaged) < 1000:
            self.damaged[index] = reason
        return bytes(length)

    def describe_damage(self) -> str | None:
        """``media bytes 1048576-2097151 read as zeros: segment x.002 is missing; ...``."""
        parts = [
            f"{self.what} bytes {start}-{end - 1} read as zeros: {reason}"
            for start, end, reason in self.holes
        ]
        named = list(self.damaged.items())
        parts += [
            f"{self.what} bytes {index * self.chunk_size}-"
            f"{min(self.size, (index + 1) * self.chunk_size) - 1} read as zeros: {reason}"
            for index, reason in named[:MAX_NAMED]
        ]
        if len(named) > MAX_NAMED:
            parts.append(f"and {len(named) - MAX_NAMED} more damaged {self.chunk_size}-byte units")
        return "; ".join(parts) or None


def _words(error: BaseException) -> str:
    """The first sentence of a (libyal) error: they chain every layer's complaint."""
    text = str(error).strip("'\" ") or type(error).__name__
    return text.split(". ")[0][:200]
