"""The parallel hashing core: every file read once, feeding every digest and the typer.

Workers are processes that reopen the evidence themselves from a picklable locator (pytsk3 and
EWF handles never cross a process boundary) and keep one typer each (a signature table, then
libmagic: :mod:`triage.filetype`). Jobs travel as plain tuples in batches balanced by bytes,
with a bounded number of batches in flight, so memory stays flat however many files there are;
results come back per batch as rows ready for the store (:data:`DigestRow`), so the main process
spends almost nothing per file. The workers are forked from a forkserver that the CLI starts
before it loads the pipeline (:func:`start_worker_server`), and the pool is started ahead of the
work (:class:`HashPool`, when the walk begins), so workers take their first batch ~0.03 s into
the walk. It takes batches while the walk still runs (:meth:`HashPool.submit`): the pipeline
hands it the evidence job and each stored chunk of walked files, and the workers, niced, leave
the walk a core of its own.

A file of up to :data:`SMALL_FILE` bytes is read whole in one call when the source can
(``read_whole``: disk images through TSK), and its digests are taken from that one buffer: with
small files the per-file Python around the read costs as much as the digests. Larger files are
read as streams, each chunk feeding every digest; reads go to the raw stream under a
BufferedReader, so bytes are not copied once more into the buffered layer; a larger file whose
bytes lie as they are on the media (ext2/3/4, NTFS written to its end) is read there instead:
in place in a mapped raw image, or through the media reader (an E01's inflated chunks as they
are). A file of :data:`WIDE_FILE` bytes or more is hashed "wide" while its worker is alone:
digest lanes, at most one thread per core (hashlib releases the GIL on updates over 2 KiB),
while the next chunk is read, so a huge file or the evidence image uses every core that is free
and the last large file of a run does not leave cores idle. The evidence image itself is one
more job in the same pool, hashed in parallel with the files. ``jobs=1`` runs everything
inline, with the same results.

A corrupt E01 chunk reads as zeros (as libewf returns it); a file read that met one gets an
error instead of digests that would pass for the original's, and the evidence hash goes on over
it and names the chunk, so the verdict is a MISMATCH that says where.

A sparse run (a hole ext4 or NTFS stores nowhere) is digested from zeros without a read; a file
that is almost all holes (past :data:`~triage.hashing.hasher.SPARSE_HOLES` bytes and
:data:`~triage.hashing.hasher.SPARSE_RATIO` times its data, like a 1.25 TB ``lastlog``) is
"not hashed", with its layout, rather than digesting terabytes of zeros.

The package, along its seams: :mod:`~triage.hashing.jobs` (jobs, results, batches, sizes),
:mod:`~triage.hashing.pool` (worker processes and scheduling), :mod:`~triage.hashing.hasher`
(one process's hasher, and typing), :mod:`~triage.hashing.readers` (readers and extents) and
:mod:`~triage.hashing.lanes` (digest lanes).
"""

from __future__ import annotations

from triage.filetype import SNIFF_BYTES
from triage.hashing.hasher import FileHasher
from triage.hashing.jobs import (
    ALGORITHMS,
    BATCH_BYTES,
    BATCH_FILES,
    CHUNK,
    IN_FLIGHT_PER_WORKER,
    MEDIA_FILE_ID,
    READ_ERRORS,
    SMALL_FILE,
    WIDE_CHUNK,
    WIDE_FILE,
    BatchTuple,
    DigestRow,
    FileDigest,
    FileExtents,
    HashedBatch,
    HashJob,
    JobTuple,
    batches,
    default_jobs,
    parse_algorithms,
    verify_stored_hashes,
)
from triage.hashing.lanes import CACHE_PIECE, LANE_DEPTH, Lane, digest_costs, lane_groups
from triage.hashing.pool import (
    WORKER_NICENESS,
    WORKER_PRELOAD,
    WORKER_SWITCH_INTERVAL,
    HashPool,
    hash_batches,
    hash_files,
    start_worker_server,
    worker_context,
)
from triage.hashing.readers import MADV_POPULATE_READ

__all__ = [
    "ALGORITHMS",
    "BATCH_BYTES",
    "BATCH_FILES",
    "CACHE_PIECE",
    "CHUNK",
    "IN_FLIGHT_PER_WORKER",
    "LANE_DEPTH",
    "MADV_POPULATE_READ",
    "MEDIA_FILE_ID",
    "READ_ERRORS",
    "SMALL_FILE",
    "SNIFF_BYTES",
    "WIDE_CHUNK",
    "WIDE_FILE",
    "WORKER_NICENESS",
    "WORKER_PRELOAD",
    "WORKER_SWITCH_INTERVAL",
    "BatchTuple",
    "DigestRow",
    "FileDigest",
    "FileExtents",
    "FileHasher",
    "HashJob",
    "HashPool",
    "HashedBatch",
    "JobTuple",
    "Lane",
    "batches",
    "default_jobs",
    "digest_costs",
    "hash_batches",
    "hash_files",
    "lane_groups",
    "parse_algorithms",
    "start_worker_server",
    "verify_stored_hashes",
    "worker_context",
]
