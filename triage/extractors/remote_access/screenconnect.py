"""ScreenConnect / ConnectWise Control client configuration: which server the agent obeys.

The client agent installed on a controlled machine lives in ``C:\\ProgramData\\ScreenConnect
Client (<thumbprint>)\\`` and ``C:\\Program Files (x86)\\ScreenConnect Client (<thumbprint>)\\``;
KAPE's ScreenConnect target collects its ``user.config`` (and ``system.config``). Both are .NET
settings files: ``<setting name="..." serializeAs="String"><value>...</value></setting>``
elements (and ``<add key="..." value="..."/>`` in appSettings). The relay the agent connects to
appears as ``h=<host>&p=<port>&s=<session GUID>`` or a URL; the thumbprint in the folder name
identifies the ScreenConnect instance (the scammers' server).

Hostile XML: documents declaring a DTD or entities are refused (no entity expansion), files
over 4 MiB are not read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.remote_access.events import make_event
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent

TOOL = "ScreenConnect"
MAX_CONFIG = 4 << 20
MAX_SETTINGS = 500
THUMBPRINT = re.compile(r"ScreenConnect Client \((?P<thumb>[0-9A-Fa-f]+)\)", re.IGNORECASE)
RELAY = re.compile(
    r"(?:^|[?&])h=(?P<host>[^&\s]+)(?:.*?[?&]p=(?P<port>\d+))?(?:.*?[?&]s=(?P<session>[0-9a-fA-F-]{36}))?"
)
IP = re.compile(r"[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:.]*")
URL = re.compile(r"\b(?:https?|relay)://[^\s\"'<>]+", re.IGNORECASE)


def settings(data: bytes) -> list[tuple[str, str]]:
    """``(name, value)`` of every setting of a .NET config document."""
    root = ET.fromstring(data)  # noqa: S314 - DTDs and entities are refused before this
    found: list[tuple[str, str]] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "setting" and element.get("name"):
            value = element.find("value")
            text = "".join(value.itertext()) if value is not None else ""
            found.append((element.get("name", ""), text.strip()))
        elif tag == "add" and element.get("key"):
            found.append((element.get("key", ""), (element.get("value") or "").strip()))
        if len(found) >= MAX_SETTINGS:
            break
    return found


class ScreenConnectConfig(Extractor):
    """ScreenConnect (ConnectWise Control) client ``user.config`` / ``system.config``.

    Where: ``C:\\ProgramData\\ScreenConnect Client (<thumbprint>)\\user.config`` and the program
    folder of the same name. Rows: the instance thumbprint, every setting, and the relay host,
    port and session the agent connects to. Reference: KAPE ``ScreenConnect.tkape`` (paths),
    .NET application-settings XML format.
    """

    name = "screenconnect.config"
    description = "ScreenConnect client config: the controlling server (relay host, session)"
    record_types = (RemoteAccessEvent,)
    patterns = (
        "**/ScreenConnect Client*/user.config",
        "**/ScreenConnect Client*/system.config",
        "**/ScreenConnect Client*/**/user.config",
    )

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent]:
        """Facts of every config file."""
        for file in files:
            yield from self._config(file, ctx)

    def _config(self, file: StoredFile, ctx: ExtractionContext) -> Iterator[RemoteAccessEvent]:
        source = ctx.source_ref(file)
        user = profile_user(file.path)
        if file.size > MAX_CONFIG:
            ctx.problem(f"config larger than {MAX_CONFIG} bytes; not read", file)
            return
        try:
            data = ctx.read_bytes(file, MAX_CONFIG)
        except READ_ERRORS as error:
            ctx.problem(f"could not read the ScreenConnect config: {error}", file)
            return
        if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
            ctx.problem("the config declares a DTD or entities; refused", file)
            return
        try:
            pairs = settings(data)
        except (ET.ParseError, LookupError, ValueError) as error:  # LookupError: bad encoding=
            ctx.problem(f"the config is not well-formed XML: {error}", file)
            return
        thumb = THUMBPRINT.search(str(file.path))
        instance = thumb["thumb"] if thumb else None
        yield make_event(
            source,
            TOOL,
            "client_installed",
            user=user,
            detail=f"ScreenConnect client instance {instance}"
            if instance
            else "ScreenConnect client",
        )
        for name, value in pairs:
            yield make_event(
                source, TOOL, "config_setting", user=user, detail=f"{name}={value}"[:2000]
            )
            relay = RELAY.search(value)
            if relay:
                parts = [f"relay host {relay['host']}"]
                if relay["port"]:
                    parts.append(f"port {relay['port']}")
                if relay["session"]:
                    parts.append(f"session {relay['session']}")
                host = relay["host"]
                is_ip = bool(IP.fullmatch(host))
                yield make_event(
                    source,
                    TOOL,
                    "relay",
                    user=user,
                    remote_ip=host if is_ip else None,
                    url=None if is_ip else host,
                    detail=f"{name}: " + ", ".join(parts),
                    session_key=relay["session"],
                )
            for url in URL.findall(value):
                yield make_event(source, TOOL, "relay", user=user, url=url, detail=f"{name}: {url}")
