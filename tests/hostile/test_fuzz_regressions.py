"""Crashes the fuzzer (``fuzz/run.py``) found, each reduced to a small input, now fixed.

Each test runs the real scan on a device holding the crashing file beside good ones, and
checks the promise the crash broke: the extractor finishes (status ok, not "crashed"), the bad
file is a problem naming it, and the records of the good files are all there.
"""

from __future__ import annotations

import plistlib
import shutil
import zipfile

import pytest

from tests.conftest import DATA
from tests.hostile.devices import builder
from triage.extractors.calls.keyed_archive import ArchiveError, unarchive

MALFORMED_XML_PLIST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
    b"\t<key>ProductName</key>\n\t<<string>iPhone OS</string>\n</dict>\n</plist>\n"
)  # "<<string>": expat stops with "not well-formed (invalid token)", an ExpatError


def runs(out) -> dict[str, str]:
    return {row["name"]: row["status"] for row in out.rows("SELECT * FROM extractor_runs")}


def problems(out) -> list[tuple[str, str]]:
    return [(p["path"], p["message"]) for p in out.problems()]


@pytest.mark.parametrize("extractor", ["ios.identity", "macos.identity"])
def test_malformed_xml_plist_is_a_problem_not_a_crash(scan, tmp_path, extractor):
    """Fuzzer: ExpatError at ios_plists.py load_plist (ios.identity x28, macos.identity x17)."""
    root = tmp_path / "iphone"
    builder("identity").populate_iphone_files(root)
    version = root / "System/Library/CoreServices/SystemVersion.plist"
    version.write_bytes(MALFORMED_XML_PLIST)
    out = scan(root, extractors=[extractor])
    assert runs(out) == {extractor: "ok"}
    assert problems(out) == [
        (
            "/System/Library/CoreServices/SystemVersion.plist",
            "cannot be read: InvalidFileException: ExpatError: not well-formed (invalid "
            "token): line 5, column 2",
        )
    ]
    if extractor == "ios.identity":  # the phone's other files are still read
        keys = {row["key"] for row in out.records("identity")}
        assert {"imei", "iccid", "phone_number"} <= keys


@pytest.mark.parametrize("extractor", ["ios.identity", "macos.identity"])
def test_plist_with_an_unknown_xml_encoding_is_a_problem(scan, tmp_path, extractor):
    """Fuzzer (20 s run): LookupError 'unknown encoding: UTF-2' at load_plist (macos.identity
    x4): expat looks the declared encoding up before parsing."""
    root = tmp_path / "mac"
    builder("identity").populate_iphone_files(root)
    version = root / "System/Library/CoreServices/SystemVersion.plist"
    version.write_bytes(version.read_bytes().replace(b'encoding="UTF-8"', b'encoding="UTF-2"'))
    assert b"UTF-2" in version.read_bytes()
    out = scan(root, extractors=[extractor])
    assert runs(out) == {extractor: "ok"}
    assert problems(out) == [
        (
            "/System/Library/CoreServices/SystemVersion.plist",
            "cannot be read: InvalidFileException: LookupError: unknown encoding: UTF-2",
        )
    ]


def test_android_xml_with_an_unknown_encoding_is_a_problem(scan, tmp_path):
    """The same LookupError in Android's XML settings files (found by reading after the plist
    crash): WifiConfigStore.xml declaring encoding='UTF-2'."""
    root = tmp_path / "phone"
    builder("identity").populate_android_phone(root)
    wifi = root / "data/misc/wifi/WifiConfigStore.xml"
    text = wifi.read_bytes()
    wifi.write_bytes(text.replace(b"encoding='utf-8'", b"encoding='UTF-2'", 1))
    assert b"UTF-2" in wifi.read_bytes()
    out = scan(root, extractors=["android.identity"])
    assert runs(out) == {"android.identity": "ok"}
    assert problems(out) == [
        (
            "/data/misc/wifi/WifiConfigStore.xml",
            "WifiConfigStore.xml is not well-formed XML (unknown encoding: UTF-2); entries after "
            "it are not read",
        )
    ]
    keys = {row["key"] for row in out.records("identity")}
    assert {"model", "imei", "phone_number"} & keys  # build.prop and telephony.db still read


def test_registry_hive_whose_first_bin_has_no_cell_is_a_problem(scan, tmp_path):
    """Fuzzer: RuntimeError 'generator raised StopIteration' (regipy's next() over the cells
    of the first hbin) escaped windows.identity. Four bytes inserted after the first 'hbin'."""
    root = tmp_path / "laptop"
    builder("identity").populate_windows_laptop(root)
    ntuser = root / "Users/agent1/NTUSER.DAT"
    data = ntuser.read_bytes()
    ntuser.write_bytes(data[:0x1004] + b"hbin" + data[0x1004:])
    out = scan(root, extractors=["windows.identity"])
    assert runs(out) == {"windows.identity": "ok"}
    assert problems(out) == [
        (
            "/Users/agent1/NTUSER.DAT",
            "cannot be read: ValueError: damaged hive: its first bin holds no cell",
        )
    ]
    keys = {row["key"] for row in out.records("identity")}
    assert {"computer_name", "os_product", "user_account"} <= keys  # SYSTEM, SOFTWARE, SAM read


def test_config_with_an_unknown_xml_encoding_is_a_problem(scan, tmp_path):
    """Fuzzer: LookupError 'unknown encoding: utH-8' escaped screenconnect.config."""
    source = DATA / "remote_access/screenconnect"
    root = tmp_path / "laptop"
    shutil.copytree(source, root)
    good = next(root.rglob("user.config"))
    bad = good.parent.parent / "ScreenConnect Client (ffffffffffffffff)" / "user.config"
    bad.parent.mkdir()
    bad.write_bytes(good.read_bytes().replace(b'encoding="utf-8"', b'encoding="utH-8"', 1))
    assert b"utH-8" in bad.read_bytes()
    out = scan(root, extractors=["screenconnect.config"])
    assert runs(out) == {"screenconnect.config": "ok"}
    assert problems(out) == [
        (
            "/ProgramData/ScreenConnect Client (ffffffffffffffff)/user.config",
            "the config is not well-formed XML: unknown encoding: utH-8",
        )
    ]
    events = out.records("remote_access_events")
    assert {e["source_path"] for e in events} == {"/" + str(good.relative_to(root))}


def test_zip_member_failing_its_crc_is_a_problem_not_a_failed_scan(scan, tmp_path):
    """Found by the zip-bomb test: zipfile.BadZipFile ('Bad CRC-32') escaped the hashing and
    failed the whole scan. Now any damaged member reads as an OSError like other evidence."""
    zipped = tmp_path / "phone.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/damaged.txt", b"the original text of the member\n" * 50)
        archive.writestr("a/fine.txt", b"fine\n")
    data = bytearray(zipped.read_bytes())
    crc_at = data.index(b"PK\x01\x02") + 16  # the central directory's CRC-32 of the first member
    data[crc_at] ^= 0xFF
    data[data.index(b"PK\x03\x04") + 14] ^= 0xFF  # and the local header's
    zipped.write_bytes(bytes(data))
    out = scan(zipped, extractors=[])
    files = {row["path"]: row for row in out.files()}
    assert files["/a/damaged.txt"]["sha256"] is None
    assert "Bad CRC-32" in files["/a/damaged.txt"]["hash_error"]
    assert files["/a/fine.txt"]["sha256"] is not None
    assert out.result.status == "done with problems"


# -- the same bug class as the ExpatError crash, found by reading: every plistlib caller ------
def test_keyed_archive_of_malformed_xml_is_an_archive_error():
    with pytest.raises(ArchiveError, match="not a property list: not well-formed"):
        unarchive(MALFORMED_XML_PLIST)


def test_safari_history_plist_of_malformed_xml_is_a_problem(scan, tmp_path):
    root = tmp_path / "mac"
    plist = root / "Users/eve/Library/Safari/History.plist"
    plist.parent.mkdir(parents=True)
    plist.write_bytes(MALFORMED_XML_PLIST)
    out = scan(root, extractors=["safari.history"])
    assert runs(out) == {"safari.history": "ok"}
    assert problems(out) == [
        (
            "/Users/eve/Library/Safari/History.plist",
            "not a readable plist: ExpatError: not well-formed (invalid token): line 5, column 2",
        )
    ]


def test_itunes_backup_with_malformed_xml_plists_still_opens(scan, tmp_path):
    """Info.plist and Status.plist of malformed XML (Manifest.plist kept): the backup opens,
    every file is listed and hashed, the identity extractor reports the bad plist."""
    backup = tmp_path / "backup"
    shutil.copytree(DATA / "identity" / "iphone_backup", backup)
    (backup / "Info.plist").write_bytes(MALFORMED_XML_PLIST)
    (backup / "Status.plist").write_bytes(MALFORMED_XML_PLIST)
    out = scan(backup, extractors=["ios.identity"])
    assert runs(out) == {"ios.identity": "ok"}
    files = out.files()
    assert len(files) == 12 and all(row["sha256"] for row in files if row["kind"] == "file")
    assert problems(out) == [
        (
            "/iTunes Backup/Info.plist",
            "cannot be read: InvalidFileException: ExpatError: not well-formed (invalid token): "
            "line 5, column 2",
        )
    ]
    keys = {row["key"] for row in out.records("identity")}  # Manifest.plist and the phone's files
    assert {"backup_encrypted", "installed_app", "imsi", "phone_number", "serial_number"} <= keys


def test_plistlib_still_raises_expat_errors_for_malformed_xml():
    """Why the fixes above are needed: plistlib lets expat's error through (not a ValueError)."""
    from xml.parsers.expat import ExpatError  # noqa: PLC0415

    with pytest.raises(ExpatError):
        plistlib.loads(MALFORMED_XML_PLIST)
    assert not issubclass(ExpatError, ValueError)
