"""Extractors of the remote_access family; ``EXTRACTORS`` lists them for registration.

Scammers posing as support staff take over their victims' PCs with remote-access tools; on the
scammers' own laptops the same tools log the victims' IDs. Every extractor here yields
:class:`~triage.records.RemoteAccessEvent` rows (and, where a log allows,
:class:`~triage.records.RemoteAccessSession` rows); :mod:`.summary` turns the store's tables
into the per-peer list investigators match against complaints.
"""

from __future__ import annotations

from triage.extractors.remote_access.anydesk import AnyDeskTraces
from triage.extractors.remote_access.anydesk_config import AnyDeskConfig
from triage.extractors.remote_access.presence import RemoteAccessPresence
from triage.extractors.remote_access.rustdesk import RustDeskLogs
from triage.extractors.remote_access.screenconnect import ScreenConnectConfig
from triage.extractors.remote_access.splashtop import SplashtopLogs
from triage.extractors.remote_access.teamviewer import TeamViewerConnections
from triage.extractors.remote_access.teamviewer_log import TeamViewerLogfile
from triage.extractors.remote_access.zone_identifier import ZoneIdentifier

EXTRACTORS: tuple[type, ...] = (
    AnyDeskTraces,
    AnyDeskConfig,
    TeamViewerConnections,
    TeamViewerLogfile,
    RustDeskLogs,
    SplashtopLogs,
    ScreenConnectConfig,
    ZoneIdentifier,
    RemoteAccessPresence,
)

__all__ = ["EXTRACTORS"]
