"""router.openwrt (+ dnsmasq leases and logread) on router-01's sysupgrade backup, end to end."""

from __future__ import annotations

import hashlib
import importlib.util
import tarfile
from pathlib import Path

import pytest

from .fact_rows import brief, facts, scan_once

BACKUP = "openwrt/backup-cc-gw-2024-03-01.tar.gz"
FULL = ("category", "key", "value", "mac", "ip", "hostname", "detail")


def _builder(router_data: Path):
    spec = importlib.util.spec_from_file_location("build_router", router_data / "build_router.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def backup_scan(router_data, tmp_path_factory):
    """router-01's backup scanned once for this module, with every router extractor."""
    return scan_once(router_data / BACKUP, tmp_path_factory.mktemp("backup") / "out")


def test_backup_is_rebuilt_byte_for_byte(router_data, tmp_path):
    rebuilt = _builder(router_data).build_openwrt_backup(tmp_path / "backup.tar.gz")
    committed = (router_data / BACKUP).read_bytes()
    assert hashlib.sha256(rebuilt.read_bytes()).hexdigest() == hashlib.sha256(committed).hexdigest()
    with tarfile.open(router_data / BACKUP) as archive:
        members = archive.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {m.mtime for m in members} == {1709294400}
    assert committed[4:8] == b"\x00\x00\x00\x00"  # gzip header mtime 0


def test_identity_wan_and_isp_account(backup_scan):
    assert backup_scan.problems() == []
    rows = facts(backup_scan, "/etc/config/network")
    assert brief(rows, *FULL) == [
        ("lan", "lan", "192.168.1.1/24", None, "192.168.1.1", None, "proto static; device br-lan"),
        ("wan", "wan", "pppoe", None, None, None, "proto pppoe; device wan"),
        ("dns", "server", "1.1.1.1", None, "1.1.1.1", None, "interface wan; use peer DNS no"),
        ("dns", "server", "8.8.8.8", None, "8.8.8.8", None, "interface wan; use peer DNS no"),
        (
            "isp_account",
            "pppoe_username",
            "kol-cc-2231@isp.example",
            None,
            None,
            None,
            "interface wan (proto pppoe)",
        ),
        (
            "isp_account",
            "pppoe_password",
            "set (sha256:22ddea762115a9a3)",
            None,
            None,
            None,
            "interface wan (proto pppoe)",
        ),
    ]
    assert all(row["extractor"] == "router.openwrt" for row in rows)
    assert rows[0]["source_evidence"] == "backup-cc-gw-2024-03-01.tar.gz"
    assert len(rows[0]["source_sha256"]) == 64
    system = brief(facts(backup_scan, category="system"), "source_path", "key", "value")
    assert system == [
        ("/etc/config/dhcp", "dhcp_leasefile", "/tmp/dhcp.leases"),
        ("/etc/config/system", "hostname", "cc-gw"),
        ("/etc/config/system", "timezone", "UTC"),
        ("/etc/config/system", "log_file", "/var/log/messages"),
        ("/etc/config/system", "ntp_server", "0.openwrt.pool.ntp.org"),
        ("/etc/config/system", "ntp_server", "1.openwrt.pool.ntp.org"),
        ("/etc/openwrt_release", "firmware", "OpenWrt 23.05.2"),
    ]
    release = facts(backup_scan, "/etc/openwrt_release")[0]
    assert release["detail"] == (
        "revision r23630-842932a63d; target mediatek/filogic; arch aarch64_cortex-a53"
    )


def test_static_lease_forward_wifi_and_remote_admin(backup_scan):
    assert brief(facts(backup_scan, category="static_lease"), *FULL) == [
        (
            "static_lease",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "00:1a:2b:3c:4d:5e",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "section host (line 23)",
        ),
    ]
    assert brief(facts(backup_scan, category="forward"), *FULL) == [
        (
            "forward",
            "RDP-to-agent",
            "wan:3389 -> 192.168.1.23:3389 (tcp)",
            None,
            "192.168.1.23",
            None,
            "enabled; dest zone lan; section redirect (line 43)",
        ),
    ]
    # Allow-DHCP-Renew is a default rule: only the rule someone added shows.
    assert brief(facts(backup_scan, category="remote_admin"), "key", "value") == [
        ("Allow-SSH-WAN", "tcp port 22 open from wan"),
    ]
    assert brief(facts(backup_scan, category="wifi"), "key", "value", "detail") == [
        ("radio radio0", "channel 1; band 2g; country IN", None),
        (
            "ssid",
            "CC-Office",
            "mode ap; encryption psk2; key set (sha256:b08b419b1031e838); "
            "device radio0; network lan",
        ),
    ]
    assert brief(facts(backup_scan, "/etc/config/dhcp", category="lan"), "key", "value") == [
        ("dhcp lan", "start 100; limit 150; leasetime 12h"),
        ("dhcp wan", "disabled"),
    ]


def test_dhcp_leases_in_the_backup_are_expiry_times(backup_scan):
    rows = facts(backup_scan, "/tmp/dhcp.leases")
    assert brief(rows, "category", "key", "value", "mac", "ip", "hostname", "time", "time_raw") == [
        (
            "lease",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "00:1a:2b:3c:4d:5e",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "2024-03-01T21:50:01Z",
            "1709329801",
        ),
        (
            "lease",
            "192.168.1.45",
            "Galaxy-A52",
            "02:11:22:33:44:55",
            "192.168.1.45",
            "Galaxy-A52",
            "2024-03-01T23:10:00Z",
            "1709334600",
        ),
    ]
    assert {row["extractor"] for row in rows} == {"router.dnsmasq_leases"}
    assert all("EXPIRY" in row["time_note"] for row in rows)


def test_logread_lines_dated_with_the_routers_zone(backup_scan):
    rows = facts(backup_scan, "/var/log/messages")
    assert len(rows) == 8
    assert {row["extractor"] for row in rows} == {"router.syslog"}
    ack = [row for row in rows if row["value"].startswith("DHCPACK")]
    assert brief(ack, "key", "mac", "ip", "hostname", "time", "time_raw", "time_note") == [
        (
            "dnsmasq-dhcp",
            "00:1a:2b:3c:4d:5e",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "2024-03-01T09:50:01Z",
            "Fri Mar  1 09:50:01 2024",
            "router time zone 'UTC' from /etc/config/system",
        ),
        (
            "dnsmasq-dhcp",
            "02:11:22:33:44:55",
            "192.168.1.45",
            "Galaxy-A52",
            "2024-03-01T11:10:00Z",
            "Fri Mar  1 11:10:00 2024",
            "router time zone 'UTC' from /etc/config/system",
        ),
    ]
    assert rows[0]["value"] == "PAP authentication succeeded"
    assert rows[0]["detail"] == "daemon.notice; pid 1432"


def test_no_secret_is_stored_in_clear(backup_scan):
    text = repr(backup_scan.records("router_facts"))
    for secret in ("Fict1ve-PPPoE-Pass", "Fict1ve-WiFi-Key"):
        assert secret not in text


UCI_EXTRAS = {
    "etc/config/network": """
config interface 'wg0'
\toption proto 'wireguard'
\toption private_key 'cHJpdmF0ZS1rZXktZmljdGlvbmFs'
\toption listen_port '51820'
\tlist addresses '10.9.0.1/24'

config wireguard_wg0
\toption description 'agent-home'
\toption public_key 'cHVibGljLWtleS1maWN0aW9uYWw='
\toption endpoint_host '198.51.100.7'
\toption endpoint_port '51820'
\tlist allowed_ips '10.9.0.2/32'

config interface 'lan'
\toption proto 'static'
\toption ipaddr '10.1.0.1/16'
\toption gateway '10.1.0.254'
""",
    "etc/config/dropbear": """
config dropbear
\toption PasswordAuth 'on'
\toption RootPasswordAuth 'on'
\toption Port '2222'
""",
    "etc/config/uhttpd": """
config uhttpd 'main'
\tlist listen_http '0.0.0.0:80'
\tlist listen_https '0.0.0.0:443'
\toption redirect_https '1'
""",
    "etc/config/ddns": """
config service 'myddns_ipv4'
\toption enabled '1'
\toption service_name 'duckdns.org'
\toption lookup_host 'cc-office.duckdns.example'
\toption username 'NA'
\toption password 'Fict1ve-token'
""",
    "etc/config/dhcp": """
# quoting as uci commit writes it
config host
\toption name 'it'\\''s-phone'
\tlist mac '02:11:22:33:44:55'
\tlist mac '02-11-22-33-44-56'
\toption ip "192.168.1.45"

config domain
\toption name 'printer.lan'
\toption ip '192.168.1.9'
""",
    "etc/board.json": '{"model": {"id": "glinet,gl-mt3000", "name": "GL.iNet GL-MT3000"}}',
    "etc/banner": "  _______\n -----------\n OpenWrt 23.05.2, r23630-842932a63d\n -----------\n",
    "etc/dropbear/authorized_keys": (
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZpY3RpdmUta2V5LWJ5dGVzLWZvci10ZXN0aW5nLTAx "
        "agent1@CC-LAPTOP-01\n"
    ),
    "etc/shadow": "root:$1$abcdefgh$Fict1veHashValue0000:19783:0:99999:7:::\n"
    "daemon:*:0:0:99999:7:::\n",
}


def test_other_openwrt_files(router_scan, tmp_path):
    root = tmp_path / "router-folder"
    for name, text in UCI_EXTRAS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.lstrip("\n"), encoding="utf-8")
    out = router_scan(root, ["router.openwrt"])
    assert out.problems() == []
    rows = {(row["source_path"], row["category"], row["key"]): row for row in facts(out)}
    assert rows[("/etc/config/network", "vpn", "wg0")]["value"] == "10.9.0.1/24"
    peer = rows[("/etc/config/network", "vpn", "wireguard_peer")]
    assert (peer["value"], peer["ip"]) == ("agent-home", "198.51.100.7")
    assert peer["detail"] == (
        "interface wg0; endpoint 198.51.100.7:51820; allowed_ips "
        "10.9.0.2/32; public_key cHVibGljLWtleS1maWN0aW9uYWw="
    )
    assert rows[("/etc/config/network", "vpn", "wg0 private_key")]["value"].startswith("set (")
    assert rows[("/etc/config/network", "lan", "gateway")]["value"] == "10.1.0.254"
    assert rows[("/etc/config/dropbear", "remote_admin", "ssh (dropbear)")]["value"] == "port 2222"
    assert rows[("/etc/config/uhttpd", "remote_admin", "web ui (uhttpd main)")]["value"] == (
        "0.0.0.0:80 0.0.0.0:443"
    )
    ddns = rows[("/etc/config/ddns", "remote_admin", "ddns")]
    assert ddns["value"] == "cc-office.duckdns.example"
    assert "Fict1ve-token" not in ddns["detail"]
    leases = facts(out, "/etc/config/dhcp", category="static_lease")
    assert brief(leases, "value", "mac", "ip", "hostname") == [
        ("it's-phone", "02:11:22:33:44:55", "192.168.1.45", "it's-phone"),
        ("it's-phone", "02:11:22:33:44:56", "192.168.1.45", "it's-phone"),
    ]
    assert rows[("/etc/config/dhcp", "dns", "local_name")]["ip"] == "192.168.1.9"
    assert rows[("/etc/board.json", "system", "model")]["value"] == "GL.iNet GL-MT3000"
    assert rows[("/etc/banner", "system", "firmware")]["value"] == "OpenWrt 23.05.2"
    key = rows[("/etc/dropbear/authorized_keys", "remote_admin", "ssh_authorized_key")]
    assert key["value"] == "agent1@CC-LAPTOP-01"
    assert key["detail"].startswith("ssh-ed25519 SHA256:")
    root_user = rows[("/etc/shadow", "admin_user", "root")]
    assert root_user["value"].startswith("set (sha256:")
    assert root_user["time"] == "2024-03-01T00:00:00Z"  # day 19783
    assert "Fict1veHashValue" not in repr(facts(out))


def test_laptop_etc_files_are_not_read_as_openwrt(router_scan, tmp_path):
    root = tmp_path / "laptop"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "shadow").write_text("root:!:19000:0:99999:7:::\n")
    (root / "etc" / "banner").write_text("Authorized users only\n")
    (root / "etc" / "config").mkdir()
    (root / "etc" / "config" / "network").write_text("[main]\nplugins=ifupdown\n")
    out = router_scan(root)
    assert out.records("router_facts") == []
    assert out.problems() == []
