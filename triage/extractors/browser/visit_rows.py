"""Visits of the browsers whose history is a table of visits joined to a table of URLs.

Chromium (``visits`` -> ``urls``), Firefox (``moz_historyvisits`` -> ``moz_places``), Epiphany
(``visits`` -> ``urls``) and Safari (``history_visits`` -> ``history_items``) keep one row per
visit pointing at one row per URL, and a column naming the visit this one came from (referrer or
redirect source). :func:`visits_query` reads them the same way on every schema version: visit
columns as stored, URL columns as ``page_<column>``, the referring visit's URL as ``from_url``
(NULL when the version has no such column), in visit-id order. Epiphany's history copies
Firefox's model (a visit-type code, Unix microseconds, typed count), so both convert a row with
:func:`places_visit`. Table layouts: see each extractor's module docstring.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from triage.extractors.browser.browser_names import Owner
from triage.extractors.sqlite_rows import select_list
from triage.extractors.values import decode, integer, raw, text, url_text
from triage.records import BrowserVisit, SourceRef
from triage.timestamps import from_unix_us


@dataclass(frozen=True, slots=True)
class VisitTables:
    """Where one browser keeps its visits and URLs, and how a visit names its referrer."""

    visits: str  # one row per visit
    link: str  # the visit's column holding the URL row's id
    pages: str  # one row per URL
    referrer: str  # the visit's column holding the referring visit's id
    zero_is_none: bool = False  # a referrer of 0 means none (Chromium, Firefox)


def visits_query(
    connection: sqlite3.Connection,
    tables: VisitTables,
    visit_columns: tuple[str, ...],
    page_columns: tuple[str, ...],
    extra_select: str | None = None,
    extra_join: str = "",
) -> str:
    """The SELECT of every visit with its URL row and its referrer's URL (``from_url``).

    Visit columns keep their names, URL columns are selected as ``page_<column>``.
    """
    visit_select, present = select_list(connection, tables.visits, visit_columns, alias="v")
    page_select, _ = select_list(connection, tables.pages, page_columns, alias="p", prefix="page_")
    referrer_select, referrer_join = "NULL AS from_url", ""
    if tables.referrer.lower() in present:
        zero = f" AND v.{tables.referrer} != 0" if tables.zero_is_none else ""
        referrer_select = "rp.url AS from_url"
        referrer_join = (
            f"LEFT JOIN {tables.visits} rv ON rv.id = v.{tables.referrer}{zero} "
            f"LEFT JOIN {tables.pages} rp ON rp.id = rv.{tables.link}"
        )
    extra = f", {extra_select}" if extra_select else ""
    return (
        f"SELECT {visit_select}, {page_select}{extra}, {referrer_select} "
        f"FROM {tables.visits} v LEFT JOIN {tables.pages} p ON p.id = v.{tables.link} "
        f"{referrer_join} {extra_join} ORDER BY v.id"
    )


@dataclass(frozen=True, slots=True)
class PlacesFormat:
    """How a Firefox or Epiphany visit row is read (both follow Firefox's places model)."""

    time: str  # visit time column, Unix microseconds
    typed: str  # typed-count column as selected (``page_typed_count``, Firefox ``page_typed``)
    visit_types: Mapping[int, str]  # visit_type code -> words
    time_note: str


def places_visit(
    row: sqlite3.Row, owner: Owner, source: SourceRef, form: PlacesFormat, detail: str | None
) -> BrowserVisit:
    """A visit row of :func:`visits_query` in a places-style history."""
    return BrowserVisit(
        source=source,
        browser=owner.browser,
        profile=owner.profile,
        user=owner.user,
        url=url_text(row["page_url"]) or "",
        title=text(row["page_title"]),
        visited=from_unix_us(row[form.time]),
        visited_raw=raw(row[form.time]),
        transition=decode(form.visit_types, integer(row["visit_type"])),
        visit_count=integer(row["page_visit_count"]),
        typed_count=integer(row[form.typed]),
        from_url=url_text(row["from_url"]),
        visit_id=integer(row["id"]),
        time_note=form.time_note,
        detail=detail,
    )
