"""router.mikrotik: a MikroTik RouterOS ``/export`` script (``.rsc``).

Format (MikroTik RouterOS manual, "Configuration Management": ``/export [compact|verbose]
[file=name]``; real exports as references): header comments ``# <date> by RouterOS <version>``,
``# software id = XXXX-XXXX``, ``# model = ...``, ``# serial number = ...``; then menu paths
(``/ip dhcp-server lease``) followed by commands (``add``/``set``) with ``key=value`` arguments,
values quoted with ``"..."`` and RouterOS escapes (``\\"``, ``\\\\``, ``\\HH`` bytes); long lines
are continued with a trailing backslash and a four-space indent. A path and its command may share
one line (``/ip dns set servers=1.1.1.1``). Export times are the router's clock without a zone.

What a fact means: identity (name, model, serial, RouterOS version), the ISP account
(``/interface pppoe-client ... user=``), LAN addresses and DHCP, static leases (MAC/IP), port
forwards (``/ip firewall nat action=dst-nat``), DNS, management services (``/ip service``),
VPN servers, clients and PPP secrets, Wi-Fi SSIDs and keys, users and remote logging. Secrets
(passwords, PSKs, private keys, SNMP communities) are recorded as set with a fingerprint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor
from triage.extractors.router.mikrotik_script import Command, parse_commands
from triage.extractors.router.normalise import (
    interface_address,
    ip_address,
    mac_from_client_id,
    masked_secret,
    normalise_mac,
)
from triage.extractors.router.text import read_lines
from triage.extractors.router.times import NO_ZONE, build, month_number
from triage.extractors.values import join_detail
from triage.records import RouterFact

SECRET_KEYS = frozenset(
    {
        "password",
        "wpa-pre-shared-key",
        "wpa2-pre-shared-key",
        "wpa3-pre-shared-key",
        "ipsec-secret",
        "private-key",
        "preshared-key",
        "secret",
        "passphrase",
        "security.passphrase",
        "authentication-password",
        "encryption-password",
        "static-algo-0",
        "static-key-0",
    }
)
MAX_WAN_INTERFACES = 10_000
_HEADER_EXPORT = re.compile(
    r"^#\s*(?P<date>[a-z]{3}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\s+(?P<time>\d{1,2}:\d{2}:\d{2})"
    r"\s+by RouterOS\s+(?P<version>\S+)",
    re.IGNORECASE,
)
_HEADER_FIELD = re.compile(r"^#\s*(software id|model|serial number)\s*=\s*(.+?)\s*$", re.IGNORECASE)
WAN_HINTS = ("wan", "pppoe", "lte", "internet")


class MikroTikExport(RouterExtractor):
    """MikroTik RouterOS ``/export`` scripts (see the module docstring)."""

    name = "router.mikrotik"
    description = (
        "MikroTik RouterOS /export (.rsc): identity, ISP account, LAN, static leases, port "
        "forwards, DNS, services, VPN, Wi-Fi, users"
    )
    patterns = ("**/*.rsc", "**/*mikrotik*export*", "**/*routeros*export*")

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """A ``by RouterOS`` header, or menu paths such as ``/ip address`` / ``/interface``."""
        if re.search(r"^#.*\bby RouterOS\b", head, re.MULTILINE):
            return True
        paths = re.findall(
            r"^/(?:ip|interface|system|ipv6|routing|user|ppp|tool)\b", head, re.MULTILINE
        )
        return len(paths) >= 2

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """Facts from header comments and commands, in file order."""
        state = _State()
        for item in parse_commands(read_lines(ctx, file)):
            if isinstance(item, Command):
                handler = HANDLERS.get(item.path)
                if handler is not None:
                    yield from handler(item, fact, state)
            else:
                yield from _header(item[1], fact)


@dataclass
class _State:
    """What later commands need from earlier ones: which interfaces face the internet."""

    wan_interfaces: set[str] = field(default_factory=set)

    def add_wan(self, *names: str | None) -> None:
        for name in names:
            if name and len(self.wan_interfaces) < MAX_WAN_INTERFACES:
                self.wan_interfaces.add(name)

    def is_wan(self, interface: str | None) -> bool:
        if not interface:
            return False
        return interface in self.wan_interfaces or any(
            hint in interface.lower() for hint in WAN_HINTS
        )


def _header(text: str, fact: partial) -> Iterator[RouterFact]:
    match = _HEADER_EXPORT.match(text)
    if match:
        yield fact("system", "firmware", f"RouterOS {match.group('version')}")
        raw = f"{match.group('date')} {match.group('time')}"
        when, note = _export_time(match.group("date"), match.group("time"))
        yield fact(
            "system",
            "exported",
            raw,
            time=when,
            time_raw=raw,
            time_note=note,
            detail="time the /export was made (router clock)",
        )
        return
    field_match = _HEADER_FIELD.match(text)
    if field_match:
        key = {"software id": "software_id", "model": "model", "serial number": "serial"}[
            field_match.group(1).lower()
        ]
        yield fact("system", key, field_match.group(2))


def _export_time(date: str, time: str):
    if "/" in date:
        month_text, day, year = date.split("/")
        month = month_number(month_text)
        if month is None:
            return None, "unreadable month"
        return build(int(year), month, int(day), time)[0], NO_ZONE
    year, month, day = (int(part) for part in date.split("-"))
    return build(year, month, day, time)[0], NO_ZONE


def _secrets(command: Command) -> str | None:
    found = [
        f"{key} {masked_secret(value)}" for key, value in command.args.items() if key in SECRET_KEYS
    ]
    return "; ".join(found) or None


def _flag(command: Command, key: str, label: str | None = None) -> str | None:
    value = command.get(key)
    return f"{label or key} {value}" if value is not None else None


def _disabled(command: Command) -> str | None:
    return "disabled" if command.get("disabled") == "yes" else None


# -- handlers, one per menu path ----------------------------------------------------------------


def _identity(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("name"):
        yield fact("system", "hostname", command.get("name"))


def _pppoe_client(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    name = command.get("name") or "pppoe-out"
    interface = command.get("interface")
    state.add_wan(name, interface)
    where = join_detail(
        f"interface {name}", f"on {interface}" if interface else None, _disabled(command)
    )
    yield fact(
        "wan",
        name,
        "pppoe",
        detail=join_detail(
            where,
            _flag(command, "add-default-route"),
            _flag(command, "use-peer-dns"),
            _flag(command, "service-name"),
        ),
    )
    if command.get("user") is not None:
        yield fact("isp_account", "pppoe_username", command.get("user"), detail=where)
    if command.get("password") is not None:
        yield fact(
            "isp_account", "pppoe_password", masked_secret(command.get("password")), detail=where
        )


def _dhcp_client(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    interface = command.get("interface")
    state.add_wan(interface)
    yield fact(
        "wan",
        interface or "dhcp-client",
        "dhcp",
        detail=join_detail(
            _disabled(command), _flag(command, "use-peer-dns"), _flag(command, "add-default-route")
        ),
    )


def _interface_list_member(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if (command.get("list") or "").upper() == "WAN" and command.get("interface"):
        state.add_wan(command.get("interface"))
    return iter(())


def _ip_address(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    address = command.get("address")
    interface = command.get("interface") or "?"
    if not address:
        return
    parsed = interface_address(address)
    category = "wan" if state.is_wan(interface) else "lan"
    yield fact(
        category,
        interface,
        parsed[1] if parsed else address,
        ip=parsed[0] if parsed else None,
        detail=join_detail(_flag(command, "comment"), _disabled(command)),
    )


def _dhcp_lease(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    mac = normalise_mac(command.get("mac-address")) or mac_from_client_id(command.get("client-id"))
    address = command.get("address")
    ip = ip_address(address)
    label = command.get("comment")
    yield fact(
        "static_lease",
        ip or address or mac or "?",
        label or mac or command.get("mac-address"),
        mac=mac,
        ip=ip,
        hostname=None,
        detail=join_detail(
            f"comment {label}" if label else None,
            _flag(command, "server"),
            _flag(command, "client-id"),
            "blocked" if command.get("block-access") == "yes" else None,
            _disabled(command),
        ),
    )


def _dhcp_network(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    network = command.get("address")
    if network:
        yield fact(
            "lan",
            "dhcp network",
            network,
            ip=ip_address(command.get("gateway")),
            detail=join_detail(_flag(command, "gateway"), _flag(command, "dns-server")),
        )
    for server in (command.get("dns-server") or "").split(","):
        if server.strip():
            yield fact(
                "dns",
                "dhcp_dns_server",
                server.strip(),
                ip=ip_address(server),
                detail=f"handed to clients of {network}",
            )


def _dhcp_server(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    name = command.get("name") or "dhcp"
    yield fact(
        "lan",
        f"dhcp {name}",
        command.get("interface"),
        detail=join_detail(
            _flag(command, "address-pool"), _flag(command, "lease-time"), _disabled(command)
        ),
    )


def _pool(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("ranges"):
        yield fact("lan", f"pool {command.get('name') or '?'}", command.get("ranges"))


def _dns(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    remote = command.get("allow-remote-requests")
    for server in (command.get("servers") or "").split(","):
        if server.strip():
            yield fact(
                "dns",
                "server",
                server.strip(),
                ip=ip_address(server),
                detail=f"allow-remote-requests {remote}" if remote else None,
            )


def _dns_static(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    name = command.get("name") or command.get("regexp")
    address = command.get("address") or command.get("cname") or command.get("forward-to")
    yield fact(
        "dns",
        "local_name",
        name,
        ip=ip_address(address),
        hostname=command.get("name"),
        detail=f"-> {address}" if address else None,
    )


def _nat(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    action = command.get("action") or "accept"
    protocol = command.get("protocol") or "any"
    if action in ("dst-nat", "netmap"):
        src = (
            command.get("in-interface")
            or command.get("in-interface-list")
            or command.get("dst-address")
            or "any"
        )
        port = command.get("dst-port") or "any"
        to = command.get("to-addresses")
        value = f"{src}:{port} -> {to or '?'}:{command.get('to-ports') or port} ({protocol})"
        key = command.get("comment") or f"{protocol} {port}"
        yield fact(
            "forward",
            key,
            value,
            ip=ip_address((to or "").split("-")[0]),
            detail=join_detail(
                f"action {action}", _flag(command, "src-address", "only from"), _disabled(command)
            ),
        )
    elif action in ("masquerade", "src-nat"):
        yield fact(
            "wan",
            "nat",
            action,
            detail=join_detail(
                _flag(command, "out-interface"),
                _flag(command, "out-interface-list"),
                _flag(command, "to-addresses"),
                _disabled(command),
            ),
        )


def _filter(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("chain") != "input" or command.get("action") != "accept":
        return
    port = command.get("dst-port")
    source = command.get("in-interface") or command.get("in-interface-list")
    if not port or not (state.is_wan(source) or (source or "").upper() == "WAN"):
        return
    protocol = command.get("protocol") or "any"
    yield fact(
        "remote_admin",
        command.get("comment") or f"{protocol} {port}",
        f"{protocol} port {port} open from {source}",
        detail=join_detail(_flag(command, "src-address", "only from"), _disabled(command)),
    )


def _service(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    service = command.target() or "?"
    value = (
        "disabled"
        if command.get("disabled") == "yes"
        else (f"port {command.get('port')}" if command.get("port") else "enabled")
    )
    yield fact(
        "remote_admin",
        f"service {service}",
        value,
        detail=join_detail(
            _flag(command, "address", "allowed from"), _flag(command, "certificate")
        ),
    )


def _user(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    name = command.get("name") or command.target()
    yield fact(
        "admin_user",
        name or "?",
        command.get("group") or "user",
        detail=join_detail(
            _flag(command, "address", "allowed from"), _secrets(command), _disabled(command)
        ),
    )


def _ppp_secret(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    remote = command.get("remote-address")
    yield fact(
        "vpn",
        "ppp secret",
        command.get("name"),
        ip=ip_address(remote),
        detail=join_detail(
            _flag(command, "service"),
            _flag(command, "profile"),
            _flag(command, "remote-address"),
            _secrets(command),
            _disabled(command),
        ),
    )


def _vpn_server(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    kind = command.path.split()[1]
    enabled = command.get("enabled") or ("no" if command.get("disabled") == "yes" else None)
    yield fact(
        "vpn",
        kind,
        f"enabled {enabled}" if enabled else "configured",
        detail=join_detail(
            _flag(command, "use-ipsec"),
            _flag(command, "port"),
            _flag(command, "default-profile"),
            _secrets(command),
        ),
    )


def _vpn_client(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    kind = command.path.split()[1]
    peer = command.get("connect-to")
    yield fact(
        "vpn",
        kind,
        peer or command.get("name"),
        ip=ip_address(peer),
        detail=join_detail(
            _flag(command, "name"), _flag(command, "user"), _secrets(command), _disabled(command)
        ),
    )


def _wireguard(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    yield fact(
        "vpn",
        "wireguard",
        command.get("name") or command.target(),
        detail=join_detail(_flag(command, "listen-port"), _secrets(command), _disabled(command)),
    )


def _wireguard_peer(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    endpoint = command.get("endpoint-address")
    port = command.get("endpoint-port")
    value = command.get("comment") or (f"{endpoint}:{port}" if endpoint and port else endpoint)
    yield fact(
        "vpn",
        "wireguard_peer",
        value or command.get("public-key"),
        ip=ip_address(endpoint),
        detail=join_detail(
            _flag(command, "interface"),
            _flag(command, "allowed-address"),
            _flag(command, "public-key"),
            _secrets(command),
        ),
    )


def _wireless(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    ssid = command.get("ssid") or command.get("configuration.ssid")
    if ssid is None:
        return
    yield fact(
        "wifi",
        "ssid",
        ssid,
        detail=join_detail(
            f"interface {command.target() or command.get('name')}",
            _flag(command, "mode") or _flag(command, "configuration.mode", "mode"),
            _flag(command, "security-profile") or _flag(command, "security"),
            _flag(command, "band"),
            _secrets(command),
            _disabled(command),
        ),
    )


def _security_profile(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    secrets = _secrets(command)
    if secrets is None and command.get("authentication-types") is None:
        return
    name = command.get("name") or command.target() or "default"
    yield fact(
        "wifi",
        f"security profile {name}",
        command.get("authentication-types") or "keys set",
        detail=secrets,
    )


def _ntp(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    for key in ("primary-ntp", "secondary-ntp", "servers", "server-dns-names", "address"):
        for server in (command.get(key) or "").split(","):
            if server.strip() and server.strip() != "0.0.0.0":
                yield fact("system", "ntp_server", server.strip(), ip=ip_address(server))


def _clock(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("time-zone-name"):
        yield fact("system", "timezone", command.get("time-zone-name"))


def _logging_action(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("remote"):
        yield fact(
            "system",
            "log_server",
            command.get("remote"),
            ip=ip_address(command.get("remote")),
            detail=join_detail(_flag(command, "name"), _flag(command, "remote-port")),
        )


def _snmp_community(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    name = command.get("name")
    if name is not None:
        yield fact(
            "remote_admin",
            "snmp_community",
            masked_secret(name),
            detail=join_detail(
                _flag(command, "addresses", "allowed from"), _flag(command, "write-access")
            ),
        )


def _route(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("dst-address") in ("0.0.0.0/0", None) and command.get("gateway"):
        gateway = command.get("gateway")
        yield fact(
            "wan",
            "default_route",
            gateway,
            ip=ip_address(gateway),
            detail=join_detail(_flag(command, "distance"), _disabled(command)),
        )


def _arp(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    address = command.get("address")
    yield fact(
        "arp",
        ip_address(address) or address or "?",
        normalise_mac(command.get("mac-address")) or command.get("mac-address"),
        mac=normalise_mac(command.get("mac-address")),
        ip=ip_address(address),
        detail=join_detail(
            "static ARP entry", _flag(command, "interface"), _flag(command, "comment")
        ),
    )


def _cloud(command: Command, fact: partial, state: _State) -> Iterator[RouterFact]:
    if command.get("ddns-enabled"):
        yield fact(
            "remote_admin",
            "ddns (ip cloud)",
            f"ddns-enabled {command.get('ddns-enabled')}",
            detail="MikroTik IP Cloud gives the router a <serial>.sn.mynetname.net name",
        )


HANDLERS = {
    "system identity": _identity,
    "interface pppoe-client": _pppoe_client,
    "ip dhcp-client": _dhcp_client,
    "interface list member": _interface_list_member,
    "ip address": _ip_address,
    "ip dhcp-server lease": _dhcp_lease,
    "ip dhcp-server network": _dhcp_network,
    "ip dhcp-server": _dhcp_server,
    "ip pool": _pool,
    "ip dns": _dns,
    "ip dns static": _dns_static,
    "ip firewall nat": _nat,
    "ip firewall filter": _filter,
    "ip service": _service,
    "user": _user,
    "ppp secret": _ppp_secret,
    "interface l2tp-server server": _vpn_server,
    "interface pptp-server server": _vpn_server,
    "interface ovpn-server server": _vpn_server,
    "interface sstp-server server": _vpn_server,
    "interface l2tp-client": _vpn_client,
    "interface pptp-client": _vpn_client,
    "interface ovpn-client": _vpn_client,
    "interface sstp-client": _vpn_client,
    "interface wireguard": _wireguard,
    "interface wireguard peers": _wireguard_peer,
    "interface wireless": _wireless,
    "interface wifi": _wireless,
    "interface wifiwave2": _wireless,
    "interface wireless security-profiles": _security_profile,
    "system ntp client": _ntp,
    "system ntp client servers": _ntp,
    "system clock": _clock,
    "system logging action": _logging_action,
    "snmp community": _snmp_community,
    "ip route": _route,
    "ip arp": _arp,
    "ip cloud": _cloud,
}
