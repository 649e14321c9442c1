"""router.junos: a Juniper JunOS configuration, in brace (``show configuration``) or set form.

Where it lives: ``/config/juniper.conf`` on the device (older copies ``juniper.conf.N.gz``,
compressed, not read here), or an admin's saved ``show configuration [| display set]`` output.
Format (Juniper "CLI User Guide: configuration statement hierarchy"; ciscoconfparse's
``sample_01.junos`` fixture as a real example): statements end with ``;``, blocks are
``name {`` ... ``}``, values may be quoted, ``[ a b ]`` lists, ``##`` / ``/* */`` annotations;
the header ``## Last commit: <time> <zone> by <user>`` dates the configuration. The set form
writes each statement as one ``set <path...> <value>`` line; both are read into the same flat
word paths (``system login user NAME class super-user``).

Facts: host name, domain, firmware version, name servers, NTP and syslog hosts, login users
(class, full name; password hashes masked), enabled services (SSH, telnet, web management,
host-inbound services per zone), interface addresses, PPPoE credentials, default route, DHCP
static bindings, destination NAT, SNMP communities (masked) and IKE gateways.
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
    normalise_mac,
)
from triage.extractors.router.text import read_lines
from triage.extractors.router.times import build
from triage.extractors.values import join_detail
from triage.records import RouterFact

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{};\[\]]|[^\s{};\[\]"]+')
_COMMENT_BLOCK = re.compile(r"/\*.*?\*/")
_LAST_COMMIT = re.compile(
    r"^## Last commit: (?P<date>\d{4}-\d\d-\d\d) (?P<time>\d\d:\d\d:\d\d) (?P<tz>\S+)"
    r"(?: by (?P<user>\S+))?"
)
MAX_DEPTH = 64
MAX_WORDS = 1000
MAX_KEYS = 10_000
SECRET_WORDS = frozenset(
    {
        "encrypted-password",
        "plain-text-password-value",
        "secret",
        "pre-shared-key",
        "ascii-text",
        "hexadecimal",
        "default-chap-secret",
        "default-pap-password",
        "local-password",
        "authentication-key",
    }
)


def unquote(token: str) -> str:
    """A JunOS word without its double quotes and backslash escapes."""
    if len(token) >= 2 and token.startswith('"') and token.endswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


def statements(lines, problem) -> Iterator[tuple[str, ...] | tuple[str, str]]:
    """Flat word paths of every statement, and ``("#", text)`` for header comments."""
    stack: list[list[str]] = []
    words: list[str] = []
    for number, raw in lines:
        line = _COMMENT_BLOCK.sub(" ", raw).strip()
        if not line:
            continue
        if line.startswith("#"):
            yield ("#", line)
            continue
        tokens = _TOKEN.findall(line)
        if tokens[:1] == ["set"] and not stack and not words:
            path = tuple(unquote(token) for token in tokens[1:MAX_WORDS] if token not in "[]")
            if path:
                yield path
            continue
        if tokens[:1] in (["delete"], ["deactivate"], ["activate"]) and not stack:
            continue
        for token in tokens:
            if token.startswith("#"):
                break
            if token == "{":
                if len(stack) >= MAX_DEPTH:
                    problem(f"line {number}: blocks nested deeper than {MAX_DEPTH}; skipped")
                    words = []
                    continue
                stack.append(words)
                words = []
            elif token == "}":
                if stack:
                    stack.pop()
                else:
                    problem(f"line {number}: '}}' without an open block")
                words = []
            elif token == ";":
                path = tuple(word for frame in stack for word in frame) + tuple(words)
                if path:
                    yield path
                words = []
            elif token in ("[", "]"):
                continue
            elif len(words) < MAX_WORDS:
                words.append(unquote(token))
    if stack:
        problem(f"configuration ends inside {len(stack)} open block(s)")


class JunosConfig(RouterExtractor):
    """Juniper JunOS configurations (see the module docstring)."""

    name = "router.junos"
    description = (
        "Juniper JunOS configuration (brace or set form): identity, users, services, "
        "interfaces, PPPoE account, routes, DHCP bindings, NAT, DNS, NTP, syslog, SNMP, IKE"
    )
    patterns = (
        "**/*.junos",
        "**/juniper.conf",
        "**/*juniper*.conf",
        "**/*juniper*.txt",
        "**/*junos*.txt",
        "**/*junos*.conf",
        "**/*.conf",
        "**/*.cfg",
        "**/*config*.txt",
    )

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """A ``system {`` block naming the host, or ``set system``/``set interfaces`` lines."""
        if re.search(r"^system \{", head, re.MULTILINE) and re.search(
            r"^\s+host-name \S+;", head, re.MULTILINE
        ):
            return True
        if re.search(r"^## Last commit: \d{4}-", head, re.MULTILINE) and "{" in head:
            return True
        sets = re.findall(
            r"^set (?:system|interfaces|security|routing-options|protocols) ", head, re.MULTILINE
        )
        return len(sets) >= 2

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """Facts per statement; users, services and NAT rules once the file is read."""
        state = _Junos(fact)
        for path in statements(read_lines(ctx, file), lambda text: ctx.problem(text, file)):
            yield from state.statement(path)
        yield from state.finish()


class _Junos:
    """Reads flat statements; keeps what spans several statements (users, NAT, bindings)."""

    def __init__(self, fact: partial) -> None:
        self.fact = fact
        self.users: dict[str, dict[str, str]] = {}
        self.services: dict[str, list[str]] = {}
        self.bindings: dict[str, dict[str, str]] = {}
        self.nat_pools: dict[str, dict[str, str]] = {}
        self.nat_rules: dict[str, dict[str, str]] = {}
        self.ppp: dict[str, dict[str, str]] = {}
        self.seen: set[tuple[str, str, str]] = set()

    def _once(self, category: str, key: str, value: str, **extra) -> Iterator[RouterFact]:
        if (category, key, value) in self.seen or len(self.seen) > MAX_KEYS * 10:
            return
        self.seen.add((category, key, value))
        yield self.fact(category, key, value, **extra)

    def _slot(self, table: dict[str, dict[str, str]], name: str) -> dict[str, str]:
        if name not in table and len(table) >= MAX_KEYS:
            return {}
        return table.setdefault(name, {})

    def statement(self, path) -> Iterator[RouterFact]:
        """Facts of one statement (a flat word path)."""
        if path[0] == "#":
            yield from self._header(path[1])
            return
        head = path[0]
        if head == "version" and len(path) > 1:
            yield from self._once("system", "firmware", f"JunOS {path[1]}")
        elif head == "system":
            yield from self._system(path[1:])
        elif head == "interfaces":
            yield from self._interfaces(path[1:])
        elif head == "routing-options" and path[1:3] == ("static", "route") and len(path) > 5:
            if path[3] in ("0.0.0.0/0", "::/0") and path[4] == "next-hop":
                yield from self._once("wan", "default_route", path[5], ip=ip_address(path[5]))
        elif head == "security":
            yield from self._security(path[1:])
        elif head == "snmp":
            yield from self._snmp(path[1:])
        elif head == "access" and "hardware-address" in path and "host" in path:
            index = path.index("host")
            if index + 1 < len(path):
                slot = self._slot(self.bindings, path[index + 1])
                slot["name"] = path[index + 1]
                if path[-2] == "hardware-address":
                    slot["mac"] = path[-1]
                elif path[-2] == "ip-address":
                    slot["ip"] = path[-1]
        elif head == "access" and path[-2:-1] == ("ip-address",) and "host" in path:
            index = path.index("host")
            self._slot(self.bindings, path[index + 1])["ip"] = path[-1]

    def _header(self, text: str) -> Iterator[RouterFact]:
        match = _LAST_COMMIT.match(text)
        if match:
            year, month, day = (int(part) for part in match.group("date").split("-"))
            when, note = build(year, month, day, match.group("time"), match.group("tz"))
            raw = text.removeprefix("## Last commit:").strip()
            yield self.fact(
                "system",
                "last_commit",
                raw,
                time=when,
                time_raw=raw,
                time_note=note,
                detail=f"by {match.group('user')}" if match.group("user") else None,
            )

    def _system(self, path) -> Iterator[RouterFact]:
        if not path:
            return
        key = path[0]
        rest = path[1:]
        if key == "host-name" and rest:
            yield from self._once("system", "hostname", rest[0])
        elif key == "domain-name" and rest:
            yield from self._once("system", "domain", rest[0])
        elif key == "time-zone" and rest:
            yield from self._once("system", "timezone", rest[0])
        elif key == "name-server" and rest:
            yield from self._once("dns", "server", rest[0], ip=ip_address(rest[0]))
        elif key == "ntp" and len(rest) > 1 and rest[0] in ("server", "boot-server", "peer"):
            yield from self._once(
                "system",
                "ntp_server",
                rest[1],
                ip=ip_address(rest[1]),
                detail=None if rest[0] == "server" else f"ntp {rest[0]}",
            )
        elif key == "syslog" and rest[:1] == ("host",) and len(rest) > 1:
            yield from self._once("system", "log_server", rest[1], ip=ip_address(rest[1]))
        elif key == "root-authentication" and len(rest) > 1 and rest[0] in SECRET_WORDS:
            yield from self._once(
                "admin_user",
                "root",
                masked_secret(rest[1]),
                detail=f"{rest[0]} (root password hash, masked)",
            )
        elif key == "login" and rest[:1] == ("user",) and len(rest) > 2:
            user = self._slot(self.users, rest[1])
            attribute = rest[2]
            if attribute == "authentication" and len(rest) > 4:
                user["password"] = f"{rest[3]} {masked_secret(rest[4])}"
            elif attribute in ("class", "full-name", "uid") and len(rest) > 3:
                user[attribute] = rest[3]
            else:
                user.setdefault("class", "")
        elif key == "services" and rest:
            service = rest[0]
            if service not in self.services and len(self.services) >= MAX_KEYS:
                return
            details = self.services.setdefault(service, [])
            if len(rest) > 1 and len(details) < 100:
                details.append(" ".join(rest[1:]))
            if service in ("dhcp",) and "static-binding" in rest:
                index = rest.index("static-binding")
                if index + 1 < len(rest):
                    slot = self._slot(self.bindings, rest[index + 1])
                    slot["mac"] = rest[index + 1]
                    if len(rest) > index + 3 and rest[index + 2] in ("fixed-address", "host-name"):
                        slot["ip" if rest[index + 2] == "fixed-address" else "name"] = rest[
                            index + 3
                        ]

    def _interfaces(self, path) -> Iterator[RouterFact]:
        if len(path) < 2:
            return
        interface = path[0]
        unit = None
        rest = path[1:]
        if rest[0] == "unit" and len(rest) > 1:
            unit, rest = rest[1], rest[2:]
        name = f"{interface}.{unit}" if unit is not None else interface
        if rest[:1] == ("family",) and len(rest) > 2 and rest[1] in ("inet", "inet6"):
            if rest[2] == "address" and len(rest) > 3:
                parsed = interface_address(rest[3])
                category = "wan" if interface.startswith(("pp", "pt", "dl")) else "lan"
                yield self.fact(
                    category,
                    name,
                    parsed[1] if parsed else rest[3],
                    ip=parsed[0] if parsed else None,
                    detail=" ".join(rest[4:]) or None,
                )
            elif rest[2] in ("dhcp", "dhcp-client", "negotiate-address"):
                yield from self._once("wan", name, rest[2])
        elif rest[:1] == ("ppp-options",) or rest[:1] == ("pppoe-options",):
            slot = self._slot(self.ppp, name)
            words = rest[1:]
            for index, word in enumerate(words[:-1]):
                if word == "local-name":
                    slot["user"] = words[index + 1]
                elif word in SECRET_WORDS:
                    slot["password"] = masked_secret(words[index + 1])
                elif word == "underlying-interface":
                    slot["underlying"] = words[index + 1]
        elif rest[:1] == ("description",) and len(rest) > 1:
            return

    def _security(self, path) -> Iterator[RouterFact]:
        if path[:2] == ("nat", "destination") and len(path) > 4:
            if path[2] == "pool":
                pool = self._slot(self.nat_pools, path[3])
                if path[4] == "address" and len(path) > 5:
                    pool["address"] = path[5]
                    if len(path) > 7 and path[6] == "port":
                        pool["port"] = path[7]
            elif path[2] == "rule-set" and len(path) > 6 and path[4] == "rule":
                rule = self._slot(self.nat_rules, f"{path[3]}/{path[5]}")
                words = path[6:]
                for index, word in enumerate(words[:-1]):
                    if word in ("destination-address", "destination-port", "pool"):
                        rule[word] = words[index + 1]
                if words[:1] == ("then",) and "pool" in words:
                    rule["pool"] = (
                        words[words.index("pool") + 1]
                        if words.index("pool") + 1 < len(words)
                        else rule.get("pool", "")
                    )
        elif path[:2] == ("zones", "security-zone") and "system-services" in path:
            zone = path[2] if len(path) > 2 else "?"
            service = (
                path[path.index("system-services") + 1]
                if path.index("system-services") + 1 < len(path)
                else None
            )
            if service:
                yield from self._once(
                    "remote_admin",
                    f"host-inbound {zone}",
                    service,
                    detail="services the router itself answers in this zone",
                )
        elif path[:2] == ("ike", "gateway") and len(path) > 4 and path[3] == "address":
            yield from self._once(
                "vpn", "ike_gateway", path[4], ip=ip_address(path[4]), detail=f"gateway {path[2]}"
            )
        elif path[:2] == ("ike", "policy") and "pre-shared-key" in path:
            yield from self._once(
                "vpn", f"ike policy {path[2]}", f"pre-shared key {masked_secret(path[-1])}"
            )

    def _snmp(self, path) -> Iterator[RouterFact]:
        if path[:1] == ("community",) and len(path) > 1:
            yield from self._once(
                "remote_admin",
                "snmp_community",
                masked_secret(path[1]),
                detail=" ".join(path[2:]) or None,
            )
        elif path[:1] == ("trap-group",) and "targets" in path:
            target = path[-1]
            yield from self._once("remote_admin", "snmp_host", target, ip=ip_address(target))

    def finish(self) -> Iterator[RouterFact]:
        """Facts gathered over several statements."""
        for name, user in self.users.items():
            yield self.fact(
                "admin_user",
                name,
                user.get("class") or "user",
                detail=join_detail(
                    f"full-name {user['full-name']}" if user.get("full-name") else None,
                    f"uid {user['uid']}" if user.get("uid") else None,
                    f"{user['password']} (hash masked)" if user.get("password") else None,
                ),
            )
        for service, details in self.services.items():
            if service == "dhcp":
                continue
            yield self.fact(
                "remote_admin", f"service {service}", "enabled", detail="; ".join(details) or None
            )
        for key, binding in self.bindings.items():
            mac = normalise_mac(binding.get("mac"))
            ip = binding.get("ip")
            yield self.fact(
                "static_lease",
                ip or key,
                binding.get("name") or mac or key,
                mac=mac,
                ip=ip_address(ip),
                hostname=binding.get("name"),
            )
        for name, ppp in self.ppp.items():
            where = f"interface {name}" + (
                f" over {ppp['underlying']}" if ppp.get("underlying") else ""
            )
            if ppp.get("user"):
                yield self.fact("isp_account", "ppp_username", ppp["user"], detail=where)
            if ppp.get("password"):
                yield self.fact("isp_account", "ppp_password", ppp["password"], detail=where)
        for name, rule in self.nat_rules.items():
            pool = self.nat_pools.get(rule.get("pool", ""), {})
            target = pool.get("address", "?")
            ip = ip_address(target.split("/")[0]) if target != "?" else None
            value = (
                f"{rule.get('destination-address', 'any')}:{rule.get('destination-port', 'any')}"
                f" -> {target}:{pool.get('port', rule.get('destination-port', 'any'))}"
            )
            yield self.fact(
                "forward", name, value, ip=ip, detail=f"destination NAT pool {rule.get('pool')}"
            )
