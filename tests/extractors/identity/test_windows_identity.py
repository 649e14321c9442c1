"""windows.identity on the laptop-01 fixture hives, on real hives from plaso, and on bad hives."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from types import ModuleType

import pytest

from triage.extractors.identity.facts import Facts
from triage.extractors.identity.registry import Hive
from triage.extractors.identity.windows_sam import parse_sam
from triage.extractors.identity.windows_user import parse_amcache, parse_ntuser
from triage.records import SourceRef

from .expected import fact

SID = "S-1-5-21-3241176421-1287654321-2894561230"
CONFIG = "/Windows/System32/config"
KEY_WRITTEN = "registry key last written (FILETIME)"
UNINSTALL_NOTE = "uninstall key last written (FILETIME): install or last update"


def test_laptop_01_identity(identity_data: Path, identity_scan) -> None:
    """Every fact of the story laptop, exactly, with the hive it came from; no problems."""
    out = identity_scan(identity_data / "laptop", "windows.identity")
    assert out.problems() == []
    assert out.facts(path=f"{CONFIG}/SYSTEM") == [
        fact(
            "os",
            "computer_name",
            "CC-LAPTOP-01",
            time="2024-03-01T09:45:00Z",
            time_raw="133537599000000000",
            time_note=KEY_WRITTEN,
        ),
        fact("network", "hostname", "CC-LAPTOP-01", detail="TCP/IP host name"),
        fact(
            "os",
            "timezone",
            "India Standard Time",
            detail="standard time UTC+05:30 (Bias -330 min); "
            "daylight India Daylight Time UTC+06:30",
        ),
        fact("device", "manufacturer", "Dell Inc.", detail="BIOS 1.28.0; BIOS date 11/14/2023"),
        fact("device", "model", "Latitude 5490"),
        fact(
            "network",
            "network_interface",
            "Wi-Fi",
            detail="adapter Intel(R) Dual Band Wireless-AC 8265; "
            "interface {0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9}",
        ),
        fact(
            "network",
            "network_interface",
            "Ethernet",
            detail="adapter Intel(R) Ethernet Connection (4) I219-LM; "
            "interface {6B5E2D1A-3C4F-4A8B-9D0E-1F2A3B4C5D6E}",
        ),
        fact(
            "network",
            "mac_address",
            "00:1a:2b:3c:4d:5e",
            detail="Ethernet: NetworkAddress set in the adapter's properties "
            "(Class\\{4d36e972-e325-11ce-bfc1-08002be10318}\\0001)",
            value_raw="001A2B3C4D5E",
        ),
        fact(
            "network",
            "ip_address",
            "192.168.1.23",
            time="2024-03-01T09:40:00Z",
            time_raw="1709286000",
            time_note="DHCP lease obtained (LeaseObtainedTime, Unix seconds)",
            detail="Ethernet (DHCP); mask 255.255.255.0; gateway 192.168.1.1; DHCP server "
            "192.168.1.1; domain lan; lease expires 2024-03-01T21:40:00Z; "
            "interface {6B5E2D1A-3C4F-4A8B-9D0E-1F2A3B4C5D6E}",
        ),
    ]
    assert out.facts(path=f"{CONFIG}/SOFTWARE") == [
        fact("os", "os_product", "Windows 10 Pro", detail="edition Professional"),
        fact("os", "os_version", "10.0", detail="release 22H2; CurrentVersion 6.3"),
        fact(
            "os",
            "os_build",
            "19045",
            detail="UBR 4046 (19045.4046); 19041.1.amd64fre.vb_release.191206-1406",
        ),
        fact(
            "os",
            "install_date",
            "2024-01-15T06:30:00Z",
            time="2024-01-15T06:30:00Z",
            time_raw="133497738000000000",
            time_note="InstallTime (FILETIME); the last feature upgrade resets it",
        ),
        fact("user", "registered_owner", "agent1"),
        fact(
            "user",
            "user_account",
            "agent1",
            time="2024-03-01T09:41:07Z",
            time_raw="133537596670000000",
            time_note="profile last loaded (LocalProfileLoadTimeHigh/Low, Windows 10+, FILETIME)",
            detail=f"{SID}-1001; profile C:\\Users\\agent1",
        ),
        fact(
            "network",
            "network_profile",
            "Network",
            time="2024-03-01T15:10:00Z",
            time_raw="e8070300050001000f000a0000000000",
            time_note="last connected; local time of the computer, stored without a time zone "
            "(SYSTEMTIME)",
            detail="wired network profile {9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A}; first "
            "connected 2024-01-15 12:05:00 (local time); DNS suffix lan; "
            "gateway MAC 00:00:5e:00:53:01",
        ),
        fact(
            "network",
            "gateway_mac",
            "00:00:5e:00:53:01",
            detail="default gateway of network Network",
        ),
        fact(
            "app",
            "installed_program",
            "Google Chrome",
            time="2024-01-15T07:02:00Z",
            time_raw="133497757200000000",
            time_note=UNINSTALL_NOTE,
            detail="version 122.0.6261.95; publisher Google LLC; installed 20240115 (local date)",
        ),
        fact(
            "app",
            "installed_program",
            "MicroSIP",
            time="2024-02-20T10:00:00Z",
            time_raw="133528968000000000",
            time_note=UNINSTALL_NOTE,
            detail="version 3.21.3; publisher www.microsip.org; installed 20240220 (local date)",
        ),
        fact(
            "app",
            "installed_program",
            "AnyDesk",
            time="2024-03-01T09:59:30Z",
            time_raw="133537607700000000",
            time_note=UNINSTALL_NOTE,
            detail="version 8.0.8; publisher AnyDesk Software GmbH; installed 20240301 "
            "(local date); 32-bit (WOW6432Node)",
        ),
        fact(
            "app",
            "installed_program",
            "TeamViewer",
            time="2024-02-20T10:30:00Z",
            time_raw="133528986000000000",
            time_note=UNINSTALL_NOTE,
            detail="version 15.51.5; publisher TeamViewer; installed 20240220 (local date); "
            "32-bit (WOW6432Node)",
        ),
    ]
    sam = out.facts(path=f"{CONFIG}/SAM")
    assert sam[0] == fact(
        "os", "machine_sid", SID, detail="local machine SID (SAM Account V value)"
    )
    assert [(row["value"], row["detail"].split(";")[0]) for row in sam[1:]] == [
        ("Administrator", f"{SID}-500"),
        ("Guest", f"{SID}-501"),
        ("DefaultAccount", f"{SID}-503"),
        ("agent1", f"{SID}-1001"),
    ]
    assert sam[4] == fact(
        "user",
        "user_account",
        "agent1",
        time="2024-03-01T09:41:07Z",
        time_raw="133537596670000000",
        time_note="last logon (SAM F value, FILETIME)",
        detail=f"{SID}-1001; RID 1001; logons 37; password set 2024-01-15T06:30:00Z; "
        "created about 2024-01-15T06:30:00Z (Names key written)",
    )
    assert "disabled" in sam[1]["detail"] and sam[1]["time"] is None
    assert out.facts(path="/Users/agent1/NTUSER.DAT") == [
        fact(
            "user",
            "user_profile",
            "agent1",
            time="2024-03-01T11:40:00Z",
            time_raw="133537668000000000",
            time_note="NTUSER.DAT last written (base block FILETIME): about the last logoff",
            detail="profile C:\\Users\\agent1; hive header name "
            "\\??\\C:\\Users\\agent1\\ntuser.dat; Desktop folder C:\\Users\\agent1\\Desktop",
        ),
        fact("user", "locale", "en-IN", detail="user agent1; country India"),
    ]
    # Provenance: every row names the evidence, its file and that file's SHA-256.
    for row in out.rows:
        assert row["source_evidence"] == "laptop"
        assert row["source_sha256"] and len(row["source_sha256"]) == 64
        assert row["extractor"] == "windows.identity"


def _hive(path: Path) -> Hive:
    return Hive(path)


def _facts() -> Facts:
    return Facts(SourceRef("corpus", "/hive"))


def test_real_sam_users_rids_and_logons(corpus: Path) -> None:
    """plaso's regf/SAM: three local accounts, as regipy's samparse and other tools read them."""
    facts = _facts()
    parse_sam(_hive(corpus / "registry" / "plaso_regf_SAM"), facts)
    rows = [(f.key, f.value, f.time, f.detail) for f in facts]
    machine = "S-1-5-21-4070822719-3404542230-2541167049"
    assert rows[0] == ("machine_sid", machine, None, "local machine SID (SAM Account V value)")
    users = {f.value: f for f in facts if f.key == "user_account"}
    assert list(users) == ["Administrator", "Guest", "gold_administrator"]
    admin = users["Administrator"]
    assert admin.detail is not None and admin.detail.startswith(f"{machine}-500; RID 500; ")
    assert "comment Built-in account for administering the computer/domain" in admin.detail
    assert "logons 3" in admin.detail and "; disabled;" in admin.detail
    assert admin.time is not None and admin.time.isoformat() == "2014-03-18T10:20:47.341426+00:00"
    gold = users["gold_administrator"]
    assert gold.detail is not None and gold.detail.startswith(f"{machine}-1001; RID 1001; logons 4")
    assert gold.time is not None and gold.time.isoformat() == "2016-10-11T19:52:35.969986+00:00"
    assert gold.time_raw == "131206891559699859"
    assert users["Guest"].time is None and "logons 0" in (users["Guest"].detail or "")
    assert facts.problems == []


@pytest.mark.parametrize(
    ("name", "user", "written", "profile"),
    [
        (
            "plaso_NTUSER-WIN7.DAT",
            "nfury",
            "2012-04-06T18:55:00.737446+00:00",
            "C:\\Users\\nfury",
        ),
        (
            "plaso_regf_NTUSER.DAT",
            "bperry",
            "2013-08-22T13:25:44.067284+00:00",
            "c:\\users\\bperry",
        ),
    ],
)
def test_real_ntuser_profiles(
    corpus: Path, name: str, user: str, written: str, profile: str
) -> None:
    """The user named by the hive's own header, its last write and the user's locale."""
    facts = _facts()
    parse_ntuser(_hive(corpus / "registry" / name), facts, PurePosixPath("/somewhere/x.dat"))
    profile_fact, locale = list(facts)
    assert (profile_fact.key, profile_fact.value) == ("user_profile", user)
    assert profile_fact.time is not None and profile_fact.time.isoformat() == written
    assert profile_fact.detail is not None and profile_fact.detail.startswith(f"profile {profile};")
    assert (locale.key, locale.value, locale.detail) == (
        "locale",
        "en-US",
        f"user {user}; country United States",
    )


def test_real_amcache_applications(corpus: Path) -> None:
    """plaso's win10-Amcache.hve lists 75 InventoryApplication entries."""
    facts = _facts()
    parse_amcache(_hive(corpus / "registry" / "plaso_win10-Amcache.hve"), facts)
    programs = {f.value: f for f in facts}
    assert len(facts) == 75 and len(programs) == 75
    skype = programs["Microsoft.SkypeApp"]
    assert skype.detail is not None
    assert skype.detail.startswith("Amcache; version 14.35.152.0; publisher CN=Skype Software Sarl")
    assert skype.time is not None and skype.time.isoformat() == "2019-12-16T21:05:49.068976+00:00"


def test_real_hives_through_the_pipeline(corpus: Path, tmp_path: Path, identity_scan) -> None:
    """The real SAM and NTUSER.DAT at their Windows paths: facts with provenance, no problems."""
    root = tmp_path / "laptop"
    (root / "Windows/System32/config").mkdir(parents=True)
    (root / "Users/nfury").mkdir(parents=True)
    shutil.copy(corpus / "registry/plaso_regf_SAM", root / "Windows/System32/config/SAM")
    shutil.copy(corpus / "registry/plaso_NTUSER-WIN7.DAT", root / "Users/nfury/NTUSER.DAT")
    out = identity_scan(root, "windows.identity")
    assert out.problems() == []
    assert out.values("user_account") == ["Administrator", "Guest", "gold_administrator"]
    assert out.values("user_profile") == ["nfury"]
    sha = {row["source_path"]: row["source_sha256"] for row in out.rows}
    assert sha["/Windows/System32/config/SAM"] == (
        "ce88f84842d5048550542126c1d9cc15ba7dea0486996dc1c814bf8a2d9351ea"
    )


def _write_hive(build_identity: ModuleType, path: Path, root, name: str, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_identity.build_hive(root, name, 133537599000000000, **kw))
    return path


def test_windows_11_static_address_and_accounts(
    build_identity: ModuleType, tmp_path: Path, identity_scan
) -> None:
    """Build 22631 is Windows 11 whatever ProductName says; static IPs; Microsoft accounts."""
    b = build_identity
    software = b.Key("ROOT")
    current = software.key("Microsoft\\Windows NT\\CurrentVersion")
    current.set("ProductName", *b.sz("Windows 10 Home"))
    current.set("CurrentBuild", *b.sz("22631"))
    current.set("InstallDate", *b.dword(1700000000))
    system = b.Key("ROOT")
    system.key("Select").set("Current", *b.dword(2))
    interface = system.key("ControlSet002\\Services\\Tcpip\\Parameters\\Interfaces\\{X}")
    interface.set("EnableDHCP", *b.dword(0))
    interface.set("IPAddress", *b.multi_sz("10.0.0.5", "10.0.0.6"))
    interface.set("SubnetMask", *b.multi_sz("255.0.0.0"))
    ntuser = b.Key("ROOT")
    crl = "Software\\Microsoft\\IdentityCRL\\UserExtendedProperties\\agent1@outlook.example"
    ntuser.key(crl).set("cid", *b.sz("0123456789abcdef"))
    ntuser.key("Software\\Microsoft\\OneDrive\\Accounts\\Personal").set(
        "UserEmail", *b.sz("agent1@outlook.example")
    )
    config = tmp_path / "pc/Windows/System32/config"
    _write_hive(b, config / "SOFTWARE", software, "\\REGISTRY\\MACHINE\\SOFTWARE")
    _write_hive(b, config / "SYSTEM", system, "\\REGISTRY\\MACHINE\\SYSTEM")
    _write_hive(b, tmp_path / "pc/Users/bob/NTUSER.DAT", ntuser, "\\??\\C:\\Users\\bob\\ntuser.dat")
    out = identity_scan(tmp_path / "pc", "windows.identity")
    assert out.problems() == []
    assert out.facts("os_product")[0]["detail"] == (
        "build 22631 is Windows 11 (ProductName keeps saying Windows 10)"
    )
    assert out.facts("install_date")[0]["time"] == "2023-11-14T22:13:20Z"
    assert out.facts("install_date")[0]["time_note"].startswith("InstallDate (Unix seconds)")
    assert [(row["value"], row["detail"]) for row in out.facts("ip_address")] == [
        ("10.0.0.5", "{X} (static); mask 255.0.0.0; interface {X}"),
        ("10.0.0.6", "{X} (static); mask 255.0.0.0; interface {X}"),
    ]
    assert [(row["value"], row["detail"]) for row in out.facts("account")] == [
        ("agent1@outlook.example", "Microsoft account of Windows user bob (IdentityCRL)"),
        ("agent1@outlook.example", "OneDrive account (Personal) of Windows user bob"),
    ]


def test_hostile_and_broken_hives(
    build_identity: ModuleType, tmp_path: Path, identity_scan
) -> None:
    """Garbage, a truncated hive, a dirty hive, hostile strings: problems, never a crash."""
    b = build_identity
    config = tmp_path / "pc/Windows/System32/config"
    config.mkdir(parents=True)
    (config / "SAM").write_bytes(b"MZ not a hive at all" * 100)
    (config / "SOFTWARE").write_bytes(b.software_hive()[:4200])  # base block + a few cells
    system = b.Key("ROOT")
    system.key("Select").set("Current", *b.dword(1))
    name = "CC-<script>alert(1)</script>\x07\x1b[31m"
    system.key("ControlSet001\\Control\\ComputerName\\ComputerName").set(
        "ComputerName", *b.sz(name)
    )
    _write_hive(b, config / "SYSTEM", system, "SYSTEM", sequence=(5, 4))
    out = identity_scan(tmp_path / "pc", "windows.identity")
    problems = out.problems()
    assert ("error", "not a registry hive (no 'regf' signature)", f"{CONFIG}/SAM") in problems
    assert (
        "warning",
        "hive was not cleanly closed (sequence numbers 5 and 4); no transaction log "
        "(.LOG1/.LOG2) beside it, so its newest changes may be missing",
        f"{CONFIG}/SYSTEM",
    ) in problems
    software = [p for p in problems if p[2] == f"{CONFIG}/SOFTWARE"]
    assert len(software) == 1 and software[0][1].startswith("cannot be read: ")
    assert out.values("computer_name") == ["CC-<script>alert(1)</script>\\x07\\x1b[31m"]


def test_missing_control_set_is_a_problem(
    build_identity: ModuleType, tmp_path: Path, identity_scan
) -> None:
    """A SYSTEM hive without any control set says so."""
    b = build_identity
    system = b.Key("ROOT")
    system.key("Select").set("Current", *b.dword(3))
    _write_hive(b, tmp_path / "pc/Windows/System32/config/SYSTEM", system, "SYSTEM")
    out = identity_scan(tmp_path / "pc", "windows.identity")
    assert out.rows == []
    assert out.problems() == [
        (
            "error",
            "no control set (Select\\Current, ControlSet001) in this SYSTEM hive",
            f"{CONFIG}/SYSTEM",
        )
    ]


def test_populate_windows_laptop_matches_the_committed_fixture(
    build_identity: ModuleType, identity_data: Path, tmp_path: Path
) -> None:
    """The demo builder writes exactly the committed hives (deterministic), clean and readable."""
    build_identity.populate_windows_laptop(tmp_path / "laptop")
    committed = identity_data / "laptop"
    names = sorted(str(p.relative_to(committed)) for p in committed.rglob("*") if p.is_file())
    assert names == [
        "Users/agent1/NTUSER.DAT",
        "Windows/System32/config/SAM",
        "Windows/System32/config/SOFTWARE",
        "Windows/System32/config/SYSTEM",
    ]
    for name in names:
        assert (tmp_path / "laptop" / name).read_bytes() == (committed / name).read_bytes(), name
        hive = Hive(committed / name)
        assert not hive.dirty and hive.key("\\") is not None
