"""Firefox (and other Gecko browsers) history and downloads: ``places.sqlite`` and the legacy
``downloads.sqlite``.

Where it lives: Windows ``%APPDATA%\\Mozilla\\Firefox\\Profiles\\<profile>\\places.sqlite``, macOS
``~/Library/Application Support/Firefox/Profiles/<profile>/``, Linux ``~/.mozilla/firefox/
<profile>/`` (also snap and Flatpak), Android ``/data/data/org.mozilla.*/files/places.sqlite``
(dissect.target ``firefox.py``, ALEAPP ``firefox.py``). Tor Browser, Waterfox and LibreWolf
keep the same file. Any ``places.sqlite`` is read when its schema has ``moz_places`` and
``moz_historyvisits``; a copy under another name is found by those tables.

What a row means (Mozilla ``toolkit/components/places/nsPlacesTables.h``,
``nsINavHistoryService.idl``; plaso ``firefox_history.py``):

- ``moz_historyvisits``: one row per visit; ``visit_date`` PRTime (microseconds since
  1970-01-01 UTC); ``place_id`` -> ``moz_places`` (url, title, visit_count, typed);
  ``from_visit`` the referring visit; ``visit_type`` 1 link, 2 typed, 3 bookmark, 4 embed,
  5 permanent redirect, 6 temporary redirect, 7 download, 8 framed link, 9 reload.
- Downloads (Firefox 26+): ``moz_annos`` rows of the attributes ``downloads/destinationFileURI``
  (target as a file: URI) and ``downloads/metaData`` (JSON: state, endTime in Unix ms, fileSize)
  on the source URL's place; the start is the annotation's ``dateAdded`` (Mozilla
  ``DownloadHistory.sys.mjs``; dissect.target ``firefox.py`` downloads).
- ``downloads.sqlite`` (before Firefox 26): ``moz_downloads`` with source, target, startTime and
  endTime (PRTime), currBytes, maxBytes, state (plaso ``firefox_downloads.py``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import unquote, urlparse

from triage.extractors.base import ExtractionContext, StoredFile, profile_user, sqlite_tables
from triage.extractors.browser.browser_names import Owner, gecko_browser, profile_name
from triage.extractors.browser.sqlite_reading import SqliteBrowserExtractor, table_rows
from triage.extractors.browser.visit_rows import (
    PlacesFormat,
    VisitTables,
    places_visit,
    visits_query,
)
from triage.extractors.sqlite_rows import select_list
from triage.extractors.values import decode, integer, join_detail, raw, text, url_text
from triage.records import BrowserDownload, BrowserVisit
from triage.recover.integration import Link, RecoverySpec, plausible_download, plausible_visit
from triage.timestamps import from_unix_ms, from_unix_us

PRTIME_NOTE = "PRTime: microseconds since 1970-01-01 UTC"
VISIT_TYPES = {
    1: "link",
    2: "typed",
    3: "bookmark",
    4: "embed",
    5: "redirect permanent",
    6: "redirect temporary",
    7: "download",
    8: "framed link",
    9: "reload",
}
# DownloadHistory.sys.mjs METADATA_STATE_* (places annotations) and nsIDownloadManager
# DOWNLOAD_* (legacy downloads.sqlite) share these numbers.
DOWNLOAD_STATES = {
    0: "in progress",
    1: "complete",
    2: "failed",
    3: "cancelled",
    4: "paused",
    5: "queued",
    6: "blocked (parental control)",
    7: "scanning",
    8: "blocked (virus scan)",
    9: "blocked (policy)",
}
PLACE_COLUMNS = ("url", "title", "visit_count", "typed", "hidden")
VISIT_COLUMNS = ("id", "place_id", "visit_date", "visit_type", "from_visit", "source")
TABLES = VisitTables("moz_historyvisits", "place_id", "moz_places", "from_visit", zero_is_none=True)
FORMAT = PlacesFormat("visit_date", "page_typed", VISIT_TYPES, PRTIME_NOTE)
LEGACY_COLUMNS = (
    "id",
    "name",
    "source",
    "target",
    "startTime",
    "endTime",
    "state",
    "referrer",
    "currBytes",
    "maxBytes",
    "mimeType",
)


def file_uri_path(value: str | None) -> str | None:
    """``file:///C:/Users/x/a.exe`` -> ``C:/Users/x/a.exe`` (unquoted); other text unchanged."""
    if not value:
        return value
    if not value.lower().startswith("file:"):
        return value
    path = unquote(urlparse(value).path)
    if len(path) > 2 and path[0] == "/" and path[2] == ":":
        path = path[1:]  # /C:/... -> C:/...
    return path


class FirefoxHistory(SqliteBrowserExtractor):
    """Firefox places.sqlite visits and downloads; legacy downloads.sqlite."""

    name: ClassVar[str] = "firefox.history"
    description: ClassVar[str] = (
        "Firefox/Gecko places.sqlite visits and downloads, legacy downloads.sqlite"
    )
    kind: ClassVar[str] = "Firefox history"
    record_types: ClassVar[tuple[type, ...]] = (BrowserVisit, BrowserDownload)
    patterns: ClassVar[tuple[str, ...]] = ("**/places.sqlite", "**/downloads.sqlite")
    sqlite_tables: ClassVar[frozenset[str]] = frozenset({"moz_places", "moz_historyvisits"})
    recovery: ClassVar[tuple[RecoverySpec, ...]] = (
        RecoverySpec(
            ("moz_historyvisits",),
            "visit_id",
            plausible_visit,
            lookups=("moz_places",),
            links=(Link("place_id", "visit_date", "moz_places", "last_visit_date"),),
            empty=("moz_annos",),
            same_row=("place_id", "visit_date"),
        ),
        # a download's annotations, tied back by their dateAdded (the record's start time);
        # the download's URL is its place's (live, or recovered whole)
        RecoverySpec(
            ("moz_annos",),
            "started_raw",
            plausible_download,
            lookups=("moz_places",),
            key_column="dateAdded",
            key_is_value=True,
            empty=("moz_historyvisits",),
            same_row=("place_id", "anno_attribute_id"),
        ),
        RecoverySpec(
            ("moz_downloads",),
            "started_raw",
            plausible_download,
            key_column="startTime",
            key_is_value=True,
            same_row=("source", "startTime"),
        ),
    )

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """places.sqlite (moz_places + moz_historyvisits) or downloads.sqlite (moz_downloads)."""
        tables = sqlite_tables(connection)
        return {"moz_places", "moz_historyvisits"} <= tables or "moz_downloads" in tables

    def read(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[Any]:
        """Visits, then annotation downloads, then legacy downloads."""
        tables = sqlite_tables(connection)
        owner = Owner(gecko_browser(file.path), profile_name(file.path), profile_user(file.path))
        if {"moz_places", "moz_historyvisits"} <= tables:
            yield from self._visits(connection, owner, file, ctx)
            if {"moz_annos", "moz_anno_attributes"} <= tables:
                yield from self._annotation_downloads(connection, owner, file, ctx)
        if "moz_downloads" in tables:
            yield from self._legacy_downloads(connection, owner, file, ctx)

    def _visits(
        self,
        connection: sqlite3.Connection,
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> Iterator[BrowserVisit]:
        def convert(row: sqlite3.Row) -> BrowserVisit:
            missing = f"place row {row['place_id']} missing" if row["page_url"] is None else None
            hidden = "hidden" if integer(row["page_hidden"]) else None
            return places_visit(
                row, owner, ctx.source_ref(file), FORMAT, join_detail(missing, hidden)
            )

        sql = visits_query(connection, TABLES, VISIT_COLUMNS, PLACE_COLUMNS)
        yield from table_rows(connection, sql, convert, ctx, file, "visit", "id")

    def _annotation_downloads(
        self,
        connection: sqlite3.Connection,
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> Iterator[BrowserDownload]:
        sql = (
            "SELECT a.place_id AS id, p.url AS url, n.name AS name, a.content AS content, "
            "a.dateAdded AS added FROM moz_annos a "
            "JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id "
            "LEFT JOIN moz_places p ON p.id = a.place_id "
            "WHERE n.name LIKE 'downloads/%' ORDER BY a.place_id, a.id"
        )
        places: dict[int, dict[str, Any]] = {}
        for row in table_rows(connection, sql, lambda row: row, ctx, file, "download annotation"):
            entry = places.setdefault(integer(row["id"]) or 0, {"url": row["url"]})
            entry[str(row["name"])] = row["content"]
            added = integer(row["added"])
            if added and (entry.get("added") is None or added < entry["added"]):
                entry["added"] = added
        for place_id, entry in places.items():
            try:
                yield self._annotation_download(entry, owner, file, ctx)
            except (ValueError, TypeError) as error:
                ctx.problem(f"download of place {place_id} skipped: {error}", file)

    @staticmethod
    def _annotation_download(
        entry: dict[str, Any], owner: Owner, file: StoredFile, ctx: ExtractionContext
    ) -> BrowserDownload:
        meta: dict[str, Any] = {}
        meta_text = entry.get("downloads/metaData")
        if meta_text:
            try:
                loaded = json.loads(text(meta_text, 1 << 16) or "")
            except ValueError:
                ctx.problem("download metaData is not JSON", file, "warning")
                loaded = {}
            meta = loaded if isinstance(loaded, dict) else {}
        url = url_text(entry.get("url"))
        target = text(entry.get("downloads/destinationFileURI")) or text(
            entry.get("downloads/destinationFileName")
        )
        size = integer(meta.get("fileSize"))
        state = integer(meta.get("state"))
        return BrowserDownload(
            source=ctx.source_ref(file),
            browser=owner.browser,
            profile=owner.profile,
            user=owner.user,
            url=url,
            url_chain=(url,) if url else (),
            referrer=None,
            target_path=file_uri_path(target),
            started=from_unix_us(entry.get("added")),
            started_raw=raw(entry.get("added")),
            ended=from_unix_ms(meta.get("endTime")),
            ended_raw=raw(meta.get("endTime")),
            received_bytes=size if state == 1 else None,
            total_bytes=size,
            state=decode(DOWNLOAD_STATES, state),
            danger=None,
            time_note=(
                "start: annotation dateAdded, PRTime (µs since 1970 UTC); "
                "end: metaData endTime, Unix ms UTC"
            ),
            detail="deleted from disk" if meta.get("deleted") else None,
        )

    def _legacy_downloads(
        self,
        connection: sqlite3.Connection,
        owner: Owner,
        file: StoredFile,
        ctx: ExtractionContext,
    ) -> Iterator[BrowserDownload]:
        select, _ = select_list(connection, "moz_downloads", LEGACY_COLUMNS, alias="d")

        def convert(row: sqlite3.Row) -> BrowserDownload:
            url = url_text(row["source"])
            state = integer(row["state"])
            return BrowserDownload(
                source=ctx.source_ref(file),
                browser=owner.browser,
                profile=owner.profile,
                user=owner.user,
                url=url,
                url_chain=(url,) if url else (),
                referrer=url_text(row["referrer"]),
                target_path=file_uri_path(text(row["target"])),
                started=from_unix_us(row["startTime"]),
                started_raw=raw(row["startTime"]),
                ended=from_unix_us(row["endTime"]),
                ended_raw=raw(row["endTime"]),
                received_bytes=integer(row["currBytes"]),
                total_bytes=integer(row["maxBytes"]),
                state=(decode(DOWNLOAD_STATES, state)),
                danger=None,
                mime=text(row["mimeType"]) or None,
                time_note=PRTIME_NOTE,
                detail=f"target URI {text(row['target'])}" if row["target"] else None,
            )

        sql = f"SELECT {select} FROM moz_downloads d ORDER BY d.id"
        yield from table_rows(connection, sql, convert, ctx, file, "download", "id")
