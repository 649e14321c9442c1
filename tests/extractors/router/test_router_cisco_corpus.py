"""router.cisco on the real configs and captures of ../shared/corpus/router (read in place).

Values are read off the files themselves; for the captures they are the values the
networktocode/ntc-templates tests parse from the same files (``*.yml`` beside each ``.raw``).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .fact_rows import brief, facts

FIELDS = ("category", "key", "value", "ip", "detail")


def _file(out, name):
    rows = facts(out, f"/{name}")
    assert rows, name
    assert {row["extractor"] for row in rows} == {"router.cisco"}
    return rows


def _of(rows, category, *fields):
    return brief(
        [row for row in rows if row["category"] == category], *(fields or ("key", "value"))
    )


def test_every_cisco_config_is_read_without_problems(corpus_router):
    out = corpus_router("cisco")
    assert out.problems() == []
    paths = {row["source_path"] for row in facts(out)}
    assert paths == {
        "/ciscoconfparse_sample_01.asa",
        "/ciscoconfparse_sample_01.ios",
        "/ciscoconfparse_sample_01.iosxr",
        "/ciscoconfparse_sample_01.nxos",
        "/ciscoconfparse_sample_02.ios",
        "/ciscoconfparse_sample_08.ios",
    }


def test_ios_router_sample_01(corpus_router):
    rows = _file(corpus_router("cisco"), "ciscoconfparse_sample_01.ios")
    system = dict(_of(rows, "system"))
    assert (
        system["platform"],
        system["firmware"],
        system["hostname"],
        system["timezone"],
        system["domain"],
    ) == ("Cisco IOS", "Cisco IOS 12.4", "Foo", "MST -7", "foo.com")
    assert system["config_archive"] == "ftp://ns.foo.com//tftpboot/Foo-archive"
    assert system["banner login"].startswith("Router Foo. Access to this device")
    assert _of(rows, "system", "key", "value", "ip")[-1] == ("ntp_server", "1.1.1.1", "1.1.1.1")
    assert [value for key, value in _of(rows, "system") if key == "log_server"] == [
        "172.16.1.5",
        "172.16.1.7",
    ]
    assert _of(rows, "lan", "key", "value", "ip", "detail") == [
        ("dhcp pool HOME_LAN", "172.16.1.0/24", "172.16.1.1", "default-router 172.16.1.1; lease 2"),
        (
            "Loopback0",
            "172.16.0.1/32",
            "172.16.0.1",
            "description SEE http://www.cymru.com/Documents/secure-ios-template.html",
        ),
        ("FastEthernet0/0", "172.16.2.1/24", "172.16.2.1", "nat inside"),
        ("FastEthernet0/1", "172.16.3.1/24", "172.16.3.1", None),
        ("FastEthernet1/0", "172.16.4.1/24", "172.16.4.1", None),
    ]
    assert _of(rows, "wan", "key", "value", "detail") == [
        ("Dialer1", "negotiated (PPP)", "nat outside"),
        ("default_route", "Dialer1", "distance 250"),
        ("default_route", "172.16.2.254", "distance 254"),
        ("nat", "list INTERNAL_NETWORKS", "interface Dialer1 overload"),
    ]
    # The DSL dialer's PPP login names the ISP subscriber; its passwords are only fingerprinted.
    assert _of(rows, "isp_account", "key", "value", "detail") == [
        ("ppp_username", "auser", "interface Dialer1; ppp chap/pap"),
        (
            "ppp_password",
            "set (sha256:8cf14220cd4b39b4)",
            "interface Dialer1; ppp chap; type 7 (reversible obfuscation)",
        ),
        (
            "ppp_password",
            "set (sha256:5c932da59af4ecd1)",
            "interface Dialer1; ppp pap; type 7 (reversible obfuscation)",
        ),
    ]
    assert _of(rows, "forward", *FIELDS) == [
        (
            "forward",
            "tcp 1415",
            "Dialer1:1415 -> 172.16.1.5:22 (tcp)",
            "172.16.1.5",
            "ip nat inside source static",
        ),
    ]
    assert _of(rows, "dns", "key", "value", "detail") == [
        ("dhcp_dns_server", "172.16.1.5", "dhcp pool HOME_LAN"),
        ("server", "172.16.1.5", None),
    ]
    assert _of(rows, "admin_user", "key", "value", "detail") == [
        ("enable secret", "set (sha256:5e30d729226dc2e3)", "type 5 (MD5-crypt hash)"),
        (
            "ddclient",
            "local user",
            "password set (sha256:8cf14220cd4b39b4); type 7 (reversible obfuscation)",
        ),
    ]
    assert _of(rows, "remote_admin", "key", "value") == [
        ("http server", "enabled"),
        ("http access-class", "99"),
        ("http secure-server", "disabled"),
        ("snmp_community", "set (sha256:8a8f459f06f5a1fb)"),
        ("snmp_host", "172.16.1.5"),
        ("line 33 48", "transport input telnet"),
        ("line vty 0 4", "transport input telnet ssh"),
    ]
    assert "SoMeThaNGwIErd" not in repr(rows)
    assert "107D3D232342041E3A" not in repr(rows)


def test_ios_samples_02_and_08(corpus_router):
    out = corpus_router("cisco")
    rows = _file(out, "ciscoconfparse_sample_02.ios")
    assert dict(_of(rows, "system"))["firmware"] == "Cisco IOS 12.0"
    # " interface FastEthernet0/6" is indented by an IOS bug: still read as an interface.
    assert _of(rows, "lan", "key", "value") == [("VLAN24", "172.24.24.101/23")]
    assert _of(rows, "wan", "key", "value") == [("default_gateway", "172.24.24.254")]
    assert _of(rows, "admin_user", "key", "value") == [
        ("enable secret", "set (sha256:a1ac272d002f3014)"),
        ("root", "local user"),
    ]
    assert [value for key, value in _of(rows, "system") if key == "ntp_server"] == [
        "172.24.0.106",
        "172.24.0.107",
    ]
    assert [value for key, value in _of(rows, "system") if key == "log_server"] == [
        "172.24.24.142",
        "172.28.26.15",
    ]
    assert dict(_of(rows, "system"))["banner login"].splitlines()[1] == (
        "This is a private computer system, owned by Foo Companies, Inc."
    )

    rows = _file(out, "ciscoconfparse_sample_08.ios")
    assert dict(_of(rows, "system"))["firmware"] == "Cisco IOS 15.4"
    assert _of(rows, "isp_account", "key", "value")[0] == ("ppp_username", "adialuser")
    lan = _of(rows, "lan", "key", "value", "detail")
    assert lan[0] == (
        "dhcp pool IPV4_2FL_NORTH_LAN",
        "172.16.2.0/24",
        "default-router 172.16.2.1; lease 2",
    )
    assert (
        "FastEthernet0/0",
        "172.16.21.1/24",
        "description [IPv4 and IPv6 desktop / laptop hosts on 2nd-floor North LAN]; nat "
        "inside; virtual gateway 172.16.2.254 172.16.2.253; secondary",
    ) in lan
    assert (
        "Loopback0",
        "fd01:dead:beef::1/128",
        "description SEE http://www.cymru.com/Documents/secure-ios-template.html",
    ) in lan
    assert _of(rows, "dns", "key", "value", "ip") == [
        ("dhcp_dns_server", "172.16.1.5", "172.16.1.5"),
        ("dhcp_dns_server", "fd01:abff::0001:0001", "fd01:abff::1:1"),
        ("server", "172.16.1.5", "172.16.1.5"),
    ]
    assert ("http server", "disabled") in _of(rows, "remote_admin")


def test_asa_firewall(corpus_router):
    rows = _file(corpus_router("cisco"), "ciscoconfparse_sample_01.asa")
    written = [row for row in rows if row["key"] == "config_written"][0]
    assert (written["value"], written["time"], written["time_note"], written["detail"]) == (
        "Written by mpenning at 05:37:43.184 CDT Sun Jun 29 2015",
        None,
        "time zone 'CDT' is ambiguous; not converted",
        "by mpenning",
    )
    system = _of(rows, "system", "key", "value", "ip")
    assert system[:4] == [
        ("platform", "Cisco ASA", None),
        ("config_written", written["value"], None),
        ("firmware", "Cisco ASA 9.0(3)", None),
        ("hostname", "fw", None),
    ]
    assert [entry for entry in system if entry[0] in ("ntp_server", "log_server", "domain")] == [
        ("domain", "pennington.net", None),
        ("log_server", "Machine01", "192.0.2.13"),
        ("ntp_server", "17.151.16.20", "17.151.16.20"),
        ("ntp_server", "17.151.16.21", "17.151.16.21"),
        ("ntp_server", "17.151.16.22", "17.151.16.22"),
        ("ntp_server", "17.151.16.23", "17.151.16.23"),
    ]
    assert _of(rows, "wan", "key", "value", "detail") == [
        ("Vlan100", "dhcp", "nameif OUTSIDE; security-level 0; MAC set to 00:30:de:ad:be:ef"),
        ("nat", "obj_any (INSIDE,OUTSIDE) dynamic interface", None),
    ]
    assert _of(rows, "lan", "key", "value", "detail") == [
        ("Vlan200", "192.0.2.1/24", "nameif INSIDE; security-level 100")
    ]
    names = [row for row in rows if row["key"] == "local_name"]
    assert len(names) == 19
    assert brief(names[:2], "value", "ip", "hostname", "detail") == [
        ("Machine01", "192.0.2.13", "Machine01", "ASA names table; description machine01"),
        ("Machine02_Windows", "192.0.2.17", "Machine02_Windows", "ASA names table"),
    ]
    dns = [entry for entry in _of(rows, "dns", "key", "value", "ip") if entry[0] != "local_name"]
    assert dns == [
        ("server", "Machine01", "192.0.2.13"),
        ("dhcp_dns_server", "68.94.156.1", "68.94.156.1"),
        ("dhcp_dns_server", "Machine01", "192.0.2.13"),
        ("vpn_dns_server", "192.0.2.13", "192.0.2.13"),
    ]
    assert _of(rows, "remote_admin", "key", "value") == [
        ("http server", "enabled"),
        ("http allowed", "192.0.2.0/24 on INSIDE"),
        ("snmp_host", "Machine01"),
        ("snmp_community", "set (sha256:efa1f375d76194fa)"),
        ("ssh allowed", "192.0.2.0/24 on INSIDE"),
        ("ssh allowed", "10.0.0.0/8 on INSIDE"),
    ]
    assert _of(rows, "admin_user", "key", "value", "detail") == [
        ("enable password", "set (sha256:3fe75437acaf3c8c)", "encrypted (ASA hash)"),
        ("login password (passwd)", "set (sha256:3fe75437acaf3c8c)", "encrypted (ASA hash)"),
        (
            "mpenning",
            "privilege 15",
            "password set (sha256:d51a3a8b752f4a0b); encrypted (ASA hash)",
        ),
    ]
    assert _of(rows, "vpn", "key", "value") == [
        ("address_pool", "10.1.1.240-10.1.1.241"),
        ("group-policy SSL_VPN_Policy01", "ssl-client ssl-clientless"),
        ("tunnel-group DefaultWEBVPNGroup", "address-pool SSL_VPN_ADDRS"),
        ("tunnel-group DefaultWEBVPNGroup", "default-group-policy SSL_VPN_Policy01"),
    ]
    assert dict(_of(rows, "system"))["banner motd"] == (
        "Test banner for $(hostname)\n\n*******************************"
    )


def test_nxos_switch(corpus_router):
    rows = _file(corpus_router("cisco"), "ciscoconfparse_sample_01.nxos")
    system = _of(rows, "system")
    assert system[:3] == [
        ("platform", "Cisco NX-OS"),
        ("firmware", "Cisco NX-OS 6.2(12)"),
        ("hostname", "sample_nxos_01"),
    ]
    assert ("firmware", "Cisco NX-OS 9") not in system  # "version 9" of a flow exporter
    assert [value for key, value in system if key in ("ntp_server", "log_server")] == [
        "10.10.2.10",
        "10.10.2.10",
        "10.10.10.67",
        "10.10.10.68",
    ]
    assert _of(rows, "admin_user", "key", "value", "detail") == [
        (
            "admin",
            "role network-admin",
            "password set (sha256:e13bdc7019434936); type 5 (MD5-crypt hash)",
        ),
        ("snmp user admin", "network-admin", "SNMPv3 user; keys not shown"),
    ]
    assert _of(rows, "wan", "key", "value", "detail") == [
        ("default_route", "10.1.1.1", None),
        ("default_route", "10.10.248.1", "vrf management"),
    ]
    lan = _of(rows, "lan", "key", "value", "detail")
    assert len(lan) == 34  # every "  ip address" line of the file
    assert lan[:3] == [
        ("mgmt0", "10.10.248.50/24", "vrf management"),
        ("Vlan8", "192.168.254.1/30", "vrf vpc-keepalive"),
        ("Vlan249", "10.249.255.253/16", "virtual gateway 10.249.0.1"),
    ]
    assert [value for key, value in _of(rows, "remote_admin") if key == "aaa_server"] == [
        "10.10.6.165",
        "10.10.2.130",
        "10.10.6.165",
        "10.10.2.130",
    ]
    assert ("feature telnet", "enabled") in _of(rows, "remote_admin")


def test_iosxr_router(corpus_router):
    rows = _file(corpus_router("cisco"), "ciscoconfparse_sample_01.iosxr")
    system = dict(_of(rows, "system"))
    assert (
        system["platform"],
        system["hostname"],
        system["domain"],
        system["ntp_server"],
        system["snmp_location"],
    ) == ("Cisco IOS-XR", "FOOS-DKS", "frogpark.net", "100.2.3.12", "TheFrogPark")
    assert "FROG PARK SERVICES" in system["banner login"]
    assert [value for key, value in _of(rows, "system") if key == "log_server"] == [
        "100.2.3.4",
        "100.2.3.5",
        "100.2.3.6",
        "100.2.3.7",
    ]
    lan = _of(rows, "lan", "key", "value")
    assert lan[:2] == [("Loopback0", "100.2.3.20/32"), ("MgmtEth0/RP0/CPU0/0", "100.2.3.30/31")]
    assert len(lan) == 11
    assert _of(rows, "remote_admin", "key", "value", "detail")[:3] == [
        ("line template SSH", "transport input ssh", "login authentication VTY"),
        (
            "line template SSH-TELNET",
            "transport input ssh telnet",
            "access-class ingress 4; login authentication VTY",
        ),
        ("telnet server", "enabled", "vrf default ipv4 server max-servers 4"),
    ]
    assert ("aaa_server", "100.2.3.8", "tacacs-server; port 149") in _of(
        rows, "remote_admin", "key", "value", "detail"
    )


def test_show_command_captures(corpus_router, corpus):
    out = corpus_router("cli-output")
    assert out.problems() == []
    version = facts(out, "/ntc_cisco_ios_show_version.raw")
    assert brief(version, "key", "value") == [
        ("firmware", "Cisco IOS 12.2(54)SG1"),
        ("rom", "12.2(44r)SG9"),
        ("hostname", "router1"),
        ("uptime", "2 years, 31 weeks, 6 days, 9 hours, 55 minutes"),
        ("restarted", "09:09:22 UTC Tue Apr 9 2013"),
        ("boot_image", "bootflash:cat4500e-entservicesk9-mz.122-54.SG1.bin"),
        ("model", "WS-C4948E"),
        ("serial", "CAT1451S15C"),
        ("config_register", "0x2102"),
    ]
    assert version[0]["detail"] == "image cat4500e-ENTSERVICESK9-M"
    assert version[4]["time"] == "2013-04-09T09:09:22Z"

    arp = facts(out, "/ntc_cisco_ios_show_ip_arp.raw")
    assert brief(arp, "category", "ip", "mac") == [
        ("arp", "172.16.233.229", "00:00:0c:59:f8:92"),
        ("arp", "172.16.233.218", "00:00:0c:07:ac:00"),
        ("arp", "172.16.233.19", "00:00:0c:63:13:00"),
        ("arp", "172.16.233.209", "00:00:0c:36:69:65"),
        ("arp", "172.16.168.11", "00:00:0c:63:13:00"),
        ("arp", "172.16.168.254", "00:00:0c:36:69:65"),
        ("arp", "10.0.0.0", "aa:bb:cc:03:82:00"),
    ]
    assert arp[5]["detail"] == "interface Ethernet0/0; age 9 min; type ARPA; show ip arp line 7"
    assert arp[6]["detail"] == "age - (router's own); type SRP-A; show ip arp line 8"

    bindings = facts(out, "/ntc_cisco_ios_show_ip_dhcp_binding.raw")
    assert brief(bindings, "category", "ip", "mac", "time", "time_raw", "time_note") == [
        ("static_lease", "10.100.88.26", "aa:aa:aa:aa:aa:aa", None, "Infinite", "infinite lease"),
        ("static_lease", "10.100.88.197", "dd:dd:dd:dd:dd:dd", None, "Infinite", "infinite lease"),
    ]
    assert bindings[0]["detail"].startswith("client-id 01aa.aaaa.aaaa.aa; type Manual")

    brief_rows = facts(out, "/ntc_cisco_ios_show_ip_interface_brief.raw")
    assert brief(brief_rows, "key", "value") == [
        ("Ethernet0/0.11", "10.0.1.38"),
        ("Ethernet0/1", "1.1.1.1"),
        ("Loopback0", "10.0.1.2"),
    ]

    logs = facts(out, "/ntc_cisco_ios_show_logging_1.raw")
    path = corpus / "router" / "cli-output" / "ntc_cisco_ios_show_logging_1.raw"
    modified = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
    year = (
        modified.year
        if datetime(modified.year, 6, 19, 3, 2, 37, tzinfo=UTC) <= modified
        else modified.year - 1
    )
    assert brief(logs, "key", "value", "time", "time_raw") == [
        (
            "LINEPROTO-5-UPDOWN",
            "Line protocol on Interface GigabitEthernet2/0/3, changed state to up",
            None,
            None,
        ),
        (
            "LINEPROTO-5-UPDOWN",
            "Line protocol on Interface GigabitEthernet2/0/3, changed state to down",
            f"{year}-06-19T03:02:31Z",
            "Jun 19 03:02:31",
        ),
        (
            "LINK-3-UPDOWN",
            "Interface GigabitEthernet2/0/3, changed state to down",
            f"{year}-06-19T03:02:32Z",
            "Jun 19 03:02:32",
        ),
        (
            "LINK-3-UPDOWN",
            "Interface GigabitEthernet2/0/3, changed state to up",
            f"{year}-06-19T03:02:37Z",
            "Jun 19 03:02:37",
        ),
    ]
    assert logs[1]["time_note"] == (
        f"year {year} taken from the file's modification time; "
        "router local time without a zone; stored as if UTC"
    )
