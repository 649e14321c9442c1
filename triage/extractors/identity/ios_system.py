"""iPhone OS, name, Wi-Fi, DHCP and account facts from its file system.

- ``/System/Library/CoreServices/SystemVersion.plist``: ``ProductName`` ("iPhone OS"),
  ``ProductVersion``, ``ProductBuildVersion`` (macOS has the same file: "macOS");
- ``/private/var/preferences/SystemConfiguration/preferences.plist``: ``System`` > ``System`` >
  ``ComputerName`` (the device name) and ``System`` > ``Network`` > ``HostNames`` >
  ``LocalHostName`` (its Bonjour/DHCP host name);
- ``/private/var/preferences/com.apple.wifi.known-networks.plist`` (iOS 14+): one
  ``wifi.network.ssid.<SSID>`` dictionary per known network with ``SSID`` (bytes), ``AddedAt``,
  ``JoinedByUserAt``, ``JoinedBySystemAt``, ``SupportedSecurityTypes`` and ``BSSList``
  (``BSSID``, ``LastAssociatedAt``); older iOS: ``SystemConfiguration/com.apple.wifi.plist``
  ``List of known networks`` (``SSID_STR``, ``lastJoined``); iOS 16 keeps the hardware Wi-Fi MAC
  there as ``hwMacAddressMacRandomisation``;
- ``/private/var/db/dhcpclient/leases/<if>.plist``: ``IPAddress``, ``LeaseStartDate``, ``SSID``,
  ``RouterIPAddress``, ``RouterHardwareAddress``, ``ClientIdentifier`` (01 + the MAC used);
- ``/private/var/mobile/Library/Accounts/Accounts3.sqlite``: ``ZACCOUNT`` (``ZUSERNAME``,
  ``ZACCOUNTDESCRIPTION``, ``ZDATE`` Cocoa seconds, ``ZOWNINGBUNDLEID``) joined to
  ``ZACCOUNTTYPE`` (``ZACCOUNTTYPEDESCRIPTION``, ``ZIDENTIFIER``).

References: dissect.target ``plugins/os/unix/bsd/darwin/ios/_os.py``; iLEAPP ``appleWifiPlist``,
``dhcpl``, ``accountData``; plaso ``ios_known_networks`` plist plugin (and its test:
Matt_Foley, added 2023-04-15 13:53:47.476017) and ``ios_accounts``.
"""

from __future__ import annotations

import sqlite3

from triage.extractors.base import table_columns
from triage.extractors.identity.facts import Facts, details, labelled, normalise_mac
from triage.extractors.identity.ios_plists import dig, load_plist, plist_time, text
from triage.timestamps import format_utc, from_cocoa

MAX_ENTRIES = 5000
MAX_BSSIDS = 10


def parse_system_version(data: bytes, facts: Facts) -> None:
    """Add the OS product, version and build."""
    plist = load_plist(data, facts)
    product = text(plist.get("ProductName"))
    build = labelled("build", text(plist.get("ProductBuildVersion")))
    facts.add("os", "os_product", product)
    mobile = product is None or "iphone" in product.lower() or "ios" in product.lower()
    facts.add(
        "os", "ios_version" if mobile else "os_version", plist.get("ProductVersion"), detail=build
    )
    facts.add("os", "os_build", plist.get("ProductBuildVersion"))


def parse_preferences(data: bytes, facts: Facts) -> None:
    """Add the device (computer) name and local host name."""
    plist = load_plist(data, facts)
    facts.add(
        "device",
        "device_name",
        text(dig(plist, "System", "System", "ComputerName")),
        detail="SystemConfiguration ComputerName",
    )
    facts.add(
        "network",
        "hostname",
        text(dig(plist, "System", "Network", "HostNames", "LocalHostName")),
        detail="LocalHostName (Bonjour / DHCP)",
    )


def parse_known_networks(data: bytes, facts: Facts) -> None:
    """Add one ``wifi_network`` per known network, timed at its last join."""
    plist = load_plist(data, facts)
    for key, entry in list(plist.items())[:MAX_ENTRIES]:
        if not isinstance(entry, dict):
            continue
        ssid = text(entry.get("SSID")) or str(key).removeprefix("wifi.network.ssid.")
        bss = [item for item in entry.get("BSSList") or [] if isinstance(item, dict)]
        times = [plist_time(entry.get(name)) for name in ("JoinedBySystemAt", "JoinedByUserAt")] + [
            plist_time(item.get("LastAssociatedAt")) for item in bss
        ]
        joined = max((when for when in times if when), default=None)
        bssids = sorted(
            {mac for mac in (normalise_mac(text(item.get("BSSID"))) for item in bss) if mac}
        )
        added = plist_time(entry.get("AddedAt"))
        facts.add(
            "wifi",
            "wifi_network",
            ssid,
            time=joined,
            time_raw=format_utc(joined) if joined else None,
            time_note="last joined (latest of JoinedBySystemAt, JoinedByUserAt, "
            "BSSList LastAssociatedAt)",
            detail=details(
                labelled("added", format_utc(added)),
                labelled("security", text(entry.get("SupportedSecurityTypes"))),
                labelled("added by", text(entry.get("AddReason"))),
                f"{len(bssids)} access points: {', '.join(bssids[:MAX_BSSIDS])}"
                if bssids
                else None,
            ),
        )


def parse_wifi_plist(data: bytes, facts: Facts) -> None:
    """Add known networks of the pre-iOS 14 list and the hardware Wi-Fi MAC."""
    plist = load_plist(data, facts)
    known = plist.get("List of known networks")
    for entry in known[:MAX_ENTRIES] if isinstance(known, list) else []:
        if not isinstance(entry, dict):
            continue
        joined = plist_time(entry.get("lastJoined")) or plist_time(entry.get("lastAutoJoined"))
        facts.add(
            "wifi",
            "wifi_network",
            text(entry.get("SSID_STR")),
            time=joined,
            time_raw=format_utc(joined) if joined else None,
            time_note="lastJoined" if joined else None,
            detail=labelled("BSSID", normalise_mac(text(entry.get("BSSID")))),
        )
    hardware = plist.get("hwMacAddressMacRandomisation")
    if hardware:
        facts.mac("wifi_mac", hardware, detail="hardware Wi-Fi MAC (hwMacAddressMacRandomisation)")


def parse_dhcp_lease(data: bytes, facts: Facts, interface: str) -> None:
    """Add the address a DHCP lease gave and the MAC the phone used for it."""
    lease = load_plist(data, facts)
    started = plist_time(lease.get("LeaseStartDate"))
    ssid = text(lease.get("SSID"))
    router_mac = lease.get("RouterHardwareAddress")
    where = details(
        f"DHCP lease on {interface}" + (f" (Wi-Fi {ssid})" if ssid else ""),
        labelled("router", text(lease.get("RouterIPAddress"))),
        labelled(
            "router MAC", normalise_mac(router_mac) if isinstance(router_mac, bytes) else None
        ),
        labelled("lease seconds", text(lease.get("LeaseLength"))),
    )
    facts.add(
        "network",
        "ip_address",
        text(lease.get("IPAddress")),
        time=started,
        time_raw=format_utc(started) if started else None,
        time_note="LeaseStartDate" if started else None,
        detail=where,
    )
    client = lease.get("ClientIdentifier")
    if isinstance(client, bytes) and len(client) == 7 and client[0] == 1:
        facts.mac("mac_address", client[1:], detail=f"MAC used for the {where}")


def parse_accounts3(connection: sqlite3.Connection, facts: Facts) -> None:
    """Add one ``account`` per named account of Accounts3.sqlite."""
    if not {"ZUSERNAME", "ZACCOUNTTYPE", "ZDATE"} <= table_columns(connection, "ZACCOUNT"):
        facts.problem("no ZACCOUNT table with ZUSERNAME, ZACCOUNTTYPE and ZDATE")
        return
    has_types = "ZACCOUNTTYPEDESCRIPTION" in table_columns(connection, "ZACCOUNTTYPE")
    kind = "t.ZACCOUNTTYPEDESCRIPTION, t.ZIDENTIFIER" if has_types else "NULL, NULL"
    join = "LEFT JOIN ZACCOUNTTYPE t ON t.Z_PK = a.ZACCOUNTTYPE" if has_types else ""
    rows = connection.execute(
        f"SELECT a.ZUSERNAME, a.ZDATE, a.ZACCOUNTDESCRIPTION, a.ZOWNINGBUNDLEID, {kind} "
        f"FROM ZACCOUNT a {join} WHERE a.ZUSERNAME IS NOT NULL AND a.ZUSERNAME != '' "
        f"ORDER BY a.Z_PK LIMIT {MAX_ENTRIES}"
    )
    for username, added_raw, description, bundle, type_name, type_id in rows:
        added = from_cocoa(added_raw)
        facts.add(
            "account",
            "account",
            username,
            time=added,
            time_raw=added_raw if added else None,
            time_note="account added (ZDATE, Cocoa seconds)" if added else None,
            detail=details(
                f"{type_name} ({type_id})" if type_name else labelled("type", type_id),
                labelled("description", description),
                labelled("set up by", bundle),
            ),
        )
