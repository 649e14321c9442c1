"""Cisco configuration commands at column 0 that are facts on their own (one-liners).

Part of :class:`~triage.extractors.router.cisco_config.CiscoConfig` (a mixin: it reads the
state the config keeps, ``fact``, ``platform``, ``names``, ``block``, and its ``resolve`` and
``_remember``). Also what the block commands share: :class:`Block` and :func:`secret_words`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from triage.extractors.router.normalise import (
    ip_address,
    masked_secret,
    network_text,
)
from triage.extractors.values import join_detail
from triage.records import RouterFact

Fact = Callable[..., RouterFact]

SECRET_TYPES = {
    "0": "type 0 (clear text)",
    "3": "type 3 (NX-OS encrypted)",
    "4": "type 4 (SHA-256, weak)",
    "5": "type 5 (MD5-crypt hash)",
    "6": "type 6 (AES, reversible with the master key)",
    "7": "type 7 (reversible obfuscation)",
    "8": "type 8 (PBKDF2 hash)",
    "9": "type 9 (scrypt hash)",
}
MAX_NAMES = 100_000
WAN_WORDS = re.compile(r"\b(isp|wan|internet|uplink|dsl|pppoe)\b", re.IGNORECASE)


@dataclass
class Block:
    """A global command with indented children, collected until the next global command."""

    kind: str
    name: str
    line: int
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, value: str) -> None:
        items = self.lists.setdefault(key, [])
        if len(items) < 1000:
            items.append(value)


def secret_words(words: list[str]) -> tuple[str, str | None]:
    """``(masked value, type description)`` from the words after ``password``/``secret``."""
    if not words:
        return masked_secret(None), None
    if len(words) >= 2 and words[0].isdigit():
        kind = SECRET_TYPES.get(words[0], f"type {words[0]}")
        return masked_secret(words[1]), kind
    kind = None
    if len(words) >= 2 and words[1] in ("encrypted", "pbkdf2", "nt-encrypted"):
        kind = f"{words[1]} (ASA hash)"
    return masked_secret(words[0]), kind


class GlobalCommands:
    """Global commands read as facts at once: hostname, users, routes, NAT, logging, SNMP..."""

    fact: Fact
    platform: str
    block: Block | None
    names: dict[str, str]

    def _one_liner(self, words: list[str], text: str) -> Iterator[RouterFact]:
        fact = self.fact
        first = words[0]
        rest = words[1:]
        head2 = " ".join(words[:2])
        head3 = " ".join(words[:3])
        if head3 in ("ip domain name", "ip domain-name") or head2 in ("domain-name", "domain name"):
            yield fact("system", "domain", words[-1])
        elif head2 == "ip name-server" or head2 == "domain name-server":
            servers = rest[1:]
            vrf = None
            if servers[:1] == ["vrf"] and len(servers) > 1:
                vrf, servers = servers[1], servers[2:]
            for server in servers:
                yield fact(
                    "dns",
                    "server",
                    server,
                    ip=ip_address(server),
                    detail=f"vrf {vrf}" if vrf else None,
                )
        elif head3 == "ip dns server":
            yield fact("dns", "dns_proxy", "enabled", detail="the router answers DNS queries")
        elif first in ("ntp", "sntp") and rest[:1] in (["server"], ["peer"]):
            yield from self._ntp_server(rest[1:], f"{first} {rest[0]}")
        elif first == "logging":
            yield from self._logging(rest)
        elif first == "snmp-server":
            yield from self._snmp(rest)
        elif first == "enable" and rest[:1] in (["secret"], ["password"]):
            value, kind = secret_words(rest[1:])
            yield fact("admin_user", f"enable {rest[0]}", value, detail=kind)
        elif first == "passwd" and rest:
            value, kind = secret_words(rest)
            yield fact("admin_user", "login password (passwd)", value, detail=kind)
        elif first in ("ip", "ipv6") and rest[:1] == ["route"]:
            yield from self._route(rest[1:], None)
        elif first == "route" and len(rest) >= 4:  # ASA: route IFACE NET MASK GATEWAY [metric]
            if rest[1] == "0.0.0.0" and rest[2] == "0.0.0.0":
                name, ip = self.resolve(rest[3])
                yield fact("wan", "default_route", name, ip=ip, detail=f"interface {rest[0]}")
        elif head2 == "ip default-gateway" and len(words) > 2:
            yield fact("wan", "default_gateway", words[2], ip=ip_address(words[2]))
        elif head3 == "ip nat inside" or (first == "ip" and rest[:2] == ["nat", "outside"]):
            yield from self._ios_nat(words)
        elif first == "nat" and rest and rest[0].startswith("("):
            yield from self._asa_twice_nat(rest)
        elif first == "static" and rest and rest[0].startswith("("):
            yield from self._asa_legacy_static(rest)
        elif first == "name" and len(rest) >= 2 and ip_address(rest[0]):
            self._remember(rest[1], ip_address(rest[0]))
            description = " ".join(rest[3:]) if rest[2:3] == ["description"] else None
            yield fact(
                "dns",
                "local_name",
                rest[1],
                ip=ip_address(rest[0]),
                hostname=rest[1],
                detail=join_detail(
                    "ASA names table", f"description {description}" if description else None
                ),
            )
        elif first == "dhcpd":
            yield from self._dhcpd(rest)
        elif head3 == "ip local pool" and len(words) > 4:
            yield fact(
                "vpn",
                "address_pool",
                words[4],
                detail=join_detail(f"pool {words[3]}", " ".join(words[5:]) or None),
            )
        elif first in ("ssh", "telnet", "http") and len(rest) >= 3 and ip_address(rest[0]):
            network = network_text(rest[0], rest[1])
            yield fact(
                "remote_admin",
                f"{first} allowed",
                f"{network} on {rest[2]}",
                detail="management access allowed from this network",
            )
        elif head3 == "http server enable":
            yield fact(
                "remote_admin",
                "http server",
                "enabled",
                detail=f"port {words[3]}" if len(words) > 3 else None,
            )
        elif head3 in ("ip http server", "ip http secure-server"):
            yield fact("remote_admin", f"http {words[2]}", "enabled")
        elif words[:4] in (["no", "ip", "http", "server"], ["no", "ip", "http", "secure-server"]):
            yield fact("remote_admin", f"http {words[3]}", "disabled")
        elif head3 == "ip http access-class" and len(words) > 3:
            yield fact("remote_admin", "http access-class", words[3])
        elif (first in ("ssh", "http") and rest[:1] == ["server"] and self.platform == "iosxr") or (
            first == "telnet" and "server" in rest
        ):
            yield fact(
                "remote_admin",
                f"{first} server",
                "enabled",
                detail=" ".join(rest) if rest != ["server"] else None,
            )
        elif first == "feature" and rest and rest[0] in ("telnet", "ssh", "nxapi", "scp-server"):
            yield fact("remote_admin", f"feature {rest[0]}", "enabled")
        elif head2 == "no feature" and len(words) > 2 and words[2] in ("telnet", "ssh", "nxapi"):
            yield fact("remote_admin", f"feature {words[2]}", "disabled")
        elif first in ("tacacs-server", "radius-server") and rest[:1] == ["host"] and len(rest) > 1:
            yield fact(
                "remote_admin",
                "aaa_server",
                rest[1],
                ip=ip_address(rest[1]),
                detail=join_detail(first, self._aaa_port(rest)),
            )
        elif first in ("tacacs-server", "radius-server") and rest[:1] == ["key"]:
            value, kind = secret_words(rest[1:])
            yield fact("remote_admin", f"{first} key", value, detail=kind)
        elif first == "aaa-server" and len(rest) >= 3 and "host" in rest:
            host = rest[rest.index("host") + 1] if rest.index("host") + 1 < len(rest) else None
            name, ip = self.resolve(host)
            yield fact("remote_admin", "aaa_server", name, ip=ip, detail=f"group {rest[0]}")
        elif head3 == "crypto isakmp key" and "address" in words:
            peer = (
                words[words.index("address") + 1]
                if words.index("address") + 1 < len(words)
                else None
            )
            value, kind = secret_words(words[3:4])
            yield fact(
                "vpn",
                "isakmp_peer",
                peer,
                ip=ip_address(peer),
                detail=join_detail(f"pre-shared key {value}", kind),
            )
        elif head2 == "clock timezone" and len(words) > 2:
            yield fact("system", "timezone", " ".join(words[2:]))
        elif head2 in ("boot system", "boot-image") and len(words) > 2:
            yield fact(
                "system",
                "boot_image",
                words[-1] if words[-1] not in ("sup-1", "sup-2") else words[-2],
            )

    # -- pieces of global commands -----------------------------------------------------------
    def _ntp_server(self, words: list[str], how: str) -> Iterator[RouterFact]:
        vrf = None
        if words[:1] == ["vrf"] and len(words) > 2:
            vrf, words = words[1], words[2:]
        if not words:
            return
        name, ip = self.resolve(words[0])
        yield self.fact(
            "system",
            "ntp_server",
            name,
            ip=ip,
            detail=join_detail(
                how if how != "ntp server" else None,
                f"vrf {vrf}" if vrf else None,
                "prefer" if "prefer" in words else None,
            ),
        )

    def _logging(self, rest: list[str]) -> Iterator[RouterFact]:
        target = None
        interface = None
        if rest[:1] in (["host"], ["server"]) and len(rest) > 1:
            if self.platform == "asa" and len(rest) > 2:
                interface, target = rest[1], rest[2]
            else:
                target = rest[1]
                if target == "vrf" and len(rest) > 3:
                    target = rest[3]
        elif rest and ip_address(rest[0]):
            target = rest[0]
        if target:
            name, ip = self.resolve(target)
            yield self.fact(
                "system",
                "log_server",
                name,
                ip=ip,
                detail=f"interface {interface}" if interface else None,
            )

    def _snmp(self, rest: list[str]) -> Iterator[RouterFact]:
        fact = self.fact
        if rest[:1] == ["community"] and len(rest) > 1:
            access = " ".join(rest[2:]) or None
            yield fact(
                "remote_admin",
                "snmp_community",
                masked_secret(rest[1]),
                detail=join_detail(
                    f"access {access}" if access else None, "community string masked"
                ),
            )
        elif rest[:1] == ["host"] and len(rest) > 1:
            target = rest[1]
            interface = None
            if self.platform == "asa" and len(rest) > 2:
                interface, target = rest[1], rest[2]
            name, ip = self.resolve(target)
            yield fact(
                "remote_admin",
                "snmp_host",
                name,
                ip=ip,
                detail=join_detail(
                    f"interface {interface}" if interface else None,
                    "receives SNMP traps/polls; community not shown",
                ),
            )
        elif rest[:1] in (["location"], ["contact"]) and len(rest) > 1:
            yield fact("system", f"snmp_{rest[0]}", " ".join(rest[1:]))
        elif rest[:1] == ["user"] and len(rest) > 2:
            yield fact(
                "admin_user",
                f"snmp user {rest[1]}",
                rest[2],
                detail="SNMPv3 user; keys not shown" if len(rest) > 3 else None,
            )

    def _route(self, words: list[str], vrf: str | None) -> Iterator[RouterFact]:
        if words[:1] == ["vrf"] and len(words) > 2:
            vrf, words = words[1], words[2:]
        gateway = None
        if words[:2] == ["0.0.0.0", "0.0.0.0"] and len(words) > 2:
            gateway, extra = words[2], words[3:]
        elif words[:1] in (["0.0.0.0/0"], ["::/0"]) and len(words) > 1:
            gateway, extra = words[1], words[2:]
        if gateway is None:
            return
        if len(extra) >= 1 and ip_address(extra[0]) and not ip_address(gateway):
            gateway = f"{gateway} {extra[0]}"  # interface + next hop
        yield self.fact(
            "wan",
            "default_route",
            gateway,
            ip=ip_address(gateway.split()[-1]),
            detail=join_detail(
                f"vrf {vrf}" if vrf else None,
                f"distance {extra[-1]}" if extra and extra[-1].isdigit() else None,
            ),
        )

    def _ios_nat(self, words: list[str]) -> Iterator[RouterFact]:
        # ip nat inside source static [tcp|udp] LOCAL LPORT (GLOBAL | interface IF) GPORT
        # ip nat inside source static LOCAL GLOBAL
        # ip nat inside source list X interface Y overload
        body = words[4:] if words[2:4] == ["inside", "source"] else words[3:]
        if not body:
            return
        if body[0] == "static" and len(body) >= 3:
            args = body[1:]
            if args[0] in ("tcp", "udp") and len(args) >= 5:
                proto, local, lport = args[0], args[1], args[2]
                if args[3] == "interface":
                    outside, gport = args[4], args[5] if len(args) > 5 else lport
                else:
                    outside, gport = args[3], args[4]
                yield self.fact(
                    "forward",
                    f"{proto} {gport}",
                    f"{outside}:{gport} -> {local}:{lport} ({proto})",
                    ip=ip_address(local),
                    detail="ip nat inside source static",
                )
            elif len(args) >= 2:
                local, outside = args[0], args[1]
                if outside == "interface" and len(args) > 2:
                    outside = args[2]
                yield self.fact(
                    "forward",
                    f"static {outside}",
                    f"{outside} -> {local} (all ports)",
                    ip=ip_address(local),
                    detail="ip nat inside source static (1:1)",
                )
        elif body[0] in ("list", "route-map") and len(body) >= 2:
            where = " ".join(body[2:]) or None
            yield self.fact("wan", "nat", f"{body[0]} {body[1]}", detail=where)

    def _asa_twice_nat(self, rest: list[str]) -> Iterator[RouterFact]:
        # nat (real,mapped) [after-auto] source static REAL MAPPED [destination ...] [service R M]
        interfaces = rest[0].strip("()")
        words = [word for word in rest[1:] if word not in ("after-auto", "after-object")]
        if words[:2] != ["source", "static"] or len(words) < 4:
            if words[:2] == ["source", "dynamic"]:
                yield self.fact("wan", "nat", f"({interfaces}) {' '.join(words)}")
            return
        real, mapped = words[2], words[3]
        service = words[words.index("service") + 1 :] if "service" in words else []
        _, real_ip = self.resolve(real)
        yield self.fact(
            "forward",
            f"twice nat {real}",
            f"{mapped} -> {real}" + (f" (service {' '.join(service)})" if service else ""),
            ip=real_ip,
            detail=f"nat ({interfaces}) source static",
        )

    def _asa_legacy_static(self, rest: list[str]) -> Iterator[RouterFact]:
        # static (inside,outside) [tcp|udp] MAPPED [MPORT] REAL [RPORT] [netmask M]
        interfaces = rest[0].strip("()")
        args = rest[1:]
        if args and args[0] in ("tcp", "udp") and len(args) >= 5:
            proto, mapped, mport, real, rport = args[:5]
            yield self.fact(
                "forward",
                f"{proto} {mport}",
                f"{mapped}:{mport} -> {real}:{rport} ({proto})",
                ip=self.resolve(real)[1],
                detail=f"static ({interfaces})",
            )
        elif len(args) >= 2:
            yield self.fact(
                "forward",
                f"static {args[0]}",
                f"{args[0]} -> {args[1]} (all ports)",
                ip=self.resolve(args[1])[1],
                detail=f"static ({interfaces})",
            )

    def _dhcpd(self, rest: list[str]) -> Iterator[RouterFact]:
        if rest[:1] == ["dns"]:
            for server in rest[1:]:
                if server == "interface":
                    break
                name, ip = self.resolve(server)
                yield self.fact("dns", "dhcp_dns_server", name, ip=ip, detail="dhcpd dns")
        elif rest[:1] == ["address"] and len(rest) > 2:
            yield self.fact("lan", f"dhcpd {rest[2]}", rest[1], detail="DHCP address range")
        elif rest[:1] == ["enable"] and len(rest) > 1:
            yield self.fact("lan", f"dhcpd {rest[1]}", "enabled")

    def _aaa_port(self, rest: list[str]) -> str | None:
        return f"port {rest[rest.index('port') + 1]}" if "port" in rest[:-1] else None

    def _username(self, words: list[str], number: int) -> Iterator[RouterFact]:
        name = words[1]
        rest = words[2:]
        if not rest:  # IOS-XR: "username NAME" opens a block (group, secret)
            self.block = Block("user", name, number)
            return
        yield self._user_fact(name, rest)

    def _user_fact(self, name: str, rest: list[str]) -> RouterFact:
        secret = None
        kind = None
        for keyword in ("secret", "password"):
            if keyword in rest:
                value, kind = secret_words(rest[rest.index(keyword) + 1 :])
                secret = f"{keyword} {value}"
                break
        role = None
        if "privilege" in rest[:-1]:
            role = f"privilege {rest[rest.index('privilege') + 1]}"
        elif "role" in rest[:-1]:
            role = f"role {rest[rest.index('role') + 1]}"
        elif "group" in rest[:-1]:
            role = f"group {rest[rest.index('group') + 1]}"
        return self.fact(
            "admin_user",
            name,
            role or "local user",
            detail=join_detail(secret, kind) if secret else "no password set",
        )

    def _tunnel_group(self, words: list[str], number: int) -> Iterator[RouterFact]:
        name, what = words[1], words[2]
        if what == "type" and len(words) > 3:
            yield self.fact("vpn", f"tunnel-group {name}", words[3], ip=ip_address(name))
        elif what in ("general-attributes", "ipsec-attributes", "webvpn-attributes"):
            self.block = Block("tunnel_group", name, number)
