"""Sparse files are hashed without reading their holes (issue 15 item 9).

``data/images/sparse.ext4.gz`` (built by ``build_sparse.py``) is a 2 MiB ext4 holding a
128 MiB ``lastlog`` of three short runs of data and holes elsewhere. Its digests are computed
here independently, by streaming zeros with the data spliced in; the hasher must give them
while digesting the holes from zeros it never reads (its hole counter), and must not fall back
to TSK's reads of the file.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest

from triage.evidence import locate, open_evidence
from triage.evidence.disk_image import DiskImageSource
from triage.hashing import ALGORITHMS, FileHasher, HashJob, hasher

IMAGES = Path(__file__).parent / "data" / "images"
_spec = importlib.util.spec_from_file_location("build_sparse", IMAGES / "build_sparse.py")
build_sparse = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_sparse)
BLOCK = 4096


@pytest.fixture(scope="module")
def sparse_image(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("sparse") / "sparse.ext4"
    with gzip.open(IMAGES / "sparse.ext4.gz", "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    target.chmod(0o444)
    return target


def _expected() -> dict[str, str]:
    """The digests of the file's content: zeros, streamed 1 MiB at a time, and the data."""
    digests = [hashlib.new(name) for name in ALGORITHMS]
    data = {offset: build_sparse.DATA for offset in build_sparse.OFFSETS}
    position = 0
    while position < build_sparse.SIZE:
        chunk = bytearray(min(1 << 20, build_sparse.SIZE - position))
        for offset, piece in data.items():
            if position <= offset < position + len(chunk):
                chunk[offset - position : offset - position + len(piece)] = piece
        for digest in digests:
            digest.update(chunk)
        position += len(chunk)
    return {name: digest.hexdigest() for name, digest in zip(ALGORITHMS, digests, strict=True)}


def _lastlog(image: Path):
    source = open_evidence(image)
    try:
        entries = source.walk(lambda problem: None)
        entry = next(e for e in entries if str(e.path).endswith("lastlog"))
    finally:
        source.close()
    return entry


def test_sparse_file_is_hashed_without_reading_its_holes(sparse_image, monkeypatch):
    entry = _lastlog(sparse_image)
    assert entry.size == build_sparse.SIZE

    def no_tsk_read(*args, **kwargs):
        raise AssertionError("the file was read through TSK")

    monkeypatch.setattr(DiskImageSource, "open_file", no_tsk_read)
    file_hasher = FileHasher(locate(sparse_image), ALGORITHMS)
    try:
        result = file_hasher.hash_one(HashJob(1, entry.ref, entry.size, "lastlog"))
    finally:
        file_hasher.close()
    expected = _expected()
    assert (result.md5, result.sha1, result.sha256) == (
        expected["md5"],
        expected["sha1"],
        expected["sha256"],
    )
    assert result.error is None
    assert result.bytes_read == build_sparse.SIZE
    # Three blocks hold data; every other byte came from zeros that were never read.
    assert file_hasher.hole_bytes == build_sparse.SIZE - 3 * BLOCK


def test_a_scan_stores_the_sparse_file_digests(sparse_image, scan):
    output = scan(sparse_image, extractors=[])
    rows = {row["path"]: row for row in output.files()}
    lastlog = next(row for path, row in rows.items() if str(path).endswith("lastlog"))
    expected = _expected()
    assert (lastlog["md5"], lastlog["sha256"]) == (expected["md5"], expected["sha256"])
    assert lastlog["hash_error"] is None


def test_mostly_holes_past_the_limit_is_not_hashed_and_says_why(sparse_image, monkeypatch):
    entry = _lastlog(sparse_image)
    monkeypatch.setattr(hasher, "SPARSE_HOLES", 1 << 20)
    file_hasher = FileHasher(locate(sparse_image), ALGORITHMS)
    try:
        result = file_hasher.hash_one(HashJob(1, entry.ref, entry.size, "lastlog"))
    finally:
        file_hasher.close()
    holes = build_sparse.SIZE - 3 * BLOCK
    assert result.error == (
        f"not hashed: sparse file: {holes:,} bytes of holes (zeros stored nowhere) "
        f"around {3 * BLOCK:,} bytes of data"
    )
    assert result.sha256 is None and file_hasher.hole_bytes == 0
