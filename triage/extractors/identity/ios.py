"""ios.identity: who and what an iPhone is, from a backup's plists or its file system.

Where it lives: in an iTunes/Finder backup, ``/iTunes Backup/Info.plist`` and
``/iTunes Backup/Manifest.plist`` (device name, product type, iOS version, serial, IMEIs,
ICCID, phone number, last backup date, installed apps); in a file-system extraction (and in a
backup's domains, which triage maps to the same paths): ``SystemVersion.plist``,
``SystemConfiguration/preferences.plist``, CommCenter's plists and ``CellularUsage.db``
(numbers, ICCIDs, IMSIs, IMEIs), ``com.apple.wifi.known-networks.plist`` and
``com.apple.wifi.plist`` (known Wi-Fi networks, Wi-Fi MAC), DHCP lease plists and
``Accounts3.sqlite``. What a row means: one fact with the file it came from. Parsers:
``ios_backup``, ``ios_cellular``, ``ios_system`` (each cites its references). ``sim_country``
comes from the country of the SIM's own E.164 number.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.identity.base import IdentityExtractor
from triage.extractors.identity.facts import Facts
from triage.extractors.identity.ios_backup import parse_info_plist, parse_manifest_plist
from triage.extractors.identity.ios_cellular import parse_cellular_usage, parse_commcenter
from triage.extractors.identity.ios_plists import MAX_PLIST_BYTES
from triage.extractors.identity.ios_system import (
    parse_accounts3,
    parse_dhcp_lease,
    parse_known_networks,
    parse_preferences,
    parse_system_version,
    parse_wifi_plist,
)
from triage.records import IdentityFact
from triage.recover.identity import recover_facts

INFO_PLIST = ("iTunes Backup/Info.plist",)
MANIFEST_PLIST = ("iTunes Backup/Manifest.plist",)
SYSTEM_VERSION = ("**/System/Library/CoreServices/SystemVersion.plist",)
PREFERENCES = ("**/private/var/preferences/SystemConfiguration/preferences.plist",)
COMMCENTER = (
    "**/wireless/Library/Preferences/com.apple.commcenter.plist",
    "**/wireless/Library/Preferences/com.apple.commcenter.device_specific_nobackup.plist",
    "**/wireless/Library/Preferences/com.apple.commcenter.data.plist",
)
CELLULAR_USAGE = ("**/wireless/Library/Databases/CellularUsage.db",)
KNOWN_NETWORKS = ("**/preferences/com.apple.wifi.known-networks.plist",)
WIFI_PLIST = ("**/preferences/SystemConfiguration/com.apple.wifi.plist",)
DHCP_LEASES = ("**/db/dhcpclient/leases/*.plist",)
ACCOUNTS = ("**/mobile/Library/Accounts/Accounts3.sqlite",)


class IosIdentity(IdentityExtractor):
    """iPhone identity from backup plists and file-system plists and databases."""

    name = "ios.identity"
    description = (
        "iOS identity: device name, product type, iOS version, serial, IMEIs, ICCIDs, IMSIs, "
        "phone numbers, last backup date, installed apps (backup Info/Manifest.plist), "
        "SystemVersion.plist, CommCenter plists, CellularUsage.db, known Wi-Fi networks, "
        "DHCP leases, Accounts3.sqlite"
    )
    patterns = (
        *INFO_PLIST,
        *MANIFEST_PLIST,
        *SYSTEM_VERSION,
        *PREFERENCES,
        *COMMCENTER,
        *CELLULAR_USAGE,
        *KNOWN_NETWORKS,
        *WIFI_PLIST,
        *DHCP_LEASES,
        *ACCOUNTS,
    )

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[IdentityFact]:
        """Info.plist first (the backup's own account of the device), then every other file."""
        order = [*INFO_PLIST, *MANIFEST_PLIST]
        files = sorted(
            files,
            key=lambda file: (
                next((i for i, p in enumerate(order) if self.matches(file, p)), len(order)),
                str(file.path),
            ),
        )
        apps_listed = False
        for file in files:
            facts = self.read(ctx, file, partial(self._parse, ctx, file, not apps_listed))
            apps_listed = apps_listed or any(f.key == "installed_app" for f in facts)
            yield from facts

    def _parse(
        self, ctx: ExtractionContext, file: StoredFile, with_apps: bool, facts: Facts
    ) -> None:
        if self.matches(file, *CELLULAR_USAGE):
            with ctx.sqlite(file) as connection:
                parse_cellular_usage(connection, facts)
                recover_facts(connection, file, ctx, facts, "subscriber_info", parse_cellular_usage)
            return
        if self.matches(file, *ACCOUNTS):
            with ctx.sqlite(file) as connection:
                parse_accounts3(connection, facts)
                recover_facts(connection, file, ctx, facts, "ZACCOUNT", parse_accounts3)
            return
        data = self.small_file(ctx, file, facts, MAX_PLIST_BYTES)
        if data is None:
            return
        if self.matches(file, *INFO_PLIST):
            parse_info_plist(data, facts)
        elif self.matches(file, *MANIFEST_PLIST):
            parse_manifest_plist(data, facts, with_apps)
        elif self.matches(file, *SYSTEM_VERSION):
            parse_system_version(data, facts)
        elif self.matches(file, *PREFERENCES):
            parse_preferences(data, facts)
        elif self.matches(file, *COMMCENTER):
            parse_commcenter(data, facts)
        elif self.matches(file, *KNOWN_NETWORKS):
            parse_known_networks(data, facts)
        elif self.matches(file, *WIFI_PLIST):
            parse_wifi_plist(data, facts)
        elif self.matches(file, *DHCP_LEASES):
            parse_dhcp_lease(data, facts, file.path.stem)
