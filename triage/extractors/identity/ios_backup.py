"""iPhone identity from an iTunes/Finder backup's own Info.plist and Manifest.plist.

A backup folder holds, beside the file blobs, ``Info.plist`` (written by iTunes/Finder, never
encrypted): ``Device Name``, ``Product Type`` ("iPhone14,5"), ``Product Name``,
``Product Version``, ``Build Version``, ``Serial Number``, ``IMEI``, ``IMEI 2``, ``MEID``,
``ICCID``, ``Phone Number``, ``Unique Identifier`` (UDID), ``Last Backup Date``,
``Installed Applications`` (bundle ids) and ``Applications`` (per app an ``iTunesMetadata``
plist whose ``com.apple.iTunesStore.downloadInfo`` > ``accountInfo`` > ``AppleID`` names the
Apple ID that bought it); and ``Manifest.plist``: ``IsEncrypted``, ``Date``, ``Lockdown``
(``DeviceName``, ``ProductType``, ``ProductVersion``, ``BuildVersion``, ``SerialNumber``,
``UniqueDeviceID``) and ``Applications``. triage lists these under ``/iTunes Backup/``.
References: iLEAPP ``scripts/artifacts/iTunesBackupInfo.py``; dissect.target
``loaders/itunes.py``.
"""

from __future__ import annotations

import plistlib

from triage.extractors.identity.facts import Facts, details, labelled
from triage.extractors.identity.ios_plists import PLIST_DAMAGE, dig, load_plist, plist_time, text
from triage.timestamps import format_utc

MAX_APPS = 5000


def parse_info_plist(data: bytes, facts: Facts) -> None:
    """Add the device, OS, SIM and backup facts of a backup's Info.plist."""
    info = load_plist(data, facts)
    product_name = text(info.get("Product Name"))
    facts.add("device", "device_name", info.get("Device Name"))
    facts.add("device", "product_type", info.get("Product Type"), detail=product_name)
    facts.add(
        "os",
        "ios_version",
        info.get("Product Version"),
        detail=labelled("build", text(info.get("Build Version"))),
    )
    facts.add("device", "serial_number", info.get("Serial Number"))
    facts.add("device", "imei", info.get("IMEI"), detail="IMEI (slot 1)")
    facts.add("device", "imei", info.get("IMEI 2"), detail="IMEI 2 (eSIM / slot 2)")
    facts.add("device", "meid", info.get("MEID"))
    facts.add("device", "udid", info.get("Unique Identifier") or info.get("Target Identifier"))
    facts.add("sim", "iccid", info.get("ICCID"), detail="SIM at backup time")
    facts.phone("phone_number", text(info.get("Phone Number")), detail="SIM at backup time")
    backed_up = plist_time(info.get("Last Backup Date"))
    if backed_up is not None:
        facts.add(
            "device",
            "last_backup_date",
            format_utc(backed_up),
            time=backed_up,
            time_raw=info.get("Last Backup Date"),
            time_note="Info.plist Last Backup Date (UTC)",
            detail=labelled("iTunes", text(info.get("iTunes Version"))),
        )
    apps = info.get("Installed Applications")
    if isinstance(apps, list):
        for app in apps[:MAX_APPS]:
            facts.add("app", "installed_app", text(app), detail="Info.plist Installed Applications")
    _apple_ids(info.get("Applications"), facts)


def _apple_ids(applications: object, facts: Facts) -> None:
    """The Apple IDs that downloaded the backed-up apps (from each app's iTunesMetadata)."""
    if not isinstance(applications, dict):
        return
    buyers: dict[str, list[str]] = {}
    for bundle, entry in list(applications.items())[:MAX_APPS]:
        metadata = entry.get("iTunesMetadata") if isinstance(entry, dict) else None
        if not isinstance(metadata, bytes):
            continue
        try:
            store = plistlib.loads(metadata)
        except PLIST_DAMAGE:
            facts.problem(f"iTunesMetadata of {bundle} cannot be read", "warning")
            continue
        apple_id = text(dig(store, "com.apple.iTunesStore.downloadInfo", "accountInfo", "AppleID"))
        apple_id = apple_id or text(dig(store, "appleId"))
        if apple_id:
            buyers.setdefault(apple_id, []).append(str(bundle))
    for apple_id, bundles in sorted(buyers.items()):
        facts.add(
            "account",
            "account",
            apple_id,
            detail=details(
                "Apple ID that downloaded apps",
                f"{len(bundles)} apps, e.g. {', '.join(sorted(bundles)[:5])}",
            ),
        )


def parse_manifest_plist(data: bytes, facts: Facts, with_apps: bool) -> None:
    """Add the backup's encryption state, its Lockdown device facts and (optionally) its apps."""
    manifest = load_plist(data, facts)
    encrypted = manifest.get("IsEncrypted")
    if isinstance(encrypted, bool):
        facts.add(
            "device",
            "backup_encrypted",
            "yes" if encrypted else "no",
            detail=labelled("backup written", format_utc(plist_time(manifest.get("Date")))),
        )
    lockdown = manifest.get("Lockdown")
    if isinstance(lockdown, dict):
        facts.add("device", "device_name", lockdown.get("DeviceName"), detail="Lockdown")
        facts.add("device", "product_type", lockdown.get("ProductType"), detail="Lockdown")
        facts.add(
            "os",
            "ios_version",
            lockdown.get("ProductVersion"),
            detail=details("Lockdown", labelled("build", text(lockdown.get("BuildVersion")))),
        )
        facts.add("device", "serial_number", lockdown.get("SerialNumber"), detail="Lockdown")
        facts.add("device", "udid", lockdown.get("UniqueDeviceID"), detail="Lockdown")
    apps = manifest.get("Applications")
    if with_apps and isinstance(apps, dict):
        for bundle in list(apps)[:MAX_APPS]:
            facts.add("app", "installed_app", text(bundle), detail="Manifest.plist Applications")
