"""android.identity: who and what an Android phone is, from its system files.

Where it lives: ``system/build.prop`` and ``vendor/build.prop`` (manufacturer, model, Android
version, security patch, build fingerprint), ``data/user_de/0/com.android.providers.telephony/
databases/telephony.db`` (SIMs: number, ICCID, IMSI, carrier, country),
``data/system_ce/<user>/accounts_ce.db`` and ``data/system_de/<user>/accounts_de.db`` (Google
and app accounts), ``WifiConfigStore.xml`` (saved Wi-Fi networks and the randomized MAC used on
each), ``data/system/packages.xml`` / ``packages.list`` (installed packages) and
``data/system/users/<user>/settings_global.xml`` (device name). What a row means: one fact with
the file it came from. The parsers (``android_build``, ``android_sim``, ``android_accounts``,
``android_wifi``, ``android_packages``, ``android_settings``) cite their format references.
``sim_country`` (upper-case ISO code) becomes the default region for the call-log family.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import PurePosixPath

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.identity.android_accounts import parse_accounts
from triage.extractors.identity.android_build import (
    BuildProp,
    build_facts,
    parse_properties,
    partition_of,
)
from triage.extractors.identity.android_packages import parse_packages_list, parse_packages_xml
from triage.extractors.identity.android_settings import parse_settings
from triage.extractors.identity.android_sim import parse_siminfo
from triage.extractors.identity.android_wifi import parse_wifi_config_store, parse_wpa_supplicant
from triage.extractors.identity.android_xml import MAX_XML_BYTES
from triage.extractors.identity.base import IdentityExtractor
from triage.extractors.identity.facts import Facts
from triage.records import IdentityFact
from triage.recover.identity import recover_facts

BUILD_PROP = ("**/system/build.prop", "**/vendor/build.prop", "**/odm/etc/build.prop")
TELEPHONY = ("**/com.android.providers.telephony/databases/telephony.db",)
ACCOUNTS = (
    "**/system_ce/*/accounts_ce.db",
    "**/system_de/*/accounts_de.db",
    "**/system/users/*/accounts.db",
)
WIFI_XML = (
    "**/misc/wifi/WifiConfigStore.xml",
    "**/misc/apexdata/com.android.wifi/WifiConfigStore.xml",
)
WPA_SUPPLICANT = ("**/misc/wifi/wpa_supplicant.conf",)
PACKAGES_XML = ("**/system/packages.xml",)
PACKAGES_LIST = ("**/system/packages.list",)
SETTINGS = ("**/system/users/*/settings_global.xml", "**/system/users/*/settings_secure.xml")


def android_user(path: PurePosixPath) -> str | None:
    """``user 0`` from ``.../system_ce/0/accounts_ce.db`` or ``.../system/users/0/...``."""
    parts = path.parts
    for index, part in enumerate(parts[:-1]):
        if part in ("system_ce", "system_de", "users") and parts[index + 1].isdigit():
            return f"user {parts[index + 1]}"
    return None


class AndroidIdentity(IdentityExtractor):
    """Android phone identity from build.prop, telephony, accounts, Wi-Fi and package files."""

    name = "android.identity"
    description = (
        "Android identity: manufacturer, model, Android version, security patch, fingerprint "
        "(build.prop, vendor over system), SIMs with number/ICCID/IMSI/carrier (telephony.db), "
        "accounts (accounts_ce/de.db), Wi-Fi networks and MACs (WifiConfigStore.xml), "
        "installed packages (packages.xml, packages.list), device name (settings)"
    )
    patterns = (
        *BUILD_PROP,
        *TELEPHONY,
        *ACCOUNTS,
        *WIFI_XML,
        *WPA_SUPPLICANT,
        *PACKAGES_XML,
        *PACKAGES_LIST,
        *SETTINGS,
    )

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[IdentityFact]:
        """build.prop files together (vendor over system), then each other file on its own.

        ``packages.list`` is read only where no ``packages.xml`` beside it could be read (text
        or binary XML), so each package is listed once.
        """
        files = sorted(files, key=lambda item: str(item.path))
        yield from self._build_props([f for f in files if self.matches(f, *BUILD_PROP)], ctx)
        packages_read: set[PurePosixPath] = set()
        for file in files:
            if self.matches(file, *BUILD_PROP, *PACKAGES_LIST):
                continue
            facts = self.read(ctx, file, partial(self._parse, ctx, file))
            if self.matches(file, *PACKAGES_XML) and any(
                fact.key == "installed_package" for fact in facts
            ):
                packages_read.add(file.path.parent)
            yield from facts
        for file in files:
            if self.matches(file, *PACKAGES_LIST) and file.path.parent not in packages_read:
                yield from self.read(ctx, file, partial(self._parse, ctx, file))

    def _build_props(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[IdentityFact]:
        props: list[BuildProp] = []

        def parse(file: StoredFile, facts: Facts) -> None:
            properties = parse_properties(self.lines(ctx, file, facts), facts)
            props.append(BuildProp(partition_of(str(file.path)), facts, properties))

        for file in files:
            self.read(ctx, file, partial(parse, file))
        build_facts(props)
        for prop in props:
            yield from prop.facts

    def _parse(self, ctx: ExtractionContext, file: StoredFile, facts: Facts) -> None:
        if self.matches(file, *TELEPHONY):
            with ctx.sqlite(file) as connection:
                parse_siminfo(connection, facts)
                recover_facts(connection, file, ctx, facts, "siminfo", parse_siminfo)
        elif self.matches(file, *ACCOUNTS):
            read = partial(_accounts_of, android_user(file.path))
            with ctx.sqlite(file) as connection:
                read(connection, facts)
                recover_facts(connection, file, ctx, facts, "accounts", read)
        elif self.matches(file, *WPA_SUPPLICANT):
            parse_wpa_supplicant(self.lines(ctx, file, facts), facts)
        elif self.matches(file, *PACKAGES_LIST):
            parse_packages_list(self.lines(ctx, file, facts), facts)
        else:
            data = self.small_file(ctx, file, facts, MAX_XML_BYTES)
            if data is None:
                return
            if self.matches(file, *WIFI_XML):
                parse_wifi_config_store(data, facts)
            elif self.matches(file, *PACKAGES_XML):
                parse_packages_xml(data, facts)
            else:
                parse_settings(data, facts, file.path.name)


def _accounts_of(user: str | None, connection: sqlite3.Connection, facts: Facts) -> None:
    """The accounts of one AccountManager database (live rows, or recovered ones)."""
    parse_accounts(connection, facts, user)
