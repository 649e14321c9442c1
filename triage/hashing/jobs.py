"""What travels between the scan and the hashing workers: jobs, results, batches, sizes.

Jobs go to workers as plain tuples (:data:`JobTuple`) in batches balanced by bytes
(:func:`batches`), and come back as rows ready for the store (:data:`DigestRow`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from triage.evidence import FileRef

ALGORITHMS = ("md5", "sha1", "sha256")
CHUNK = 1 << 20  # read size of an ordinary file
SMALL_FILE = 1 << 20  # files up to this size are read whole in one call where the source can
WIDE_CHUNK = 4 << 20  # read size of a wide file or the evidence image
WIDE_FILE = 16 << 20  # files at least this big get digest lanes while their worker is alone
BATCH_BYTES = 32 << 20  # a batch of small files carries about this many bytes...
BATCH_FILES = 512  # ...or this many files, whichever comes first
IN_FLIGHT_PER_WORKER = 3  # batches queued per worker: enough to never starve, bounded memory
MEDIA_FILE_ID = -1  # the job that hashes the whole evidence stream


@dataclass(frozen=True, slots=True)
class HashJob:
    """One file to hash: its store id, address, size and name (for the extension check)."""

    file_id: int
    ref: FileRef | None  # None: the whole evidence (image hash)
    size: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class FileDigest:
    """The result of one read: digests, type and any read error."""

    file_id: int
    md5: str | None
    sha1: str | None
    sha256: str | None
    mime: str | None
    description: str | None
    ext_mismatch: bool
    error: str | None
    bytes_read: int
    note: str | None = None  # evidence hash only: corrupt chunks that read as zeros


# One file's result as the store takes it (DeviceStore.update_digests):
# (md5, sha1, sha256, mime, magic, ext_mismatch, error, file_id).
DigestRow = tuple[str | None, str | None, str | None, str | None, str | None, int, str | None, int]
# What a worker sends back for one batch: rows, bytes read per row, the evidence job's result.
BatchTuple = tuple[list[DigestRow], list[int], tuple | None]
READ_ERRORS = (OSError, EOFError, ValueError, RuntimeError, KeyError)


@dataclass(frozen=True, slots=True)
class HashedBatch:
    """The results of one batch: store rows, bytes read for each, and the evidence hash if any."""

    rows: list[DigestRow]
    read: list[int]
    media: FileDigest | None = None

    @property
    def bytes_read(self) -> int:
        """Bytes read for the batch (files and evidence), for progress."""
        return sum(self.read) + (max(self.media.bytes_read, 0) if self.media else 0)

    def digests(self) -> Iterator[FileDigest]:
        """The batch as one :class:`FileDigest` per file (and the evidence job's, if any)."""
        for row, read in zip(self.rows, self.read, strict=True):
            md5, sha1, sha256, mime, magic, mismatch, error, file_id = row
            yield FileDigest(file_id, md5, sha1, sha256, mime, magic, bool(mismatch), error, read)
        if self.media is not None:
            yield self.media


def _batch_from_tuple(values: BatchTuple) -> HashedBatch:
    rows, read, media = values
    return HashedBatch(rows, read, FileDigest(*media) if media is not None else None)


def _digest_row(digest: FileDigest) -> DigestRow:
    return (
        digest.md5, digest.sha1, digest.sha256, digest.mime, digest.description,
        int(digest.ext_mismatch), digest.error, digest.file_id,
    )  # fmt: skip


def parse_algorithms(text: str) -> tuple[str, ...]:
    """``"md5,sha256"`` -> ``("md5", "sha256")``; unknown names raise ValueError."""
    names = tuple(
        dict.fromkeys(
            part.strip().lower().replace("-", "") for part in text.split(",") if part.strip()
        )
    )
    unknown = [name for name in names if name not in ALGORITHMS]
    if unknown or not names:
        raise ValueError(
            f"unknown hash algorithm {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(ALGORITHMS)}"
        )
    return names


# A job as it travels to a worker: (file_id, partition, inode, attr_id, member, size, name).
# Plain tuples pickle several times faster than dataclasses, which counts at 50,000 files/s.
JobTuple = tuple[int, int | None, int | None, int | None, str | None, int, str]


# Where a file's bytes lie: (the raw image file, or None for the media; [(offset, length)]).
FileExtents = tuple[Path | None, list[tuple[int, int]]]


def _job_tuple(job: HashJob) -> JobTuple:
    ref = job.ref
    if ref is None:
        return (job.file_id, None, None, None, None, job.size, job.name)
    return (job.file_id, ref.partition, ref.inode, ref.attr_id, ref.member, job.size, job.name)


def _size_error(read: int, size: int) -> str | None:
    """The error of a file whose content is not as long as its metadata says, else None."""
    if read == size:
        return None
    longer = "longer" if read > size else "shorter"
    return f"read {read} bytes of {size}: the file is {longer} than its metadata says"


def _describe_error(error: BaseException, read: int, size: int) -> str:
    text = str(error) or type(error).__name__
    return f"unreadable after {read} of {size} bytes: {text}"


def batches(
    jobs: Iterable[HashJob | JobTuple], max_bytes: int = BATCH_BYTES, max_files: int = BATCH_FILES
) -> Iterator[list[JobTuple]]:
    """Group jobs into batches of similar byte size; a wide file or the evidence travels alone.

    Jobs may come as :class:`HashJob` or already as :data:`JobTuple` (cheaper by the million).
    """
    batch: list[JobTuple] = []
    size = 0
    for job in jobs:
        values = _job_tuple(job) if isinstance(job, HashJob) else job
        if values[5] >= WIDE_FILE or values[0] == MEDIA_FILE_ID:
            yield [values]
            continue
        batch.append(values)
        size += values[5]
        if size >= max_bytes or len(batch) >= max_files:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def verify_stored_hashes(
    stored: dict[str, str], computed: dict[str, str], note: str | None = None
) -> str:
    """Compare acquisition hashes (E01) with the hashes computed now.

    ``verified (MD5, SHA-1)``, ``MISMATCH: ...`` naming each differing algorithm with both
    values (and the ``note`` on corrupt chunks), ``no stored hash``, or ``not verified`` when no
    stored algorithm was computed.
    """
    stored = {name.lower(): value.lower() for name, value in stored.items() if value}
    if not stored:
        return "no stored hash" + (f" ({note})" if note else "")
    compared = [name for name in ALGORITHMS if name in stored and name in computed]
    if not compared:
        return (
            f"not verified: stored {', '.join(sorted(stored)).upper()} not computed "
            "(choose it with --hash)"
        )
    mismatched = [name for name in compared if stored[name] != computed[name].lower()]
    if mismatched:
        details = "; ".join(
            f"{_label(name)} stored {stored[name]} computed {computed[name]}" for name in mismatched
        )
        return f"MISMATCH: {details}" + (f"; {note}" if note else "")
    return "verified (" + ", ".join(_label(name) for name in compared) + ")"


def _label(name: str) -> str:
    return name.upper().replace("SHA", "SHA-")
