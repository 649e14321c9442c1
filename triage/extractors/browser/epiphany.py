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
from triage.extractors.browser.sqlite_reading import (
    SqliteBrowserExtractor,
    guarded_rows,
    run_query,
    select_list,
)
from triage.extractors.browser.values import integer, join_detail, raw, text, url_text
from triage.records import BrowserVisit
from triage.timestamps import from_unix_us

VISIT_TYPES = {0: "none", 1: "link", 2: "typed", 8: "bookmark", 9: "home page"}
VISIT_COLUMNS = ("id", "url", "visit_time", "visit_type", "referring_visit")
URL_COLUMNS = ("url", "title", "visit_count", "typed_count")
TIME_NOTE = "Unix microseconds, UTC (GLib real time)"


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
        visit_select, present = select_list(connection, "visits", "v", VISIT_COLUMNS)
        url_select, _ = select_list(connection, "urls", "u", URL_COLUMNS, "page_")
        referrer_select, referrer_join = "NULL AS from_url", ""
        if "referring_visit" in present:
            referrer_select = "ru.url AS from_url"
            referrer_join = (
                "LEFT JOIN visits rv ON rv.id = v.referring_visit "
                "LEFT JOIN urls ru ON ru.id = rv.url"
            )
        sql = (
            f"SELECT {visit_select}, {url_select}, {referrer_select} "
            f"FROM visits v LEFT JOIN urls u ON u.id = v.url {referrer_join} ORDER BY v.id"
        )

        def convert(row: sqlite3.Row) -> BrowserVisit:
            url = url_text(row["page_url"])
            visit_type = integer(row["visit_type"])
            return BrowserVisit(
                source=ctx.source_ref(file),
                browser=owner.browser,
                profile=owner.profile,
                user=owner.user,
                url=url or "",
                title=text(row["page_title"]),
                visited=from_unix_us(row["visit_time"]),
                visited_raw=raw(row["visit_time"]),
                transition=(
                    VISIT_TYPES.get(visit_type, f"unknown ({visit_type})")
                    if visit_type is not None
                    else None
                ),
                visit_count=integer(row["page_visit_count"]),
                typed_count=integer(row["page_typed_count"]),
                from_url=url_text(row["from_url"]),
                visit_id=integer(row["id"]),
                time_note=TIME_NOTE,
                detail=join_detail(f"URL row {row['url']} missing" if url is None else None),
            )

        rows = run_query(connection, sql, ctx, file, "visits")
        yield from guarded_rows(rows, convert, ctx, file, "visit", "id")
