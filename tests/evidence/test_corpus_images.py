"""Real disk images from ../shared/corpus/disk-images: the facts their source projects assert.

plaso and dfVFS test these images (plaso tests/cli/image_export_tool.py, dfvfs tests/vfs and
tests/volume): the E01 media MD5s stored by the acquisition, the ext2 test files, the MBR layout
of tsk_volume_system.raw (a primary at sector 1 and a logical at sector 352), and the media
inside image-split.E01/E02 being byte-identical to tsk_volume_system.raw.
"""

from __future__ import annotations

import hashlib

import pytest

from triage.evidence import open_evidence

EXT2_TEST_FILES = {  # dfVFS test images: /a_directory/{a_file,another_file}, /passwords.txt
    "/a_directory/a_file": 53,
    "/a_directory/another_file": 22,
    "/passwords.txt": 116,
}
ANOTHER_FILE_SHA256 = "c7fbc0e821c0871805a99584c6a384533909f68a6bbe9a2a687d28d9f3b10c16"
TSK_VOLUME_SYSTEM_SHA256 = "694da90e9fc6858c6dd77450add177670eb450534c3fecee2633356d6a969b98"


def _walk(path):
    source = open_evidence(path)
    try:
        return {str(entry.path): entry for entry in source.walk(lambda problem: None)}, source
    finally:
        source.close()


def test_plaso_e01_verifies_its_stored_md5(corpus, scan):
    out = scan(corpus / "disk-images" / "plaso_image.E01", extractors=[])
    evidence = out.rows("SELECT * FROM evidence")[0]
    assert evidence["md5"] == "d73c51f10c7ee6a681b7b619ccc6f1c4"
    assert evidence["verification"] == "verified (MD5)"
    assert evidence["size"] == 102400
    files = {row["path"]: row for row in out.files() if row["kind"] == "file"}
    assert {path: files[path]["size"] for path in EXT2_TEST_FILES} == EXT2_TEST_FILES
    assert files["/a_directory/another_file"]["sha256"] == ANOTHER_FILE_SHA256


def test_dfvfs_e01_verifies_and_matches_its_vm_and_split_copies(corpus, scan):
    images = corpus / "disk-images"
    e01 = scan(images / "dfvfs_ext2.E01", extractors=[])
    assert e01.rows("SELECT md5, verification FROM evidence")[0] == {
        "md5": "196066add11fb71c4c49cf1bb50d6d24",
        "verification": "verified (MD5)",
    }
    reference = {(row["path"], row["inode"], row["size"], row["sha256"]) for row in e01.files()}
    for copy in (
        "dfvfs_ext2.vmdk",
        "dfvfs_ext2.qcow2",
        "dfvfs_ext2.vhd",
        "dfvfs_ext2.splitraw.000",
    ):
        out = scan(images / copy, extractors=[])
        facts = {(row["path"], row["inode"], row["size"], row["sha256"]) for row in out.files()}
        assert facts == reference, copy
    formats = {
        copy: scan(images / copy, extractors=[]).rows("SELECT format FROM evidence")[0]
        for copy in (
            "dfvfs_ext2.vmdk",
            "dfvfs_ext2.qcow2",
            "dfvfs_ext2.vhd",
            "dfvfs_ext2.splitraw.000",
        )
    }
    assert formats == {
        "dfvfs_ext2.vmdk": {"format": "VMDK"},
        "dfvfs_ext2.qcow2": {"format": "QCOW2"},
        "dfvfs_ext2.vhd": {"format": "VHD"},
        "dfvfs_ext2.splitraw.000": {"format": "split raw"},
    }


def test_tsk_volume_system_mbr_layout(corpus):
    source = open_evidence(corpus / "disk-images" / "plaso_tsk_volume_system.raw")
    layout = [
        (p.slot, p.start, p.length, p.description, p.fs_type, p.walked) for p in source.partitions()
    ]
    source.close()
    # One primary Linux partition at sector 1 (350 sectors, no file system in the test image)
    # and one logical Linux partition at sector 352 holding ext2.
    assert layout == [
        ("2", 512, 350 * 512, "Linux (0x83)", None, False),
        ("6", 352 * 512, 2528 * 512, "Linux (0x83)", "ext2", True),
    ]


def test_two_segment_e01_is_the_tsk_volume_system_image(corpus, scan):
    out = scan(corpus / "disk-images" / "plaso_image-split.E01", extractors=[])
    evidence = out.rows("SELECT * FROM evidence")[0]
    assert evidence["segments"].count("plaso_image-split.E0") == 2
    assert evidence["md5"] == "38ea5af8a80e16e46c095c9110242fc0"
    assert evidence["sha256"] == TSK_VOLUME_SYSTEM_SHA256
    assert evidence["verification"] == "verified (MD5)"
    partitions = out.rows("SELECT start, fs_type FROM partitions ORDER BY idx")
    assert partitions == [{"start": 512, "fs_type": None}, {"start": 180224, "fs_type": "ext2"}]


def test_image_with_a_non_ascii_name(corpus, scan):
    out = scan(corpus / "disk-images" / "plaso_ímynd.dd", extractors=[])
    assert out.rows("SELECT path FROM evidence")[0]["path"].endswith("plaso_ímynd.dd")
    files = {row["path"]: row for row in out.files()}
    assert files["/a_directory/another_file"]["sha256"] == ANOTHER_FILE_SHA256
    deleted = sorted(path for path, row in files.items() if not row["allocated"])
    assert "/passwords.txt~" in deleted
    assert out.result.errors == 0


def test_syslog_image_deleted_entries_and_archives(corpus, scan):
    out = scan(corpus / "disk-images" / "plaso_syslog_image.dd", extractors=[])
    files = {row["path"]: row for row in out.files()}
    assert files["/logs/hidden.zip"]["size"] == 675 and files["/logs/hidden.zip"]["mime"] == (
        "application/zip"
    )
    assert files["/logs/sys.tgz"]["mime"] == "application/gzip"
    assert not files["/passwords.txt"]["allocated"]


def test_foreign_and_other_file_systems(corpus):
    images = corpus / "disk-images"
    apfs = open_evidence(images / "dfvfs_apfs.raw")  # libfsapfs: tests/evidence/test_volumes.py
    assert [(p.fs_type, p.walked) for p in apfs.partitions()] == [("APFS", True)]
    apfs.close()
    for name, fs_type, path in (
        ("dfvfs_hfsplus.raw", "HFS+", "/a_directory/another_file"),
        ("dfvfs_iso9660.raw", "ISO9660", "/A_DIRECTORY/ANOTHER_FILE"),
    ):
        source = open_evidence(images / name)
        assert [p.fs_type for p in source.partitions()] == [fs_type]
        entries = {str(entry.path): entry for entry in source.walk(lambda problem: None)}
        with source.open_file(entries[path].ref) as stream:
            assert hashlib.sha256(stream.read()).hexdigest() == ANOTHER_FILE_SHA256
        source.close()


@pytest.mark.parametrize("name", ["dfvfs_windows_volume.qcow2", "plaso_vsstest.qcow2"])
def test_ntfs_volumes_inside_qcow2(corpus, name):
    source = open_evidence(corpus / "disk-images" / name)
    snapshots = 2 if name == "plaso_vsstest.qcow2" else 0  # each VSS snapshot is a volume too
    assert [p.fs_type for p in source.partitions()] == ["NTFS"] * (1 + snapshots)
    paths = {str(entry.path) for entry in source.walk(lambda problem: None)}
    source.close()
    assert "/$MFT" in paths
    if name == "dfvfs_windows_volume.qcow2":
        assert "/Windows/System32/config/syslog" in paths


@pytest.mark.parametrize(
    "name",
    [
        "dfvfs_ext2.E01",
        "dfvfs_ext2.splitraw.000",
        "dfvfs_ext2.vmdk",
        "plaso_image.qcow2",
        "plaso_syslog_image.dd",
        "dfvfs_windows_volume.qcow2",
        "plaso_vsstest.qcow2",
    ],
)
def test_files_read_where_they_lie_equal_tsk_reads(corpus, name):
    """The hashing core reads ext2/3/4 files and fully initialized NTFS files at their runs on
    the media; on these real images (ext2 in E01, split, VMDK, QCOW2; NTFS in QCOW2) every such
    file gives TSK's bytes."""
    source = open_evidence(corpus / "disk-images" / name)
    compared = 0
    try:
        for entry in source.walk(lambda problem: None):
            if entry.kind != "file" or entry.ref.attr_id is not None:
                continue
            extents = source.data_extents(entry.ref)
            if extents is None:
                continue
            in_place = b"".join(
                source.media.read(start, length) if start >= 0 else bytes(length)
                for start, length in extents[1]
            )
            with source.open_file(entry.ref) as stream:
                assert in_place == stream.read(), entry.path
            compared += 1
    finally:
        source.close()
    assert compared >= 3
