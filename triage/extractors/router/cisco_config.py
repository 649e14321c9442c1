"""Read a Cisco IOS, IOS-XE, ASA, NX-OS or IOS-XR running/startup configuration as a stream.

Format (Cisco IOS Configuration Fundamentals; ASA, NX-OS and IOS-XR command references; the
configs in mpenning/ciscoconfparse's test fixtures as real examples): one command per line;
a line at column 0 is a global command, indented lines belong to the last global command
(``interface``, ``ip dhcp pool``, ``object network``, ``line vty``...); ``!`` lines are comments
and separators (IOS writes ``! Last configuration change at ...``); ASA comments start with
``:`` (``: Written by <user> at <time>``); ``banner <type> <d>...<d>`` spans lines up to the
delimiter (``^C``, ``#``) except on ASA, whose banners repeat ``banner motd`` per line.
Some IOS releases indent a global ``interface`` line by one space after a ``!``: a line with no
open block is treated as global, as ciscoconfparse does.

Nothing here holds the whole file: global commands become facts at once, blocks when they close.
Passwords, secrets, keys and SNMP communities are recorded as set with a fingerprint and their
Cisco type (type 7 is reversible obfuscation), never in clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from triage.extractors.router.normalise import (
    interface_address,
    ip_address,
    mac_from_client_id,
    masked_secret,
    network_text,
    normalise_mac,
)
from triage.extractors.router.times import build_from_match, month_number
from triage.extractors.values import join_detail
from triage.records import RouterFact

Fact = Callable[..., RouterFact]

PLATFORMS = {"ios": "Cisco IOS", "asa": "Cisco ASA", "nxos": "Cisco NX-OS", "iosxr": "Cisco IOS-XR"}
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
MAX_BANNER_LINES = 200
MAX_NAMES = 100_000
WAN_WORDS = re.compile(r"\b(isp|wan|internet|uplink|dsl|pppoe)\b", re.IGNORECASE)
_LAST_CHANGE = re.compile(
    r"^!\s*(?P<what>Last configuration change|NVRAM config last updated) at "
    r"(?P<hms>\d{1,2}:\d\d:\d\d(?:\.\d+)?) (?P<tz>\S+) \w{3} (?P<mon>\w{3}) +(?P<day>\d{1,2}) "
    r"(?P<year>\d{4})(?: by (?P<user>\S+))?"
)
_ASA_WRITTEN = re.compile(
    r"^:\s*Written by (?P<user>\S+) at (?P<hms>\d{1,2}:\d\d:\d\d(?:\.\d+)?) (?P<tz>\S+) "
    r"\w{3} (?P<mon>\w{3}) +(?P<day>\d{1,2}) (?P<year>\d{4})"
)


def detect_platform(head: str) -> str:
    """``asa``, ``nxos``, ``iosxr`` or ``ios`` from the first bytes of a config."""
    if re.search(r"^(?:ASA|PIX) Version |^: Saved", head, re.MULTILINE):
        return "asa"
    if re.search(r"^feature \S|^vdc \S|^switchname \S|NX-OS", head, re.MULTILINE):
        return "nxos"
    if re.search(r"^ ipv4 address |^ipv4 access-list |IOS XR|^RP/\d", head, re.MULTILINE):
        return "iosxr"
    return "ios"


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


@dataclass
class _Block:
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


class CiscoConfig:
    """The state of one config being read: open block, ASA names and objects."""

    def __init__(self, fact: Fact, platform: str) -> None:
        self.fact = fact
        self.platform = platform
        self.block: _Block | None = None
        self.names: dict[str, str] = {}  # ASA "name" table and object network hosts
        self.banners: dict[str, list[str]] = {}  # ASA one-line banners, joined at the end

    # -- entry points -----------------------------------------------------------------------
    def read(self, lines: Iterable[tuple[int, str]], problem: Callable[[str], None]):
        """Facts from every line, in order."""
        yield self.fact("system", "platform", PLATFORMS[self.platform])
        banner: tuple[str, str, list[str], int] | None = None  # kind, delimiter, lines, start
        for number, raw in lines:
            line = raw.rstrip()
            if banner is not None:
                kind, delimiter, collected, start = banner
                if delimiter in line:
                    collected.append(line.split(delimiter, 1)[0])
                    yield self._banner(kind, collected)
                    banner = None
                elif len(collected) >= MAX_BANNER_LINES:
                    problem(
                        f"line {start}: banner {kind} has no end delimiter within "
                        f"{MAX_BANNER_LINES} lines; read as commands from here"
                    )
                    yield self._banner(kind, collected)
                    banner = None
                else:
                    collected.append(line)
                    continue
            stripped = line.strip()
            if not stripped:
                continue
            indent = len(line) - len(line.lstrip(" \t"))
            if stripped.startswith("!"):
                yield from self._comment(stripped)
                if indent == 0:
                    yield from self.close()
                continue
            if stripped.startswith(":") and self.platform == "asa":
                yield from self._asa_comment(stripped)
                continue
            if indent > 0 and self.block is not None:
                yield from self._child(stripped, number)
                continue
            yield from self.close()
            opened = self._banner_start(stripped, number)
            if opened is not None:
                if isinstance(opened, RouterFact):
                    yield opened
                elif opened:
                    banner = opened
                continue
            yield from self._global(stripped.split(), stripped, number)
        if banner is not None:
            problem(f"line {banner[3]}: banner {banner[0]} never ends")
            yield self._banner(banner[0], banner[2])
        yield from self.close()
        for kind, collected in self.banners.items():
            yield self._banner(kind, collected)

    def close(self) -> Iterator[RouterFact]:
        """Facts of the open block, which ends here."""
        block, self.block = self.block, None
        if block is None:
            return
        closer = getattr(self, f"_close_{block.kind}", None)
        if closer is not None:
            yield from closer(block)

    # -- comments and banners ----------------------------------------------------------------
    def _comment(self, text: str) -> Iterator[RouterFact]:
        match = _LAST_CHANGE.match(text)
        if match:
            yield self._stamped(
                "config_changed" if match.group("what").startswith("Last") else "nvram_updated",
                text,
                match,
            )

    def _asa_comment(self, text: str) -> Iterator[RouterFact]:
        match = _ASA_WRITTEN.match(text)
        if match:
            yield self._stamped("config_written", text, match)

    def _stamped(self, key: str, text: str, match: re.Match[str]) -> RouterFact:
        month = month_number(match.group("mon")) or 0
        when, note = build_from_match(match, month)
        raw = text.lstrip("!: ").strip()
        return self.fact(
            "system",
            key,
            raw,
            time=when,
            time_raw=raw,
            time_note=note,
            detail=f"by {match.group('user')}" if match.group("user") else None,
        )

    def _banner_start(self, text: str, number: int):
        match = re.match(r"^banner (\S+)(?: (.*))?$", text)
        if not match:
            return None
        kind, rest = match.group(1), match.group(2) or ""
        if self.platform == "asa":
            if kind not in self.banners and len(self.banners) >= 10:
                return False
            lines = self.banners.setdefault(kind, [])
            if len(lines) < MAX_BANNER_LINES:
                lines.append(rest)
            return False
        if not rest:
            return None
        delimiter = "^C" if rest.startswith("^C") else rest[0]
        after = rest[len(delimiter) :]
        if delimiter in after:
            return self._banner(kind, [after.split(delimiter, 1)[0]])
        return kind, delimiter, [after] if after.strip() else [], number

    def _banner(self, kind: str, lines: list[str]) -> RouterFact:
        text = "\n".join(lines).strip("\n")
        return self.fact("system", f"banner {kind}", text[:4000] or "(empty)")

    # -- names ------------------------------------------------------------------------------
    def resolve(self, token: str | None) -> tuple[str | None, str | None]:
        """``(as written, ip)``: an IP, or an ASA name/object resolved to its IP."""
        if token is None:
            return None, None
        direct = ip_address(token)
        return token, direct or self.names.get(token)

    def _remember(self, name: str, address: str) -> None:
        if len(self.names) < MAX_NAMES:
            self.names.setdefault(name, address)

    # -- global commands ---------------------------------------------------------------------
    def _global(self, words: list[str], text: str, number: int) -> Iterator[RouterFact]:
        fact = self.fact
        first = words[0]
        second = words[1] if len(words) > 1 else ""
        if first in ("hostname", "switchname") and second:
            yield fact("system", "hostname", second)
        elif first == "version" and second:
            yield fact("system", "firmware", f"{PLATFORMS[self.platform]} {second}")
        elif first in ("ASA", "PIX") and second == "Version" and len(words) > 2:
            yield fact("system", "firmware", f"{PLATFORMS['asa']} {words[2]}")
        elif first == "interface" and second:
            self.block = _Block("interface", " ".join(words[1:]), number)
        elif words[:3] in (["ip", "dhcp", "pool"], ["ipv6", "dhcp", "pool"]) and len(words) > 3:
            self.block = _Block("pool", words[3], number)
            self.block.values["family"] = first
        elif first == "object" and second == "network" and len(words) > 2:
            self.block = _Block("object", words[2], number)
        elif first == "line" and second:
            self.block = _Block("line", " ".join(words[1:]), number)
        elif first == "group-policy" and len(words) > 2 and words[2] == "attributes":
            self.block = _Block("group_policy", second, number)
        elif first == "tunnel-group" and len(words) > 2:
            yield from self._tunnel_group(words, number)
        elif words[:2] == ["dns", "server-group"] and len(words) > 2:
            self.block = _Block("dns_group", words[2], number)
        elif first == "ntp" and len(words) == 1:
            self.block = _Block("ntp", "ntp", number)
        elif words[:2] == ["vrf", "context"] and len(words) > 2:
            self.block = _Block("vrf", words[2], number)
        elif words[:2] == ["router", "static"]:
            self.block = _Block("router_static", "static", number)
        elif words[:3] == ["aaa", "group", "server"] and len(words) > 4:
            self.block = _Block("aaa_group", words[4], number)
        elif first in ("tacacs", "radius") and second == "server" and len(words) > 2:
            self.block = _Block("aaa_server", f"{first} {words[2]}", number)
        elif first == "archive":
            self.block = _Block("archive", "archive", number)
        elif first == "webvpn":
            self.block = _Block("webvpn", "webvpn", number)
        elif first == "crypto" and second == "map" and len(words) > 3:
            self.block = _Block("crypto_map", " ".join(words[2:4]), number)
        elif first == "username" and second:
            yield from self._username(words, number)
        else:
            # Children of other global commands (flow exporter, router bgp...) are swallowed
            # by a block of their own, so an indented "version 9" is never read as global.
            self.block = _Block("other", first, number)
            yield from self._one_liner(words, text)

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
            self.block = _Block("user", name, number)
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
            self.block = _Block("tunnel_group", name, number)

    # -- children of blocks ------------------------------------------------------------------
    def _child(self, text: str, number: int) -> Iterator[RouterFact]:
        block = self.block
        assert block is not None
        handler = getattr(self, f"_child_{block.kind}", None)
        if handler is None:
            return
        result = handler(block, text.split(), text)
        if result is not None:
            yield from result

    def _child_interface(self, block: _Block, words: list[str], text: str):
        first = words[0]
        if first in ("ip", "ipv4") and words[1:2] == ["address"] and len(words) > 2:
            block.add("address", " ".join(words[2:]))
        elif first == "ipv6" and words[1:2] == ["address"] and len(words) > 2:
            block.add("address6", " ".join(words[2:]))
        elif first == "description":
            block.values["description"] = text.partition(" ")[2][:500]
        elif first in ("nameif", "security-level") and len(words) > 1:
            block.values[first] = words[1]
        elif first == "shutdown":
            block.values["shutdown"] = "shutdown"
        elif words[:2] == ["ip", "nat"] and len(words) > 2:
            block.values["nat"] = words[2]
        elif first == "mac-address" and len(words) > 1:
            block.values["mac"] = normalise_mac(words[1]) or words[1]
        elif (
            words[:2] == ["vrf", "member"]
            or words[:2] == ["vrf", "forwarding"]
            or (first == "vrf" and len(words) == 2)
        ):
            block.values["vrf"] = words[-1]
        elif words[:2] == ["ppp", "chap"] and len(words) > 3 and words[2] == "hostname":
            block.add("ppp_user", f"chap {words[3]}")
        elif words[:2] == ["ppp", "chap"] and len(words) > 3 and words[2] == "password":
            value, kind = secret_words(words[3:])
            block.add("ppp_secret", f"chap {value}|{kind or ''}")
        elif words[:2] == ["ppp", "pap"] and "sent-username" in words:
            index = words.index("sent-username")
            if index + 1 < len(words):
                block.add("ppp_user", f"pap {words[index + 1]}")
            if "password" in words[index:]:
                value, kind = secret_words(words[words.index("password", index) + 1 :])
                block.add("ppp_secret", f"pap {value}|{kind or ''}")
        elif first == "standby" and len(words) > 3 and words[2] == "ip":
            block.add("virtual", words[3])
        elif first == "ip" and len(words) == 2 and ip_address(words[1]):  # NX-OS hsrp child
            block.add("virtual", words[1])
        elif first in ("pppoe-client", "pppoe") or words[:2] == ["encapsulation", "ppp"]:
            block.values["ppp"] = "ppp"

    def _close_interface(self, block: _Block) -> Iterator[RouterFact]:
        name = block.name
        values = block.values
        dynamic = None
        addresses: list[tuple[str | None, str, bool]] = []
        for written in block.lists.get("address", []):
            words = written.split()
            if words[0] in ("negotiated", "dhcp", "pppoe"):
                dynamic = "negotiated (PPP)" if words[0] == "negotiated" else words[0]
                continue
            parsed = interface_address(
                words[0],
                words[1]
                if len(words) > 1 and not words[1].startswith(("secondary", "standby"))
                else None,
            )
            if parsed is None:
                continue
            addresses.append((parsed[0], parsed[1], "secondary" in words))
        for written in block.lists.get("address6", []):
            words = written.split()
            if "link-local" in words or words[0] in ("autoconfig", "dhcp"):
                continue
            parsed = interface_address(words[0])
            if "eui-64" in words or parsed is None:
                addresses.append((None, written, False))
            else:
                addresses.append((parsed[0], parsed[1], False))
        wan = bool(
            dynamic
            or values.get("nat") == "outside"
            or name.lower().startswith("dialer")
            or (values.get("nameif") or "").lower() in ("outside", "wan", "internet")
            or values.get("security-level") == "0"
            or WAN_WORDS.search(values.get("description") or "")
        )
        category = "wan" if wan else "lan"
        virtual = block.lists.get("virtual")
        base = join_detail(
            f"description {values['description']}" if values.get("description") else None,
            f"nameif {values['nameif']}" if values.get("nameif") else None,
            f"security-level {values['security-level']}" if values.get("security-level") else None,
            f"nat {values['nat']}" if values.get("nat") else None,
            f"vrf {values['vrf']}" if values.get("vrf") else None,
            f"MAC set to {values['mac']}" if values.get("mac") else None,
            f"virtual gateway {' '.join(virtual)}" if virtual else None,
            values.get("shutdown"),
        )
        for ip, value, secondary in addresses:
            yield self.fact(
                category,
                name,
                value,
                ip=ip,
                detail=join_detail(base, "secondary" if secondary else None),
            )
        if dynamic:
            yield self.fact("wan", name, dynamic, detail=base)
        users: dict[str, list[str]] = {}
        for entry in block.lists.get("ppp_user", []):
            method, _, user = entry.partition(" ")
            users.setdefault(user, []).append(method)
        for user, methods in users.items():
            yield self.fact(
                "isp_account",
                "ppp_username",
                user,
                detail=f"interface {name}; ppp {'/'.join(methods)}",
            )
        for entry in block.lists.get("ppp_secret", []):
            method, _, rest = entry.partition(" ")
            value, _, kind = rest.partition("|")
            yield self.fact(
                "isp_account",
                "ppp_password",
                value,
                detail=join_detail(f"interface {name}; ppp {method}", kind or None),
            )

    def _child_pool(self, block: _Block, words: list[str], text: str):
        first = words[0]
        if first == "network" and len(words) > 1:
            block.values["network"] = network_text(words[1], words[2] if len(words) > 2 else None)
        elif first == "address" and words[1:2] == ["prefix"] and len(words) > 2:
            block.values["network"] = words[2]
        elif first == "default-router" and len(words) > 1:
            block.values["gateway"] = " ".join(words[1:])
        elif first == "dns-server":
            for server in words[1:]:
                block.add("dns", server)
        elif first == "host" and len(words) > 1:
            block.values["host"] = words[1]
        elif first in ("hardware-address", "client-identifier") and len(words) > 1:
            block.values[first] = words[1]
        elif first == "client-name" and len(words) > 1:
            block.values["client-name"] = words[1]
        elif first == "lease" and len(words) > 1:
            block.values["lease"] = " ".join(words[1:])

    def _close_pool(self, block: _Block) -> Iterator[RouterFact]:
        values = block.values
        if values.get("network"):
            yield self.fact(
                "lan",
                f"dhcp pool {block.name}",
                values["network"],
                ip=ip_address(values.get("gateway", "").split(" ")[0]),
                detail=join_detail(
                    f"default-router {values['gateway']}" if values.get("gateway") else None,
                    f"lease {values['lease']}" if values.get("lease") else None,
                ),
            )
        for server in block.lists.get("dns", []):
            yield self.fact(
                "dns",
                "dhcp_dns_server",
                server,
                ip=ip_address(server),
                detail=f"dhcp pool {block.name}",
            )
        if values.get("host"):
            address = values["host"]
            hardware = values.get("hardware-address")
            client = values.get("client-identifier")
            mac = normalise_mac(hardware) or mac_from_client_id(client)
            name = values.get("client-name")
            yield self.fact(
                "static_lease",
                ip_address(address) or address,
                name or mac or address,
                mac=mac,
                ip=ip_address(address),
                hostname=name,
                detail=join_detail(
                    f"dhcp pool {block.name} (manual binding)",
                    f"client-identifier {client}" if client else None,
                ),
            )

    def _child_object(self, block: _Block, words: list[str], text: str):
        if words[0] == "host" and len(words) > 1:
            block.values["host"] = words[1]
            if ip_address(words[1]):
                self._remember(block.name, ip_address(words[1]))
        elif words[0] == "subnet" and len(words) > 2:
            block.values["host"] = network_text(words[1], words[2])
        elif words[0] == "range" and len(words) > 2:
            block.values["host"] = f"{words[1]}-{words[2]}"
        elif words[0] == "fqdn" and len(words) > 1:
            block.values["host"] = words[-1]
        elif words[0] == "nat" and len(words) > 2:
            block.add("nat", text)

    def _close_object(self, block: _Block) -> Iterator[RouterFact]:
        host = block.values.get("host") or self.names.get(block.name)
        for text in block.lists.get("nat", []):
            words = text.split()
            interfaces = words[1].strip("()")
            kind = words[2]
            if kind == "static" and len(words) > 3:
                mapped = words[3]
                service = words[words.index("service") + 1 :] if "service" in words else []
                if len(service) >= 3:
                    proto, real_port, mapped_port = service[:3]
                    value = f"{mapped}:{mapped_port} -> {host}:{real_port} ({proto})"
                else:
                    value = f"{mapped} -> {host} (all ports)"
                yield self.fact(
                    "forward",
                    block.name,
                    value,
                    ip=ip_address(host) if host else None,
                    detail=f"object network nat ({interfaces}) static",
                )
            else:
                yield self.fact(
                    "wan",
                    "nat",
                    f"{block.name} ({interfaces}) {' '.join(words[2:])}",
                    detail=f"object {host}" if host else None,
                )

    def _child_line(self, block: _Block, words: list[str], text: str):
        if words[:2] == ["transport", "input"]:
            block.values["transport"] = " ".join(words[2:])
        elif words[0] == "access-class" and len(words) > 1:
            block.values["access-class"] = " ".join(words[1:])
        elif words[0] in ("password", "secret") and len(words) > 1:
            value, kind = secret_words(words[1:])
            block.values["password"] = join_detail(value, kind) or value
        elif words[0] == "login":
            block.values["login"] = " ".join(words)

    def _close_line(self, block: _Block) -> Iterator[RouterFact]:
        if block.name.startswith(("con", "aux")) or not (
            block.name.startswith(("vty", "template")) or block.values
        ):
            return  # the console is not remote access
        values = block.values
        yield self.fact(
            "remote_admin",
            f"line {block.name}",
            f"transport input {values['transport']}"
            if values.get("transport")
            else "transport input default",
            detail=join_detail(
                f"access-class {values['access-class']}" if values.get("access-class") else None,
                f"password {values['password']}" if values.get("password") else None,
                values.get("login"),
            ),
        )

    def _child_group_policy(self, block: _Block, words: list[str], text: str):
        if words[:2] == ["dns-server", "value"]:
            for server in words[2:]:
                name, ip = self.resolve(server)
                yield self.fact(
                    "dns", "vpn_dns_server", name, ip=ip, detail=f"group-policy {block.name}"
                )
        elif words[0] == "vpn-tunnel-protocol":
            yield self.fact("vpn", f"group-policy {block.name}", " ".join(words[1:]))

    def _child_tunnel_group(self, block: _Block, words: list[str], text: str):
        if words[0] in ("address-pool", "default-group-policy") and len(words) > 1:
            yield self.fact(
                "vpn",
                f"tunnel-group {block.name}",
                f"{words[0]} {words[-1]}",
                ip=ip_address(block.name),
            )
        elif "pre-shared-key" in words:
            index = words.index("pre-shared-key")
            value, kind = secret_words(words[index + 1 :])
            yield self.fact(
                "vpn",
                f"tunnel-group {block.name}",
                f"pre-shared key {value}",
                ip=ip_address(block.name),
                detail=kind,
            )

    def _child_dns_group(self, block: _Block, words: list[str], text: str):
        if words[0] == "name-server":
            for server in words[1:]:
                name, ip = self.resolve(server)
                yield self.fact(
                    "dns",
                    "server",
                    name,
                    ip=ip,
                    detail=join_detail(
                        f"dns server-group {block.name}",
                        f"{name} = {ip} (ASA names)" if ip and name != ip else None,
                    ),
                )
        elif words[0] == "domain-name" and len(words) > 1:
            yield self.fact("system", "domain", words[1])

    def _child_ntp(self, block: _Block, words: list[str], text: str):
        if words[0] in ("server", "peer") and len(words) > 1:
            return self._ntp_server(words[1:], f"ntp {words[0]}")
        return None

    def _child_vrf(self, block: _Block, words: list[str], text: str):
        if words[:2] == ["ip", "route"]:
            return self._route(words[2:], block.name)
        return None

    def _child_router_static(self, block: _Block, words: list[str], text: str):
        if words[0] in ("0.0.0.0/0", "::/0") and len(words) > 1:
            return self._route(words, None)
        return None

    def _child_aaa_group(self, block: _Block, words: list[str], text: str):
        if words[0] == "server" and len(words) > 1:
            yield self.fact(
                "remote_admin",
                "aaa_server",
                words[1],
                ip=ip_address(words[1]),
                detail=f"aaa group {block.name}",
            )

    def _child_aaa_server(self, block: _Block, words: list[str], text: str):
        if words[:2] in (["address", "ipv4"], ["address", "ipv6"]) and len(words) > 2:
            yield self.fact(
                "remote_admin", "aaa_server", words[2], ip=ip_address(words[2]), detail=block.name
            )
        elif words[0] == "key":
            value, kind = secret_words(words[1:])
            yield self.fact("remote_admin", f"{block.name} key", value, detail=kind)

    def _child_archive(self, block: _Block, words: list[str], text: str):
        if words[0] == "path" and len(words) > 1:
            yield self.fact(
                "system",
                "config_archive",
                words[1],
                detail="configuration archives are copied to this server",
            )

    def _child_webvpn(self, block: _Block, words: list[str], text: str):
        if words[0] == "enable" and len(words) > 1:
            yield self.fact("vpn", "webvpn", f"enabled on {words[1]}")
        elif words[:2] == ["anyconnect", "enable"]:
            yield self.fact("vpn", "anyconnect", "enabled")

    def _child_crypto_map(self, block: _Block, words: list[str], text: str):
        if words[:2] == ["set", "peer"]:
            for peer in words[2:]:
                yield self.fact(
                    "vpn",
                    "crypto_peer",
                    peer,
                    ip=ip_address(peer),
                    detail=f"crypto map {block.name}",
                )

    def _child_user(self, block: _Block, words: list[str], text: str):
        block.add("words", text)

    def _close_user(self, block: _Block) -> Iterator[RouterFact]:
        words: list[str] = []
        for text in block.lists.get("words", []):
            words.extend(text.split())
        yield self._user_fact(block.name, words)
