"""Shared test fixtures: the real-data corpus (skipped when absent) and a one-call scan helper."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.browser import chromium_browser  # noqa: F401 - a fixture, used by name
from triage.config import ScanConfig
from triage.pipeline import scan_device


@pytest.fixture(autouse=True)
def _triage_logger_as_it_was():
    """A command run in-process sets up the ``triage`` logger for a console (its own handler,
    no propagation): put it back after each test, so a later test's ``caplog`` sees records
    whatever ran before it."""
    logger = logging.getLogger("triage")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:] = saved[0]
    logger.level, logger.propagate = saved[1], saved[2]


REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
CORPUS = Path(os.environ.get("TRIAGE_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """``../shared/corpus`` (or $TRIAGE_CORPUS); tests using it skip cleanly when it is absent."""
    if not (CORPUS / "MANIFEST.md").is_file():
        pytest.skip("real-data corpus ../shared/corpus is not available")
    return CORPUS


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The project's own committed fixtures."""
    return DATA


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The committed disk-image fixtures, unpacked once: ``images["ntfs"]`` -> ntfs.raw."""
    folder = tmp_path_factory.mktemp("images")
    unpacked: dict[str, Path] = {}
    for packed in sorted((DATA / "images").glob("*.raw.gz")):
        target = folder / packed.name[: -len(".gz")]
        with gzip.open(packed, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        target.chmod(0o444)
        unpacked[target.name.split(".")[0]] = target
    for e01 in sorted((DATA / "images").glob("*.E0?")):
        shutil.copy(e01, folder / e01.name)
        (folder / e01.name).chmod(0o444)
        unpacked[f"{e01.stem}_e01"] = folder / e01.name
    return unpacked


@dataclass
class ScanOutput:
    """A finished scan's folder with easy access to its store."""

    output: Path
    result: Any
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """Run SQL on the device store."""
        connection = sqlite3.connect(self.output / "triage.sqlite")
        connection.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in connection.execute(sql, tuple(params))]
        finally:
            connection.close()

    def records(self, table: str) -> list[dict[str, Any]]:
        """Every row of a record table (empty when the table was never created)."""
        exists = self.rows("SELECT name FROM sqlite_master WHERE name = ?", (table,))
        return self.rows(f'SELECT * FROM "{table}" ORDER BY rowid') if exists else []

    def problems(self) -> list[dict[str, Any]]:
        """Every problem recorded."""
        return self.rows("SELECT * FROM problems ORDER BY id")

    def files(self) -> list[dict[str, Any]]:
        """Every file row."""
        return self.rows("SELECT * FROM files ORDER BY id")


@pytest.fixture
def scan(tmp_path: Path) -> Callable[..., ScanOutput]:
    """Scan evidence with chosen extractors: ``scan(evidence, extractors=["chromium.history"])``.

    ``extractors=None`` runs the automatic profile; a list runs exactly those extractor ids
    through a throw-away profile. Other keyword arguments go to ScanConfig.
    """
    counter = {"n": 0}

    def run(evidence: Path, extractors: list[str] | None = None, **options: Any) -> ScanOutput:
        counter["n"] += 1
        output = tmp_path / f"out{counter['n']}"
        if extractors is not None:
            profiles = tmp_path / f"profiles{counter['n']}"
            profiles.mkdir()
            listed = ", ".join(f'"{ident}"' for ident in extractors)
            (profiles / "under_test.yaml").write_text(
                f"name: under_test\ndescription: test profile\ndetect: []\n"
                f"extractors: [{listed}]\n",
                encoding="utf-8",
            )
            options.setdefault("profile", "under_test")
            options.setdefault("profiles_dir", profiles)
        config = ScanConfig(
            evidence=Path(evidence),
            output=output,
            name=options.pop("name", Path(evidence).name),
            jobs=options.pop("jobs", 1),
            **options,
        )
        return ScanOutput(output, scan_device(config))

    return run
