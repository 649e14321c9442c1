"""Sessions assembled from remote-access log lines, merged across the files that tell of them.

A tool often logs one connection in several places (AnyDesk: the service trace, the user trace
and connection_trace.txt; TeamViewer: the log file before and after it rotated). Each parser
opens a :class:`SessionDraft` when a connection starts, fills it as lines arrive and closes it at
the end marker; :func:`merge_drafts` then joins drafts of the same peer and direction whose
times overlap, so a connection is reported once with everything known about it.

A session start is the first line of the connection (request or accept), not the moment the
peer was authenticated: both times are kept in the events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triage.records import RemoteAccessSession, SourceRef

MERGE_SLACK = timedelta(seconds=2)  # two logs of one connection differ by milliseconds
COARSE_SLACK = timedelta(seconds=90)  # connection_trace.txt has minute resolution


@dataclass
class SessionDraft:
    """A session being assembled; becomes a :class:`RemoteAccessSession` when complete."""

    tool: str
    source: SourceRef
    start: datetime | None
    start_raw: str | None
    direction: str | None = None
    remote_id: str | None = None
    remote_alias: str | None = None
    remote_ip: str | None = None
    own_id: str | None = None
    auth: str | None = None
    user: str | None = None
    end: datetime | None = None
    end_raw: str | None = None
    time_note: str | None = None
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)
    coarse_start: bool = False  # start known to the minute only (connection_trace.txt)

    @property
    def closed(self) -> bool:
        """Whether an end was seen."""
        return self.end is not None

    def note(self, text: str) -> None:
        """Add a line to the session's detail (once)."""
        if text and text not in self.notes:
            self.notes.append(text)

    def add_file(self, name: str) -> None:
        """Record a transferred file name (once)."""
        if name and name not in self.files:
            self.files.append(name)

    def covers(self, when: datetime | None, slack: timedelta = timedelta(0)) -> bool:
        """Whether a time falls inside the session (open sessions run to the end of time)."""
        if when is None or self.start is None:
            return False
        if when < self.start - slack:
            return False
        return self.end is None or when <= self.end + slack

    def to_record(self) -> RemoteAccessSession:
        """The finished record."""
        duration = None
        if self.start is not None and self.end is not None:
            duration = (self.end - self.start).total_seconds()
        notes = list(self.notes)
        if self.coarse_start:
            notes.append("start known to the minute only (connection_trace.txt)")
        if self.end is None:
            notes.append("no session end logged (connection attempt, or the log ends or rotated)")
        if self.other_sources:
            notes.append("also logged in " + ", ".join(self.other_sources))
        return RemoteAccessSession(
            source=self.source,
            tool=self.tool,
            start=self.start,
            start_raw=self.start_raw,
            end=self.end,
            end_raw=self.end_raw,
            duration=duration,
            direction=self.direction,
            own_id=self.own_id,
            remote_id=self.remote_id,
            remote_alias=self.remote_alias,
            remote_ip=self.remote_ip,
            auth=self.auth,
            user=self.user,
            files=tuple(self.files),
            detail="; ".join(notes) or None,
            time_note=self.time_note,
        )


def _compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _overlaps(first: SessionDraft, second: SessionDraft) -> bool:
    if first.start is None or second.start is None:
        return False
    first_end = first.end or first.start
    second_end = second.end or second.start
    slack = COARSE_SLACK if first.coarse_start or second.coarse_start else MERGE_SLACK
    return first.start - slack <= second_end and second.start - slack <= first_end


def _absorb(keep: SessionDraft, other: SessionDraft) -> None:
    """Fill ``keep`` with what ``other`` knows."""
    if other.start is not None and (
        keep.start is None
        or (keep.coarse_start and not other.coarse_start)
        or (other.start < keep.start and not other.coarse_start)
    ):
        keep.start, keep.start_raw, keep.coarse_start = (
            other.start,
            other.start_raw,
            other.coarse_start,
        )
    if other.end is not None and (keep.end is None or other.end > keep.end):
        keep.end, keep.end_raw = other.end, other.end_raw
    for name in ("direction", "remote_id", "remote_alias", "remote_ip", "own_id", "auth", "user"):
        if getattr(keep, name) is None:
            setattr(keep, name, getattr(other, name))
    for name in other.files:
        keep.add_file(name)
    for text in other.notes:
        keep.note(text)
    if other.source.path != keep.source.path and other.source.path not in keep.other_sources:
        keep.other_sources.append(other.source.path)
    for path in other.other_sources:
        if path != keep.source.path and path not in keep.other_sources:
            keep.other_sources.append(path)


def merge_drafts(drafts: Iterable[SessionDraft]) -> list[SessionDraft]:
    """Join drafts of the same peer and compatible direction whose times overlap."""
    ordered = sorted(
        drafts,
        key=lambda d: (
            d.start is None,
            d.start.timestamp() if d.start else 0.0,
            d.coarse_start,
            d.source.path,
        ),
    )
    merged: list[SessionDraft] = []
    for draft in ordered:
        for index, kept in enumerate(merged):
            if (
                draft.remote_id is not None
                and kept.remote_id == draft.remote_id
                and kept.tool == draft.tool
                and _compatible(kept.direction, draft.direction)
                and _overlaps(kept, draft)
            ):
                if kept.coarse_start and not draft.coarse_start:
                    _absorb(draft, kept)  # the precise log becomes the record's source
                    merged[index] = draft
                else:
                    _absorb(kept, draft)
                break
        else:
            merged.append(draft)
    return merged
