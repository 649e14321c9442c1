"""router.dnsmasq_leases: the DHCP leases dnsmasq hands out, one client per line.

Where it lives: OpenWrt ``/tmp/dhcp.leases`` (RAM: only in a live collection), Debian, ASUS and
Merlin ``/var/lib/misc/dnsmasq.leases``, some ``/var/db/dnsmasq.leases``; investigators' copies
keep the name. Format (dnsmasq ``src/lease.c``, ``lease_update_file``): IPv4 lines are
``<expiry> <MAC> <IP> <hostname or *> <client-id or *>``; a non-Ethernet hardware address is
prefixed with its ARP type (``06-...``); DHCPv6 leases follow a ``duid <server DUID>`` line as
``<expiry> <IAID> <IPv6> <hostname> <client DUID>``. The first field is when the lease EXPIRES
(Unix seconds, UTC), not when it was granted: the grant is the expiry minus the lease time
(``leasetime`` in /etc/config/dhcp). ``0`` means an infinite lease. A row ties a MAC and a
hostname (``CC-LAPTOP-01``) to an IP on the router's LAN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor
from triage.extractors.router.normalise import ip_address, mac_from_client_id, normalise_mac
from triage.extractors.router.text import read_lines
from triage.records import RouterFact
from triage.timestamps import from_unix_seconds

LEASE_LINE = re.compile(r"^(\d{1,12}) (\S+) (\S+) (\S+)(?: (\S+))?$")
DUID_LINE = re.compile(r"^duid (\S+)$")
EXPIRY_NOTE = "lease EXPIRY time (dnsmasq leases file, Unix seconds UTC), not the grant time"


class DnsmasqLeases(RouterExtractor):
    """dnsmasq lease files (see the module docstring)."""

    name = "router.dnsmasq_leases"
    description = "dnsmasq DHCP leases (dhcp.leases, dnsmasq.leases): MAC, IP, hostname, expiry"
    patterns = ("**/*.leases", "**/*dhcp.leases*", "**/*dnsmasq*leases*")

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """The first non-empty line is a lease line or a ``duid`` line."""
        for line in head.splitlines():
            stripped = line.strip()
            if stripped:
                return bool(LEASE_LINE.match(stripped) or DUID_LINE.match(stripped))
        return False

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """One fact per lease; unreadable lines are problems."""
        server_duid = None
        for number, line in read_lines(ctx, file):
            stripped = line.strip()
            if not stripped:
                continue
            duid = DUID_LINE.match(stripped)
            if duid:
                server_duid = duid.group(1)
                continue
            match = LEASE_LINE.match(stripped)
            if not match:
                ctx.problem(f"line {number}: not a dnsmasq lease line", file, "warning")
                continue
            yield _lease(match, server_duid, number, fact)


def _lease(match: re.Match[str], server_duid: str | None, number: int, fact: partial) -> RouterFact:
    expiry_raw, hardware, address, host, client = match.groups()
    hostname = None if host == "*" else host
    client_id = None if client in (None, "*") else client
    ip = ip_address(address)
    ipv6 = ip is not None and ":" in ip
    if ipv6:
        mac = None
        detail = (
            f"DHCPv6 lease; IAID {hardware}; client DUID {client_id}; server DUID {server_duid}"
        )
    else:
        mac = normalise_mac(hardware)
        hardware_type = None
        if mac is None and re.match(r"^[0-9a-fA-F]{2}-", hardware):
            hardware_type, _, rest = hardware.partition("-")
            mac = normalise_mac(rest)
        detail = "; ".join(
            part
            for part in (
                f"client-id {client_id}" if client_id else None,
                f"client-id MAC {mac_from_client_id(client_id)}"
                if client_id and mac_from_client_id(client_id) not in (None, mac)
                else None,
                f"hardware type {hardware_type}" if hardware_type else None,
                f"hardware address as written {hardware!r}" if mac is None else None,
                f"line {number}",
            )
            if part
        )
    expiry_value = int(expiry_raw)
    expires = None if expiry_value == 0 else from_unix_seconds(expiry_value)
    if expiry_value == 0:
        note = "infinite lease (expiry 0)"
    elif expires is None:
        note = "expiry out of range; on routers without a clock dnsmasq may write the lease length"
    else:
        note = EXPIRY_NOTE
    return fact(
        "lease",
        ip or address,
        hostname or mac or hardware,
        mac=mac,
        ip=ip,
        hostname=hostname,
        time=expires,
        time_raw=expiry_raw,
        time_note=note,
        detail=f"lease expires (first field is expiry); {detail}",
    )
