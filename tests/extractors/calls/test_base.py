"""The family's shared helpers: value conversion and the guarded row loop."""

from __future__ import annotations

import math
import sqlite3

from triage.extractors.calls.base import glob_escape, raw, seconds, text
from triage.extractors.sqlite_rows import guarded_rows
from triage.extractors.values import integer


class Problems:
    """A context stand-in that only collects problems."""

    def __init__(self):
        self.messages = []

    def problem(self, message, file=None, severity="error"):
        self.messages.append((message, file, severity))


def test_guarded_rows_skips_a_bad_row_and_names_it():
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    connection.execute("CREATE TABLE t (_id INTEGER, v TEXT)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, "boom"), (3, "c")])

    def convert(row):
        if row["v"] == "boom":
            raise ValueError("bad value")
        return row["v"]

    ctx = Problems()
    rows = connection.execute("SELECT * FROM t ORDER BY _id")
    assert list(guarded_rows(rows, convert, ctx, "FILE", "call", "_id")) == ["a", "c"]
    assert ctx.messages == [("call 2 skipped: ValueError: bad value", "FILE", "error")]


def test_value_conversions():
    assert (integer("12"), integer(3.9), integer(b"7"), integer("x"), integer(True)) == (
        12,
        3,
        7,
        None,
        None,
    )
    assert integer(math.nan) is None and integer(1e300) is None
    assert (seconds(65), seconds(42.5), seconds("-5"), seconds(math.nan), seconds("x")) == (
        65,
        42.5,
        None,
        None,
        None,
    )
    assert seconds(10 * 365 * 86400 + 1) is None
    assert (raw(None), raw(1709283600000), raw(730980000.0), raw(b"\xffab")) == (
        None,
        "1709283600000",
        "730980000.0",
        "\ufffdab",
    )
    assert text("x" * 5000, 10) == "xxxxxxxxxx...[cut]"
    assert glob_escape("a[1]/b*?.db") == "a[[]1]/b[*][?].db"
