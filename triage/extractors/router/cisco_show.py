"""Read saved Cisco ``show`` command output: version, ARP, DHCP bindings, interfaces, logging.

Investigators (or the admins before them) save console sessions; one file may hold several
commands, with or without the ``router1#show ...`` prompt. Column layouts follow the Cisco IOS
command references and the networktocode/ntc-templates TextFSM templates and test captures
(``cisco_ios_show_version``, ``show_ip_arp``, ``show_ip_dhcp_binding``,
``show_ip_interface_brief``, ``show_logging``), whose parsed results the tests reproduce.

- ``show version``: software version and image, host name (``<host> uptime is``), model
  (``cisco WS-C4948E (...) processor``), serial (``Processor board ID``), last restart time.
- ``show ip arp``: IP-to-MAC pairs seen on the LAN (``Internet <ip> <age> <mac> ARPA <if>``).
- ``show ip dhcp binding``: leases; ``Manual`` bindings are reservations, the client id
  ``01`` + MAC gives the MAC; ``Lease expiration`` is the router's local time.
- ``show ip interface brief``: interface addresses.
- ``show logging``: remote log hosts and the buffered log lines (year-less stamps dated from the
  file's modification time, see :mod:`times`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from triage.extractors.router.normalise import ip_address, mac_from_client_id, normalise_mac
from triage.extractors.router.times import NO_ZONE, build, build_from_match, month_number, yearless
from triage.records import RouterFact

Fact = Callable[..., RouterFact]

SIGNATURES = re.compile(
    r"Cisco IOS Software|Cisco Internetwork Operating System|Cisco Nexus Operating System"
    r"|Cisco Adaptive Security Appliance|IOS XE Software|Cisco IOS XR Software"
    r"|^Protocol\s+Address\s+Age ?\(min\)\s+Hardware Addr"
    r"|Bindings from all pools|^IP address\s+Client-ID/"
    r"|^Interface\s+IP-Address\s+OK\? Method"
    r"|^Syslog logging: (?:enabled|disabled)",
    re.MULTILINE,
)
_PROMPT = re.compile(r"^(?P<host>[A-Za-z0-9][\w.-]{0,62})[#>]\s*(?:sh|show)\b")
_ARP_HEADER = re.compile(r"^Protocol\s+Address\s+Age ?\(min\)\s+Hardware Addr\s+Type")
_ARP_ROW = re.compile(
    r"^(?P<proto>Internet)\s+(?P<ip>\d{1,3}(?:\.\d{1,3}){3})\s+(?P<age>\S+)\s+"
    r"(?P<mac>[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}|Incomplete)\s+(?P<type>\S+)"
    r"(?:\s+(?P<interface>\S+))?\s*$"
)
_BINDING_HEADER = re.compile(r"^Bindings from all pools|^IP address\s+Client-ID/")
_BINDING_ROW = re.compile(
    r"^(?P<ip>\d{1,3}(?:\.\d{1,3}){3})\s+(?P<id>[0-9a-fA-F.:]+)\s+"
    r"(?P<expiry>Infinite|\S.*?)\s+(?P<type>Automatic|Manual|Static|Dynamic)"
    r"(?:\s+(?P<state>\S+))?(?:\s+(?P<interface>\S+))?\s*$"
)
_BRIEF_HEADER = re.compile(r"^Interface\s+IP-Address\s+OK\? Method\s+Status\s+Protocol")
_BRIEF_ROW = re.compile(
    r"^(?P<interface>\S+)\s+(?P<ip>\d{1,3}(?:\.\d{1,3}){3}|unassigned)\s+(?P<ok>YES|NO|\?)\s+"
    r"(?P<method>\S+)\s+(?P<status>.+?)\s+(?P<protocol>up|down|deleted)\s*$"
)
_LOG_LINE = re.compile(
    r"^(?:(?P<seq>\d+): )?(?:(?P<uptime>[\d:wdhm]+): )?[*.]?"
    r"(?P<stamp>(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2})(?: (?P<year>\d{4}))? "
    r"(?P<hms>\d{1,2}:\d\d:\d\d(?:\.\d+)?)(?: (?P<tz>[A-Za-z]{2,5}|[+-]\d{2}:?\d{2}))?): "
    r"%(?P<mnemonic>[A-Z0-9_]+-\d-[A-Z0-9_]+): (?P<message>.*)$"
)
_LOG_UNSTAMPED = re.compile(
    r"^(?P<head>[^%]*?):? ?%(?P<mnemonic>[A-Z0-9_]+-\d-[A-Z0-9_]+): "
    r"(?P<message>.*)$"
)
_LOGGING_TO = re.compile(r"^\s*Logging to (?P<host>\S+)")
_VERSION = re.compile(
    r"(?:Cisco IOS Software|Cisco Internetwork Operating System Software|IOS \(tm\)"
    r"|Cisco IOS XE Software|Cisco IOS XR Software)[^\n]*?,\s*(?:(?P<image>[^,]*?)\s*\("
    r"(?P<image_name>[^)]*)\),\s*)?Version (?P<version>[^,\s]+)"
)
_NXOS_VERSION = re.compile(r"^\s*(?:NXOS|system):\s+version (?P<version>\S+)")
_ASA_VERSION = re.compile(r"^Cisco Adaptive Security Appliance Software Version (?P<version>\S+)")
_UPTIME = re.compile(r"^(?P<host>\S+) uptime is (?P<uptime>.+)$")
_MODEL = re.compile(r"^[Cc]isco (?P<model>[\w-]+(?:/[\w-]+)?) \(.*\) processor")
_MODEL_NUMBER = re.compile(r"^Model [Nn]umber\s*:\s*(?P<model>\S+)")
_HARDWARE = re.compile(r"^Hardware:\s+(?P<model>[\w-]+)")
_SERIAL = re.compile(
    r"^(?:Processor board ID|System [Ss]erial [Nn]umber\s*:|Serial Number:)\s*(?P<serial>\S+)"
)
_RESTARTED = re.compile(
    r"^System restarted at (?P<hms>\d{1,2}:\d\d:\d\d(?:\.\d+)?) (?P<tz>\S+) \w{3} (?P<mon>\w{3}) "
    r"+(?P<day>\d{1,2}) (?P<year>\d{4})"
)
_IMAGE = re.compile(r'^System image file is "(?P<image>[^"]+)"')
_ROM = re.compile(r"^ROM: (?P<rom>.+)$")
_CONFIG_REGISTER = re.compile(r"^Configuration register is (?P<value>\S+)")
_BINDING_TIME = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}) (?P<year>\d{4}) (?P<hm>\d{1,2}:\d\d)(?::\d\d)? "
    r"(?P<ampm>[AP]M)$"
)


def recognise_show(head: str) -> bool:
    """Whether text looks like saved Cisco show-command output."""
    return SIGNATURES.search(head) is not None


def read_show(
    lines: Iterable[tuple[int, str]], fact: Fact, modified: datetime | None
) -> Iterator[RouterFact]:
    """Facts from every recognised line of a capture."""
    mode = None
    for number, raw in lines:
        line = raw.rstrip()
        if not line.strip():
            continue
        prompt = _PROMPT.match(line)
        if prompt:
            mode = None
            yield fact("system", "hostname", prompt.group("host"), detail="from the CLI prompt")
            continue
        if _ARP_HEADER.match(line):
            mode = "arp"
            continue
        if _BINDING_HEADER.match(line):
            mode = "binding"
            continue
        if _BRIEF_HEADER.match(line):
            mode = "brief"
            continue
        if mode == "arp":
            row = _ARP_ROW.match(line)
            if row:
                yield _arp(row, fact, number)
                continue
        elif mode == "binding":
            row = _BINDING_ROW.match(line.strip())
            if row:
                yield _binding(row, fact, number)
                continue
        elif mode == "brief":
            row = _BRIEF_ROW.match(line)
            if row:
                if row.group("ip") != "unassigned":
                    yield fact(
                        "lan",
                        row.group("interface"),
                        row.group("ip"),
                        ip=ip_address(row.group("ip")),
                        detail=f"status {row.group('status')}; protocol "
                        f"{row.group('protocol')}; method {row.group('method')}; "
                        "show ip interface brief (no mask shown)",
                    )
                continue
        yield from _other(line, fact, modified)


def _arp(row: re.Match[str], fact: Fact, number: int) -> RouterFact:
    mac = normalise_mac(row.group("mac"))
    interface = row.group("interface")
    return fact(
        "arp",
        row.group("ip"),
        mac or row.group("mac"),
        mac=mac,
        ip=ip_address(row.group("ip")),
        detail="; ".join(
            part
            for part in (
                f"interface {interface}" if interface else None,
                f"age {row.group('age')} min"
                if row.group("age") != "-"
                else "age - (router's own)",
                f"type {row.group('type')}",
                f"show ip arp line {number}",
            )
            if part
        ),
    )


def _binding(row: re.Match[str], fact: Fact, number: int) -> RouterFact:
    client = row.group("id")
    mac = mac_from_client_id(client)
    expiry = row.group("expiry").strip()
    kind = row.group("type")
    when = None
    note = None
    stamp = _BINDING_TIME.match(expiry)
    if stamp:
        hour, minute = (int(part) for part in stamp.group("hm").split(":"))
        hour = hour % 12 + (12 if stamp.group("ampm") == "PM" else 0)
        month = month_number(stamp.group("mon"))
        if month:
            when, _ = build(
                int(stamp.group("year")), month, int(stamp.group("day")), f"{hour}:{minute:02d}:00"
            )
            note = f"lease expiration; {NO_ZONE}"
    elif expiry == "Infinite":
        note = "infinite lease"
    category = "static_lease" if kind in ("Manual", "Static") else "lease"
    return fact(
        category,
        row.group("ip"),
        mac or client,
        mac=mac,
        ip=ip_address(row.group("ip")),
        time=when,
        time_raw=expiry,
        time_note=note,
        detail="; ".join(
            part
            for part in (
                f"client-id {client}",
                f"type {kind}",
                f"state {row.group('state')}" if row.group("state") else None,
                f"interface {row.group('interface')}" if row.group("interface") else None,
                f"lease expiration {expiry}",
                f"show ip dhcp binding line {number}",
            )
            if part
        ),
    )


def _other(line: str, fact: Fact, modified: datetime | None) -> Iterator[RouterFact]:
    stripped = line.strip()
    log = _LOG_LINE.match(stripped)
    if log:
        yield _log(log, fact, modified)
        return
    partial = _LOG_UNSTAMPED.match(stripped)
    if partial:
        yield fact(
            "log",
            partial.group("mnemonic"),
            partial.group("message"),
            detail="no readable timestamp (line starts mid-entry or timestamps are off)",
        )
        return
    logging_to = _LOGGING_TO.match(line)
    if logging_to:
        host = logging_to.group("host")
        yield fact("system", "log_server", host, ip=ip_address(host), detail="show logging")
        return
    yield from _version_line(stripped, fact)


def _log(match: re.Match[str], fact: Fact, modified: datetime | None) -> RouterFact:
    month = month_number(match.group("mon"))
    stamp = match.group("stamp")
    when, note = None, "unreadable month"
    if month and match.group("year"):
        when, note = build_from_match(match, month)
    elif month:
        when, note = yearless(
            month, int(match.group("day")), match.group("hms"), modified, match.group("tz")
        )
    return fact(
        "log",
        match.group("mnemonic"),
        match.group("message"),
        time=when,
        time_raw=stamp,
        time_note=note,
        detail=f"sequence {match.group('seq')}" if match.group("seq") else None,
    )


def _version_line(line: str, fact: Fact) -> Iterator[RouterFact]:
    version = _VERSION.search(line)
    if version:
        label = (
            "Cisco IOS-XE"
            if "XE" in line[: version.start("version")]
            else ("Cisco IOS-XR" if "XR" in line[: version.start("version")] else "Cisco IOS")
        )
        yield fact(
            "system",
            "firmware",
            f"{label} {version.group('version')}",
            detail=f"image {version.group('image_name')}"
            if version.group("image_name")
            else line[:200],
        )
        return
    for pattern, key, prefix in (
        (_NXOS_VERSION, "firmware", "Cisco NX-OS "),
        (_ASA_VERSION, "firmware", "Cisco ASA "),
        (_MODEL, "model", ""),
        (_MODEL_NUMBER, "model", ""),
        (_HARDWARE, "model", ""),
        (_SERIAL, "serial", ""),
        (_IMAGE, "boot_image", ""),
        (_ROM, "rom", ""),
        (_CONFIG_REGISTER, "config_register", ""),
    ):
        match = pattern.match(line)
        if match:
            yield fact("system", key, f"{prefix}{match.group(1)}")
            return
    uptime = _UPTIME.match(line)
    if uptime:
        yield fact("system", "hostname", uptime.group("host"), detail="from show version")
        yield fact("system", "uptime", uptime.group("uptime"))
        return
    restarted = _RESTARTED.match(line)
    if restarted:
        month = month_number(restarted.group("mon")) or 0
        raw = line.removeprefix("System restarted at ").strip()
        when, note = build_from_match(restarted, month)
        yield fact(
            "system",
            "restarted",
            raw,
            time=when,
            time_raw=raw,
            time_note=note,
            detail="last restart (show version)",
        )
