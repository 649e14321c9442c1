"""SIM cards an Android phone has seen, from the telephony provider's ``siminfo`` table.

``/data/user_de/0/com.android.providers.telephony/databases/telephony.db`` table ``siminfo``,
one row per subscription (SIM or eSIM profile) ever inserted: ``icc_id`` (ICCID), ``sim_id``
(slot index, -1 when not inserted now), ``number`` (MSISDN when the SIM or carrier provides it,
often empty), ``display_name``, ``carrier_name``, ``mcc``/``mnc``, ``iso_country_code``
(lower-case ISO 3166, Android 10+) and ``imsi`` (Android 12+); older releases lack the last
two (ALEAPP falls back to ``card_id``). References: AOSP ``TelephonyProvider``
``getStringForSimInfoTableCreation`` and ``Telephony.SimInfo`` column names; ALEAPP
``scripts/artifacts/siminfo.py``.
"""

from __future__ import annotations

import sqlite3

from triage.extractors.base import table_columns
from triage.extractors.identity.facts import Facts, details, labelled

MAX_ROWS = 1000
COLUMNS = (
    "_id",
    "icc_id",
    "sim_id",
    "display_name",
    "carrier_name",
    "number",
    "mcc",
    "mnc",
    "mcc_string",
    "mnc_string",
    "iso_country_code",
    "imsi",
    "card_id",
    "is_embedded",
)


def parse_siminfo(connection: sqlite3.Connection, facts: Facts) -> None:
    """Add the ICCID, IMSI, number, carrier and country of every subscription."""
    present = table_columns(connection, "siminfo")
    if not present:
        facts.problem("telephony.db has no siminfo table")
        return
    wanted = [column for column in COLUMNS if column in present]
    rows = connection.execute(
        f"SELECT {', '.join(wanted)} FROM siminfo ORDER BY _id LIMIT {MAX_ROWS}"
    )
    for row in rows:
        _subscription(dict(zip(wanted, row, strict=True)), facts)


def _subscription(row: dict[str, object], facts: Facts) -> None:
    slot = row.get("sim_id")
    slot_text = (
        f"slot {slot}" if isinstance(slot, int) and slot >= 0 else "not inserted at extraction"
    )
    iccid = row.get("icc_id") or None
    country = str(row.get("iso_country_code") or "").strip().upper() or None
    mcc = row.get("mcc_string") or row.get("mcc") or None
    mnc = row.get("mnc_string") or row.get("mnc") or None
    subscription = labelled("subscription", row.get("_id"))  # None: a carved deleted row
    where = details(
        subscription,
        slot_text,
        labelled("ICCID", iccid),
        "eSIM" if row.get("is_embedded") else None,
    )
    facts.add("sim", "iccid", iccid, detail=details(subscription, slot_text))
    facts.add("sim", "imsi", row.get("imsi"), detail=where)
    facts.phone("phone_number", row.get("number"), country, detail=where)
    carrier = row.get("carrier_name") or row.get("display_name")
    facts.add(
        "sim",
        "carrier",
        carrier,
        detail=details(
            labelled("display name", row.get("display_name"))
            if row.get("display_name") != carrier
            else None,
            f"MCC/MNC {mcc}/{mnc}" if mcc and mnc and mcc != 0 else None,
            where,
        ),
    )
    if country and len(country) == 2 and country.isalpha():
        raw = row.get("iso_country_code")
        facts.add("sim", "sim_country", country, detail=where, value_raw=raw)
