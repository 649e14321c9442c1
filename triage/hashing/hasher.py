"""One process's hasher: every file read once, feeding every digest and the typer."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple
from pathlib import Path
from typing import Any

from triage.evidence import EvidenceLocator, FileRef, reopen
from triage.filetype import SNIFF_BYTES, FileTyper
from triage.hashing.jobs import (
    ALGORITHMS,
    MEDIA_FILE_ID,
    READ_ERRORS,
    SMALL_FILE,
    WIDE_FILE,
    BatchTuple,
    DigestRow,
    FileDigest,
    FileExtents,
    HashJob,
    JobTuple,
    _describe_error,
    _digest_row,
    _size_error,
    default_jobs,
)
from triage.hashing.lanes import Lane, _Digester, digest_costs, lane_groups
from triage.hashing.readers import ExtentReader, _damage_counter, _single_host_file

log = logging.getLogger(__name__)
# A sparse file is not hashed when its holes exceed both of these: a 1.25 TB /var/log/lastlog
# of a few KB of data would cost half an hour of digests of zeros (issue 15 item 9), where a
# sparse VM disk of mostly data is still hashed, its holes without a read.
SPARSE_HOLES = 16 << 30
SPARSE_RATIO = 1000
md5, sha1, sha256 = hashlib.md5, hashlib.sha1, hashlib.sha256


class FileHasher(ExtentReader):
    """Hashes files of one open evidence source; one per process."""

    def __init__(
        self,
        locator: EvidenceLocator,
        algorithms: tuple[str, ...],
        type_files: bool = True,
        busy: Any = None,
    ) -> None:
        self.locator = locator
        # Workers of the pool hashing now (a shared multiprocessing.Value), None outside a pool.
        self.busy = busy
        self.algorithms = algorithms
        self.source = reopen(locator)
        self.typer = FileTyper() if type_files else None
        self._damage = _damage_counter(self.source)
        self._starts: dict[int, int] | None = None
        self._lanes: list[Lane] = []
        self._constructors = [getattr(hashlib, name) for name in algorithms]
        self._positions = [
            algorithms.index(name) if name in algorithms else None for name in ALGORITHMS
        ]
        self._all_three = tuple(algorithms) == ALGORITHMS
        self._extents: Callable[[FileRef], FileExtents | None] | None = getattr(
            self.source, "data_extents", None
        )
        self._mapped: tuple[Path, mmap.mmap] | None = None
        self._read_whole: Callable[[FileRef, int], bytes | None] | None = getattr(
            self.source, "read_whole", None
        )
        self.hole_bytes = 0  # zeros of sparse runs digested without a read (tests, progress)

    def close(self) -> None:
        """Release the evidence handle, the image mapping and any digest threads."""
        for lane in self._lanes:
            lane.executor.shutdown()
        self._lanes = []
        if self._mapped is not None:
            with contextlib.suppress(BufferError):
                self._mapped[1].close()
            self._mapped = None
        self.source.close()

    def hash_batch(self, batch: list[JobTuple]) -> BatchTuple:
        """Hash every job of a batch (the worker entry point); results as plain tuples."""
        rows: list[DigestRow] = []
        read: list[int] = []
        media = None
        for job in batch:
            if job[0] == MEDIA_FILE_ID:
                digest = self.hash_one(HashJob(MEDIA_FILE_ID, None, job[5], job[6]))
                media = astuple(digest)
                continue
            row, count = self._hash_job(job)
            rows.append(row)
            read.append(count)
        return rows, read, media

    def _hash_job(self, job: JobTuple) -> tuple[DigestRow, int]:
        """One file: read whole in one call when small and the source can, else streamed."""
        file_id, partition, inode, attr_id, member, size, name = job
        ref = FileRef(partition, inode, attr_id, member)
        if self._read_whole is not None and size <= SMALL_FILE:
            try:
                data = self._read_whole(ref, SMALL_FILE)
            except READ_ERRORS as error:
                error_text = _describe_error(error, 0, size)
                return (None, None, None, None, None, 0, error_text, file_id), 0
            # Near a corrupt E01 chunk the stream path decides (it checks the file's runs).
            if data is not None and not (self._damage is not None and self._damage.damaged):
                return self._row(file_id, data, size, name), len(data)
        digest = self.hash_one(HashJob(file_id, ref, size, name))
        return _digest_row(digest), digest.bytes_read

    def _row(self, file_id: int, data: bytes, size: int, name: str) -> DigestRow:
        """The store row of a file read whole into ``data``."""
        if self._all_three:  # the usual case, spelt out: this runs 50,000 times a second
            hexes = [md5(data).hexdigest(), sha1(data).hexdigest(), sha256(data).hexdigest()]
        else:
            hexes = self._hex([make(data) for make in self._constructors])
        error = _size_error(len(data), size)
        mime, description, mismatch = self._type(data[:SNIFF_BYTES], name, hexes)
        return (hexes[0], hexes[1], hexes[2], mime, description, int(mismatch), error, file_id)

    def _type(
        self, head: bytes, name: str, hexes: list[str | None]
    ) -> tuple[str | None, str | None, bool]:
        """(MIME type, description, extension mismatch); all empty when files are not typed.

        Typing is cached per content: the first digest computed is the key.
        """
        if self.typer is None:
            return None, None, False
        key = next((value for value in hexes if value is not None), None)
        return self.typer.classify(head, name, key)

    def hash_one(self, job: HashJob) -> FileDigest:
        """Read one file once; digests, libmagic and the extension check from that read."""
        hashers = [make() for make in self._constructors]
        if job.ref is None:
            return self._hash_media(job, hashers)
        head = b""
        read = 0
        events = self._damage.damage_events if self._damage is not None else 0
        damaged = False
        try:
            mapped = (
                self._extents(job.ref)
                if self._extents is not None and job.size > SMALL_FILE
                else None
            )
            if mapped is not None and (holes := _holes(mapped[1])) > SPARSE_HOLES:
                data = job.size - holes
                if holes > SPARSE_RATIO * data:
                    return FileDigest(
                        job.file_id, None, None, None, None, None, False,
                        f"not hashed: sparse file: {holes:,} bytes of holes (zeros stored "
                        f"nowhere) around {data:,} bytes of data", 0,
                    )  # fmt: skip
            if mapped is not None and mapped[0] is not None:
                head, read = self._digest_extents(*mapped, hashers, job.size >= WIDE_FILE)
            elif mapped is not None:
                head, read, damaged = self._digest_media_extents(
                    mapped[1], hashers, job.size >= WIDE_FILE, events
                )
            else:
                head, read, damaged = self._digest_stream(job, hashers, events)
        except READ_ERRORS as error:
            return FileDigest(
                job.file_id, None, None, None, None, None, False,
                _describe_error(error, read, job.size), read,
            )  # fmt: skip
        if damaged:
            # Digests of the zeros that stand in for a corrupt chunk would pass for the file's.
            return FileDigest(
                job.file_id, None, None, None, None, None, False,
                "not hashed: part of the file lies in a corrupt E01 chunk, which reads as "
                f"zeros ({self._damage.describe_damage()})", read,
            )  # fmt: skip
        hexes = self._hex(hashers)
        mime, description, mismatch = self._type(head, job.name, hexes)
        error = _size_error(read, job.size)
        return FileDigest(job.file_id, *hexes, mime, description, mismatch, error, read)

    def _digest_stream(
        self, job: HashJob, hashers: list[Any], events: int
    ) -> tuple[bytes, int, bool]:
        """(head, bytes read, met a corrupt E01 chunk) of a file read through the source."""
        damaged = False
        with self.source.open_file(job.ref) as stream:
            if job.size >= WIDE_FILE and len(hashers) > 1:
                head, read = self._digest_wide(stream, hashers)
            else:
                head, read = self._digest_narrow(stream, hashers, job.size)
            if self._damage is not None and self._damage.damaged:
                damaged = self._damage.damage_events != events or self._in_damage(stream, job.ref)
        return head, read, damaged

    def _hex(self, hashers: list[Any]) -> list[str | None]:
        """Hex digests in :data:`ALGORITHMS` order, None for those not computed."""
        return [None if at is None else hashers[at].hexdigest() for at in self._positions]

    def _digester(self, hashers: list[Any], wide: bool = True) -> _Digester:
        """Feeds chunks to the digests, spreading them over threads only while it pays."""
        lanes = self._digest_lanes if wide and len(hashers) > 1 else None
        return _Digester(hashers, lanes, self.busy)

    def _digest_lanes(self) -> list[Lane]:
        if not self._lanes:
            groups = lane_groups(digest_costs(self.algorithms), default_jobs())
            self._lanes = [
                Lane(
                    ThreadPoolExecutor(
                        max_workers=1,
                        thread_name_prefix="digest-" + "+".join(self.algorithms[i] for i in group),
                    ),
                    group,
                )
                for group in groups
            ]
        return self._lanes

    def _hash_media(self, job: HashJob, hashers: list[Any]) -> FileDigest:
        """The whole evidence: its media when it has one (disk images), else its stream."""
        media = getattr(self.source, "media", None)
        read, note, error = 0, None, None
        events = self._damage.damage_events if self._damage is not None else 0
        try:
            mapped = _single_host_file(self.source, media)
            if mapped is not None:
                read = self._digest_mapped(mapped, hashers)
            elif media is not None:
                read = self._digest_media(media, hashers)
            else:
                stream = self.source.open_media()
                if stream is None:
                    raise OSError("this evidence is not a single stream")
                with stream:
                    _, read = self._digest_wide(stream, hashers)
        except (OSError, EOFError, ValueError, RuntimeError) as failure:
            error = _describe_error(failure, read, job.size)
        if error is None and media is not None and read != media.size:
            error = f"read {read} bytes of {media.size}: the media ends early"
        if self._damage is not None and self._damage.damage_events != events:
            note = self._damage.describe_damage()
        digests = self._hex(hashers) if error is None else [None, None, None]
        return FileDigest(job.file_id, *digests, None, None, False, error, read, note)


def _holes(extents: list[tuple[int, int]]) -> int:
    """Bytes of a file's extents that are holes (sparse runs, stored nowhere)."""
    return sum(length for start, length in extents if start < 0)
