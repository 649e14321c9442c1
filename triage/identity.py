"""The device's identity in a few lines, composed from the store's ``identity`` facts.

Identity extractors write many facts, several times over (an iPhone's IMEI is in Info.plist,
Manifest.plist and CommCenter's plists; a Windows user is in the SAM and in ProfileList). The
report opens with one summary: what kind of device, its name, model, OS, serial numbers and
IMEIs, phone numbers and SIMs, owner and users, time zone, accounts and network identity.
:func:`device_identity` builds it from the store alone (never the evidence), merging repeats and
keeping, per field, the source files it came from so every line can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from triage.store import DeviceStore

PLATFORMS = {
    "windows.identity": ("windows", "Windows computer"),
    "android.identity": ("android", "Android phone"),
    "ios.identity": ("ios", "iPhone"),
    "macos.identity": ("macos", "Mac"),
    "linux.identity": ("linux", "Linux computer"),
}
_SID = re.compile(r"^(S-1-[0-9-]+)")
_UTC_OFFSET = re.compile(r"UTC[+-]\d\d:\d\d")
MAX_LISTED = 25  # longest list kept per field (users, networks); counts give the rest


def _all_rows(store: DeviceStore) -> list[dict[str, Any]]:
    if "identity" not in store.record_tables():
        return []
    return [dict(row) for row in store.execute("SELECT * FROM identity ORDER BY rowid").fetchall()]


def _recovered(row: dict[str, Any]) -> bool:
    """A fact from a deleted row (triage.recover): who used the device before, not now."""
    return bool(row.get("recovered"))


class _Facts:
    """The identity rows grouped by key, in store order."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.by_key: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            self.by_key.setdefault(row["key"], []).append(row)

    def first(self, *keys: str) -> dict[str, Any] | None:
        for key in keys:
            if self.by_key.get(key):
                return self.by_key[key][0]
        return None

    def value(self, *keys: str) -> str | None:
        row = self.first(*keys)
        return row["value"] if row else None

    def values(self, *keys: str) -> list[str]:
        """Distinct values of the keys, first-seen order (case-insensitive for text)."""
        seen: dict[str, str] = {}
        for key in keys:
            for row in self.by_key.get(key, []):
                value = row["value"]
                if value is not None:
                    seen.setdefault(str(value).casefold(), value)
        return list(seen.values())

    def sources(self, *keys: str) -> list[str]:
        seen: dict[str, None] = {}
        for key in keys:
            for row in self.by_key.get(key, []):
                seen.setdefault(row["source_path"], None)
        return list(seen)


def _platform(rows: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["extractor"]] = counts.get(row["extractor"], 0) + 1
    known = [(count, name) for name, count in counts.items() if name in PLATFORMS]
    if not known:
        return None, None
    _, extractor = max(known)
    return PLATFORMS[extractor]


def _join(*parts: str | None) -> str | None:
    text = " ".join(part for part in parts if part)
    return text or None


def _model(facts: _Facts, platform: str | None) -> str | None:
    if platform == "ios":
        product_type = facts.first("product_type")
        if product_type:
            name = product_type.get("detail")
            named = name and name != "Lockdown" and not name.startswith("Lockdown")
            return _join(product_type["value"], f"({name})" if named else None)
    manufacturer = facts.value("manufacturer")
    model = facts.value("model")
    if manufacturer and model and model.lower().startswith(manufacturer.lower()):
        return model
    return _join(manufacturer, model)


def _os(facts: _Facts, platform: str | None) -> str | None:
    if platform == "android":
        version = facts.value("android_version")
        patch = facts.value("security_patch")
        return _join(
            f"Android {version}" if version else None,
            f"(security patch {patch})" if patch else None,
        )
    if platform == "ios":
        version = facts.value("ios_version")
        builds = (
            re.search(r"build (\w+)", row.get("detail") or "")
            for row in facts.by_key.get("ios_version", [])
        )
        build = next((match.group(1) for match in builds if match), None)
        return _join(f"iOS {version}" if version else None, f"({build})" if build else None)
    product = facts.value("os_product")
    version = facts.value("os_version", "ios_version")
    build = facts.value("os_build")
    release = None
    version_row = facts.first("os_version")
    if version_row and version_row.get("detail"):
        match = re.search(r"release (\w+)", version_row["detail"])
        release = match.group(1) if match else None
    if platform == "windows":
        return _join(
            product,
            release,
            f"(version {version}, build {build})" if version and build else None,
        )
    return _join(product, version, f"(build {build})" if build else None)


def _users(facts: _Facts) -> list[dict[str, Any]]:
    users: dict[str, dict[str, Any]] = {}
    for row in facts.by_key.get("user_account", []) + facts.by_key.get("user_profile", []):
        name = row["value"]
        entry = users.setdefault(
            name.casefold(),
            {"name": name, "sid": None, "last_login": None, "disabled": False, "sources": []},
        )
        detail = row.get("detail") or ""
        sid = _SID.match(detail)
        if sid and not entry["sid"]:
            entry["sid"] = sid.group(1)
        if "disabled" in detail.split("; "):
            entry["disabled"] = True
        logon = row.get("time") if row["key"] == "user_account" else None
        if logon and (entry["last_login"] is None or logon > entry["last_login"]):
            entry["last_login"] = logon
        if row["source_path"] not in entry["sources"]:
            entry["sources"].append(row["source_path"])
    # People first (enabled accounts, most recent logon), built-in disabled accounts last.
    ordered = sorted(
        users.values(),
        key=lambda user: (user["disabled"], user["last_login"] is None, user["name"].casefold()),
    )
    return ordered[:MAX_LISTED]


def _time_zone(facts: _Facts) -> str | None:
    row = facts.first("timezone")
    if row is None:
        return None
    offset = _UTC_OFFSET.search(row.get("detail") or "")
    return _join(row["value"], f"({offset.group()})" if offset else None)


def _limited(values: Iterable[str]) -> list[str]:
    return list(values)[:MAX_LISTED]


def device_identity(store: DeviceStore) -> dict[str, Any]:
    """The identity summary of the device in ``store`` (all fields None/empty without facts).

    Keys: ``kind``, ``platform``, ``name``, ``model``, ``os``, ``serial_numbers``, ``imeis``,
    ``phone_numbers``, ``iccids``, ``imsis``, ``carriers``, ``sim_country``, ``owner``,
    ``users`` (name, SID, last login, disabled, sources), ``time_zone``, ``install_date``,
    ``last_backup``, ``accounts``, ``hostnames``, ``ip_addresses``, ``mac_addresses``,
    ``wifi_networks``, ``installed_apps`` (count), ``facts`` (count of live facts),
    ``replayed_hives`` (dirty registry hives whose transaction logs were replayed),
    ``recovered`` (facts from deleted rows: accounts and SIMs the device had, never part of
    the fields above) and ``sources`` (field -> the files it came from).
    """
    every = _all_rows(store)
    rows = [row for row in every if not _recovered(row)]
    facts = _Facts(rows)
    platform, kind = _platform(rows)
    product_type = facts.value("product_type") or ""
    if platform == "ios" and product_type.startswith("iPad"):
        kind = "iPad"
    name_keys = ("computer_name", "device_name", "hostname")
    summary: dict[str, Any] = {
        "kind": kind,
        "platform": platform,
        "name": facts.value(*name_keys),
        "model": _model(facts, platform),
        "os": _os(facts, platform),
        "serial_numbers": _limited(facts.values("serial_number")),
        "imeis": _limited(facts.values("imei")),
        "phone_numbers": _limited(facts.values("phone_number")),
        "iccids": _limited(facts.values("iccid")),
        "imsis": _limited(facts.values("imsi")),
        "carriers": _limited(facts.values("carrier")),
        "sim_country": facts.value("sim_country"),
        "owner": facts.value("registered_owner"),
        "users": _users(facts),
        "time_zone": _time_zone(facts),
        "install_date": facts.value("install_date"),
        "last_backup": facts.value("last_backup_date"),
        "accounts": _limited(facts.values("account")),
        "hostnames": _limited(facts.values("hostname", "device_name")),
        "ip_addresses": _limited(facts.values("ip_address")),
        "mac_addresses": _limited(facts.values("mac_address", "wifi_mac")),
        "wifi_networks": _limited(facts.values("wifi_network")),
        "installed_apps": len(
            facts.values("installed_program", "installed_package", "installed_app")
        ),
        "facts": len(rows),
        "replayed_hives": _limited(facts.values("hive_replayed")),
        "recovered": [_recovered_fact(row) for row in every if _recovered(row)][:MAX_LISTED],
    }
    field_keys = {
        "name": name_keys,
        "model": ("manufacturer", "model", "product_type"),
        "os": ("os_product", "os_version", "os_build", "android_version", "ios_version"),
        "serial_numbers": ("serial_number",),
        "imeis": ("imei",),
        "phone_numbers": ("phone_number",),
        "iccids": ("iccid",),
        "owner": ("registered_owner",),
        "users": ("user_account", "user_profile"),
        "time_zone": ("timezone",),
        "accounts": ("account",),
    }
    summary["sources"] = {
        field: facts.sources(*keys) for field, keys in field_keys.items() if facts.sources(*keys)
    }
    return summary


def _recovered_fact(row: dict[str, Any]) -> dict[str, Any]:
    """A recovered fact as the report lists it: what, where it was read, how sure."""
    names = ("category", "key", "value", "time", "detail", "confidence", "recovery", "source_path")
    return {name: row.get(name) for name in names}
