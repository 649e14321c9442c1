"""Extractors of the router family; ``EXTRACTORS`` lists them for registration.

Every extractor yields :class:`triage.records.RouterFact` rows (category, key, value, MAC, IP,
hostname, time) from router evidence: OpenWrt backups, dnsmasq leases, MikroTik exports, Cisco,
Juniper, HP and Fortinet configurations and captures, and router syslog.
:func:`triage.extractors.router.summary.router_summary` condenses them for the report.
"""

from __future__ import annotations

from triage.extractors.router.cisco import CiscoText
from triage.extractors.router.dnsmasq import DnsmasqLeases
from triage.extractors.router.fortinet import FortinetText
from triage.extractors.router.junos import JunosConfig
from triage.extractors.router.mikrotik import MikroTikExport
from triage.extractors.router.openwrt import OpenWrtConfig
from triage.extractors.router.procurve import HpConfig
from triage.extractors.router.syslog import RouterSyslog

EXTRACTORS: tuple[type, ...] = (
    OpenWrtConfig,
    DnsmasqLeases,
    MikroTikExport,
    CiscoText,
    JunosConfig,
    HpConfig,
    FortinetText,
    RouterSyslog,
)
