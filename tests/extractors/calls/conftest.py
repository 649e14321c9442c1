"""Fixtures of the calls family's tests: fixture paths, the generator module, a corpus scan."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ScanOutput
from triage.config import ScanConfig
from triage.pipeline import scan_device

from .call_rows import CALL_IDS


@pytest.fixture(scope="session")
def calls_data(data_dir: Path) -> Path:
    """tests/data/calls."""
    return data_dir / "calls"


@pytest.fixture(scope="session")
def build_calls(calls_data: Path) -> ModuleType:
    """The fixture generator tests/data/calls/build_calls.py, imported from its path."""
    spec = importlib.util.spec_from_file_location("build_calls", calls_data / "build_calls.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def calls_scan(scan) -> Callable[..., ScanOutput]:
    """``calls_scan(evidence)``: scan with every calls extractor (or those given), country US."""

    def run(evidence: Path, extractors: list[str] | None = None, **options: Any) -> ScanOutput:
        options.setdefault("country", "US")
        return scan(evidence, extractors=extractors or CALL_IDS, **options)

    return run


@pytest.fixture(scope="session")
def corpus_calls(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> ScanOutput:
    """One scan of ../shared/corpus/calls, read in place, with every calls extractor."""
    root = tmp_path_factory.mktemp("corpus-calls")
    profiles = root / "profiles"
    profiles.mkdir()
    listed = ", ".join(f'"{ident}"' for ident in CALL_IDS)
    (profiles / "calls.yaml").write_text(
        f"name: calls\ndescription: calls\ndetect: []\nextractors: [{listed}]\n",
        encoding="utf-8",
    )
    config = ScanConfig(
        evidence=corpus / "calls",
        output=root / "out",
        name="corpus-calls",
        jobs=1,
        profile="calls",
        profiles_dir=profiles,
        country="US",
    )
    return ScanOutput(root / "out", scan_device(config))
