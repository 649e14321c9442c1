"""The fast AES-XTS paths read every byte as libbde/libluksde do, and fall back when unsure.

libbde is the independent reference: each corpus vector and the BitLocker fixture is read whole
both ways (libbde opened by file name, and triage's opener with the fast path) and the hashes
of every 4 MiB chunk compared, read errors included (the corpus vectors are truncated: libbde
fails past the image's end, and so must the fast path).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.evidence.volume_fixtures import bitlocker_volume, luks1_volume, mbr_disk, ntfs_payload
from triage.evidence import locate, reopen
from triage.evidence.media import open_media
from triage.evidence.volumes import bde_fast, stack
from triage.evidence.volumes.bde_fast import FastReader
from triage.evidence.volumes.bde_keys import derive
from triage.evidence.volumes.bitlocker import open_bitlocker
from triage.evidence.volumes.keys import Key, classify
from triage.evidence.volumes.luks import open_luks
from triage.evidence.volumes.luks_fast import XtsPlain64Reader, master_key
from triage.evidence.volumes.xts import XtsDecryptor

pybde = pytest.importorskip("pybde")

CHUNK = 4 << 20
RECOVERY = "284867-596541-514998-422114-660297-261613-215424-199408"
VECTORS = {  # name: key text (None: no key needed)
    "bde_password_aes-xts-128": "password12!@",
    "bde_recovery_password": RECOVERY,
    "bde_recovery_key": "bde_recovery_key.bek",
    "bde_suspended": None,
}


@given(
    key=st.binary(min_size=32, max_size=32) | st.binary(min_size=64, max_size=64),
    units=st.integers(1, 6),
    first=st.integers(0, 1 << 40),
    unit=st.sampled_from([16, 512, 1024, 1040, 1600, 4096]),
    seed=st.binary(min_size=16, max_size=16),
)
@settings(max_examples=40, deadline=None)
def test_xts_over_many_units_is_xts_unit_by_unit(key, units, first, unit, seed):
    data = hashlib.shake_256(seed).digest(units * unit)
    expected = b"".join(
        Cipher(algorithms.AES(key), modes.XTS((first + i).to_bytes(16, "little")))
        .decryptor()
        .update(data[i * unit : (i + 1) * unit])
        for i in range(units)
    )
    assert XtsDecryptor(key, unit).decrypt(data, first) == expected


def _chunk_hashes(read, size: int) -> list[str]:
    """SHA-256 of each CHUNK of the volume, or "error" where the read fails."""
    hashes = []
    for offset in range(0, size, CHUNK):
        try:
            hashes.append(hashlib.sha256(read(offset, min(CHUNK, size - offset))).hexdigest())
        except OSError:
            hashes.append("error")
    return hashes


def _libbde_hashes(path: Path, key: Key | None) -> tuple[int, list[str]]:
    volume = pybde.volume()
    if key is not None and key.kind == "startup key":
        volume.read_startup_key(key.value)
    elif key is not None and key.kind == "recovery password":
        volume.set_recovery_password(key.value)
    elif key is not None:
        volume.set_password(key.value)
    volume.open(str(path))
    assert not volume.is_locked()
    size = volume.get_size()
    hashes = _chunk_hashes(
        lambda offset, length: volume.read_buffer_at_offset(length, offset), size
    )
    volume.close()
    return size, hashes


def _is_fast(media) -> bool:
    return isinstance(getattr(media.read_at, "__self__", None), FastReader)


@pytest.fixture(scope="module")
def bde_vectors(corpus, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bde")
    for name in (*VECTORS, "bde_decrypted"):
        packed = corpus / "encrypted-volumes" / f"{name}.bin.gz"
        with gzip.open(packed) as source, open(folder / f"{name}.bin", "wb") as out:
            shutil.copyfileobj(source, out)
    shutil.copy(corpus / "encrypted-volumes" / "bde_recovery_key.bek", folder)
    return folder


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_fast_path_reads_each_vector_byte_for_byte_as_libbde(bde_vectors, name, caplog):
    path = bde_vectors / f"{name}.bin"
    text = VECTORS[name]
    key = (
        classify(str(bde_vectors / text) if text and text.endswith(".bek") else text)
        if text
        else None
    )
    media = open_media(path)
    caplog.set_level(logging.DEBUG)
    fast = open_bitlocker(media, 0, media.size, [key] if key else [])
    slow = open_bitlocker(media, 0, media.size, [key] if key else [], fast=False)
    assert _is_fast(fast.media) and not _is_fast(slow.media)
    # What the report shows does not depend on the path taken.
    for field in ("kind", "encryption", "lock_state", "opened_by", "identifier"):
        assert getattr(fast, field) == getattr(slow, field)
    assert fast.encryption == "AES-XTS 128"
    size, reference = _libbde_hashes(path, key)
    assert fast.media.size == size
    mine = _chunk_hashes(fast.media.read, size)
    assert mine == reference
    assert mine.count("error") < len(mine) // 2  # the vectors hold ~36 MiB of 66
    assert fast.media.read(3, 4) == b"NTFS" and fast.media.read(0x2000, 5) == b"FILE0"
    if key is not None:
        assert key.value not in caplog.text
    fast.media.close()
    slow.media.close()
    media.close()


def test_decrypted_vector_stays_on_libbde(bde_vectors, caplog):
    media = open_media(bde_vectors / "bde_decrypted.bin")
    opened = open_bitlocker(media, 0, media.size, [])
    assert opened.lock_state == "decrypted" and not _is_fast(opened.media)
    assert opened.media.read(3, 4) == b"NTFS"
    opened.media.close()
    media.close()


@pytest.fixture(scope="module")
def fixture_volume(tmp_path_factory) -> tuple[Path, str]:
    volume, password, _ = bitlocker_volume(ntfs_payload())
    path = tmp_path_factory.mktemp("bdefix") / "bitlocker.raw"
    path.write_bytes(volume)
    return path, password


def test_fast_path_reads_the_fixture_byte_for_byte_as_libbde(fixture_volume):
    path, password = fixture_volume
    key = Key("recovery password", password)
    media = open_media(path)
    opened = open_bitlocker(media, 0, media.size, [key])
    assert _is_fast(opened.media)
    size, reference = _libbde_hashes(path, key)
    assert _chunk_hashes(opened.media.read, size) == reference
    assert (
        hashlib.sha256(opened.media.read(0, size)).digest()
        == hashlib.sha256(ntfs_payload()[:size]).digest()
    )
    # Reads at odd offsets and lengths cross the moved header, sectors and chunk edges.
    plain = ntfs_payload()
    for offset, length in ((0, 1), (100, 9000), (8191, 2), (511, 513), (size - 7, 100)):
        assert opened.media.read(offset, length) == plain[offset : min(offset + length, size)]
    opened.media.close()
    media.close()


def test_fast_path_reads_a_volume_of_4096_byte_sectors_as_libbde(tmp_path):
    """BitLocker on a 4Kn disk: each 4096-byte sector is one XTS data unit (its number the
    tweak), which libbde reads back from the fixture writer; the fast path reads the same."""
    plain = ntfs_payload()
    volume, password, _ = bitlocker_volume(plain, sector=4096)
    path = tmp_path / "bitlocker-4kn.raw"
    path.write_bytes(volume)
    key = Key("recovery password", password)
    media = open_media(path)
    opened = open_bitlocker(media, 0, media.size, [key])
    assert _is_fast(opened.media)
    assert opened.media.read_at.__self__._unit == 4096
    size, reference = _libbde_hashes(path, key)
    assert _chunk_hashes(opened.media.read, size) == reference
    assert opened.media.read(0, size) == plain[:size]
    for offset, length in ((1, 5000), (4095, 2), (65535, 4098), (size - 7, 100)):
        assert opened.media.read(offset, length) == plain[offset : min(offset + length, size)]
    opened.media.close()
    media.close()


def test_a_key_that_does_not_read_libbdes_header_falls_back(fixture_volume, monkeypatch, caplog):
    path, password = fixture_volume
    real = bde_fast.derive

    def wrong(read, key):
        layout = real(read, key)
        return type(layout)(**{**layout.__dict__, "fvek": bytes(32)})

    monkeypatch.setattr(bde_fast, "derive", wrong)
    caplog.set_level(logging.INFO)
    media = open_media(path)
    opened = open_bitlocker(media, 0, media.size, [Key("recovery password", password)])
    assert opened.lock_state == "unlocked" and not _is_fast(opened.media)
    assert opened.media.read(3, 4) == b"NTFS"
    assert "does not read libbde's header" in caplog.text
    assert password not in caplog.text
    opened.media.close()
    media.close()


@pytest.fixture(scope="module")
def luks_volume(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("luksfix") / "luks1.raw"
    path.write_bytes(luks1_volume(ntfs_payload(), "fast path"))
    return path


def test_luks1_fast_path_reads_the_fixture_byte_for_byte_as_libluksde(luks_volume):
    pyluksde = pytest.importorskip("pyluksde")
    media = open_media(luks_volume)
    opened = open_luks(media, 0, media.size, [Key("password", "fast path")])
    assert isinstance(getattr(opened.media.read_at, "__self__", None), XtsPlain64Reader)
    assert (opened.encryption, opened.lock_state) == ("aes-xts-plain64", "unlocked")
    reference = pyluksde.volume()
    reference.open(str(luks_volume))
    reference.set_password("fast path")
    assert reference.unlock()
    size = reference.get_size()
    libyal = _chunk_hashes(
        lambda offset, length: reference.read_buffer_at_offset(length, offset), size
    )
    assert _chunk_hashes(opened.media.read, size) == libyal
    plain = ntfs_payload()
    assert opened.media.read(0, size) == plain[:size]
    reference.close()
    opened.media.close()
    media.close()


def test_a_wrong_luks_passphrase_never_reaches_the_fast_path(luks_volume):
    media = open_media(luks_volume)
    opened = open_luks(media, 0, media.size, [Key("password", "not it")])
    assert opened.lock_state == "locked" and opened.media is None
    media.close()


@pytest.mark.parametrize("kind", ["bitlocker", "luks"])
def test_libyal_fallback_reads_unaligned_ranges_right(kind, fixture_volume, luks_volume):
    """libbde/libluksde return wrong bytes for a read that starts inside a sector and spans
    more than one; the libyal media reads aligned blocks and cuts."""
    if kind == "bitlocker":
        path, password = fixture_volume
        key, opener = Key("recovery password", password), open_bitlocker
    else:
        path, key, opener = luks_volume, Key("password", "fast path"), open_luks
    plain = ntfs_payload()
    media = open_media(path)
    for fast in (False, True):
        opened = opener(media, 0, media.size, [key], fast=fast)
        for offset, length in ((1, 5000), (511, 2), (8191, 2), (9001, 70000), (4095, 4098)):
            assert opened.media.read(offset, length) == plain[offset : offset + length]
        opened.media.close()
    media.close()


@pytest.fixture(scope="module")
def fast_fixture(fixture_volume):
    path, password = fixture_volume
    media = open_media(path)
    opened = open_bitlocker(media, 0, media.size, [Key("recovery password", password)])
    assert _is_fast(opened.media)
    yield opened.media, ntfs_payload()
    media.close()


@given(offset=st.integers(0, 6 << 20), length=st.integers(0, 300_000))
@settings(max_examples=60, deadline=None)
def test_any_read_of_the_fast_path_is_the_plain_volume(fast_fixture, offset, length):
    """Reads at any offset and length, across the moved header, sectors and metadata, are the
    plain bytes (the fixture's payload) and short only at the end."""
    media, plain = fast_fixture
    assert media.read(offset, length) == plain[offset : min(offset + length, media.size)]


# -- the volume key handed to the hashing workers -------------------------------------------------
@pytest.fixture(scope="module")
def encrypted_disks(tmp_path_factory) -> dict[str, tuple[Path, str, bytes]]:
    """{kind: (MBR disk, key text, the volume key triage derives)} over the NTFS fixture."""
    folder = tmp_path_factory.mktemp("disks")
    payload = ntfs_payload()
    bitlocker, password, _ = bitlocker_volume(payload)
    layout = derive(lambda at, n: bitlocker[at : at + n], Key("recovery password", password))
    luks = luks1_volume(payload, "handed over")
    master, _ = master_key(lambda at, length: luks[at : at + length], "handed over")
    disks = {}
    for kind, volume, key, secret in (
        ("BitLocker", bitlocker, password, layout.fvek),
        ("LUKS1", luks, "handed over", master),
    ):
        path = folder / f"{kind}.raw"
        path.write_bytes(mbr_disk(volume, type_code=0x07))
        path.chmod(0o444)
        disks[kind] = (path, key, secret)
    return disks


def _listing(source) -> list[tuple[str, int, str]]:
    """(path, size, SHA-256 of the bytes read) of every regular file the source walks."""
    found = []
    for entry in source.walk(lambda problem: None):
        if entry.kind == "file":
            with source.open_file(entry.ref) as stream:
                found.append(
                    (str(entry.path), entry.size, hashlib.sha256(stream.read()).hexdigest())
                )
    return sorted(found)


def _scan_side(encrypted_disks, kind):
    """(locator with the key, the volume key the scan process proved, its files, partitions)."""
    path, key, _ = encrypted_disks[kind]
    locator = locate(path, keys=(key,))
    source = reopen(locator)
    (handed,) = source.volume_keys
    assert handed.start == 2048 * 512 and handed.opened.kind == kind
    seen = (locator, handed, _listing(source), source.partitions())
    source.close()
    return seen


@pytest.mark.parametrize("kind", ["BitLocker", "LUKS1"])
def test_a_worker_reads_the_volume_with_the_handed_key_and_unlocks_nothing(
    encrypted_disks, kind, monkeypatch
):
    locator, handed, listing, partitions = _scan_side(encrypted_disks, kind)

    def refuse(*args, **kwargs):
        raise AssertionError("a worker with a handed key must not unlock the volume")

    monkeypatch.setattr(stack, "open_bitlocker", refuse)
    monkeypatch.setattr(stack, "open_luks", refuse)
    # No examiner's key at all: only the handed volume key can open it.
    worker = reopen(replace(locator, keys=(), volume_keys=(handed,)))
    assert (_listing(worker), worker.partitions()) == (listing, partitions)
    assert worker.partitions()[0].lock_state == "unlocked"
    worker.close()


@pytest.mark.parametrize("kind", ["BitLocker", "LUKS1"])
def test_a_handed_key_that_does_not_read_the_proven_bytes_is_not_used(
    encrypted_disks, kind, caplog
):
    locator, handed, expected, _ = _scan_side(encrypted_disks, kind)
    caplog.set_level(logging.INFO)
    wrong = replace(handed, proof=bytes(32))
    worker = reopen(replace(locator, volume_keys=(wrong,)))  # unlocks with the key, as before
    assert _listing(worker) == expected
    assert f"{kind} volume key handed over does not read the proven bytes" in caplog.text
    worker.close()
    locked = reopen(replace(locator, keys=(), volume_keys=(wrong,)))
    assert locked.partitions()[0].lock_state == "locked"
    locked.close()


@pytest.mark.parametrize("kind", ["BitLocker", "LUKS1"])
def test_a_scan_writes_neither_the_key_nor_the_derived_volume_key(
    encrypted_disks, kind, scan, caplog
):
    """Keys reach the hashing workers in memory only: nothing the scan writes holds them, as
    text, UTF-16, raw bytes or hex (the store, its journal, the reports, the logs)."""
    path, key, secret = encrypted_disks[kind]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    caplog.set_level(logging.DEBUG)
    out = scan(path, extractors=["remote_access.zone_identifier"], keys=(key,), jobs=2)
    (partition,) = out.rows("SELECT * FROM partitions")
    assert (partition["walked"], partition["lock_state"]) == (1, "unlocked")
    assert out.problems() == []
    hashed = [f for f in out.files() if f["kind"] == "file" and f["sha256"]]
    assert len(hashed) >= 3
    needles = {
        "key": key.encode(),
        "key UTF-16": key.encode("utf-16-le"),
        "volume key": secret,
        "volume key hex": secret.hex().encode(),
        "volume key HEX": secret.hex().upper().encode(),
    }
    written = [p for p in out.output.rglob("*") if p.is_file()]
    assert any(p.name == "triage.sqlite" for p in written)
    for written_file in written:
        data = written_file.read_bytes()
        for what, needle in needles.items():
            assert needle not in data, f"{what} found in {written_file.name}"
    logged = caplog.text.encode()
    assert not any(needle in logged for needle in needles.values())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # evidence untouched
