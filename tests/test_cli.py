"""The command line: exit statuses, options, the files a scan writes, and the entry points."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from triage import __version__
from triage.cli import main

OUTPUTS = {
    "triage.sqlite",
    "files.csv",
    "hashes.txt",
    "report.json",
    "report.html",
    "triage.log",
    "timeline.csv",
    "timeline.jsonl",
}


def ScanFiles(output):  # noqa: N802 - reads like a table name
    connection = sqlite3.connect(output / "triage.sqlite")
    connection.row_factory = sqlite3.Row
    rows = [dict(row) for row in connection.execute("SELECT * FROM files")]
    connection.close()
    return rows


def invoke(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def test_version_and_help_everywhere():
    assert invoke("--version").output.strip() == f"triage, version {__version__}"
    for command in ([], ["scan"], ["verify"], ["demo"], ["profiles"], ["extractors"]):
        result = invoke(*command, "-h")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_scan_writes_every_output_and_exits_0(images, tmp_path):
    out = tmp_path / "laptop-01"
    result = invoke("scan", images["gpt_e01"], "-o", out, "--no-progress", "--json")
    assert result.exit_code == 0, result.output
    assert OUTPUTS <= {path.name for path in out.iterdir()}
    summary = json.loads(result.stdout)
    assert summary["device"] == "gpt" and summary["status"] == "done"
    assert summary["verification"] == "verified (MD5, SHA-1)"
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True
    media = images["gpt"].read_bytes()
    assert report["evidence"]["stored_hashes"] == {
        "md5": hashlib.md5(media).hexdigest(),
        "sha1": hashlib.sha1(media).hexdigest(),
    }
    assert report["runs"][0]["command_line"].startswith("triage ")  # sys.argv of the process
    assert [p["fs_type"] for p in report["partitions"]] == ["FAT32", "ext4"]
    assert "the one recorded then (verified (MD5, SHA-1))" in (out / "report.html").read_text()


def test_existing_output_is_refused_unless_forced(images, tmp_path):
    out = tmp_path / "o"
    assert invoke("scan", images["ntfs"], "-o", out, "--no-progress").exit_code == 0
    (out / "examiner-notes.txt").write_text("keep me")
    refused = invoke("scan", images["ntfs"], "-o", out, "--no-progress")
    assert refused.exit_code == 2
    assert "triage: error:" in refused.output and "--force" in refused.output
    forced = invoke("scan", images["ntfs"], "-o", out, "--no-progress", "--force")
    assert forced.exit_code == 0
    assert (out / "examiner-notes.txt").read_text() == "keep me"


def test_missing_and_unknown_evidence_are_one_line_errors(tmp_path):
    missing = invoke("scan", tmp_path / "nope.E01", "-o", tmp_path / "o1")
    assert missing.exit_code == 1
    assert (
        missing.output.strip() == f"triage: error: {tmp_path / 'nope.E01'}: no such file or folder"
    )
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x01\x02" * 5000)
    unknown = invoke("scan", junk, "-o", tmp_path / "o2", "--no-progress")
    # A file that is no image and of no known type is scanned as one file, and says so.
    assert unknown.exit_code == 0 and "Traceback" not in unknown.output
    problems = json.loads((tmp_path / "o2" / "report.json").read_text())["problems"]
    assert [problem["message"] for problem in problems] == [
        "no partition table, file system, container or known file type found: scanned as one "
        "file (hashed and typed only)"
    ]


def test_hash_choice_no_hash_and_bad_algorithm(images, tmp_path):
    chosen = invoke(
        "scan", images["ntfs"], "-o", tmp_path / "a", "--hash", "md5,sha256", "--no-progress"
    )
    assert chosen.exit_code == 0
    header = (tmp_path / "a" / "hashes.txt").read_text().splitlines()[1]
    assert header == "%%%% size,md5,sha256,filename"
    skipped = invoke("scan", images["ntfs"], "-o", tmp_path / "b", "--no-hash", "--no-progress")
    assert skipped.exit_code == 0
    assert json.loads((tmp_path / "b" / "report.json").read_text())["complete"] is True
    hashed = [row for row in ScanFiles(tmp_path / "b") if row["sha256"]]
    # only the files an extractor read get a SHA-256 (provenance), and no MD5/SHA-1
    assert sorted(row["path"] for row in hashed) == [
        "/Users/agent1/Downloads/AnyDesk.exe",
        "/Users/agent1/Downloads/AnyDesk.exe:Zone.Identifier",
    ]
    assert all(row["md5"] is None for row in hashed)
    bad = invoke("scan", images["ntfs"], "-o", tmp_path / "c", "--hash", "crc32")
    assert bad.exit_code == 2 and "unknown hash algorithm crc32" in bad.output


def test_problems_give_exit_status_3(images, tmp_path):
    truncated = tmp_path / "cut.raw"
    with open(images["gpt"], "rb") as handle:
        truncated.write_bytes(handle.read(20 * 1024 * 1024))
    result = invoke("scan", truncated, "-o", tmp_path / "o", "--no-progress")
    assert result.exit_code == 3


def test_verify_command(images, corpus, tmp_path):
    ok = invoke("verify", images["gpt_e01"], "--json")
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["verification"] == "verified (MD5, SHA-1)"


@pytest.mark.parametrize(
    "entry", [[sys.executable, "-m", "triage"], [sys.executable, str(REPO / "cli.py")]]
)
def test_module_and_checkout_entry_points(entry):
    result = subprocess.run(
        [*entry, "--version"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"triage, version {__version__}"
