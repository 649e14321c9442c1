"""router.dnsmasq_leases and router.mikrotik on the project's fixtures, plus hostile leases."""

from __future__ import annotations

from triage.extractors.router.mikrotik_script import logical_lines, parse_commands, unquote

from .fact_rows import brief, facts

LEASE_FIELDS = ("key", "value", "mac", "ip", "hostname", "time", "time_raw", "time_note")


def test_dnsmasq_leases(router_scan, router_data):
    out = router_scan(router_data / "dnsmasq")
    assert out.problems() == []
    rows = facts(out)
    assert {row["extractor"] for row in rows} == {"router.dnsmasq_leases"}
    expiry = "lease EXPIRY time (dnsmasq leases file, Unix seconds UTC), not the grant time"
    assert brief(rows, *LEASE_FIELDS) == [
        (
            "192.168.1.23",
            "CC-LAPTOP-01",
            "00:1a:2b:3c:4d:5e",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "2024-03-01T21:50:01Z",
            "1709329801",
            expiry,
        ),
        (
            "192.168.1.45",
            "Galaxy-A52",
            "02:11:22:33:44:55",
            "192.168.1.45",
            "Galaxy-A52",
            "2024-03-01T23:10:00Z",
            "1709334600",
            expiry,
        ),
        (
            "192.168.1.60",
            "3c:4d:5e:6f:70:81",
            "3c:4d:5e:6f:70:81",
            "192.168.1.60",
            None,
            None,
            "0",
            "infinite lease (expiry 0)",
        ),
        (
            "fd3c:1a2b:3c4d::45",
            "Galaxy-A52",
            None,
            "fd3c:1a2b:3c4d::45",
            "Galaxy-A52",
            "2024-03-01T23:10:00Z",
            "1709334600",
            expiry,
        ),
    ]
    assert rows[0]["detail"] == (
        "lease expires (first field is expiry); client-id 01:00:1a:2b:3c:4d:5e; line 1"
    )
    assert rows[3]["detail"] == (
        "lease expires (first field is expiry); DHCPv6 lease; IAID 287454020; client DUID "
        "00:04:5a:11:22:33:44:55:66:77; server DUID 00:01:00:01:2d:5e:8a:10:aa:bb:cc:dd:ee:ff"
    )


def test_hostile_lease_lines_are_kept_verbatim_or_reported(router_scan, tmp_path):
    folder = tmp_path / "collected"
    folder.mkdir()
    (folder / "dhcp.leases").write_bytes(
        b"1709329801 00:1a:2b:3c:4d:5e 192.168.1.23 <script>alert(1)</script> *\n"
        b"garbage line \x1b[31m here\n"
        b"99999999999 0a-1b-2c-3d-4e-5f 192.168.1.77 host\x07bell *\n"
        b"1709329801 06-aa:bb:cc:dd:ee:ff 192.168.1.78 ieee802 *\n"
    )
    (folder / "binary.leases").write_bytes(b"\x00\x01\x02 not a lease file")
    out = router_scan(folder, ["router.dnsmasq_leases"])
    rows = facts(out)
    assert brief(rows, "value", "mac", "hostname", "time") == [
        (
            "<script>alert(1)</script>",
            "00:1a:2b:3c:4d:5e",
            "<script>alert(1)</script>",
            "2024-03-01T21:50:01Z",
        ),
        ("host\x07bell", "0a:1b:2c:3d:4e:5f", "host\x07bell", None),
        ("ieee802", "aa:bb:cc:dd:ee:ff", "ieee802", "2024-03-01T21:50:01Z"),
    ]
    assert rows[1]["time_note"].startswith("expiry out of range")
    assert "hardware type 06" in rows[2]["detail"]
    assert [(p["severity"], p["message"], p["path"]) for p in out.problems()] == [
        ("warning", "line 2: not a dnsmasq lease line", "/dhcp.leases"),
    ]


def test_mikrotik_export(router_scan, router_data):
    out = router_scan(router_data / "mikrotik")
    assert out.problems() == []
    rows = facts(out)
    assert {row["extractor"] for row in rows} == {"router.mikrotik"}
    by_category = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row)
    assert brief(by_category["system"], "key", "value") == [
        ("firmware", "RouterOS 6.49.10"),
        ("exported", "mar/01/2024 08:15:42"),
        ("software_id", "FX7K-Q2ZP"),
        ("model", "RB952Ui-5ac2nD"),
        ("serial", "HG1234567AB"),
        ("timezone", "Asia/Kolkata"),
        ("hostname", "cc-branch-mt"),
        ("log_server", "192.168.88.5"),
        ("ntp_server", "162.159.200.1"),
        ("ntp_server", "162.159.200.123"),
    ]
    exported = by_category["system"][1]
    assert (exported["time"], exported["time_note"]) == (
        "2024-03-01T08:15:42Z",
        "router local time without a zone; stored as if UTC",
    )
    assert brief(by_category["isp_account"], "key", "value", "detail") == [
        ("pppoe_username", "kol-cc-branch@isp.example", "interface pppoe-out1; on ether1"),
        ("pppoe_password", "set (sha256:d3991afd164cafd3)", "interface pppoe-out1; on ether1"),
    ]
    assert brief(by_category["static_lease"], "key", "value", "mac", "ip", "detail") == [
        (
            "192.168.88.24",
            'CC-LAPTOP-02 "agent2"',
            "00:1a:2b:3c:4d:60",
            "192.168.88.24",
            'comment CC-LAPTOP-02 "agent2"; server defconf; client-id 1:0:1a:2b:3c:4d:60',
        ),
    ]
    assert brief(by_category["forward"], "key", "value", "ip", "detail") == [
        (
            "TeamViewer to agent2",
            "pppoe-out1:5938 -> 192.168.88.24:5938 (tcp)",
            "192.168.88.24",
            "action dst-nat",
        ),
    ]
    assert brief(by_category["dns"], "key", "value") == [
        ("dhcp_dns_server", "192.168.88.1"),
        ("server", "8.8.8.8"),
        ("server", "1.1.1.1"),
        ("local_name", "router.lan"),
    ]
    assert brief(by_category["remote_admin"], "key", "value") == [
        ("ddns (ip cloud)", "ddns-enabled yes"),
        ("winbox from WAN", "tcp port 8291 open from WAN"),
        ("service telnet", "disabled"),
        ("service ftp", "disabled"),
        ("service www", "enabled"),
    ]
    assert brief(by_category["vpn"], "key", "value") == [
        ("l2tp-server", "enabled yes"),
        ("ppp secret", "remote-agent"),
    ]
    assert brief(by_category["wifi"], "key", "value") == [
        ("security profile office", "wpa2-psk"),
        ("ssid", "CC-Branch"),
    ]
    assert brief(by_category["lan"], "key", "value") == [
        ("pool dhcp", "192.168.88.10-192.168.88.254"),
        ("dhcp defconf", "bridge"),
        ("bridge", "192.168.88.1/24"),
        ("dhcp network", "192.168.88.0/24"),
    ]
    assert brief(by_category["admin_user"], "key", "value") == [("agent-admin", "full")]
    assert "Fict1ve" not in repr(rows)


def test_routeros_quoting_and_continuations():
    assert unquote('"say \\"hi\\"\\_there\\C3\\A9"') == 'say "hi" thereé'
    lines = [
        (1, "/ip firewall nat add action=dst-nat \\"),
        (2, "    to-ports=22 comment=x"),
        (3, "/ip dns set servers=1.1.1.1"),
        (4, "set [ find default-name=wlan1 ] ssid=A"),
    ]
    assert list(logical_lines(lines))[0] == (
        1,
        "/ip firewall nat add action=dst-nat to-ports=22 comment=x",
    )
    commands = list(parse_commands(lines))
    assert [(c.path, c.verb, c.args) for c in commands] == [
        ("ip firewall nat", "add", {"action": "dst-nat", "to-ports": "22", "comment": "x"}),
        ("ip dns", "set", {"servers": "1.1.1.1"}),
        ("ip dns", "set", {"ssid": "A"}),
    ]
    assert commands[2].target() == "wlan1"
