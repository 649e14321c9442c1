"""Dirty hives: their transaction logs are replayed on a private copy, and the report says so."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CONFIG = "/Windows/System32/config"
REPLAYED = (
    "hive was not cleanly closed (sequence numbers 8 and 7); transaction logs replayed on a "
    "private copy: SYSTEM.LOG1; not used: SYSTEM.LOG2 (older than the hive: sequence 3)"
)


@pytest.fixture
def dirty(identity_data: Path, tmp_path: Path) -> Path:
    """A copy of the committed dirty_laptop fixture (tests may damage it)."""
    copy = tmp_path / "laptop"
    shutil.copytree(identity_data / "dirty_laptop", copy)
    return copy


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_log_s_newest_value_is_read_and_the_replay_is_a_fact(
    dirty: Path, identity_scan
) -> None:
    """The computer was renamed CC-LAPTOP-99 in a change only SYSTEM.LOG1 holds; the stale
    SYSTEM.LOG2 (CC-LAPTOP-00) is left out; the evidence is unchanged."""
    before = _digests(dirty)
    out = identity_scan(dirty, "windows.identity")
    assert out.values("computer_name") == ["CC-LAPTOP-99"]
    assert [
        (row["category"], row["value"], row["detail"]) for row in out.facts("hive_replayed")
    ] == [("os", "SYSTEM: dirty, replayed SYSTEM.LOG1", REPLAYED)]
    assert out.problems() == []
    assert _digests(dirty) == before
    assert not list(dirty.rglob("*.restored"))


def test_identity_summary_names_the_replayed_hive(dirty: Path, scan) -> None:
    """The report's identity section lists the replay."""
    out = scan(dirty, extractors=["windows.identity"], hash_evidence=False)
    report = json.loads((out.output / "report.json").read_text(encoding="utf-8"))
    identity = report["summary"]["identity"] if "summary" in report else report["identity"]
    assert identity["name"] == "CC-LAPTOP-99"
    assert identity["replayed_hives"] == ["SYSTEM: dirty, replayed SYSTEM.LOG1"]
    html = (out.output / "report.html").read_text(encoding="utf-8")
    assert "Transaction logs replayed" in html and "SYSTEM: dirty, replayed SYSTEM.LOG1" in html


def test_without_its_logs_the_hive_is_read_as_stored_with_a_warning(
    dirty: Path, identity_scan
) -> None:
    """No .LOG1/.LOG2: the stored name, and a warning that newer changes may be missing."""
    for log in (dirty / "Windows/System32/config").glob("SYSTEM.LOG*"):
        log.unlink()
    out = identity_scan(dirty, "windows.identity")
    assert out.values("computer_name") == ["CC-LAPTOP-01"]
    assert out.problems() == [
        (
            "warning",
            "hive was not cleanly closed (sequence numbers 8 and 7); no transaction log "
            "(.LOG1/.LOG2) beside it, so its newest changes may be missing",
            f"{CONFIG}/SYSTEM",
        )
    ]


def test_a_damaged_log_is_a_warning_and_the_hive_is_read_as_stored(
    dirty: Path, identity_scan
) -> None:
    """A log whose entry points outside the hive: regipy refuses, triage says so and goes on."""
    log = dirty / "Windows/System32/config/SYSTEM.LOG1"
    data = bytearray(log.read_bytes())
    data[512 + 40 : 512 + 44] = (0x7FFF0000).to_bytes(4, "little")  # first page's offset
    log.write_bytes(bytes(data))
    out = identity_scan(dirty, "windows.identity")
    assert out.values("computer_name") == ["CC-LAPTOP-01"]
    [(severity, message, path)] = out.problems()
    assert severity == "warning" and path == f"{CONFIG}/SYSTEM"
    assert message.startswith(
        "hive was not cleanly closed (sequence numbers 8 and 7); replaying SYSTEM.LOG1 failed "
        "(RegistryRecoveryException: Dirty page entry at offset 0x7fff0000 points outside"
    )
    assert message.endswith("; read as stored")


def test_lower_case_log_names_are_found(dirty: Path, identity_scan) -> None:
    """NTUSER.DAT's logs are ntuser.dat.LOG1: logs are matched in any case."""
    config = dirty / "Windows/System32/config"
    (config / "SYSTEM.LOG1").rename(config / "system.log1")
    out = identity_scan(dirty, "windows.identity")
    assert out.values("computer_name") == ["CC-LAPTOP-99"]


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(flips=st.lists(st.tuples(st.integers(0, 5119), st.integers(1, 255)), min_size=1, max_size=8))
def test_damaged_logs_never_stop_the_extractor(
    identity_data: Path, tmp_path_factory, identity_scan, flips
) -> None:
    """Flipped bytes anywhere in SYSTEM.LOG1: the extractor finishes; a log that cannot be
    replayed is a warning and the hive is read as stored."""
    copy = tmp_path_factory.mktemp("dirty") / "laptop"
    shutil.copytree(identity_data / "dirty_laptop", copy)
    log = copy / "Windows/System32/config/SYSTEM.LOG1"
    data = bytearray(log.read_bytes())
    for offset, mask in flips:
        data[offset] ^= mask
    log.write_bytes(bytes(data))
    out = identity_scan(copy, "windows.identity")
    runs = out.output.rows("SELECT status FROM extractor_runs")
    assert runs == [{"status": "ok"}]
    replayed = out.facts("hive_replayed")
    if not replayed:  # not replayed: the stored name, and a warning that says why
        assert out.values("computer_name") == ["CC-LAPTOP-01"]
        assert any(p[0] == "warning" and "not cleanly closed" in p[1] for p in out.problems())
