"""Disk images on the project's own fixtures: partitions, the walk, hashes, E01 and split raw."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA
from triage.evidence import open_evidence


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_images", DATA / "images" / "build_images.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _builder()
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def user_entries(out) -> dict[str, dict]:
    """Walked entries without NTFS/FAT system files, by path."""
    return {
        row["path"]: row
        for row in out.files()
        if not row["path"].split("/")[-1].startswith("$") and "/$OrphanFiles" not in row["path"]
    }


def test_ntfs_walk_lists_every_entry_with_inode_size_and_state(images, scan):
    out = scan(images["ntfs"], extractors=[])
    entries = {
        path: (row["kind"], row["inode"], row["attr_id"], row["size"], row["allocated"])
        for path, row in user_entries(out).items()
    }
    assert entries == {
        "/empty.txt": ("file", 76, None, 0, 1),
        "/Users": ("dir", 64, None, 0, 1),
        "/Users/agent1": ("dir", 65, None, 0, 1),
        "/Users/agent1/big.bin": ("file", 75, None, 1536 * 1024, 1),
        "/Users/agent1/résumé.txt": ("file", 74, None, 28, 1),
        "/Users/agent1/Documents": ("dir", 68, None, 0, 1),
        "/Users/agent1/Documents/notes.txt": ("file", 69, None, 21, 1),
        "/Users/agent1/Documents/notes-link.txt": ("file", 69, None, 21, 1),
        "/Users/agent1/Documents/deleted-secret.txt": ("file", 70, None, 37, 0),
        "/Users/agent1/Downloads": ("dir", 66, None, 0, 1),
        "/Users/agent1/Downloads/AnyDesk.exe": ("file", 67, None, 1052, 1),
        "/Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier": ("ads", 67, 4, 130, 1),
        "/Users/agent1/Pictures": ("dir", 71, None, 0, 1),
        "/Users/agent1/Pictures/holiday.jpg": ("file", 72, None, 1052, 1),
        "/Users/agent1/Pictures/real.jpg": ("file", 73, None, 91, 1),
    }
    assert out.problems() == []


def test_ntfs_hashes_equal_hashlib_over_the_content(images, scan):
    out = scan(images["ntfs"], extractors=[], jobs=2)
    files = user_entries(out)
    expected = {
        "/Users/agent1/Downloads/AnyDesk.exe": BUILD.tiny_pe(),
        "/Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier": BUILD.ZONE_IDENTIFIER.encode(),
        "/Users/agent1/Documents/notes.txt": b"call list for monday\n",
        "/Users/agent1/Documents/notes-link.txt": b"call list for monday\n",
        "/Users/agent1/Documents/deleted-secret.txt": b"wire $900 to the account ending 4471\n",
        "/Users/agent1/big.bin": BUILD.pattern(1536 * 1024),
        "/Users/agent1/résumé.txt": "Curriculum vitae — agent1\n".encode(),
        "/empty.txt": b"",
    }
    for path, content in expected.items():
        row = files[path]
        assert row["sha256"] == sha256(content), path
        assert row["md5"] == hashlib.md5(content).hexdigest(), path
        assert row["sha1"] == hashlib.sha1(content).hexdigest(), path
        assert row["hash_error"] is None
    assert files["/empty.txt"]["sha256"] == EMPTY_SHA256


def test_file_type_from_content_flags_a_pe_named_jpg(images, scan):
    files = user_entries(scan(images["ntfs"], extractors=[]))
    holiday, real = (
        files["/Users/agent1/Pictures/holiday.jpg"],
        files["/Users/agent1/Pictures/real.jpg"],
    )
    assert holiday["mime"] in (
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
    )
    assert holiday["magic"].startswith("PE32 executable")
    assert holiday["ext_mismatch"] == 1
    assert real["mime"] == "image/jpeg" and real["ext_mismatch"] == 0
    assert files["/Users/agent1/Downloads/AnyDesk.exe"]["ext_mismatch"] == 0


def test_mbr_with_extended_partitions_lists_walked_and_unknown_volumes(images, scan):
    out = scan(images["mbr"], extractors=[])
    partitions = [
        (p["idx"], p["slot"], p["start"], p["length"], p["description"], p["fs_type"], p["walked"])
        for p in out.rows("SELECT * FROM partitions ORDER BY idx")
    ]
    assert partitions == [
        (1, "2", 1048576, 4194304, "DOS FAT16 (0x06)", "FAT16", 1),
        (2, "3", 5242880, 1048576, "Win95 FAT32 (0x0c)", None, 0),
        (3, "7", 7340032, 4194304, "Linux (0x83)", "ext2", 1),
        (4, "11", 12582912, 3145728, "NTFS / exFAT (0x07)", "exFAT", 1),
    ]
    files = {(row["partition"], row["path"]): row for row in out.files()}
    assert files[(1, "/DCIM/IMG_0001.JPG")]["sha256"] == sha256(BUILD.tiny_jpeg())
    assert files[(3, "/home/agent1/.bash_history")]["size"] == 24
    victims = files[(3, "/home/agent1/victims.csv")]
    assert (victims["allocated"], victims["inode"]) == (0, 17)
    assert victims["sha256"] == sha256(b"name,phone\nMargaret,5404561685\n")
    label = files[(1, "/CAMERA      (Volume Label Entry)")]
    assert label["kind"] == "other" and label["note"] == "FAT/exFAT volume label entry"
    report = (out.output / "report.html").read_text()
    assert "Win95 FAT32 (0x0c)" in report and "no file system TSK knows" in report


def test_gpt_fat32_and_ext4_with_symlink_and_deleted_file(images, scan):
    out = scan(images["gpt"], extractors=[])
    partitions = [
        (p["idx"], p["description"], p["fs_type"])
        for p in out.rows("SELECT * FROM partitions ORDER BY idx")
    ]
    assert partitions == [(1, "USBDATA", "FAT32"), (2, "linux", "ext4")]
    files = {(row["partition"], row["path"]): row for row in out.files()}
    assert files[(1, "/TOOLS/ANYDESK.EXE")]["sha256"] == sha256(BUILD.tiny_pe())
    link = files[(2, "/home/agent1/latest")]
    assert (link["kind"], link["note"], link["md5"]) == ("link", "link target: todo.txt", None)
    gone = files[(2, "/home/agent1/gone.txt")]
    assert (gone["allocated"], gone["inode"], gone["sha256"]) == (
        0,
        14,
        sha256(b"deleted on ext4\n"),
    )
    assert files[(2, "/var/log/big.log")]["sha256"] == sha256(BUILD.pattern(1100 * 1024))


def _file_facts(out) -> list[tuple]:
    return [
        (
            row["partition"],
            row["path"],
            row["kind"],
            row["inode"],
            row["size"],
            row["allocated"],
            row["md5"],
            row["sha1"],
            row["sha256"],
            row["mime"],
        )
        for row in out.files()
    ]


def test_e01_and_split_raw_are_identical_to_the_raw_image(images, scan, tmp_path):
    raw = scan(images["gpt"], extractors=[])
    e01 = scan(images["gpt_e01"], extractors=[])
    assert _file_facts(e01) == _file_facts(raw)
    data = images["gpt"].read_bytes()
    piece = len(data) // 3 + 1
    for index in range(3):
        (tmp_path / f"gpt.{index + 1:03d}").write_bytes(data[index * piece : (index + 1) * piece])
    split = scan(tmp_path / "gpt.001", extractors=[])
    assert _file_facts(split) == _file_facts(raw)
    raw_evidence = raw.rows("SELECT * FROM evidence")[0]
    e01_evidence = e01.rows("SELECT * FROM evidence")[0]
    split_evidence = split.rows("SELECT * FROM evidence")[0]
    assert (
        raw_evidence["sha256"] == e01_evidence["sha256"] == split_evidence["sha256"] == sha256(data)
    )
    assert e01_evidence["format"] == "E01"
    assert e01_evidence["verification"] == "verified (MD5, SHA-1)"
    assert raw_evidence["verification"] == "no stored hash"
    assert split_evidence["format"] == "split raw"


def test_scan_leaves_the_evidence_unchanged(images, scan):
    for name in ("ntfs", "gpt_e01"):
        before = sha256(images[name].read_bytes())
        scan(images[name], extractors=None)
        assert sha256(images[name].read_bytes()) == before


def test_one_and_two_jobs_give_identical_stores(images, scan):
    one = scan(images["ntfs"], extractors=[], jobs=1)
    two = scan(images["ntfs"], extractors=[], jobs=2)
    assert one.files() == two.files()


def test_walk_yields_entries_before_the_whole_tree_is_read(images):
    """The walk is a generator: the first entry arrives without listing everything."""
    source = open_evidence(images["gpt"])
    walk = source.walk(lambda problem: None)
    first = next(walk)
    assert first.path.name in ("USBDATA     (Volume Label Entry)", "DOCS", "TOOLS")
    source.close()


@pytest.mark.parametrize("image", ["ntfs", "gpt"])
def test_rows_the_scan_stores_are_the_walked_entries(images, image):
    """walk_rows (what a scan stores) and walk (typed entries) give the same entries: deleted
    files, NTFS streams with their attribute ids, links, FAT labels and times to the microsecond."""
    from triage.store import walk_rows_of  # noqa: PLC0415

    source = open_evidence(images[image])
    try:
        rows = list(source.walk_rows(lambda problem: None))
        assert list(walk_rows_of(source.walk(lambda problem: None))) == rows
    finally:
        source.close()
    by_path = {row[0]: row for row in rows}
    if image == "ntfs":
        stream = by_path["/Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier"]
        owner = by_path["/Users/agent1/Downloads/AnyDesk.exe"]
        assert stream[1:9] == ("AnyDesk.exe:Zone.Identifier", "ads", 130, 1, 1, 67, 4, None)
        assert stream[9:13] == owner[9:13]  # a stream has its file's times
        assert by_path["/Users/agent1/Documents/deleted-secret.txt"][4] == 0
    else:
        assert by_path["/USBDATA     (Volume Label Entry)"][2] == "other"
    times = [text for row in rows for text in row[9:13] if text]
    assert times and all(text.endswith("Z") and text[10] == "T" for text in times)


@pytest.mark.parametrize("cut", [20 * 1024 * 1024, 36 * 1024 * 1024])
def test_truncated_image_reports_problems_and_keeps_the_rest(images, scan, tmp_path, cut):
    truncated = tmp_path / "truncated.raw"
    with open(images["gpt"], "rb") as source:
        truncated.write_bytes(source.read(cut))
    out = scan(truncated, extractors=[])
    messages = " ".join(problem["message"] for problem in out.problems())
    assert "truncated" in messages or "unreadable" in messages or "cannot" in messages
    paths = {row["path"] for row in out.files()}
    assert "/DOCS/INVOICE.TXT" in paths  # the FAT32 partition starts inside the kept part
    assert out.result.errors >= 1


def test_corrupt_partition_table_probes_the_usual_offsets(images, scan, tmp_path):
    broken = tmp_path / "broken.raw"
    data = bytearray(images["mbr"].read_bytes())
    data[446:510] = b"\xff" * 64  # garbage partition entries, boot signature kept
    broken.write_bytes(bytes(data))
    out = scan(broken, extractors=[])
    partitions = out.rows("SELECT * FROM partitions")
    assert [(p["start"], p["fs_type"]) for p in partitions] == [(1048576, "FAT16")]
    assert any("partition table" in p["message"] for p in out.problems())
    assert "/DCIM/IMG_0001.JPG" in {row["path"] for row in out.files()}


def test_unreadable_file_data_is_a_problem_not_a_crash(images, scan, tmp_path):
    """Cut the image just after big.log's first blocks: its read fails, the rest is hashed."""
    source = open_evidence(images["gpt"])
    ref = next(
        entry.ref for entry in source.walk(lambda p: None) if str(entry.path) == "/var/log/big.log"
    )
    source.close()
    cut_at = _first_block_offset(images["gpt"], ref) + 4096
    truncated = tmp_path / "cut.raw"
    with open(images["gpt"], "rb") as handle:
        truncated.write_bytes(handle.read(cut_at))
    out = scan(truncated, extractors=[])
    big = next(row for row in out.files() if row["path"] == "/var/log/big.log")
    assert big["sha256"] is None and big["hash_error"]
    todo = next(row for row in out.files() if row["path"] == "/home/agent1/todo.txt")
    assert todo["sha256"] == sha256(b"buy gift cards\n")
    assert any(p["path"] == "/var/log/big.log" for p in out.problems())


def _first_block_offset(image: Path, ref) -> int:
    import pytsk3

    img = pytsk3.Img_Info(str(image))
    volume = pytsk3.Volume_Info(img)
    start = [part.start for part in volume if part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC][1] * 512
    fs = pytsk3.FS_Info(img, offset=start)
    handle = fs.open_meta(inode=ref.inode)
    for attribute in handle:
        for run in attribute:
            return start + run.addr * fs.info.block_size
    raise AssertionError("no data run")


def test_missing_e01_segment_is_read_as_far_as_it_goes(corpus, tmp_path):
    shutil.copy(corpus / "disk-images" / "plaso_image-split.E01", tmp_path / "image.E01")
    problems = []
    source = open_evidence(tmp_path / "image.E01", problems=problems.append)
    try:
        assert source.info().size == 1474560
        media = source.media
        before = media.read_at.__self__.damage_events
        assert media.read(1015808 - 4, 8)[4:] == bytes(4)  # the gap reads as zeros, counted
        assert media.read_at.__self__.damage_events == before + 1
    finally:
        source.close()
    assert [problem.message for problem in problems] == [
        "E01 segment image.E01 points to image.E02, which is missing; E01 segment 2 of the set "
        "is missing: media bytes 1015808-1474559 (chunks 31-44) read as zeros",
        # the set's first partition has no file system (so in the whole set too)
        "partition 1 (Linux (0x83), unknown) not walked: no file system TSK knows",
    ]
