"""Deleted rows of identity databases (accounts, SIM cards) as identity facts, marked recovered.

The identity parsers read a table and write facts (:class:`~triage.extractors.identity.facts.
Facts`): an account and its type, a SIM's ICCID, IMSI, number and carrier. A recovered row goes
through the same parser, alone: it is put in a TEMP table named like the real one (SQLite reads
TEMP first), the parser runs into a fresh ``Facts``, and each fact it writes is tied to that
row's source and confidence. One row at a time, because a parser's facts do not name the row
they came from, and identity tables are small.

A deleted account or SIM says who used the device before, never who uses it now: the facts
carry ``recovered`` and are kept out of the device's current identity (:mod:`triage.identity`),
its default region and the case's links. What is not a row: a row whose rowid is still live (an
older version of a live account, e.g. before its password time changed), a fact equal to a live
one, a row whose values are not text a person or the system wrote (replacement characters,
control bytes), one whose ICCID, IMSI or number does not read as one, one with no account,
ICCID, IMSI or number at all, and one whose time is outside the device's era.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from triage.recover.engine import RecoveredRow
from triage.recover.era import device_era
from triage.recover.integration import RANK, recovery_failed, recovery_wanted, table_rows
from triage.recover.shadow import column_names, create, insert, rowid_alias

ANCHORS: dict[str, Callable[[str], bool]] = {
    "account": lambda value: 0 < len(value) <= 320,
    "iccid": re.compile(r"^\d{18,22}[Ff]?$").fullmatch,  # type: ignore[dict-item]
    "imsi": re.compile(r"^\d{14,15}$").fullmatch,  # type: ignore[dict-item]
    "phone_number": lambda value: value.startswith("+"),  # E.164: it parsed
}
_GARBLED = re.compile(r"\ufffd|\\x[0-9a-f]{2}")


def recover_facts(
    connection: sqlite3.Connection,
    file: Any,
    ctx: Any,
    facts: Any,
    table: str,
    parse: Callable[[sqlite3.Connection, Any], None],
) -> None:
    """Add to ``facts`` the recovered facts of the deleted rows of ``table``, read by ``parse``
    (the parser that read the live rows into ``facts``). Whatever goes wrong is one warning on
    the file; the live facts stand."""
    if not recovery_wanted(ctx, file):
        return
    try:
        found = _recovered(connection, file, ctx, facts, table, parse)
    except Exception as error:  # noqa: BLE001 - recovery reads hostile bytes by hand
        recovery_failed(ctx, file, error)
        return
    facts.items.extend(found)


def _recovered(
    connection: sqlite3.Connection,
    file: Any,
    ctx: Any,
    facts: Any,
    table: str,
    parse: Callable[[sqlite3.Connection, Any], None],
) -> list[Any]:
    rows = [
        row
        for row in table_rows((table,), connection, file, ctx)
        if row.table.lower() == table.lower() and not _live_rowid(connection, row)
    ]
    if not rows:
        return []
    live = {_identity(fact) for fact in facts.items}
    era = device_era(ctx.file_time_span(), file, facts.items)
    kept: dict[tuple, Any] = {}
    for row in rows:
        try:
            found = _parse_row(connection, row, parse, type(facts)(facts.source))
        except (sqlite3.Error, ValueError, TypeError, OverflowError, UnicodeError):
            continue  # values the parser cannot take: not a row it could have written
        if not _plausible(found) or not all(era.fits(fact) for fact in found):
            continue
        for fact in found:
            key = _identity(fact)
            if key in live:
                continue
            marked = dataclasses.replace(
                fact, recovered=True, recovery=row.describe(), confidence=row.confidence
            )
            best = kept.get(key)
            if best is None or RANK[row.confidence] > RANK[best.confidence]:
                kept[key] = marked
    return list(kept.values())


def _parse_row(
    connection: sqlite3.Connection,
    row: RecoveredRow,
    parse: Callable[[sqlite3.Connection, Any], None],
    facts: Any,
) -> list[Any]:
    """The facts ``parse`` writes for one recovered row (its problems are not the file's)."""
    columns = column_names(connection, row.table)
    alias = rowid_alias(connection, row.table)
    values = dict(row.values)
    if alias:
        values[alias] = row.rowid
    create(connection, row.table, columns)
    try:
        insert(connection, row.table, columns, [tuple(values.get(c) for c in columns)])
        parse(connection, facts)
    finally:
        connection.execute(f'DROP TABLE IF EXISTS temp."{row.table}"')
    return list(facts.items)


def _plausible(found: list[Any]) -> bool:
    """An anchor (account, ICCID, IMSI, number) that reads as one, every anchor reading as
    one, and no garbled text anywhere."""
    texts = [text for fact in found for text in (fact.value, fact.detail) if text]
    if any(_GARBLED.search(text) for text in texts):
        return False
    anchors = [fact for fact in found if fact.key in ANCHORS]
    return bool(anchors) and all(ANCHORS[fact.key](fact.value) for fact in anchors)


def _identity(fact: Any) -> tuple:
    return (fact.category, fact.key, fact.value)


def _live_rowid(connection: sqlite3.Connection, row: RecoveredRow) -> bool:
    if row.rowid is None:
        return False
    found = connection.execute(
        f'SELECT 1 FROM main."{row.table}" WHERE rowid = ?', (row.rowid,)
    ).fetchone()
    return found is not None
