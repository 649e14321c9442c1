"""Fixtures of the remote-access tests: the builder module, evidence layouts."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "remote_access"


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    """``tests/data/remote_access/build_remote_access.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "build_remote_access", DATA / "build_remote_access.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ra_data() -> Path:
    """The committed remote-access fixture folders."""
    return DATA


@pytest.fixture
def place(tmp_path: Path) -> Callable[..., Path]:
    """Copy files into an evidence folder: ``place({"var/log/a.trace": source_path})``."""

    def run(files: dict[str, Path | bytes | str], root: str = "evidence") -> Path:
        folder = tmp_path / root
        for relative, content in files.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            elif isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        return folder

    return run
