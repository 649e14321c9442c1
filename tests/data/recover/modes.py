"""The journaling modes of the recovery fixtures: how each database is written and its rows
deleted (the module docstring of build_recover.py says what each mode leaves behind)."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

Recipe = sys.modules["build_recover_common"].Recipe  # loaded first by build_recover.py


# -- the modes -------------------------------------------------------------------------------
def _insert(connection: sqlite3.Connection, inserts: list[tuple[str, dict]]) -> None:
    for table, row in inserts:
        columns = ", ".join(f'"{column}"' for column in row)
        marks = ", ".join("?" for _ in row)
        connection.execute(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(row.values())
        )


def _fill(connection: sqlite3.Connection, recipe: Recipe, indexes: list[int]) -> None:
    for index in indexes:
        _insert(connection, recipe.rows(index))


def _delete(connection: sqlite3.Connection, recipe: Recipe, doomed: list[int]) -> None:
    for sql, parameters in recipe.delete(doomed):
        connection.execute(sql, parameters)


def _open(path: Path, recipe: Recipe, journal: str, secure: bool) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA page_size = {recipe.page_size}")
    connection.execute(f"PRAGMA journal_mode = {journal}")
    connection.execute(f"PRAGMA secure_delete = {'ON' if secure else 'OFF'}")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    recipe.schema(connection)
    return connection


def _txn(connection: sqlite3.Connection, work: Callable[[], object]) -> None:
    connection.execute("BEGIN")
    work()
    connection.execute("COMMIT")


def _snapshot(path: Path, target: Path) -> None:
    """Copy a database and its siblings while the writer still holds them (a seized phone)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-journal"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")


def build(recipe: Recipe, mode: str, root: Path) -> tuple[Path, list[int]]:
    """Write one database of ``recipe`` in ``mode`` under ``root`` (an evidence folder).

    Returns the database path and the indexes of the deleted rows that must be recovered.
    """
    target = root / recipe.path
    work = root.parent / f".work-{root.name}-{recipe.name}-{mode}" / "db"
    live = [index for index in range(1, recipe.count + 1) if index not in recipe.doomed]
    doomed = list(recipe.doomed)
    if mode == "wal_main":
        connection = _open(work, recipe, "WAL", secure=True)
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _txn(connection, lambda: _delete(connection, recipe, doomed))
    elif mode == "wal_frames":
        connection = _open(work, recipe, "WAL", secure=True)
        fillers = [recipe.filler(index) for index in range(40)] if recipe.filler else []
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _insert(connection, fillers))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _txn(connection, lambda: _delete(connection, recipe, doomed))
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        late = recipe.count + 1
        live.append(late)
        _txn(connection, lambda: _fill(connection, recipe, [late]))
    elif mode == "journal":
        connection = _open(work, recipe, "PERSIST", secure=True)
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        _txn(connection, lambda: _delete(connection, recipe, doomed))
    elif mode == "journal_hot":
        # the deletion never committed: SQLite spilled its pages (wiped, secure_delete on) to
        # the main file and the journal holds the originals when the copy is taken
        connection = _open(work, recipe, "DELETE", secure=True)
        connection.execute("PRAGMA cache_size = 10")
        _txn(connection, lambda: _fill(connection, recipe, live))
        _txn(connection, lambda: _fill(connection, recipe, doomed))
        connection.execute("BEGIN")
        _delete(connection, recipe, doomed)
        if recipe.filler:
            _insert(connection, [recipe.filler(index) for index in range(400)])
        _snapshot(work, target)
        connection.execute("ROLLBACK")
        connection.close()
        shutil.rmtree(work.parent, ignore_errors=True)
        return target, []
    elif mode in ("freeblocks", "vacuumed"):
        connection = _open(work, recipe, "DELETE", secure=False)
        everything = sorted(live + doomed)
        _txn(connection, lambda: _fill(connection, recipe, everything))
        _txn(connection, lambda: _delete(connection, recipe, doomed))
        if mode == "vacuumed":
            connection.execute("VACUUM")
            doomed = []
    elif mode == "freelist":
        connection = _open(work, recipe, "DELETE", secure=False)
        everything = list(range(1, recipe.freelist_count + 1))
        doomed = list(recipe.freelist_doomed)
        live = [index for index in everything if index not in doomed]
        _txn(connection, lambda: _fill(connection, recipe, everything))
        _txn(connection, lambda: _delete(connection, recipe, doomed))
    else:
        raise ValueError(mode)
    _snapshot(work, target)
    connection.close()
    shutil.rmtree(work.parent, ignore_errors=True)
    return target, doomed
