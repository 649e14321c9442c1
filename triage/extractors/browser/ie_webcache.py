"""Internet Explorer 10/11 and legacy (EdgeHTML) Edge history: ``WebCacheV01.dat`` (ESE).

Where it lives: ``%LOCALAPPDATA%\\Microsoft\\Windows\\WebCache\\WebCacheV01.dat`` of each user
(dissect.target ``iexplore.py`` DIRS; ARTIFACTS.md). Read with pyesedb (libesedb).

What a row means (dissect.target ``iexplore.py``; plaso ``esedb_plugins/msie_webcache.py``): the
``Containers`` table names every container (``ContainerId``, ``Name``, ``Directory``); the
rows of container ``N`` are in table ``Container_N``. History containers (``History`` and the
daily/weekly ``MSHist...``) hold one row per visited URL: ``Url`` is ``Visited: <user>@<url>``,
``AccessedTime`` the last visit (FILETIME, UTC), ``AccessCount`` the visit count. The
``iedownload`` container holds downloads: ``ResponseHeaders`` is UTF-16 text whose last
NUL-separated fields are the source URL and the target path, ``AccessedTime`` when it finished.

The ESE reading (:func:`esedb_rows`) is kept apart from the conversion of a row
(:func:`history_visit`, :func:`download`) so the conversion is tested on plain rows; the
project has no ESE writer to build a WebCacheV01.dat fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pyesedb

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.browser.ie_location import split_location
from triage.extractors.values import integer, join_detail, raw, text, url_text
from triage.records import BrowserDownload, BrowserVisit, SourceRef
from triage.timestamps import from_filetime

BROWSER = "Internet Explorer / Edge (legacy)"
TIME_NOTE = "FILETIME, UTC (AccessedTime)"
HISTORY_PREFIXES = ("history", "mshist")
DOWNLOAD_CONTAINER = "iedownload"
ESE_ERRORS = (OSError, ValueError, TypeError, OverflowError, UnicodeDecodeError)
_INTEGER_TYPES = {
    pyesedb.column_types.BOOLEAN,
    pyesedb.column_types.INTEGER_8BIT_UNSIGNED,
    pyesedb.column_types.INTEGER_16BIT_SIGNED,
    pyesedb.column_types.INTEGER_16BIT_UNSIGNED,
    pyesedb.column_types.INTEGER_32BIT_SIGNED,
    pyesedb.column_types.INTEGER_32BIT_UNSIGNED,
    pyesedb.column_types.INTEGER_64BIT_SIGNED,
    pyesedb.column_types.CURRENCY,
}
_FLOAT_TYPES = {
    pyesedb.column_types.FLOAT_32BIT,
    pyesedb.column_types.DOUBLE_64BIT,
    pyesedb.column_types.DATE_TIME,
}
_TEXT_TYPES = {pyesedb.column_types.TEXT, pyesedb.column_types.LARGE_TEXT}


def _value(record: Any, index: int, column_type: int) -> Any:
    """One ESE value as a Python value (int, float, str or bytes)."""
    if record.is_long_value(index):
        data = record.get_value_data_as_long_value(index).get_data()
        if column_type in _TEXT_TYPES:
            return data.decode("utf-16-le", "replace") if data else None
        return data
    if column_type in _INTEGER_TYPES:
        return record.get_value_data_as_integer(index)
    if column_type in _FLOAT_TYPES:
        return record.get_value_data_as_floating_point(index)
    if column_type in _TEXT_TYPES:
        return record.get_value_data_as_string(index)
    return record.get_value_data(index)


def esedb_rows(table: Any, problem: Callable[[str], None]) -> Iterator[dict[str, Any]]:
    """Every record of an ESE table as ``{column: value}``; a bad record is a problem."""
    columns = [(column.name, column.type) for column in table.columns]
    for index in range(table.number_of_records):
        try:
            record = table.get_record(index)
            yield {
                name: _value(record, position, column_type)
                for position, (name, column_type) in enumerate(columns)
            }
        except ESE_ERRORS as error:
            problem(f"{table.name} record {index} skipped: {error}")


def history_visit(
    row: dict[str, Any], container: str, source: SourceRef, path_user: str | None
) -> BrowserVisit | None:
    """A visit from a history container row (None for a row without a URL)."""
    location = text(row.get("Url"), 1 << 16)
    if not location:
        return None
    user, url = split_location(location)
    stamp = integer(row.get("AccessedTime")) or integer(row.get("ModifiedTime"))
    return BrowserVisit(
        source=source,
        browser=BROWSER,
        profile=None,
        user=user or path_user,
        url=url,
        title=None,
        visited=from_filetime(stamp),
        visited_raw=raw(stamp),
        transition=None,
        visit_count=integer(row.get("AccessCount")),
        typed_count=None,
        from_url=None,
        visit_id=integer(row.get("EntryId")),
        time_note=TIME_NOTE,
        detail=f"container {container}",
    )


def download(row: dict[str, Any], source: SourceRef, path_user: str | None) -> BrowserDownload:
    """A download from an ``iedownload`` container row."""
    headers = row.get("ResponseHeaders")
    fields: list[str] = []
    if isinstance(headers, (bytes, bytearray)):
        fields = bytes(headers).decode("utf-16-le", "replace").split("\x00")
    elif isinstance(headers, str):
        fields = headers.split("\x00")
    url = url_text(fields[-3]) if len(fields) >= 3 else None
    target = text(fields[-2]) if len(fields) >= 3 else None
    stamp = integer(row.get("AccessedTime"))
    user, _ = split_location(text(row.get("Url"), 1 << 16))
    return BrowserDownload(
        source=source,
        browser=BROWSER,
        profile=None,
        user=user or path_user,
        url=url or None,
        url_chain=(url,) if url else (),
        referrer=None,
        target_path=target or None,
        started=None,
        started_raw=None,
        ended=from_filetime(stamp),
        ended_raw=raw(stamp),
        received_bytes=None,
        total_bytes=integer(row.get("FileSize")) or None,
        state=None,
        danger=None,
        time_note=TIME_NOTE,
        detail=join_detail(None if fields else "no ResponseHeaders: URL and path unknown"),
    )


class IeWebCache(Extractor):
    """Internet Explorer 10/11 and legacy Edge WebCacheV01.dat history and downloads."""

    name: ClassVar[str] = "ie.webcache"
    description: ClassVar[str] = (
        "Internet Explorer 10/11 and legacy Edge WebCacheV01.dat history and downloads (pyesedb)"
    )
    record_types: ClassVar[tuple[type, ...]] = (BrowserVisit, BrowserDownload)
    patterns: ClassVar[tuple[str, ...]] = ("**/WebCache/WebCacheV01.dat", "**/WebCacheV24.dat")

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Files with bytes."""
        return super().accepts(file, ctx) and file.size > 0

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[Any]:
        """History and download containers of every WebCache database."""
        for file in files:
            database = pyesedb.file()
            try:
                database.open(str(ctx.materialize(file, with_siblings=False)))
            except ESE_ERRORS as error:
                ctx.problem(f"not a readable ESE database: {error}", file)
                continue
            try:
                yield from self._containers(database, file, ctx)
            finally:
                database.close()

    def _containers(self, database: Any, file: StoredFile, ctx: ExtractionContext) -> Iterator[Any]:
        def problem(message: str) -> None:
            ctx.problem(message, file)

        try:
            containers = database.get_table_by_name("Containers")
        except ESE_ERRORS as error:
            ctx.problem(f"Containers table unreadable: {error}", file)
            return
        if containers is None:
            ctx.problem("no Containers table: not a WebCache database", file, "warning")
            return
        source = ctx.source_ref(file)
        path_user = profile_user(file.path)
        for container in esedb_rows(containers, problem):
            name = (text(container.get("Name")) or "").rstrip("\x00")
            lowered = name.lower()
            if not (lowered.startswith(HISTORY_PREFIXES) or lowered == DOWNLOAD_CONTAINER):
                continue
            ident = integer(container.get("ContainerId"))
            try:
                table = database.get_table_by_name(f"Container_{ident}")
            except ESE_ERRORS as error:
                ctx.problem(f"Container_{ident} ({name}) unreadable: {error}", file)
                continue
            if table is None:
                ctx.problem(f"Container_{ident} ({name}) is missing", file, "warning")
                continue
            for row in esedb_rows(table, problem):
                if lowered == DOWNLOAD_CONTAINER:
                    yield download(row, source, path_user)
                else:
                    visit = history_visit(row, name, source, path_user)
                    if visit is not None:
                        yield visit
