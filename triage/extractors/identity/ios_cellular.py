"""An iPhone's SIMs, numbers and IMEIs, from CommCenter's plists and CellularUsage.db.

- ``/private/var/wireless/Library/Preferences/com.apple.commcenter.plist``: ``PhoneNumber`` /
  ``ReportedPhoneNumber`` (MSISDN, often without ``+``), ``LastKnownICCID``,
  ``lastKnownOSVersion``, and ``PersonalWallet`` with one dictionary per ICCID ever used:
  ``SubscriptionConfiguration`` > ``IMSI``, ``CarrierEntitlements`` > ``lastGoodImsi`` /
  ``kEntitlementsSelfRegistrationUpdateImei``, ``phonebook`` > ``CopiedSIMPhoneNumber``;
- ``com.apple.commcenter.device_specific_nobackup.plist``: ``imeis`` (list of
  ``{first: "1:kOne", second: IMEI}``, dual-SIM phones have two), ``imei``, ``meid``,
  ``kOperatorRoamingInfo_Subscriber_CarrierBundleID`` (carrier bundle);
- ``com.apple.commcenter.data.plist``: ``PersonalWallet`` > ICCID > ``info`` > ``mdn`` (number),
  ``ts`` (Unix seconds), ``type`` (sim/esim);
- ``/private/var/wireless/Library/Databases/CellularUsage.db`` table ``subscriber_info``:
  ``subscriber_id`` (ICCID, despite the name), ``subscriber_mdn`` (number), ``slot_id``,
  ``last_update_time`` (Cocoa seconds).

References: iLEAPP ``celWireless.py``, ``simInfo.py``, ``subscriberInfo.py``; plaso test data
``com.apple.commcenter.data.plist``.
"""

from __future__ import annotations

import sqlite3

from triage.extractors.base import table_columns
from triage.extractors.identity.facts import Facts, details, labelled, number_region, phone_e164
from triage.extractors.identity.ios_plists import dig, load_plist, text
from triage.timestamps import from_cocoa, from_unix_seconds

MAX_ENTRIES = 1000


def _sim_countries(facts: Facts, numbers: list[str], where: str) -> None:
    """The SIMs' country from their own E.164 numbers (the default region for call logs)."""
    regions: dict[str, list[str]] = {}
    for number in numbers:
        region = number_region(phone_e164(number))
        if region and number not in regions.setdefault(region, []):
            regions[region].append(number)
    for region, found in regions.items():
        facts.add("sim", "sim_country", region, detail=f"country of {where} {', '.join(found)}")


def parse_commcenter(data: bytes, facts: Facts) -> None:
    """Add the numbers, ICCIDs, IMSIs and IMEIs of any of CommCenter's plists."""
    plist = load_plist(data, facts)
    number = text(plist.get("PhoneNumber")) or text(plist.get("ReportedPhoneNumber"))
    active = text(plist.get("LastKnownICCID"))
    facts.phone(
        "phone_number",
        number,
        detail=details("CommCenter PhoneNumber", labelled("ICCID", active)),
    )
    facts.add("sim", "iccid", active, detail="last known ICCID (the active SIM)")
    facts.add(
        "os",
        "ios_version",
        plist.get("lastKnownOSVersion"),
        detail="last OS version CommCenter saw",
    )
    imeis = plist.get("imeis")
    if isinstance(imeis, list):
        for entry in imeis[:MAX_ENTRIES]:
            slot = text(dig(entry, "first"))
            facts.add("device", "imei", text(dig(entry, "second")), detail=labelled("slot", slot))
    facts.add("device", "imei", plist.get("imei"))
    facts.add("device", "meid", plist.get("meid"))
    bundle = text(plist.get("kOperatorRoamingInfo_Subscriber_CarrierBundleID"))
    if bundle:
        facts.add(
            "sim",
            "carrier",
            bundle.removeprefix("com.apple."),
            detail=details(
                f"carrier bundle {bundle}",
                labelled("MCC", text(plist.get("kOperatorRoamingInfo_Subscriber_Mcc"))),
                labelled("MNC", text(plist.get("kOperatorRoamingInfo_Subscriber_Mnc"))),
            ),
        )
    numbers = [number] if number else []
    wallet = plist.get("PersonalWallet")
    if isinstance(wallet, dict):
        for iccid, entry in list(wallet.items())[:MAX_ENTRIES]:
            numbers += _wallet_entry(str(iccid), entry, facts)
    _sim_countries(facts, numbers, "the numbers")


def _wallet_entry(iccid: str, entry: object, facts: Facts) -> list[str]:
    """Add one PersonalWallet SIM's facts; returns its phone numbers."""
    where = f"PersonalWallet ICCID {iccid}"
    facts.add("sim", "iccid", iccid, detail="SIM seen by CommCenter (PersonalWallet)")
    imsi = text(dig(entry, "SubscriptionConfiguration", "IMSI")) or text(
        dig(entry, "CarrierEntitlements", "lastGoodImsi")
    )
    facts.add("sim", "imsi", imsi, detail=where)
    facts.add(
        "device",
        "imei",
        text(dig(entry, "CarrierEntitlements", "kEntitlementsSelfRegistrationUpdateImei")),
        detail=f"registered with the carrier for ICCID {iccid}",
    )
    numbers = []
    for number, label in (
        (text(dig(entry, "phonebook", "CopiedSIMPhoneNumber")), "number copied from the SIM"),
        (text(dig(entry, "info", "mdn")), "mdn"),
    ):
        if not number:
            continue
        numbers.append(number)
        seen_raw = dig(entry, "info", "ts")
        seen = from_unix_seconds(seen_raw) if label == "mdn" else None
        facts.phone(
            "phone_number",
            number,
            detail=details(label, where, labelled("type", text(dig(entry, "info", "type")))),
            time=seen,
            time_raw=seen_raw if seen else None,
            time_note="PersonalWallet info ts (Unix seconds)" if seen else None,
        )
    return numbers


def parse_cellular_usage(connection: sqlite3.Connection, facts: Facts) -> None:
    """Add each SIM of ``subscriber_info``: ICCID, number, slot, last update."""
    columns = table_columns(connection, "subscriber_info")
    if not {"subscriber_id", "subscriber_mdn"} <= columns:
        facts.problem("no subscriber_info table with subscriber_id and subscriber_mdn")
        return
    slot = "slot_id" if "slot_id" in columns else "NULL"
    updated = "last_update_time" if "last_update_time" in columns else "NULL"
    rows = connection.execute(
        f"SELECT subscriber_id, subscriber_mdn, {slot}, {updated} FROM subscriber_info "
        f"LIMIT {MAX_ENTRIES}"
    )
    numbers = []
    for iccid, stored, slot_id, last_update in rows:
        when = from_cocoa(last_update)
        number = text(stored)
        facts.add(
            "sim", "iccid", iccid, detail=details("CellularUsage.db", labelled("slot", slot_id))
        )
        facts.phone(
            "phone_number",
            number,
            detail=details(labelled("slot", slot_id), labelled("ICCID", iccid)),
            time=when,
            time_raw=last_update if when else None,
            time_note="subscriber_info last_update_time (Cocoa seconds)" if when else None,
        )
        if number:
            numbers.append(number)
    _sim_countries(facts, numbers, "the subscriber numbers")
