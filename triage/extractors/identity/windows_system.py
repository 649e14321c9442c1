"""Identity facts from a Windows SYSTEM hive: computer name, time zone, hardware, network.

Keys read (under the current control set, ``Select\\Current`` -> ``ControlSet00N``):

- ``Control\\ComputerName\\ComputerName`` ``ComputerName``; ``Services\\Tcpip\\Parameters``
  ``Hostname``/``Domain`` (the DNS name, and a domain when joined);
- ``Control\\TimeZoneInformation``: ``TimeZoneKeyName`` (Vista+, e.g. "India Standard Time"),
  ``StandardName``, ``Bias`` (minutes, UTC = local + Bias, signed 32-bit);
- ``Control\\SystemInformation``: ``SystemManufacturer``, ``SystemProductName`` (from the BIOS);
- ``Services\\Tcpip\\Parameters\\Interfaces\\{GUID}``: the last address of each adapter
  (``DhcpIPAddress`` when ``EnableDHCP``, else ``IPAddress``), the DHCP server, gateway,
  domain and ``LeaseObtainedTime`` (Unix seconds);
- ``Control\\Class\\{4d36e972-e325-11ce-bfc1-08002be10318}\\NNNN``: each network adapter's
  ``DriverDesc``, ``NetCfgInstanceId`` (the interface GUID) and ``NetworkAddress`` (a MAC the
  adapter was set to use; Windows records no burned-in MAC in the registry);
- ``Control\\Network\\{4D36E972-...}\\{GUID}\\Connection`` ``Name`` ("Ethernet", "Wi-Fi").

References: regipy plugins ``computer_name``/``timezone_data``/``network_data``; Harlan Carvey,
"Windows Registry Forensics" (2nd ed.), ch. 4 (System hive); Microsoft documentation of
TIME_ZONE_INFORMATION.
"""

from __future__ import annotations

from triage.extractors.identity.facts import Facts
from triage.extractors.identity.registry import Hive, RegKey
from triage.timestamps import format_utc, from_unix_seconds

NET_CLASS = "{4d36e972-e325-11ce-bfc1-08002be10318}"


def _signed32(value: int | None) -> int | None:
    if value is None:
        return None
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def utc_offset_text(bias: int) -> str:
    """``UTC+05:30`` from a Windows bias in minutes (UTC = local + bias)."""
    offset = -bias
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def current_control_set(hive: Hive, facts: Facts) -> RegKey | None:
    """The control set the system booted with (``Select\\Current``), or ControlSet001."""
    select = hive.key("\\Select")
    number = select.number("Current") if select else None
    if number is not None and 0 < number < 1000:
        found = hive.key(f"\\ControlSet{number:03d}")
        if found is not None:
            return found
    fallback = hive.key("\\ControlSet001")
    if fallback is None:
        facts.problem("no control set (Select\\Current, ControlSet001) in this SYSTEM hive")
    elif number is not None:
        facts.problem(f"Select\\Current names ControlSet{number:03d}, which is missing", "warning")
    return fallback


def parse_system(hive: Hive, facts: Facts) -> None:
    """Add the SYSTEM hive's identity facts to ``facts``."""
    control_set = current_control_set(hive, facts)
    if control_set is None:
        return
    _computer_name(control_set, facts)
    _time_zone(control_set, facts)
    _hardware(control_set, facts)
    _network(control_set, facts)


def _written(key: RegKey) -> dict[str, object]:
    return {
        "time": key.last_written,
        "time_raw": key.filetime,
        "time_note": "registry key last written (FILETIME)",
    }


def _computer_name(control_set: RegKey, facts: Facts) -> None:
    key = _path(control_set, "Control", "ComputerName", "ComputerName")
    if key is not None:
        facts.add("os", "computer_name", key.text("ComputerName"), **_written(key))
    tcpip = _path(control_set, "Services", "Tcpip", "Parameters")
    if tcpip is not None:
        hostname = tcpip.text("Hostname") or tcpip.text("NV Hostname")
        facts.add("network", "hostname", hostname, detail="TCP/IP host name")
        domain = tcpip.text("Domain") or tcpip.text("NV Domain")
        facts.add("network", "dns_domain", domain, detail="primary DNS suffix")


def _time_zone(control_set: RegKey, facts: Facts) -> None:
    key = _path(control_set, "Control", "TimeZoneInformation")
    if key is None:
        return
    name = key.text("TimeZoneKeyName") or key.text("StandardName")
    bias = _signed32(key.number("Bias"))
    parts = []
    if bias is not None:
        parts.append(f"standard time {utc_offset_text(bias)} (Bias {bias} min)")
    daylight = key.text("DaylightName")
    daylight_bias = _signed32(key.number("DaylightBias"))
    if (
        daylight
        and daylight_bias
        and bias is not None
        and not key.number("DynamicDaylightTimeDisabled")
    ):
        parts.append(f"daylight {daylight} {utc_offset_text(bias + daylight_bias)}")
    standard = key.text("StandardName")
    if standard and standard != name:
        parts.append(f"StandardName {standard}")
    facts.add("os", "timezone", name, detail="; ".join(parts) or None)


def _hardware(control_set: RegKey, facts: Facts) -> None:
    key = _path(control_set, "Control", "SystemInformation")
    if key is None:
        return
    bios = "; ".join(
        f"{label} {text}"
        for label, text in (
            ("BIOS", key.text("BIOSVersion")),
            ("BIOS date", key.text("BIOSReleaseDate")),
        )
        if text
    )
    facts.add("device", "manufacturer", key.text("SystemManufacturer"), detail=bios or None)
    facts.add("device", "model", key.text("SystemProductName"), detail=key.text("SystemSKU"))


def _path(key: RegKey | None, *names: str) -> RegKey | None:
    for name in names:
        if key is None:
            return None
        key = key.subkey(name)
    return key


def _adapters(control_set: RegKey) -> dict[str, dict[str, str | None]]:
    """Interface GUID (upper case) -> adapter description, connection name, set MAC."""
    adapters: dict[str, dict[str, str | None]] = {}
    net_class = _path(control_set, "Control", "Class", NET_CLASS)
    for adapter in net_class.subkeys() if net_class else []:
        guid = adapter.text("NetCfgInstanceId")
        if not guid:
            continue
        adapters[guid.upper()] = {
            "description": adapter.text("DriverDesc"),
            "network_address": adapter.text("NetworkAddress"),
            "class_key": adapter.name,
        }
    connections = _path(control_set, "Control", "Network", NET_CLASS)
    for entry in connections.subkeys() if connections else []:
        connection = entry.subkey("Connection")
        if connection is not None:
            adapters.setdefault(entry.name.upper(), {})["connection"] = connection.text("Name")
    return adapters


def _network(control_set: RegKey, facts: Facts) -> None:
    adapters = _adapters(control_set)
    for guid, adapter in sorted(adapters.items()):
        label = adapter.get("connection") or adapter.get("description")
        if not label:
            continue
        detail = "; ".join(
            part
            for part in (
                f"adapter {adapter['description']}" if adapter.get("description") else None,
                f"interface {guid}",
            )
            if part
        )
        facts.add("network", "network_interface", label, detail=detail)
        if adapter.get("network_address"):
            facts.mac(
                "mac_address",
                adapter["network_address"],
                detail=f"{label}: NetworkAddress set in the adapter's properties "
                f"(Class\\{NET_CLASS}\\{adapter.get('class_key')})",
            )
    interfaces = _path(control_set, "Services", "Tcpip", "Parameters", "Interfaces")
    for interface in interfaces.subkeys() if interfaces else []:
        _interface_address(interface, adapters.get(interface.name.upper(), {}), facts)


def _interface_address(interface: RegKey, adapter: dict[str, str | None], facts: Facts) -> None:
    dhcp = bool(interface.number("EnableDHCP"))
    if dhcp:
        addresses = [interface.text("DhcpIPAddress") or ""]
    else:
        addresses = interface.strings("IPAddress")
    addresses = [address for address in addresses if address and address != "0.0.0.0"]
    if not addresses:
        return
    label = adapter.get("connection") or adapter.get("description") or interface.name
    gateway = interface.strings("DhcpDefaultGateway" if dhcp else "DefaultGateway")
    lease_raw = interface.number("LeaseObtainedTime") if dhcp else None
    lease = from_unix_seconds(lease_raw)
    expires = from_unix_seconds(interface.number("LeaseTerminatesTime")) if dhcp else None
    detail = "; ".join(
        part
        for part in (
            f"{label} ({'DHCP' if dhcp else 'static'})",
            f"mask {interface.text('DhcpSubnetMask' if dhcp else 'SubnetMask')}"
            if interface.text("DhcpSubnetMask" if dhcp else "SubnetMask")
            else None,
            f"gateway {', '.join(gateway)}" if gateway else None,
            f"DHCP server {interface.text('DhcpServer')}"
            if dhcp and interface.text("DhcpServer")
            else None,
            f"domain {interface.text('DhcpDomain') or interface.text('Domain')}"
            if interface.text("DhcpDomain") or interface.text("Domain")
            else None,
            f"lease expires {format_utc(expires)}" if expires else None,
            f"interface {interface.name}",
        )
        if part
    )
    for address in addresses:
        facts.add(
            "network",
            "ip_address",
            address,
            time=lease,
            time_raw=lease_raw if lease else None,
            time_note="DHCP lease obtained (LeaseObtainedTime, Unix seconds)" if lease else None,
            detail=detail,
        )
