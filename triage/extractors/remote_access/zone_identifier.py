"""Where a remote-access tool's installer was downloaded from: its Zone.Identifier stream.

Browsers and Windows tag a downloaded file with an NTFS alternate data stream
``<file>:Zone.Identifier``, an INI text (Autopsy ``ExtractZoneIdentifier``; Microsoft
"Attachment Manager" documentation)::

    [ZoneTransfer]
    ZoneId=3
    ReferrerUrl=https://anydesk.com/en/downloads/windows
    HostUrl=https://download.anydesk.com/AnyDesk.exe

triage's walk lists each stream as an entry of kind ``ads`` named ``<file>:Zone.Identifier``; a
folder extracted from NTFS by some tools holds the same as a plain file of that name. Only the
streams of remote-access tools (by file name or download URL) are reported here.
"""

from __future__ import annotations

from collections.abc import Iterator

from triage.extractors.base import (
    ExtractionContext,
    Extractor,
    StoredFile,
    profile_user,
    stored_time,
)
from triage.extractors.remote_access.catalogue import tool_for
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import sniff_encoding
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent

STREAM = ":Zone.Identifier"
MAX_STREAM = 64 << 10
ZONES = {
    "0": "local machine",
    "1": "local intranet",
    "2": "trusted sites",
    "3": "Internet",
    "4": "restricted sites",
}
TIME_NOTE = (
    "modification time of the downloaded file (the Zone.Identifier stream has no time of its own)"
)


def parse_zone_identifier(text: str) -> dict[str, str]:
    """The keys of a Zone.Identifier stream (lowercase) and their values."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        key = key.strip().lower()
        if sep and key and not key.startswith(("[", ";")):
            values.setdefault(key, value.strip())
    return values


def decode_stream(data: bytes) -> str:
    """A stream's bytes as text (UTF-16 when it looks like it, else UTF-8)."""
    encoding = sniff_encoding(data)
    if encoding:
        return data.decode(encoding, "replace")
    return data.decode("utf-8-sig", "replace").replace("\x00", "")


class ZoneIdentifier(Extractor):
    """Zone.Identifier streams of remote-access installers: download URL and referrer page.

    Where: ``<any folder>\\<installer>:Zone.Identifier`` on NTFS, typically
    ``C:\\Users\\<user>\\Downloads\\AnyDesk.exe:Zone.Identifier``. A row per stream of a
    remote-access tool: ``HostUrl`` (url), ``ReferrerUrl`` (referrer), zone. Reference: Autopsy
    ``ExtractZoneIdentifier``.
    """

    name = "remote_access.zone_identifier"
    description = "Downloads of remote-access tools: URL and referrer from Zone.Identifier"
    record_types = (RemoteAccessEvent,)
    patterns = ("**/*:Zone.Identifier",)

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Streams (and plain files of the same name from a folder extraction)."""
        return file.kind in ("ads", "file") and file.path.name.endswith(STREAM)

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent]:
        """One event per remote-access download."""
        for file in files:
            host_name = file.path.name[: -len(STREAM)]
            try:
                text = decode_stream(ctx.read_bytes(file, MAX_STREAM))
            except READ_ERRORS as error:
                ctx.problem(f"could not read the Zone.Identifier stream: {error}", file)
                continue
            values = parse_zone_identifier(text)
            url = values.get("hosturl") or None
            referrer = values.get("referrerurl") or None
            tool = tool_for(host_name) or (tool_for(url) if url else None)
            if tool is None:
                continue
            if not values:
                ctx.problem("the Zone.Identifier stream holds no key=value lines", file, "warning")
            zone = values.get("zoneid")
            detail = f"{file.path.parent}/{host_name} downloaded"
            if zone is not None:
                detail += f"; ZoneId={zone} ({ZONES.get(zone, 'unknown zone')})"
            yield make_event(
                ctx.source_ref(file),
                tool,
                "downloaded",
                time=stored_time(file.modified),
                time_raw=file.modified,
                user=profile_user(file.path),
                detail=detail,
                time_note=TIME_NOTE if file.modified else None,
                url=url,
                referrer=referrer,
            )
