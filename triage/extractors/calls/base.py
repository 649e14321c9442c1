"""What every call-log extractor shares: one way to build a CallRecord and a guarded DB loop.

Call logs are SQLite databases for every app but MicroSIP, so :class:`SqliteCallExtractor`
opens each matched file through ``ctx.sqlite`` (a private copy with its WAL), hands the
connection to ``read_calls`` and turns a corrupt or truncated database into a problem: records
read before SQLite gave up are kept, the next file is still read. Each extractor converts one
row at a time inside :func:`triage.extractors.sqlite_rows.guarded_rows`, so a row with a garbage
value is reported by its id and skipped, never the whole table. Values are converted by
:mod:`triage.extractors.values`; :func:`text` and :func:`raw` mark a cut with the family's bare
``...[cut]``.

:func:`make_call` normalises the number once for all apps (``numbers.normalise_number``) so
that ``number_e164`` means the same thing in every table row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from triage.extractors import values
from triage.extractors.base import ExtractionContext, Extractor, StoredFile
from triage.extractors.calls.numbers import dialable_part, is_withheld, normalise_number
from triage.extractors.sqlite_rows import READ_ERRORS, ROW_ERRORS
from triage.extractors.values import join_detail
from triage.records import CallRecord
from triage.recover.integration import RecoverySpec, plausible_time, recovered_records

DIRECTIONS = ("incoming", "outgoing", "missed", "rejected", "blocked", "voicemail", "unknown")


def text(value: Any, limit: int = values.MAX_TEXT) -> str | None:
    """A stored value as text, cut at ``limit`` with a bare ``...[cut]`` (the family's marker)."""
    return values.text(value, limit, count_cut=False)


def number_text(value: Any) -> str | None:
    """A stored number as text; empty strings stay empty (they mean 'no number')."""
    result = text(value, 512)
    return result.strip("\x00") if result is not None else None


def seconds(value: Any) -> float | None:
    """A duration in seconds, or None when absent or not a sane number (negative, NaN)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number or number < 0 or number > 10 * 365 * 86400:
        return None
    return int(number) if number.is_integer() else round(number, 3)


def raw(value: Any) -> str | None:
    """The stored value kept beside a converted one, cut with the family's marker."""
    return values.raw(value, count_cut=False)


def make_call(
    ctx: ExtractionContext,
    file: StoredFile,
    *,
    app: str,
    number: Any,
    direction: str,
    started: datetime | None,
    started_raw: str | None,
    duration: float | None,
    answered: bool | None,
    account: str | None = None,
    contact_name: Any = None,
    call_type: str | None = None,
    location: Any = None,
    deleted: bool | None = None,
    detail: str | None = None,
    time_note: str | None = None,
    region: str | None = None,
    row_id: Any = None,
) -> CallRecord:
    """A CallRecord with the number normalised (``region`` first, then the device's country)."""
    stored = number_text(number)
    default_region = (region or "").strip().upper() or ctx.default_region
    e164, country = normalise_number(stored, default_region)
    if stored is not None and e164 is None and stored.strip() and not is_withheld(stored):
        detail = join_detail(detail, "number not normalised")
    if direction not in DIRECTIONS:
        direction = "unknown"
    return CallRecord(
        source=ctx.source_ref(file),
        app=app,
        number=stored,
        number_e164=e164,
        country=country,
        contact_name=text(contact_name),
        direction=direction,
        started=started,
        started_raw=started_raw,
        duration=duration,
        answered=answered,
        account=text(account),
        call_type=call_type,
        location=text(location),
        deleted=deleted,
        detail=detail,
        time_note=time_note,
        row_id=None if row_id is None else text(row_id, 64),
        region_assumed=_region_assumed(stored, e164, default_region),
    )


def _region_assumed(stored: str | None, e164: str | None, region: str | None) -> str | None:
    """The default region a number was read in: normalised and written without ``+``."""
    if not (stored and e164 and region):
        return None
    return None if dialable_part(stored).startswith("+") else region


def plausible_call(record: CallRecord) -> bool:
    """Whether a recovered call decodes to values a call log holds: a start time in the era
    of phones, a known direction, and a number that parses (or says it was withheld)."""
    number = (record.number or "").strip()
    return (
        plausible_time(record.started)
        and record.direction != "unknown"
        and bool(number)
        and (record.number_e164 is not None or is_withheld(number))
    )


class SqliteCallExtractor(Extractor):
    """Base of the SQLite call-log extractors: guarded open, ``read_calls`` per database."""

    record_types: ClassVar[tuple[type, ...]] = (CallRecord,)
    recovery: ClassVar[RecoverySpec | None] = None  # deleted calls to recover (triage.recover)

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Non-empty files whose schema ``recognise`` accepts.

        A file SQLite cannot open is kept, so that ``extract`` reports it as a problem.
        """
        if not super().accepts(file, ctx) or not file.size:
            return False
        try:
            with ctx.sqlite(file) as connection:
                return self.recognise(connection)
        except READ_ERRORS:
            return True

    def recognise(self, connection: sqlite3.Connection) -> bool:
        """Whether this database holds the extractor's tables (default: yes)."""
        return True

    def read_calls(
        self, connection: sqlite3.Connection, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[CallRecord]:
        """Calls of one database."""
        raise NotImplementedError

    def recovered(
        self,
        connection: sqlite3.Connection,
        file: StoredFile,
        ctx: ExtractionContext,
        live: list[CallRecord],
    ) -> Iterator[CallRecord]:
        """Deleted calls of one database, through ``read_calls`` (when ``recovery`` is set)."""
        if self.recovery is None:
            return iter(())
        return recovered_records(
            lambda db, quiet: self.read_calls(db, file, quiet),
            self.recovery,
            connection,
            file,
            ctx,
            live,
        )

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[CallRecord]:
        """Each database on its own; a corrupt one is a problem, records read so far are kept."""
        for file in files:
            count = 0
            try:
                with ctx.sqlite(file) as connection:
                    live = []
                    for record in self.read_calls(connection, file, ctx):
                        count += 1
                        live.append(record)
                        yield record
                    yield from self.recovered(connection, file, ctx, live)
            except (*READ_ERRORS, *ROW_ERRORS) as error:
                ctx.problem(
                    f"database unreadable after {count} calls: {type(error).__name__}: {error}",
                    file,
                )


def glob_escape(path: str) -> str:
    """A literal path as an extractor glob (``*``, ``?`` and ``[`` matched as themselves)."""
    return "".join(f"[{char}]" if char in "*?[" else char for char in path)


def beside(ctx: ExtractionContext, file: StoredFile, name: str) -> StoredFile | None:
    """The allocated file called ``name`` in the same folder (same partition), if any."""
    target = glob_escape(str(file.path.parent / name).lstrip("/"))
    found = [other for other in ctx.find(target, near=file) if other.allocated]
    return found[0] if found else None
