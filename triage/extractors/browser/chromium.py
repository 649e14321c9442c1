"""Chromium-family history: Chrome, Edge, Brave, Opera, Vivaldi, Yandex, Chromium, Samsung
Internet and Android WebView, on Windows, macOS, Linux and Android.

Where it lives: ``<User Data>/<profile>/History`` with profiles ``Default``, ``Profile N``,
``Guest Profile`` and ``Snapshots/<version>/<profile>`` (dissect.target ``chrome.py`` and
``edge.py`` DIRS; ARTIFACTS.md); on Android ``/data/data/<package>/app_chrome/Default/History``
(Chrome, and Edge/Brave which reuse ``app_chrome``), ``app_sbrowser`` (Samsung Internet),
``app_webview`` (apps embedding WebView), ``app_opera`` (ALEAPP ``chrome.py``). A History file
copied anywhere else is found by its tables (``urls`` + ``visits``).

What a row means (Chromium ``components/history/core/browser/history_database.cc`` and
``visit_database.cc``; plaso ``chrome_history.py``; Hindsight ``chrome.py``):

- ``visits``: one row per page visit; ``visit_time`` is WebKit microseconds since 1601-01-01
  UTC; ``url`` points at ``urls.id`` (URL, title, visit and typed counts); ``from_visit`` is the
  visit this one came from (the referrer); ``transition`` the core type and qualifiers
  (:mod:`chromium_codes`); ``visit_source`` says when a visit was synced from another device.
- ``downloads``: one row per download; ``downloads_url_chains`` the URLs from first request to
  final (Chrome 26+, History version 24+). Before that the row held ``full_path`` and ``url`` and
  ``start_time`` in Unix seconds (plaso ``GoogleChrome8HistoryPlugin``).
- ``keyword_search_terms``: terms typed into a search engine, keyed to the results page URL.

Columns differ by version, so each is read only when the schema has it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from triage.extractors.base import (
    ExtractionContext,
    StoredFile,
    profile_user,
    sqlite_tables,
    table_columns,
)
from triage.extractors.browser import chromium_codes as codes
from triage.extractors.browser.browser_names import Owner, chromium_browser, profile_name
from triage.extractors.browser.sqlite_reading import SqliteBrowserExtractor, table_rows
from triage.extractors.browser.visit_rows import VisitTables, visits_query
from triage.extractors.sqlite_rows import select_list
from triage.extractors.values import decode, integer, join_detail, raw, text, url_text
from triage.records import BrowserDownload, BrowserSearch, BrowserVisit
from triage.recover.engine import RecoveredRow
from triage.recover.integration import (
    Link,
    NameLink,
    RecoverySpec,
    plausible_download,
    plausible_search,
    plausible_visit,
)
from triage.timestamps import from_unix_seconds, from_webkit

WEBKIT_NOTE = "WebKit time: microseconds since 1601-01-01 UTC"
UNIX_NOTE = "old Chromium download: Unix seconds, UTC"
SEARCH_NOTE = "WebKit time of the last visit of the search results page"
UNIX_SECONDS_LIMIT = 10**11  # a WebKit microsecond value of a real date is ~1.3e16

URL_COLUMNS = ("url", "title", "visit_count", "typed_count", "hidden")
VISIT_COLUMNS = (
    "id",
    "url",
    "visit_time",
    "from_visit",
    "transition",
    "visit_duration",
    "external_referrer_url",
    "opener_visit",
)
TABLES = VisitTables("visits", "url", "urls", "from_visit", zero_is_none=True)
DOWNLOAD_COLUMNS = (
    "id",
    "current_path",
    "target_path",
    "full_path",
    "url",
    "start_time",
    "end_time",
    "received_bytes",
    "total_bytes",
    "state",
    "danger_type",
    "interrupt_reason",
    "opened",
    "referrer",
    "tab_url",
    "tab_referrer_url",
    "site_url",
    "mime_type",
    "by_ext_name",
)


def search_row(row: RecoveredRow) -> bool:
    """A recovered ``keyword_search_terms`` row: ids that are integers and the normalized term
    Chromium derives from the term (lower case, runs of white space as one space); a carved
    candidate whose two texts do not agree so was not a row."""
    values = row.values
    term, normalized = values.get("term"), values.get("normalized_term")
    if not isinstance(term, str) or not isinstance(normalized, str):
        return False
    ids = (values.get("keyword_id"), values.get("url_id"))
    if not all(isinstance(value, int) for value in ids):
        return False
    return " ".join(normalized.casefold().split()) == " ".join(term.casefold().split())


def chromium_time(value: Any) -> tuple[datetime | None, str | None]:
    """A WebKit time, or Unix seconds for the small values old download rows hold."""
    number = integer(value)
    if number is not None and 0 < number < UNIX_SECONDS_LIMIT:
        return from_unix_seconds(number), UNIX_NOTE
    return from_webkit(value), WEBKIT_NOTE


class ChromiumHistory(SqliteBrowserExtractor):
    """Chromium-family History databases: visits, downloads and search terms."""

    name: ClassVar[str] = "chromium.history"
    description: ClassVar[str] = (
        "Chromium-family History (Chrome, Edge, Brave, Opera, Vivaldi, Yandex, Samsung Internet, "
        "WebView): visits, downloads, search terms"
    )
    kind: ClassVar[str] = "Chromium History"
    record_types: ClassVar[tuple[type, ...]] = (BrowserVisit, BrowserDownload, BrowserSearch)
    patterns: ClassVar[tuple[str, ...]] = (
        # Windows, macOS, Linux: <vendor>/<product>/User Data/<profile>/History and snapshots
        "**/User Data/*/History",
        "**/User Data/*/Archived History",
        "**/User Data/Snapshots/*/*/History",
        "**/Google/Chrome*/*/History",
        "**/Microsoft Edge*/*/History",
        "**/BraveSoftware/Brave-Browser*/*/History",
        "**/Vivaldi/*/History",
        "**/Yandex/YandexBrowser/*/History",
        "**/Chromium/*/History",
        "**/Opera Software/Opera*/History",
        "**/Opera Software/Opera*/*/History",
        "**/com.operasoftware.Opera*/History",
        "**/com.operasoftware.Opera*/*/History",
        "**/.config/google-chrome*/*/History",
        "**/.config/chromium/*/History",
        "**/.config/microsoft-edge*/*/History",
        "**/.config/BraveSoftware/Brave-Browser*/*/History",
        "**/.config/vivaldi*/*/History",
        "**/.config/yandex-browser*/*/History",
        "**/.config/opera*/History",
        "**/snap/chromium/common/chromium/*/History",
        # Android
        "**/app_chrome/*/History",
        "**/app_sbrowser/*/History",
        "**/app_webview/*/History",
        "**/app_webview/History",
        "**/app_opera/History",
    )
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"urls", "visits"})
    recovery: ClassVar[tuple[RecoverySpec, ...]] = (
        RecoverySpec(
            ("visits",),
            "visit_id",
            plausible_visit,
            lookups=("urls",),
            links=(Link("url", "visit_time", "urls", "last_visit_time"),),
            empty=("downloads", "keyword_search_terms"),
            same_row=("url", "visit_time"),
        ),
        # a download is tied back to its row by its start time, a search by its term: neither
        # record carries the row's id
        RecoverySpec(
            ("downloads",),
            "started_raw",
            plausible_download,
            lookups=("downloads_url_chains",),
            key_column="start_time",
            key_is_value=True,
            empty=("visits", "keyword_search_terms"),
            same_row=("guid",),
            carved_lookups=("downloads_url_chains",),
            name_links=(
                NameLink("downloads_url_chains", "id", "chain_index", "url", "target_path"),
            ),
        ),
        RecoverySpec(
            ("keyword_search_terms",),
            "term",
            plausible_search,
            lookups=("urls",),
            key_column="term",
            key_is_value=True,
            row_check=search_row,
            empty=("visits", "downloads"),
        ),
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """Chromium's ``urls`` and ``visits`` (Epiphany has both names but no transition)."""
        tables = sqlite_tables(connection)
        if not {"urls", "visits"} <= tables:
            return False
        visits = {column.lower() for column in table_columns(connection, "visits")}
        return {"url", "visit_time", "transition"} <= visits

    def read(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[Any]:
        """Visits, then downloads, then search terms."""
        tables = sqlite_tables(connection)
        owner = Owner(chromium_browser(file.path), profile_name(file.path), profile_user(file.path))
        yield from self._visits(connection, tables, owner, file, ctx)
        if "downloads" in tables:
            yield from self._downloads(connection, tables, owner, file, ctx)
        if "keyword_search_terms" in tables:
            yield from self._searches(connection, owner, file, ctx)

    # -- visits ------------------------------------------------------------------------------
    def _visits(
        self,
        connection: sqlite3.Connection,
        tables: set[str],
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> Iterator[BrowserVisit]:
        source_select = "vs.source AS source" if "visit_source" in tables else "NULL AS source"
        source_join = (
            "LEFT JOIN visit_source vs ON vs.id = v.id" if "visit_source" in tables else ""
        )
        sql = visits_query(
            connection, TABLES, VISIT_COLUMNS, URL_COLUMNS, source_select, source_join
        )
        yield from table_rows(
            connection,
            sql,
            lambda row: self._visit(row, owner, file, ctx),
            ctx,
            file,
            "visit",
            "id",
        )

    def _visit(
        self, row: sqlite3.Row, owner: Owner, file: StoredFile, ctx: ExtractionContext
    ) -> BrowserVisit:
        url = url_text(row["page_url"])
        missing = f"URL row {row['url']} missing" if url is None else None
        hidden = "hidden" if integer(row["page_hidden"]) else None
        source = decode(codes.VISIT_SOURCES, integer(row["source"]))
        duration = integer(row["visit_duration"])
        seconds = f"on page {duration / 1e6:g} s" if duration and duration > 0 else None
        external = text(row["external_referrer_url"])
        return BrowserVisit(
            source=ctx.source_ref(file),
            browser=owner.browser,
            profile=owner.profile,
            user=owner.user,
            url=url or "",
            title=text(row["page_title"]),
            visited=from_webkit(row["visit_time"]),
            visited_raw=raw(row["visit_time"]),
            transition=codes.decode_transition(integer(row["transition"])),
            visit_count=integer(row["page_visit_count"]),
            typed_count=integer(row["page_typed_count"]),
            from_url=url_text(row["from_url"]) or url_text(external),
            visit_id=integer(row["id"]),
            time_note=WEBKIT_NOTE,
            detail=join_detail(missing, source if source != "browsed" else None, hidden, seconds),
        )

    # -- downloads ---------------------------------------------------------------------------
    def _downloads(
        self,
        connection: sqlite3.Connection,
        tables: set[str],
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> Iterator[BrowserDownload]:
        chains = self._chains(connection, file, ctx) if "downloads_url_chains" in tables else {}
        select, _ = select_list(connection, "downloads", DOWNLOAD_COLUMNS, alias="d")
        sql = f"SELECT {select} FROM downloads d ORDER BY d.id"
        yield from table_rows(
            connection,
            sql,
            lambda row: self._download(row, chains, owner, file, ctx),
            ctx,
            file,
            "download",
            "id",
        )

    @staticmethod
    def _chains(
        connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> dict[int, list[str]]:
        chains: dict[int, list[str]] = {}
        sql = "SELECT id, chain_index, url FROM downloads_url_chains ORDER BY id, chain_index"
        for row in table_rows(connection, sql, lambda row: row, ctx, file, "download URL chain"):
            ident = integer(row["id"])
            if ident is not None:
                chains.setdefault(ident, []).append(url_text(row["url"]) or "")
        return chains

    def _download(
        self,
        row: sqlite3.Row,
        chains: dict[int, list[str]],
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> BrowserDownload:
        chain = tuple(chains.get(integer(row["id"]) or -1, ()))
        if not chain and row["url"]:
            chain = (url_text(row["url"]) or "",)
        started, note = chromium_time(row["start_time"])
        ended, _ = chromium_time(row["end_time"])
        interrupt = integer(row["interrupt_reason"])
        reason = codes.INTERRUPT_REASONS.get(interrupt or 0) if interrupt else None
        return BrowserDownload(
            source=ctx.source_ref(file),
            browser=owner.browser,
            profile=owner.profile,
            user=owner.user,
            url=chain[-1] if chain else None,
            url_chain=chain,
            referrer=url_text(row["referrer"]) or None,
            target_path=text(row["target_path"]) or text(row["full_path"]) or None,
            started=started,
            started_raw=raw(row["start_time"]),
            ended=ended,
            ended_raw=raw(row["end_time"]),
            received_bytes=integer(row["received_bytes"]),
            total_bytes=integer(row["total_bytes"]),
            state=decode(codes.DOWNLOAD_STATES, integer(row["state"])),
            danger=decode(codes.DANGER_TYPES, integer(row["danger_type"])),
            mime=text(row["mime_type"]) or None,
            time_note=note,
            detail=join_detail(
                f"tab URL {url_text(row['tab_url'])}" if row["tab_url"] else None,
                f"interrupted: {reason or interrupt}" if interrupt else None,
                "opened" if integer(row["opened"]) else None,
                f"by extension {text(row['by_ext_name'])}" if row["by_ext_name"] else None,
            ),
        )

    # -- search terms ------------------------------------------------------------------------
    def _searches(
        self,
        connection: sqlite3.Connection,
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> Iterator[BrowserSearch]:
        sql = (
            "SELECT k.rowid AS id, k.term AS term, u.url AS url, u.last_visit_time AS searched "
            "FROM keyword_search_terms k LEFT JOIN urls u ON u.id = k.url_id ORDER BY k.rowid"
        )

        def convert(row: sqlite3.Row) -> BrowserSearch:
            return BrowserSearch(
                source=ctx.source_ref(file),
                browser=owner.browser,
                profile=owner.profile,
                user=owner.user,
                term=text(row["term"]) or "",
                url=url_text(row["url"]),
                searched=from_webkit(row["searched"]),
                searched_raw=raw(row["searched"]),
                time_note=SEARCH_NOTE,
            )

        yield from table_rows(connection, sql, convert, ctx, file, "search term", "id")
