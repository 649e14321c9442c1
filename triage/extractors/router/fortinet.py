"""router.fortinet: FortiGate command captures and configuration backups.

Captures (layouts from networktocode/ntc-templates ``fortinet_execute_dhcp_lease-list`` and
``fortinet_execute_log_display`` templates and test captures):

- ``execute dhcp lease-list``: per interface (``Vlan1``) a header ``IP MAC-Address Hostname VCI
  SSID AP Expiry`` and rows; columns are found from the header, the expiry is the FortiGate's
  local time (``Tue Jul 18 19:24:19 2023``, no zone).
- ``execute log display``: ``N: date=2023-08-10 time=19:41:18 logid=... tz="+0300" srcip=...``
  key=value lines; ``date``+``time``+``tz`` give the UTC time (``eventtime`` is the same
  instant in nanoseconds).

Configuration backups (FortiOS CLI reference: ``config``/``edit``/``set``/``next``/``end``;
header ``#config-version=FGT60E-6.2.3-FW-build1066-...:user=admin``): host name, model and
firmware, interfaces (addresses, PPPoE user, management access), virtual IPs (port forwards),
DNS, NTP, syslog servers, administrators, DHCP reservations, IPsec peers. Secrets (``ENC``
passwords, PSKs) are masked.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor
from triage.extractors.router.normalise import (
    first_ipv4,
    interface_address,
    ip_address,
    masked_secret,
    normalise_mac,
)
from triage.extractors.router.text import read_lines
from triage.extractors.router.times import NO_ZONE, build, build_from_match, month_number
from triage.extractors.values import join_detail
from triage.records import RouterFact

_LEASE_HEADER = re.compile(r"^\s*IP\s+MAC-Address\s+Hostname\s+VCI\b")
_LEASE_ROW = re.compile(
    r"^\s*(?P<ip>\d{1,3}(?:\.\d{1,3}){3})\s+(?P<mac>(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2})\s"
    r"(?P<rest>.*?)\s*(?P<expiry>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d{1,2} "
    r"\d\d:\d\d:\d\d \d{4})?\s*$"
)
_INTERFACE_LINE = re.compile(r"^(?P<name>[A-Za-z][\w./-]*)\s*$")
_LOG_LINE = re.compile(r"^\s*(?P<number>\d+): (?P<body>date=.*)$")
_KV = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')
_EXPIRY = re.compile(
    r"^\w{3} (?P<mon>\w{3}) +(?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d) (?P<year>\d{4})$"
)
_CONFIG_VERSION = re.compile(
    r"^#config-version=(?P<model>[A-Z0-9]+)-(?P<version>[\d.]+)-FW-build(?P<build>\d+)"
    r"[^:]*(?::.*?user=(?P<user>[^:\s]+))?"
)
MAX_DEPTH = 32  # nested config/edit levels kept; deeper ones (hostile) are ignored
SIGNATURES = re.compile(
    r"^\s*IP\s+MAC-Address\s+Hostname\s+VCI|^\d+ logs found\.|^\s*\d+: date=\d{4}-\d\d-\d\d time="
    r"|^#config-version=FG",
    re.MULTILINE,
)


class FortinetText(RouterExtractor):
    """FortiGate captures and configuration backups (see the module docstring)."""

    name = "router.fortinet"
    description = (
        "FortiGate captures (execute dhcp lease-list, execute log display) and FortiOS "
        "configuration backups: leases, log lines, identity, interfaces, VIP port forwards, "
        "DNS, admins"
    )
    patterns = (
        "**/*.raw",
        "**/*forti*",
        "**/*lease-list*",
        "**/*lease_list*",
        "**/*log*display*",
        "**/*.conf",
        "**/*config*.txt",
    )

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Lease-list header, log-display lines or the FortiOS ``#config-version`` header."""
        return SIGNATURES.search(head) is not None

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """Captures line by line; a configuration through the config/edit reader."""
        config: _FortiConfig | None = None
        interface = None
        columns: dict[str, int] | None = None
        for number, line in read_lines(ctx, file):
            if config is not None:
                yield from config.line(line)
                continue
            if line.startswith("#config-version="):
                config = _FortiConfig(fact)
                yield from config.header(line)
                continue
            log = _LOG_LINE.match(line)
            if log:
                yield _log(log, fact)
                continue
            if _LEASE_HEADER.match(line):
                columns = {
                    name: line.index(name)
                    for name in ("Hostname", "VCI", "SSID", "AP", "Expiry")
                    if name in line
                }
                continue
            row = _LEASE_ROW.match(line)
            if row and columns is not None:
                yield _lease(row, line, columns, interface, number, fact)
                continue
            named = _INTERFACE_LINE.match(line)
            if named and not line.startswith(" "):
                interface = named.group("name")
                columns = None
        if config is not None:
            yield from config.close()


def _lease(
    row: re.Match[str],
    line: str,
    columns: dict[str, int],
    interface: str | None,
    number: int,
    fact: partial,
) -> RouterFact:
    start = columns.get("Hostname", 0)
    vci_at = columns.get("VCI", len(line))
    hostname = line[start:vci_at].strip() if len(line) > start else ""
    if hostname and start > 0 and line[start - 1] != " ":
        hostname = ""
    end = row.start("expiry") if row.group("expiry") else len(line)
    vci = re.split(r"\s{2,}", line[vci_at:end].strip())[0] if len(line) > vci_at else ""
    expiry = row.group("expiry")
    when = None
    note = None
    if expiry:
        match = _EXPIRY.match(expiry)
        month = month_number(match.group("mon")) if match else None
        if match and month:
            when, _ = build_from_match(match, month)
            note = f"lease expiry; {NO_ZONE}"
    mac = normalise_mac(row.group("mac"))
    return fact(
        "lease",
        row.group("ip"),
        hostname or mac,
        mac=mac,
        ip=ip_address(row.group("ip")),
        hostname=hostname or None,
        time=when,
        time_raw=expiry,
        time_note=note,
        detail=join_detail(
            f"interface {interface}" if interface else None,
            f"vendor class {vci}" if vci else None,
            f"expires {expiry}" if expiry else None,
            f"execute dhcp lease-list line {number}",
        ),
    )


def _values(body: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in _KV.findall(body):
        if len(values) >= 500:
            break
        values[key] = value[1:-1] if value.startswith('"') and value.endswith('"') else value
    return values


def _log(match: re.Match[str], fact: partial) -> RouterFact:
    values = _values(match.group("body"))
    when, note = None, "no date/time fields"
    date, clock = values.get("date", ""), values.get("time", "")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", date) and re.fullmatch(r"\d\d:\d\d:\d\d", clock):
        year, month, day = (int(part) for part in date.split("-"))
        when, note = build(year, month, day, clock, values.get("tz") or None)
    src = values.get("srcip")
    dst = values.get("dstip")
    summary = " ".join(
        part
        for part in (
            values.get("action"),
            f"{src}:{values.get('srcport')}" if src else None,
            "->" if src and dst else None,
            f"{dst}:{values.get('dstport')}" if dst else None,
            values.get("service"),
            f"policy {values.get('policyid')}" if values.get("policyid") else None,
            values.get("msg"),
        )
        if part
    )
    return fact(
        "log",
        "/".join(part for part in (values.get("type"), values.get("subtype")) if part) or "log",
        summary or match.group("body")[:500],
        mac=normalise_mac(values.get("srcmac")),
        ip=ip_address(src),
        hostname=values.get("srcname"),
        time=when,
        time_raw=f"{date} {clock} tz={values.get('tz')}" if date else None,
        time_note=note,
        detail="; ".join(
            f"{key}={values[key]}"
            for key in (
                "logid",
                "level",
                "vd",
                "srcintf",
                "dstintf",
                "policyname",
                "vpn",
                "user",
                "devtype",
                "eventtime",
            )
            if values.get(key)
        )
        or None,
    )


class _FortiConfig:
    """FortiOS ``config``/``edit``/``set`` blocks; an entry's facts come at its ``next``."""

    def __init__(self, fact: partial) -> None:
        self.fact = fact
        self.sections: list[str] = []
        self.entries: list[tuple[str, dict[str, str]]] = []
        self.settings: dict[str, str] = {}

    def header(self, line: str) -> Iterator[RouterFact]:
        match = _CONFIG_VERSION.match(line)
        yield self.fact("system", "platform", "FortiOS")
        if match:
            yield self.fact("system", "model", match.group("model"))
            yield self.fact(
                "system",
                "firmware",
                f"FortiOS {match.group('version')} build {match.group('build')}",
                detail=f"backup made by {match.group('user')}" if match.group("user") else None,
            )

    def line(self, line: str) -> Iterator[RouterFact]:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return
        try:
            words = shlex.split(stripped, posix=True)
        except ValueError:
            words = stripped.split()
        if not words:
            return
        verb = words[0]
        if verb == "config" and len(words) > 1 and len(self.sections) < MAX_DEPTH:
            self.sections.append(" ".join(words[1:]))
            self.settings = {}
        elif verb == "edit" and len(words) > 1 and len(self.entries) < MAX_DEPTH:
            self.entries.append((words[1], {}))
        elif verb in ("set", "append") and len(words) > 1:
            target = self.entries[-1][1] if self.entries else self.settings
            if len(target) < 500:
                target[words[1]] = " ".join(words[2:])
        elif verb == "next" and self.entries:
            name, values = self.entries.pop()
            yield from self._entry(self._section(), name, values)
        elif verb == "end":
            if self.settings:
                yield from self._entry(self._section(), None, self.settings)
                self.settings = {}
            if self.sections:
                self.sections.pop()

    def _section(self) -> str:
        return self.sections[-1] if self.sections else ""

    def close(self) -> Iterator[RouterFact]:
        while self.entries:
            name, values = self.entries.pop()
            yield from self._entry(self._section(), name, values)

    def _entry(
        self, section: str, name: str | None, values: dict[str, str]
    ) -> Iterator[RouterFact]:
        fact = self.fact
        if section == "system global" and values.get("hostname"):
            yield fact("system", "hostname", values["hostname"])
            if values.get("timezone"):
                yield fact("system", "timezone", values["timezone"])
        elif section == "system interface" and name:
            yield from self._interface(name, values)
        elif section == "firewall vip" and name:
            ext = values.get("extip", "?")
            port = values.get("extport")
            mapped = values.get("mappedip", "?").split("-")[0]
            value = (
                f"{values.get('extintf', '?')} {ext}:{port or 'all'} -> {mapped}:"
                f"{values.get('mappedport') or port or 'all'}"
                f" ({values.get('protocol', 'tcp') if port else 'all ports'})"
            )
            yield fact(
                "forward",
                name,
                value,
                ip=ip_address(mapped),
                detail="firewall vip"
                + ("; port forward" if values.get("portforward") == "enable" else ""),
            )
        elif section == "system dns":
            for key in ("primary", "secondary"):
                if values.get(key) and values[key] != "0.0.0.0":
                    yield fact("dns", "server", values[key], ip=ip_address(values[key]))
        elif section in ("ntpserver",) and values.get("server"):
            yield fact("system", "ntp_server", values["server"], ip=ip_address(values["server"]))
        elif section.startswith("log syslogd") and values.get("server"):
            yield fact("system", "log_server", values["server"], ip=ip_address(values["server"]))
        elif section == "system admin" and name:
            trusted = [values[key] for key in sorted(values) if key.startswith("trusthost")]
            yield fact(
                "admin_user",
                name,
                values.get("accprofile") or "admin",
                detail=join_detail(
                    f"password {masked_secret(values['password'])}"
                    if values.get("password")
                    else None,
                    f"trusted hosts {', '.join(trusted)}" if trusted else None,
                ),
            )
        elif section == "reserved-address":
            mac = normalise_mac(values.get("mac"))
            ip = values.get("ip")
            yield fact(
                "static_lease",
                ip or name or "?",
                values.get("description") or mac,
                mac=mac,
                ip=ip_address(ip),
                detail="dhcp reserved-address",
            )
        elif section in ("vpn ipsec phase1-interface", "vpn ipsec phase1") and name:
            gateway = values.get("remote-gw")
            yield fact(
                "vpn",
                f"ipsec {name}",
                gateway or values.get("type", "dynamic"),
                ip=ip_address(gateway),
                detail=join_detail(
                    f"interface {values.get('interface')}" if values.get("interface") else None,
                    f"psk {masked_secret(values['psksecret'])}"
                    if values.get("psksecret")
                    else None,
                ),
            )

    def _interface(self, name: str, values: dict[str, str]) -> Iterator[RouterFact]:
        fact = self.fact
        mode = values.get("mode", "static")
        role = values.get("role")
        wan = role == "wan" or mode in ("pppoe", "dhcp") or name.lower().startswith("wan")
        category = "wan" if wan else "lan"
        access = values.get("allowaccess")
        ip = values.get("ip", "")
        words = ip.split()
        parsed = (
            interface_address(words[0], words[1] if len(words) > 1 else None) if words else None
        )
        if parsed and parsed[0] != "0.0.0.0":
            yield fact(category, name, parsed[1], ip=parsed[0], detail=f"mode {mode}")
        elif mode in ("pppoe", "dhcp"):
            yield fact("wan", name, mode)
        if values.get("username"):
            yield fact(
                "isp_account",
                f"{mode}_username" if mode == "pppoe" else "username",
                values["username"],
                detail=f"interface {name}",
            )
        if values.get("password"):
            yield fact(
                "isp_account",
                f"{mode}_password",
                masked_secret(values["password"]),
                detail=f"interface {name}",
            )
        if access:
            yield fact(
                "remote_admin",
                f"allowaccess {name}",
                access,
                ip=first_ipv4(ip) if parsed else None,
                detail="management reachable from the WAN" if wan else None,
            )
