"""One file that is not a container is a one-file device: hashed, typed, read by what reads it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from triage.case import scan_folder
from triage.evidence import detect_kind, open_evidence
from triage.evidence.single_file import sniff_type

ROUTER = DATA / "router"
MIKROTIK = ROUTER / "mikrotik" / "cc-branch-export.rsc"
CALLLOG = DATA / "calls/android/data/data/com.android.providers.contacts/databases/calllog.db"
CHROME = DATA / "browser" / "chrome_History"
LAPTOP = DATA / "identity" / "laptop"


def _lone(tmp_path: Path, source: Path, name: str) -> Path:
    """A copy of ``source`` named ``name`` alone in a folder (names are the point here)."""
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    target = folder / name
    shutil.copy(source, target)
    return target


def _meta(out) -> dict[str, str]:
    return {row["key"]: row["value"] for row in out.rows("SELECT * FROM meta")}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"/interface bridge\nadd name=bridge1\n", "text"),
        (b"SQLite format 3\x00" + b"\x00" * 100, "SQLite database"),
        (b"regf" + b"\x00" * 100, "Windows registry hive"),
        (b"bplist00\xd1\x01\x02", "binary property list"),
        (b'<?xml version="1.0"?>\n<plist version="1.0"><dict/></plist>', "XML property list"),
        (b"\xff\xfeh\x00i\x00", "text (UTF-16)"),
        (b"", "empty file"),
        (b"\xeb\x52\x90NTFS    " + b"\x00" * 500, None),  # a boot sector: maybe a disk
    ],
)
def test_first_bytes_tell_a_one_file_device_from_a_disk(content: bytes, expected) -> None:
    """Text, SQLite, hives and plists are never disk images; binary data may be."""
    assert sniff_type(content) == expected


def test_kinds_of_lone_files(tmp_path: Path, images) -> None:
    """Typed files are 'file'; images and archives keep their kinds; unknown binary data that
    TSK finds no volume in is a one-file device too (not refused)."""
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(1, 256)) * 40)
    assert detect_kind(MIKROTIK) == "file"
    assert detect_kind(CHROME) == "file"
    assert detect_kind(LAPTOP / "Windows/System32/config/SYSTEM") == "file"
    assert detect_kind(junk) == "file"
    assert detect_kind(images["ntfs"]) == "disk_image"
    assert detect_kind(ROUTER / "openwrt" / "backup-cc-gw-2024-03-01.tar.gz") == "archive"


def test_the_source_lists_one_file_and_keeps_its_access_time(tmp_path: Path) -> None:
    """Listed at /<name>, read as stored, typed in the evidence info, atime untouched."""
    export = _lone(tmp_path, MIKROTIK, "export.txt")
    os.utime(export, ns=(1_000_000_000_000_000_000, 1_600_000_000_000_000_000))
    problems: list = []
    source = open_evidence(export)
    try:
        [entry] = list(source.walk(problems.append))
        assert (str(entry.path), entry.kind, entry.size) == (
            "/export.txt",
            "file",
            MIKROTIK.stat().st_size,
        )
        with source.open_file(entry.ref) as stream:
            assert stream.read() == MIKROTIK.read_bytes()
        info = source.info()
        assert (info.kind, info.format, info.size) == (
            "file",
            "single file (text)",
            MIKROTIK.stat().st_size,
        )
        assert info.metadata == {"type": "text", "listed as": "/export.txt"}
    finally:
        source.close()
    assert problems == []
    assert export.stat().st_atime_ns == 1_000_000_000_000_000_000


@pytest.mark.parametrize("jobs", [1, 2])
def test_mikrotik_export_under_any_name_is_a_router(tmp_path: Path, scan, jobs: int) -> None:
    """A MikroTik /export saved as export.txt: matched by content, profile router, hashed
    (in this process and by hashing workers that reopen it)."""
    out = scan(_lone(tmp_path, MIKROTIK, "export.txt"), jobs=jobs)
    meta = _meta(out)
    assert meta["profile"] == "router"
    assert meta["profile_reason"] == "one file (text), read by router.mikrotik (by content)"
    facts = {(row["key"], row["value"]) for row in out.records("router_facts")}
    assert ("firmware", "RouterOS 6.49.10") in facts and ("software_id", "FX7K-Q2ZP") in facts
    sha256 = hashlib.sha256(MIKROTIK.read_bytes()).hexdigest()
    [row] = out.files()
    assert (row["path"], row["sha256"]) == ("/export.txt", sha256)
    evidence = out.rows("SELECT kind, sha256 FROM evidence")[0]
    assert evidence == {"kind": "file", "sha256": sha256}
    assert out.problems() == [] and out.result.status == "done"


def test_lone_calllog_db_is_read_by_its_schema(tmp_path: Path, scan) -> None:
    """An Android calllog.db with no parent path: android.call_log by name, profile android."""
    out = scan(_lone(tmp_path, CALLLOG, "calllog.db"))
    meta = _meta(out)
    assert meta["profile"] == "android"
    assert meta["profile_reason"] == (
        "one file (SQLite database), read by android.call_log (by name)"
    )
    calls = out.records("calls")
    assert [(c["number_e164"], c["direction"], c["started"]) for c in calls][:3] == [
        ("+15404561685", "incoming", "2024-03-01T09:00:00Z"),
        ("+15404561685", "outgoing", "2024-03-01T09:05:00Z"),
        ("+15404561685", "missed", "2024-03-01T09:10:00Z"),
    ]
    assert {c["source_path"] for c in calls} == {"/calllog.db"}


def test_a_history_that_is_not_chrome_s_is_not_given_to_chrome(tmp_path: Path, scan) -> None:
    """Named History but without Chrome's tables: no extractor reads it, nothing crashes."""
    fake = tmp_path / "History"
    with sqlite3.connect(fake) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    out = scan(fake)
    assert _meta(out)["profile_reason"] == (
        "one file (SQLite database) that no extractor reads: hashed and typed only"
    )
    assert out.rows("SELECT * FROM extractor_runs") == [] and out.problems() == []


def test_lone_chrome_history_is_read_whatever_its_name(tmp_path: Path, scan) -> None:
    """chrome_History (no User Data folders): read by schema; every platform reads it."""
    out = scan(CHROME)
    meta = _meta(out)
    assert meta["profile"] == "generic"
    assert meta["profile_reason"] == (
        "one file (SQLite database), read by chromium.history (by schema (urls, visits)); "
        "profiles that read it: android, ios, linux, macos, windows"
    )
    visits = out.records("browser_visits")
    assert (visits[0]["url"], visits[0]["visited"]) == (
        "http://example.com/",
        "2023-05-04T10:00:00Z",
    )


def test_lone_hive_is_typed_by_the_name_windows_wrote_in_it(tmp_path: Path, scan) -> None:
    """A SYSTEM hive saved as evidence-07.hive, and an NTUSER.DAT saved as user.bin: the
    hive's own base block says which hive it is, and whose."""
    system = scan(_lone(tmp_path, LAPTOP / "Windows/System32/config/SYSTEM", "evidence-07.hive"))
    assert _meta(system)["profile"] == "windows"
    names = [row["value"] for row in system.records("identity") if row["key"] == "computer_name"]
    assert names == ["CC-LAPTOP-01"]
    user = scan(_lone(tmp_path, LAPTOP / "Users/agent1/NTUSER.DAT", "user.bin"))
    details = " ".join(row["detail"] or "" for row in user.records("identity"))
    assert "agent1" in details


def test_unknown_binary_is_scanned_with_a_warning(tmp_path: Path, scan) -> None:
    """Never silent: a file of no known type holding no file system says how it was read."""
    junk = tmp_path / "blob.bin"
    junk.write_bytes(bytes(range(1, 256)) * 40)
    out = scan(junk)
    assert [(p["severity"], p["message"]) for p in out.problems()] == [
        (
            "warning",
            "no partition table, file system, container or known file type found: scanned "
            "as one file (hashed and typed only)",
        )
    ]
    assert out.files()[0]["sha256"] == hashlib.sha256(junk.read_bytes()).hexdigest()


def test_batch_scans_lone_files_as_devices_and_skips_the_papers(tmp_path: Path) -> None:
    """Router exports, a lone database and a hive are devices; the case's notes, manifest,
    checksums and an imager's notes on another item are not."""
    for name in ("edge-01.rsc", "core-sw-running-config", "router-syslog.log", "calllog.db"):
        (tmp_path / name).write_bytes(b"x")
    for name in ("README", "notes.txt", "case-notes.md", "laptop.E01", "laptop.E01.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "laptop.E01.md5").write_bytes(b"x")
    (tmp_path / "SYSTEM").write_bytes(b"regf")
    case = scan_folder(tmp_path)
    assert [device.evidence.name for device in case.devices] == [
        "SYSTEM",
        "calllog.db",
        "core-sw-running-config",
        "edge-01.rsc",
        "laptop.E01",
        "router-syslog.log",
    ]
    assert dict(case.skipped) == {
        "README": "notes or manifest, not evidence",
        "case-notes.md": "notes or manifest, not evidence",
        "laptop.E01.md5": "checksum file, not evidence",
        "laptop.E01.txt": "acquisition notes on laptop.E01, not evidence",
        "notes.txt": "notes or manifest, not evidence",
    }


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=3000))
def test_any_text_is_a_one_file_device(text: str) -> None:
    """Whatever a text file says (any script, no control characters), it is never a disk."""
    assert sniff_type(text.encode("utf-8")) in (
        "text",
        "XML document",
        "XML property list",
        "empty file",
    )


def test_corpus_router_configs_one_by_one(corpus: Path, tmp_path: Path, scan) -> None:
    """Each real router file alone: its router extractor reads it, profile router."""
    expected = {
        "cisco/ciscoconfparse_sample_01.ios": ("router.cisco", ("hostname", "Foo")),
        "cisco/ciscoconfparse_sample_01.asa": ("router.cisco", ("hostname", "fw")),
        "hp/ciscoconfparse_HP_Procurve.conf": ("router.procurve", None),
        "juniper/ciscoconfparse_sample_01.junos": ("router.junos", None),
    }
    for relative, (extractor, fact) in expected.items():
        out = scan(corpus / "router" / relative)
        meta = _meta(out)
        assert meta["profile"] == "router", (relative, meta)
        facts = out.records("router_facts")
        assert facts and {row["extractor"] for row in facts} == {extractor}
        if fact:
            assert fact in {(row["key"], row["value"]) for row in facts}, relative


def test_corpus_android_contacts2_db_alone(corpus: Path, scan) -> None:
    """plaso's contacts2.db: three calls with Barney, read by android.call_log's schema."""
    out = scan(corpus / "calls" / "plaso_android_contacts2.db")
    assert _meta(out)["profile"] == "android"
    calls = out.records("calls")
    assert [(c["contact_name"], c["direction"], c["started"], c["duration"]) for c in calls][
        :3
    ] == [
        ("Barney", "missed", "2013-11-06T21:17:16.690000Z", 0),
        ("Barney", "outgoing", "2013-11-06T21:18:53.283000Z", 126),
        ("Barney", "incoming", "2013-11-07T00:03:36.690000Z", 639),
    ]


def test_corpus_chrome_histories_alone(corpus: Path, scan) -> None:
    """Every real Chrome History of the corpus, alone, gives its visits."""
    histories = sorted((corpus / "browser" / "chrome").glob("*History*"))
    assert histories
    for history in histories:
        out = scan(history)
        visits = out.records("browser_visits")
        assert visits, history.name
        assert _meta(out)["profile_reason"].startswith(
            "one file (SQLite database), read by chromium.history (by schema"
        )
    first = scan(corpus / "browser/chrome/hindsight_profile01_History").records("browser_visits")
    assert (first[0]["url"], first[0]["visited"]) == (
        "http://tools.google.com/chrome/intl/en-US/welcome.html",
        "2013-06-05T04:26:40.671646Z",
    )


def test_corpus_registry_hives_alone(corpus: Path, scan) -> None:
    """plaso's SAM, NTUSER.DAT and Amcache hives with unusual names: windows identity facts."""
    sam = scan(corpus / "registry" / "plaso_regf_SAM")
    assert _meta(sam)["profile"] == "windows"
    users = [row["value"] for row in sam.records("identity") if row["key"] == "user_account"]
    assert users[:2] == ["Administrator", "Guest"]
    machine = [row["value"] for row in sam.records("identity") if row["key"] == "machine_sid"]
    assert machine == ["S-1-5-21-4070822719-3404542230-2541167049"]
    for name in ("plaso_NTUSER-WIN7.DAT", "plaso_win10-Amcache.hve"):
        out = scan(corpus / "registry" / name)
        assert _meta(out)["profile"] == "windows" and out.records("identity"), name


@settings(max_examples=12, deadline=None)
@given(content=st.binary(max_size=4096), name=st.binary(min_size=1, max_size=40))
def test_any_lone_file_opens_as_one_file_or_an_image(tmp_path_factory, content, name) -> None:
    """Whatever its bytes and name: a kind, never a traceback; as a one-file device it lists
    exactly one entry holding exactly its bytes."""
    safe = bytes(byte for byte in name if byte not in b"/\x00") or b"x"
    folder = tmp_path_factory.mktemp("lone")
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), safe)))
    if path.name in (".", ".."):
        return
    path.write_bytes(content)
    kind = detect_kind(path)
    assert kind in ("file", "disk_image")
    if kind == "disk_image":
        return
    problems: list = []
    source = open_evidence(path)
    try:
        [entry] = list(source.walk(problems.append))
        with source.open_file(entry.ref) as stream:
            assert stream.read() == content
        assert entry.size == len(content)
    finally:
        source.close()
    # errors only for compressed data damaged from its start (it names itself an archive)
    assert all(
        problem.severity == "warning" or problem.message.endswith("(hashed only)")
        for problem in problems
    )


def test_lone_openwrt_network_file(tmp_path: Path, scan) -> None:
    """/etc/config/network copied out of a backup on its own: read as UCI, profile router."""
    import tarfile  # noqa: PLC0415

    with tarfile.open(ROUTER / "openwrt" / "backup-cc-gw-2024-03-01.tar.gz") as archive:
        member = archive.extractfile("etc/config/network")
        assert member is not None
        (tmp_path / "network").write_bytes(member.read())
    out = scan(tmp_path / "network")
    meta = _meta(out)
    assert (meta["profile"], meta["profile_reason"]) == (
        "router",
        "one file (text), read by router.openwrt (by name)",
    )
    facts = {(row["category"], row["key"], row["value"]) for row in out.records("router_facts")}
    assert ("lan", "lan", "192.168.1.1/24") in facts
    assert ("isp_account", "pppoe_username", "kol-cc-2231@isp.example") in facts


def test_corpus_fortinet_capture_alone(corpus: Path, scan) -> None:
    """A FortiGate 'execute log display' capture: router.fortinet, profile router."""
    out = scan(corpus / "router/cli-output/ntc_fortinet_execute_log_display.raw")
    assert _meta(out)["profile"] == "router"
    facts = out.records("router_facts")
    assert {row["extractor"] for row in facts} == {"router.fortinet"}
    assert (facts[0]["key"], facts[0]["value"]) == (
        "traffic/forward",
        "accept 10.18.158.26:51753 -> 192.168.211.2:69 TFTP policy 17",
    )


def test_corpus_plist_and_log_alone(corpus: Path, tmp_path: Path, scan) -> None:
    """Safari's History.plist and a TeamViewer log, each handed over on its own."""
    plist = scan(
        _lone(tmp_path, corpus / "browser/safari/plaso_safari_History.plist", "History.plist")
    )
    assert _meta(plist)["profile_reason"] == (
        "one file (binary property list), read by safari.history (by name); profiles that "
        "read it: ios, macos"
    )
    visit = plist.records("browser_visits")[0]
    assert (visit["url"], visit["visited"]) == (
        "http://www.youtube.com/watch?v=jm8iSg8eZdw",
        "2013-07-08T21:06:21.400000Z",
    )
    log = scan(
        _lone(
            tmp_path,
            corpus / "remote-access/plaso_TeamViewer15_Logfile.log",
            "TeamViewer15_Logfile.log",
        )
    )
    events = log.records("remote_access_events")
    assert (events[0]["event"], events[0]["own_id"], events[0]["time"]) == (
        "own_id",
        "1660388656",
        "2024-02-16T14:07:19.257000Z",
    )


def test_lone_dirty_hive_is_read_with_its_logs_beside_it(scan) -> None:
    """A SYSTEM hive handed over with SYSTEM.LOG1/LOG2 beside it: listed together, the log
    replayed, so the name only the log holds is the computer's name."""
    hive = DATA / "identity/dirty_laptop/Windows/System32/config/SYSTEM"
    out = scan(hive)
    assert [row["path"] for row in out.files()] == ["/SYSTEM", "/SYSTEM.LOG1", "/SYSTEM.LOG2"]
    names = [row["value"] for row in out.records("identity") if row["key"] == "computer_name"]
    assert names == ["CC-LAPTOP-99"]
    evidence = out.rows("SELECT metadata FROM evidence")[0]["metadata"]
    assert '"read with": "SYSTEM.LOG1, SYSTEM.LOG2"' in evidence


def test_lone_database_is_read_with_its_write_ahead_log(tmp_path: Path, scan) -> None:
    """A Chrome History copied with History-wal: the visit still only in the WAL is read."""
    folder = tmp_path / "copied"
    folder.mkdir()
    history = folder / "History"
    shutil.copy(CHROME, history)
    writer = sqlite3.connect(history)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO urls (id, url, title, visit_count, typed_count, last_visit_time, hidden) "
        "VALUES (900, 'https://wal-only.example/', 'Only in the WAL', 1, 0, 13327700000000000, 0)"
    )
    writer.execute(
        "INSERT INTO visits (id, url, visit_time, transition) VALUES "
        "(900, 900, 13327700000000000, 805306369)"
    )
    writer.commit()
    snapshot = tmp_path / "evidence"
    snapshot.mkdir()
    for name in ("History", "History-wal"):  # copied while the browser still has it open
        shutil.copy(folder / name, snapshot / name)
    writer.close()
    out = scan(snapshot / "History")
    assert [row["path"] for row in out.files()] == ["/History", "/History-wal"]
    urls = {row["url"]: row["visited"] for row in out.records("browser_visits")}
    assert urls["https://wal-only.example/"] == "2023-05-04T18:53:20Z"
    assert dict(scan_folder(snapshot).skipped) == {
        "History-wal": "read with History, the database or hive it belongs to"
    }


def test_lone_system_version_plist_is_read_by_its_name(scan) -> None:
    """SystemVersion.plist on its own: the identity extractors dispatch on its name."""
    plist = DATA / "identity/iphone/System/Library/CoreServices/SystemVersion.plist"
    out = scan(plist)
    assert _meta(out)["profile_reason"] == (
        "one file (XML property list), read by ios.identity (by name), macos.identity (by name)"
    )
    facts = {(row["extractor"], row["key"], row["value"]) for row in out.records("identity")}
    assert ("ios.identity", "ios_version", "17.3.1") in facts
    assert ("ios.identity", "os_build", "21D61") in facts


def test_a_file_named_like_a_container_that_is_none_is_an_error_not_a_clean_scan(
    tmp_path: Path,
) -> None:
    """Random bytes named ``.E01`` are hashed as one file, but the line is an error saying the
    name promised an EWF image; plain unknown data stays a warning."""
    garbage = tmp_path / "laptop-07.E01"
    garbage.write_bytes(bytes(range(256)) * 64)
    problems: list = []
    source = open_evidence(garbage)
    try:
        [entry] = list(source.walk(problems.append))
    finally:
        source.close()
    assert str(entry.path) == "/laptop-07.E01"
    [line] = problems
    assert line.severity == "error"
    assert line.message.startswith("named like an EWF image (.E01) but no such container")
    plain = tmp_path / "junk.bin"
    plain.write_bytes(bytes(range(256)) * 64)
    problems.clear()
    source = open_evidence(plain)
    try:
        list(source.walk(problems.append))
    finally:
        source.close()
    assert [p.severity for p in problems] == ["warning"]
