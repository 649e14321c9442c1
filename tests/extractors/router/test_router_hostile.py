"""Hostile router evidence: every problem is recorded, nothing stops the scan."""

from __future__ import annotations

import gzip

from triage.extractors.router import base as router_base

from .fact_rows import brief, facts


def test_overlong_line_is_skipped_and_reported(router_scan, tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    long_line = "description " + "A" * (1 << 20) + "\n"
    (folder / "router-confg").write_text(
        "version 15.1\n!\nhostname Edge\n!\ninterface Gi0/0\n "
        + long_line
        + " ip address 10.0.0.1 255.255.255.0\n!\nend\n"
    )
    out = router_scan(folder, ["router.cisco"])
    assert brief(facts(out), "category", "key", "value") == [
        ("system", "platform", "Cisco IOS"),
        ("system", "firmware", "Cisco IOS 15.1"),
        ("system", "hostname", "Edge"),
        ("lan", "Gi0/0", "10.0.0.1/24"),
    ]
    assert [(p["message"], p["path"]) for p in out.problems()] == [
        ("line 6 is longer than 1048576 characters; skipped", "/router-confg"),
    ]


def test_truncated_backup_keeps_what_was_readable(router_scan, router_data, tmp_path):
    data = gzip.decompress(
        (router_data / "openwrt" / "backup-cc-gw-2024-03-01.tar.gz").read_bytes()
    )
    cut = tmp_path / "truncated.tar.gz"
    cut.write_bytes(gzip.compress(data[:5220], mtime=0))  # ends inside etc/config/system
    out = router_scan(cut)
    assert out.result.status == "done with problems"
    rows = facts(out)
    assert {row["source_path"] for row in rows} == {
        "/etc/config/dhcp",
        "/etc/config/firewall",
        "/etc/config/network",
    }
    assert len(rows) == 13
    problems = [(p["stage"], p["severity"], p["message"], p["path"]) for p in out.problems()]
    assert (
        "extract:router.openwrt",
        "warning",
        "could not read the start of the file: archive ends 237 bytes into this member",
        "/etc/config/system",
    ) in problems
    assert not any("crashed" in problem[2] for problem in problems)


def test_hostile_uci_values_and_syntax(router_scan, tmp_path):
    config = tmp_path / "router" / "etc" / "config"
    config.mkdir(parents=True)
    (config / "system").write_bytes(
        b"config system\n"
        b"\toption hostname '<script>alert(\"x\")</script>'\n"
        b"\toption description 'bell\x07 esc\x1b[2J nul-free \xff\xfe bytes'\n"
        b"\toption notes 'unterminated\n"
        b"option orphan 'x'\n"
        b"\x01\x7f garbage\n"
    )
    out = router_scan(tmp_path / "router", ["router.openwrt"])
    rows = facts(out)
    assert brief(rows, "key", "value") == [
        ("hostname", '<script>alert("x")</script>'),
        ("description", "bell\x07 esc\x1b[2J nul-free \ufffd\ufffd bytes"),
    ]
    messages = [p["message"] for p in out.problems()]
    assert messages[0] == "line 4: cannot read UCI statement (No closing quotation)"
    assert messages[1] == "line 6: unknown UCI keyword '\\x01\\x7f'"


def test_unterminated_banner_and_unbalanced_junos(router_scan, tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "edge.cfg").write_text(
        "version 12.4\nhostname Edge\n!\nbanner motd ^C\nWelcome\n"
        + "".join(f"line {n}\n" for n in range(250))
        + "interface Fa0/0\n ip address 10.1.1.1 255.255.255.0\n!\nend\n"
    )
    (folder / "srx.conf").write_text(
        "## Last commit: 2024-03-01 10:00:00 UTC by admin\nsystem {\n    host-name srx1;\n"
        "    services {\n        ssh;\n}\n}\n}\ninterfaces {\n    ge-0/0/0 {\n"
    )
    out = router_scan(folder)
    cisco = facts(out, "/edge.cfg")
    assert ("lan", "Fa0/0", "10.1.1.1/24") in brief(cisco)
    junos = facts(out, "/srx.conf")
    assert brief(junos, "key", "value", "time") == [
        ("last_commit", "2024-03-01 10:00:00 UTC by admin", "2024-03-01T10:00:00Z"),
        ("hostname", "srx1", None),
        ("service ssh", "enabled", None),
    ]
    assert sorted((p["path"], p["message"]) for p in out.problems()) == [
        (
            "/edge.cfg",
            "line 4: banner motd has no end delimiter within 200 lines; read as commands from here",
        ),
        ("/srx.conf", "configuration ends inside 2 open block(s)"),
        ("/srx.conf", "line 8: '}' without an open block"),
    ]


def test_utf16_capture_and_binary_lookalikes(router_scan, tmp_path):
    folder = tmp_path / "collected"
    folder.mkdir()
    (folder / "show_arp.txt").write_bytes(
        "Protocol  Address          Age (min)  Hardware Addr   Type   Interface\r\n"
        "Internet  192.168.1.23            3   001a.2b3c.4d5e  ARPA   Vlan1\r\n".encode("utf-16")
    )
    (folder / "photo.raw").write_bytes(b"\x00\x10JFIF" + b"hostname x\ninterface y\n" * 10)
    (folder / "export.rsc").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    out = router_scan(folder)
    assert brief(facts(out), "category", "ip", "mac", "detail") == [
        (
            "arp",
            "192.168.1.23",
            "00:1a:2b:3c:4d:5e",
            "interface Vlan1; age 3 min; type ARPA; show ip arp line 2",
        ),
    ]
    assert out.problems() == []


def test_runaway_file_is_cut_off(router_scan, tmp_path, monkeypatch):
    monkeypatch.setattr(router_base, "MAX_FACTS_PER_FILE", 3)
    folder = tmp_path / "leases"
    folder.mkdir()
    (folder / "dhcp.leases").write_text(
        "".join(f"0 00:00:00:00:00:{n:02x} 10.0.0.{n} h{n} *\n" for n in range(10))
    )
    out = router_scan(folder, ["router.dnsmasq_leases"])
    assert len(facts(out)) == 3
    assert [p["message"] for p in out.problems()] == [
        "more than 3 facts from one file; the rest was not read"
    ]
