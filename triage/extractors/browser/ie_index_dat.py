"""Internet Explorer 4-9 history: ``index.dat`` (MSIE Cache File) under ``History.IE5``.

Where it lives: ``%LOCALAPPDATA%\\Microsoft\\Windows\\History\\History.IE5\\index.dat`` (the
master history), its daily and weekly ``MSHist01<dates>\\index.dat`` containers and the
``Low\\History.IE5`` copies of protected mode; Windows XP ``Local Settings\\History\\
History.IE5`` (ARTIFACTS.md; plaso ``msiecf.py``). Read with pymsiecf (libmsiecf, the format
documentation ``MSIE Cache File (index.dat) format``).

What an entry means (plaso ``parsers/msiecf.py``): one URL record per visited URL, its location
``Visited: <user>@<url>``, ``number_of_hits`` the visit count. Times by container type: master
``history`` and ``history-daily``: the primary time is the last visit in UTC; in
``history-weekly`` the primary time is when the entry was created and the secondary time the
last visit in the machine's local time. Entries pymsiecf recovers from unused space of the file
are kept and say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pymsiecf

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.browser.ie_location import history_title, split_location
from triage.extractors.values import join_detail, raw
from triage.records import BrowserVisit
from triage.timestamps import from_filetime

UTC_NOTE = "FILETIME, UTC: last visit (index.dat primary time)"
LOCAL_NOTE = (
    "FILETIME in the machine's local time (weekly history secondary time): time zone unknown, "
    "shown as if UTC"
)
BROWSER = "Internet Explorer"


class IeIndexDat(Extractor):
    """Internet Explorer History.IE5 index.dat visits."""

    name: ClassVar[str] = "ie.index_dat"
    description: ClassVar[str] = "Internet Explorer 4-9 History.IE5 index.dat visits (pymsiecf)"
    record_types: ClassVar[tuple[type, ...]] = (BrowserVisit,)
    patterns: ClassVar[tuple[str, ...]] = (
        "**/History.IE5/index.dat",
        "**/History.IE5/*/index.dat",
    )

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Files with bytes."""
        return super().accepts(file, ctx) and file.size > 0

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[BrowserVisit]:
        """Every URL entry of every index.dat, then the recovered ones."""
        for file in files:
            msiecf = pymsiecf.file()
            try:
                msiecf.open(str(ctx.materialize(file, with_siblings=False)))
            except (OSError, ValueError) as error:
                ctx.problem(f"not a readable index.dat: {error}", file)
                continue
            try:
                yield from self._items(msiecf, file, ctx)
            finally:
                msiecf.close()

    def _items(
        self, msiecf: Any, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[BrowserVisit]:
        for recovered in (False, True):
            try:
                count = msiecf.number_of_recovered_items if recovered else msiecf.number_of_items
            except (OSError, ValueError) as error:
                ctx.problem(f"index.dat item list unreadable: {error}", file)
                continue
            for index in range(count):
                try:
                    item = msiecf.get_recovered_item(index) if recovered else msiecf.get_item(index)
                    if isinstance(item, pymsiecf.url):
                        yield self._visit(item, recovered, file, ctx)
                except (OSError, ValueError, TypeError, OverflowError) as error:
                    what = "recovered item" if recovered else "item"
                    ctx.problem(f"index.dat {what} {index} skipped: {error}", file)

    @staticmethod
    def _visit(
        item: Any, recovered: bool, file: StoredFile, ctx: ExtractionContext
    ) -> BrowserVisit:
        user, url = split_location(item.location)
        kind = item.type or ""
        if kind == "history-weekly":
            stamp = item.get_secondary_time_as_integer()
            note = LOCAL_NOTE
        else:
            stamp = item.get_primary_time_as_integer()
            note = UTC_NOTE
        title = history_title(item.data) if kind.startswith("history") else None
        return BrowserVisit(
            source=ctx.source_ref(file),
            browser=BROWSER,
            profile=None,
            user=user or profile_user(file.path),
            url=url,
            title=title,
            visited=from_filetime(stamp),
            visited_raw=raw(stamp),
            transition=None,
            visit_count=item.number_of_hits,
            typed_count=None,
            from_url=None,
            visit_id=item.offset,
            time_note=note,
            detail=join_detail(
                f"{kind or 'url'} entry at offset {item.offset}",
                "recovered from unused space of index.dat" if recovered else None,
            ),
        )
