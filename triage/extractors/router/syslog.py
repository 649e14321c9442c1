"""router.syslog: log lines written by routers (OpenWrt logread, remote syslog files).

Where it lives: OpenWrt keeps its log in a RAM ring buffer (``logread``) unless ``log_file``
(often ``/var/log/messages``, itself RAM) or a remote ``log_ip`` is set in /etc/config/system;
investigators save ``logread`` output; a syslog server collects ``/var/log/<router>.log``.
Formats: OpenWrt logread (``Fri Mar  1 09:50:01 2024 daemon.info dnsmasq-dhcp[1871]: ...``,
libubox ``logread.c``), BSD syslog RFC 3164 (``Mar  1 09:50:01 host prog[pid]: msg``, no year),
RFC 3339-stamped (rsyslog high precision) and RFC 5424 (``<30>1 2024-03-01T09:50:01Z host app
pid msgid sd msg``), MikroTik remote logging (``host dhcp,info msg``) and Cisco ``%FAC-S-MNEM``.

Only router logs are read: every extractor runs on laptops too, so a file is accepted only when
its first lines are logread lines, or syslog lines from router daemons (netifd, odhcpd, hostapd,
dnsmasq-dhcp, pppd, dropbear, RouterOS topics, Cisco mnemonics) with none of a desktop's
(systemd, NetworkManager, GNOME, cron...). A laptop's /var/log/syslog is therefore refused.

Times: logread has the year but no zone; BSD syslog has neither (the year comes from the file's
modification time, see :mod:`times`). When /etc/config/system of the same evidence gives a fixed
time zone (``UTC``, ``IST-5:30``) it is applied and the note says where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor, modified_time
from triage.extractors.router.normalise import first_ipv4, first_mac, ip_address, normalise_mac
from triage.extractors.router.text import read_lines
from triage.extractors.router.times import NO_ZONE, build, month_number, yearless
from triage.extractors.router.uci import parse_uci
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RouterFact

MAX_MESSAGE = 4000
MONTH = r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
PROGRAM = r"(?P<prog>[^\s:\[\]]{1,64})(?:\[(?P<pid>\d+)\])?:"
LOGREAD = re.compile(
    rf"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {MONTH} +(?P<day>\d{{1,2}}) (?P<hms>\d\d:\d\d:\d\d) "
    rf"(?P<year>\d{{4}}) (?P<fac>[a-z0-9]+)\.(?P<prio>[a-z]+) {PROGRAM} ?(?P<msg>.*)$"
)
BSD = re.compile(
    rf"^(?:<(?P<pri>\d{{1,3}})>)?{MONTH} +(?P<day>\d{{1,2}}) (?P<hms>\d\d:\d\d:\d\d) "
    rf"(?P<host>\S+) {PROGRAM} ?(?P<msg>.*)$"
)
MIKROTIK = re.compile(
    rf"^(?:<(?P<pri>\d{{1,3}})>)?{MONTH} +(?P<day>\d{{1,2}}) (?P<hms>\d\d:\d\d:\d\d) "
    r"(?P<host>\S+) (?P<prog>[a-z]+(?:,[a-z]+)+) (?P<msg>.*)$"
)
RFC3339 = re.compile(
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<date>\d{4}-\d\d-\d\d)T(?P<hms>\d\d:\d\d:\d\d(?:\.\d+)?)"
    rf"(?P<tz>Z|[+-]\d\d:?\d\d)? (?P<host>\S+) {PROGRAM} ?(?P<msg>.*)$"
)
RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<date>\d{4}-\d\d-\d\d)T(?P<hms>\d\d:\d\d:\d\d(?:\.\d+)?)"
    r"(?P<tz>Z|[+-]\d\d:?\d\d)? (?P<host>\S+) (?P<prog>\S+) (?P<pid>\S+) (?P<msgid>\S+) "
    r"(?P<sd>-|(?:\[[^\]]*\])+) ?(?P<msg>.*)$"
)
FORMATS = (LOGREAD, RFC5424, RFC3339, MIKROTIK, BSD)
ROUTER_PROGRAMS = frozenset(
    {
        "netifd",
        "odhcpd",
        "odhcp6c",
        "hostapd",
        "dnsmasq-dhcp",
        "pppd",
        "procd",
        "dropbear",
        "uhttpd",
        "fw3",
        "fw4",
        "firewall",
        "miniupnpd",
        "ubusd",
        "logd",
        "udhcpc",
        "wpad",
    }
)
CISCO_MNEMONIC = re.compile(r"%(?P<mnemonic>[A-Z0-9_]+-\d-[A-Z0-9_]+):")
DESKTOP_MARKS = re.compile(
    r"systemd\[|systemd-[a-z]+\[|NetworkManager\[|gnome-|gdm|CRON\[|anacron\[|snapd\[|"
    r"dbus-daemon\[|pulseaudio\[|kernel: \[\s*\d+\.\d+\] ACPI|com\.apple\.|sudo\[|sudo:"
)
DHCP_EVENT = re.compile(
    r"(?P<event>DHCP(?:ACK|OFFER|REQUEST|DISCOVER|RELEASE|NAK|INFORM))\((?P<iface>[^)]*)\)"
    r"(?: (?P<ip>[\d.]+))?(?: (?P<mac>[0-9A-Fa-f:]{17}))?(?: (?P<host>\S+))?"
)
POSIX_TZ = re.compile(r"^(?:[A-Za-z]{3,}|<[^>]+>)(?P<sign>[+-]?)(?P<h>\d{1,2})(?::(?P<m>\d\d))?$")


def recognise_router_log(head: str) -> bool:
    """logread lines; or syslog lines from router daemons and none from a desktop."""
    lines = head.splitlines()[:200]
    if any(LOGREAD.match(line) for line in lines[:50]):
        return True
    if DESKTOP_MARKS.search(head):
        return False
    routerish = 0
    for line in lines:
        for pattern in (RFC5424, RFC3339, MIKROTIK, BSD):
            match = pattern.match(line)
            if match:
                program = match.group("prog").lower()
                if program in ROUTER_PROGRAMS or "," in program or CISCO_MNEMONIC.search(line):
                    routerish += 1
                break
    return routerish > 0


def posix_offset(tz: str | None) -> str | None:
    """``+05:30`` for a POSIX TZ without daylight rules (``IST-5:30``), ``+00:00`` for UTC."""
    if not tz:
        return None
    text = tz.strip()
    if text.upper() in ("UTC", "GMT", "UTC0", "GMT0", "UCT", "ZULU"):
        return "+00:00"
    match = POSIX_TZ.match(text)
    if not match:
        return None
    hours, minutes = int(match.group("h")), int(match.group("m") or 0)
    sign = "+" if match.group("sign") == "-" else "-"  # POSIX offsets are west-positive
    if hours == 0 and minutes == 0:
        return "+00:00"
    return f"{sign}{hours:02d}:{minutes:02d}"


class RouterSyslog(RouterExtractor):
    """Router log files (see the module docstring)."""

    name = "router.syslog"
    description = (
        "Router log lines (OpenWrt logread, remote syslog from OpenWrt, MikroTik, Cisco): time, "
        "program, message; DHCP events give MAC, IP and host name"
    )
    patterns = (
        "**/*logread*",
        "**/var/log/messages*",
        "**/var/log/syslog*",
        "**/tmp/log/*",
        "**/*router*.log",
        "**/*router*.txt",
        "**/*syslog*.log",
        "**/*syslog*.txt",
        "**/*openwrt*.log",
        "**/*openwrt*.txt",
        "**/*mikrotik*.log",
        "**/*mikrotik*.txt",
    )

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """See :func:`recognise_router_log`."""
        return recognise_router_log(head)

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """One fact per log line; unrecognised lines are counted in one problem."""
        offset, zone_note = _router_zone(file, ctx)
        modified = modified_time(file)
        unknown = 0
        first_unknown = None
        for number, line in read_lines(ctx, file):
            if not line.strip():
                continue
            for pattern in FORMATS:
                match = pattern.match(line)
                if match:
                    yield _fact(pattern, match, fact, offset, zone_note, modified)
                    break
            else:
                unknown += 1
                first_unknown = first_unknown or number
        if unknown:
            ctx.problem(
                f"{unknown} line(s) not in a known syslog format (first: line {first_unknown})",
                file,
                "warning",
            )


def _router_zone(file: StoredFile, ctx: ExtractionContext) -> tuple[str | None, str | None]:
    """The fixed UTC offset of the router clock from /etc/config/system, when it says one."""
    for config in ctx.find("**/etc/config/system", near=file)[:3]:
        try:
            text = ctx.read_bytes(config, 65536).decode("utf-8", "replace")
        except READ_ERRORS as error:
            ctx.problem(
                f"could not read {config.path} for the router's time zone: {error}", file, "warning"
            )
            continue
        lines = enumerate(text.splitlines(), 1)
        for section in parse_uci(lines, lambda message: None):
            if section.type == "system" and section.get("timezone"):
                tz = section.get("timezone")
                offset = posix_offset(tz)
                if offset:
                    return offset, f"router time zone {tz!r} from {config.path}"
                return None, f"router time zone {tz!r} has daylight-saving rules; {NO_ZONE}"
    return None, None


def _fact(
    pattern: re.Pattern[str],
    match: re.Match[str],
    fact: partial,
    offset: str | None,
    zone_note: str | None,
    modified: datetime | None,
) -> RouterFact:
    groups = match.groupdict()
    message = (groups.get("msg") or "")[:MAX_MESSAGE]
    month = month_number(groups["mon"]) if groups.get("mon") else None
    if pattern in (RFC3339, RFC5424):
        year, month_value, day = (int(part) for part in groups["date"].split("-"))
        written = groups.get("tz")
        tz_text = written or offset
        when, note = build(year, month_value, day, groups["hms"], tz_text)
        if not written:
            note = zone_note if offset else (zone_note or NO_ZONE)
        raw = f"{groups['date']}T{groups['hms']}{written or ''}"
    elif groups.get("year") and month:
        when, note = build(int(groups["year"]), month, int(groups["day"]), groups["hms"], offset)
        note = zone_note if offset else (zone_note or NO_ZONE)
        raw = match.group(0)[: match.start("fac") - 1] if "fac" in groups else None
    else:
        when, note = yearless(month or 1, int(groups["day"]), groups["hms"], modified, offset)
        if zone_note and when is not None:
            note = f"{note}; {zone_note}" if offset else note.replace(NO_ZONE, zone_note)
        raw = f"{groups['mon']} {groups['day']} {groups['hms']}"
    program = groups.get("prog") or "?"
    cisco = CISCO_MNEMONIC.search(message)
    key = cisco.group("mnemonic") if cisco and program.isdigit() else program
    mac = first_mac(message)
    ip = first_ipv4(message)
    hostname = None
    dhcp = DHCP_EVENT.search(message)
    if dhcp:
        mac = normalise_mac(dhcp.group("mac")) or mac
        ip = ip_address(dhcp.group("ip")) or ip
        hostname = dhcp.group("host")
    detail = (
        "; ".join(
            part
            for part in (
                f"host {groups['host']}" if groups.get("host") else None,
                f"{groups['fac']}.{groups['prio']}" if groups.get("fac") else None,
                f"pid {groups['pid']}" if groups.get("pid") and groups["pid"] != "-" else None,
                f"priority {groups['pri']}" if groups.get("pri") else None,
            )
            if part
        )
        or None
    )
    return fact(
        "log",
        key,
        message,
        mac=mac,
        ip=ip,
        hostname=hostname,
        time=when,
        time_raw=raw,
        time_note=note,
        detail=detail,
    )
