"""TeamViewer's connection lists: ``Connections_incoming.txt`` and ``Connections.txt``.

``Connections_incoming.txt`` (plaso ``teamviewer.py`` and its test data): one line per incoming
connection, tab-separated: remote TeamViewer ID, the remote's display name, start and end
(``DD-MM-YYYY HH:MM:SS``, UTC per plaso), local Windows account, connection type
(``RemoteControl``, ``FileTransfer``...), connection GUID. ``Connections.txt`` lists the
*outgoing* connections the same way without the display name, its columns padded with spaces:
on a scammer's laptop, every remote ID in it is a victim's TeamViewer ID.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from triage.extractors.base import ExtractionContext, Extractor, StoredFile
from triage.extractors.remote_access.bad_lines import parsed_lines
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import read_lines
from triage.extractors.remote_access.sessions import SessionDraft
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent, RemoteAccessSession

TOOL = "TeamViewer"
TIME_NOTE = "TeamViewer connection list: UTC"
DATE = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}")


@dataclass(frozen=True, slots=True)
class Connection:
    """One line of a TeamViewer connection list."""

    remote_id: str
    display_name: str | None
    start: datetime | None
    start_raw: str | None
    end: datetime | None
    end_raw: str | None
    local_user: str | None
    kind: str | None
    guid: str | None


def _time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%d-%m-%Y %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_connection(text: str) -> Connection | None:
    """A connection-list line (incoming or outgoing layout), or None when it is not one."""
    if "\t" in text:
        fields = [field.strip() for field in text.strip("\r\n").split("\t")]
    else:
        fields = [field.strip() for field in re.split(r"\s{2,}", text.strip())]
    dates = [index for index, field in enumerate(fields) if DATE.fullmatch(field)]
    if not fields or not fields[0].isdigit() or not dates:
        return None
    first = dates[0]
    last = dates[1] if len(dates) > 1 and dates[1] == first + 1 else first
    start = _time(fields[first])
    end = _time(fields[last]) if last != first else None
    after = [field for field in fields[last + 1 :] if field]
    guid = next((field for field in after if field.startswith("{")), None)
    rest = [field for field in after if field != guid]
    return Connection(
        remote_id=fields[0],
        display_name=" ".join(field for field in fields[1:first] if field) or None,
        start=start,
        start_raw=fields[first],
        end=end,
        end_raw=fields[last] if last != first else None,
        local_user=rest[0] if rest else None,
        kind=rest[1] if len(rest) > 1 else None,
        guid=guid,
    )


class TeamViewerConnections(Extractor):
    """TeamViewer ``Connections_incoming.txt`` and ``Connections.txt`` (outgoing).

    Where: ``C:\\Program Files[ (x86)]\\TeamViewer\\`` (and ``%APPDATA%\\TeamViewer``). A row per
    line: the remote TeamViewer ID (victims' IDs on a scammer's laptop), display name, start and
    end (UTC), local account, connection type; and a session per line. Reference: plaso
    ``parsers/text_plugins/teamviewer.py`` (connections_incoming / Connections.txt plugins).
    """

    name = "teamviewer.connections"
    description = "TeamViewer incoming and outgoing connection lists (peers' IDs and times)"
    record_types = (RemoteAccessEvent, RemoteAccessSession)
    patterns = ("**/connections_incoming.txt", "**/connections.txt")

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Connection lists only: ``Connections.txt`` is a common name, so it must be in a
        TeamViewer folder or start with a connection line."""
        if file.kind != "file":
            return False
        if "teamviewer" in str(file.path).lower() or "incoming" in file.path.name.lower():
            return True
        try:
            for _number, text in read_lines(ctx, file):
                if text.strip():
                    return parse_connection(text) is not None
        except READ_ERRORS:
            return False
        return False

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        """An event and a session per connection line."""
        for file in files:
            direction = "incoming" if "incoming" in file.path.name.lower() else "outgoing"
            source = ctx.source_ref(file)
            lines = parsed_lines(ctx, file, parse_connection, "a TeamViewer connection line")
            try:
                for entry in lines:
                    detail = " ".join(part for part in (entry.kind, entry.guid) if part) or None
                    if entry.end_raw:
                        detail = f"{detail or ''} until {entry.end_raw}".strip()
                    yield make_event(
                        source,
                        TOOL,
                        "connection",
                        time=entry.start,
                        time_raw=entry.start_raw,
                        remote_id=entry.remote_id,
                        remote_alias=entry.display_name,
                        direction=direction,
                        user=entry.local_user,
                        detail=detail,
                        session_key=entry.guid,
                        time_note=TIME_NOTE,
                    )
                    draft = SessionDraft(
                        tool=TOOL,
                        source=source,
                        start=entry.start,
                        start_raw=entry.start_raw,
                        direction=direction,
                        remote_id=entry.remote_id,
                        remote_alias=entry.display_name,
                        user=entry.local_user,
                        end=entry.end,
                        end_raw=entry.end_raw,
                        time_note=TIME_NOTE,
                    )
                    for part in (entry.kind, entry.guid and f"connection {entry.guid}"):
                        if part:
                            draft.note(part)
                    yield draft.to_record()
            except READ_ERRORS as error:
                ctx.problem(f"could not read the connection list to its end: {error}", file)
