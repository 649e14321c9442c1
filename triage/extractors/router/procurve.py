"""router.procurve: HP/Aruba ProCurve and HP Comware (H3C, V1910) switch/router configurations.

Two dialects share the HP name. ProCurve / ArubaOS-Switch (``show running-config``; HP
"Management and Configuration Guide"): a ``; J9086A Configuration Editor; Created on release
#R.11.25`` header, ``hostname "name"``, ``vlan N`` blocks closed by ``exit`` holding
``ip address``, ``ip default-gateway``, ``sntp server``, ``ip dns server-address``,
``snmp-server community "x"``, ``password manager``, ``ip authorized-managers``. Comware
(``display current-configuration``; H3C command references; ciscoconfparse's
``HP_Procurve.conf`` fixture, a V1910, as a real example): ``#`` separators, `` sysname``,
`` version 5.20, Release 1513P81``, ``local-user NAME`` blocks with ``password cipher`` and
``service-type``, ``interface Vlan-interfaceN`` with ``ip address``, ``ntp-service
unicast-server``, ``snmp-agent community``, ``ssh server enable``, ``dhcp server ip-pool`` with
``static-bind``, ``nat server`` (port forwards), ``info-center loghost``.
Passwords and SNMP communities are masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor
from triage.extractors.router.normalise import (
    interface_address,
    ip_address,
    masked_secret,
    network_text,
    normalise_mac,
)
from triage.extractors.router.text import read_lines
from triage.extractors.values import join_detail
from triage.records import RouterFact

MAX_ITEMS = 1000  # addresses, bindings... kept per block
_PROCURVE_HEADER = re.compile(
    r"^; (?P<model>\S+) Configuration Editor; Created on release #(?P<release>\S+)"
)


def _words(text: str) -> list[str]:
    """Words with ProCurve's double-quoted values kept whole and unquoted."""
    return [
        part[1:-1] if part.startswith('"') and part.endswith('"') and len(part) > 1 else part
        for part in re.findall(r'"[^"]*"|\S+', text)
    ]


class HpConfig(RouterExtractor):
    """HP ProCurve and Comware configurations (see the module docstring)."""

    name = "router.procurve"
    description = (
        "HP ProCurve / Comware (H3C) configuration: identity, users, interface addresses, "
        "routes, DNS, NTP, logging, SNMP, SSH/telnet/web management, DHCP bindings, NAT servers"
    )
    patterns = (
        "**/*procurve*",
        "**/*comware*",
        "**/*.conf",
        "**/*.cfg",
        "**/*config*.txt",
        "**/*running*.txt",
    )

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """The ProCurve editor header or ``hostname "x"`` + ``vlan N``; Comware ``sysname``."""
        if re.search(r"^; \S+ Configuration Editor;", head, re.MULTILINE):
            return True
        if re.search(r'^hostname "', head, re.MULTILINE) and re.search(
            r"^vlan \d+", head, re.MULTILINE
        ):
            return True
        return bool(re.search(r"^ ?sysname \S", head, re.MULTILINE)) and bool(
            re.search(r"^#\s*$", head, re.MULTILINE)
        )

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """One pass; blocks (vlan, interface, local-user, ip-pool) are closed by the next one."""
        reader = _HpReader(fact)
        for _, line in read_lines(ctx, file):
            yield from reader.line(line)
        yield from reader.close()


class _HpReader:
    def __init__(self, fact: partial) -> None:
        self.fact = fact
        self.block: tuple[str, str] | None = None
        self.values: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}

    def line(self, raw: str) -> Iterator[RouterFact]:
        text = raw.rstrip()
        stripped = text.strip()
        if not stripped:
            return
        header = _PROCURVE_HEADER.match(stripped)
        if header:
            yield self.fact("system", "platform", "HP ProCurve")
            yield self.fact("system", "model", header.group("model"))
            yield self.fact("system", "firmware", f"ProCurve {header.group('release')}")
            return
        if stripped in ("#", "exit", "return") or stripped.startswith(";"):
            yield from self.close()
            return
        words = _words(stripped)
        block_starts = (
            ("interface", "vlan", "local-user", "user-interface")
            if not text.startswith(" ") or self.block is None
            else ()
        )
        if words[0] in block_starts and len(words) > 1:
            yield from self.close()
            self.block = (words[0], " ".join(words[1:]))
            return
        if words[:3] == ["dhcp", "server", "ip-pool"] and len(words) > 3:
            yield from self.close()
            self.block = ("ip-pool", words[3])
            return
        if self.block is not None and (text.startswith((" ", "\t")) or self.block[0] == "vlan"):
            self._child(words)
            return
        yield from self.close()
        yield from self._global(words)

    def _append(self, key: str, *values: str) -> None:
        items = self.lists.setdefault(key, [])
        items.extend(values[: max(0, MAX_ITEMS - len(items))])

    def _child(self, words: list[str]) -> None:
        if words[:2] == ["ip", "address"] and len(words) > 2:
            self._append("address", " ".join(words[2:]))
        elif words[0] in ("name", "description") and len(words) > 1:
            self.values[words[0]] = " ".join(words[1:])
        elif (
            words[:2] == ["password", "cipher"]
            or words[:2] == ["password", "simple"]
            or words[:2] == ["password", "hash"]
        ):
            if len(words) > 2:
                self.values["password"] = f"{words[1]} {masked_secret(words[2])}"
        elif words[0] == "service-type":
            self._append("service", *words[1:])
        elif words[0] == "authorization-attribute" and "level" in words:
            self.values["level"] = (
                words[words.index("level") + 1] if words.index("level") + 1 < len(words) else ""
            )
        elif words[0] in ("authentication-mode", "protocol") and len(words) > 1:
            self._append("access", " ".join(words))
        elif words[0] == "static-bind" and "ip-address" in words:
            self._append("bind", " ".join(words))
        elif words[0] == "network" and len(words) > 1:
            mask = words[words.index("mask") + 1] if "mask" in words[:-1] else None
            self.values["network"] = network_text(words[1], mask)
        elif words[0] == "dns-list":
            self._append("dns", *words[1:])

    def close(self) -> Iterator[RouterFact]:
        block, values, lists = self.block, self.values, self.lists
        self.block, self.values, self.lists = None, {}, {}
        if block is None:
            return
        kind, name = block
        if kind in ("interface", "vlan"):
            label = f"vlan {name}" if kind == "vlan" else name
            for written in lists.get("address", []):
                words = written.split()
                if words[0] in ("dhcp-bootp", "dhcp-alloc", "dhcp"):
                    yield self.fact("wan", label, "dhcp", detail=values.get("name"))
                    continue
                mask = (
                    words[2]
                    if len(words) > 2 and words[1] == "mask"
                    else (words[1] if len(words) > 1 else None)
                )
                parsed = interface_address(words[0], mask)
                if parsed:
                    yield self.fact(
                        "lan",
                        label,
                        parsed[1],
                        ip=parsed[0],
                        detail=join_detail(
                            f"name {values['name']}" if values.get("name") else None,
                            values.get("description"),
                        ),
                    )
        elif kind == "local-user":
            yield self.fact(
                "admin_user",
                name,
                f"level {values['level']}" if values.get("level") else "local user",
                detail=join_detail(
                    f"password {values['password']}" if values.get("password") else None,
                    f"services {' '.join(lists['service'])}" if lists.get("service") else None,
                ),
            )
        elif kind == "user-interface" and name.startswith("vty") and lists.get("access"):
            yield self.fact("remote_admin", f"user-interface {name}", "; ".join(lists["access"]))
        elif kind == "ip-pool":
            if values.get("network"):
                yield self.fact("lan", f"dhcp pool {name}", values["network"])
            for server in lists.get("dns", []):
                yield self.fact(
                    "dns",
                    "dhcp_dns_server",
                    server,
                    ip=ip_address(server),
                    detail=f"dhcp pool {name}",
                )
            for bind in lists.get("bind", []):
                words = bind.split()
                ip = words[words.index("ip-address") + 1] if "ip-address" in words[:-1] else None
                hardware = (
                    words[words.index("hardware-address") + 1]
                    if "hardware-address" in words[:-1]
                    else None
                )
                mac = normalise_mac(hardware)
                yield self.fact(
                    "static_lease",
                    ip or "?",
                    mac or hardware or ip,
                    mac=mac,
                    ip=ip_address(ip),
                    detail=f"dhcp pool {name} static-bind",
                )

    def _global(self, words: list[str]) -> Iterator[RouterFact]:
        fact = self.fact
        first = words[0]
        rest = words[1:]
        if first in ("hostname", "sysname") and rest:
            if first == "sysname":
                yield fact("system", "platform", "HP Comware")
            yield fact("system", "hostname", " ".join(rest))
        elif first == "version" and rest:
            yield fact("system", "firmware", f"Comware {' '.join(rest)}")
        elif words[:2] == ["clock", "timezone"] and len(words) > 2:
            yield fact("system", "timezone", " ".join(words[2:]))
        elif (
            first in ("ntp-service", "sntp")
            and rest
            and ip_address(rest[-1])
            and ("unicast-server" in rest or "server" in rest)
        ):
            yield fact("system", "ntp_server", rest[-1], ip=ip_address(rest[-1]))
        elif words[:2] == ["ip", "default-gateway"] and len(words) > 2:
            yield fact("wan", "default_gateway", words[2], ip=ip_address(words[2]))
        elif (
            words[:2] == ["ip", "route-static"]
            and len(words) > 3
            and words[2] in ("0.0.0.0",)
            and words[3] in ("0", "0.0.0.0")
        ):
            gateway = words[4] if len(words) > 4 else "?"
            yield fact("wan", "default_route", gateway, ip=ip_address(gateway))
        elif (
            words[:2] == ["ip", "route"] and len(words) > 4 and words[2:4] == ["0.0.0.0", "0.0.0.0"]
        ):
            yield fact("wan", "default_route", words[4], ip=ip_address(words[4]))
        elif (
            words[:2] == ["dns", "server"] or words[:3] == ["ip", "dns", "server-address"]
        ) and ip_address(words[-1]):
            yield fact("dns", "server", words[-1], ip=ip_address(words[-1]))
        elif first in ("snmp-agent", "snmp-server") and rest[:1] == ["community"] and len(rest) > 1:
            community = rest[-1] if first == "snmp-agent" else rest[1]
            access = rest[1] if first == "snmp-agent" else " ".join(rest[2:])
            yield fact(
                "remote_admin",
                "snmp_community",
                masked_secret(community),
                detail=join_detail(
                    f"access {access}" if access else None, "community string masked"
                ),
            )
        elif first in ("snmp-agent", "snmp-server") and rest[:1] in (["target-host"], ["host"]):
            host = next((word for word in rest if ip_address(word)), None)
            if host:
                yield fact("remote_admin", "snmp_host", host, ip=ip_address(host))
        elif words[:3] == ["ssh", "server", "enable"] or words[:2] == ["ip", "ssh"]:
            yield fact("remote_admin", "ssh server", "enabled")
        elif words[:3] == ["telnet", "server", "enable"] or words[:1] == ["telnet-server"]:
            yield fact("remote_admin", "telnet server", "enabled")
        elif words[:2] == ["no", "telnet-server"]:
            yield fact("remote_admin", "telnet server", "disabled")
        elif first in ("web-management", "ip") and rest[:1] in (
            ["ssl"],
            ["http"],
            ["https-server"],
        ):
            yield fact("remote_admin", "web management", " ".join(rest))
        elif words[:2] == ["ip", "authorized-managers"] and len(words) > 2:
            yield fact("remote_admin", "authorized manager", " ".join(words[2:]))
        elif first == "password" and rest and rest[0] in ("manager", "operator"):
            yield fact("admin_user", rest[0], "set", detail="ProCurve local password")
        elif words[:2] == ["info-center", "loghost"] and len(words) > 2:
            yield fact("system", "log_server", words[2], ip=ip_address(words[2]))
        elif first == "logging" and rest and ip_address(rest[0]):
            yield fact("system", "log_server", rest[0], ip=ip_address(rest[0]))
        elif words[:2] == ["nat", "server"]:
            yield from self._nat_server(words)

    def _nat_server(self, words: list[str]) -> Iterator[RouterFact]:
        # nat server protocol tcp global GLOBAL GPORT inside LOCAL LPORT
        def after(keyword: str, offset: int = 1) -> str | None:
            if keyword in words and words.index(keyword) + offset < len(words):
                return words[words.index(keyword) + offset]
            return None

        proto = after("protocol") or "any"
        local = after("inside")
        value = f"{after('global')}:{after('global', 2)} -> {local}:{after('inside', 2)} ({proto})"
        yield self.fact(
            "forward",
            f"{proto} {after('global', 2)}",
            value,
            ip=ip_address(local),
            detail="nat server",
        )
