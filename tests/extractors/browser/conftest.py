"""Fixtures of the browser tests: the fixture builder module and evidence-folder helpers."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

BUILDER = Path(__file__).resolve().parents[2] / "data" / "browser" / "build_browser.py"
ALL_BROWSER = [
    "chromium.history",
    "firefox.history",
    "safari.history",
    "ie.webcache",
    "ie.index_dat",
    "epiphany.history",
]


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    """tests/data/browser/build_browser.py, imported from its path."""
    spec = importlib.util.spec_from_file_location("build_browser", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_browser", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def place(tmp_path: Path):
    """Copy a file into an evidence folder at a relative path: ``place(src, "Users/x/History")``."""
    root = tmp_path / "evidence"
    root.mkdir()

    def put(source: Path, relative: str) -> Path:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return root

    return put
