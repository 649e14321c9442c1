"""router.openwrt: an OpenWrt router's configuration, from a sysupgrade backup or a file copy.

Where it lives: UCI files ``/etc/config/{network,wireless,dhcp,firewall,system,dropbear,uhttpd,
ddns,openvpn}``; ``/etc/openwrt_release`` (``DISTRIB_RELEASE='23.05.2'``); ``/etc/banner``;
``/etc/board.json`` (model); ``/etc/dropbear/authorized_keys``; ``/etc/shadow``. A sysupgrade
backup (``sysupgrade -b backup.tar.gz``) is a tar.gz of exactly these paths, which triage opens
as evidence. References: OpenWrt user guide pages "Network configuration /etc/config/network",
"Wireless configuration", "DHCP and DNS configuration /etc/config/dhcp", "Firewall configuration
/etc/config/firewall" (``config redirect`` = DNAT port forward), "System configuration",
"Dropbear configuration", "Sysupgrade" (backup contents).

What a fact means: the router's name and firmware; the WAN protocol and the ISP account (the
PPPoE user names the subscriber); LAN addresses; static DHCP leases (``config host``: MAC, IP,
name tie a laptop or phone to the router); port forwards into the LAN; DNS servers; remote
management (SSH, web UI, DDNS, WAN-side firewall openings); VPNs; Wi-Fi networks; accounts.
Passwords, keys and PSKs are recorded as set with a fingerprint, never in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import PurePosixPath

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor
from triage.extractors.router.normalise import (
    interface_address,
    ip_address,
    masked_secret,
    normalise_mac,
)
from triage.extractors.router.text import read_lines, sniff
from triage.extractors.router.uci import UciSection, looks_like_uci, parse_uci
from triage.extractors.values import join_detail
from triage.records import RouterFact
from triage.timestamps import from_unix_seconds

UCI_FILES = (
    "network",
    "wireless",
    "dhcp",
    "firewall",
    "system",
    "dropbear",
    "uhttpd",
    "ddns",
    "openvpn",
)
WAN_NAMES = ("wan", "wan6", "wwan")
WAN_PROTOS = frozenset(
    {"pppoe", "pppoa", "dhcp", "dhcpv6", "3g", "qmi", "ncm", "mbim", "modemmanager", "wwan"}
)
ISP_LOGIN_PROTOS = frozenset({"pppoe", "pppoa", "3g", "qmi", "ncm", "mbim", "modemmanager"})
VPN_PROTOS = frozenset(
    {"wireguard", "openvpn", "l2tp", "pptp", "vpnc", "openconnect", "gre", "gretap", "sstp"}
)
# Rules every OpenWrt firewall ships with: not evidence of anyone opening the router.
DEFAULT_RULES = frozenset(
    {
        "Allow-DHCP-Renew",
        "Allow-Ping",
        "Allow-IGMP",
        "Allow-DHCPv6",
        "Allow-MLD",
        "Allow-ICMPv6-Input",
        "Allow-ICMPv6-Forward",
        "Allow-IPSec-ESP",
        "Allow-ISAKMP",
    }
)
SECRET_OPTIONS = frozenset({"password", "key", "key1", "key2", "key3", "key4", "pincode"})
MAX_JSON = 1 << 20

Fact = Callable[..., RouterFact]


def glob_escape(text: str) -> str:
    """A path made literal for ``ctx.find`` globs (brackets, stars and marks escaped)."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "yes", "on", "true", "enabled")


def _off(value: str | None) -> bool:
    return (value or "").strip().lower() in ("0", "no", "off", "false", "disabled")


class OpenWrtConfig(RouterExtractor):
    """OpenWrt UCI configuration, release and account files (see the module docstring)."""

    name = "router.openwrt"
    description = (
        "OpenWrt router configuration (/etc/config UCI files, openwrt_release, banner, "
        "board.json, dropbear keys, shadow): identity, WAN/ISP account, LAN, static leases, "
        "port forwards, DNS, remote admin, VPN, Wi-Fi"
    )
    patterns = (
        *(f"**/etc/config/{name}" for name in UCI_FILES),
        "**/etc/openwrt_release",
        "**/etc/banner",
        "**/etc/board.json",
        "**/etc/dropbear/authorized_keys",
        "**/etc/shadow",
    )

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """UCI syntax for config files; OpenWrt markers or an OpenWrt /etc beside the others."""
        name = file.path.name.lower()
        if _uci_file(file):
            return looks_like_uci(head)
        if name == "openwrt_release":
            return "DISTRIB_" in head
        if name == "banner":
            return any(mark in head for mark in ("OpenWrt", "LEDE", "W I R E L E S S"))
        if name == "board.json":
            return '"model"' in head and _openwrt_etc(file.path.parent, file, ctx)
        if name == "authorized_keys":
            return _openwrt_etc(file.path.parent.parent, file, ctx)
        if name == "shadow":
            return head.startswith("root:") and _openwrt_etc(file.path.parent, file, ctx)
        return False

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """Dispatch on the file's name."""
        name = file.path.name.lower()
        if _uci_file(file):
            mapper = MAPPERS.get(name)
            if mapper is None:
                return
            sections = parse_uci(read_lines(ctx, file), lambda message: ctx.problem(message, file))
            for section in sections:
                yield from mapper(section, fact)
        elif name == "openwrt_release":
            yield from _release(read_lines(ctx, file), fact)
        elif name == "banner":
            yield from _banner(read_lines(ctx, file), fact)
        elif name == "board.json":
            yield from _board(ctx, file, fact)
        elif name == "authorized_keys":
            yield from _authorized_keys(read_lines(ctx, file), fact)
        elif name == "shadow":
            yield from _shadow(read_lines(ctx, file), fact)


def _uci_file(file: StoredFile) -> bool:
    """A UCI file: in a ``config`` folder, or a lone ``network``/``wireless``/... handed over
    on its own (one-file evidence lists it at the root)."""
    if file.path.parent.name.lower() == "config":
        return True
    return str(file.path.parent) == "/" and file.path.name.lower() in MAPPERS


def _openwrt_etc(etc: PurePosixPath, file: StoredFile, ctx: ExtractionContext) -> bool:
    """Whether ``etc`` is an OpenWrt /etc (has openwrt_release or UCI system/network files)."""
    base = glob_escape(str(etc).lstrip("/"))
    for candidate in ("openwrt_release", "config/system", "config/network"):
        for found in ctx.find(f"{base}/{candidate}" if base else candidate, near=file)[:2]:
            head = sniff(ctx, found, 4096) or ""
            if "DISTRIB_" in head if candidate == "openwrt_release" else looks_like_uci(head):
                return True
    return False


# -- /etc/config/network ----------------------------------------------------------------------


def _interface_category(name: str, proto: str) -> str:
    if proto in VPN_PROTOS:
        return "vpn"
    if name.lower() in WAN_NAMES or name.lower().startswith("wan") or proto in WAN_PROTOS:
        return "wan"
    return "lan"


def _network(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type == "interface":
        yield from _interface(section, fact)
    elif section.type.startswith("wireguard_"):
        yield from _wireguard_peer(section, fact)
    elif section.type == "route" and section.get("target") in ("0.0.0.0", "0.0.0.0/0"):
        gateway = section.get("gateway")
        yield fact(
            "wan",
            "default_route",
            gateway,
            ip=ip_address(gateway),
            detail=join_detail(
                f"interface {section.get('interface')}" if section.get("interface") else None
            ),
        )


def _interface(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    name = section.name or section.label()
    if name == "loopback":
        return
    proto = (section.get("proto") or "none").lower()
    category = _interface_category(name, proto)
    device = section.get("device") or section.get("ifname")
    detail = join_detail(
        f"proto {proto}",
        f"device {device}" if device else None,
        f"MAC set to {normalise_mac(section.get('macaddr'))}" if section.get("macaddr") else None,
        "disabled" if _on(section.get("disabled")) else None,
        "not brought up at boot" if _off(section.get("auto")) else None,
    )
    addresses = [
        interface_address(value, section.get("netmask"))
        for value in section.values("ipaddr")
        + section.values("ip6addr")
        + section.values("addresses")  # wireguard interfaces
    ]
    readable = [address for address in addresses if address]
    for ip, cidr in readable:
        yield fact(category, name, cidr, ip=ip, detail=detail)
    if not readable:
        yield fact(category, name, proto, detail=detail)
    gateway = section.get("gateway")
    if gateway:
        yield fact(category, "gateway", gateway, ip=ip_address(gateway), detail=f"interface {name}")
    peer_dns = "no" if _off(section.get("peerdns")) else "yes"
    for server in section.values("dns"):
        yield fact(
            "dns",
            "server",
            server,
            ip=ip_address(server),
            detail=f"interface {name}; use peer DNS {peer_dns}",
        )
    yield from _interface_login(section, name, proto, category, fact)


def _interface_login(
    section: UciSection, name: str, proto: str, category: str, fact: Fact
) -> Iterator[RouterFact]:
    where = f"interface {name} (proto {proto})"
    login_category = "isp_account" if proto in ISP_LOGIN_PROTOS else category
    username = section.get("username")
    if username is not None and (proto in ISP_LOGIN_PROTOS or proto in VPN_PROTOS):
        yield fact(login_category, f"{proto}_username", username, detail=where)
    if section.get("password") is not None:
        yield fact(
            login_category,
            f"{proto}_password",
            masked_secret(section.get("password")),
            detail=where,
        )
    if section.get("apn"):
        yield fact("isp_account", "apn", section.get("apn"), detail=where)
    if section.get("pincode") is not None:
        yield fact("isp_account", "sim_pin", masked_secret(section.get("pincode")), detail=where)
    if section.get("server") and proto in VPN_PROTOS:
        server = section.get("server")
        yield fact("vpn", f"{proto}_server", server, ip=ip_address(server), detail=where)
    if proto == "wireguard":
        port = section.get("listen_port")
        yield fact(
            "vpn",
            f"{name} private_key",
            masked_secret(section.get("private_key")),
            detail=join_detail(where, f"listen port {port}" if port else None),
        )


def _wireguard_peer(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    interface = section.type.removeprefix("wireguard_")
    host = section.get("endpoint_host")
    port = section.get("endpoint_port")
    endpoint = f"{host}:{port}" if host and port else host
    detail = join_detail(
        f"interface {interface}",
        f"endpoint {endpoint}" if endpoint else "no endpoint (peer dials in)",
        f"allowed_ips {' '.join(section.values('allowed_ips'))}"
        if section.values("allowed_ips")
        else None,
        f"public_key {section.get('public_key')}" if section.get("public_key") else None,
        f"preshared key {masked_secret(section.get('preshared_key'))}"
        if section.get("preshared_key")
        else None,
    )
    value = section.get("description") or endpoint or section.get("public_key")
    yield fact("vpn", "wireguard_peer", value, ip=ip_address(host), detail=detail)


# -- /etc/config/wireless ---------------------------------------------------------------------


def _wireless(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type == "wifi-device":
        parts = [
            f"channel {section.get('channel')}" if section.get("channel") else None,
            f"band {section.get('band') or section.get('hwmode')}"
            if section.get("band") or section.get("hwmode")
            else None,
            f"country {section.get('country')}" if section.get("country") else None,
            "disabled" if _on(section.get("disabled")) else None,
        ]
        yield fact(
            "wifi", f"radio {section.name or section.label()}", join_detail(*parts) or "present"
        )
        return
    if section.type != "wifi-iface":
        return
    mode = (section.get("mode") or "ap").lower()
    ssid = section.get("ssid")
    key_values = [section.get(name) for name in ("key", "key1", "key2", "key3", "key4")]
    keys = [masked_secret(value) for value in key_values if value is not None]
    encryption = section.get("encryption") or "none"
    detail = join_detail(
        f"mode {mode}",
        f"encryption {encryption}",
        f"key {', '.join(keys)}" if keys else None,
        f"device {section.get('device')}" if section.get("device") else None,
        f"network {section.get('network')}" if section.get("network") else None,
        "hidden" if _on(section.get("hidden")) else None,
        "disabled" if _on(section.get("disabled")) else None,
    )
    key = "ssid" if mode in ("ap", "wds") else f"ssid ({mode})"
    yield fact("wifi", key, ssid, detail=detail)
    policy = section.get("macfilter")
    for entry in section.values("maclist"):
        yield fact(
            "wifi",
            "maclist",
            entry,
            mac=normalise_mac(entry),
            detail=f"MAC filter {policy or 'unset'} on SSID {ssid}",
        )


# -- /etc/config/dhcp -------------------------------------------------------------------------


def _dhcp(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type == "host":
        yield from _static_host(section, fact)
    elif section.type == "dnsmasq":
        for server in section.values("server"):
            yield fact(
                "dns",
                "forwarder",
                server,
                ip=ip_address(server.split("#")[0]),
                detail="dnsmasq upstream server",
            )
        for entry in section.values("address"):
            yield fact(
                "dns",
                "address_override",
                entry,
                ip=_last_ip(entry),
                detail="dnsmasq address=/domain/ip",
            )
        if section.get("domain"):
            yield fact("dns", "local_domain", section.get("domain"))
        if section.get("leasefile"):
            yield fact(
                "system",
                "dhcp_leasefile",
                section.get("leasefile"),
                detail="where dnsmasq keeps its leases (usually RAM: lost at power-off)",
            )
    elif section.type == "dhcp":
        interface = section.get("interface") or section.name
        if _on(section.get("ignore")):
            value = "disabled"
        else:
            value = (
                join_detail(
                    f"start {section.get('start')}" if section.get("start") else None,
                    f"limit {section.get('limit')}" if section.get("limit") else None,
                    f"leasetime {section.get('leasetime')}" if section.get("leasetime") else None,
                )
                or "enabled"
            )
        yield fact("lan", f"dhcp {interface}", value, detail=f"section {section.label()}")
        for option in section.values("dhcp_option"):
            code, _, servers = option.partition(",")
            if code.strip() in ("6", "option:dns-server"):
                for server in servers.split(","):
                    yield fact(
                        "dns",
                        "dhcp_dns_server",
                        server.strip(),
                        ip=ip_address(server),
                        detail=f"handed to clients on {interface}",
                    )
    elif section.type == "domain":
        name, ip = section.get("name"), section.get("ip")
        yield fact("dns", "local_name", name, ip=ip_address(ip), hostname=name, detail=f"-> {ip}")


def _static_host(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    name = section.get("name")
    ip = section.get("ip")
    macs = section.values("mac")
    detail = join_detail(
        f"leasetime {section.get('leasetime')}" if section.get("leasetime") else None,
        f"tag {section.get('tag')}" if section.get("tag") else None,
        f"section {section.label()}",
    )
    for raw in macs or [None]:
        mac = normalise_mac(raw)
        yield fact(
            "static_lease",
            ip or mac or raw or name or section.label(),
            name or mac or raw,
            mac=mac,
            ip=ip_address(ip),
            hostname=name,
            detail=detail if mac or raw is None else join_detail(detail, f"MAC as written {raw!r}"),
        )


def _last_ip(entry: str) -> str | None:
    return ip_address(entry.rstrip("/").rsplit("/", 1)[-1])


# -- /etc/config/firewall ---------------------------------------------------------------------


def _firewall(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    enabled = not _off(section.get("enabled"))
    if section.type == "redirect":
        target = (section.get("target") or "DNAT").upper()
        if target != "DNAT":
            return
        proto = section.get("proto") or "tcp udp"
        src = section.get("src") or "?"
        src_dport = section.get("src_dport") or "any"
        dest_ip = section.get("dest_ip")
        dest_port = section.get("dest_port") or src_dport
        value = f"{src}:{src_dport} -> {dest_ip or 'router'}:{dest_port} ({proto})"
        detail = join_detail(
            "enabled" if enabled else "disabled",
            f"dest zone {section.get('dest')}" if section.get("dest") else None,
            f"only from {section.get('src_ip')}" if section.get("src_ip") else None,
            f"section {section.label()}",
        )
        key = section.get("name") or f"{proto} {src_dport}"
        yield fact("forward", key, value, ip=ip_address(dest_ip), detail=detail)
    elif section.type == "rule":
        name = section.get("name") or section.label()
        if (
            (section.get("src") or "") != "wan"
            or (section.get("target") or "").upper() != "ACCEPT"
            or not section.get("dest_port")
            or name in DEFAULT_RULES
        ):
            return
        proto = section.get("proto") or "tcp udp"
        dest = section.get("dest")
        dest_ip = section.get("dest_ip")
        detail = join_detail(
            "enabled" if enabled else "disabled",
            f"only from {section.get('src_ip')}" if section.get("src_ip") else None,
            f"section {section.label()}",
        )
        if dest:  # forwarded through the router into a LAN zone
            value = f"wan -> {dest}:{dest_ip or 'any'}:{section.get('dest_port')} ({proto})"
            yield fact("forward", name, value, ip=ip_address(dest_ip), detail=detail)
        else:  # opens a service of the router itself to the internet
            value = f"{proto} port {section.get('dest_port')} open from wan"
            yield fact("remote_admin", name, value, detail=detail)
    elif section.type == "include" and section.get("path"):
        yield fact(
            "system",
            "firewall_include",
            section.get("path"),
            detail="custom firewall script run by fw3/fw4",
        )


# -- /etc/config/system -----------------------------------------------------------------------


def _system(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type == "system":
        if section.get("hostname"):
            yield fact("system", "hostname", section.get("hostname"))
        for key in ("description", "notes"):
            if section.get(key):
                yield fact("system", key, section.get(key))
        zone = section.get("zonename")
        posix = section.get("timezone")
        if zone or posix:
            yield fact(
                "system", "timezone", zone or posix, detail=f"POSIX TZ {posix}" if posix else None
            )
        if section.get("log_ip"):
            log_ip = section.get("log_ip")
            yield fact(
                "system",
                "log_server",
                log_ip,
                ip=ip_address(log_ip),
                detail=join_detail(
                    f"port {section.get('log_port')}" if section.get("log_port") else None,
                    f"proto {section.get('log_proto')}" if section.get("log_proto") else None,
                ),
            )
        if section.get("log_file"):
            yield fact("system", "log_file", section.get("log_file"))
    elif section.type == "timeserver":
        for server in section.values("server"):
            yield fact("system", "ntp_server", server, ip=ip_address(server))


# -- dropbear, uhttpd, ddns, openvpn ----------------------------------------------------------


def _dropbear(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type != "dropbear":
        return
    detail = join_detail(
        "disabled" if _off(section.get("enable")) else None,
        f"interface {section.get('Interface')}" if section.get("Interface") else "all interfaces",
        f"password auth {'off' if _off(section.get('PasswordAuth')) else 'on'}",
        f"root password auth {'off' if _off(section.get('RootPasswordAuth')) else 'on'}",
        "gateway ports on" if _on(section.get("GatewayPorts")) else None,
    )
    yield fact(
        "remote_admin", "ssh (dropbear)", f"port {section.get('Port') or '22'}", detail=detail
    )


def _uhttpd(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type != "uhttpd":
        return
    listen = section.values("listen_http") + section.values("listen_https")
    if listen:
        yield fact(
            "remote_admin",
            f"web ui (uhttpd {section.name or section.label()})",
            " ".join(listen),
            detail="redirect to https" if _on(section.get("redirect_https")) else None,
        )


def _ddns(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type != "service":
        return
    domain = section.get("lookup_host") or section.get("domain")
    detail = join_detail(
        "enabled" if _on(section.get("enabled")) else "disabled",
        f"provider {section.get('service_name')}" if section.get("service_name") else None,
        f"account {section.get('username')}" if section.get("username") else None,
        f"password {masked_secret(section.get('password'))}"
        if section.get("password") is not None
        else None,
        f"interface {section.get('interface')}" if section.get("interface") else None,
    )
    yield fact("remote_admin", "ddns", domain, detail=detail)


def _openvpn(section: UciSection, fact: Fact) -> Iterator[RouterFact]:
    if section.type != "openvpn":
        return
    remotes = section.values("remote")
    role = "server" if section.get("server") or section.get("mode") == "server" else "client"
    value = " ".join(remotes) if remotes else f"{role} port {section.get('port') or '1194'}"
    detail = join_detail(
        "enabled" if _on(section.get("enabled")) else "disabled",
        role,
        f"config {section.get('config')}" if section.get("config") else None,
        f"proto {section.get('proto')}" if section.get("proto") else None,
        f"server {section.get('server')}" if section.get("server") else None,
    )
    yield fact(
        "vpn",
        f"openvpn {section.name or section.label()}",
        value,
        ip=ip_address(remotes[0].split()[0]) if remotes else None,
        detail=detail,
    )


MAPPERS: dict[str, Callable[[UciSection, Fact], Iterator[RouterFact]]] = {
    "network": _network,
    "wireless": _wireless,
    "dhcp": _dhcp,
    "firewall": _firewall,
    "system": _system,
    "dropbear": _dropbear,
    "uhttpd": _uhttpd,
    "ddns": _ddns,
    "openvpn": _openvpn,
}


# -- release files, banner, board, keys, shadow -------------------------------------------------

_ASSIGN = re.compile(r"^([A-Z_]+)=['\"]?(.*?)['\"]?\s*$")
_BANNER_VERSION = re.compile(r"\b(OpenWrt|LEDE)\s+([0-9][^\s,]*|SNAPSHOT)(?:,\s*(r[0-9]\S*))?")


def _release(lines, fact: Fact) -> Iterator[RouterFact]:
    values: dict[str, str] = {}
    for _, line in lines:
        match = _ASSIGN.match(line.strip())
        if match and len(values) < 100:
            values[match.group(1)] = match.group(2)
    release = values.get("DISTRIB_RELEASE")
    if release or values.get("DISTRIB_DESCRIPTION"):
        distro = values.get("DISTRIB_ID") or "OpenWrt"
        yield fact(
            "system",
            "firmware",
            f"{distro} {release}" if release else values.get("DISTRIB_DESCRIPTION"),
            detail=join_detail(
                f"revision {values['DISTRIB_REVISION']}"
                if values.get("DISTRIB_REVISION")
                else None,
                f"target {values['DISTRIB_TARGET']}" if values.get("DISTRIB_TARGET") else None,
                f"arch {values['DISTRIB_ARCH']}" if values.get("DISTRIB_ARCH") else None,
            ),
        )


def _banner(lines, fact: Fact) -> Iterator[RouterFact]:
    for number, line in lines:
        match = _BANNER_VERSION.search(line)
        if match:
            distro, version, revision = match.groups()
            yield fact(
                "system",
                "firmware",
                f"{distro} {version}",
                detail=join_detail(
                    "from the login banner", f"revision {revision}" if revision else None
                ),
            )
            return
        if number > 200:
            return


def _board(ctx: ExtractionContext, file: StoredFile, fact: Fact) -> Iterator[RouterFact]:
    data = ctx.read_bytes(file, MAX_JSON + 1)
    if len(data) > MAX_JSON:
        ctx.problem("board.json is larger than 1 MiB; not read", file)
        return
    try:
        board = json.loads(data.decode("utf-8", "replace"))
    except json.JSONDecodeError as error:
        ctx.problem(f"board.json is not valid JSON: {error}", file)
        return
    model = board.get("model") if isinstance(board, dict) else None
    if isinstance(model, dict) and (model.get("name") or model.get("id")):
        yield fact(
            "system",
            "model",
            str(model.get("name") or model.get("id")),
            detail=f"board id {model.get('id')}" if model.get("id") else None,
        )


def _authorized_keys(lines, fact: Fact) -> Iterator[RouterFact]:
    for number, line in lines:
        words = line.strip().split()
        if not words or words[0].startswith("#"):
            continue
        index = next((i for i, word in enumerate(words) if _is_key_type(word)), None)
        if index is None or index + 1 >= len(words):
            continue
        try:
            blob = base64.b64decode(words[index + 1], validate=True)
        except (binascii.Error, ValueError):
            continue
        fingerprint = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
        comment = " ".join(words[index + 2 :]) or None
        options = " ".join(words[:index]) or None
        yield fact(
            "remote_admin",
            "ssh_authorized_key",
            comment or f"{words[index]} key (no comment)",
            detail=join_detail(
                f"{words[index]} SHA256:{fingerprint}",
                f"options {options}" if options else None,
                f"line {number}",
            ),
        )


def _is_key_type(word: str) -> bool:
    return word.startswith(("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-"))


def _shadow(lines, fact: Fact) -> Iterator[RouterFact]:
    for _, line in lines:
        fields = line.strip().split(":")
        if len(fields) < 3 or not fields[0]:
            continue
        user, secret, changed = fields[0], fields[1], fields[2]
        if user != "root" and (not secret or secret[0] in "*!x"):
            continue
        if secret == "":
            value = "no password (anyone can log in)"
        elif secret[0] in "*!":
            value = "locked"
        else:
            value = masked_secret(secret)
        when = from_unix_seconds(int(changed) * 86400) if changed.isdigit() else None
        yield fact(
            "admin_user",
            user,
            value,
            time=when,
            time_raw=changed or None,
            time_note="day of last password change (shadow field 3: days since 1970-01-01)"
            if when
            else None,
            detail="password hash in /etc/shadow (fingerprint of the hash, not the password)"
            if value.startswith("set")
            else None,
        )
