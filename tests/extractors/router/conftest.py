"""Fixtures of the router family's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .fact_rows import ROUTER_IDS, StoreRows, scan_once


@pytest.fixture(scope="session")
def router_data(data_dir: Path) -> Path:
    """tests/data/router."""
    return data_dir / "router"


@pytest.fixture
def router_scan(scan) -> Callable[..., Any]:
    """``router_scan(evidence)``: scan with every router extractor (or the ids given)."""

    def run(evidence: Path, extractors: list[str] | None = None, **options: Any):
        return scan(evidence, extractors=extractors or ROUTER_IDS, **options)

    return run


@pytest.fixture(scope="session")
def corpus_router(corpus: Path, tmp_path_factory) -> Callable[[str], StoreRows]:
    """``corpus_router("cisco")``: the corpus folder router/<name> scanned once per session."""
    done: dict[str, StoreRows] = {}

    def run(name: str) -> StoreRows:
        if name not in done:
            output = tmp_path_factory.mktemp(f"corpus-{name}") / "out"
            done[name] = scan_once(corpus / "router" / name, output)
        return done[name]

    return run
