"""Fixtures of the identity family's tests: fixture folders, the generator, one-call scans."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ScanOutput

from .expected import FACT_COLUMNS


@pytest.fixture(scope="session")
def identity_data(data_dir: Path) -> Path:
    """tests/data/identity."""
    return data_dir / "identity"


@pytest.fixture(scope="session")
def build_identity(identity_data: Path) -> ModuleType:
    """The fixture generator tests/data/identity/build_identity.py, imported from its path."""
    name = "tests_data_identity_build_identity"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, identity_data / "build_identity.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


class Identity:
    """A finished identity scan: facts as dicts, and lookups by key."""

    def __init__(self, output: ScanOutput) -> None:
        self.output = output
        self.rows = output.records("identity")

    def facts(self, key: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The compared columns of every fact (of one key, from one source path)."""
        return [
            {column: row[column] for column in FACT_COLUMNS}
            for row in self.rows
            if (key is None or row["key"] == key) and (path is None or row["source_path"] == path)
        ]

    def values(self, key: str) -> list[str]:
        """The values of one key, in store order."""
        return [row["value"] for row in self.rows if row["key"] == key]

    def problems(self) -> list[tuple[str, str, str | None]]:
        """(severity, message, path) of every problem."""
        return [(p["severity"], p["message"], p["path"]) for p in self.output.problems()]


@pytest.fixture
def identity_scan(scan) -> Callable[..., Identity]:
    """``identity_scan(evidence, "windows.identity")``: scan with identity extractors only."""

    def run(evidence: Path, *extractors: str, **options: Any) -> Identity:
        chosen = list(extractors) or ["windows.identity", "android.identity", "ios.identity"]
        options.setdefault("hash_evidence", False)
        return Identity(scan(evidence, extractors=chosen, **options))

    return run
