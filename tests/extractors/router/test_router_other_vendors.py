"""router.junos, router.procurve and router.fortinet on the corpus, plus small written samples."""

from __future__ import annotations

from .fact_rows import brief, facts


def test_junos_corpus(corpus_router):
    out = corpus_router("juniper")
    assert out.problems() == []
    rows = facts(out, "/ciscoconfparse_sample_01.junos")
    assert {row["extractor"] for row in rows} == {"router.junos"}
    assert brief(rows, "category", "key", "value", "ip") == [
        ("system", "last_commit", "2015-06-28 13:00:59 CST by mpenning", None),
        ("system", "hostname", "TEST01_EX", None),
        ("system", "domain", "pennington.net", None),
        ("admin_user", "root", "set (sha256:4243f20e416a7078)", None),
        ("dns", "server", "172.16.3.222", "172.16.3.222"),
        ("system", "ntp_server", "time.apple.com", None),
        ("system", "ntp_server", "172.16.8.3", "172.16.8.3"),
        ("lan", "vlan.0", "172.16.15.5/22", "172.16.15.5"),
        ("wan", "default_route", "172.16.12.1", "172.16.12.1"),
        ("admin_user", "mpenning", "super-user", None),
        ("remote_admin", "service ssh", "enabled", None),
        ("remote_admin", "service telnet", "enabled", None),
        ("remote_admin", "service web-management", "enabled", None),
    ]
    assert rows[0]["time"] is None
    assert rows[0]["time_note"] == "time zone 'CST' is ambiguous; not converted"
    assert rows[9]["detail"] == (
        "full-name Mike Pennington; uid 1000; encrypted-password set "
        "(sha256:4243f20e416a7078) (hash masked)"
    )
    assert rows[10]["detail"] == "root-login allow"
    assert rows[12]["detail"] == "http"
    assert "$1$y7ArHxKU" not in repr(rows)


def test_hp_comware_corpus(corpus_router):
    out = corpus_router("hp")
    assert out.problems() == []
    rows = facts(out, "/ciscoconfparse_HP_Procurve.conf")
    assert {row["extractor"] for row in rows} == {"router.procurve"}
    assert brief(rows, "category", "key", "value") == [
        ("system", "firmware", "Comware 5.20, Release 1513P81"),
        ("system", "platform", "HP Comware"),
        ("system", "hostname", "HP V1910 Switch"),
        ("system", "timezone", "Athens add 02:00:00"),
        ("admin_user", "admin", "level 3"),
        ("lan", "Vlan-interface10", "10.0.0.254/24"),
        ("lan", "Vlan-interface11", "10.10.0.254/24"),
        ("lan", "Vlan-interface13", "10.30.0.254/24"),
        ("lan", "Vlan-interface99", "10.99.0.254/24"),
        ("remote_admin", "snmp_community", "set (sha256:efa1f375d76194fa)"),
        ("remote_admin", "snmp_community", "set (sha256:715dc8493c36579a)"),
        ("system", "ntp_server", "83.212.118.71"),
        ("system", "ntp_server", "109.75.223.1"),
        ("remote_admin", "ssh server", "enabled"),
        ("remote_admin", "user-interface vty 0 15", "authentication-mode scheme"),
    ]
    assert rows[4]["detail"] == (
        "password cipher set (sha256:eb1afaa475e2d75a); services ssh telnet terminal web"
    )


def test_fortinet_captures_corpus(corpus_router):
    out = corpus_router("cli-output")
    leases = facts(out, "/ntc_fortinet_execute_dhcp_lease-list_7_columns.raw")
    assert {row["extractor"] for row in leases} == {"router.fortinet"}
    # The same rows ntc-templates parses from this capture (its .yml), MACs normalised.
    assert brief(leases, "ip", "mac", "hostname", "time_raw") == [
        ("10.32.159.11", "cc:6b:1e:14:15:e1", "NLZ0637-02", "Tue Jul 18 19:24:19 2023"),
        ("10.32.159.26", "34:db:fd:5d:b6:b5", "SPA112", "Tue Jul 18 19:02:45 2023"),
        ("10.32.159.162", "b8:27:eb:9c:56:f9", "YUM-FM_567", "Mon Jul 24 20:00:26 2023"),
        ("10.32.159.197", "74:ac:b9:96:51:fd", "Unifi3BS21ubnt", "Sun Jul 23 21:13:54 2023"),
        ("10.32.159.199", "74:ac:b9:96:51:e4", "Unifi1BS21ubnt", "Sun Jul 23 21:13:29 2023"),
    ]
    assert leases[0]["detail"] == (
        "interface Vlan1; vendor class MSFT 5.0; expires Tue Jul 18 "
        "19:24:19 2023; execute dhcp lease-list line 3"
    )
    assert leases[2]["detail"].startswith(
        "interface Vlan2; vendor class dhcpcd-6.7.1:Linux-4.4.21-v7+:armv7l:BCM2709;"
    )
    assert (leases[0]["time"], leases[0]["time_note"]) == (
        "2023-07-18T19:24:19Z",
        "lease expiry; router local time without a zone; stored as if UTC",
    )

    logs = facts(out, "/ntc_fortinet_execute_log_display.raw")
    assert brief(logs, "key", "value", "mac", "ip", "hostname", "time", "time_raw") == [
        (
            "traffic/forward",
            "accept 10.18.158.26:51753 -> 192.168.211.2:69 TFTP policy 17",
            "50:67:ae:f0:6c:80",
            "10.18.158.26",
            "SPA112",
            "2023-08-10T16:41:18Z",
            "2023-08-10 19:41:18 tz=+0300",
        ),
        (
            "traffic/forward",
            "accept 10.18.158.26:46212 -> 192.168.211.2:69 TFTP policy 17",
            "50:67:ae:f0:6c:80",
            "10.18.158.26",
            "SPA112",
            "2023-08-10T16:40:47Z",
            "2023-08-10 19:40:47 tz=+0300",
        ),
        (
            "traffic/forward",
            "accept 10.18.158.26:5060 -> 10.18.253.10:5060 SIP policy 17",
            "50:67:ae:f0:6c:80",
            "10.18.158.26",
            "SPA112",
            "2023-08-10T16:40:28Z",
            "2023-08-10 19:40:28 tz=+0300",
        ),
    ]
    assert logs[0]["detail"] == (
        "logid=0000000013; level=notice; vd=root; srcintf=Vlan10; dstintf=Tu-Hub01-Main; "
        "policyname=Permit IP-Phones Vlan10 OUT; vpn=Tu-Hub01-Main; devtype=IP Phone; "
        "eventtime=1691685678378886140"
    )


FORTIOS = """#config-version=FGT60F-7.0.12-FW-build0523-230524:opmode=0:vdom=0:user=admin
#conf_file_ver=1234567890
#buildno=0523
config system global
    set hostname "FGT-CC"
    set timezone 04
end
config system admin
    edit "admin"
        set accprofile "super_admin"
        set password ENC SH2Fict1veHashForTestsOnly
        set trusthost1 192.168.1.0 255.255.255.0
    next
end
config system interface
    edit "wan1"
        set mode pppoe
        set allowaccess ping https ssh
        set username "kol-fgt@isp.example"
        set password ENC Fict1vePppoeEnc
        set role wan
    next
    edit "internal"
        set ip 192.168.1.99 255.255.255.0
        set allowaccess ping https
        set role lan
    next
end
config system dns
    set primary 8.8.8.8
    set secondary 1.1.1.1
end
config firewall vip
    edit "RDP-agent"
        set extip 203.0.113.77
        set mappedip "192.168.1.23"
        set extintf "wan1"
        set portforward enable
        set extport 3389
        set mappedport 3389
    next
end
config system dhcp server
    edit 1
        set interface "internal"
        config reserved-address
            edit 1
                set ip 192.168.1.23
                set mac 00:1a:2b:3c:4d:5e
                set description "CC-LAPTOP-01"
            next
        end
    next
end
"""


def test_fortios_configuration_backup(router_scan, tmp_path):
    folder = tmp_path / "fortigate"
    folder.mkdir()
    (folder / "FGT60F_backup.conf").write_text(FORTIOS)
    out = router_scan(folder)
    assert out.problems() == []
    rows = facts(out)
    assert {row["extractor"] for row in rows} == {"router.fortinet"}
    assert brief(rows, "category", "key", "value", "ip") == [
        ("system", "platform", "FortiOS", None),
        ("system", "model", "FGT60F", None),
        ("system", "firmware", "FortiOS 7.0.12 build 0523", None),
        ("system", "hostname", "FGT-CC", None),
        ("system", "timezone", "04", None),
        ("admin_user", "admin", "super_admin", None),
        ("wan", "wan1", "pppoe", None),
        ("isp_account", "pppoe_username", "kol-fgt@isp.example", None),
        ("isp_account", "pppoe_password", "set (sha256:1f4544098ec94c8c)", None),
        ("remote_admin", "allowaccess wan1", "ping https ssh", None),
        ("lan", "internal", "192.168.1.99/24", "192.168.1.99"),
        ("remote_admin", "allowaccess internal", "ping https", "192.168.1.99"),
        ("dns", "server", "8.8.8.8", "8.8.8.8"),
        ("dns", "server", "1.1.1.1", "1.1.1.1"),
        (
            "forward",
            "RDP-agent",
            "wan1 203.0.113.77:3389 -> 192.168.1.23:3389 (tcp)",
            "192.168.1.23",
        ),
        ("static_lease", "192.168.1.23", "CC-LAPTOP-01", "192.168.1.23"),
    ]
    assert rows[9]["detail"] == "management reachable from the WAN"
    assert rows[15]["mac"] == "00:1a:2b:3c:4d:5e"
    assert "Fict1ve" not in repr(rows)


PROCURVE = """; J9086A Configuration Editor; Created on release #R.11.25

hostname "HP-2610-Branch"
snmp-server community "public" Unrestricted
vlan 1
   name "DEFAULT_VLAN"
   untagged 1-24
   ip address 192.168.10.2 255.255.255.0
   exit
ip default-gateway 192.168.10.1
sntp server priority 1 192.168.10.1
ip dns server-address priority 1 192.168.10.1
password manager
"""

JUNOS_SET = """set version 15.1X49-D170.4
set system host-name srx-branch
set system name-server 9.9.9.9
set system login user agent class super-user
set system login user agent authentication encrypted-password "$6$fict1ve$hash"
set interfaces pp0 unit 0 ppp-options pap local-name "kol-srx@isp.example"
set interfaces pp0 unit 0 ppp-options pap local-password "Fict1ve-srx"
set interfaces pp0 unit 0 pppoe-options underlying-interface ge-0/0/0.0
set interfaces ge-0/0/1 unit 0 family inet address 192.168.20.1/24
set security zones security-zone untrust host-inbound-traffic system-services ssh
set security nat destination pool rdp address 192.168.20.23/32 port 3389
set security nat destination rule-set in rule r1 match destination-address 203.0.113.5/32
set security nat destination rule-set in rule r1 match destination-port 3390
set security nat destination rule-set in rule r1 then destination-nat pool rdp
set access address-assignment pool lan family inet host agent-pc hardware-address 00:1a:2b:3c:4d:5e
set access address-assignment pool lan family inet host agent-pc ip-address 192.168.20.23
"""


def test_procurve_and_junos_set_samples(router_scan, tmp_path):
    folder = tmp_path / "collected"
    folder.mkdir()
    (folder / "procurve-running.cfg").write_text(PROCURVE)
    (folder / "srx-config.txt").write_text(JUNOS_SET)
    out = router_scan(folder)
    assert out.problems() == []
    assert brief(facts(out, "/procurve-running.cfg"), "category", "key", "value") == [
        ("system", "platform", "HP ProCurve"),
        ("system", "model", "J9086A"),
        ("system", "firmware", "ProCurve R.11.25"),
        ("system", "hostname", "HP-2610-Branch"),
        ("remote_admin", "snmp_community", "set (sha256:efa1f375d76194fa)"),
        ("lan", "vlan 1", "192.168.10.2/24"),
        ("wan", "default_gateway", "192.168.10.1"),
        ("system", "ntp_server", "192.168.10.1"),
        ("dns", "server", "192.168.10.1"),
        ("admin_user", "manager", "set"),
    ]
    junos = facts(out, "/srx-config.txt")
    assert {row["extractor"] for row in junos} == {"router.junos"}
    assert brief(junos, "category", "key", "value", "mac", "ip") == [
        ("system", "firmware", "JunOS 15.1X49-D170.4", None, None),
        ("system", "hostname", "srx-branch", None, None),
        ("dns", "server", "9.9.9.9", None, "9.9.9.9"),
        ("lan", "ge-0/0/1.0", "192.168.20.1/24", None, "192.168.20.1"),
        ("remote_admin", "host-inbound untrust", "ssh", None, None),
        ("admin_user", "agent", "super-user", None, None),
        ("static_lease", "192.168.20.23", "agent-pc", "00:1a:2b:3c:4d:5e", "192.168.20.23"),
        ("isp_account", "ppp_username", "kol-srx@isp.example", None, None),
        ("isp_account", "ppp_password", "set (sha256:0dd62be19090206a)", None, None),
        ("forward", "in/r1", "203.0.113.5/32:3390 -> 192.168.20.23/32:3389", None, "192.168.20.23"),
    ]
    assert "Fict1ve" not in repr(junos)


CISCO_SESSION = "\n".join(
    (
        "router1#show version",
        "Cisco IOS XE Software, Version 16.09.04",
        "Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version "
        "16.9.4, RELEASE SOFTWARE (fc2)",
        "router1 uptime is 3 days, 2 hours, 1 minute",
        "cisco ISR4331/K9 (1RU) processor with 1795999K/6147K bytes of memory.",
        "Processor board ID FDO21520TGH",
        "router1#show ip dhcp binding",
        "Bindings from all pools not associated with VRF:",
        "IP address      Client-ID/              Lease expiration        Type       State      "
        "Interface",
        "                Hardware address/",
        "                User name",
        "192.168.1.23    0100.1a2b.3c4d.5e       Mar 02 2024 09:50 PM    Automatic  Active     "
        "GigabitEthernet0/0/1",
        "",
    )
)


def test_cisco_session_capture_with_prompts(router_scan, tmp_path):
    folder = tmp_path / "putty-logs"
    folder.mkdir()
    (folder / "router1-show-commands.txt").write_text(CISCO_SESSION)
    out = router_scan(folder)
    rows = facts(out)
    assert {row["extractor"] for row in rows} == {"router.cisco"}
    assert brief(rows, "category", "key", "value") == [
        ("system", "hostname", "router1"),
        ("system", "firmware", "Cisco IOS-XE 16.09.04"),
        ("system", "firmware", "Cisco IOS 16.9.4"),
        ("system", "hostname", "router1"),
        ("system", "uptime", "3 days, 2 hours, 1 minute"),
        ("system", "model", "ISR4331/K9"),
        ("system", "serial", "FDO21520TGH"),
        ("system", "hostname", "router1"),
        ("lease", "192.168.1.23", "00:1a:2b:3c:4d:5e"),
    ]
    lease = rows[-1]
    assert (lease["mac"], lease["time"], lease["time_raw"]) == (
        "00:1a:2b:3c:4d:5e",
        "2024-03-02T21:50:00Z",
        "Mar 02 2024 09:50 PM",
    )
    assert lease["detail"] == (
        "client-id 0100.1a2b.3c4d.5e; type Automatic; state Active; "
        "interface GigabitEthernet0/0/1; lease expiration Mar 02 2024 "
        "09:50 PM; show ip dhcp binding line 12"
    )
