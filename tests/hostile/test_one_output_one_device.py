"""One output folder holds one device (issue 15, item 10).

``--resume`` into the output of other evidence used to mix two devices (the device name of one,
the files of the other, exit 0); ``batch`` onto a case-insensitive drive (exFAT, NTFS, macOS)
merged ``PHONE.img`` and ``phone/`` into one folder and marked both complete.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.case import load_manifest, scan_folder
from triage.cli import main
from triage.errors import CaseError


def _scan(evidence: Path, out: Path, *extra: str):
    return CliRunner().invoke(
        main, ["scan", str(evidence), "-o", str(out), "-j", "1", "--no-progress", *extra]
    )


def _paths(out: Path) -> list[str]:
    connection = sqlite3.connect(out / "triage.sqlite")
    paths = [row[0] for row in connection.execute("SELECT path FROM files ORDER BY path")]
    connection.close()
    return paths


def test_resume_into_another_evidences_output_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "laptop", tmp_path / "phone"
    for folder, name in ((first, "a.txt"), (second, "b.txt")):
        folder.mkdir()
        (folder / name).write_text(name)
    out = tmp_path / "out"
    assert _scan(first, out).exit_code == 0
    result = _scan(second, out, "--resume")
    assert result.exit_code == 2
    assert f"holds the scan of {first}" in result.output and "--force" in result.output
    assert _paths(out) == ["/a.txt"]  # untouched: its reports too
    assert (out / "report.html").is_file()
    again = _scan(first, out, "--resume")  # the same evidence resumes as before
    assert again.exit_code == 0, again.output
    assert _paths(out) == ["/a.txt"]


def test_resume_under_another_device_name_is_refused(tmp_path: Path) -> None:
    evidence = tmp_path / "laptop"
    evidence.mkdir()
    (evidence / "a.txt").write_text("a")
    out = tmp_path / "out"
    assert _scan(evidence, out).exit_code == 0
    result = _scan(evidence, out, "--resume", "--name", "other")
    assert result.exit_code == 2 and "(device laptop)" in result.output


def test_case_folder_names_are_unique_regardless_of_case(tmp_path: Path) -> None:
    (tmp_path / "PHONE.img").write_bytes(b"\0" * 512)
    (tmp_path / "phone").mkdir()
    (tmp_path / "Phone.tar").write_bytes(b"\0" * 512)
    names = [device.name for device in scan_folder(tmp_path).devices]
    assert names == ["PHONE", "Phone-2", "phone-3"]
    assert len({name.casefold() for name in names}) == 3


def test_manifest_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "case.yaml"
    manifest.write_text(
        "devices:\n  - {name: PHONE, evidence: a.img}\n  - {name: phone, evidence: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError, match="'phone' is used twice .*regardless of case"):
        load_manifest(manifest)
