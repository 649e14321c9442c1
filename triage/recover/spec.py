"""What an extractor asks of recovery: its record tables, lookups, key and checks.

An extractor declares one :class:`RecoverySpec` per record kind it recovers (a class variable
``recovery``); :mod:`triage.recover.integration` reads the deleted rows of those tables and runs
them through the extractor's own row code, and these fields say how the records it gets back
are tied to their rows, which are older versions of live rows, and which are one record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from triage.recover.engine import RecoveredRow


@dataclass(frozen=True, slots=True)
class Link:
    """Carved lookup rows lose their rowid; a record row names it and shares a time with it
    (Chrome ``urls.last_visit_time`` is the time of the URL's last visit)."""

    column: str  # record table column naming the lookup row (visits.url)
    time: str  # record table time column (visits.visit_time)
    lookup: str  # lookup table (urls)
    lookup_time: str  # its time column (last_visit_time)


@dataclass(frozen=True, slots=True)
class NameLink:
    """A carved record row lost its id, which its carved lookup rows still name (Chromium's
    ``downloads_url_chains.id`` names its download): the two are joined when the file name the
    record saved to is the last path part of the last URL of exactly one orphaned chain, and
    that chain fits no other carved row (a browser saves a download under its URL's file name
    unless told otherwise; where it was told, nothing is joined)."""

    lookup: str  # the lookup table (downloads_url_chains)
    key: str  # its column naming the record row (id)
    order: str  # its column ordering a chain (chain_index): the last URL is the final one
    url: str  # its URL column
    path: str  # the record table's column with the saved path (target_path)


@dataclass(frozen=True, slots=True)
class RecoverySpec:
    """What an extractor recovers: record tables, the record field keyed by their rowid,
    lookup tables joined for values, and the check a recovered record must pass."""

    tables: tuple[str, ...]
    key: str
    check: Callable[[Any], bool]
    lookups: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    key_column: str | None = None  # the record key's column when it is not the rowid
    row_check: Callable[[RecoveredRow], bool] | None = None  # on the raw values, before reading
    empty: tuple[str, ...] = ()  # other record tables, shadowed empty (their rows not read again)
    key_is_value: bool = False  # the key is a value (a time, a term), not an id: never blanked
    # columns that name one row for good (a download's guid): a recovered row whose rowid is
    # live with these values equal is an older version of a live row (a download in progress,
    # a visit before its duration was written), not a deleted one
    same_row: tuple[str, ...] = ()
    # lookup tables joined by a column, not by their rowid (WhatsApp's participants by the
    # call's aggregate): their carved rows, rowid lost, are joined too (under fresh rowids)
    carved_lookups: tuple[str, ...] = ()
    # the row's part of a composite record key (Skype's "call/member" -> "call")
    key_text: Callable[[str], str] | None = None
    # record fields that say two records are one (a call: number, start, direction): a recovered
    # record matching a live one is a stale copy of it (a cell moved by a rebalance), and of
    # recovered ones matching each other the most confident is kept
    same_record: tuple[str, ...] = ()
    # carved record rows given back the id their carved lookup rows name (see NameLink)
    name_links: tuple[NameLink, ...] = ()
