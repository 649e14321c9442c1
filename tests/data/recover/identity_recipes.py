"""Identity recipes of the recovery fixtures: Android accounts (``accounts_de.db``), SIM cards
(``telephony.db`` table ``siminfo``) and iOS accounts (``Accounts3.sqlite`` ``ZACCOUNT``), with
the schemas of tests/data/identity/build_identity.py.

One deleted account is planted with a time the coarse check accepts (2005, inside 2000..now)
but years before everything else on the device (the live accounts of 2024, the file times of
the build): the device-era check must reject it (``ERA_OUTLIER``).
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta

common = sys.modules["build_recover_common"]  # loaded first by build_recover.py
Recipe, BASE = common.Recipe, common.BASE
identity = common._load(
    "build_identity", common.DATA / "identity" / "build_identity.py"
)  # its schemas

ACCOUNT_TYPES = ("com.google", "com.microsoft.workaccount", "org.telegram.messenger")
ERA_OUTLIER = 9  # a deleted account whose time is in 2005: not in the device's era
OUTLIER_TIME = datetime(2005, 6, 1, 8, 30, tzinfo=UTC)
ACCOUNTS_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT);"
    "CREATE TABLE accounts ( _id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT "
    "NULL, previous_name TEXT, last_password_entry_time_millis_epoch INTEGER DEFAULT 0, "
    "UNIQUE(name,type));"
    "CREATE TABLE meta ( key TEXT PRIMARY KEY NOT NULL, value TEXT);"
)


def account_name(index: int) -> str:
    """The name of account ``index`` (an e-mail address under example)."""
    return f"user{index:02d}.deleted@mail{index}.example"


def account_type(index: int) -> str:
    """Whose account ``index`` is."""
    return ACCOUNT_TYPES[index % len(ACCOUNT_TYPES)]


def account_time(index: int) -> datetime:
    """When account ``index``'s password was last entered (one a day from 2024-03-01 09:00)."""
    return OUTLIER_TIME if index == ERA_OUTLIER else BASE + timedelta(days=index, minutes=index)


def _accounts_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(ACCOUNTS_SCHEMA)


def _accounts_rows(index: int) -> list[tuple[str, dict]]:
    millis = int(account_time(index).timestamp()) * 1000
    row = {
        "_id": index,
        "name": account_name(index),
        "type": account_type(index),
        "last_password_entry_time_millis_epoch": millis,
    }
    return [("accounts", row)]


def _accounts_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM accounts WHERE _id IN ({marks})", tuple(doomed))]


def _accounts_filler(index: int) -> tuple[str, dict]:
    return ("meta", {"key": f"filler-{index}", "value": f"filler value {index} " * 3})


def iccid(index: int) -> str:
    """The ICCID of SIM ``index`` (19 digits, issuer 89 01 410)."""
    return f"890141032{index:010d}"


def imsi(index: int) -> str:
    """The IMSI of SIM ``index`` (MCC 310, MNC 410)."""
    return f"310410{index:09d}"


def sim_number(index: int) -> str:
    """The MSISDN of SIM ``index`` (US 555-02xx, fictional)."""
    return f"+1 202-555-{200 + index % 100:04d}"


def _sim_schema(connection: sqlite3.Connection) -> None:
    connection.execute("CREATE TABLE android_metadata (locale TEXT)")
    connection.execute(f"CREATE TABLE siminfo ({identity.SIMINFO_COLUMNS})")


def _sim_rows(index: int) -> list[tuple[str, dict]]:
    row = {
        "_id": index,
        "icc_id": iccid(index),
        "sim_id": -1,
        "display_name": f"Carrier {index}",
        "carrier_name": f"Carrier {index}",
        "number": sim_number(index),
        "mcc": 310,
        "mnc": 410,
        "mcc_string": "310",
        "mnc_string": "410",
        "card_id": iccid(index),
        "iso_country_code": "us",
        "imsi": imsi(index),
    }
    return [("siminfo", row)]


def _sim_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM siminfo WHERE _id IN ({marks})", tuple(doomed))]


def _sim_filler(index: int) -> tuple[str, dict]:
    return ("android_metadata", {"locale": f"filler-locale-{index}-" * 4})


IOS_TYPES = {  # ZACCOUNTTYPE: Z_PK -> (description, identifier)
    1: ("iCloud", "com.apple.account.AppleAccount"),
    2: ("Gmail", "com.apple.account.Google"),
}
COCOA_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)


def ios_username(index: int) -> str:
    """The user name of iOS account ``index``."""
    return f"ios.user{index:02d}@icloud.example"


def ios_type(index: int) -> int:
    """The ZACCOUNTTYPE of iOS account ``index``."""
    return 1 + index % 2


def ios_added(index: int) -> datetime:
    """When iOS account ``index`` was added (ZDATE), one every 5 hours from 2024-03-01 09:00."""
    return BASE + timedelta(hours=5 * index)


def _ios_accounts_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(identity.ACCOUNT_SCHEMA)
    for key, (description, identifier) in IOS_TYPES.items():
        connection.execute(
            "INSERT INTO ZACCOUNTTYPE (Z_PK, Z_ENT, Z_OPT, ZACCOUNTTYPEDESCRIPTION, ZIDENTIFIER) "
            "VALUES (?, 2, 1, ?, ?)",
            (key, description, identifier),
        )


def _ios_accounts_rows(index: int) -> list[tuple[str, dict]]:
    row = {
        "Z_PK": index,
        "Z_ENT": 1,
        "Z_OPT": 1,
        "ZACTIVE": 1,
        "ZACCOUNTTYPE": ios_type(index),
        "ZDATE": (ios_added(index) - COCOA_EPOCH).total_seconds(),
        "ZACCOUNTDESCRIPTION": f"Account {index}",
        "ZIDENTIFIER": f"00000000-0000-4000-8000-{index:012d}",
        "ZOWNINGBUNDLEID": "com.apple.Preferences",
        "ZUSERNAME": ios_username(index),
    }
    return [("ZACCOUNT", row)]


def _ios_accounts_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM ZACCOUNT WHERE Z_PK IN ({marks})", tuple(doomed))]


def _ios_accounts_filler(index: int) -> tuple[str, dict]:
    return ("Z_PRIMARYKEY", {"Z_NAME": f"FillerEntity{index}" * 3, "Z_SUPER": 0, "Z_MAX": index})


IDENTITY_RECIPES = {
    "accounts": Recipe(
        "accounts",
        "data/system_de/0/accounts_de.db",
        _accounts_schema,
        _accounts_rows,
        _accounts_delete,
        _accounts_filler,
        doomed=(3, 6, 8, ERA_OUTLIER),
    ),
    "siminfo": Recipe(
        "siminfo",
        "data/user_de/0/com.android.providers.telephony/databases/telephony.db",
        _sim_schema,
        _sim_rows,
        _sim_delete,
        _sim_filler,
    ),
}
IDENTITY_RECIPES["ios_accounts"] = Recipe(
    "ios_accounts",
    "private/var/mobile/Library/Accounts/Accounts3.sqlite",
    _ios_accounts_schema,
    _ios_accounts_rows,
    _ios_accounts_delete,
    _ios_accounts_filler,
)


def ios_updated(index: int) -> datetime:
    """When iOS SIM ``index``'s row was last updated (last_update_time, Cocoa seconds)."""
    return BASE + timedelta(days=2 * index, hours=3)


def _ios_sims_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(identity.SUBSCRIBER_SCHEMA)


def _ios_sims_rows(index: int) -> list[tuple[str, dict]]:
    row = {
        "ROWID": index,
        "subscriber_id": iccid(index),
        "subscriber_mdn": sim_number(index).replace(" ", "").replace("-", "")[1:],
        "tag": 0,
        "last_update_time": int((ios_updated(index) - COCOA_EPOCH).total_seconds()),
        "slot_id": index % 2,
    }
    return [("subscriber_info", row)]


def _ios_sims_delete(doomed: list[int]) -> list[tuple[str, tuple]]:
    marks = ", ".join("?" for _ in doomed)
    return [(f"DELETE FROM subscriber_info WHERE ROWID IN ({marks})", tuple(doomed))]


def _ios_sims_filler(index: int) -> tuple[str, dict]:
    return ("sqlite_sequence", {"name": f"filler-{index}-" * 4, "seq": index})


IDENTITY_RECIPES["ios_sims"] = Recipe(
    "ios_sims",
    "private/var/wireless/Library/Databases/CellularUsage.db",
    _ios_sims_schema,
    _ios_sims_rows,
    _ios_sims_delete,
    _ios_sims_filler,
)
