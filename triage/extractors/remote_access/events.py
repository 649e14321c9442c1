"""One constructor for :class:`RemoteAccessEvent` so every parser fills it the same way."""

from __future__ import annotations

from datetime import datetime

from triage.records import RemoteAccessEvent, SourceRef


def make_event(
    source: SourceRef,
    tool: str,
    event: str,
    *,
    time: datetime | None = None,
    time_raw: str | None = None,
    own_id: str | None = None,
    remote_id: str | None = None,
    remote_alias: str | None = None,
    remote_ip: str | None = None,
    direction: str | None = None,
    user: str | None = None,
    detail: str | None = None,
    session_key: str | None = None,
    time_note: str | None = None,
    url: str | None = None,
    referrer: str | None = None,
    own_alias: str | None = None,
) -> RemoteAccessEvent:
    """A remote-access event; everything not given is unknown (None)."""
    return RemoteAccessEvent(
        source=source,
        tool=tool,
        event=event,
        time=time,
        time_raw=time_raw,
        own_id=own_id,
        remote_id=remote_id,
        remote_alias=remote_alias,
        remote_ip=remote_ip,
        direction=direction,
        user=user,
        detail=detail,
        session_key=session_key,
        time_note=time_note,
        url=url,
        referrer=referrer,
        own_alias=own_alias,
    )
