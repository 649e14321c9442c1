"""Identity facts from a user's NTUSER.DAT and from Amcache.hve.

NTUSER.DAT: the base block names the hive's own path when it was loaded
(``\\??\\C:\\Users\\nfury\\ntuser.dat``), which gives the profile folder and user name even for a
hive copied out of its folder; its last-written time is about the user's last logoff.
``Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders`` ``Desktop`` confirms the
profile path; ``Control Panel\\International`` gives the user's locale (``LocaleName``,
``sCountry``); ``Software\\Microsoft\\IdentityCRL\\UserExtendedProperties\\<e-mail>`` and
``Software\\Microsoft\\OneDrive\\Accounts\\*`` ``UserEmail`` give the Microsoft accounts signed in.

Amcache.hve (Windows 10): ``Root\\InventoryApplication\\*`` lists installed applications
(``Name``, ``Version``, ``Publisher``, ``Source``, ``InstallDate``).

References: regf base block file name (msuhanov/regf, "Base block", offset 48); regipy plugins
``installed_programs_ntuser`` and ``amcache``; plaso ``amcache`` plugin.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from triage.extractors.base import profile_user
from triage.extractors.identity.facts import Facts
from triage.extractors.identity.registry import Hive, RegKey

_HEADER_PATH = re.compile(r"^(?:\\\?\?\\)?(?P<profile>.+)\\ntuser\.dat$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]{1,128}@[^@\s]{1,255}$")


def profile_from_header(file_name: str) -> str | None:
    """``C:\\Users\\nfury`` from a base block name ``\\??\\C:\\Users\\nfury\\ntuser.dat``."""
    match = _HEADER_PATH.match(file_name.strip())
    return match.group("profile") if match else None


def parse_ntuser(hive: Hive, facts: Facts, path: PurePosixPath) -> None:
    """Add the user profile, locale and signed-in accounts of one NTUSER.DAT."""
    profile = profile_from_header(hive.file_name)
    shell = hive.key("\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders")
    desktop = shell.text("Desktop") if shell else None
    if profile is None and desktop:
        profile = re.sub(r"\\Desktop$", "", desktop, flags=re.IGNORECASE)
    name = re.split(r"[\\/]", profile)[-1] if profile else profile_user(path)
    sources = []
    if profile_from_header(hive.file_name):
        sources.append(f"hive header name {hive.file_name}")
    if desktop:
        sources.append(f"Desktop folder {desktop}")
    facts.add(
        "user",
        "user_profile",
        name,
        time=hive.last_written,
        time_raw=hive.filetime,
        time_note="NTUSER.DAT last written (base block FILETIME): about the last logoff",
        detail="; ".join([f"profile {profile}" if profile else "profile folder unknown", *sources]),
    )
    international = hive.key("\\Control Panel\\International")
    if international is not None:
        country = international.text("sCountry")
        facts.add(
            "user",
            "locale",
            international.text("LocaleName") or international.text("Locale"),
            detail=f"user {name}; country {country}" if country else f"user {name}",
        )
    _accounts(hive, facts, name)


def _accounts(hive: Hive, facts: Facts, user: str | None) -> None:
    crl = hive.key("\\Software\\Microsoft\\IdentityCRL\\UserExtendedProperties")
    for key in crl.subkeys() if crl else []:
        if _EMAIL.match(key.name):
            facts.add(
                "account",
                "account",
                key.name,
                time=key.last_written,
                time_raw=key.filetime,
                time_note="registry key last written (FILETIME)",
                detail=f"Microsoft account of Windows user {user} (IdentityCRL)",
            )
    onedrive = hive.key("\\Software\\Microsoft\\OneDrive\\Accounts")
    for key in onedrive.subkeys() if onedrive else []:
        email = key.text("UserEmail")
        if email:
            facts.add(
                "account",
                "account",
                email,
                detail=f"OneDrive account ({key.name}) of Windows user {user}",
            )


def parse_amcache(hive: Hive, facts: Facts) -> None:
    """Add one ``installed_program`` fact per Amcache InventoryApplication entry."""
    inventory = hive.key("\\Root\\InventoryApplication")
    for key in inventory.subkeys() if inventory else []:
        _application(key, facts)


def _application(key: RegKey, facts: Facts) -> None:
    detail = "; ".join(
        f"{label} {value}"
        for label, value in (
            ("version", key.text("Version")),
            ("publisher", key.text("Publisher")),
            ("source", key.text("Source")),
            ("installed", key.text("InstallDate")),
            ("path", key.text("RootDirPath")),
        )
        if value
    )
    facts.add(
        "app",
        "installed_program",
        key.text("Name"),
        time=key.last_written,
        time_raw=key.filetime,
        time_note="Amcache entry last written (FILETIME)",
        detail=f"Amcache; {detail}" if detail else "Amcache",
    )
