"""The case: folders and manifests, batch scans (local pool and Dask), links, contacts, episodes."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.batch import run_batch
from triage.case import load_case, load_manifest
from triage.cli import main
from triage.config import ScanConfig
from triage.demo import demo_manifest
from triage.errors import CaseError


def template(out: Path, jobs: int = 1) -> ScanConfig:
    return ScanConfig(evidence=out, output=out, name="template", jobs=jobs)


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory) -> Path:
    """The bundled demo case scanned once with the local pool."""
    out = tmp_path_factory.mktemp("case") / "out"
    run_batch(load_manifest(demo_manifest()), out, template(out, jobs=2), parallel=2)
    return out


def test_case_folder_groups_multi_piece_evidence(tmp_path):
    for name in (
        "laptop-01.E01",
        "laptop-01.E02",
        "disk.001",
        "disk.002",
        "notes.txt",
        "router.tar.gz",
    ):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "phone-03").mkdir()
    case = load_case(tmp_path)
    assert [(d.name, d.evidence.name) for d in case.devices] == [
        ("disk", "disk.001"),
        ("laptop-01", "laptop-01.E01"),
        ("phone-03", "phone-03"),
        ("router", "router.tar.gz"),
    ]
    assert dict(case.skipped) == {
        "disk.002": "split-image piece, scanned with its first piece",
        "laptop-01.E02": "continuation segment, scanned with its first segment",
        "notes.txt": "notes or manifest, not evidence",
    }


def test_manifest_errors_name_the_entry(tmp_path):
    manifest = tmp_path / "case.yaml"
    manifest.write_text("case: X\ndevices:\n  - name: a\n    evidence: a.E01\n    colour: red\n")
    with pytest.raises(CaseError, match=r"device 1: unknown key 'colour'"):
        load_manifest(manifest)
    manifest.write_text("case: X\ndevices:\n  - name: ../escape\n    evidence: a.E01\n")
    with pytest.raises(CaseError, match="device name '../escape'"):
        load_manifest(manifest)


def test_planted_links_are_found(demo_case):
    case = json.loads((demo_case / "case.json").read_text())
    links = case["links"]
    assert [(link["value"], link["devices"]) for link in links["phone_numbers"]] == [
        ("+15404561685", ["laptop-01", "phone-03"])
    ]
    hosts = {(link["kind"], link["value"]): link["devices"] for link in links["hosts"]}
    assert hosts == {
        ("hostname", "CC-LAPTOP-01"): ["laptop-01", "router-01"],  # host names keep their case
        ("hostname", "Galaxy-A52"): ["phone-03", "router-01"],
        ("mac", "00:1a:2b:3c:4d:5e"): ["laptop-01", "router-01"],
        ("mac", "02:11:22:33:44:55"): ["phone-03", "router-01"],
    }
    assert [link["value"] for link in links["domains"]] == ["google.com"]
    assert [d["status"] for d in case["devices"]] == ["done"] * 3
    assert case["devices"][0]["verification"] == "verified (MD5, SHA-1)"


def test_episodes_pair_calls_with_following_sessions(demo_case):
    episodes = json.loads((demo_case / "case.json").read_text())["episodes"]
    pairs = {
        (
            e["number"],
            e["call_start"],
            e["tool"],
            e["remote_id"],
            e["session_device"],
            e["minutes_after_call_end"],
            e["during_call"],
        )
        for e in episodes
    }
    assert (  # a 7-minute call from 10:02; AnyDesk started at 10:07:30, during it
        "+15404561685",
        "2024-03-01T10:02:00Z",
        "AnyDesk",
        "123456789",
        "laptop-01",
        0,
        True,
    ) in pairs
    assert (  # 11:15:00 + 95 s = 11:16:35; TeamViewer at 11:19:20: 2 min 45 s later
        "+12125550147",
        "2024-03-01T11:15:00Z",
        "TeamViewer",
        "1660360496",
        "laptop-01",
        3,
        False,
    ) in pairs
    assert len(episodes) == len(pairs)  # one episode per call and peer, however often logged


def test_contacts_list_the_likely_victims(demo_case):
    with open(demo_case / "contacts.csv", newline="") as handle:
        rows = {(row["kind"], row["identifier"]): row for row in csv.DictReader(handle)}
    victim = rows[("phone", "+13125550188")]
    assert victim["devices"] == "laptop-01" and victim["country"] == "US"
    assert victim["region_assumed"] == "US"  # stored without +1; the manifest says US
    # called from both suspect devices: one of the suspects' own numbers, not a victim
    assert ("phone", "+15404561685") not in rows
    case = json.loads((demo_case / "case.json").read_text())
    (shared,) = case["suspect_numbers"]
    assert (shared["identifier"], shared["why"]) == (
        "+15404561685",
        "call partner on laptop-01, phone-03",
    )
    assert (shared["first_contact"], shared["last_contact"]) == (
        "2024-03-01T10:02:00Z",
        "2024-03-01T12:05:00Z",
    )
    anydesk = rows[("remote_id", "123456789")]
    assert anydesk["tool"] == "AnyDesk" and anydesk["names"] == "Margaret-PC"
    assert rows[("remote_id", "1660360496")]["names"] == "Harold Jenkins"
    assert ("phone", "+919876543210") not in rows  # the phone's own number is no victim
    html = (demo_case / "case.html").read_text()
    assert "Margaret-PC" in html and "+13125550188" in html


def test_rerun_skips_finished_devices_and_redoes_unfinished(demo_case, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(demo_case, out)
    (out / "phone-03" / "report.json").unlink()
    summary = run_batch(load_manifest(demo_manifest()), out, template(out))
    statuses = {o.name: (o.status, o.this_run) for o in summary["outcomes"]}
    assert statuses == {
        "laptop-01": ("done", "already done in an earlier run"),
        "phone-03": ("done", "resumed"),
        "router-01": ("done", "already done in an earlier run"),
    }
    assert (out / "case.json").read_bytes() == (demo_case / "case.json").read_bytes()


def test_dask_local_cluster_gives_the_same_case(demo_case, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        summary = run_batch(
            load_manifest(demo_manifest()), out, template(out), scheduler=cluster.scheduler_address
        )
    assert [o.status for o in summary["outcomes"]] == ["done"] * 3, [
        o.message for o in summary["outcomes"]
    ]
    assert (out / "case.json").read_bytes() == (demo_case / "case.json").read_bytes()


def test_demo_command_prints_the_reports(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        main, ["demo", "-o", str(out), "--no-progress"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [str(out / "case.html")] + [
        str(out / name / "report.html") for name in ("laptop-01", "phone-03", "router-01")
    ]
    again = CliRunner().invoke(main, ["demo", "-o", str(out), "--no-progress"])
    assert again.exit_code == 0  # an earlier demo output is replaced
