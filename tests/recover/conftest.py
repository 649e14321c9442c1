"""Fixtures of the recovery tests: the databases with known deletions, built once, and scans."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ScanOutput
from triage.config import ScanConfig
from triage.pipeline import scan_device

EXTRACTORS = (
    "android.call_log",
    "ios.call_history",
    "whatsapp.calls",
    "skype.calls",
    "teams.calls",
    "chromium.history",
    "firefox.history",
    "android.identity",
    "ios.identity",
)


@pytest.fixture(scope="session")
def build_recover(data_dir: Path) -> ModuleType:
    """tests/data/recover/build_recover.py, imported from its path."""
    path = data_dir / "recover" / "build_recover.py"
    spec = importlib.util.spec_from_file_location("build_recover", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_recover", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def recover_evidence(build_recover: ModuleType, tmp_path_factory: pytest.TempPathFactory):
    """Every recipe in every mode under one evidence folder: (root, {(recipe, mode): doomed})."""
    root = tmp_path_factory.mktemp("recover") / "evidence"
    built = build_recover.build_all(root)
    return root, {key: doomed for key, (_path, doomed) in built.items()}


def _scan(root: Path, out: Path, **options) -> ScanOutput:
    profiles = out.parent / f"{out.name}-profiles"
    profiles.mkdir(parents=True)
    listed = ", ".join(f'"{name}"' for name in EXTRACTORS)
    (profiles / "recover.yaml").write_text(
        f"name: recover\ndescription: recover\ndetect: []\nextractors: [{listed}]\n",
        encoding="utf-8",
    )
    config = ScanConfig(
        evidence=root,
        output=out,
        name="recover",
        profile="recover",
        profiles_dir=profiles,
        country="US",
        hash_files=False,
        hash_evidence=False,
        **options,
    )
    return ScanOutput(out, scan_device(config))


@pytest.fixture(scope="session")
def recover_scan(recover_evidence, tmp_path_factory: pytest.TempPathFactory) -> ScanOutput:
    """One scan of every fixture database with recovery on."""
    root, _doomed = recover_evidence
    return _scan(root, tmp_path_factory.mktemp("recover-scan") / "out")


@pytest.fixture(scope="session")
def plain_scan(recover_evidence, tmp_path_factory: pytest.TempPathFactory) -> ScanOutput:
    """The same scan with ``--no-recover``."""
    root, _doomed = recover_evidence
    return _scan(root, tmp_path_factory.mktemp("plain-scan") / "out", recover=False)
