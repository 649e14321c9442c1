"""What every recipe of the recovery fixtures shares: the row values, the epochs, :class:`Recipe`,
and the calls and browser fixture builders whose schemas they use."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
MODES = ("wal_main", "wal_frames", "journal", "journal_hot", "freeblocks", "freelist", "vacuumed")


def sibling(name: str):
    """A module of this folder, loaded once by path under ``build_recover_<name>`` (the
    builders are scripts, not a package; build_recover.py loads this module first, and the
    others take ``sibling`` from it)."""
    key = f"build_recover_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(__file__).with_name(f"{name}.py"))
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[key] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules[key]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


calls = _load("build_calls", DATA / "calls" / "build_calls.py")
browser = _load("build_browser", DATA / "browser" / "build_browser.py")

BASE = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
PRTIME_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


@dataclass
class Recipe:
    """One database kind: where it lives, its schema, and its live and doomed rows."""

    name: str
    path: str  # where the extractor finds it, relative to the evidence root
    schema: Callable[[sqlite3.Connection], None]
    rows: Callable[[int], list[tuple[str, dict]]]  # index -> (table, row) inserts
    delete: Callable[[list[int]], list[tuple[str, tuple]]]  # doomed indexes -> statements
    filler: Callable[[int], tuple[str, dict]] | None = None
    doomed: tuple[int, ...] = (3, 6, 8)
    count: int = 10
    freelist_doomed: tuple[int, ...] = field(default_factory=lambda: tuple(range(20, 80)))
    freelist_count: int = 100
    page_size: int = 1024  # small pages: a few rows fill a b-tree of several levels


# -- the rows --------------------------------------------------------------------------------
def call_number(index: int) -> str:
    """The number of call ``index``: US 555-01xx, every fourth one a UK drama number."""
    if index % 4 == 0:
        return f"+44 20 7946 0{index % 1000:03d}"
    return f"+1 202-555-{100 + index % 100:04d}"


def call_time(index: int) -> datetime:
    """When call ``index`` started: one every 17 minutes from 2024-03-01 09:00 UTC."""
    return BASE + timedelta(minutes=17 * index)


def page_url(index: int) -> str:
    """The URL of page ``index``."""
    return f"https://site{index}.example/path/{index}?q=deleted-{index}"


def visit_time(index: int) -> datetime:
    """When page ``index`` was visited."""
    return BASE + timedelta(minutes=11 * index, seconds=index)


def _micro(when: datetime, epoch: datetime) -> int:
    delta = when - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
