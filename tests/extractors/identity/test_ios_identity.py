"""ios.identity on the fictional iPhone (file system and backup), on real iOS plists from iLEAPP
and plaso test data, and on broken plists."""

from __future__ import annotations

import plistlib
import shutil
from pathlib import Path

import pytest

from .expected import fact

IOS = "mobile/ios"
COMMCENTER = "/private/var/wireless/Library/Preferences/com.apple.commcenter.plist"
NOBACKUP = (
    "/private/var/wireless/Library/Preferences/com.apple.commcenter.device_specific_nobackup.plist"
)
JOINED_NOTE = "last joined (latest of JoinedBySystemAt, JoinedByUserAt, BSSList LastAssociatedAt)"


def test_backup_info_and_manifest(identity_data: Path, identity_scan) -> None:
    """The backup's own plists give the whole device at backup time."""
    out = identity_scan(identity_data / "iphone_backup", "ios.identity")
    assert out.problems() == []
    assert out.facts(path="/iTunes Backup/Info.plist") == [
        fact("device", "device_name", "Supervisor iPhone"),
        fact("device", "product_type", "iPhone14,5", detail="iPhone 13"),
        fact("os", "ios_version", "17.3.1", detail="build 21D61"),
        fact("device", "serial_number", "F4GZX1ABCDEF"),
        fact("device", "imei", "356123450000005", detail="IMEI (slot 1)"),
        fact("device", "imei", "356123450000013", detail="IMEI 2 (eSIM / slot 2)"),
        fact("device", "meid", "35612345000000"),
        fact("device", "udid", "00008110-000A1B2C3D4E5F60"),
        fact("sim", "iccid", "8991000000000000007", detail="SIM at backup time"),
        fact(
            "sim",
            "phone_number",
            "+919876500007",
            detail="SIM at backup time",
            value_raw="+91 98765 00007",
        ),
        fact(
            "device",
            "last_backup_date",
            "2024-03-02T08:00:00Z",
            time="2024-03-02T08:00:00Z",
            time_raw="2024-03-02 08:00:00",
            time_note="Info.plist Last Backup Date (UTC)",
            detail="iTunes 12.13.1.3",
        ),
        fact(
            "app",
            "installed_app",
            "com.google.chrome.ios",
            detail="Info.plist Installed Applications",
        ),
        fact(
            "app",
            "installed_app",
            "com.philandro.anydesk",
            detail="Info.plist Installed Applications",
        ),
        fact(
            "app",
            "installed_app",
            "net.whatsapp.WhatsApp",
            detail="Info.plist Installed Applications",
        ),
    ]
    assert out.facts(path="/iTunes Backup/Manifest.plist") == [
        fact("device", "backup_encrypted", "no", detail="backup written 2024-03-02T08:00:00Z"),
        fact("device", "device_name", "Supervisor iPhone", detail="Lockdown"),
        fact("device", "product_type", "iPhone14,5", detail="Lockdown"),
        fact("os", "ios_version", "17.3.1", detail="Lockdown; build 21D61"),
        fact("device", "serial_number", "F4GZX1ABCDEF", detail="Lockdown"),
        fact("device", "udid", "00008110-000A1B2C3D4E5F60", detail="Lockdown"),
    ]
    # The backed-up files are read at their phone paths (domains mapped by the backup source).
    assert out.values("account") == ["supervisor@icloud.example"]
    assert out.values("sim_country") == ["IN", "IN"]
    assert NOBACKUP not in {row["source_path"] for row in out.rows}


def test_iphone_file_system(identity_data: Path, identity_scan) -> None:
    """A file-system extraction: OS, name, SIM, IMEIs, Wi-Fi and the Apple ID."""
    out = identity_scan(identity_data / "iphone", "ios.identity")
    assert out.problems() == []
    assert out.facts(path="/System/Library/CoreServices/SystemVersion.plist") == [
        fact("os", "os_product", "iPhone OS"),
        fact("os", "ios_version", "17.3.1", detail="build 21D61"),
        fact("os", "os_build", "21D61"),
    ]
    assert out.facts(path="/private/var/wireless/Library/Databases/CellularUsage.db") == [
        fact("sim", "iccid", "8991000000000000007", detail="CellularUsage.db; slot 1"),
        fact(
            "sim",
            "phone_number",
            "+919876500007",
            time="2024-03-01T08:00:00Z",
            time_raw="730972800",
            time_note="subscriber_info last_update_time (Cocoa seconds)",
            detail="slot 1; ICCID 8991000000000000007",
            value_raw="919876500007",
        ),
        fact("sim", "sim_country", "IN", detail="country of the subscriber numbers 919876500007"),
    ]
    assert out.facts(path=NOBACKUP) == [
        fact("device", "imei", "356123450000005", detail="slot 1:kOne"),
        fact("device", "imei", "356123450000013", detail="slot 2:kTwo"),
        fact("device", "meid", "35612345000000"),
    ]
    assert out.facts("wifi_network") == [
        fact(
            "wifi",
            "wifi_network",
            "CC-Office",
            time="2024-03-01T08:55:00Z",
            time_raw="2024-03-01T08:55:00Z",
            time_note=JOINED_NOTE,
            detail="added 2024-02-01T09:00:00Z; security WPA2 Personal; "
            "1 access points: 00:00:5e:00:53:01",
        )
    ]
    assert out.facts("account") == [
        fact(
            "account",
            "account",
            "supervisor@icloud.example",
            time="2024-01-20T14:00:00Z",
            time_raw="727452000",
            time_note="account added (ZDATE, Cocoa seconds)",
            detail="iCloud (com.apple.account.AppleAccount); description iCloud; "
            "set up by com.apple.purplebuddy",
        )
    ]
    assert out.values("device_name") == ["Supervisor iPhone"]
    assert out.values("hostname") == ["Supervisor-iPhone"]


def test_real_commcenter_plists_imeis_and_numbers(corpus: Path, identity_scan) -> None:
    """iLEAPP's MVS 2023 iPhone (iOS 16.1.1): two IMEIs, MEID, two SIMs and their numbers."""
    out = identity_scan(corpus / IOS / "ileapp_celwireless_mvs_ios_2023", "ios.identity")
    assert out.problems() == []
    assert out.facts(path=NOBACKUP) == [
        fact("device", "imei", "359669602382763", detail="slot 1:kOne"),
        fact("device", "imei", "359669602478579", detail="slot 2:kTwo"),
        fact("device", "meid", "35966960238276"),
        fact(
            "sim",
            "carrier",
            "Verizon_TFW_LTE_US",
            detail="carrier bundle com.apple.Verizon_TFW_LTE_US; MCC 311; MNC 480",
        ),
        fact(
            "sim",
            "iccid",
            "89148000008588244776",
            detail="SIM seen by CommCenter (PersonalWallet)",
        ),
    ]
    active = out.facts(path=COMMCENTER)
    assert active[0] == fact(
        "sim",
        "phone_number",
        "+14439877293",
        detail="CommCenter PhoneNumber; ICCID 89148000008588244776",
        value_raw="14439877293",
    )
    assert out.values("iccid") == [
        "89148000008588244776",
        "89148000008588244776",
        "89148000008588244776",
        "89014102270842269970",
    ]
    assert out.values("imsi") == ["311480808008955", "310410084226997"]
    assert out.values("phone_number") == ["+14439877293", "+14439877293", "+19802135560"]
    assert out.values("ios_version") == ["16.1.1"]
    assert out.facts("sim_country") == [
        fact(
            "sim",
            "sim_country",
            "US",
            detail="country of the numbers 14439877293, +14439877293, 19802135560",
        )
    ]


def test_real_wifi_plists(corpus: Path, identity_scan) -> None:
    """Known networks with their last join, and the hardware Wi-Fi MAC (iOS 16)."""
    out = identity_scan(corpus / IOS / "ileapp_wifi_mvs_ios_2023", "ios.identity")
    assert out.problems() == []
    assert out.facts("wifi_mac") == [
        fact(
            "network",
            "wifi_mac",
            "90:81:58:d0:21:a9",
            detail="hardware Wi-Fi MAC (hwMacAddressMacRandomisation)",
            value_raw="908158d021a9",
        )
    ]
    networks = {row["value"]: row for row in out.facts("wifi_network")}
    assert sorted(networks) == [
        "Airport-Frankfurt",
        "ChamplainPSK",
        "Hotel Bonaventure",
        "NETGEAR-345",
        "Spinner Place",
    ]
    assert networks["Spinner Place"] == fact(
        "wifi",
        "wifi_network",
        "Spinner Place",
        time="2023-01-06T21:37:07.647824Z",
        time_raw="2023-01-06T21:37:07.647824Z",
        time_note=JOINED_NOTE,
        detail="added 2022-11-21T00:40:40.704475Z; security OWE Transition; "
        "2 access points: 44:1e:98:43:cd:0c, 44:1e:98:43:da:ec",
    )


def test_real_dhcp_lease(corpus: Path, identity_scan) -> None:
    """The address the iPhone leased on Wi-Fi "Spinner Place" and the MAC it used."""
    out = identity_scan(corpus / IOS / "ileapp_dhcp_mvs_ios_2023", "ios.identity")
    where = (
        "DHCP lease on en0 (Wi-Fi Spinner Place); router 100.64.0.1; "
        "router MAC ac:1f:6b:6e:20:9d; lease seconds 7200"
    )
    assert out.facts() == [
        fact(
            "network",
            "ip_address",
            "100.64.0.236",
            time="2023-01-08T16:39:17Z",
            time_raw="2023-01-08T16:39:17Z",
            time_note="LeaseStartDate",
            detail=where,
        ),
        fact(
            "network",
            "mac_address",
            "1a:7b:f1:c6:aa:bc",
            detail=f"MAC used for the {where}",
            value_raw="1a7bf1c6aabc",
        ),
    ]


@pytest.fixture
def plaso_iphone(corpus: Path, tmp_path: Path) -> Path:
    """plaso's flat iOS test files put at their iPhone paths in a temporary tree."""
    root = tmp_path / "iphone"
    for name, path in (
        (
            "plaso_ios_com.apple.commcenter.data.plist",
            "private/var/wireless/Library/Preferences/com.apple.commcenter.data.plist",
        ),
        (
            "plaso_ios_com.apple.wifi.known-networks.plist",
            "private/var/preferences/com.apple.wifi.known-networks.plist",
        ),
        ("plaso_ios_Accounts3.sqlite", "private/var/mobile/Library/Accounts/Accounts3.sqlite"),
    ):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus / IOS / name, root / path)
    return root


def test_real_plaso_ios_files(plaso_iphone: Path, identity_scan) -> None:
    """The values plaso's own tests assert: Matt_Foley added 2023-04-15 13:53:47.476017 with
    BSSID 76:a7:41:e7:7c:9d; the iCloud account thisisdfir@gmail.com; the SIM's number."""
    out = identity_scan(plaso_iphone, "ios.identity")
    assert out.problems() == []
    (network,) = out.facts("wifi_network")
    assert network["value"] == "Matt_Foley"
    assert network["time"] == "2023-05-20T19:55:03.073186Z"
    assert network["detail"].startswith(
        "added 2023-04-15T13:53:47.476017Z; security WPA2 Personal; 9 access points: "
    )
    assert "76:a7:41:e7:7c:9d" in network["detail"]
    accounts = out.facts("account")
    assert len(accounts) == 10 and {row["value"] for row in accounts} == {"thisisdfir@gmail.com"}
    icloud = next(row for row in accounts if row["detail"].startswith("iCloud "))
    assert icloud == fact(
        "account",
        "account",
        "thisisdfir@gmail.com",
        time="2020-03-21T21:47:57.068197Z",
        time_raw="606520077.068197",
        time_note="account added (ZDATE, Cocoa seconds)",
        detail="iCloud (com.apple.account.AppleAccount); description iCloud; "
        "set up by com.apple.purplebuddy",
    )
    assert out.facts("phone_number") == [
        fact(
            "sim",
            "phone_number",
            "+19195794674",
            time="2023-05-17T12:26:22Z",
            time_raw="1684326382",
            time_note="PersonalWallet info ts (Unix seconds)",
            detail="mdn; PersonalWallet ICCID 8901260971148676693; type sim",
        )
    ]
    assert out.values("sim_country") == ["US"]


def test_broken_and_hostile_plists(identity_data: Path, tmp_path: Path, identity_scan) -> None:
    """Garbage, a truncated binary plist, a list at the top and hostile strings."""
    root = tmp_path / "iphone"
    shutil.copytree(identity_data / "iphone", root)
    prefs = root / "private/var/preferences/SystemConfiguration/preferences.plist"
    prefs.write_bytes(b"\x00garbage\xff" * 50)
    version = root / "System/Library/CoreServices/SystemVersion.plist"
    version.write_bytes(plistlib.dumps(["not", "a", "dict"]))
    commcenter = root / COMMCENTER.lstrip("/")
    commcenter.write_bytes(commcenter.read_bytes()[:90])
    nobackup = root / NOBACKUP.lstrip("/")
    nobackup.write_bytes(
        plistlib.dumps(
            {"meid": "<script>alert('x')</script>\u0000\u001b", "imeis": "nope"},
            fmt=plistlib.FMT_BINARY,
        )
    )
    out = identity_scan(root, "ios.identity")
    problems = {path: (severity, message) for severity, message, path in out.problems()}
    assert problems["/System/Library/CoreServices/SystemVersion.plist"] == (
        "error",
        "property list holds a list, not a dictionary",
    )
    for path in (
        "/private/var/preferences/SystemConfiguration/preferences.plist",
        COMMCENTER,
    ):
        severity, message = problems[path]
        assert severity == "error" and message.startswith("cannot be read: "), message
    assert out.facts(path=NOBACKUP) == [
        fact("device", "meid", "<script>alert('x')</script>\\x00\\x1b"),
    ]
    # The undamaged files are still read.
    assert out.values("account") == ["supervisor@icloud.example"]
    assert out.values("imei") == []
