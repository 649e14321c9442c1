"""The hashing core: digests equal hashlib over the source bytes, for every kind of evidence.

Each kind is built tiny in tmp (folder, tar, tar.gz, zip, iTunes backup folder, ext2 image made
with ``mke2fs -d``, the same image split in two pieces) or taken from the corpus (E01, compared
with pyewf's media). Every case runs with jobs=1 and jobs=2 and must give the same results. The
fast paths (small files read whole, ext2/3/4 files digested in place in the mapped image, digests
in this thread or in lanes depending on the other workers) must read exactly what TSK's reader
reads; file typing asks libmagic once per file and describes only the files reports show.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import plistlib
import random
import shutil
import sqlite3
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from triage import hashing, pipeline
from triage.evidence import locate, open_evidence, reopen
from triage.filetype import FileTyper
from triage.hashing import (
    ALGORITHMS,
    MEDIA_FILE_ID,
    WIDE_FILE,
    FileDigest,
    FileHasher,
    HashJob,
    HashPool,
    batches,
    hash_batches,
    hash_files,
    hasher,
    jobs,
    lanes,
    parse_algorithms,
    pool,
    readers,
    verify_stored_hashes,
)

RNG = random.Random(7)
PE_HEADER = b"MZ" + bytes(58) + (64).to_bytes(4, "little") + b"PE\x00\x00" + bytes(200)
FILES = {
    "docs/note.txt": b"hello triage\n" * 10,
    "docs/empty.bin": b"",
    "media/photo.jpg": PE_HEADER,  # a PE named .jpg: the extension lies
    "media/medium.bin": RNG.randbytes(300 * 1024),
    "media/large.bin": RNG.randbytes(2 * 1024 * 1024 + 12345),  # several reads
}


def _tune(monkeypatch, name, value):
    """Set a hashing constant (or function) in every module of the package that uses it."""
    for module in (hashing, hasher, jobs, lanes, pool, readers):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, value)


def digests(data: bytes) -> tuple[str, str, str]:
    return (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


EXPECTED = {path: digests(data) for path, data in FILES.items()}


def write_tree(root: Path) -> Path:
    for relative, data in FILES.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def hash_evidence(evidence: Path, jobs: int, **options) -> tuple[dict[str, tuple], FileDigest]:
    """Walk the evidence, hash every file and the evidence itself; results by path."""
    locator = locate(evidence)
    source = reopen(locator)
    try:
        entries = [e for e in source.walk(lambda problem: None) if e.kind in ("file", "ads")]
        size = source.info().size
        ordered = bool(getattr(source, "sequential", False))
    finally:
        source.close()
    jobs_in = [HashJob(index, e.ref, e.size, e.path.name) for index, e in enumerate(entries)]
    if size is not None:
        jobs_in.insert(0, HashJob(MEDIA_FILE_ID, None, size))
    results = {
        d.file_id: d for d in hash_files(locator, jobs_in, jobs=jobs, ordered=ordered, **options)
    }
    assert len(results) == len(jobs_in)
    by_path = {
        str(entries[index].path).lstrip("/"): digest
        for index, digest in results.items()
        if index != MEDIA_FILE_ID
    }
    return by_path, results.get(MEDIA_FILE_ID)


def assert_files(by_path: dict[str, FileDigest], prefix: str = "") -> None:
    for relative, expected in EXPECTED.items():
        digest = by_path[prefix + relative]
        assert (digest.md5, digest.sha1, digest.sha256) == expected, relative
        assert digest.error is None
        assert digest.bytes_read == len(FILES[relative])


def assert_media(media: FileDigest | None, data: bytes) -> None:
    assert media is not None and media.error is None and media.note is None
    assert (media.md5, media.sha1, media.sha256) == digests(data)
    assert media.bytes_read == len(data)


def comparable(by_path: dict[str, FileDigest]) -> dict[str, tuple]:
    return {path: (d.md5, d.sha1, d.sha256, d.mime, d.error) for path, d in by_path.items()}


# -- evidence builders ---------------------------------------------------------------------------
def build_tar(tmp_path: Path, mode: str, name: str) -> Path:
    archive = tmp_path / name
    with tarfile.open(archive, mode) as tar:
        for relative, data in FILES.items():
            info = tarfile.TarInfo(relative)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return archive


def build_zip(tmp_path: Path) -> Path:
    archive = tmp_path / "phone.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative, data in FILES.items():
            bundle.writestr(relative, data)
    return archive


def build_itunes(tmp_path: Path) -> Path:
    """A minimal unencrypted backup: Manifest.plist, Manifest.db (Files table), hashed names."""
    root = tmp_path / "backup"
    root.mkdir()
    with open(root / "Manifest.plist", "wb") as handle:
        plistlib.dump({"IsEncrypted": False, "Version": "10.0"}, handle)
    connection = sqlite3.connect(root / "Manifest.db")
    connection.execute(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
        "flags INTEGER, file BLOB)"
    )
    for relative, data in FILES.items():
        file_id = hashlib.sha1(f"HomeDomain-{relative}".encode()).hexdigest()
        (root / file_id[:2]).mkdir(exist_ok=True)
        (root / file_id[:2] / file_id).write_bytes(data)
        connection.execute(
            "INSERT INTO Files VALUES (?, 'HomeDomain', ?, 1, NULL)", (file_id, relative)
        )
    connection.commit()
    connection.close()
    return root


def build_ext2(tmp_path: Path) -> Path:
    mke2fs = shutil.which("mke2fs") or "/usr/sbin/mke2fs"
    if not Path(mke2fs).exists():
        pytest.skip("mke2fs (e2fsprogs) is not installed")
    tree = write_tree(tmp_path / "tree")
    image = tmp_path / "disk.raw"
    subprocess.run(
        [mke2fs, "-q", "-F", "-t", "ext2", "-d", str(tree), str(image), "8M"],
        check=True,
        capture_output=True,
    )
    return image


# -- digests equal hashlib, jobs=1 and jobs=2 agree ----------------------------------------------
@pytest.mark.parametrize("kind", ["directory", "tar", "tar.gz", "zip", "itunes"])
def test_file_digests_match_hashlib(tmp_path, kind):
    if kind == "directory":
        evidence, prefix = write_tree(tmp_path / "root"), ""
    elif kind == "tar":
        evidence, prefix = build_tar(tmp_path, "w", "phone.tar"), ""
    elif kind == "tar.gz":
        evidence, prefix = build_tar(tmp_path, "w:gz", "phone.tar.gz"), ""
    elif kind == "zip":
        evidence, prefix = build_zip(tmp_path), ""
    else:
        evidence, prefix = build_itunes(tmp_path), "private/var/mobile/"
    one, media_one = hash_evidence(evidence, jobs=1)
    two, media_two = hash_evidence(evidence, jobs=2)
    assert_files(one, prefix)
    assert comparable(one) == comparable(two)
    if kind in ("tar", "tar.gz", "zip"):  # the archive file itself is the evidence
        assert_media(media_one, evidence.read_bytes())
        assert media_two == media_one
    else:
        assert media_one is None and media_two is None


def test_raw_and_split_raw_images(tmp_path):
    image = build_ext2(tmp_path)
    one, media_one = hash_evidence(image, jobs=1)
    two, media_two = hash_evidence(image, jobs=2)
    assert_files(one)
    assert comparable(one) == comparable(two)
    assert_media(media_one, image.read_bytes())
    assert media_two == media_one
    # The same image cut in two pieces reads as one disk.
    data = image.read_bytes()
    split = tmp_path / "split"
    split.mkdir()
    (split / "disk.000").write_bytes(data[: len(data) // 2 + 1000])
    (split / "disk.001").write_bytes(data[len(data) // 2 + 1000 :])
    pieces, media_split = hash_evidence(split / "disk.000", jobs=2)
    assert_files(pieces)
    assert_media(media_split, data)


def test_e01_equals_the_same_media_as_raw(tmp_path, corpus):
    """dfvfs_ext2.E01 (deflate) read by our EWF reader hashes like its media read by pyewf."""
    pyewf = pytest.importorskip("pyewf")
    e01 = corpus / "disk-images" / "dfvfs_ext2.E01"
    handle = pyewf.handle()
    handle.open([str(e01)])
    media = handle.read_buffer_at_offset(handle.get_media_size(), 0)
    handle.close()
    raw = tmp_path / "ext2.raw"
    raw.write_bytes(media)
    from_e01, media_e01 = hash_evidence(e01, jobs=2)
    from_raw, _ = hash_evidence(raw, jobs=1)
    assert comparable(from_e01) == comparable(from_raw)
    assert len(from_e01) >= 2
    assert_media(media_e01, media)
    assert media_e01.md5 == "196066add11fb71c4c49cf1bb50d6d24"  # stored at acquisition
    one, _ = hash_evidence(e01, jobs=1)
    assert comparable(one) == comparable(from_e01)


def test_wide_path_gives_the_same_digests(tmp_path, monkeypatch):
    """Files above WIDE_FILE are hashed in digest lanes; the result must not change."""
    root = write_tree(tmp_path / "root")
    narrow, _ = hash_evidence(root, jobs=1)
    _tune(monkeypatch, "WIDE_FILE", 64 * 1024)
    _tune(monkeypatch, "WIDE_CHUNK", 256 * 1024)
    wide, _ = hash_evidence(root, jobs=1)
    assert comparable(wide) == comparable(narrow)
    assert_files(wide)


def test_algorithm_choice_and_types(tmp_path):
    root = write_tree(tmp_path / "root")
    by_path, _ = hash_evidence(root, jobs=1)
    assert by_path["media/photo.jpg"].mime in (
        "application/vnd.microsoft.portable-executable",
        "application/x-dosexec",
    )
    assert by_path["media/photo.jpg"].ext_mismatch is True
    assert by_path["docs/note.txt"].mime == "text/plain"
    assert by_path["docs/note.txt"].ext_mismatch is False
    assert by_path["docs/empty.bin"].mime == "inode/x-empty"
    only, _ = hash_evidence(root, jobs=1, algorithms=("sha256",), type_files=False)
    note = only["docs/note.txt"]
    assert (note.md5, note.sha1, note.sha256) == (None, None, EXPECTED["docs/note.txt"][2])
    assert note.mime is None and note.description is None


def test_unreadable_file_is_an_error_not_a_crash(tmp_path):
    root = write_tree(tmp_path / "root")
    locator = locate(root)
    from triage.evidence import FileRef

    jobs_in = [
        HashJob(1, FileRef(member="docs/note.txt"), 130, "note.txt"),
        HashJob(2, FileRef(member="docs/gone.txt"), 10, "gone.txt"),
        HashJob(3, FileRef(member="../outside"), 10, "outside"),
        HashJob(4, FileRef(member="docs/note.txt"), 999, "note.txt"),  # metadata says longer
    ]
    results = {d.file_id: d for d in hash_files(locator, jobs_in, jobs=1)}
    assert results[1].error is None
    assert results[2].error.startswith("unreadable after 0 of 10 bytes")
    assert results[2].md5 is None
    assert "outside the evidence folder" in results[3].error
    assert results[4].error == ("read 130 bytes of 999: the file is shorter than its metadata says")


def test_batches_are_balanced_by_bytes_and_wide_files_travel_alone():
    from triage.evidence import FileRef

    ref = FileRef(member="x")
    jobs_in = [HashJob(1, None, 10**9)] + [HashJob(i, ref, 1 << 20, "") for i in range(2, 80)]
    jobs_in.append(HashJob(99, ref, WIDE_FILE, ""))
    sizes = [len(batch) for batch in batches(jobs_in)]
    assert sizes[0] == 1  # the evidence job
    assert sizes[1] == 32  # 32 x 1 MiB = BATCH_BYTES
    assert sum(sizes) == len(jobs_in)
    assert [batch for batch in batches(jobs_in) if batch[0][0] == 99] == [
        [(99, None, None, None, "x", WIDE_FILE, "")]
    ]
    small = [HashJob(i, ref, 10, "") for i in range(1200)]
    assert [len(batch) for batch in batches(small)] == [512, 512, 176]


def test_parse_algorithms():
    assert parse_algorithms("SHA-256, md5") == ("sha256", "md5")
    with pytest.raises(ValueError, match="unknown hash algorithm crc32"):
        parse_algorithms("md5,crc32")


def test_verify_stored_hashes_states():
    computed = {"md5": "aa" * 16, "sha1": "bb" * 20, "sha256": "cc" * 32}
    assert verify_stored_hashes({}, computed) == "no stored hash"
    assert verify_stored_hashes({"MD5": "AA" * 16, "SHA1": "bb" * 20}, computed) == (
        "verified (MD5, SHA-1)"
    )
    assert verify_stored_hashes({"md5": "ab" * 16}, computed, "1 corrupt chunk") == (
        f"MISMATCH: MD5 stored {'ab' * 16} computed {'aa' * 16}; 1 corrupt chunk"
    )
    assert verify_stored_hashes({"sha1": "bb" * 20}, {"md5": "aa" * 16}).startswith(
        "not verified: stored SHA1 not computed"
    )


# -- the fast paths read what TSK reads ----------------------------------------------------------
def _tsk_contents(source) -> dict:
    """Every readable file's bytes through the source's ordinary reader, by ref."""
    contents = {}
    for entry in source.walk(lambda problem: None):
        if entry.kind not in ("file", "ads") or entry.ref.inode is None:
            continue
        try:
            with source.open_file(entry.ref) as stream:
                contents[entry.ref] = (entry.path, stream.read())
        except OSError:
            continue
    return contents


def test_read_whole_and_mapped_extents_equal_tsk_reads(images, tmp_path):
    """Whole-file reads (small files) and in-place extents (ext2/3/4) give TSK's bytes; on an
    E01 the extents are media offsets (no host file), read through its reader."""
    mapped_paths = []
    images_in = (build_ext2(tmp_path), images["ntfs"], images["mbr"], images["gpt"])
    for image in (*images_in, images["gpt_e01"]):
        source = open_evidence(image)
        try:
            for ref, (path, expected) in _tsk_contents(source).items():
                assert source.read_whole(ref, 1 << 30) == expected, path
                assert source.read_whole(ref, len(expected) - 1) is None or not expected
                extents = source.data_extents(ref)
                if extents is None:
                    continue
                host, pieces = extents
                if image.suffix == ".E01":
                    assert host is None
                    data = b"".join(
                        source.media.read(start, n) if start >= 0 else bytes(n)
                        for start, n in pieces
                    )
                else:
                    data = _read_host(host, pieces)
                assert data == expected, path
                mapped_paths.append((image.name, str(path)))
        finally:
            source.close()
    # ext2/ext4 files are mapped, NTFS files written to their end too; FAT never is.
    assert ("disk.raw", "/media/large.bin") in mapped_paths
    assert ("gpt.raw", "/var/log/big.log") in mapped_paths
    assert ("gpt.E01", "/var/log/big.log") in mapped_paths
    assert ("ntfs.raw", "/Users/agent1/big.bin") in mapped_paths
    assert not [path for name, path in mapped_paths if path.startswith("/DCIM")]


@pytest.mark.parametrize("busy", [(1,), (2,)], ids=["lanes", "in-thread"])
def test_e01_files_read_where_they_lie_equal_tsk_reads(monkeypatch, busy):
    """planted.E01 (ext2): files read from the media at their extents, not through TSK, give
    the digests, type and description of TSK's stream, fragmented /zz/filler.bin included."""
    from tests.hostile.devices import HOSTILE_DATA

    _tune(monkeypatch, "SMALL_FILE", 4096)  # nearly every file takes the extents
    _tune(monkeypatch, "WIDE_FILE", 64 * 1024)
    _tune(monkeypatch, "WIDE_CHUNK", 96 * 1024)  # pieces of several chunks
    locator = locate(HOSTILE_DATA / "planted.E01")
    source = reopen(locator)
    entries = [e for e in source.walk(lambda problem: None) if e.kind == "file"]
    source.close()
    direct = FileHasher(locator, ALGORITHMS, True, _Busy(*busy))
    through_tsk = FileHasher(locator, ALGORITHMS, True, _Busy(*busy))
    through_tsk._extents = None
    read_direct = []
    try:
        for entry in entries:
            job = HashJob(1, entry.ref, entry.size, entry.path.name)
            if entry.size > 4096 and direct._extents(entry.ref) is not None:
                read_direct.append(str(entry.path))
            assert direct.hash_one(job) == through_tsk.hash_one(job), entry.path
    finally:
        direct.close()
        through_tsk.close()
    assert "/zz/filler.bin" in read_direct


def test_head_for_libmagic_spans_short_extents():
    """A file's first extent may be shorter than the head libmagic sees: pieces are joined in
    order up to SNIFF_BYTES, from bytes or views, and a full head is left alone."""
    sniff = hashing.SNIFF_BYTES
    first, second = b"a" * 5000, memoryview(b"b" * 5000)
    assert readers._fill_head(b"", [first, second]) == b"a" * 5000 + b"b" * (sniff - 5000)
    assert readers._fill_head(b"a" * 100, [second]) == b"a" * 100 + b"b" * 5000
    assert readers._fill_head(b"x" * sniff, [first]) == b"x" * sniff
    assert list(readers._wide_steps([(0, 10), (100, hashing.WIDE_CHUNK + 1)])) == [
        (0, 10),
        (100, 100 + hashing.WIDE_CHUNK),
        (100 + hashing.WIDE_CHUNK, 101 + hashing.WIDE_CHUNK),
    ]


def test_folder_files_read_whole(tmp_path):
    root = write_tree(tmp_path / "root")
    source = open_evidence(root)
    from triage.evidence import FileRef

    note = FileRef(member="docs/note.txt")
    assert source.read_whole(note, 1 << 20) == FILES["docs/note.txt"]
    assert source.read_whole(note, 10) is None  # over the limit: streamed instead
    assert source.read_whole(FileRef(member="docs/empty.bin"), 1 << 20) == b""
    with pytest.raises(OSError, match="outside the evidence folder"):
        source.read_whole(FileRef(member="../x"), 1 << 20)


def _read_host(host: Path, pieces: list[tuple[int, int]]) -> bytes:
    with open(host, "rb") as handle:
        parts = []
        for start, length in pieces:
            if start < 0:  # a hole (sparse run): zeros
                parts.append(bytes(length))
                continue
            handle.seek(start)
            parts.append(handle.read(length))
    return b"".join(parts)


def test_mapped_wide_files_hash_like_streams(tmp_path, monkeypatch):
    """ext2 files above WIDE_FILE digested in place in lanes equal hashlib (jobs=1: patched)."""
    image = build_ext2(tmp_path)
    _tune(monkeypatch, "WIDE_FILE", 64 * 1024)
    _tune(monkeypatch, "SMALL_FILE", 64 * 1024)
    _tune(monkeypatch, "WIDE_CHUNK", 256 * 1024)
    _tune(monkeypatch, "CACHE_PIECE", 100_000)
    wide, _ = hash_evidence(image, jobs=1)
    assert_files(wide)


class _Busy:
    """Stands in for the pool's shared counter of busy workers."""

    def __init__(self, *values: int) -> None:
        self._values = list(values)
        self._index = 0

    @property
    def value(self) -> int:
        self._index += 1
        return self._values[self._index % len(self._values)]


@pytest.mark.parametrize("cores", [1, 2, 3])
@pytest.mark.parametrize("busy", [(1,), (2,), (1, 2, 2, 1, 2)], ids=["alone", "busy", "switching"])
def test_digests_in_thread_or_in_lanes_are_the_same(tmp_path, monkeypatch, busy, cores):
    """Alone a worker spreads digests over lanes, with others busy it hashes in its thread;
    switching between the two in the middle of a file keeps every digest's byte order, whether
    the lanes hold one digest each or several (fewer cores than digests)."""
    _tune(monkeypatch, "default_jobs", lambda: cores)
    root = write_tree(tmp_path / "root")
    _tune(monkeypatch, "WIDE_FILE", 64 * 1024)
    _tune(monkeypatch, "WIDE_CHUNK", 128 * 1024)
    _tune(monkeypatch, "CACHE_PIECE", 50_000)
    locator = locate(root)
    source = reopen(locator)
    entries = [e for e in source.walk(lambda problem: None) if e.kind == "file"]
    source.close()
    hasher = FileHasher(locator, ALGORITHMS, True, _Busy(*busy))
    try:
        for entry in entries:
            digest = hasher.hash_one(HashJob(1, entry.ref, entry.size, entry.path.name))
            relative = str(entry.path).lstrip("/")
            assert (digest.md5, digest.sha1, digest.sha256) == EXPECTED[relative], relative
    finally:
        hasher.close()


@pytest.mark.parametrize(
    ("costs", "cores", "lanes"),
    [
        ([1.6, 0.6, 0.65], 2, [[0], [2, 1]]),  # SHA extensions: MD5 alone, both SHAs together
        ([1.6, 0.6, 3.1], 2, [[2], [0, 1]]),  # no SHA extensions: SHA-256 is the dear one
        ([1.6, 0.6, 0.65], 4, [[0], [2], [1]]),  # a core per digest
        ([1.6, 0.6, 0.65], 1, [[0, 2, 1]]),
        ([0.5], 2, [[0]]),
    ],
)
def test_lanes_balance_digest_costs_over_cores(costs, cores, lanes):
    assert hashing.lane_groups(costs, cores) == lanes


def test_digest_costs_are_measured_per_algorithm():
    costs = hashing.digest_costs(("md5", "sha256"), size=1 << 16)
    assert len(costs) == 2 and all(0 < cost < 1 for cost in costs)


def test_pool_started_ahead_and_batches_of_rows(tmp_path):
    """A pool started before the jobs are known gives the rows hash_files gives, per batch;
    its workers come from the forkserver the CLI starts early (starting it again is a no-op)."""
    hashing.start_worker_server()
    hashing.start_worker_server()
    image = build_ext2(tmp_path)
    locator = locate(image)
    source = reopen(locator)
    entries = [e for e in source.walk(lambda problem: None) if e.kind == "file"]
    source.close()
    jobs_in = [
        (index, e.ref.partition, e.ref.inode, e.ref.attr_id, e.ref.member, e.size, e.path.name)
        for index, e in enumerate(entries)
    ]
    expected = {d.file_id: d for d in hash_files(locator, jobs_in, jobs=1)}
    with HashPool(locator, ALGORITHMS, True, 2) as pool:
        got = list(hash_batches(locator, jobs_in, jobs=2, pool=pool))
    rows = {row[7]: row for batch in got for row in batch.rows}
    assert sum(batch.bytes_read for batch in got) == sum(d.bytes_read for d in expected.values())
    assert rows.keys() == expected.keys()
    for file_id, digest in expected.items():
        assert rows[file_id] == (
            digest.md5, digest.sha1, digest.sha256, digest.mime, digest.description,
            int(digest.ext_mismatch), digest.error, file_id,
        )  # fmt: skip


def test_workers_yield_to_the_scan_process(tmp_path):
    """Workers run niced, so that the walk in the scan process keeps a core of its own."""
    image = build_ext2(tmp_path)
    with HashPool(locate(image), ALGORITHMS, False, 2) as pool:
        niceness = pool.ready().submit(os.nice, 0).result()
    assert niceness == min(19, os.nice(0) + hashing.WORKER_NICENESS)


def test_scan_jobs_one_and_two_give_identical_stores(images, scan):
    """The whole files table (digests, types, descriptions, errors) does not depend on -j."""
    for image in (images["ntfs"], images["gpt"]):
        one = scan(image, extractors=[], jobs=1).files()
        two = scan(image, extractors=[], jobs=2).files()
        assert one == two
        assert any(row["md5"] for row in one)


@pytest.mark.parametrize("image", ["ntfs", "gpt_e01"])
def test_hashing_during_the_walk_gives_the_same_store(images, scan, monkeypatch, image):
    """Files (and the evidence) hashed while the walk still runs give the rows of -j 1.

    On an E01 only the evidence job goes ahead: its files wait for image order.
    """
    one = scan(images[image], extractors=[], jobs=1)
    monkeypatch.setattr(pipeline, "WALK_CHUNK", 3)
    started_room = HashPool.room

    def room(self):
        self.ready()  # a tiny image's walk would otherwise end before the workers are up
        return started_room(self)

    monkeypatch.setattr(HashPool, "room", room)
    two = scan(images[image], extractors=[], jobs=2)
    assert one.files() == two.files()
    assert any(row["sha256"] for row in two.files())
    evidence = ("md5", "sha1", "sha256", "verification")
    assert [two.rows("SELECT * FROM evidence")[0][key] for key in evidence] == [
        one.rows("SELECT * FROM evidence")[0][key] for key in evidence
    ]
    detail = json.loads(two.rows("SELECT detail FROM stages WHERE name = 'hash'")[0]["detail"])
    if image == "ntfs":
        assert 0 < detail["during_walk"] <= detail["files"]
    else:
        assert detail["during_walk"] == 0 and detail["files"] > 0


# -- file types ---------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02" + bytes(80)


def test_one_libmagic_call_and_descriptions_only_where_reports_show_them():
    typer = FileTyper()
    assert typer.classify(b"hello triage\n" * 10, "note.txt", "k0") == ("text/plain", None, False)
    assert typer.classify(b"", "empty.bin", None) == ("inode/x-empty", "empty", False)
    # A PNG named .jpg: its extension lies, so it gets a description.
    mime, description, mismatch = typer.classify(PNG, "photo.jpg", "k1")
    assert (mime, mismatch) == ("image/png", True)
    assert description.startswith("PNG image data, 16 x 16")
    # The same content (same digest) under its own name: from the cache, without a description,
    # as if the file had been typed first (results never depend on the order).
    assert typer.classify(PNG, "photo.png", "k1") == ("image/png", None, False)
    assert FileTyper().classify(PNG, "photo.png", "k1") == ("image/png", None, False)
    # Executables are always described.
    mime, description, mismatch = typer.classify(PE_HEADER, "setup.exe", "k2")
    assert mime in ("application/vnd.microsoft.portable-executable", "application/x-dosexec")
    assert description and not mismatch
    # describe_all: every file gets its libmagic description.
    assert FileTyper(describe_all=True).classify(b"hello triage\n", "note.txt")[1] == ("ASCII text")
