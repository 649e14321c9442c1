"""Identity facts from a Windows SOFTWARE hive: OS version, owner, profiles, networks, programs.

Keys read:

- ``Microsoft\\Windows NT\\CurrentVersion``: ``ProductName`` ("Windows 10 Pro"; Windows 11 still
  writes "Windows 10" here, so a build of 22000 or more is called Windows 11 in the detail),
  ``EditionID``, ``DisplayVersion``/``ReleaseId`` ("22H2"), ``CurrentBuild`` + ``UBR``,
  ``CurrentMajorVersionNumber``/``CurrentMinorVersionNumber`` (else ``CurrentVersion``),
  ``InstallTime`` (FILETIME, Windows 10+) or ``InstallDate`` (Unix seconds), ``RegisteredOwner``,
  ``RegisteredOrganization``;
- ``...\\CurrentVersion\\ProfileList\\<SID>``: ``ProfileImagePath`` (whose last folder is the
  user name) and ``LocalProfileLoadTimeHigh/Low`` (Windows 10) or ``ProfileLoadTimeHigh/Low``
  (Vista/7): when the profile was last loaded, i.e. the user's last logon;
- ``...\\CurrentVersion\\NetworkList\\Profiles\\{GUID}``: ``ProfileName``, ``NameType`` (0x06 wired,
  0x17 mobile broadband, 0x47 wireless), ``DateCreated``/``DateLastConnected`` (SYSTEMTIME in
  the computer's local time, no zone); ``...\\Signatures\\{Managed,Unmanaged}\\*`` gives each
  profile's ``DefaultGatewayMac`` (the router's MAC) and ``DnsSuffix``;
- ``Microsoft\\Windows\\CurrentVersion\\Uninstall\\*`` (and ``WOW6432Node``): installed programs
  (``DisplayName``, ``DisplayVersion``, ``Publisher``, ``InstallDate``, ``InstallLocation``).

References: regipy plugins ``winver_plugin``, ``profilelist_plugin``, ``networklist``,
``installed_programs_software``; plaso ``windows_version`` and ``networks`` plugins; Microsoft
SYSTEMTIME documentation.
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime

from triage.extractors.identity.facts import Facts, details, labelled
from triage.extractors.identity.registry import Hive, RegKey
from triage.timestamps import EARLIEST, LATEST, format_utc, from_filetime, from_unix_seconds

CURRENT_VERSION = "\\Microsoft\\Windows NT\\CurrentVersion"
UNINSTALL_KEYS = (
    "\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
    "\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
)
NAME_TYPES = {0x06: "wired", 0x17: "mobile broadband", 0x47: "wireless"}
WINDOWS_11_BUILD = 22000
LOCAL_TIME_NOTE = "local time of the computer, stored without a time zone (SYSTEMTIME)"


def systemtime(data: bytes | None) -> datetime | None:
    """A 16-byte SYSTEMTIME as a datetime (tz set to UTC: the caller notes it is local)."""
    if not data or len(data) < 16:
        return None
    year, month, _weekday, day, hour, minute, second, millis = struct.unpack("<8H", data[:16])
    try:
        value = datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
    except ValueError:
        return None
    return value if EARLIEST <= value < LATEST else None


def parse_software(hive: Hive, facts: Facts) -> None:
    """Add the SOFTWARE hive's identity facts to ``facts``."""
    current = hive.key(CURRENT_VERSION)
    if current is None:
        facts.problem("no Microsoft\\Windows NT\\CurrentVersion key in this SOFTWARE hive")
    else:
        _os_version(current, facts)
        _profiles(current, facts)
        _networks(current, facts)
    for path in UNINSTALL_KEYS:
        uninstall = hive.key(path)
        if uninstall is not None:
            _programs(uninstall, facts, wow64="WOW6432Node" in path)


def _os_version(current: RegKey, facts: Facts) -> None:
    product = current.text("ProductName")
    build = current.text("CurrentBuild") or current.text("CurrentBuildNumber")
    ubr = current.number("UBR")
    product_detail = [f"edition {current.text('EditionID')}"] if current.text("EditionID") else []
    windows_11 = build is not None and build.isdigit() and int(build) >= WINDOWS_11_BUILD
    if product and "Windows 10" in product and windows_11:
        product_detail.append(f"build {build} is Windows 11 (ProductName keeps saying Windows 10)")
    facts.add("os", "os_product", product, detail="; ".join(product_detail) or None)
    major = current.number("CurrentMajorVersionNumber")
    minor = current.number("CurrentMinorVersionNumber")
    version = f"{major}.{minor or 0}" if major is not None else current.text("CurrentVersion")
    release = current.text("DisplayVersion") or current.text("ReleaseId")
    service_pack = current.text("CSDVersion")
    facts.add(
        "os",
        "os_version",
        version,
        detail="; ".join(
            part
            for part in (
                f"release {release}" if release else None,
                service_pack,
                f"CurrentVersion {current.text('CurrentVersion')}"
                if major is not None and current.text("CurrentVersion")
                else None,
            )
            if part
        )
        or None,
    )
    facts.add(
        "os",
        "os_build",
        build,
        detail="; ".join(
            part
            for part in (
                f"UBR {ubr} ({build}.{ubr})" if ubr is not None else None,
                current.text("BuildLabEx") or current.text("BuildLab"),
            )
            if part
        )
        or None,
    )
    install_filetime = current.number("InstallTime")
    install_unix = current.number("InstallDate")
    installed = from_filetime(install_filetime) if install_filetime else None
    if installed is not None:
        raw, note = install_filetime, "InstallTime (FILETIME)"
    else:
        installed = from_unix_seconds(install_unix)
        raw, note = install_unix, "InstallDate (Unix seconds)"
    if installed is not None:
        facts.add(
            "os",
            "install_date",
            format_utc(installed),
            time=installed,
            time_raw=raw,
            time_note=f"{note}; the last feature upgrade resets it",
        )
    facts.add("user", "registered_owner", current.text("RegisteredOwner"))
    facts.add("user", "registered_organization", current.text("RegisteredOrganization"))


def _profile_time(key: RegKey) -> tuple[datetime | None, int | None, str | None]:
    for prefix, label in (("LocalProfileLoadTime", "Windows 10+"), ("ProfileLoadTime", "Vista/7")):
        high, low = key.number(f"{prefix}High"), key.number(f"{prefix}Low")
        if high is not None and low is not None:
            raw = ((high & 0xFFFFFFFF) << 32) | (low & 0xFFFFFFFF)
            when = from_filetime(raw)
            if when is not None:
                return when, raw, f"profile last loaded ({prefix}High/Low, {label}, FILETIME)"
    return None, None, None


def _profiles(current: RegKey, facts: Facts) -> None:
    profiles = current.subkey("ProfileList")
    for key in profiles.subkeys() if profiles else []:
        sid = key.name
        if not re.fullmatch(r"S-1-(5-21|12-1)-[\d-]+", sid):
            continue  # SYSTEM, LocalService, NetworkService: not people
        path = key.text("ProfileImagePath")
        if not path:
            continue
        name = re.split(r"[\\/]", path.rstrip("\\/"))[-1]
        when, raw, note = _profile_time(key)
        facts.add(
            "user",
            "user_account",
            name,
            time=when,
            time_raw=raw,
            time_note=note,
            detail=f"{sid}; profile {path}",
        )


def _gateways(network_list: RegKey) -> dict[str, tuple[str | None, bytes | None]]:
    """Profile GUID (upper case) -> (DNS suffix, default gateway MAC) from the signatures."""
    found: dict[str, tuple[str | None, bytes | None]] = {}
    signatures = network_list.subkey("Signatures")
    for group in signatures.subkeys() if signatures else []:
        for signature in group.subkeys():
            guid = signature.text("ProfileGuid")
            if guid:
                found[guid.upper()] = (
                    signature.text("DnsSuffix"),
                    signature.data("DefaultGatewayMac"),
                )
    return found


def _networks(current: RegKey, facts: Facts) -> None:
    network_list = current.subkey("NetworkList")
    if network_list is None:
        return
    gateways = _gateways(network_list)
    profiles = network_list.subkey("Profiles")
    for profile in profiles.subkeys() if profiles else []:
        name = profile.text("ProfileName")
        if not name:
            continue
        kind = NAME_TYPES.get(profile.number("NameType") or -1, "network")
        created = systemtime(profile.data("DateCreated"))
        last = systemtime(profile.data("DateLastConnected"))
        suffix, gateway = gateways.get(profile.name.upper(), (None, None))
        gateway_mac = (
            ":".join(f"{byte:02x}" for byte in gateway) if gateway and len(gateway) == 6 else None
        )
        detail = "; ".join(
            part
            for part in (
                f"{kind} network profile {profile.name}",
                f"first connected {created.strftime('%Y-%m-%d %H:%M:%S')} (local time)"
                if created
                else None,
                f"DNS suffix {suffix}" if suffix else None,
                f"gateway MAC {gateway_mac}" if gateway_mac else None,
            )
            if part
        )
        facts.add(
            "wifi" if kind == "wireless" else "network",
            "wifi_network" if kind == "wireless" else "network_profile",
            name,
            time=last,
            time_raw=profile.data("DateLastConnected").hex() if last else None,
            time_note=f"last connected; {LOCAL_TIME_NOTE}" if last else None,
            detail=detail,
        )
        if gateway_mac:
            facts.mac("gateway_mac", gateway_mac, detail=f"default gateway of network {name}")


def _programs(uninstall: RegKey, facts: Facts, wow64: bool) -> None:
    for program in uninstall.subkeys():
        name = program.text("DisplayName")
        if not name or program.number("SystemComponent") == 1:
            continue
        detail = details(
            labelled("version", program.text("DisplayVersion")),
            labelled("publisher", program.text("Publisher")),
            labelled("installed", program.text("InstallDate"), " (local date)"),
            labelled("location", program.text("InstallLocation")),
            "32-bit (WOW6432Node)" if wow64 else None,
        )
        facts.add(
            "app",
            "installed_program",
            name,
            time=program.last_written,
            time_raw=program.filetime,
            time_note="uninstall key last written (FILETIME): install or last update",
            detail=detail,
        )
