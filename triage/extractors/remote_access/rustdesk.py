"""RustDesk logs and config: incoming connections with the peer's IP, own ID, peers dialled.

Log line format (dissect.target ``rustdesk.py``: ``\\[(.*?)\\] (\\w+) \\[(.*?)\\] (.*)``, time
``%Y-%m-%d %H:%M:%S.%f %z``; unlike AnyDesk the time carries its UTC offset)::

    [2025-01-01 13:04:08.350802 +00:00] DEBUG [src\\server\\connection.rs:983] #1362 Connection
        opened from 10.0.0.5:6074.

Messages read, from RustDesk's ``src/server/connection.rs``: ``#<conn> Connection opened from
<ip>:<port>.`` (``on_open``) and ``#<conn> Connection closed: <reason>`` (``on_close``).
Config (TOML, read with :mod:`tomllib`): ``RustDesk.toml`` ``id`` = own ID;
``RustDesk_local.toml`` ``remote_id`` = the last ID this device connected to (artemis-api
``applications/rustdesk/rmm.ts``); ``peers/<id>.toml`` = one file per peer this device connected
to, with the peer's host and user name under ``[info]``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.remote_access.bad_lines import BadLines
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import read_lines
from triage.extractors.remote_access.sessions import SessionDraft
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent, RemoteAccessSession

TOOL = "RustDesk"
TIME_NOTE = "RustDesk log time: written with its UTC offset, converted to UTC"
MAX_TOML = 1 << 20
LOG_LINE = re.compile(r"^\[(?P<ts>[^\]]+)\]\s+(?P<level>\w+)\s+\[(?P<src>[^\]]*)\]\s+(?P<msg>.*)$")
OPENED = re.compile(r"#(?P<conn>\d+) Connection opened from (?P<addr>\S+?):(?P<port>\d+)\.?$")
CLOSED = re.compile(r"#(?P<conn>\d+) Connection closed: (?P<reason>.*)$")


def parse_time(text: str) -> datetime | None:
    """A RustDesk log time (with offset) in UTC."""
    for layout in ("%Y-%m-%d %H:%M:%S.%f %z", "%Y-%m-%d %H:%M:%S %z"):
        try:
            return datetime.strptime(text.strip(), layout).astimezone(UTC)
        except ValueError:
            continue
    return None


def plain_ip(address: str) -> str:
    """``[::ffff:1.2.3.4]`` -> ``1.2.3.4``; other addresses without brackets."""
    address = address.strip("[]")
    return address.removeprefix("::ffff:")


class RustDeskLogs(Extractor):
    """RustDesk logs (incoming connections from an IP) and config (own ID, peers dialled).

    Where: ``C:\\Windows\\ServiceProfiles\\LocalService\\AppData\\Roaming\\RustDesk\\log\\server``,
    ``%APPDATA%\\RustDesk\\log`` and ``\\config``, ``~/.local/share/logs/RustDesk``,
    ``~/.config/rustdesk``, Android ``/storage/emulated/0/RustDesk/logs`` and the app
    ``com.carriez.flutter_hbb``, macOS ``~/Library/Logs/RustDesk``. References: dissect.target
    ``rustdesk.py``, RustDesk ``src/server/connection.rs``, artemis-api ``rustdesk/rmm.ts``.
    """

    name = "rustdesk.logs"
    description = "RustDesk: incoming connections with IPs, own ID, peers this device dialled"
    record_types = (RemoteAccessEvent, RemoteAccessSession)
    patterns = (
        "**/RustDesk/log/*.log",
        "**/RustDesk/log/server/*.log",
        "**/RustDesk/logs/*.log",
        "**/logs/RustDesk/*.log",
        "**/logs/RustDesk/server/*.log",
        "**/Library/Logs/RustDesk/*.log",
        "**/ProgramData/RustDesk/*/*/*.log",
        "**/RustDesk/config/*.toml",
        "**/RustDesk/config/peers/*.toml",
        "**/.config/rustdesk/*.toml",
        "**/.config/rustdesk/peers/*.toml",
        "**/com.carriez.flutter_hbb/**/*.toml",
    )

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        """Events and sessions of every log; facts of every config file."""
        for file in files:
            if file.path.suffix.lower() == ".toml":
                yield from self._config(file, ctx)
            else:
                yield from self._log(file, ctx)

    def _log(
        self, file: StoredFile, ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent | RemoteAccessSession]:
        source = ctx.source_ref(file)
        user = profile_user(file.path)
        open_sessions: dict[str, SessionDraft] = {}
        drafts: list[SessionDraft] = []
        bad = BadLines(ctx, file)
        try:
            for number, text in read_lines(ctx, file):
                if "Connection opened" not in text and "Connection closed" not in text:
                    continue
                match = LOG_LINE.match(text.strip())
                when = parse_time(match["ts"]) if match else None
                if match is None or when is None:
                    bad.report(f"line {number}: not a RustDesk log line: {text[:200]!r}")
                    continue
                message = match["msg"].strip()
                raw = match["ts"]
                if opened := OPENED.search(message):
                    ip = plain_ip(opened["addr"])
                    draft = SessionDraft(
                        tool=TOOL,
                        source=source,
                        start=when,
                        start_raw=raw,
                        direction="incoming",
                        remote_ip=ip,
                        user=user,
                        time_note=TIME_NOTE,
                    )
                    draft.note(f"connection #{opened['conn']} from {ip}:{opened['port']}")
                    open_sessions[opened["conn"]] = draft
                    drafts.append(draft)
                    kind, conn, remote_ip = "session_request", opened["conn"], ip
                elif closed := CLOSED.search(message):
                    conn = closed["conn"]
                    draft = open_sessions.pop(conn, None)
                    if draft is not None:
                        draft.end, draft.end_raw = when, raw
                        draft.note(f"closed: {closed['reason']}")
                    kind, remote_ip = "session_end", draft.remote_ip if draft else None
                else:
                    continue
                yield make_event(
                    source,
                    TOOL,
                    kind,
                    time=when,
                    time_raw=raw,
                    remote_ip=remote_ip,
                    direction="incoming",
                    user=user,
                    detail=message,
                    session_key=f"rustdesk:{file.id}:{conn}",
                    time_note=TIME_NOTE,
                )
        except READ_ERRORS as error:
            ctx.problem(f"could not read the RustDesk log to its end: {error}", file)
        for draft in drafts:
            yield draft.to_record()

    def _config(self, file: StoredFile, ctx: ExtractionContext) -> Iterator[RemoteAccessEvent]:
        source = ctx.source_ref(file)
        user = profile_user(file.path)
        try:
            if file.size > MAX_TOML:
                ctx.problem(f"config larger than {MAX_TOML} bytes; not read", file)
                return
            data = tomllib.loads(ctx.read_bytes(file, MAX_TOML).decode("utf-8", "replace"))
        except (tomllib.TOMLDecodeError, *READ_ERRORS) as error:
            ctx.problem(f"could not read the RustDesk config: {error}", file)
            return
        name = file.path.name.lower()
        if file.path.parent.name.lower() == "peers":
            info = data.get("info") if isinstance(data.get("info"), dict) else {}
            alias = info.get("hostname") or info.get("username") or None
            detail = "saved peer (this device connected to it)"
            if info:
                detail += ": " + ", ".join(f"{k}={v}" for k, v in sorted(info.items()) if v)
            yield make_event(
                source,
                TOOL,
                "peer",
                remote_id=file.path.stem,
                remote_alias=str(alias) if alias else None,
                direction="outgoing",
                user=user,
                detail=detail,
            )
        elif name == "rustdesk_local.toml" and data.get("remote_id"):
            yield make_event(
                source,
                TOOL,
                "last_remote_id",
                remote_id=str(data["remote_id"]),
                direction="outgoing",
                user=user,
                detail="remote_id: the last ID this device dialled",
            )
        elif name.startswith("rustdesk") and data.get("id"):
            yield make_event(
                source,
                TOOL,
                "own_id",
                own_id=str(data["id"]),
                user=user,
                detail=f"{file.path.name}: id",
            )
