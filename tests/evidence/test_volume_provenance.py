"""Issue 17's "done when", output by output: the partition table of report.html and report.json
shows encryption, lock state, protector IDs and snapshot count, and a record read from a
snapshot or through decryption names its volume in the CSVs, the timeline and report.json.

Real data first: plaso's ``vsstest.qcow2`` (two snapshots, 2013-12-03 06:35:09 and 06:37:48 UTC;
the first holds ``/syslog``, 1247 bytes, gone from the live volume), and the BitLocker fixture
written from the format and proved by libbde (:mod:`tests.evidence.built_volumes`).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.evidence import built_volumes
from tests.evidence.test_volumes import _syslog_from_snapshot_one
from tests.evidence.volume_fixtures import mbr_disk
from triage.config import HashSetSpec, ScanConfig
from triage.evidence.media import open_media
from triage.evidence.volumes.bitlocker import open_bitlocker
from triage.evidence.volumes.keys import Key
from triage.pipeline import scan_device

FIXTURE_VOLUME_ID = "0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9"  # volume_fixtures.bitlocker_volume
SNAPSHOT_1 = (
    "VSS snapshot 1 {600f0b69-5bdf-11e3-9d6c-005056c00008} created 2013-12-03T06:35:09.736378Z"
)
SNAPSHOT_2 = (
    "VSS snapshot 2 {600f0b6d-5bdf-11e3-9d6c-005056c00008} created 2013-12-03T06:37:48.919058Z"
)


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _partition_rows(report_html: str) -> list[list[str]]:
    """The cells of each row of report.html's partition table, tags stripped."""
    table = report_html.split("<h3>Partitions</h3>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells])
    return rows


@pytest.fixture(scope="module")
def vss_scan(corpus, tmp_path_factory) -> tuple[Path, bytes]:
    """(output folder, /syslog's bytes): the VSS image (a copy we own, so that O_NOATIME holds)
    scanned with a hash set naming the snapshot-only /syslog by the MD5 of an independent read
    (libqcow, libvshadow, TSK), and no extractor."""
    folder = tmp_path_factory.mktemp("vss")
    image = folder / "vsstest.qcow2"
    shutil.copyfile(corpus / "disk-images" / "plaso_vsstest.qcow2", image)
    image.chmod(0o444)
    syslog = _syslog_from_snapshot_one(image)
    hashset = folder / "bad.md5"
    hashset.write_text(f"{hashlib.md5(syslog).hexdigest()}  syslog\n", encoding="utf-8")
    (folder / "profiles").mkdir()
    (folder / "profiles" / "none.yaml").write_text(
        "name: none\ndescription: no extractor\ndetect: []\nextractors: []\n", encoding="utf-8"
    )
    config = ScanConfig(
        evidence=image,
        output=folder / "out",
        name="vsstest",
        profile="none",
        profiles_dir=folder / "profiles",
        hashsets=(HashSetSpec(hashset, "known-bad"),),
        hash_evidence=False,
    )
    assert scan_device(config).status == "done"
    return folder / "out", syslog


def test_vss_partition_table_shows_the_snapshots(vss_scan):
    out, _ = vss_scan
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    table = [
        (p["idx"], p["fs_type"], p["snapshots"], p["walked"], p["layers"])
        for p in report["partitions"]
    ]
    assert table == [
        (1, "NTFS", 2, 1, None),
        (2, "NTFS", None, 1, SNAPSHOT_1),
        (3, "NTFS", None, 1, SNAPSHOT_2),
    ]
    rows = _partition_rows((out / "report.html").read_text(encoding="utf-8"))
    # columns: #, slot, start, size, type, file system, encryption, lock state, snapshots...
    assert [(row[0], row[1], row[8]) for row in rows] == [
        ("1", "-", "2"),
        ("2", "-/vss1", ""),
        ("3", "-/vss2", ""),
    ]
    assert rows[1][4] == f"{SNAPSHOT_1} of partition 1"
    assert rows[2][4] == f"{SNAPSHOT_2} of partition 1"


def test_a_record_from_a_snapshot_names_it_in_csv_and_json(vss_scan):
    out, syslog = vss_scan
    (listed,) = [row for row in _csv(out / "files.csv") if row["path"] == "/syslog"]
    assert (listed["partition"], listed["size"]) == ("2", "1247")
    assert listed["sha256"] == hashlib.sha256(syslog).hexdigest()
    assert listed["note"] == f"{SNAPSHOT_1}: gone from the live volume"
    (hit,) = _csv(out / "hashset_hits.csv")
    assert (hit["source_path"], hit["source_partition"], hit["source_volume"]) == (
        "/syslog",
        "2",
        SNAPSHOT_1,
    )
    assert (hit["algorithm"], hit["digest"]) == ("md5", hashlib.md5(syslog).hexdigest())
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (bad,) = report["findings"]["hash_sets"]["known_bad"]
    assert (bad["source_path"], bad["source_partition"], bad["source_volume"]) == (
        "/syslog",
        2,
        SNAPSHOT_1,
    )


@pytest.fixture(scope="module")
def bitlocker_disk(tmp_path_factory) -> tuple[Path, str, str]:
    volume, password, protector = built_volumes.bitlocker()
    path = tmp_path_factory.mktemp("bitlocker") / "bitlocker-disk.raw"
    path.write_bytes(mbr_disk(volume, type_code=0x07))
    path.chmod(0o444)
    return path, password, protector


def test_records_through_bitlocker_name_the_volume_in_csv_timeline_and_table(bitlocker_disk, scan):
    disk, password, protector = bitlocker_disk
    out = scan(disk, extractors=["remote_access.zone_identifier"], keys=(password,))
    volume = f"BitLocker, unlocked, by recovery password (protector ID {protector})"
    (event,) = _csv(out.output / "remote_access.csv")
    assert (event["source_partition"], event["source_volume"]) == ("1", volume)
    assert event["url"] == "https://download.anydesk.com/AnyDesk.exe"
    (row,) = [r for r in _csv(out.output / "timeline.csv") if r["kind"] == "remote_access_events"]
    assert (row["datetime"], row["source_partition"], row["source_volume"]) == (
        "2024-03-01T09:00:00Z",
        "1",
        volume,
    )
    jsonl = (out.output / "timeline.jsonl").read_text(encoding="utf-8").splitlines()
    (line,) = [json.loads(text) for text in jsonl if "remote_access_events" in text]
    assert line["source_volume"] == volume
    report = json.loads((out.output / "report.json").read_text(encoding="utf-8"))
    (partition,) = report["partitions"]
    assert (partition["encryption"], partition["lock_state"], partition["layers"]) == (
        "AES-XTS 128",
        "unlocked",
        volume,
    )
    about = (
        f"BitLocker volume ID {FIXTURE_VOLUME_ID}; key protectors: recovery password ID {protector}"
    )
    assert partition["note"] == about
    (cells,) = _partition_rows((out.output / "report.html").read_text(encoding="utf-8"))
    assert (cells[5], cells[6], cells[7], cells[9], cells[10]) == (
        "NTFS",
        "AES-XTS 128",
        "unlocked",
        "yes",
        f"{about} {volume}",
    )


def test_an_opened_bitlocker_vector_lists_every_protector(corpus, tmp_path):
    """The real vector has two protectors; the note of the opened volume names both."""
    vector = tmp_path / "bde_password.bin"
    packed = corpus / "encrypted-volumes" / "bde_password_aes-xts-128.bin.gz"
    vector.write_bytes(gzip.decompress(packed.read_bytes()))
    media = open_media(vector)
    try:
        opened = open_bitlocker(media, 0, media.size, [Key("password", "password12!@")])
        about = opened.note
        opened.media.close()
    finally:
        media.close()
    assert about == (
        "BitLocker volume ID 19540FDA-3072-4554-9DDC-9DF7343EF068; key protectors: "
        "password ID 55FAEDED-603A-459F-8F6B-325CF781F971"
    )


def test_locked_bitlocker_row_lists_its_protector_ids(bitlocker_disk, scan):
    disk, _, protector = bitlocker_disk
    out = scan(disk, extractors=[], hash_evidence=False)
    why = (
        f"BitLocker, locked; recovery password ID {protector}; give --key with its recovery "
        "password or .BEK"
    )
    report = json.loads((out.output / "report.json").read_text(encoding="utf-8"))
    (partition,) = report["partitions"]
    assert (partition["encryption"], partition["lock_state"], partition["walked"]) == (
        "AES-XTS 128",
        "locked",
        0,
    )
    assert partition["note"] == why
    (cells,) = _partition_rows((out.output / "report.html").read_text(encoding="utf-8"))
    assert (cells[6], cells[7], cells[9], cells[10]) == ("AES-XTS 128", "locked", "no", why)
    assert [p["message"] for p in report["problems"]] == [
        f"partition 1 (NTFS / exFAT (0x07)): {why}"
    ]
