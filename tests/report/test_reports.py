"""The per-device outputs: schema-valid JSON, the HTML page in a real browser, machine outputs."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from xml.dom import minidom

import jsonschema
import pytest

from triage.demo import demo_manifest
from triage.records import CallRecord, SourceRef
from triage.report import write_reports
from triage.report.output import safe_cell
from triage.report.schema import build_report_schema, shipped_schema
from triage.store import DeviceStore


@pytest.fixture(scope="module")
def laptop(tmp_path_factory) -> Path:
    """The demo laptop (E01) scanned with every extractor."""
    from triage.config import ScanConfig
    from triage.pipeline import scan_device

    out = tmp_path_factory.mktemp("laptop") / "laptop-01"
    evidence = demo_manifest().parent / "laptop-01.E01"
    scan_device(ScanConfig(evidence=evidence, output=out, name="laptop-01", jobs=2, country="US"))
    return out


def test_shipped_schema_is_current_and_validates_reports(laptop):
    assert shipped_schema() == build_report_schema()
    report = json.loads((laptop / "report.json").read_text())
    jsonschema.validate(report, shipped_schema())
    assert report["schema_version"] == "1.0" and report["complete"] is True
    assert report["identity"]["name"] == "CC-LAPTOP-01"
    assert report["findings"]["first_activity"] <= "2024-03-01T09:55:12Z"
    peers = {(p["tool"], p["remote_id"]) for p in report["findings"]["remote_access"]["peers"]}
    assert peers == {("AnyDesk", "123456789"), ("TeamViewer", "1660360496")}
    broken = dict(report, counts={"files": "many"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, shipped_schema())


def test_timeline_csv_and_timesketch_jsonl(laptop):
    with open(laptop / "timeline.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    times = [row["datetime"] for row in rows]
    assert times == sorted(
        times, key=lambda value: value if "." in value else value.replace("Z", ".000000Z")
    )
    call = next(
        row for row in rows if row["kind"] == "calls" and row["datetime"] == "2024-03-01T10:02:00Z"
    )
    assert call["timestamp_desc"] == "Call"
    assert "outgoing call +15404561685" in call["message"] or "5404561685" in call["message"]
    assert call["source_path"] == "/Users/agent1/AppData/Roaming/MicroSIP/microsip.ini"
    events = [json.loads(line) for line in (laptop / "timeline.jsonl").read_text().splitlines()]
    assert len(events) == len(rows)
    assert all({"message", "datetime", "timestamp_desc"} <= set(event) for event in events)


def test_bodyfile_dfxml_and_hash_list(laptop):
    with open(laptop / "files.csv", newline="") as handle:
        files = list(csv.DictReader(handle))
    body = (laptop / "bodyfile.txt").read_text().splitlines()
    assert len(body) == len(files)
    exe = next(
        line
        for line in body
        if line.split("|")[1] == "/p1/Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier"
    )
    fields = exe.split("|")
    assert len(fields) == 11 and fields[2].endswith("-128-" + fields[2].split("-")[-1])
    dom = minidom.parse(str(laptop / "files.dfxml"))
    assert len(dom.getElementsByTagName("fileobject")) == len(files)
    hashes = (laptop / "hashes.txt").read_text().splitlines()
    assert hashes[0] == "%%%% HASHDEEP-1.0"
    assert hashes[1] == "%%%% size,md5,sha1,sha256,filename"
    hashed = [row for row in files if row["sha256"] and not row["hash_error"]]
    assert len(hashes) - 5 == len(hashed)


def test_hash_list_audits_with_hashdeep(tmp_path, scan):
    if not shutil.which("hashdeep"):
        pytest.skip("hashdeep is not installed")
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "one.txt").write_bytes(b"one\n")
    (tree / "a" / "b" / "two.bin").write_bytes(bytes(range(256)) * 100)
    out = scan(tree, extractors=[])
    audit = subprocess.run(
        ["hashdeep", "-l", "-a", "-k", str(out.output / "hashes.txt"), "-r", "."],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Audit passed" in audit.stdout, audit.stdout + audit.stderr


def test_big_record_sets_are_cut_with_a_pointer_to_the_csv(tmp_path, scan):
    (tmp_path / "empty").mkdir()
    out = scan(tmp_path / "empty", extractors=[])
    store = DeviceStore(out.output / "triage.sqlite")
    source = SourceRef("x", "/calls.db")
    started = datetime(2024, 3, 1, tzinfo=UTC)
    store.add_records(
        "test",
        (
            CallRecord(
                source,
                "Phone",
                f"+1202555{index:04d}",
                f"+1202555{index:04d}",
                "US",
                None,
                "outgoing",
                started,
                None,
                1.0,
                True,
                None,
            )
            for index in range(5000)
        ),
    )
    write_reports(store, out.output)
    store.close()
    html = (out.output / "report.html").read_text()
    assert (
        'Showing the first 1000 of 5000 records; all are in <a href="calls.csv">calls.csv</a>.'
        in html
    )
    assert "Printed: the first 25 of 5000 records; all are in calls.csv." in html
    assert html.count("+12025554999") == 0 and html.count("+12025550999") >= 1
    with open(out.output / "calls.csv", newline="") as handle:
        assert sum(1 for _ in handle) == 5001


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell("+1 540-456-1685") == "+1 540-456-1685"  # phone numbers stay usable
    assert safe_cell("-42") == "-42" and safe_cell(7) == 7 and safe_cell(None) == ""
    assert safe_cell("a\x00b") == "a\\x00b"


def test_report_in_headless_chromium(laptop, chromium_browser):
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 900})
    requests, problems, dialogs = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto((laptop / "report.html").as_uri())
    assert page.get_attribute("html", "data-report-script") == "ready"
    glance = page.locator("#glance")
    assert glance.is_visible()
    assert "CC-LAPTOP-01" in glance.inner_text()
    assert "verified (MD5, SHA-1)" in glance.inner_text()
    assert page.locator("#remote").get_by_text("Margaret-PC").is_visible()
    header = page.locator("#calls table.data").nth(1).locator("th").first
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    first = page.locator("#calls table.data").nth(1).locator("tbody tr td").first
    assert first.inner_text() == "+12025550134"
    page.locator("#calls input.filter").nth(1).fill("540456")
    visible = page.locator("#calls table.data").nth(1).locator("tbody tr:not([hidden])")
    assert visible.count() == 1
    page.close()
    assert requests == [(laptop / "report.html").as_uri()]
    assert problems == [] and dialogs == []


def test_listings_written_by_worker_processes_equal_those_written_inline(
    laptop, tmp_path, monkeypatch
):
    """A large device's file listings come from other processes reading the store read-only:
    byte for byte what this process writes itself, and the store is left unchanged."""
    import triage.report as report

    store_path = tmp_path / "triage.sqlite"
    shutil.copy(laptop / "triage.sqlite", store_path)
    before = store_path.read_bytes()
    inline, parallel = tmp_path / "inline", tmp_path / "parallel"
    inline.mkdir()
    parallel.mkdir()
    store = DeviceStore(store_path)
    try:
        expected = write_reports(store, inline)
        monkeypatch.setattr(report, "PARALLEL_LISTING_ENTRIES", 1)
        got = write_reports(store, parallel)
    finally:
        store.close()
    assert got["outputs"] == expected["outputs"] and got["outputs"]["files.csv"] > 10
    for name in report.LISTINGS:
        text = (inline / name).read_text()
        if name == "hashes.txt":  # its header names the folder it was written for
            text = text.replace(str(inline.resolve()), str(parallel.resolve()))
        assert (parallel / name).read_text() == text, name
    reader = DeviceStore(store_path, read_only=True)
    with pytest.raises(sqlite3.OperationalError):
        reader.execute("INSERT INTO meta VALUES ('x', 'y')")
    reader.close()
    assert store_path.read_bytes() == before
