"""triage.identity.device_identity: the report's first lines, from the store's identity facts."""

from __future__ import annotations

from pathlib import Path

from triage.identity import device_identity
from triage.store import DeviceStore

SID = "S-1-5-21-3241176421-1287654321-2894561230"


def _summary(out) -> dict:
    store = DeviceStore(out.output.output / "triage.sqlite")
    try:
        return device_identity(store)
    finally:
        store.close()


def test_laptop_summary(identity_data: Path, identity_scan) -> None:
    """laptop-01 as the story has it: name, Windows 10 Pro 19045, agent1, IST, MAC and IP."""
    summary = _summary(identity_scan(identity_data / "laptop", "windows.identity"))
    config = "/Windows/System32/config"
    assert summary == {
        "kind": "Windows computer",
        "platform": "windows",
        "name": "CC-LAPTOP-01",
        "model": "Dell Inc. Latitude 5490",
        "os": "Windows 10 Pro 22H2 (version 10.0, build 19045)",
        "serial_numbers": [],
        "imeis": [],
        "phone_numbers": [],
        "iccids": [],
        "imsis": [],
        "carriers": [],
        "sim_country": None,
        "owner": "agent1",
        "users": [
            {
                "name": "agent1",
                "sid": f"{SID}-1001",
                "last_login": "2024-03-01T09:41:07Z",
                "disabled": False,
                "sources": [f"{config}/SOFTWARE", f"{config}/SAM", "/Users/agent1/NTUSER.DAT"],
            },
            {
                "name": "Administrator",
                "sid": f"{SID}-500",
                "last_login": None,
                "disabled": True,
                "sources": [f"{config}/SAM"],
            },
            {
                "name": "DefaultAccount",
                "sid": f"{SID}-503",
                "last_login": None,
                "disabled": True,
                "sources": [f"{config}/SAM"],
            },
            {
                "name": "Guest",
                "sid": f"{SID}-501",
                "last_login": None,
                "disabled": True,
                "sources": [f"{config}/SAM"],
            },
        ],
        "time_zone": "India Standard Time (UTC+05:30)",
        "install_date": "2024-01-15T06:30:00Z",
        "last_backup": None,
        "accounts": [],
        "hostnames": ["CC-LAPTOP-01"],
        "ip_addresses": ["192.168.1.23"],
        "mac_addresses": ["00:1a:2b:3c:4d:5e"],
        "wifi_networks": [],
        "installed_apps": 4,
        "replayed_hives": [],
        "recovered": [],
        "facts": 28,
        "sources": {
            "name": [f"{config}/SYSTEM"],
            "model": [f"{config}/SYSTEM"],
            "os": [f"{config}/SOFTWARE"],
            "owner": [f"{config}/SOFTWARE"],
            "users": [f"{config}/SOFTWARE", f"{config}/SAM", "/Users/agent1/NTUSER.DAT"],
            "time_zone": [f"{config}/SYSTEM"],
        },
    }


def test_phone_summary(identity_data: Path, identity_scan) -> None:
    """phone-03: Samsung SM-A525F, Android 12, the Jio SIM, the Google account, its MACs."""
    summary = _summary(identity_scan(identity_data / "phone", "android.identity"))
    expected = {
        "kind": "Android phone",
        "platform": "android",
        "name": "Galaxy-A52",
        "model": "samsung SM-A525F",
        "os": "Android 12 (security patch 2022-11-01)",
        "phone_numbers": ["+919876543210"],
        "iccids": ["8991000000000000001"],
        "imsis": ["405840000000001"],
        "carriers": ["Jio"],
        "sim_country": "IN",
        "users": [],
        "accounts": ["agent1.support@gmail.example"],
        "hostnames": ["Galaxy-A52"],
        "mac_addresses": ["02:11:22:33:44:55", "02:6a:7b:8c:9d:0e"],
        "wifi_networks": ["CC-Office", "JioFi_4G_2A3B"],
        "installed_apps": 2,
        "replayed_hives": [],
        "recovered": [],
    }
    assert {key: summary[key] for key in expected} == expected
    assert summary["sources"]["phone_numbers"] == [
        "/data/user_de/0/com.android.providers.telephony/databases/telephony.db"
    ]


def test_iphone_backup_summary(identity_data: Path, identity_scan) -> None:
    """The iPhone backup: repeats across Info.plist, Manifest.plist and CommCenter merged."""
    summary = _summary(identity_scan(identity_data / "iphone_backup", "ios.identity"))
    expected = {
        "kind": "iPhone",
        "platform": "ios",
        "name": "Supervisor iPhone",
        "model": "iPhone14,5 (iPhone 13)",
        "os": "iOS 17.3.1 (21D61)",
        "serial_numbers": ["F4GZX1ABCDEF"],
        "imeis": ["356123450000005", "356123450000013"],
        "phone_numbers": ["+919876500007"],
        "iccids": ["8991000000000000007"],
        "imsis": ["405840000000007"],
        "sim_country": "IN",
        "last_backup": "2024-03-02T08:00:00Z",
        "accounts": ["supervisor@icloud.example"],
        "wifi_networks": ["CC-Office"],
        "installed_apps": 3,
        "replayed_hives": [],
        "recovered": [],
    }
    assert {key: summary[key] for key in expected} == expected
    assert summary["sources"]["imeis"] == ["/iTunes Backup/Info.plist"]


def test_empty_store_gives_an_empty_summary(tmp_path: Path) -> None:
    """No identity facts (no table even): every field empty, nothing invented."""
    store = DeviceStore(tmp_path / "triage.sqlite")
    try:
        summary = device_identity(store)
    finally:
        store.close()
    assert summary["kind"] is None and summary["name"] is None and summary["os"] is None
    assert summary["users"] == [] and summary["facts"] == 0 and summary["sources"] == {}
