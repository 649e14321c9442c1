"""Which extractors read a one-file device, and which profile that makes it.

Extractors find their files by path patterns (``**/User Data/*/History``), and a lone file has
no parent path: ``History`` on its own, ``plaso_regf_SAM``, ``export.txt``. So for one-file
evidence (:mod:`triage.evidence.single_file`) each extractor that no pattern matched is offered
the file when

1. **by name**: the last part of one of its patterns matches the file's name (``History``,
   ``calllog.db``, ``Amcache.hve``), or
2. **by schema**: the file is a SQLite database holding the extractor's ``sqlite_tables``, or
3. **by content**: the extractor claims its first bytes (:meth:`Extractor.claims_content`:
   the router family any text, ``windows.identity`` any ``regf`` hive);

and the extractor's own ``accepts`` (its content check) agrees. A SQLite file goes only to
extractors whose tables it holds, so a Firefox database named ``History`` is not given to
Chromium's reader. The profile is then the one shipped profile that lists every extractor that
reads the file (``router`` for a MikroTik export, ``windows`` for a SAM hive); when several do
(a Chrome History is read on every platform) or none, ``generic``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from triage.extractors.base import (
    SQLITE_MAGIC,
    ExtractionContext,
    Extractor,
    StoredFile,
    compile_patterns,
    ends_in_name,
    sqlite_tables,
)
from triage.extractors.text_lines import READ_ERRORS
from triage.profile_loader import GENERIC, Profile, ProfileChoice

HEAD_BYTES = 16384


@dataclass(frozen=True)
class LoneMatch:
    """An extractor that reads the lone file, and how it was matched."""

    extractor: Extractor
    how: str  # "by path", "by name", "by schema (urls, visits)", "by content"


def _tables(file: StoredFile, ctx: ExtractionContext) -> set[str] | None:
    """The table names of a SQLite file (None when it cannot be opened: ``ctx.sqlite`` checks
    the header the caller has already seen)."""
    try:
        with ctx.sqlite(file) as connection:
            return sqlite_tables(connection)
    except (*READ_ERRORS, sqlite3.DatabaseError):
        return None


def lone_file_matches(
    extractors: list[Extractor], file: StoredFile, ctx: ExtractionContext
) -> list[LoneMatch]:
    """The extractors that read ``file``, the evidence's only file, each with how."""
    try:
        head = ctx.read_bytes(file, HEAD_BYTES)
    except READ_ERRORS:
        return []
    tables = _tables(file, ctx) if head.startswith(SQLITE_MAGIC) else None
    found: list[LoneMatch] = []
    relative = str(file.path).lstrip("/")
    for extractor in extractors:
        wanted = extractor.sqlite_tables
        if tables is not None and wanted and not wanted <= tables:
            continue  # a database without this extractor's tables is not its database
        if compile_patterns(extractor.patterns).match(relative):
            how = "by path"
        elif ends_in_name(extractor.patterns, file.path.name):
            how = "by name"
        elif tables is not None and wanted:
            how = f"by schema ({', '.join(sorted(wanted))})"
        elif extractor.claims_content(head):
            how = "by content"
        else:
            continue
        try:
            accepted = extractor.accepts(file, ctx)
        except Exception:  # noqa: BLE001 - its extract run reports a file it cannot read
            accepted = True
        if accepted:
            found.append(LoneMatch(extractor, how))
    return found


def lone_file_profile(
    chosen: ProfileChoice,
    matches: list[LoneMatch],
    profiles: dict[str, Profile],
    file_type: str,
) -> ProfileChoice:
    """The profile of a one-file device chosen from what reads it, and why.

    The profile runs exactly the extractors that read the file; it is named after the one
    shipped or lab profile listing them all, else ``generic``.
    """
    readers = tuple(match.extractor.name for match in matches)
    owners = sorted(
        profile.name
        for profile in profiles.values()
        if profile.name != GENERIC and readers and set(readers) <= set(profile.extractors)
    )
    name = owners[0] if len(owners) == 1 else GENERIC
    how = ", ".join(f"{match.extractor.name} ({match.how})" for match in matches)
    if readers:
        reason = f"one file ({file_type}), read by {how}"
        if name == GENERIC and owners:
            reason += f"; profiles that read it: {', '.join(owners)}"
    else:
        reason = f"one file ({file_type}) that no extractor reads: hashed and typed only"
    base = profiles.get(name, chosen.profile)
    profile = Profile(base.name, base.description, base.detect, readers, base.origin)
    return ProfileChoice(profile, reason, ())
