"""Helpers of the calls family's tests: reading calls back from a scan."""

from __future__ import annotations

from typing import Any

from tests.conftest import ScanOutput
from triage.extractors.calls import EXTRACTORS

CALL_IDS = [extractor.name for extractor in EXTRACTORS]
FIELDS = ("number", "number_e164", "direction", "started", "duration")


def calls_of(out: ScanOutput, extractor: str) -> list[dict[str, Any]]:
    """The calls one extractor wrote, in row order."""
    return [row for row in out.records("calls") if row["extractor"] == extractor]


def summary(row: dict[str, Any], *fields: str) -> tuple:
    """Selected fields of a record row, for compact exact assertions."""
    return tuple(row[field] for field in fields)


def errors(out: ScanOutput) -> list[dict[str, Any]]:
    """Problems of severity error."""
    return [problem for problem in out.problems() if problem["severity"] == "error"]


def only_schema_warnings(out: ScanOutput) -> bool:
    """Whether every problem is the pipeline's 'recognised by its schema' warning."""
    return all(
        problem["severity"] == "warning" and "recognised by its schema" in problem["message"]
        for problem in out.problems()
    )
