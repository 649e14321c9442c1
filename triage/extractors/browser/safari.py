"""Safari history on macOS and iOS: ``History.db``, the older ``History.plist`` and
``Downloads.plist``.

Where it lives: macOS ``~/Library/Safari/History.db`` (Safari 17+ profiles under
``Safari/Profiles/<uuid>/``; sandboxed ``Library/Containers/com.apple.Safari/Data/Library/
Safari/``); iOS ``/private/var/mobile/Library/Safari/History.db`` and, iOS 17+, app containers
``.../Library/Safari/Profiles/<uuid>/History.db`` (iLEAPP ``safariHistory.py``; dissect.target
``safari.py``). Before Safari 8 the history was ``History.plist`` (plaso ``plist_plugins/
safari.py``). A History.db copied elsewhere is found by its tables.

What a row means (plaso ``sqlite_plugins/safari.py``, iLEAPP ``safariHistory.py``):

- ``history_visits``: one row per visit; ``visit_time`` Cocoa seconds since 2001-01-01 UTC
  (iLEAPP notes that recent iOS may store Unix seconds: a value too large to be a Cocoa date of
  this century is read as Unix); ``history_item`` -> ``history_items`` (url, visit_count);
  ``title`` is the visit's title; ``redirect_source`` the visit that redirected here;
  ``origin`` 1 means synced from iCloud; ``load_successful`` 0 a failed load.
- ``History.plist`` ``WebHistoryDates``: one entry per URL (key ``""``), ``title``,
  ``lastVisitedDate`` (Cocoa seconds as a string), ``visitCount``, ``redirectURLs``.
- ``Downloads.plist`` ``DownloadHistory``: ``DownloadEntryURL``, ``DownloadEntryPath``,
  ``DownloadEntryProgressBytesSoFar``/``TotalToLoad``, ``DownloadEntryDateAddedKey``/
  ``DateFinishedKey`` (iLEAPP ``safariDownloads.py``).
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, ClassVar

from triage.extractors.base import ExtractionContext, StoredFile, profile_user, sqlite_tables
from triage.extractors.browser.browser_names import Owner
from triage.extractors.browser.sqlite_reading import SqliteBrowserExtractor, table_rows
from triage.extractors.browser.visit_rows import VisitTables, visits_query
from triage.extractors.plists import PLIST_DAMAGE
from triage.extractors.values import integer, join_detail, raw, text, url_text
from triage.records import BrowserDownload, BrowserVisit
from triage.timestamps import from_cocoa, from_unix_seconds

COCOA_NOTE = "Cocoa time: seconds since 2001-01-01 UTC"
UNIX_NOTE = "Unix seconds, UTC (value too large for Cocoa time)"
PLIST_NOTE = "Cocoa time of the last visit: History.plist keeps one entry per URL"
COCOA_LIMIT = 1.5e9  # Cocoa seconds for the year 2048: larger values are Unix seconds
MAX_PLIST = 64 << 20  # bytes; a history plist is never that large
ITEM_COLUMNS = ("url", "visit_count")
VISIT_COLUMNS = (
    "id",
    "history_item",
    "visit_time",
    "title",
    "load_successful",
    "http_non_get",
    "synthesized",
    "redirect_source",
    "origin",
)
TABLES = VisitTables("history_visits", "history_item", "history_items", "redirect_source")


def safari_time(value: Any) -> tuple[datetime | None, str]:
    """Cocoa seconds, or Unix seconds when the value is too large to be Cocoa."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None, COCOA_NOTE
    if number > COCOA_LIMIT:
        return from_unix_seconds(number), UNIX_NOTE
    return from_cocoa(number), COCOA_NOTE


def safari_profile(path: PurePosixPath) -> str | None:
    """The Safari profile id (``Profiles/<uuid>/History.db``); None for the default one."""
    if path.parent.parent.name == "Profiles":
        return path.parent.name
    return None


class SafariHistory(SqliteBrowserExtractor):
    """Safari History.db visits, History.plist entries and Downloads.plist downloads."""

    name: ClassVar[str] = "safari.history"
    description: ClassVar[str] = (
        "Safari (macOS, iOS) History.db visits, legacy History.plist, Downloads.plist"
    )
    kind: ClassVar[str] = "Safari History.db"
    record_types: ClassVar[tuple[type, ...]] = (BrowserVisit, BrowserDownload)
    patterns: ClassVar[tuple[str, ...]] = (
        "**/Safari/History.db",
        "**/Safari/Profiles/*/History.db",
        "**/Safari/History.plist",
        "**/Safari/Downloads.plist",
    )
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"history_items", "history_visits"})

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[Any]:
        """History.db through SQLite, the plists through plistlib."""
        databases = [file for file in files if not file.path.name.lower().endswith(".plist")]
        yield from super().extract(databases, ctx)
        for file in files:
            name = file.path.name.lower()
            if name == "history.plist":
                yield from self._plist_history(file, ctx)
            elif name == "downloads.plist":
                yield from self._plist_downloads(file, ctx)

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """``history_items`` and ``history_visits``."""
        return {"history_items", "history_visits"} <= sqlite_tables(connection)

    def read(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[BrowserVisit]:
        """Every visit, in row order."""
        owner = Owner("Safari", safari_profile(file.path), profile_user(file.path))

        def convert(row: sqlite3.Row) -> BrowserVisit:
            visited, note = safari_time(row["visit_time"])
            url = url_text(row["page_url"])
            redirected = row["redirect_source"] is not None
            return BrowserVisit(
                source=ctx.source_ref(file),
                browser=owner.browser,
                profile=owner.profile,
                user=owner.user,
                url=url or "",
                title=text(row["title"]) or None,
                visited=visited,
                visited_raw=raw(row["visit_time"]),
                transition="redirect" if redirected else None,
                visit_count=integer(row["page_visit_count"]),
                typed_count=None,
                from_url=url_text(row["from_url"]),
                visit_id=integer(row["id"]),
                time_note=note,
                detail=join_detail(
                    f"history item {row['history_item']} missing" if url is None else None,
                    "synced from iCloud" if integer(row["origin"]) == 1 else None,
                    "load failed" if integer(row["load_successful"]) == 0 else None,
                    "HTTP non-GET (form post)" if integer(row["http_non_get"]) else None,
                    "synthesized" if integer(row["synthesized"]) else None,
                ),
            )

        sql = visits_query(connection, TABLES, VISIT_COLUMNS, ITEM_COLUMNS)
        yield from table_rows(connection, sql, convert, ctx, file, "visit", "id")

    # -- plists ------------------------------------------------------------------------------
    @staticmethod
    def _load_plist(file: StoredFile, ctx: ExtractionContext, key: str) -> list[Any]:
        if file.size > MAX_PLIST:
            ctx.problem(f"plist larger than {MAX_PLIST} bytes: not read", file)
            return []
        try:
            data = plistlib.loads(ctx.read_bytes(file))
        except (*PLIST_DAMAGE, OSError) as error:
            ctx.problem(f"not a readable plist: {type(error).__name__}: {error}", file)
            return []
        entries = data.get(key) if isinstance(data, dict) else None
        if not isinstance(entries, list):
            ctx.problem(f"plist has no {key} list", file, "warning")
            return []
        return entries

    def _plist_history(self, file: StoredFile, ctx: ExtractionContext) -> Iterator[BrowserVisit]:
        owner = Owner("Safari", None, profile_user(file.path))
        for index, entry in enumerate(self._load_plist(file, ctx, "WebHistoryDates")):
            if not isinstance(entry, dict):
                ctx.problem(f"history entry {index} is not a dictionary: skipped", file)
                continue
            try:
                stamp = entry.get("lastVisitedDate")
                visited, _ = safari_time(stamp)
                redirects = entry.get("redirectURLs")
                redirect_text = (
                    "redirected to " + ", ".join(url_text(url) or "" for url in redirects)
                    if isinstance(redirects, list) and redirects
                    else None
                )
                yield BrowserVisit(
                    source=ctx.source_ref(file),
                    browser=owner.browser,
                    profile=owner.profile,
                    user=owner.user,
                    url=url_text(entry.get("")) or "",
                    title=text(entry.get("title")),
                    visited=visited,
                    visited_raw=raw(stamp),
                    transition=None,
                    visit_count=integer(entry.get("visitCount")),
                    typed_count=None,
                    from_url=None,
                    visit_id=index,
                    time_note=PLIST_NOTE,
                    detail=redirect_text,
                )
            except PLIST_DAMAGE as error:
                ctx.problem(f"history entry {index} skipped: {type(error).__name__}", file)

    def _plist_downloads(
        self, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[BrowserDownload]:
        owner = Owner("Safari", None, profile_user(file.path))
        for index, entry in enumerate(self._load_plist(file, ctx, "DownloadHistory")):
            if not isinstance(entry, dict):
                ctx.problem(f"download entry {index} is not a dictionary: skipped", file)
                continue
            url = url_text(entry.get("DownloadEntryURL"))
            added = _plist_date(entry.get("DownloadEntryDateAddedKey"))
            finished = _plist_date(entry.get("DownloadEntryDateFinishedKey"))
            received = integer(entry.get("DownloadEntryProgressBytesSoFar"))
            total = integer(entry.get("DownloadEntryProgressTotalToLoad"))
            yield BrowserDownload(
                source=ctx.source_ref(file),
                browser=owner.browser,
                profile=owner.profile,
                user=owner.user,
                url=url,
                url_chain=(url,) if url else (),
                referrer=None,
                target_path=text(entry.get("DownloadEntryPath")),
                started=added,
                started_raw=raw(added.isoformat() if added else None),
                ended=finished,
                ended_raw=raw(finished.isoformat() if finished else None),
                received_bytes=received,
                total_bytes=total,
                state="complete" if finished else None,
                danger=None,
                time_note="plist dates (UTC)",
            )


def _plist_date(value: Any) -> datetime | None:
    """A plist <date> (naive UTC from plistlib) as an aware datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None
