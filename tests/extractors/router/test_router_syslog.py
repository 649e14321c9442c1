"""router.syslog: year-less BSD syslog, RFC 3339/5424, logread; laptop logs are refused."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

from triage.extractors.router.syslog import posix_offset, recognise_router_log

from .fact_rows import brief, facts

YEAR_NOTE = (
    "year 2024 taken from the file's modification time; router local time without a "
    "zone; stored as if UTC"
)


def _fixed_mtime(path, when: datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def test_yearless_syslog_takes_the_year_from_the_mtime(router_scan, router_data, tmp_path):
    folder = tmp_path / "syslog-server"
    folder.mkdir()
    target = folder / "router-syslog.log"
    shutil.copyfile(router_data / "syslog" / "router-syslog.log", target)
    _fixed_mtime(target, datetime(2024, 3, 2, 8, 0, tzinfo=UTC))
    out = router_scan(folder)
    assert out.problems() == []
    rows = facts(out)
    assert {row["extractor"] for row in rows} == {"router.syslog"}
    assert brief(
        rows, "key", "value", "mac", "ip", "hostname", "time", "time_raw", "time_note", "detail"
    ) == [
        (
            "dnsmasq-dhcp",
            "DHCPACK(br-lan) 192.168.1.23 00:1a:2b:3c:4d:5e CC-LAPTOP-01",
            "00:1a:2b:3c:4d:5e",
            "192.168.1.23",
            "CC-LAPTOP-01",
            "2024-03-01T09:50:01Z",
            "Mar 1 09:50:01",
            YEAR_NOTE,
            "host cc-gw; pid 1871",
        ),
        (
            "dropbear",
            "Child connection from 192.168.1.23:50122",
            None,
            "192.168.1.23",
            None,
            "2024-03-01T10:05:12Z",
            "Mar 1 10:05:12",
            YEAR_NOTE,
            "host cc-gw; pid 2210",
        ),
        (
            "dropbear",
            "Password auth succeeded for 'root' from 192.168.1.23:50122",
            None,
            "192.168.1.23",
            None,
            "2024-03-01T10:05:15Z",
            "Mar 1 10:05:15",
            YEAR_NOTE,
            "host cc-gw; pid 2210",
        ),
        (
            "dnsmasq-dhcp",
            "DHCPACK(br-lan) 192.168.1.45 02:11:22:33:44:55 Galaxy-A52",
            "02:11:22:33:44:55",
            "192.168.1.45",
            "Galaxy-A52",
            "2024-03-01T11:10:00Z",
            "Mar 1 11:10:00",
            YEAR_NOTE,
            "host cc-gw; pid 1871; priority 30",
        ),
    ]


def test_stamp_after_the_mtime_belongs_to_the_year_before(router_scan, tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    target = folder / "openwrt-syslog.log"
    target.write_text("Dec 31 23:59:58 cc-gw netifd: Interface 'wan' is now down\n")
    _fixed_mtime(target, datetime(2024, 1, 2, tzinfo=UTC))
    rows = facts(router_scan(folder))
    assert brief(rows, "time", "time_note") == [
        (
            "2023-12-31T23:59:58Z",
            "year 2023 taken from the file's modification time; router local time without a "
            "zone; stored as if UTC",
        ),
    ]


def test_rfc5424_rfc3339_and_mikrotik_lines(router_scan, tmp_path):
    folder = tmp_path / "collected"
    folder.mkdir()
    (folder / "router.log").write_text(
        "<30>1 2024-03-01T09:50:01.250+05:30 cc-gw dnsmasq-dhcp 1871 - - DHCPACK(br-lan) "
        "192.168.1.23 00:1a:2b:3c:4d:5e CC-LAPTOP-01\n"
        "2024-03-01T10:00:00Z cc-gw hostapd: phy0-ap0: AP-STA-CONNECTED 02:11:22:33:44:55\n"
        "Mar  1 10:01:00 192.168.88.1 dhcp,info defconf assigned 192.168.88.24 to "
        "00:1A:2B:3C:4D:60\n"
        "this line is not syslog\n"
    )
    _fixed_mtime(folder / "router.log", datetime(2024, 3, 1, 12, tzinfo=UTC))
    out = router_scan(folder, ["router.syslog"])
    assert brief(facts(out), "key", "mac", "ip", "time", "time_raw") == [
        (
            "dnsmasq-dhcp",
            "00:1a:2b:3c:4d:5e",
            "192.168.1.23",
            "2024-03-01T04:20:01.250000Z",
            "2024-03-01T09:50:01.250+05:30",
        ),
        ("hostapd", "02:11:22:33:44:55", None, "2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z"),
        (
            "dhcp,info",
            "00:1a:2b:3c:4d:60",
            "192.168.88.24",
            "2024-03-01T10:01:00Z",
            "Mar 1 10:01:00",
        ),
    ]
    assert [(p["severity"], p["message"]) for p in out.problems()] == [
        ("warning", "1 line(s) not in a known syslog format (first: line 4)"),
    ]


def test_laptop_syslog_is_refused(router_scan, tmp_path):
    root = tmp_path / "laptop"
    (root / "var" / "log").mkdir(parents=True)
    (root / "var" / "log" / "syslog").write_text(
        "Mar  1 09:00:00 laptop systemd[1]: Started Session 2 of user agent1.\n"
        "Mar  1 09:00:01 laptop dnsmasq-dhcp[900]: DHCPACK(virbr0) 192.168.122.5 "
        "52:54:00:12:34:56 vm\n"
        "Mar  1 09:00:02 laptop NetworkManager[700]: <info> device (wlp2s0): state change\n"
    )
    (root / "var" / "log" / "messages").write_text(
        "Mar  1 09:00:00 laptop kernel: usb 1-1: new high-speed USB device\n"
    )
    out = router_scan(root)
    assert out.records("router_facts") == []
    assert out.problems() == []


def test_recognise_and_posix_zones():
    assert recognise_router_log("Fri Mar  1 09:48:04 2024 daemon.notice pppd[1]: up\n")
    assert not recognise_router_log("Mar  1 09:00:00 host sshd[5]: Accepted password\n")
    assert posix_offset("UTC") == "+00:00"
    assert posix_offset("IST-5:30") == "+05:30"
    assert posix_offset("<+03>-3") == "+03:00"
    assert posix_offset("EST5") == "-05:00"
    assert posix_offset("CET-1CEST,M3.5.0,M10.5.0/3") is None
