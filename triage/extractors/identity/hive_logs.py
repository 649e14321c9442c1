"""Replay a dirty hive's transaction logs (``.LOG1``/``.LOG2``) on a private copy.

A hive whose two base-block sequence numbers differ was not cleanly closed (a running laptop
seized, a hive copied live): Windows wrote its newest changes to the transaction logs beside it
and had not yet flushed them into the hive. Reading the hive alone misses them. regipy's
``recovery.apply_transaction_logs`` replays HvLE (Windows 8.1 and later) and DIRT (older) logs;
it is given private copies only, and writes the replayed hive into the extractor's work folder,
never beside the evidence.

Which logs: the hive's siblings named ``<hive>.LOG1``, ``<hive>.LOG2`` or ``<hive>.LOG``, any
case (``NTUSER.DAT`` has ``ntuser.dat.LOG1``), each with a ``regf`` base block. regipy applies
every entry of a log it is given; a log older than the hive (its base block's sequence number
below the hive's secondary one) would write stale pages back, so it is left out. The older of
two logs goes first, the newer last. Reference: msuhanov/regf, "Transaction log files".
"""

from __future__ import annotations

import logging
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from regipy.exceptions import RegipyException
from regipy.recovery import apply_transaction_logs

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.identity.registry import HIVE_ERRORS, MAX_HIVE_BYTES, REGF_MAGIC, Hive

LOG_SUFFIXES = (".LOG1", ".LOG2", ".LOG")
REPLAY_ERRORS = (*HIVE_ERRORS, RegipyException, OSError, StopIteration)


@dataclass(frozen=True)
class Replay:
    """What a replay did: the hive to read, and the lines that say so."""

    hive: Hive
    fact: str | None  # the identity fact's value when logs were replayed
    detail: str | None
    warning: str | None  # a problem line when the hive stays as it was


def _sequences(head: bytes) -> tuple[int, int] | None:
    """The (primary, secondary) sequence numbers of a regf base block, or None."""
    if len(head) < 12 or head[:4] != REGF_MAGIC:
        return None
    primary, secondary = struct.unpack_from("<II", head, 4)
    return primary, secondary


def log_siblings(ctx: ExtractionContext, file: StoredFile) -> list[StoredFile]:
    """The hive's transaction logs present in the evidence, any case, allocated first."""
    wanted = [f"{file.path}{suffix}".casefold() for suffix in LOG_SUFFIXES]
    marks = ", ".join("?" for _ in wanted)
    rows = ctx.store.execute(
        f"SELECT * FROM files WHERE lower(path) IN ({marks}) AND kind = 'file' AND size > 0 "
        "AND coalesce(partition, -1) = coalesce(?, -1) ORDER BY allocated DESC, path",
        (*wanted, file.partition),
    )
    found: dict[str, StoredFile] = {}
    for row in rows:
        found.setdefault(row["path"].casefold(), StoredFile.from_row(row))
    return list(found.values())


def replay_logs(ctx: ExtractionContext, file: StoredFile, hive: Hive, copy: Path) -> Replay:
    """The hive with its transaction logs applied when it is dirty; ``hive`` as is otherwise.

    ``copy`` is the private copy ``hive`` was read from. A failed replay keeps the hive as
    stored and says why in ``warning``.
    """
    if not hive.dirty:
        return Replay(hive, None, None, None)
    dirty = f"hive was not cleanly closed (sequence numbers {hive.sequences[0]} and " + (
        f"{hive.sequences[1]})"
    )
    logs = log_siblings(ctx, file)
    if not logs:
        return Replay(
            hive,
            None,
            None,
            f"{dirty}; no transaction log (.LOG1/.LOG2) beside it, so its newest changes may "
            "be missing",
        )
    folder = Path(tempfile.mkdtemp(prefix=f"logs{file.id}-", dir=ctx.workdir))
    usable: list[tuple[int, str, Path]] = []
    skipped: list[str] = []
    for log in logs:
        name = log.path.name
        if log.size > MAX_HIVE_BYTES:
            skipped.append(f"{name} ({log.size} bytes, too large)")
            continue
        try:
            target = ctx.materialize(log, with_siblings=False)
            with open(target, "rb") as handle:
                sequences = _sequences(handle.read(12))
        except OSError as error:
            skipped.append(f"{name} (unreadable: {error})")
            continue
        if sequences is None:
            skipped.append(f"{name} (no regf base block)")
        elif sequences[0] < hive.sequences[1]:
            skipped.append(f"{name} (older than the hive: sequence {sequences[0]})")
        else:
            usable.append((sequences[0], name, target))
    if not usable:
        return Replay(
            hive, None, None, f"{dirty}; its transaction logs cannot be used: {', '.join(skipped)}"
        )
    usable.sort()
    restored = folder / "replayed"
    try:
        _apply(copy, [path for _, _, path in usable], restored)
        replayed = Hive(restored)
    except REPLAY_ERRORS as error:
        return Replay(
            hive,
            None,
            None,
            f"{dirty}; replaying {', '.join(name for _, name, _ in usable)} failed "
            f"({type(error).__name__}: {error}); read as stored",
        )
    names = ", ".join(name for _, name, _ in usable)
    detail = f"{dirty}; transaction logs replayed on a private copy: {names}"
    if skipped:
        detail += f"; not used: {', '.join(skipped)}"
    return Replay(replayed, f"{file.path.name}: dirty, replayed {names}", detail, None)


def _apply(hive: Path, logs: list[Path], restored: Path) -> None:
    """regipy's replay, older log first; its per-page INFO lines are kept out of triage.log."""
    logger = logging.getLogger("regipy")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        if len(logs) == 1:
            apply_transaction_logs(str(hive), str(logs[0]), restored_hive_path=str(restored))
        else:
            apply_transaction_logs(
                str(hive),
                str(logs[-1]),
                secondary_log_path=str(logs[0]),
                restored_hive_path=str(restored),
            )
    finally:
        logger.setLevel(previous)
