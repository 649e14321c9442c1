#!/usr/bin/env python3
"""Build the identity fixtures in this folder: Windows hives, Android files, iPhone files/backups.

    python3 tests/data/identity/build_identity.py

Outputs (committed; all values fictional, from the demo story in the SOURCE.md):
  laptop/              Windows/System32/config/{SYSTEM,SOFTWARE,SAM}, Users/agent1/NTUSER.DAT
                       of "laptop-01" (populate_windows_laptop)
  phone/               Android 12 files of "phone-03": build.prop (system, vendor), telephony.db,
                       accounts_ce.db, accounts_de.db, WifiConfigStore.xml, packages.xml,
                       packages.list, settings_global.xml (populate_android_phone)
  iphone/              iOS file-system files of a fictional iPhone (populate_iphone_files)
  iphone_backup/       an unencrypted iTunes backup of the same iPhone
  iphone_backup_encrypted/  the same backup encrypted with the password "triage-demo"

The Windows hives are written by the small regf writer below (no Linux tool writes a hive from
nothing); the encrypted backup by the keybag / AES key wrap / AES-CBC scheme that
iphone_backup_decrypt reads. Both are read back before anything is written, so a writer bug
fails the build, not the tests. Everything is deterministic: fixed times, fixed keys and salts.

The demo builders ``populate_windows_laptop(root)`` and ``populate_android_phone(root)`` write
the same files under any root (the demo evidence uses them).
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import shutil
import sqlite3
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# -------------------------------------------------------------------------------------------------
# A minimal Windows registry hive (regf) writer.
#
# Layout written: a 4096-byte base block (``regf``, equal sequence numbers, root cell offset, hive
# bins size, file name, XOR checksum of its first 508 bytes), then one ``hbin`` holding the cells:
# the root ``nk`` first (regipy takes the first cell of the first bin as the root), one shared
# ``sk``, then for every key its ``vk`` value cells, data cells, value list and ``lh`` subkey list.
# Data larger than 16344 bytes (``db`` big data) is not supported: fixtures are small.
# Reference: Maxim Suhanov, "Windows registry file format specification" (github.com/msuhanov/regf).
# -------------------------------------------------------------------------------------------------

REG_NONE = 0
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_MULTI_SZ = 7
REG_QWORD = 11

NONE_OFFSET = 0xFFFFFFFF
KEY_HIVE_ENTRY = 0x0004
KEY_NO_DELETE = 0x0008
KEY_COMP_NAME = 0x0020
VALUE_COMP_NAME = 0x0001
MAX_DATA = 16344


@dataclass
class Value:
    """One registry value: name ("" for the default value), type number, raw data."""

    name: str
    type: int
    data: bytes


@dataclass
class Key:
    """One registry key with its values and subkeys."""

    name: str
    values: list[Value] = field(default_factory=list)
    subkeys: list[Key] = field(default_factory=list)
    written: int | None = None  # FILETIME; the hive's default when None

    def key(self, path: str) -> Key:
        """The subkey at ``a\\b\\c``, created on the way when missing."""
        node = self
        for part in [part for part in path.split("\\") if part]:
            found = next((k for k in node.subkeys if k.name.upper() == part.upper()), None)
            if found is None:
                found = Key(part)
                node.subkeys.append(found)
            node = found
        return node

    def set(self, name: str, reg_type: int, data: bytes) -> Key:
        """Add (or replace) a value; returns the key for chaining."""
        self.values = [value for value in self.values if value.name.lower() != name.lower()]
        self.values.append(Value(name, reg_type, data))
        return self


def sz(text: str) -> tuple[int, bytes]:
    """A REG_SZ value's type and data (UTF-16LE, NUL-terminated)."""
    return REG_SZ, (text + "\0").encode("utf-16-le")


def expand_sz(text: str) -> tuple[int, bytes]:
    """A REG_EXPAND_SZ value."""
    return REG_EXPAND_SZ, (text + "\0").encode("utf-16-le")


def multi_sz(*texts: str) -> tuple[int, bytes]:
    """A REG_MULTI_SZ value."""
    return REG_MULTI_SZ, ("".join(text + "\0" for text in texts) + "\0").encode("utf-16-le")


def dword(number: int) -> tuple[int, bytes]:
    """A REG_DWORD value (negative numbers stored as two's complement)."""
    return REG_DWORD, struct.pack("<I", number & 0xFFFFFFFF)


def qword(number: int) -> tuple[int, bytes]:
    """A REG_QWORD value."""
    return REG_QWORD, struct.pack("<Q", number)


def binary(data: bytes) -> tuple[int, bytes]:
    """A REG_BINARY value."""
    return REG_BINARY, data


def _name_bytes(name: str) -> tuple[bytes, bool]:
    try:
        return name.encode("ascii"), True
    except UnicodeEncodeError:
        return name.encode("utf-16-le"), False


def lh_hash(name: str) -> int:
    """The ``lh`` leaf hash of a key name (upper-cased, ``h = h * 37 + char``)."""
    value = 0
    for char in name.upper():
        value = (value * 37 + ord(char)) & 0xFFFFFFFF
    return value


class _Cells:
    """Cells laid out one after another in a single hive bin, offsets from the bins start."""

    def __init__(self) -> None:
        self.data = bytearray(0x20)  # room for the hbin header
        self.cells = 0

    def alloc(self, payload: int) -> int:
        size = (payload + 4 + 7) & ~7
        offset = len(self.data)
        self.data += b"\0" * size
        struct.pack_into("<i", self.data, offset, -size)
        self.cells += 1
        return offset

    def write(self, offset: int, payload: bytes) -> None:
        self.data[offset + 4 : offset + 4 + len(payload)] = payload


def _security_descriptor() -> bytes:
    """A self-relative descriptor: owner and group BUILTIN\\Administrators, no ACLs."""
    sid = struct.pack("<BB6sII", 1, 2, (5).to_bytes(6, "big"), 32, 544)
    header = struct.pack("<BBHIIII", 1, 0, 0x8000, 20, 20 + len(sid), 0, 0)
    return header + sid + sid


def build_hive(
    root: Key, file_name: str, written: int, sequence: tuple[int, int] = (1, 1)
) -> bytes:
    """The bytes of a hive file holding ``root``; ``sequence`` unequal makes it "dirty"."""
    cells = _Cells()
    descriptor = _security_descriptor()
    root_offset = cells.alloc(0x4C + len(_name_bytes(root.name)[0]))
    sk_offset = cells.alloc(0x14 + len(descriptor))
    key_count = 0

    def place(key: Key, offset: int, parent: int, is_root: bool) -> None:
        nonlocal key_count
        key_count += 1
        name, compressed = _name_bytes(key.name)
        value_offsets = []
        for value in key.values:
            value_name, value_compressed = _name_bytes(value.name)
            vk = cells.alloc(0x14 + len(value_name))
            if len(value.data) > MAX_DATA:
                raise ValueError(f"value {value.name!r} is too large for this writer")
            if len(value.data) <= 4:
                size, data_offset = (
                    0x80000000 | len(value.data),
                    int.from_bytes(value.data.ljust(4, b"\0"), "little"),
                )
            else:
                data_offset = cells.alloc(len(value.data))
                cells.write(data_offset, value.data)
                size = len(value.data)
            cells.write(
                vk,
                b"vk"
                + struct.pack(
                    "<HIIIHH",
                    len(value_name),
                    size,
                    data_offset,
                    value.type,
                    VALUE_COMP_NAME if value_compressed and value.name else 0,
                    0,
                )
                + value_name,
            )
            value_offsets.append(vk)
        value_list = NONE_OFFSET
        if value_offsets:
            value_list = cells.alloc(4 * len(value_offsets))
            cells.write(value_list, struct.pack(f"<{len(value_offsets)}I", *value_offsets))
        children = sorted(key.subkeys, key=lambda child: child.name.upper())
        child_offsets = []
        for child in children:
            child_offset = cells.alloc(0x4C + len(_name_bytes(child.name)[0]))
            child_offsets.append(child_offset)
        for child, child_offset in zip(children, child_offsets, strict=True):
            place(child, child_offset, offset, False)
        subkey_list = NONE_OFFSET
        if children:
            subkey_list = cells.alloc(4 + 8 * len(children))
            entries = b"".join(
                struct.pack("<II", child_offset, lh_hash(child.name))
                for child, child_offset in zip(children, child_offsets, strict=True)
            )
            cells.write(subkey_list, b"lh" + struct.pack("<H", len(children)) + entries)
        flags = (KEY_HIVE_ENTRY | KEY_NO_DELETE if is_root else 0) | (
            KEY_COMP_NAME if compressed else 0
        )
        cells.write(
            offset,
            b"nk"
            + struct.pack(
                "<HQIIIIIIIIIIIIIIIHH",
                flags,
                key.written if key.written is not None else written,
                0,
                parent,
                len(children),
                0,
                subkey_list,
                NONE_OFFSET,
                len(key.values),
                value_list,
                sk_offset,
                NONE_OFFSET,
                max((len(_name_bytes(c.name)[0]) * 2 for c in children), default=0),
                0,
                max((len(v.name) * 2 for v in key.values), default=0),
                max((len(v.data) for v in key.values), default=0),
                0,
                len(name),
                0,
            )
            + name,
        )

    place(root, root_offset, NONE_OFFSET, True)
    cells.write(
        sk_offset,
        b"sk"
        + struct.pack("<HIIII", 0, sk_offset, sk_offset, key_count, len(descriptor))
        + descriptor,
    )
    used = len(cells.data)
    bins_size = (used + 4095) // 4096 * 4096
    free = bins_size - used
    cells.data += b"\0" * free
    if free >= 8:
        struct.pack_into("<i", cells.data, used, free)
    struct.pack_into("<4sIIQQI", cells.data, 0, b"hbin", 0, bins_size, 0, written, 0)
    base = bytearray(4096)
    struct.pack_into(
        "<4sIIQIIIIIII",
        base,
        0,
        b"regf",
        sequence[0],
        sequence[1],
        written,
        1,
        5,
        0,
        1,
        root_offset,
        bins_size,
        1,
    )
    encoded = file_name.encode("utf-16-le")[:64]
    base[0x30 : 0x30 + len(encoded)] = encoded
    checksum = 0
    for (word,) in struct.iter_unpack("<I", bytes(base[:0x1FC])):
        checksum ^= word
    if checksum == 0xFFFFFFFF:
        checksum = 0xFFFFFFFE
    elif checksum == 0:
        checksum = 1
    struct.pack_into("<I", base, 0x1FC, checksum)
    return bytes(base) + bytes(cells.data)


# -------------------------------------------------------------------------------------------------
# Story values (see SOURCE.md) and fixed times.
# -------------------------------------------------------------------------------------------------
def filetime(when: datetime) -> int:
    """A UTC datetime as a Windows FILETIME."""
    delta = when - datetime(1601, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def utc(*parts: int) -> datetime:
    """A UTC datetime."""
    return datetime(*parts, tzinfo=UTC)


def systemtime(when: datetime) -> bytes:
    """A 16-byte SYSTEMTIME (the value is written as it reads, no zone conversion)."""
    weekday = (when.weekday() + 1) % 7
    return struct.pack(
        "<8H",
        when.year,
        when.month,
        weekday,
        when.day,
        when.hour,
        when.minute,
        when.second,
        when.microsecond // 1000,
    )


LAPTOP_WRITTEN = utc(2024, 3, 1, 9, 45, 0)
LAPTOP_INSTALLED = utc(2024, 1, 15, 6, 30, 0)
LAPTOP_LOGON = utc(2024, 3, 1, 9, 41, 7)
LAPTOP_LEASE = utc(2024, 3, 1, 9, 40, 0)
MACHINE_SID = (3241176421, 1287654321, 2894561230)
AGENT1_SID = "S-1-5-21-{}-{}-{}-1001".format(*MACHINE_SID)
ETHERNET_GUID = "{6B5E2D1A-3C4F-4A8B-9D0E-1F2A3B4C5D6E}"
WIFI_GUID = "{0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9}"
NETWORK_PROFILE_GUID = "{9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A}"
NET_CLASS = "{4d36e972-e325-11ce-bfc1-08002be10318}"
ROUTER_MAC = bytes.fromhex("00005e005301")  # RFC 7042 documentation range
NEVER = 0x7FFFFFFFFFFFFFFF


def _set(key: Key, **values: tuple[int, bytes]) -> Key:
    for name, (reg_type, data) in values.items():
        key.set(name, reg_type, data)
    return key


def system_hive() -> bytes:
    """SYSTEM of laptop-01: name, time zone, hardware, Ethernet with DHCP lease and set MAC."""
    root = Key("ROOT")
    _set(root.key("Select"), Current=dword(1), Default=dword(1), LastKnownGood=dword(1))
    control = root.key("ControlSet001\\Control")
    _set(control.key("ComputerName\\ComputerName"), ComputerName=sz("CC-LAPTOP-01"))
    _set(
        control.key("TimeZoneInformation"),
        Bias=dword(-330),
        ActiveTimeBias=dword(-330),
        StandardName=sz("India Standard Time"),
        StandardBias=dword(0),
        DaylightName=sz("India Daylight Time"),
        DaylightBias=dword(-60),
        TimeZoneKeyName=sz("India Standard Time"),
        DynamicDaylightTimeDisabled=dword(0),
    )
    _set(
        control.key("SystemInformation"),
        SystemManufacturer=sz("Dell Inc."),
        SystemProductName=sz("Latitude 5490"),
        BIOSVersion=sz("1.28.0"),
        BIOSReleaseDate=sz("11/14/2023"),
    )
    _set(
        control.key(f"Class\\{NET_CLASS}\\0001"),
        DriverDesc=sz("Intel(R) Ethernet Connection (4) I219-LM"),
        NetCfgInstanceId=sz(ETHERNET_GUID),
        NetworkAddress=sz("001A2B3C4D5E"),
    )
    _set(
        control.key(f"Class\\{NET_CLASS}\\0002"),
        DriverDesc=sz("Intel(R) Dual Band Wireless-AC 8265"),
        NetCfgInstanceId=sz(WIFI_GUID),
    )
    _set(
        control.key(f"Network\\{NET_CLASS.upper()}\\{ETHERNET_GUID}\\Connection"),
        Name=sz("Ethernet"),
    )
    _set(control.key(f"Network\\{NET_CLASS.upper()}\\{WIFI_GUID}\\Connection"), Name=sz("Wi-Fi"))
    tcpip = root.key("ControlSet001\\Services\\Tcpip\\Parameters")
    _set(tcpip, Hostname=sz("CC-LAPTOP-01"), Domain=sz(""))
    tcpip.set("NV Hostname", *sz("CC-LAPTOP-01"))
    lease = int(LAPTOP_LEASE.timestamp())
    _set(
        tcpip.key(f"Interfaces\\{ETHERNET_GUID}"),
        EnableDHCP=dword(1),
        DhcpIPAddress=sz("192.168.1.23"),
        DhcpSubnetMask=sz("255.255.255.0"),
        DhcpServer=sz("192.168.1.1"),
        DhcpDefaultGateway=multi_sz("192.168.1.1"),
        DhcpNameServer=sz("192.168.1.1"),
        DhcpDomain=sz("lan"),
        Lease=dword(43200),
        LeaseObtainedTime=dword(lease),
        LeaseTerminatesTime=dword(lease + 43200),
    )
    _set(tcpip.key(f"Interfaces\\{WIFI_GUID}"), EnableDHCP=dword(1), DhcpIPAddress=sz("0.0.0.0"))
    return build_hive(root, "\\REGISTRY\\MACHINE\\SYSTEM", filetime(LAPTOP_WRITTEN))


def _uninstall(key: Key, name: str, version: str, publisher: str, written: datetime) -> None:
    entry = key.key(name)
    entry.written = filetime(written)
    _set(
        entry,
        DisplayName=sz(name),
        DisplayVersion=sz(version),
        Publisher=sz(publisher),
        InstallDate=sz(written.strftime("%Y%m%d")),
    )


def software_hive() -> bytes:
    """SOFTWARE of laptop-01: Windows 10 Pro 22H2 build 19045, profiles, network, programs."""
    root = Key("ROOT")
    current = root.key("Microsoft\\Windows NT\\CurrentVersion")
    _set(
        current,
        ProductName=sz("Windows 10 Pro"),
        EditionID=sz("Professional"),
        DisplayVersion=sz("22H2"),
        ReleaseId=sz("2009"),
        CurrentVersion=sz("6.3"),
        CurrentMajorVersionNumber=dword(10),
        CurrentMinorVersionNumber=dword(0),
        CurrentBuild=sz("19045"),
        CurrentBuildNumber=sz("19045"),
        UBR=dword(4046),
        BuildLabEx=sz("19041.1.amd64fre.vb_release.191206-1406"),
        InstallDate=dword(int(LAPTOP_INSTALLED.timestamp())),
        InstallTime=qword(filetime(LAPTOP_INSTALLED)),
        RegisteredOwner=sz("agent1"),
        RegisteredOrganization=sz(""),
        SystemRoot=sz("C:\\Windows"),
    )
    profiles = current.key("ProfileList")
    _set(
        profiles.key("S-1-5-18"),
        ProfileImagePath=expand_sz("%systemroot%\\system32\\config\\systemprofile"),
    )
    logon = filetime(LAPTOP_LOGON)
    _set(
        profiles.key(AGENT1_SID),
        ProfileImagePath=expand_sz("C:\\Users\\agent1"),
        LocalProfileLoadTimeHigh=dword(logon >> 32),
        LocalProfileLoadTimeLow=dword(logon & 0xFFFFFFFF),
    )
    network = current.key("NetworkList")
    _set(
        network.key(f"Profiles\\{NETWORK_PROFILE_GUID}"),
        ProfileName=sz("Network"),
        Description=sz("Network"),
        NameType=dword(0x06),
        Category=dword(1),
        DateCreated=binary(systemtime(datetime(2024, 1, 15, 12, 5, 0))),
        DateLastConnected=binary(systemtime(datetime(2024, 3, 1, 15, 10, 0))),
    )
    _set(
        network.key("Signatures\\Unmanaged\\0102A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A"),
        ProfileGuid=sz(NETWORK_PROFILE_GUID),
        Description=sz("Network"),
        Source=dword(8),
        DnsSuffix=sz("lan"),
        FirstNetwork=sz("Network"),
        DefaultGatewayMac=binary(ROUTER_MAC),
    )
    uninstall = root.key("Microsoft\\Windows\\CurrentVersion\\Uninstall")
    _uninstall(uninstall, "Google Chrome", "122.0.6261.95", "Google LLC", utc(2024, 1, 15, 7, 2, 0))
    _uninstall(uninstall, "MicroSIP", "3.21.3", "www.microsip.org", utc(2024, 2, 20, 10, 0, 0))
    hidden = uninstall.key("{11111111-2222-3333-4444-555555555555}")
    _set(hidden, DisplayName=sz("Microsoft Update Health Tools"), SystemComponent=dword(1))
    wow = root.key("WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall")
    _uninstall(wow, "AnyDesk", "8.0.8", "AnyDesk Software GmbH", utc(2024, 3, 1, 9, 59, 30))
    _uninstall(wow, "TeamViewer", "15.51.5", "TeamViewer", utc(2024, 2, 20, 10, 30, 0))
    return build_hive(root, "\\REGISTRY\\MACHINE\\SOFTWARE", filetime(LAPTOP_WRITTEN))


def _sid_bytes(*subs: int) -> bytes:
    return struct.pack("<BB6s", 1, len(subs), (5).to_bytes(6, "big")) + struct.pack(
        f"<{len(subs)}I", *subs
    )


def _f_value(rid: int, flags: int, logons: int, last_logon: int, password_set: int) -> bytes:
    data = bytearray(0x50)
    struct.pack_into("<HH", data, 0, 2, 1)
    struct.pack_into("<Q", data, 0x08, last_logon)
    struct.pack_into("<Q", data, 0x18, password_set)
    struct.pack_into("<Q", data, 0x20, NEVER)
    struct.pack_into("<I", data, 0x30, rid)
    struct.pack_into("<I", data, 0x34, 0x201)
    struct.pack_into("<H", data, 0x38, flags)
    struct.pack_into("<H", data, 0x42, logons)
    return bytes(data)


def _v_value(name: str, full_name: str, comment: str) -> bytes:
    header = bytearray(0xCC)
    body = bytearray()
    for entry, text in ((0x0C, name), (0x18, full_name), (0x24, comment)):
        encoded = text.encode("utf-16-le")
        struct.pack_into("<III", header, entry, len(body), len(encoded), 0)
        body += encoded + b"\0" * (-len(encoded) % 4)
    return bytes(header + body)


def sam_hive() -> bytes:
    """SAM of laptop-01: the built-in accounts and agent1 (RID 1001)."""
    root = Key("ROOT")
    account = root.key("SAM\\Domains\\Account")
    _set(account, F=binary(bytes(0x50)), V=binary(bytes(0x40) + _sid_bytes(21, *MACHINE_SID)))
    users = account.key("Users")
    created = filetime(LAPTOP_INSTALLED)
    accounts = (
        (
            500,
            "Administrator",
            0x0211,
            0,
            0,
            "Built-in account for administering the computer/domain",
        ),
        (501, "Guest", 0x0215, 0, 0, "Built-in account for guest access to the computer/domain"),
        (503, "DefaultAccount", 0x0215, 0, 0, "A user account managed by the system."),
        (1001, "agent1", 0x0210, 37, filetime(LAPTOP_LOGON), ""),
    )
    for rid, name, flags, logons, last_logon, comment in accounts:
        entry = users.key(f"{rid:08X}")
        entry.written = filetime(LAPTOP_LOGON if rid == 1001 else LAPTOP_INSTALLED)
        _set(
            entry,
            F=binary(_f_value(rid, flags, logons, last_logon, created if rid == 1001 else 0)),
            V=binary(_v_value(name, "", comment)),
        )
        names = users.key(f"Names\\{name}")
        names.written = created
        names.set("", rid, b"")
    return build_hive(root, "\\REGISTRY\\MACHINE\\SAM", filetime(LAPTOP_WRITTEN))


def ntuser_hive(user: str = "agent1") -> bytes:
    """NTUSER.DAT of agent1: shell folders and an Indian English locale."""
    root = Key("ROOT")
    profile = f"C:\\Users\\{user}"
    _set(
        root.key("Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders"),
        Desktop=sz(f"{profile}\\Desktop"),
        Personal=sz(f"{profile}\\Documents"),
        AppData=sz(f"{profile}\\AppData\\Roaming"),
    )
    _set(
        root.key("Control Panel\\International"),
        Locale=sz("00004009"),
        LocaleName=sz("en-IN"),
        sCountry=sz("India"),
    )
    _set(root.key("Environment"), TEMP=expand_sz("%USERPROFILE%\\AppData\\Local\\Temp"))
    return build_hive(root, f"\\??\\{profile}\\ntuser.dat", filetime(utc(2024, 3, 1, 11, 40, 0)))


def _write(path: Path, data: bytes | str, when: datetime = LAPTOP_WRITTEN) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def populate_windows_laptop(root: Path) -> None:
    """Write laptop-01's SYSTEM, SOFTWARE, SAM and agent1's NTUSER.DAT under ``root``."""
    config = root / "Windows" / "System32" / "config"
    _write(config / "SYSTEM", system_hive())
    _write(config / "SOFTWARE", software_hive())
    _write(config / "SAM", sam_hive())
    _write(root / "Users" / "agent1" / "NTUSER.DAT", ntuser_hive("agent1"))


# -------------------------------------------------------------------------------------------------
# Android 12 "phone-03" (Samsung SM-A525F). Schemas: AOSP TelephonyProvider
# getStringForSimInfoTableCreation (Android 12), AccountsDb (CE and DE databases).
# -------------------------------------------------------------------------------------------------
PHONE_FINGERPRINT = "samsung/a52qnsxx/a52q:12/SP1A.210812.016/A525FXXU4CVJB:user/release-keys"
PHONE_BUILD_UTC = 1666161600  # 2022-10-19T06:40:00Z

SYSTEM_BUILD_PROP = f"""\
# begin common build properties
# autogenerated by build/make/tools/buildinfo_common.sh
ro.system.build.date.utc={PHONE_BUILD_UTC}
ro.system.build.fingerprint={PHONE_FINGERPRINT}
ro.system.build.id=SP1A.210812.016
ro.system.build.version.release=12
ro.system.build.version.sdk=31
ro.product.system.brand=samsung
ro.product.system.device=a52q
ro.product.system.manufacturer=samsung
ro.product.system.model=SM-A525F
ro.product.system.name=a52qnsxx
# end common build properties
# begin build properties
ro.build.id=SP1A.210812.016
ro.build.display.id=SP1A.210812.016.A525FXXU4CVJB
ro.build.version.release=12
ro.build.version.sdk=31
ro.build.version.security_patch=2022-11-01
ro.build.date.utc={PHONE_BUILD_UTC}
ro.build.fingerprint={PHONE_FINGERPRINT}
ro.build.host=21DJB210
ro.product.locale=en-IN
# end build properties
"""

VENDOR_BUILD_PROP = f"""\
# begin common build properties
ro.vendor.build.date.utc={PHONE_BUILD_UTC}
ro.vendor.build.fingerprint={PHONE_FINGERPRINT}
ro.vendor.build.version.release=12
ro.vendor.build.version.sdk=31
ro.vendor.build.security_patch=2022-11-01
ro.product.vendor.brand=samsung
ro.product.vendor.device=a52q
ro.product.vendor.manufacturer=samsung
ro.product.vendor.model=SM-A525F
ro.product.vendor.name=a52qnsxx
# end common build properties
"""

SIMINFO_COLUMNS = (
    "_id INTEGER PRIMARY KEY AUTOINCREMENT, icc_id TEXT NOT NULL, sim_id INTEGER DEFAULT -1, "
    "display_name TEXT, carrier_name TEXT, name_source INTEGER DEFAULT 0, "
    "color INTEGER DEFAULT 0, number TEXT, display_number_format INTEGER NOT NULL DEFAULT 1, "
    "data_roaming INTEGER DEFAULT 0, mcc INTEGER DEFAULT 0, mnc INTEGER DEFAULT 0, "
    "mcc_string TEXT, mnc_string TEXT, ehplmns TEXT, hplmns TEXT, "
    "sim_provisioning_status INTEGER DEFAULT 0, is_embedded INTEGER DEFAULT 0, "
    "card_id TEXT NOT NULL, access_rules BLOB, access_rules_from_carrier_configs BLOB, "
    "is_removable INTEGER DEFAULT 0, enable_cmas_extreme_threat_alerts INTEGER DEFAULT 1, "
    "enable_cmas_severe_threat_alerts INTEGER DEFAULT 1, enable_cmas_amber_alerts INTEGER "
    "DEFAULT 1, enable_emergency_alerts INTEGER DEFAULT 1, alert_sound_duration INTEGER "
    "DEFAULT 4, alert_reminder_interval INTEGER DEFAULT 0, enable_alert_vibrate INTEGER "
    "DEFAULT 1, enable_alert_speech INTEGER DEFAULT 1, enable_etws_test_alerts INTEGER "
    "DEFAULT 0, enable_channel_50_alerts INTEGER DEFAULT 1, enable_cmas_test_alerts INTEGER "
    "DEFAULT 0, show_cmas_opt_out_dialog INTEGER DEFAULT 1, volte_vt_enabled INTEGER "
    "DEFAULT -1, vt_ims_enabled INTEGER DEFAULT -1, wfc_ims_enabled INTEGER DEFAULT -1, "
    "wfc_ims_mode INTEGER DEFAULT -1, wfc_ims_roaming_mode INTEGER DEFAULT -1, "
    "wfc_ims_roaming_enabled INTEGER DEFAULT -1, is_opportunistic INTEGER DEFAULT 0, "
    "group_uuid TEXT, is_metered INTEGER DEFAULT 1, iso_country_code TEXT, "
    "carrier_id INTEGER DEFAULT -1, profile_class INTEGER DEFAULT -1, "
    "subscription_type INTEGER DEFAULT 0, group_owner TEXT, data_enabled_override_rules TEXT, "
    "imsi TEXT, uicc_applications_enabled INTEGER DEFAULT 1, allowed_network_types BIGINT "
    "DEFAULT -1, ims_rcs_uce_enabled INTEGER DEFAULT 0"
)


def _sqlite(path: Path, script: str, rows: list[tuple[str, tuple]] | None = None) -> Path:
    """A SQLite file from a schema script and (sql, params) inserts; rollback journal, no WAL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(script)
        for sql, params in rows or []:
            connection.execute(sql, params)
        connection.commit()
    finally:
        connection.close()
    return path


def telephony_db(path: Path) -> Path:
    """telephony.db with the story's Jio SIM in slot 0."""
    return _sqlite(
        path,
        f"CREATE TABLE android_metadata (locale TEXT);"
        f"INSERT INTO android_metadata VALUES ('en_IN');"
        f"CREATE TABLE siminfo ({SIMINFO_COLUMNS});",
        [
            (
                "INSERT INTO siminfo (_id, icc_id, sim_id, display_name, carrier_name, number, "
                "mcc, mnc, mcc_string, mnc_string, card_id, iso_country_code, carrier_id, imsi) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    1,
                    "8991000000000000001",
                    0,
                    "Jio",
                    "Jio",
                    "+919876543210",
                    405,
                    840,
                    "405",
                    "840",
                    "8991000000000000001",
                    "in",
                    2018,
                    "405840000000001",
                ),
            )
        ],
    )


def accounts_ce_db(path: Path) -> Path:
    """accounts_ce.db with the story's Google account (no password stored)."""
    return _sqlite(
        path,
        "CREATE TABLE android_metadata (locale TEXT);"
        "CREATE TABLE accounts ( _id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
        "type TEXT NOT NULL, password TEXT, UNIQUE(name,type));"
        "CREATE TABLE authtokens (  _id INTEGER PRIMARY KEY AUTOINCREMENT,  accounts_id "
        "INTEGER NOT NULL, type TEXT NOT NULL,  authtoken TEXT,  UNIQUE (accounts_id,type));"
        "CREATE TABLE extras ( _id INTEGER PRIMARY KEY AUTOINCREMENT, accounts_id INTEGER, "
        "key TEXT NOT NULL, value TEXT, UNIQUE(accounts_id,key));",
        [
            (
                "INSERT INTO accounts (_id, name, type, password) VALUES (?, ?, ?, ?)",
                (1, "agent1.support@gmail.example", "com.google", None),
            )
        ],
    )


def accounts_de_db(path: Path) -> Path:
    """accounts_de.db: the same account with its last password entry time."""
    return _sqlite(
        path,
        "CREATE TABLE android_metadata (locale TEXT);"
        "CREATE TABLE accounts ( _id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT "
        "NULL, previous_name TEXT, last_password_entry_time_millis_epoch INTEGER DEFAULT 0, "
        "UNIQUE(name,type));"
        "CREATE TABLE meta ( key TEXT PRIMARY KEY NOT NULL, value TEXT);"
        "CREATE TABLE grants (  accounts_id INTEGER NOT NULL, auth_token_type STRING NOT NULL,"
        "  uid INTEGER NOT NULL,  UNIQUE (accounts_id,auth_token_type,uid));",
        [
            (
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
                (1, "agent1.support@gmail.example", "com.google", None, 1708000000000),
            )
        ],
    )


def _wifi_network(ssid: str, security: str, mac: str, connected: bool) -> str:
    return f"""<Network>
<WifiConfiguration>
<string name="ConfigKey">&quot;{ssid}&quot;{security}</string>
<string name="SSID">&quot;{ssid}&quot;</string>
<null name="BSSID" />
<string name="PreSharedKey">&quot;not-the-real-key&quot;</string>
<null name="WEPKeys" />
<int name="WEPTxKeyIndex" value="0" />
<boolean name="HiddenSSID" value="false" />
<boolean name="RequirePMF" value="false" />
<byte-array name="AllowedKeyMgmt" num="1">02</byte-array>
<int name="Priority" value="0" />
<int name="CreatorUid" value="1000" />
<string name="CreatorName">android.uid.system:1000</string>
<string name="RandomizedMacAddress">{mac}</string>
<int name="MacRandomizationSetting" value="1" />
</WifiConfiguration>
<NetworkStatus>
<string name="SelectionStatus">NETWORK_SELECTION_ENABLED</string>
<string name="DisableReason">NETWORK_SELECTION_ENABLE</string>
<null name="ConnectChoice" />
<boolean name="HasEverConnected" value="{str(connected).lower()}" />
</NetworkStatus>
<IpConfiguration>
<string name="IpAssignment">DHCP</string>
<string name="ProxySettings">NONE</string>
</IpConfiguration>
</Network>
"""


WIFI_CONFIG_STORE = (
    "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n"
    "<WifiConfigStoreData>\n"
    '<int name="Version" value="3" />\n'
    "<NetworkList>\n"
    + _wifi_network("CC-Office", "WPA_PSK", "02:11:22:33:44:55", True)
    + _wifi_network("JioFi_4G_2A3B", "WPA_PSK", "02:6a:7b:8c:9d:0e", False)
    + "</NetworkList>\n</WifiConfigStoreData>\n"
)


def _hex_ms(when: datetime) -> str:
    return format(int(when.timestamp() * 1000), "x")


PACKAGES = (
    # name, codePath, first install, last update, version code, uid, installer
    (
        "com.android.chrome",
        "/product/app/Chrome",
        utc(2022, 10, 19, 6, 40, 0),
        utc(2024, 2, 20, 10, 0, 0),
        626109533,
        10145,
        None,
    ),
    (
        "com.anydesk.anydeskandroid",
        "/data/app/~~c3RvcnlAZmljdGlvbg==/com.anydesk.anydeskandroid-ZGVtb0BmaWN0aW9u==",
        utc(2024, 2, 28, 12, 0, 0),
        utc(2024, 2, 28, 12, 0, 0),
        7100,
        10301,
        "com.android.vending",
    ),
)


def packages_xml() -> str:
    """packages.xml (text form, as written before Android 12 switched to binary XML)."""
    lines = [
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>",
        "<packages>",
        f'    <version sdkVersion="31" databaseVersion="3" fingerprint="{PHONE_FINGERPRINT}" />',
    ]
    for name, code_path, first, updated, version, uid, installer in PACKAGES:
        installer_attr = f' installer="{installer}"' if installer else ""
        lines += [
            f'    <package name="{name}" codePath="{code_path}" primaryCpuAbi="arm64-v8a" '
            f'publicFlags="944291524" privateFlags="0" ft="{_hex_ms(updated)}" '
            f'it="{_hex_ms(first)}" ut="{_hex_ms(updated)}" version="{version}" '
            f'userId="{uid}"{installer_attr}>',
            '        <sigs count="1" schemeVersion="3">',
            f'            <cert index="{uid % 7}" />',
            "        </sigs>",
            "    </package>",
        ]
    lines.append("</packages>")
    return "\n".join(lines) + "\n"


def packages_list() -> str:
    """packages.list: name, uid, debuggable, data folder, SELinux info, groups, ..."""
    return "".join(
        f"{name} {uid} 0 /data/user/0/{name} default:targetSdkVersion=31 3003 0 {version}\n"
        for name, _path, _first, _updated, version, uid, _installer in PACKAGES
    )


SETTINGS_GLOBAL = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
    '<settings version="203">\n'
    '  <setting id="12" name="auto_time" value="1" package="android" defaultValue="1" '
    'defaultSysSet="true" />\n'
    '  <setting id="97" name="device_name" value="Galaxy-A52" package="com.android.settings" '
    'defaultValue="Galaxy A52" defaultSysSet="true" />\n'
    "</settings>\n"
)

PHONE_TIME = utc(2024, 3, 1, 11, 45, 0)


def populate_android_phone(root: Path) -> None:
    """Write phone-03's Android 12 identity files under ``root``."""
    _write(root / "system" / "build.prop", SYSTEM_BUILD_PROP, PHONE_TIME)
    _write(root / "vendor" / "build.prop", VENDOR_BUILD_PROP, PHONE_TIME)
    data = root / "data"
    for path, build in (
        (
            data / "user_de/0/com.android.providers.telephony/databases/telephony.db",
            telephony_db,
        ),
        (data / "system_ce/0/accounts_ce.db", accounts_ce_db),
        (data / "system_de/0/accounts_de.db", accounts_de_db),
    ):
        build(path)
        os.utime(path, (PHONE_TIME.timestamp(), PHONE_TIME.timestamp()))
    _write(data / "misc/wifi/WifiConfigStore.xml", WIFI_CONFIG_STORE, PHONE_TIME)
    _write(data / "system/packages.xml", packages_xml(), PHONE_TIME)
    _write(data / "system/packages.list", packages_list(), PHONE_TIME)
    _write(data / "system/users/0/settings_global.xml", SETTINGS_GLOBAL, PHONE_TIME)


# -------------------------------------------------------------------------------------------------
# A fictional iPhone: its file-system files, an unencrypted and an encrypted iTunes backup.
# References: iLEAPP iTunesBackupInfo.py (Info.plist keys), dissect.target loaders/itunes.py and
# iphone_backup_decrypt (Manifest.db, MBFile, keybag, ManifestKey, per-file keys).
# -------------------------------------------------------------------------------------------------
IPHONE = {
    "name": "Supervisor iPhone",
    "product_type": "iPhone14,5",
    "product_name": "iPhone 13",
    "version": "17.3.1",
    "build": "21D61",
    "serial": "F4GZX1ABCDEF",
    "imei": "356123450000005",
    "imei2": "356123450000013",
    "iccid": "8991000000000000007",
    "imsi": "405840000000007",
    "number": "+91 98765 00007",
    "udid": "00008110-000A1B2C3D4E5F60",
    "apple_id": "supervisor@icloud.example",
}
IPHONE_BACKUP_DATE = utc(2024, 3, 2, 8, 0, 0)
IPHONE_APPS = ("com.google.chrome.ios", "com.philandro.anydesk", "net.whatsapp.WhatsApp")
COCOA = datetime(2001, 1, 1, tzinfo=UTC)
BACKUP_PASSWORD = "triage-demo"
KEYBAG_DPIC = 1000  # real backups use 10,000,000 rounds; small so the tests stay fast
KEYBAG_ITER = 100

ACCOUNT_SCHEMA = (
    "CREATE TABLE ZACCOUNT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZACTIVE "
    "INTEGER, ZAUTHENTICATED INTEGER, ZSUPPORTSAUTHENTICATION INTEGER, ZVISIBLE INTEGER, "
    "ZACCOUNTTYPE INTEGER, ZPARENTACCOUNT INTEGER, ZDATE TIMESTAMP, "
    "ZLASTCREDENTIALRENEWALREJECTIONDATE TIMESTAMP, ZACCOUNTDESCRIPTION VARCHAR, "
    "ZAUTHENTICATIONTYPE VARCHAR, ZCREDENTIALTYPE VARCHAR, ZIDENTIFIER VARCHAR, "
    "ZOWNINGBUNDLEID VARCHAR, ZUSERNAME VARCHAR, ZDATACLASSPROPERTIES BLOB );"
    "CREATE TABLE ZACCOUNTTYPE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZENCRYPTACCOUNTPROPERTIES INTEGER, ZOBSOLETE INTEGER, ZSUPPORTSAUTHENTICATION INTEGER, "
    "ZSUPPORTSMULTIPLEACCOUNTS INTEGER, ZVISIBILITY INTEGER, ZACCOUNTTYPEDESCRIPTION VARCHAR, "
    "ZCREDENTIALPROTECTIONPOLICY VARCHAR, ZCREDENTIALTYPE VARCHAR, ZIDENTIFIER VARCHAR, "
    "ZOWNINGBUNDLEID VARCHAR );"
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER);"
)

SUBSCRIBER_SCHEMA = (
    "CREATE TABLE subscriber_info (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, subscriber_id "
    "TEXT, subscriber_mdn TEXT, tag INTEGER, last_update_time INTEGER, slot_id INTEGER, "
    "home_budget INTEGER, roaming_budget INTEGER, user_entered_bill_end_dom INTEGER, "
    "low_data_mode INTEGER, reliable_network_fallback INTEGER, smart_data_mode INTEGER);"
)


def _cocoa(when: datetime) -> float:
    return (when - COCOA).total_seconds()


def _naive(value: object) -> object:
    """plistlib (Python 3.11) writes naive datetimes only: aware UTC ones lose their zone."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, dict):
        return {key: _naive(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_naive(item) for item in value]
    return value


def _plist(value: object, binary_format: bool = True) -> bytes:
    value = _naive(value)
    return plistlib.dumps(
        value, fmt=plistlib.FMT_BINARY if binary_format else plistlib.FMT_XML, sort_keys=True
    )


def iphone_files() -> dict[str, bytes]:
    """The iPhone's identity files by absolute phone path."""
    files: dict[str, bytes] = {}
    files["/System/Library/CoreServices/SystemVersion.plist"] = _plist(
        {
            "ProductBuildVersion": IPHONE["build"],
            "ProductCopyright": "1983-2024 Apple Inc.",
            "ProductName": "iPhone OS",
            "ProductVersion": IPHONE["version"],
        },
        binary_format=False,
    )
    files["/private/var/preferences/SystemConfiguration/preferences.plist"] = _plist(
        {
            "System": {
                "System": {"ComputerName": IPHONE["name"], "ComputerNameEncoding": 0},
                "Network": {"HostNames": {"LocalHostName": "Supervisor-iPhone"}},
            }
        }
    )
    joined = utc(2024, 3, 1, 8, 55, 0)
    files["/private/var/preferences/com.apple.wifi.known-networks.plist"] = _plist(
        {
            "wifi.network.ssid.CC-Office": {
                "SSID": b"CC-Office",
                "AddedAt": utc(2024, 2, 1, 9, 0, 0),
                "JoinedByUserAt": utc(2024, 2, 1, 9, 0, 5),
                "JoinedBySystemAt": joined,
                "BSSList": [{"BSSID": "0:0:5e:0:53:1", "Channel": 6, "LastAssociatedAt": joined}],
                "SupportedSecurityTypes": "WPA2 Personal",
                "Hidden": False,
            }
        }
    )
    digits = IPHONE["number"].replace(" ", "").lstrip("+")
    files["/private/var/wireless/Library/Preferences/com.apple.commcenter.plist"] = _plist(
        {
            "PhoneNumber": digits,
            "LastKnownICCID": IPHONE["iccid"],
            "lastKnownOSVersion": IPHONE["version"],
            "PersonalWallet": {
                IPHONE["iccid"]: {
                    "SubscriptionConfiguration": {"IMSI": IPHONE["imsi"]},
                    "phonebook": {"CopiedSIMPhoneNumber": "+" + digits},
                }
            },
        }
    )
    files[
        "/private/var/wireless/Library/Preferences/com.apple.commcenter.device_specific_nobackup.plist"
    ] = _plist(
        {
            "imeis": [
                {"first": "1:kOne", "second": IPHONE["imei"]},
                {"first": "2:kTwo", "second": IPHONE["imei2"]},
            ],
            "meid": IPHONE["imei"][:14],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        usage = _sqlite(
            Path(folder) / "CellularUsage.db",
            SUBSCRIBER_SCHEMA,
            [
                (
                    "INSERT INTO subscriber_info (subscriber_id, subscriber_mdn, tag, "
                    "last_update_time, slot_id) VALUES (?, ?, ?, ?, ?)",
                    (IPHONE["iccid"], digits, 0, int(_cocoa(utc(2024, 3, 1, 8, 0, 0))), 1),
                )
            ],
        )
        files["/private/var/wireless/Library/Databases/CellularUsage.db"] = usage.read_bytes()
        accounts = _sqlite(
            Path(folder) / "Accounts3.sqlite",
            ACCOUNT_SCHEMA,
            [
                (
                    "INSERT INTO ZACCOUNTTYPE (Z_PK, Z_ENT, Z_OPT, ZACCOUNTTYPEDESCRIPTION, "
                    "ZIDENTIFIER) VALUES (?, 4, 1, ?, ?)",
                    (1, "iCloud", "com.apple.account.AppleAccount"),
                ),
                (
                    "INSERT INTO ZACCOUNT (Z_PK, Z_ENT, Z_OPT, ZACTIVE, ZACCOUNTTYPE, ZDATE, "
                    "ZACCOUNTDESCRIPTION, ZIDENTIFIER, ZOWNINGBUNDLEID, ZUSERNAME) VALUES "
                    "(?, 2, 1, 1, 1, ?, ?, ?, ?, ?)",
                    (
                        1,
                        _cocoa(utc(2024, 1, 20, 14, 0, 0)),
                        "iCloud",
                        "6D3E2F10-0000-4000-8000-000000000001",
                        "com.apple.purplebuddy",
                        IPHONE["apple_id"],
                    ),
                ),
            ],
        )
        files["/private/var/mobile/Library/Accounts/Accounts3.sqlite"] = accounts.read_bytes()
    return files


def populate_iphone_files(root: Path) -> None:
    """Write the iPhone's file-system identity files under ``root``."""
    for path, data in iphone_files().items():
        _write(root / path.lstrip("/"), data, IPHONE_BACKUP_DATE)


# Phone path -> (domain, relative path) for the files the backups hold.
BACKUP_DOMAINS = {
    "/private/var/preferences/": "SystemPreferencesDomain",
    "/private/var/wireless/": "WirelessDomain",
    "/private/var/mobile/": "HomeDomain",
}


def _domain_of(path: str) -> tuple[str, str] | None:
    for prefix, domain in BACKUP_DOMAINS.items():
        if path.startswith(prefix):
            return domain, path[len(prefix) :]
    return None


def _mbfile(relative: str, size: int, mode: int, protection: int, wrapped: bytes | None) -> bytes:
    """The NSKeyedArchiver MBFile that Manifest.db's ``file`` column holds."""
    when = int(IPHONE_BACKUP_DATE.timestamp())
    root: dict[str, object] = {
        "$class": plistlib.UID(3),
        "RelativePath": plistlib.UID(2),
        "Birth": when - 86400,
        "LastModified": when,
        "LastStatusChange": when,
        "Size": size,
        "Mode": mode,
        "Flags": 0,
        "GroupID": 501,
        "UserID": 501,
        "InodeNumber": int(hashlib.sha1(relative.encode()).hexdigest()[:6], 16),
        "ProtectionClass": protection,
    }
    objects: list[object] = [
        "$null",
        root,
        relative,
        {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]},
    ]
    if wrapped is not None:
        root["EncryptionKey"] = plistlib.UID(4)
        objects += [
            {"NS.data": struct.pack("<l", protection) + wrapped, "$class": plistlib.UID(5)},
            {"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]},
        ]
    return _plist(
        {
            "$version": 100000,
            "$archiver": "NSKeyedArchiver",
            "$top": {"root": plistlib.UID(1)},
            "$objects": objects,
        }
    )


def _key(label: str) -> bytes:
    """A fixed 32-byte key for ``label`` (deterministic fixtures)."""
    return hashlib.sha256(f"triage fixture {label}".encode()).digest()


@dataclass
class _Keybag:
    """The backup keybag: a passphrase-derived key wraps one key per protection class."""

    password: str
    classes: dict[int, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.salt = _key("SALT")[:20]
        self.dpsl = _key("DPSL")[:20]
        for protection in (1, 2, 3, 4):
            self.classes[protection] = _key(f"class {protection}")

    def passphrase_key(self) -> bytes:
        round1 = hashlib.pbkdf2_hmac("sha256", self.password.encode(), self.dpsl, KEYBAG_DPIC, 32)
        return hashlib.pbkdf2_hmac("sha1", round1, self.salt, KEYBAG_ITER, 32)

    def blob(self) -> bytes:
        from Crypto.Cipher import AES  # noqa: PLC0415 - pycryptodome, as iphone_backup_decrypt

        def tlv(tag: bytes, data: bytes) -> bytes:
            return tag + struct.pack(">L", len(data)) + data

        def u32(number: int) -> bytes:
            return struct.pack(">L", number)

        out = (
            tlv(b"VERS", u32(3))
            + tlv(b"TYPE", u32(1))
            + tlv(b"UUID", _key("keybag uuid")[:16])
            + tlv(b"HMCK", _key("hmck") + bytes(8))
            + tlv(b"WRAP", u32(0))
            + tlv(b"SALT", self.salt)
            + tlv(b"ITER", u32(KEYBAG_ITER))
            + tlv(b"DPWT", u32(1))
            + tlv(b"DPIC", u32(KEYBAG_DPIC))
            + tlv(b"DPSL", self.dpsl)
        )
        kek = self.passphrase_key()
        for protection, key in self.classes.items():
            out += (
                tlv(b"UUID", _key(f"class uuid {protection}")[:16])
                + tlv(b"CLAS", u32(protection))
                + tlv(b"WRAP", u32(2))
                + tlv(b"KTYP", u32(0))
                + tlv(b"WPKY", AES.new(kek, AES.MODE_KW).seal(key))
            )
        return out

    def wrap(self, protection: int, key: bytes) -> bytes:
        from Crypto.Cipher import AES  # noqa: PLC0415

        return AES.new(self.classes[protection], AES.MODE_KW).seal(key)


def _encrypt(key: bytes, data: bytes) -> bytes:
    from Crypto.Cipher import AES  # noqa: PLC0415

    pad = 16 - len(data) % 16
    return AES.new(key, AES.MODE_CBC, iv=bytes(16)).encrypt(data + bytes([pad]) * pad)


def _info_plist() -> dict[str, object]:
    return {
        "Build Version": IPHONE["build"],
        "Device Name": IPHONE["name"],
        "Display Name": IPHONE["name"],
        "GUID": "8F3A6C1E2B4D4E6F8A9B0C1D2E3F4A5B",
        "ICCID": IPHONE["iccid"],
        "IMEI": IPHONE["imei"],
        "IMEI 2": IPHONE["imei2"],
        "Installed Applications": list(IPHONE_APPS),
        "Last Backup Date": IPHONE_BACKUP_DATE,
        "MEID": IPHONE["imei"][:14],
        "Phone Number": IPHONE["number"],
        "Product Name": IPHONE["product_name"],
        "Product Type": IPHONE["product_type"],
        "Product Version": IPHONE["version"],
        "Serial Number": IPHONE["serial"],
        "Target Identifier": IPHONE["udid"],
        "Target Type": "Device",
        "Unique Identifier": IPHONE["udid"],
        "iTunes Version": "12.13.1.3",
    }


def build_backup(folder: Path, password: str | None) -> None:
    """An iTunes backup of the iPhone files into ``folder`` (encrypted when a password is given)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    keybag = _Keybag(password) if password else None
    rows = []
    directories = sorted({("HomeDomain", "Library"), ("WirelessDomain", "Library")})
    for domain, relative in directories:
        file_id = hashlib.sha1(f"{domain}-{relative}".encode()).hexdigest()
        rows.append((file_id, domain, relative, 2, _mbfile(relative, 0, 0o40755, 0, None)))
    for index, (path, data) in enumerate(sorted(iphone_files().items())):
        found = _domain_of(path)
        if found is None or "nobackup" in path:
            continue  # iOS leaves *nobackup* files out of backups
        domain, relative = found
        file_id = hashlib.sha1(f"{domain}-{relative}".encode()).hexdigest()
        protection = 3 if index % 2 else 4
        wrapped = None
        stored = data
        if keybag is not None:
            file_key = _key(f"file {file_id}")
            wrapped = keybag.wrap(protection, file_key)
            stored = _encrypt(file_key, data)
        rows.append(
            (
                file_id,
                domain,
                relative,
                1,
                _mbfile(relative, len(data), 0o100644, protection, wrapped),
            )
        )
        target = folder / file_id[:2] / file_id
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stored)
    with tempfile.TemporaryDirectory() as scratch:
        manifest_db = _sqlite(
            Path(scratch) / "Manifest.db",
            "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
            "flags INTEGER, file BLOB);"
            "CREATE INDEX FilesDomainIdx ON Files(domain);"
            "CREATE INDEX FilesRelativePathIdx ON Files(relativePath);"
            "CREATE INDEX FilesFlagsIdx ON Files(flags);"
            "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);",
            [("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", row) for row in rows],
        ).read_bytes()
    manifest: dict[str, object] = {
        "Applications": {
            app: {"CFBundleIdentifier": app, "ContainerContentClass": "Data/Application"}
            for app in IPHONE_APPS
        },
        "Date": IPHONE_BACKUP_DATE,
        "IsEncrypted": keybag is not None,
        "Lockdown": {
            "BuildVersion": IPHONE["build"],
            "DeviceName": IPHONE["name"],
            "ProductType": IPHONE["product_type"],
            "ProductVersion": IPHONE["version"],
            "SerialNumber": IPHONE["serial"],
            "UniqueDeviceID": IPHONE["udid"],
        },
        "SystemDomainsVersion": "24.0",
        "Version": "10.0",
        "WasPasscodeSet": True,
    }
    if keybag is not None:
        manifest_key = _key("manifest")
        manifest["BackupKeyBag"] = keybag.blob()
        manifest["ManifestKey"] = struct.pack("<l", 4) + keybag.wrap(4, manifest_key)
        manifest_db = _encrypt(manifest_key, manifest_db)
    (folder / "Manifest.db").write_bytes(manifest_db)
    (folder / "Manifest.plist").write_bytes(_plist(manifest))
    (folder / "Info.plist").write_bytes(_plist(_info_plist(), binary_format=False))
    (folder / "Status.plist").write_bytes(
        _plist(
            {
                "BackupState": "new",
                "Date": IPHONE_BACKUP_DATE,
                "IsFullBackup": False,
                "SnapshotState": "finished",
                "UUID": "5C7A2E1B-0F3D-4A6B-9C8E-7D6F5A4B3C2D",
                "Version": "3.3",
            }
        )
    )
    for path in folder.rglob("*"):
        os.utime(path, (IPHONE_BACKUP_DATE.timestamp(), IPHONE_BACKUP_DATE.timestamp()))


# -------------------------------------------------------------------------------------------------
# Read-back checks and main.
# -------------------------------------------------------------------------------------------------
def _check_hive(path: Path, key: str, value: str, expected: object) -> None:
    from regipy.registry import RegistryHive  # noqa: PLC0415

    found = RegistryHive(str(path)).get_key(key).get_value(value)
    if found != expected:
        raise SystemExit(f"{path}: {key}\\{value} reads back as {found!r}, not {expected!r}")


def _check_encrypted(folder: Path) -> None:
    from iphone_backup_decrypt import EncryptedBackup  # noqa: PLC0415

    backup = EncryptedBackup(backup_directory=str(folder), passphrase=BACKUP_PASSWORD)
    data = backup.extract_file_as_bytes(
        "Library/Preferences/com.apple.commcenter.plist", domain_like="WirelessDomain"
    )
    if plistlib.loads(data)["LastKnownICCID"] != IPHONE["iccid"]:
        raise SystemExit(f"{folder}: the encrypted backup does not decrypt to the iPhone files")


def main() -> int:
    """Write every fixture under this folder and read each kind back."""
    laptop, phone, iphone = HERE / "laptop", HERE / "phone", HERE / "iphone"
    for folder in (laptop, phone, iphone):
        if folder.exists():
            shutil.rmtree(folder)
    populate_windows_laptop(laptop)
    populate_android_phone(phone)
    populate_iphone_files(iphone)
    build_backup(HERE / "iphone_backup", None)
    build_backup(HERE / "iphone_backup_encrypted", BACKUP_PASSWORD)
    config = laptop / "Windows" / "System32" / "config"
    _check_hive(
        config / "SYSTEM",
        "\\ControlSet001\\Control\\ComputerName\\ComputerName",
        "ComputerName",
        "CC-LAPTOP-01",
    )
    _check_hive(
        config / "SOFTWARE", "\\Microsoft\\Windows NT\\CurrentVersion", "CurrentBuild", "19045"
    )
    _check_encrypted(HERE / "iphone_backup_encrypted")
    sys.stdout.write(f"identity fixtures written under {HERE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
