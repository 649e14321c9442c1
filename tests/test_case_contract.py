"""Issue 16: what officers and lab scripts read from a case. A case with a device that cannot be
scanned (the demo plus a corrupt E01), synthetic device stores for the correlation rules, and
the CLI's exit statuses and stderr."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from triage.batch import run_batch
from triage.case import load_case, load_manifest
from triage.cli import main
from triage.config import ScanConfig
from triage.correlate import DeviceStoreRef, correlate
from triage.demo import demo_manifest
from triage.errors import ExitStatus, OutputError
from triage.extractors.calls.base import make_call
from triage.extractors.calls.numbers import normalise_number

DEMO = demo_manifest().parent
BROKEN_REASON = "is missing or unreadable; put all segments in one folder"  # E01 segment 1


def broken_e01() -> bytes:
    """An EWF signature whose segment number is 0x7251: a set with its first segment missing."""
    return (
        b"EVF\x09\x0d\x0a\xff\x00\x01"
        + (0x7251).to_bytes(2, "little")
        + bytes(2)
        + bytes(range(256)) * 64
    )


def template(out: Path) -> ScanConfig:
    return ScanConfig(evidence=out, output=out, name="template", jobs=1)


def invoke(*args: object):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def failed_case(tmp_path_factory) -> Path:
    """The demo case plus a device whose evidence is a corrupt E01, run once with the CLI."""
    root = tmp_path_factory.mktemp("failed")
    evidence = root / "evidence"
    shutil.copytree(DEMO, evidence)
    (evidence / "broken-02.E01").write_bytes(broken_e01())
    manifest = evidence / "case.yaml"
    manifest.write_text(manifest.read_text() + "  - name: broken-02\n    evidence: broken-02.E01\n")
    out = root / "out"
    result = invoke("batch", manifest, "-o", out, "--no-progress", "--parallel", "1")
    (root / "stderr.txt").write_text(result.stderr)
    (root / "exit.txt").write_text(str(result.exit_code))
    return out


# 1. A failed device is unmissable, in one vocabulary.


def test_failed_device_is_a_red_row_with_its_reason_and_no_report_link(failed_case):
    case = json.loads((failed_case / "case.json").read_text())
    batch = json.loads((failed_case / "batch.json").read_text())
    broken = next(d for d in case["devices"] if d["name"] == "broken-02")
    assert broken["status"] == "failed" and BROKEN_REASON in broken["reason"]
    assert "report" not in broken  # no link to a report that does not exist
    assert case["device_states"]["text"] == "4 devices: 3 scanned, 1 failed"
    states = {d["name"]: (d["status"], d["message"]) for d in batch["devices"]}
    assert states["broken-02"] == ("failed", broken["reason"])  # the same words in both
    assert {d["name"]: d["status"] for d in case["devices"]} == {
        name: status for name, (status, _) in states.items()
    }
    html = (failed_case / "case.html").read_text()
    assert "4 devices: 3 scanned, 1 failed" in html
    assert re.search(r'<tr class="bad[^"]*">\s*<td[^>]*>broken-02</td>', html)
    assert "Scan failed:</b>" in html and BROKEN_REASON in html
    assert "broken-02/report.html" not in html


# 13. Exit statuses.


def test_exit_statuses_are_distinct_and_documented():
    assert {status.name: int(status) for status in ExitStatus} == {
        "DONE": 0,
        "ERROR": 1,
        "USAGE": 2,
        "DONE_WITH_PROBLEMS": 3,
        "DEVICE_FAILED": 4,
        "EVIDENCE_ALTERED": 5,
        "NOT_VERIFIED": 6,
        "INTERRUPTED": 130,
    }
    for command in ([], ["scan"], ["batch"], ["verify"]):
        text = " ".join(invoke(*command, "--help").output.split())
        assert "4 a device could not be scanned (batch)" in text
        assert "5 evidence altered: hash mismatch" in text
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "## Exit statuses" in readme
    for status in ExitStatus:
        assert f"| {int(status)} |" in readme


def test_batch_with_a_failed_device_exits_4(failed_case):
    assert (failed_case.parent / "exit.txt").read_text() == "4"


def test_verify_without_a_stored_hash_is_not_verified(images):
    result = invoke("verify", images["ntfs"])
    assert result.exit_code == ExitStatus.NOT_VERIFIED
    assert "verification  no stored hash" in result.output


# 15. stderr.


def test_batch_stderr_is_one_line_per_message_with_progress(failed_case):
    lines = (failed_case.parent / "stderr.txt").read_text().splitlines()
    assert lines[0] == "scanning 4 devices"
    failed = [line for line in lines if line.startswith("[") and "broken-02" in line]
    assert (
        len(failed) == 1
        and BROKEN_REASON in failed[0]
        and "put all segments in one folder" in failed[0]
    )
    assert failed[0].endswith("; scanned)")
    assert [line.split("]")[0] for line in lines if line.startswith("[")] == [
        "[1/4",
        "[2/4",
        "[3/4",
        "[4/4",
    ]
    assert "case: 4 devices: 3 scanned, 1 failed" in lines


def test_a_failed_scan_says_its_error_once_and_its_folder_does_not_block_the_rerun(tmp_path):
    broken = tmp_path / "broken.E01"
    broken.write_bytes(broken_e01())
    out = tmp_path / "out"
    first = invoke("scan", broken, "-o", out, "--no-progress")
    assert first.exit_code == ExitStatus.ERROR
    assert first.stderr.count(BROKEN_REASON) == 1, first.stderr
    assert first.stderr.count("\n") == 1  # one message, one line
    assert (out / "triage.log").is_file()
    assert BROKEN_REASON in (out / "triage.log").read_text()  # the audit trail says why
    again = invoke("scan", broken, "-o", out, "--no-progress")
    assert again.exit_code == ExitStatus.ERROR, again.stderr  # not "folder exists" (2)
    assert BROKEN_REASON in again.stderr


def test_ctrl_c_says_how_to_resume(monkeypatch, tmp_path):
    import triage.pipeline  # noqa: PLC0415

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(triage.pipeline, "scan_device", interrupted)
    result = invoke("scan", DEMO / "router-01.tar.gz", "-o", tmp_path / "o", "--no-progress")
    assert result.exit_code == 130
    assert result.stderr.strip() == (
        "triage: interrupted; run the same command with --resume to continue"
    )


def test_scan_summary_uses_the_reports_counts_and_words(tmp_path):
    result = invoke("scan", DEMO / "laptop-01.E01", "-o", tmp_path / "o", "--no-progress")
    assert result.exit_code == 0, result.stderr
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    counts = report["counts"]
    text = result.stderr
    assert f"\nfiles: {counts['files']:,} (of {counts['entries']:,} entries)\n" in text
    assert f"\nfile content: {counts['bytes']:,} bytes\n" in text
    assert "0 errors, 0 warnings" in text


# 12. Output folder rules.


def test_batch_refuses_a_foreign_folder_and_one_inside_the_case(tmp_path):
    from triage.batch import check_case_output  # noqa: PLC0415 - new in issue 16

    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"x")
    result = invoke("batch", DEMO / "case.yaml", "-o", foreign, "--no-progress")
    assert result.exit_code == ExitStatus.USAGE
    assert "not a triage case output" in result.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["holiday.jpg"]
    case = tmp_path / "case"
    case.mkdir()
    with pytest.raises(OutputError, match="inside the case's evidence folder"):
        check_case_output(case / "out", case)


# 11. A rerun with other options rescans.


def test_rerun_with_changed_options_rescans_and_force_insists(tmp_path):
    (tmp_path / "ev").mkdir()
    manifest = tmp_path / "ev" / "case.yaml"
    shutil.copy(DEMO / "router-01.tar.gz", tmp_path / "ev")
    bad = tmp_path / "ev" / "bad.txt"
    bad.write_text("0" * 64 + "\n")
    manifest.write_text(
        "case: T\ncountry: in\nhashsets:\n  - bad.txt:known-bad\n"
        "devices:\n  - name: router-01\n    evidence: router-01.tar.gz\n"
    )
    case = load_manifest(manifest)
    assert case.country == "IN" and [h.label for h in case.hashsets] == ["known-bad"]
    out = tmp_path / "out"
    first = run_batch(case, out, template(out))["outcomes"][0]
    assert first.this_run == "scanned"
    options = json.loads((out / "router-01" / "report.json").read_text())["runs"][-1]["options"]
    assert options["country"] == "IN" and options["hashsets"] == [f"{bad}:known-bad"]
    same = run_batch(case, out, template(out))["outcomes"][0]
    assert same.this_run == "already done in an earlier run"
    changed = run_batch(case, out, ScanConfig(out, out, "t", jobs=1, country="US"))
    assert changed["outcomes"][0].this_run == "rescanned: options changed (country: 'IN' -> 'US')"
    forced = run_batch(case, out, template(out), force=True)["outcomes"][0]
    assert forced.this_run == "rescanned (--force)"


# 2. Victims and regions.


class _Store:
    def __init__(self, facts: list[tuple[str, str]]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE identity (key TEXT, value TEXT)")
        self.db.executemany("INSERT INTO identity VALUES (?, ?)", facts)

    def record_tables(self):
        return {"identity": "x"}

    def execute(self, sql, params=()):
        return self.db.execute(sql, params)


def test_default_region_comes_from_the_device():
    from triage.region import default_region, zone_region  # noqa: PLC0415 - new in issue 16

    assert default_region(None, _Store([("timezone", "India Standard Time")])) == (
        "IN",
        "time zone India Standard Time",
    )
    assert default_region(
        None, _Store([("locale", "en-IN"), ("timezone", "GMT Standard Time")])
    ) == (
        "IN",
        "locale en-IN",
    )
    assert default_region(None, _Store([("sim_country", "in"), ("locale", "en-US")]))[0] == "IN"
    assert default_region("us", _Store([("timezone", "India Standard Time")]))[0] == "US"
    # a zone shared by countries with other calling codes gives no region: nothing guessed
    assert default_region(None, _Store([("timezone", "W. Europe Standard Time")])) == (None, "")
    assert zone_region("Asia/Kolkata") in ("IN", None)  # None only without the system zone.tab


def test_indian_international_prefix_joins_the_e164_number():
    assert normalise_number("0013055550119", "IN") == ("+13055550119", "US")
    assert normalise_number("0013055550119", None) == (None, None)
    ctx = SimpleNamespace(default_region="IN", source_ref=lambda file: None)
    call = make_call(
        ctx,
        None,
        app="MicroSIP",
        number="0013055550119",
        direction="outgoing",
        started=None,
        started_raw=None,
        duration=10,
        answered=True,
    )
    assert (call.number_e164, call.region_assumed) == ("+13055550119", "IN")
    plus = make_call(
        ctx,
        None,
        app="MicroSIP",
        number="+13055550119",
        direction="outgoing",
        started=None,
        started_raw=None,
        duration=10,
        answered=True,
    )
    assert plus.region_assumed is None  # written with its country code: nothing assumed


def test_a_windows_laptop_without_country_reads_numbers_in_its_time_zones_region(tmp_path):
    result = invoke("scan", DEMO / "laptop-01.E01", "-o", tmp_path / "o", "--no-progress")
    assert result.exit_code == 0
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["phone_region"]["region"] == "IN"  # its locale en-IN and India Standard Time
    assert report["phone_region"]["source"] in ("locale en-IN", "time zone India Standard Time")


# Synthetic device stores for the correlation rules.

TABLES = {
    "calls": "number, number_e164, direction, started, duration, app, contact_name, country, "
    "source_path, region_assumed",
    "identity": "key, value, time, source_path, detail",
    "remote_access_sessions": 'tool, remote_id, remote_alias, remote_ip, start, "end", '
    "direction, source_path",
    "remote_access_events": "tool, own_id, remote_id, remote_alias, remote_ip, time, direction, "
    "source_path",
    "router_facts": "category, mac, hostname, ip, source_path",
    "browser_visits": "url, visited",
    "files": "id, sha256, path, size",
    "hashset_hits": "source_file_id, label",
}


def device_store(path: Path, **rows: list[tuple]) -> DeviceStoreRef:
    path.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path / "triage.sqlite")
    for table, columns in TABLES.items():
        db.execute(f"CREATE TABLE {table} ({columns})")
        marks = ", ".join("?" for _ in columns.split(","))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows.get(table, []))
    db.commit()
    db.close()
    return DeviceStoreRef(path.name, path / "triage.sqlite")


def call(number, e164, direction="outgoing", started="2024-03-01T10:00:00Z", duration=60.0):
    region = "IN" if e164 and not number.startswith("+") else None
    return (number, e164, direction, started, duration, "MicroSIP", None, "US", "/c.ini", region)


def session(tool, remote_id, start, direction="outgoing"):
    return (tool, remote_id, None, None, start, None, direction, "/ad.trace")


@pytest.fixture()
def synthetic(tmp_path) -> dict:
    sha_common = "a" * 64
    laptop = device_store(
        tmp_path / "laptop-01",
        calls=[
            call("0013055550119", "+13055550119", duration=120.0),
            call("+919812345678", "+919812345678", started="2024-03-01T11:00:00Z"),
            call("+13125550100", "+13125550100", started="2024-03-01T12:00:00Z", duration=0.0),
            call("+13125550199", "+13125550199", "incoming", "2024-03-01T09:00:00Z"),
            call("someone@icloud.example", None, started="2024-03-01T08:00:00Z"),
            call("55501", None, started="2024-03-01T08:30:00Z"),
        ],
        identity=[
            ("hostname", "LAPTOP-01", None, "/SYSTEM", None),
            ("ip_address", "192.168.1.23", None, "/SYSTEM", None),
        ],
        remote_access_sessions=[
            session("AnyDesk", "507338164", "2024-03-01T10:20:00Z"),
            session("AnyDesk", "507338164", "2024-03-01T13:00:00Z"),
            session("AnyDesk", "507338164", "2024-03-01T14:00:00Z"),
            session("AnyDesk", "999", "2024-03-01T12:01:00Z"),
        ],
        browser_visits=[
            ("https://www.google.com/search?q=x", "2024-03-01T08:00:00Z"),
            ("https://refund-desk.example/pay", "2024-03-01T08:05:00Z"),
        ],
        files=[
            (1, "b" * 64, "/$UpCase", 131072),
            (2, "c" * 64, "/$Secure:$SDS", 263000),
            (3, sha_common, "/Users/a/Downloads/AnyDesk.exe", 5000000),
            (4, "d" * 64, "/Windows/notepad.exe", 200000),
        ],
        hashset_hits=[(4, "known-good")],
    )
    laptop2 = device_store(
        tmp_path / "laptop-02",
        calls=[call("+919812345678", "+919812345678", started="2024-03-01T11:30:00Z")],
        remote_access_events=[
            ("AnyDesk", "507338164", None, None, None, "2024-03-01T09:00:00Z", None, "/ad.trace")
        ],
        remote_access_sessions=[session("AnyDesk", "111222333", "2024-03-01T10:25:00Z")],
        browser_visits=[
            ("https://google.com/", "2024-03-01T08:00:00Z"),
            ("https://refund-desk.example/", "2024-03-01T08:06:00Z"),
        ],
        files=[
            (1, "b" * 64, "/$UpCase", 131072),
            (2, "c" * 64, "/$Secure:$SDS", 263000),
            (3, sha_common, "/Users/b/Desktop/AnyDesk.exe", 5000000),
            (4, "d" * 64, "/Windows/notepad.exe", 200000),
        ],
    )
    router = device_store(
        tmp_path / "router-01",
        router_facts=[
            ("static_lease", "00:1A:2B:3C:4D:5E", "LAPTOP-01", "192.168.1.23", "/etc/config/dhcp"),
        ],
    )
    found = correlate(tmp_path / "case.sqlite", [laptop, laptop2, router])
    return found


def test_suspects_numbers_are_no_victims_and_handles_are_not_phones(synthetic):
    contacts = {c["identifier"]: c for c in synthetic["contacts"]}
    suspects = {c["identifier"]: c["why"] for c in synthetic["suspect_numbers"]}
    assert suspects == {"+919812345678": "call partner on laptop-01, laptop-02"}
    assert "+919812345678" not in contacts
    victim = contacts["+13055550119"]  # 0013055550119 read in IN
    assert (victim["kind"], victim["region_assumed"]) == ("phone", ["IN"])
    assert contacts["someone@icloud.example"]["kind"] == "email"
    unreadable = contacts["55501"]
    assert unreadable["kind"] == "unreadable" and unreadable["flag"].startswith("not read as")
    for contact in synthetic["contacts"]:
        assert contact["count"] == contact["outgoing"] + contact["incoming"] + contact["other"]
    assert contacts["+13125550199"]["incoming"] == 1


@given(st.lists(st.sampled_from(["outgoing", "incoming", "missed", "rejected"]), min_size=1))
def test_contact_counts_add_up(directions):
    with sqlite3.connect(":memory:") as db:
        from triage.correlate import CASE_SCHEMA, find_contacts  # noqa: PLC0415

        db.executescript(CASE_SCHEMA)
        db.executemany(
            "INSERT INTO phones VALUES ('d', '+13055550119', 'call', ?, "
            "'2024-03-01T10:00:00Z', 1, 'app', NULL, 'US', '/x', 1, NULL)",
            [(direction,) for direction in directions],
        )
        (contact,), _ = find_contacts(db)
    assert contact["count"] == len(directions)
    assert contact["outgoing"] == directions.count("outgoing")
    assert contact["incoming"] == directions.count("incoming")
    assert contact["other"] == len(directions) - contact["outgoing"] - contact["incoming"]


def test_links_leave_out_noise_and_rank_rare_first(synthetic):
    links = synthetic["links"]
    # file-system metadata and known-good files never link; the shared tool does
    assert [(link["value"], link["paths"]) for link in links["files"]] == [
        (
            "a" * 64,
            ["laptop-01:/Users/a/Downloads/AnyDesk.exe", "laptop-02:/Users/b/Desktop/AnyDesk.exe"],
        )
    ]
    assert [(link["value"], link["common"], link["rank"]) for link in links["domains"]] == [
        ("refund-desk.example", False, 1),
        ("google.com", True, 2),
    ]


def test_remote_ids_say_whose_id_it_is(synthetic):
    (link,) = synthetic["links"]["remote_ids"]
    assert link["summary"] == (
        "507338164 is laptop-02's own AnyDesk ID; laptop-01 connected to it 3 times"
    )


def test_router_lease_gives_the_device_its_mac_and_host_names_keep_case(synthetic):
    hosts = {(link["kind"], link["value"]): link for link in synthetic["links"]["hosts"]}
    assert hosts[("hostname", "LAPTOP-01")]["devices"] == ["laptop-01", "router-01"]
    mac = hosts[("mac", "00:1a:2b:3c:4d:5e")]
    assert mac["devices"] == ["laptop-01", "router-01"]
    assert (
        "laptop-01: router-01's static lease ties it to laptop-01's host name LAPTOP-01"
        in mac["details"]
    )


# 4. Episodes.


def test_episodes_count_from_the_calls_end_in_whole_minutes(synthetic):
    episodes = synthetic["episodes"]
    by_number = {}
    for episode in episodes:
        by_number.setdefault(episode["number"], []).append(episode)
    # the 2-minute call at 10:00 ended 10:02; AnyDesk 10:20 on laptop-01 and 10:25 on laptop-02
    first = by_number["+13055550119"]
    assert [(e["session_device"], e["minutes_after_call_end"]) for e in first] == [
        ("laptop-01", 18),
        ("laptop-02", 23),
    ]
    assert {e["sessions_after_this_call"] for e in first} == {2}
    assert first[0]["session_devices_after_this_call"] == ["laptop-01", "laptop-02"]
    assert first[0]["call_source"] == "laptop-01:/c.ini"
    assert first[0]["session_source"] == "laptop-01:/ad.trace"
    # a 0-second unanswered call at 12:00 pairs with nothing (AnyDesk 999 at 12:01)
    assert "+13125550100" not in by_number
    assert all(0 <= e["minutes_after_call_end"] <= 30 for e in episodes)


# 14. Machine outputs.


def test_case_outputs_are_iso_and_documented(failed_case):
    batch = json.loads((failed_case / "batch.json").read_text())
    assert batch["started"].endswith("Z") and batch["started"][10] == "T"
    with open(failed_case / "links.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all("{" not in value for row in rows for value in row.values())  # no JSON blobs
    hosts = [row for row in rows if row["kind"] == "hosts"]
    assert hosts and all(row["devices"].count("; ") == 1 for row in hosts)


def test_case_folder_from_the_cli_refuses_nothing_it_wrote(failed_case):
    from triage.batch import check_case_output  # noqa: PLC0415 - new in issue 16

    check_case_output(failed_case)  # its own earlier output is a triage case: accepted
    assert load_case(failed_case.parent / "evidence").name == "DEMO-CC-2024-0301"


def test_case_and_batch_json_validate_against_their_shipped_schemas(failed_case):
    import jsonschema  # noqa: PLC0415

    from triage.report.case_schema import SCHEMAS, shipped  # noqa: PLC0415

    for name, build in SCHEMAS.items():
        assert shipped(name) == build(), f"run python -m triage.report.case_schema ({name})"
        assert shipped(name)["$schema"].startswith("https://json-schema.org/")
    jsonschema.validate(
        json.loads((failed_case / "case.json").read_text()), shipped("case.schema.json")
    )
    jsonschema.validate(
        json.loads((failed_case / "batch.json").read_text()), shipped("batch.schema.json")
    )
    from triage.report.schema import shipped_schema  # noqa: PLC0415

    report = json.loads((failed_case / "laptop-01" / "report.json").read_text())
    jsonschema.validate(report, shipped_schema())
    assert shipped_schema()["properties"]["evidence"]["description"]
    assert report["evidence"]["acquisition_dates"]["acquiry_date"] == {
        "iso": "2024-03-02T08:00:00",
        "raw": "Sat Mar  2 08:00:00 2024",
        "note": "local time of the acquiring machine; the E01 header has no time zone",
    }


def test_every_csv_has_its_documented_columns_and_names_its_device(failed_case):
    from triage.report.outputs_doc import DOC, csv_columns, render  # noqa: PLC0415

    assert DOC.read_text() == render(), "run python -m triage.report.outputs_doc"
    documented = csv_columns()
    seen = 0
    for path in sorted(failed_case.rglob("*.csv")):
        with open(path, newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows = list(reader)
        assert tuple(header) == documented[path.name], path
        seen += 1
        if path.parent != failed_case and rows:
            column = "device" if "device" in header else "source_evidence"
            assert {row[header.index(column)] for row in rows} == {path.parent.name}, path
    assert seen >= 10
    with open(failed_case / "laptop-01" / "browser_downloads.csv", newline="") as handle:
        (download,) = csv.DictReader(handle)
    assert not download["url_chain"].startswith("[")  # a list cell, not JSON


def test_scan_and_batch_statuses_put_altered_evidence_first():
    from triage.batch import DeviceOutcome  # noqa: PLC0415
    from triage.cli import batch_status, scan_status  # noqa: PLC0415 - new in issue 16

    mismatch = "MISMATCH: MD5 stored 00 computed 11"
    assert scan_status(0, "verified (MD5)") == ExitStatus.DONE
    assert scan_status(0, "no stored hash") == ExitStatus.DONE  # a scan is not a verify
    assert scan_status(2, "verified (MD5)") == ExitStatus.DONE_WITH_PROBLEMS
    assert scan_status(2, mismatch) == ExitStatus.EVIDENCE_ALTERED
    done = DeviceOutcome("a", "done", verification="verified (MD5)")
    failed = DeviceOutcome("b", "failed", 1, "not evidence")
    altered = DeviceOutcome("c", "done", verification=mismatch)
    assert batch_status([done]) == ExitStatus.DONE
    assert batch_status([done, failed]) == ExitStatus.DEVICE_FAILED
    assert batch_status([failed, altered, done]) == ExitStatus.EVIDENCE_ALTERED


def test_host_links_say_in_words_whose_name_or_mac_it_is(synthetic):
    hosts = {(link["kind"], link["value"]): link for link in synthetic["links"]["hosts"]}
    assert hosts[("hostname", "LAPTOP-01")]["summary"] == (
        "LAPTOP-01 is laptop-01's own host name; router-01: static lease 192.168.1.23"
    )
    assert hosts[("mac", "00:1a:2b:3c:4d:5e")]["summary"] == (
        "MAC address 00:1a:2b:3c:4d:5e; router-01's static lease ties it to laptop-01's IP "
        "address 192.168.1.23; router-01's static lease ties it to laptop-01's host name "
        "LAPTOP-01; router-01: static lease 192.168.1.23"
    )
