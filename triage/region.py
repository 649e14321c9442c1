"""The default region for a device's phone numbers, from the device itself when not given.

A call log stores ``0013055550119`` (India's international prefix 00) or ``9876543210``
(national): reading them needs the region the phone or softphone dialled from. Without
``--country`` (or a manifest's ``country``) the device says it, most telling first:

1. the SIM's or network's country (``sim_country``, ``network_country`` identity facts);
2. the phone's locale (``en-IN`` -> IN; ``locale`` facts);
3. the device's time zone: a Windows zone name (``India Standard Time`` -> IN) from a table of
   zones that belong to one country (or to one calling code: the US and Canada share +1), an
   IANA zone (``Asia/Kolkata``) from the system's ``zone.tab``.

Zones that several countries share with different calling codes (``W. Europe Standard Time``:
Germany, Italy, Sweden...) give no region: a number that then cannot be read is flagged, never
guessed. :func:`default_region` returns the region and the words saying where it came from, kept
in the store (``meta``) and shown beside the case's contacts.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import phonenumbers

from triage.store import DeviceStore

# Windows time zone key names (SYSTEM\...\TimeZoneInformation TimeZoneKeyName) whose countries
# share one calling code; the region is the one the zone is named after (CLDR windowsZones).
WINDOWS_ZONES = {
    "India Standard Time": "IN",
    "Sri Lanka Standard Time": "LK",
    "Nepal Standard Time": "NP",
    "Bangladesh Standard Time": "BD",
    "Pakistan Standard Time": "PK",
    "Afghanistan Standard Time": "AF",
    "Iran Standard Time": "IR",
    "Myanmar Standard Time": "MM",
    "China Standard Time": "CN",
    "Taipei Standard Time": "TW",
    "Tokyo Standard Time": "JP",
    "Korea Standard Time": "KR",
    "North Korea Standard Time": "KP",
    "AUS Eastern Standard Time": "AU",
    "Cen. Australia Standard Time": "AU",
    "AUS Central Standard Time": "AU",
    "E. Australia Standard Time": "AU",
    "W. Australia Standard Time": "AU",
    "Tasmania Standard Time": "AU",
    "New Zealand Standard Time": "NZ",
    "Israel Standard Time": "IL",
    "Turkey Standard Time": "TR",
    "Egypt Standard Time": "EG",
    "South Africa Standard Time": "ZA",
    "Arabian Standard Time": "AE",
    "Arab Standard Time": "SA",
    "Russian Standard Time": "RU",
    "GMT Standard Time": "GB",
    "Eastern Standard Time": "US",
    "Central Standard Time": "US",
    "Mountain Standard Time": "US",
    "Pacific Standard Time": "US",
    "US Eastern Standard Time": "US",
    "US Mountain Standard Time": "US",
    "Alaskan Standard Time": "US",
    "Hawaiian Standard Time": "US",
    "Canada Central Standard Time": "CA",
    "Newfoundland Standard Time": "CA",
    "Central Standard Time (Mexico)": "MX",
    "E. South America Standard Time": "BR",
    "Argentina Standard Time": "AR",
    "Pacific SA Standard Time": "CL",
}
ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")
_LOCALE = re.compile(r"^[a-z]{2,3}[-_]([A-Z]{2})\b")


@functools.cache
def _iana_countries() -> dict[str, str]:
    """IANA zone -> ISO country from the system's zone.tab (empty where there is none)."""
    try:
        lines = ZONE_TAB.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    table = {}
    for line in lines:
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            table[fields[2]] = fields[0]
    table.setdefault("Asia/Calcutta", "IN")  # the old name Android and Java still write
    return table


def zone_region(zone: str) -> str | None:
    """The region of a time zone name, Windows (``India Standard Time``) or IANA."""
    zone = zone.strip()
    if zone in WINDOWS_ZONES:
        return WINDOWS_ZONES[zone]
    return _iana_countries().get(zone)


def locale_region(locale: str) -> str | None:
    """The region of a locale: ``en-IN``, ``en_IN.UTF-8`` -> IN."""
    match = _LOCALE.match(locale.strip())
    return match.group(1) if match else None


def _supported(region: str | None) -> str | None:
    region = (region or "").strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def default_region(given: str | None, store: DeviceStore) -> tuple[str | None, str]:
    """``(region, where it came from)`` for the numbers of the device in ``store``."""
    if given:
        region = _supported(given)
        return (region, "given (--country or the case manifest)") if region else (None, "")
    if "identity" not in store.record_tables():
        return None, ""
    columns = {row[1] for row in store.execute('PRAGMA table_info("identity")')}
    live = " AND NOT coalesce(recovered, 0)" if "recovered" in columns else ""  # a deleted SIM
    rows = store.execute(
        "SELECT key, value FROM identity WHERE value IS NOT NULL AND key IN "
        f"('sim_country', 'network_country', 'country', 'locale', 'timezone'){live} ORDER BY rowid"
    ).fetchall()
    facts: dict[str, list[str]] = {}
    for key, value in rows:
        facts.setdefault(key, []).append(str(value))
    for key, words in (
        ("sim_country", "SIM country"),
        ("network_country", "network country"),
        ("country", "device country"),
    ):
        for value in facts.get(key, []):
            if region := _supported(value):
                return region, f"{words} {value}"
    for value in facts.get("locale", []):
        if region := _supported(locale_region(value)):
            return region, f"locale {value}"
    for value in facts.get("timezone", []):
        if region := _supported(zone_region(value)):
            return region, f"time zone {value}"
    return None, ""
