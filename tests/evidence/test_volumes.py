"""The volume layer: BitLocker, LUKS, VSS and APFS on real test vectors and built fixtures.

Real data first: the BitLocker and LUKS unlock vectors of dissect.fve (corpus
``encrypted-volumes/``, keys from its MANIFEST.md), plaso's VSS test image and dfvfs's APFS
container. Full encrypted volumes are built by ``tests/evidence/volume_fixtures.py`` from the
committed NTFS fixture and proved by libluksde before triage reads them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.evidence.volume_fixtures import (
    bitlocker_volume,
    check_bitlocker_with_libbde,
    check_luks1_with_libluksde,
    luks1_volume,
    mbr_disk,
    ntfs_payload,
)
from triage.cli import main
from triage.evidence.base import open_evidence_file
from triage.evidence.media import open_media
from triage.evidence.volumes.bitlocker import open_bitlocker
from triage.evidence.volumes.keys import REDACTED, classify, keys_of, redact_command_line
from triage.evidence.volumes.luks import open_luks

RECOVERY_PASSWORD = "284867-596541-514998-422114-660297-261613-215424-199408"
LUKS_PASSPHRASE = "correct horse battery staple"
# (vector, key, encryption, lock state, how it opened)
BITLOCKER = [
    ("bde_recovery_password", RECOVERY_PASSWORD, "AES-XTS 128", "unlocked",
     "recovery password (protector ID 3C116B76-C67B-484E-B439-CE2ED68B561E)"),
    ("bde_recovery_key", "bek", "AES-XTS 128", "unlocked",
     "startup key (protector ID 99B0081A-60B6-47E4-8482-DEA46EE1891D)"),
    ("bde_password_aes-xts-128", "password12!@", "AES-XTS 128", "unlocked",
     "password (protector ID 55FAEDED-603A-459F-8F6B-325CF781F971)"),
    ("bde_decrypted", None, None, "decrypted", "no key needed"),
    ("bde_suspended", None, "AES-XTS 128", "suspended (clear key on disk)", "no key needed"),
]  # fmt: skip


def _fingerprint(path: Path) -> tuple[str, int, int]:
    """Content hash and times, read without moving the access time (O_NOATIME)."""
    status = path.stat()
    with open_evidence_file(path) as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return digest, status.st_mtime_ns, status.st_atime_ns


@pytest.fixture(scope="session")
def vectors(corpus, tmp_path_factory) -> dict[str, Path]:
    """The gzip vectors unpacked once, read-only; the .BEK beside them."""
    folder = tmp_path_factory.mktemp("vectors")
    found = {}
    for packed in sorted((corpus / "encrypted-volumes").glob("*.bin.gz")):
        target = folder / packed.name[: -len(".gz")]
        with gzip.open(packed, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        target.chmod(0o444)
        found[target.name[: -len(".bin")]] = target
    found["bek"] = corpus / "encrypted-volumes" / "bde_recovery_key.bek"
    return found


@pytest.fixture(scope="session")
def luks_disk(tmp_path_factory) -> Path:
    """An MBR disk whose partition 1 is LUKS1 (aes-xts-plain64) over the NTFS fixture."""
    payload = ntfs_payload()
    volume = luks1_volume(payload, LUKS_PASSPHRASE)
    check_luks1_with_libluksde(volume, LUKS_PASSPHRASE, payload)  # an independent reader first
    path = tmp_path_factory.mktemp("luks") / "luks-disk.raw"
    path.write_bytes(mbr_disk(volume))
    path.chmod(0o444)
    return path


@pytest.fixture(scope="session")
def bitlocker_disk(tmp_path_factory) -> tuple[Path, str, str]:
    """(MBR disk whose partition 1 is BitLocker AES-XTS 128 over the NTFS fixture, its
    recovery password, the protector ID), written from the format and proved by libbde."""
    payload = ntfs_payload()
    volume, password, protector = bitlocker_volume(payload)
    check_bitlocker_with_libbde(volume, password, payload)  # an independent reader first
    path = tmp_path_factory.mktemp("bitlocker") / "bitlocker-disk.raw"
    path.write_bytes(mbr_disk(volume, type_code=0x07))
    path.chmod(0o444)
    return path, password, protector


# -- BitLocker and LUKS vectors ------------------------------------------------------------------
@pytest.mark.parametrize(("name", "key", "encryption", "state", "opened_by"), BITLOCKER)
def test_bitlocker_vectors_unlock_and_read_ntfs(vectors, name, key, encryption, state, opened_by):
    media = open_media(vectors[name])
    given_keys = keys_of((str(vectors["bek"]) if key == "bek" else key,) if key else ())
    opened = open_bitlocker(media, 0, media.size, given_keys)
    assert (opened.encryption, opened.lock_state, opened.opened_by) == (
        encryption,
        state,
        opened_by,
    )
    assert opened.media is not None
    assert opened.media.read(0, 512)[3:11] == b"NTFS    "
    assert opened.media.read(0x2000, 5) == b"FILE0"
    opened.media.close()
    media.close()


def test_locked_bitlocker_names_its_protectors_and_what_would_help(vectors):
    media = open_media(vectors["bde_recovery_password"])
    wrong = ("not-the-password",)
    for keys, tried in (((), ""), (wrong, " (1 key(s) given did not open it)")):
        opened = open_bitlocker(media, 0, media.size, keys_of(keys))
        assert opened.media is None and opened.lock_state == "locked"
        assert opened.problem == (
            f"BitLocker, locked{tried}; recovery password ID 3C116B76-C67B-484E-B439-CE2ED68B561E; "
            "password ID 6DD54BCD-633D-4836-9EBC-44FA02F1776D; give --key with its recovery "
            "password or .BEK or its password"
        )
    media.close()


def test_luks_vectors_unlock_luks1_and_name_luks2(vectors):
    media = open_media(vectors["luks1_aes-ecb"])
    opened = open_luks(media, 0, media.size, keys_of(("password",)))  # ~7 s of PBKDF2 per key
    assert (opened.kind, opened.encryption, opened.lock_state) == ("LUKS1", "aes-ecb", "unlocked")
    # the vector's payload: four sectors filled with 0, 1, 2 and 3
    assert opened.media.read(0, 4096) == b"".join(bytes([value]) * 512 for value in range(4))
    opened.media.close()
    media.close()
    media = open_media(vectors["luks2_aes-xts-plain64"])
    opened = open_luks(media, 0, media.size, keys_of(("password",)))
    assert opened.media is None and opened.kind == "LUKS2"
    assert "UUID 95040029-d12f-4a62-a720-07dcb2dae9fd" in opened.problem
    assert "libluksde reads LUKS1 only" in opened.problem and "cryptsetup" in opened.problem
    media.close()


def test_scan_of_every_vector_goes_on_and_leaves_it_unchanged(vectors, scan):
    keys = (RECOVERY_PASSWORD, str(vectors["bek"]), "password12!@", "password")
    for name, path in vectors.items():
        if name == "bek":
            continue
        before = _fingerprint(path)
        with_keys = name == "bde_recovery_password"  # the rest: unit tests (key derivation is slow)
        for given_keys in ((), keys) if with_keys else ((),):
            out = scan(path, extractors=[], keys=given_keys, hash_evidence=False)
            assert out.result.status == "done with problems"  # vectors are not whole file systems
            (partition,) = out.rows("SELECT * FROM partitions")
            problems = [p["message"] for p in out.problems()]
            assert len(problems) == 1 and problems[0].startswith("partition 1 (whole image")
            if name == "luks2_aes-xts-plain64":
                assert partition["lock_state"] == "unreadable" and "LUKS2" in problems[0]
            elif given_keys or name in ("bde_decrypted", "bde_suspended"):
                assert partition["lock_state"] in (
                    "unlocked",
                    "decrypted",
                    "suspended (clear key on disk)",
                )
                assert partition["layers"].startswith(("BitLocker", "LUKS1"))
            else:
                assert partition["lock_state"] == "locked" and "locked" in problems[0]
        assert _fingerprint(path) == before


def test_cli_key_never_written_and_report_says_which_protector_opened(
    vectors, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    arguments = [
        "scan", str(vectors["bde_recovery_password"]), "-o", str(out), "--no-progress", "-j", "1",
        "--key", "111111-222222", "--key", RECOVERY_PASSWORD, "--no-image-hash",
    ]  # fmt: skip
    monkeypatch.setattr("sys.argv", ["triage", *arguments])  # the recorded command line
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 3, result.output
    for written in out.rglob("*"):
        if written.is_file():
            data = written.read_bytes()
            assert RECOVERY_PASSWORD.encode() not in data, written
            assert b"111111-222222" not in data, written
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "by recovery password (protector ID 3C116B76-C67B-484E-B439-CE2ED68B561E)" in report
    assert f"--key {REDACTED} --key {REDACTED}" in report


def test_key_file_tries_every_key(vectors, tmp_path):
    key_file = tmp_path / "keys.txt"
    wrong = "111111-222222-333333-444444-555555-666666-777777-888888"  # fails its checksum: cheap
    key_file.write_text(f"# case 12\n{wrong}\n{RECOVERY_PASSWORD}\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["scan", str(vectors["bde_recovery_password"]), "-o", str(tmp_path / "o"),
         "--no-progress", "--key-file", str(key_file), "--hash-only", "-j", "1",
         "--no-image-hash"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "lock_state" not in result.output
    import sqlite3  # noqa: PLC0415

    db = sqlite3.connect(tmp_path / "o" / "triage.sqlite")
    assert db.execute("SELECT lock_state FROM partitions").fetchone() == ("unlocked",)
    db.close()


# -- a whole walk through an encrypted volume --------------------------------------------------
def test_whole_ntfs_walk_through_luks1_matches_the_plain_volume(luks_disk, images, scan):
    before = _fingerprint(luks_disk)
    through = scan(
        luks_disk,
        extractors=["remote_access.zone_identifier"],
        keys=("nope", LUKS_PASSPHRASE),
        jobs=2,
    )
    plain = scan(images["ntfs"], extractors=["remote_access.zone_identifier"])
    (partition,) = through.rows("SELECT * FROM partitions")
    assert partition["fs_type"] == "NTFS" and partition["walked"] == 1
    assert (partition["encryption"], partition["lock_state"]) == ("aes-xts-plain64", "unlocked")
    assert partition["layers"] == "LUKS1, unlocked, by passphrase (a key slot)"
    listed = {(f["path"], f["size"], f["sha256"]) for f in through.files() if f["kind"] == "file"}
    assert listed == {
        (f["path"], f["size"], f["sha256"]) for f in plain.files() if f["kind"] == "file"
    }
    assert (
        "/Users/agent1/Documents/notes.txt",
        21,
        hashlib.sha256(b"call list for monday\n").hexdigest(),
    ) in listed
    (record,) = through.records("remote_access_events")
    assert (record["tool"], record["event"]) == ("AnyDesk", "downloaded")
    assert record["url"] == "https://download.anydesk.com/AnyDesk.exe"
    assert record["source_partition"] == 1
    assert through.problems() == []
    assert _fingerprint(luks_disk) == before


def test_whole_ntfs_walk_through_bitlocker_matches_the_plain_volume(bitlocker_disk, images, scan):
    disk, password, protector = bitlocker_disk
    before = _fingerprint(disk)
    extractors = ["remote_access.zone_identifier"]
    through = scan(disk, extractors=extractors, keys=(password,), jobs=2)
    plain = scan(images["ntfs"], extractors=extractors)
    (partition,) = through.rows("SELECT * FROM partitions")
    assert (partition["fs_type"], partition["walked"]) == ("NTFS", 1)
    assert (partition["encryption"], partition["lock_state"]) == ("AES-XTS 128", "unlocked")
    assert partition["layers"] == (
        f"BitLocker, unlocked, by recovery password (protector ID {protector})"
    )
    files = {(f["path"], f["size"], f["sha256"]) for f in through.files() if f["kind"] == "file"}
    assert files == {
        (f["path"], f["size"], f["sha256"]) for f in plain.files() if f["kind"] == "file"
    }
    (record,) = through.records("remote_access_events")
    assert record["url"] == "https://download.anydesk.com/AnyDesk.exe"
    assert record["source_volume"] == partition["layers"]  # provenance names the volume
    report = (through.output / "report.html").read_text(encoding="utf-8")
    assert f"<td>{partition['layers']}</td>" in report  # the record's row names its volume
    assert through.problems() == []
    locked = scan(disk, extractors=[], hash_evidence=False)
    (problem,) = locked.problems()
    assert problem["message"] == (
        f"partition 1 (NTFS / exFAT (0x07)): BitLocker, locked; recovery password ID {protector}; "
        "give --key with its recovery password or .BEK"
    )
    assert _fingerprint(disk) == before


def test_locked_luks_partition_is_a_problem_line_and_exit_3(luks_disk, scan):
    out = scan(luks_disk, extractors=[])
    assert out.result.status == "done with problems"
    (problem,) = out.problems()
    assert problem["message"] == (
        "partition 1 (Linux (0x83)): LUKS1, locked; UUID 6a0f5f0e-1c1b-4c57-9d3e-7d0b8e5f3a21; "
        "give --key with its passphrase"
    )
    assert problem["partition"] == 1 and problem["severity"] == "error"


# -- Volume Shadow Copies --------------------------------------------------------------------------
def _syslog_from_snapshot_one(path: Path) -> bytes:
    """/syslog read straight through libqcow, libvshadow and TSK (no triage code)."""
    import pyqcow  # noqa: PLC0415
    import pytsk3  # noqa: PLC0415
    import pyvshadow  # noqa: PLC0415

    qcow = pyqcow.file()
    qcow.open(str(path))
    shadow = pyvshadow.volume()
    shadow.open_file_object(qcow)
    store = shadow.get_store(0)

    class Image(pytsk3.Img_Info):
        def __init__(self) -> None:
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def read(self, offset: int, size: int) -> bytes:
            return store.read_buffer_at_offset(size, offset)

        def get_size(self) -> int:
            return store.volume_size

    entry = pytsk3.FS_Info(Image()).open("/syslog")
    data = entry.read_random(0, entry.info.meta.size)
    shadow.close()
    qcow.close()
    return data


def test_vss_snapshots_listed_and_files_gone_from_the_live_volume_walked(corpus, scan, tmp_path):
    image = tmp_path / "vsstest.qcow2"  # a copy we own: O_NOATIME holds, atime is comparable
    shutil.copyfile(corpus / "disk-images" / "plaso_vsstest.qcow2", image)
    image.chmod(0o444)
    expected = hashlib.sha256(_syslog_from_snapshot_one(image)).hexdigest()  # moves its atime
    before = _fingerprint(image)
    out = scan(image, extractors=[], jobs=2, hash_evidence=False)  # 1 GiB of media: not hashed
    live, first, second = out.rows("SELECT * FROM partitions ORDER BY idx")
    assert (live["fs_type"], live["snapshots"]) == ("NTFS", 2)
    assert first["description"] == (
        "VSS snapshot 1 {600f0b69-5bdf-11e3-9d6c-005056c00008} created "
        "2013-12-03T06:35:09.736378Z of partition 1"
    )
    assert "created 2013-12-03T06:37:48.919058Z" in second["description"]
    syslog = [f for f in out.files() if f["path"] == "/syslog"]
    assert len(syslog) == 1
    (row,) = syslog
    assert (row["partition"], row["size"]) == (2, 1247)
    assert row["sha256"] == expected
    assert row["note"].startswith("VSS snapshot 1 {600f0b69-5bdf-11e3-9d6c-005056c00008}")
    assert row["note"].endswith("gone from the live volume")
    # identical files are not repeated: every snapshot row differs from the live volume
    live_paths = {f["path"] for f in out.files() if f["partition"] == 1}
    snapshot_rows = [f for f in out.files() if f["partition"] in (2, 3)]
    assert all("differs" in f["note"] or f["path"] not in live_paths for f in snapshot_rows)
    assert not {"/$Boot", "/$AttrDef", "/$MFTMirr"} & {f["path"] for f in snapshot_rows}
    assert _fingerprint(image) == before
    no_vss = scan(image, extractors=[], vss=False, hash_evidence=False, hash_files=False)
    assert [p["fs_type"] for p in no_vss.rows("SELECT * FROM partitions")] == ["NTFS"]
    assert not [f for f in no_vss.files() if f["path"] == "/syslog"]


# -- APFS ------------------------------------------------------------------------------------------
def test_apfs_container_volume_walked_and_hashed(corpus, scan):
    import pyfsapfs  # noqa: PLC0415

    image = corpus / "disk-images" / "dfvfs_apfs.raw"
    container = pyfsapfs.container()
    container.open_file_object(io.BytesIO(image.read_bytes()))  # an independent read
    volume = container.get_volume(0)
    expected = {}
    for path in ("/passwords.txt", "/a_directory/a_file", "/a_directory/another_file"):
        entry = volume.get_file_entry_by_path(path)
        expected[path] = hashlib.sha256(entry.read_buffer_at_offset(entry.size, 0)).hexdigest()
    container.close()
    before = _fingerprint(image)
    out = scan(image, extractors=None, jobs=2)  # the hashing workers reopen the container
    (partition,) = out.rows("SELECT * FROM partitions")
    assert (partition["fs_type"], partition["walked"]) == ("APFS", 1)
    assert partition["description"] == "whole image: APFS volume apfs_test"
    files = {f["path"]: f for f in out.files()}
    for path, digest in expected.items():
        assert files[path]["sha256"] == digest
    assert files["/passwords.txt"]["size"] == 116
    assert files["/passwords.txt"]["mtime"] == "2022-01-14T07:19:41.213333Z"
    assert files["/a_link"]["note"] == "link target: a_directory/another_file"
    assert files["/a_directory/a_file:myxattr"]["kind"] == "ads"
    assert files["/a_directory/a_file:myxattr"]["size"] == 21
    assert out.problems() == []
    assert _fingerprint(image) == before


# -- issue 15 items 4 and 8 ------------------------------------------------------------------------
def test_random_bytes_in_an_e01_are_not_a_clean_scan(data_dir, scan):
    out = scan(data_dir / "volumes" / "random.E01", extractors=[])
    assert out.result.status == "done with problems"
    (problem,) = out.problems()
    assert problem["message"].startswith(
        "the E01 media (32768 bytes) holds no partition table, no file system and no volume"
    )


def _gpt_with_first_lba(raw: bytes, first_lba: int) -> bytes:
    """The GPT fixture with partition entry 0 moved to ``first_lba``, every CRC made valid."""
    disk = bytearray(raw)
    table_lba, count, size = struct.unpack_from("<QII", disk, 512 + 72)
    struct.pack_into("<QQ", disk, table_lba * 512 + 32, first_lba, min(first_lba + 100, 2**64 - 1))
    for header in (512, struct.unpack_from("<Q", disk, 512 + 32)[0] * 512):
        if disk[header : header + 8] != b"EFI PART":
            continue
        table = struct.unpack_from("<Q", disk, header + 72)[0] * 512
        disk[table : table + count * size] = disk[table_lba * 512 : table_lba * 512 + count * size]
        struct.pack_into("<I", disk, header + 88, zlib.crc32(disk[table : table + count * size]))
        struct.pack_into("<I", disk, header + 16, 0)
        struct.pack_into("<I", disk, header + 16, zlib.crc32(disk[header : header + 92]))
    return bytes(disk)


@pytest.mark.parametrize("first_lba", [2**64 - 2, 2**40])
def test_gpt_entry_with_a_huge_starting_lba_is_a_problem_line(data_dir, scan, tmp_path, first_lba):
    raw = gzip.decompress((data_dir / "images" / "gpt.raw.gz").read_bytes())
    image = tmp_path / "huge.raw"
    image.write_bytes(_gpt_with_first_lba(raw, first_lba))
    out = scan(image, extractors=[])
    assert out.result.status == "done with problems"
    messages = [p["message"] for p in out.problems()]
    assert (
        f"partition 1 (USBDATA) starts at byte {first_lba * 512}, past the end of the image"
        in " ".join(messages)
    )
    partitions = out.rows("SELECT idx, fs_type, walked FROM partitions ORDER BY idx")
    assert partitions == [
        {"idx": 1, "fs_type": None, "walked": 0},
        {"idx": 2, "fs_type": "ext4", "walked": 1},
    ]


# -- keys --------------------------------------------------------------------------------------
def test_keys_are_classified_and_never_shown(tmp_path):
    bek = tmp_path / "ABCD.BEK"
    bek.write_bytes(b"x" * 156)
    assert [key.kind for key in keys_of((RECOVERY_PASSWORD, str(bek), "hunter2", "hunter2"))] == [
        "recovery password", "startup key", "password",
    ]  # fmt: skip
    assert "hunter2" not in repr(classify("hunter2"))


@given(
    before=st.lists(st.text(min_size=1).filter(lambda t: not t.startswith("--")), max_size=4),
    secret=st.text(min_size=1),
    equals=st.booleans(),
)
def test_redaction_removes_every_key_value(before, secret, equals):
    arguments = [*before, f"--key={secret}"] if equals else [*before, "--key", secret]
    redacted = redact_command_line([*arguments, "--password", secret])
    assert redacted[: len(before)] == before
    assert redacted[len(before) :] == (
        [f"--key={REDACTED}", "--password", REDACTED]
        if equals
        else ["--key", REDACTED, "--password", REDACTED]
    )


def test_locator_and_config_reprs_hide_keys(tmp_path):
    from triage.config import ScanConfig  # noqa: PLC0415
    from triage.evidence import locate  # noqa: PLC0415

    assert "hunter2" not in repr(locate(tmp_path, keys=("hunter2",)))
    assert "hunter2" not in repr(ScanConfig(tmp_path, tmp_path / "o", "x", keys=("hunter2",)))


# -- hostile volume headers ------------------------------------------------------------------------
SIGNED_STARTS = {
    "BitLocker": (3, b"-FVE-FS-"),
    "LUKS1": (0, b"LUKS\xba\xbe\x00\x01"),
    "LUKS2": (0, b"LUKS\xba\xbe\x00\x02"),
    "APFS": (32, b"NXSB"),
    "Core Storage": (88, b"CS\x01\x00"),
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(sorted(SIGNED_STARTS)),
    noise=st.binary(min_size=0, max_size=4096),
    fill=st.sampled_from([b"\0", b"\xff"]),
)
def test_a_volume_header_of_garbage_is_a_problem_line_never_a_crash(tmp_path, kind, noise, fill):
    from triage.evidence import EvidenceLocator  # noqa: PLC0415
    from triage.evidence.disk_image import DiskImageSource  # noqa: PLC0415

    offset, signature = SIGNED_STARTS[kind]
    image = bytearray(fill * (256 << 10))
    image[: len(noise)] = noise
    image[offset : offset + len(signature)] = signature
    path = tmp_path / f"{kind}.raw"
    path.write_bytes(bytes(image))
    problems = []
    source = DiskImageSource(
        EvidenceLocator("disk_image", path, keys=("password",)), problems.append
    )
    try:
        (partition,) = source.partitions()
        rows = list(source.walk_rows(problems.append))
    finally:
        source.close()
    assert not partition.walked and rows == []
    assert [p.partition for p in problems if p.stage == "evidence"] == [1]
    assert problems[0].message.startswith("partition 1 (whole image")


def test_exfat_sd_card_walked_and_hashed_through_tsk(data_dir, scan, tmp_path):
    """An SD card built by tests/data/volumes/build_volumes.py (checked clean by fsck.exfat)."""
    image = tmp_path / "sdcard.raw"
    image.write_bytes(gzip.decompress((data_dir / "volumes" / "sdcard.raw.gz").read_bytes()))
    out = scan(image, extractors=[])
    (partition,) = out.rows("SELECT fs_type, walked, start FROM partitions")
    assert partition == {"fs_type": "exFAT", "walked": 1, "start": 1 << 20}
    files = {f["path"]: f for f in out.files()}
    assert files["/notes.txt"]["sha256"] == (
        "e153fd2e2e48239d6a9b2270935b1b624240649095e595082f99babd767fd00a"
    )
    assert files["/IMG_0001.JPG"]["sha256"] == (
        "ac58ccd749d743702153d39ce70bcfd45f696b551ee8f21bbf6dd99c0c2d2e22"
    )
    assert files["/IMG_0001.JPG"]["mtime"] == "2024-03-01T09:00:00Z"
    assert out.problems() == []
