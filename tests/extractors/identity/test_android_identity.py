"""android.identity on the phone-03 fixture and on variants built from it: old schemas, binary
XML, truncated and hostile files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest

from .abx_writer import to_abx
from .expected import fact

FINGERPRINT = "samsung/a52qnsxx/a52q:12/SP1A.210812.016/A525FXXU4CVJB:user/release-keys"
TELEPHONY = "/data/user_de/0/com.android.providers.telephony/databases/telephony.db"
SIM = "subscription 1; slot 0; ICCID 8991000000000000001"
INSTALL_NOTE = "first install time ('it', Unix ms in hex)"


def test_phone_03_identity(identity_data: Path, identity_scan) -> None:
    """Every fact of the story phone, exactly, from the file that holds it; no problems."""
    out = identity_scan(identity_data / "phone", "android.identity")
    assert out.problems() == []
    assert out.facts(path="/system/build.prop") == [
        fact("os", "android_version", "12", detail="SDK 31; SP1A.210812.016.A525FXXU4CVJB"),
        fact("os", "security_patch", "2022-11-01"),
    ]
    assert out.facts(path="/vendor/build.prop") == [
        fact("device", "manufacturer", "samsung"),
        fact("device", "brand", "samsung"),
        fact("device", "model", "SM-A525F"),
        fact("device", "product_device", "a52q"),
        fact(
            "os",
            "build_fingerprint",
            FINGERPRINT,
            time="2022-10-19T06:40:00Z",
            time_raw="1666161600",
            time_note="build date (ro.vendor.build.date.utc, Unix seconds)",
        ),
    ]
    assert out.facts(path=TELEPHONY) == [
        fact("sim", "iccid", "8991000000000000001", detail="subscription 1; slot 0"),
        fact("sim", "imsi", "405840000000001", detail=SIM),
        fact("sim", "phone_number", "+919876543210", detail=SIM),
        fact("sim", "carrier", "Jio", detail=f"MCC/MNC 405/840; {SIM}"),
        fact("sim", "sim_country", "IN", detail=SIM, value_raw="in"),
    ]
    assert out.facts("account") == [
        fact(
            "account",
            "account",
            "agent1.support@gmail.example",
            detail="type com.google; Android user 0",
        ),
        fact(
            "account",
            "account",
            "agent1.support@gmail.example",
            time="2024-02-15T12:26:40Z",
            time_raw="1708000000000",
            time_note="password last entered (Unix ms)",
            detail="type com.google; Android user 0",
        ),
    ]
    assert out.facts(path="/data/misc/wifi/WifiConfigStore.xml") == [
        fact(
            "wifi",
            "wifi_network",
            "CC-Office",
            detail="security WPA_PSK; ever connected yes; added by android.uid.system:1000",
        ),
        fact(
            "network",
            "mac_address",
            "02:11:22:33:44:55",
            detail="randomized MAC used on Wi-Fi CC-Office",
        ),
        fact(
            "wifi",
            "wifi_network",
            "JioFi_4G_2A3B",
            detail="security WPA_PSK; ever connected no; added by android.uid.system:1000",
        ),
        fact(
            "network",
            "mac_address",
            "02:6a:7b:8c:9d:0e",
            detail="randomized MAC used on Wi-Fi JioFi_4G_2A3B",
        ),
    ]
    assert out.facts(path="/data/system/packages.xml") == [
        fact(
            "os",
            "build_fingerprint",
            FINGERPRINT,
            detail="build that last wrote packages.xml; SDK 31",
        ),
        fact(
            "app",
            "installed_package",
            "com.android.chrome",
            time="2022-10-19T06:40:00Z",
            time_raw="183eef86600",
            time_note=INSTALL_NOTE,
            detail="preinstalled; version code 626109533; updated 2024-02-20T10:00:00Z; "
            "uid 10145; path /product/app/Chrome",
        ),
        fact(
            "app",
            "installed_package",
            "com.anydesk.anydeskandroid",
            time="2024-02-28T12:00:00Z",
            time_raw="18def95fa00",
            time_note=INSTALL_NOTE,
            detail="user-installed; version code 7100; installer com.android.vending; uid 10301;"
            " path /data/app/~~c3RvcnlAZmljdGlvbg==/com.anydesk.anydeskandroid-ZGVtb0BmaWN0aW9u==",
        ),
    ]
    assert out.facts(path="/data/system/users/0/settings_global.xml") == [
        fact(
            "device",
            "device_name",
            "Galaxy-A52",
            detail="settings_global.xml setting device_name (default Galaxy A52)",
        )
    ]
    # packages.xml was read, so packages.list beside it adds nothing.
    assert not out.facts(path="/data/system/packages.list")


def _copy_phone(identity_data: Path, tmp_path: Path) -> Path:
    root = tmp_path / "phone"
    shutil.copytree(identity_data / "phone", root)
    return root


def test_vendor_wins_over_system_and_system_alone_works(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """The vendor partition names the hardware; without it the system values are used."""
    root = _copy_phone(identity_data, tmp_path)
    vendor = root / "vendor/build.prop"
    vendor.write_text(vendor.read_text().replace("SM-A525F", "SM-A525F/DS"))
    out = identity_scan(root, "android.identity")
    assert out.values("model") == ["SM-A525F/DS"]
    vendor.unlink()
    out = identity_scan(root, "android.identity")
    assert [(r["value"]) for r in out.facts("model")] == ["SM-A525F"]
    assert {r["key"] for r in out.rows if r["source_path"] == "/system/build.prop"} >= {
        "manufacturer",
        "model",
        "android_version",
        "security_patch",
        "build_fingerprint",
    }


@pytest.mark.parametrize(
    "relative",
    [
        "data/system/packages.xml",
        "data/misc/wifi/WifiConfigStore.xml",
        "data/system/users/0/settings_global.xml",
    ],
)
def test_binary_xml_gives_the_facts_of_the_text_xml(
    identity_data: Path, tmp_path: Path, identity_scan, relative: str
) -> None:
    """Android 12+ writes these files as ABX: decoded, they give exactly the text form's facts."""
    text_facts = identity_scan(identity_data / "phone", "android.identity").facts(
        path=f"/{relative}"
    )
    root = _copy_phone(identity_data, tmp_path)
    path = root / relative
    binary = to_abx(path.read_bytes())
    path.write_bytes(binary)
    out = identity_scan(root, "android.identity")
    assert out.problems() == []
    assert len(text_facts) >= 1
    assert out.facts(path=f"/{relative}") == text_facts
    if relative.endswith("packages.xml"):  # the typed attributes (hex longs, ints) were used
        assert b"\x9f" in binary and b"\x6f" in binary
        assert "com.anydesk.anydeskandroid" in out.values("installed_package")


def test_truncated_binary_xml_keeps_what_came_before(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """An ABX packages.xml cut inside the second package keeps the first, and says where."""
    root = _copy_phone(identity_data, tmp_path)
    path = root / "data/system/packages.xml"
    binary = to_abx(path.read_bytes())
    cut = binary.index(b"com.anydesk.anydeskandroid") + 10
    path.write_bytes(binary[:cut])
    out = identity_scan(root, "android.identity")
    assert out.values("installed_package") == ["com.android.chrome"]
    assert out.problems() == [
        (
            "error",
            f"packages.xml (Android Binary XML) is damaged at byte {cut - 10}: ends 16 bytes "
            "early; entries after it are not read",
            "/data/system/packages.xml",
        )
    ]


def test_damaged_binary_xml_is_reported_and_packages_list_stands_in(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """ABX that breaks at once: a problem naming the byte, and packages.list gives the names."""
    root = _copy_phone(identity_data, tmp_path)
    (root / "data/system/packages.xml").write_bytes(b"ABX\x00\x10\x20\x00\x08packages")
    out = identity_scan(root, "android.identity")
    assert out.problems() == [
        (
            "error",
            "packages.xml (Android Binary XML) is damaged at byte 8: text event of value type "
            "0; entries after it are not read",
            "/data/system/packages.xml",
        )
    ]
    assert out.facts("installed_package") == [
        fact(
            "app",
            "installed_package",
            "com.android.chrome",
            detail="packages.list; uid 10145; data /data/user/0/com.android.chrome",
        ),
        fact(
            "app",
            "installed_package",
            "com.anydesk.anydeskandroid",
            detail="packages.list; uid 10301; data /data/user/0/com.anydesk.anydeskandroid",
        ),
    ]


def test_truncated_xml_keeps_what_came_before(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """A packages.xml cut in the second package keeps the first, and says where it broke."""
    root = _copy_phone(identity_data, tmp_path)
    path = root / "data/system/packages.xml"
    text = path.read_text()
    path.write_text(text[: text.index("com.anydesk.anydeskandroid") + 40])
    out = identity_scan(root, "android.identity")
    assert out.values("installed_package") == ["com.android.chrome"]
    (problem,) = [p for p in out.problems() if p[2] == "/data/system/packages.xml"]
    assert problem[0] == "error"
    assert problem[1].startswith("packages.xml is not well-formed XML (")
    assert problem[1].endswith("); entries after it are not read")


def test_entity_declarations_are_refused(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """An XML bomb is not expanded."""
    root = _copy_phone(identity_data, tmp_path)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><settings><setting name="device_name" '
        'value="&b;" /></settings>'
    )
    (root / "data/system/users/0/settings_global.xml").write_text(bomb)
    out = identity_scan(root, "android.identity")
    assert out.values("device_name") == []
    assert (
        "error",
        "settings_global.xml declares XML entities; not parsed (entity expansion)",
        "/data/system/users/0/settings_global.xml",
    ) in out.problems()


def test_old_siminfo_schema_and_hostile_values(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """Android 5's siminfo (no imsi, no country): what it has; hostile text stays text."""
    root = _copy_phone(identity_data, tmp_path)
    db = root / TELEPHONY.lstrip("/")
    db.unlink()
    connection = sqlite3.connect(db)
    connection.executescript(
        "CREATE TABLE siminfo(_id INTEGER PRIMARY KEY AUTOINCREMENT,icc_id TEXT NOT NULL,"
        "sim_id INTEGER DEFAULT -1,display_name TEXT,carrier_name TEXT,name_source INTEGER "
        "DEFAULT 0,color INTEGER DEFAULT 0,number TEXT,display_number_format INTEGER NOT NULL "
        "DEFAULT 1,data_roaming INTEGER DEFAULT 0,mcc INTEGER DEFAULT 0,mnc INTEGER DEFAULT 0);"
        "INSERT INTO siminfo (icc_id, sim_id, display_name, carrier_name, number) VALUES "
        "('89910000000000000099', -1, 'Old SIM', '<script>alert(1)</script>\x07', '9876500099');"
    )
    connection.commit()
    connection.close()
    out = identity_scan(root, "android.identity")
    assert out.problems() == []
    where = "subscription 1; not inserted at extraction; ICCID 89910000000000000099"
    assert out.facts(path=TELEPHONY) == [
        fact(
            "sim",
            "iccid",
            "89910000000000000099",
            detail="subscription 1; not inserted at extraction",
        ),
        fact("sim", "phone_number", "9876500099", detail=where),
        fact(
            "sim",
            "carrier",
            "<script>alert(1)</script>\\x07",
            detail=f"display name Old SIM; {where}",
        ),
    ]


def test_corrupt_database_is_a_problem_and_the_rest_is_read(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """A garbage telephony.db and a truncated accounts_ce.db do not stop the other files."""
    root = _copy_phone(identity_data, tmp_path)
    (root / TELEPHONY.lstrip("/")).write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    accounts = root / "data/system_ce/0/accounts_ce.db"
    accounts.write_bytes(accounts.read_bytes()[:1500])
    out = identity_scan(root, "android.identity")
    paths = {p[2] for p in out.problems()}
    assert paths == {TELEPHONY, "/data/system_ce/0/accounts_ce.db"}
    assert all(p[1].startswith("cannot be read: ") for p in out.problems())
    assert out.values("model") == ["SM-A525F"]
    assert out.values("account") == ["agent1.support@gmail.example"]  # from accounts_de.db


def test_overlong_build_prop_line_is_skipped(
    identity_data: Path, tmp_path: Path, identity_scan
) -> None:
    """A line longer than any property is reported and skipped; the others are read."""
    root = _copy_phone(identity_data, tmp_path)
    prop = root / "system/build.prop"
    prop.write_text("ro.junk=" + "x" * 5000 + "\n" + prop.read_text())
    out = identity_scan(root, "android.identity")
    assert out.problems() == [
        ("warning", "line 1 is 5008 characters long; skipped", "/system/build.prop")
    ]
    assert out.values("android_version") == ["12"]


def test_populate_android_phone_matches_the_committed_fixture(
    build_identity: ModuleType, identity_data: Path, tmp_path: Path
) -> None:
    """The demo builder writes exactly the committed files (deterministic)."""
    build_identity.populate_android_phone(tmp_path / "phone")
    committed = sorted(
        p.relative_to(identity_data / "phone")
        for p in (identity_data / "phone").rglob("*")
        if p.is_file()
    )
    built = sorted(
        p.relative_to(tmp_path / "phone") for p in (tmp_path / "phone").rglob("*") if p.is_file()
    )
    assert built == committed
    for relative in committed:
        assert (tmp_path / "phone" / relative).read_bytes() == (
            identity_data / "phone" / relative
        ).read_bytes(), relative
