"""GNOME Web (Epiphany) history: ``ephy-history.db``.

Where it lives: ``~/.local/share/epiphany/ephy-history.db`` (Flatpak:
``~/.var/app/org.gnome.Epiphany/data/epiphany/``) (artemis ``linux/gnome/epiphany.ts``).

What a row means (Epiphany ``lib/history/ephy-history-service-*.c`` and
``ephy-history-types.h``): ``visits`` one row per visit, ``visit_time`` Unix microseconds (GLib
``g_get_real_time``), ``url`` -> ``urls.id`` (url, title, visit_count, typed_count),
``visit_type`` an ``EphyHistoryPageVisitType`` (0 none, 1 link, 2 typed, 8 bookmark, 9 home
page, as artemis maps ``ephy-history-types.h``), ``referring_visit`` the visit this one came
from. (artemis's test joins ``urls.host = visits.url`` and so counts 15 rows; the join by
``urls.id`` gives the file's 13 visits.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import ClassVar

from triage.extractors.base import (
    ExtractionContext,
    StoredFile,
    profile_user,
    sqlite_tables,
    table_columns,
)
from triage.extractors.browser.browser_names import Owner
from triage.extractors.browser.sqlite_reading import SqliteBrowserExtractor, table_rows
from triage.extractors.browser.visit_rows import (
    PlacesFormat,
    VisitTables,
    places_visit,
    visits_query,
)
from triage.extractors.values import join_detail
from triage.records import BrowserVisit

VISIT_TYPES = {0: "none", 1: "link", 2: "typed", 8: "bookmark", 9: "home page"}
VISIT_COLUMNS = ("id", "url", "visit_time", "visit_type", "referring_visit")
URL_COLUMNS = ("url", "title", "visit_count", "typed_count")
TIME_NOTE = "Unix microseconds, UTC (GLib real time)"
TABLES = VisitTables("visits", "url", "urls", "referring_visit")
FORMAT = PlacesFormat("visit_time", "page_typed_count", VISIT_TYPES, TIME_NOTE)


class EpiphanyHistory(SqliteBrowserExtractor):
    """GNOME Web (Epiphany) visits from ``~/.local/share/epiphany/ephy-history.db``."""

    name: ClassVar[str] = "epiphany.history"
    description: ClassVar[str] = "GNOME Web (Epiphany) ephy-history.db visits"
    kind: ClassVar[str] = "Epiphany history"
    record_types: ClassVar[tuple[type, ...]] = (BrowserVisit,)
    patterns: ClassVar[tuple[str, ...]] = ("**/epiphany/ephy-history.db",)
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"hosts", "urls", "visits"})

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """``hosts``, ``urls`` and ``visits`` with Epiphany's ``visit_type``."""
        if not {"hosts", "urls", "visits"} <= sqlite_tables(connection):
            return False
        return "visit_type" in {column.lower() for column in table_columns(connection, "visits")}

    def read(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[BrowserVisit]:
        """Every visit, in row order."""
        owner = Owner("Epiphany", None, profile_user(file.path))

        def convert(row: sqlite3.Row) -> BrowserVisit:
            missing = f"URL row {row['url']} missing" if row["page_url"] is None else None
            return places_visit(row, owner, ctx.source_ref(file), FORMAT, join_detail(missing))

        sql = visits_query(connection, TABLES, VISIT_COLUMNS, URL_COLUMNS)
        yield from table_rows(connection, sql, convert, ctx, file, "visit", "id")
