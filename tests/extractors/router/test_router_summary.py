"""router_summary: identity, clients, forwards, remote admin and DNS from router_facts."""

from __future__ import annotations

from triage.extractors.router.summary import router_summary
from triage.records import RouterFact, SourceRef
from triage.store import DeviceStore

SOURCE = SourceRef("router-01", "/etc/config/dhcp", None, None, "ab" * 32, 7)


def _store(tmp_path, facts):
    store = DeviceStore(tmp_path / "triage.sqlite")
    store.add_records("router.test", facts)
    return store


def test_empty_store_gives_an_empty_summary(tmp_path):
    store = DeviceStore(tmp_path / "triage.sqlite")
    try:
        summary = router_summary(store)
    finally:
        store.close()
    assert summary == {
        "identity": {
            "hostname": [],
            "model": [],
            "serial": [],
            "firmware": [],
            "platform": [],
            "isp_account": [],
        },
        "clients": [],
        "forwards": [],
        "remote_admin": [],
        "dns": [],
        "counts": {},
        "truncated": False,
    }


def test_clients_are_merged_per_mac_and_sorted_by_ip(tmp_path):
    facts = [
        RouterFact(SOURCE, "system", "hostname", "cc-gw"),
        RouterFact(SOURCE, "system", "hostname", "cc-gw"),
        RouterFact(SOURCE, "isp_account", "pppoe_username", "kol@isp.example", detail="wan"),
        RouterFact(SOURCE, "isp_account", "pppoe_password", "set (sha256:00)"),
        RouterFact(
            SOURCE,
            "lease",
            "192.168.1.45",
            "Galaxy-A52",
            mac="02:11:22:33:44:55",
            ip="192.168.1.45",
            hostname="Galaxy-A52",
        ),
        RouterFact(
            SOURCE,
            "static_lease",
            "192.168.1.23",
            "CC-LAPTOP-01",
            mac="00:1a:2b:3c:4d:5e",
            ip="192.168.1.23",
            hostname="CC-LAPTOP-01",
        ),
        RouterFact(
            SOURCE,
            "lease",
            "192.168.1.23",
            "CC-LAPTOP-01",
            mac="00:1a:2b:3c:4d:5e",
            ip="192.168.1.23",
            hostname="CC-LAPTOP-01",
            time=__import__("datetime").datetime(
                2024, 3, 1, 21, 50, 1, tzinfo=__import__("datetime").UTC
            ),
        ),
        RouterFact(SOURCE, "arp", "192.168.1.9", None, ip="192.168.1.9"),
        RouterFact(
            SOURCE, "forward", "RDP", "wan:3389 -> 192.168.1.23:3389 (tcp)", ip="192.168.1.23"
        ),
        RouterFact(SOURCE, "remote_admin", "ssh (dropbear)", "port 22"),
        RouterFact(SOURCE, "dns", "server", "1.1.1.1", ip="1.1.1.1"),
        RouterFact(SOURCE, "log", "pppd", "up"),
    ]
    store = _store(tmp_path, facts)
    try:
        summary = router_summary(store)
    finally:
        store.close()
    assert summary["identity"]["hostname"] == ["cc-gw"]
    assert summary["identity"]["isp_account"] == [
        {
            "key": "pppoe_username",
            "value": "kol@isp.example",
            "detail": "wan",
            "source": "/etc/config/dhcp",
        },
    ]
    assert summary["clients"] == [
        {
            "mac": None,
            "ips": ["192.168.1.9"],
            "hostnames": [],
            "seen_in": ["arp"],
            "latest_time": None,
            "sources": ["/etc/config/dhcp"],
        },
        {
            "mac": "00:1a:2b:3c:4d:5e",
            "ips": ["192.168.1.23"],
            "hostnames": ["CC-LAPTOP-01"],
            "seen_in": ["lease", "static_lease"],
            "latest_time": "2024-03-01T21:50:01Z",
            "sources": ["/etc/config/dhcp"],
        },
        {
            "mac": "02:11:22:33:44:55",
            "ips": ["192.168.1.45"],
            "hostnames": ["Galaxy-A52"],
            "seen_in": ["lease"],
            "latest_time": None,
            "sources": ["/etc/config/dhcp"],
        },
    ]
    assert summary["forwards"] == [
        {
            "rule": "RDP",
            "value": "wan:3389 -> 192.168.1.23:3389 (tcp)",
            "ip": "192.168.1.23",
            "detail": None,
            "source": "/etc/config/dhcp",
            "extractor": "router.test",
        },
    ]
    assert [entry["rule"] for entry in summary["remote_admin"]] == ["ssh (dropbear)"]
    assert [entry["value"] for entry in summary["dns"]] == ["1.1.1.1"]
    assert summary["counts"] == {
        "arp": 1,
        "dns": 1,
        "forward": 1,
        "isp_account": 2,
        "lease": 2,
        "log": 1,
        "remote_admin": 1,
        "static_lease": 1,
        "system": 2,
    }


def test_limit_truncates(tmp_path):
    facts = [RouterFact(SOURCE, "dns", "server", f"10.0.0.{n}") for n in range(5)]
    store = _store(tmp_path, facts)
    try:
        summary = router_summary(store, limit=3)
    finally:
        store.close()
    assert [entry["value"] for entry in summary["dns"]] == ["10.0.0.0", "10.0.0.1", "10.0.0.2"]
    assert summary["truncated"] is True


def test_summary_of_the_story_router(router_scan, router_data):
    out = router_scan(router_data / "openwrt" / "backup-cc-gw-2024-03-01.tar.gz")
    store = DeviceStore(out.output / "triage.sqlite")
    try:
        summary = router_summary(store)
    finally:
        store.close()
    identity = summary["identity"]
    assert (identity["hostname"], identity["firmware"]) == (["cc-gw"], ["OpenWrt 23.05.2"])
    assert [account["value"] for account in identity["isp_account"]] == ["kol-cc-2231@isp.example"]
    assert [(c["mac"], c["ips"], c["hostnames"], c["seen_in"]) for c in summary["clients"]] == [
        ("00:1a:2b:3c:4d:5e", ["192.168.1.23"], ["CC-LAPTOP-01"], ["lease", "static_lease"]),
        ("02:11:22:33:44:55", ["192.168.1.45"], ["Galaxy-A52"], ["lease"]),
    ]
    assert [(f["rule"], f["value"]) for f in summary["forwards"]] == [
        ("RDP-to-agent", "wan:3389 -> 192.168.1.23:3389 (tcp)")
    ]
    assert [(r["rule"], r["value"]) for r in summary["remote_admin"]] == [
        ("Allow-SSH-WAN", "tcp port 22 open from wan")
    ]
    assert [d["value"] for d in summary["dns"]] == ["lan", "1.1.1.1", "8.8.8.8"]
