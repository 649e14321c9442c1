#!/usr/bin/env python3
"""Build the router fixtures in this folder (standard library only, fully deterministic).

    python3 tests/data/router/build_router.py

Outputs (committed; all values fictional, from the demo story in the case notes):
  openwrt/backup-cc-gw-2024-03-01.tar.gz  sysupgrade-style backup of router-01 "cc-gw"
      (OpenWrt 23.05): etc/config/{network,dhcp,firewall,wireless,system}, etc/openwrt_release,
      tmp/dhcp.leases (CC-LAPTOP-01 and Galaxy-A52) and var/log/messages (logread lines of
      2024-03-01); members sorted, mtimes fixed to 2024-03-01T12:00:00Z, gzip mtime 0.
  mikrotik/cc-branch-export.rsc   RouterOS /export of a second (branch) router
  dnsmasq/dnsmasq.leases          dnsmasq lease file: IPv4, infinite, DHCPv6 with duid line
  syslog/router-syslog.log        BSD syslog (RFC 3164, no year) forwarded by cc-gw

Formats: OpenWrt UCI and sysupgrade (openwrt.org user guide), dnsmasq src/lease.c, libubox
logread.c, MikroTik RouterOS "Configuration Management" export; see SOURCE.md.
The demo builder imports :func:`build_openwrt_backup` to plant router-01 in a demo case.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMBER_MTIME = 1709294400  # 2024-03-01T12:00:00Z: the backup was taken at noon

# Story values (router-01).
HOSTNAME = "cc-gw"
PPPOE_USER = "kol-cc-2231@isp.example"
LAPTOP = ("CC-LAPTOP-01", "00:1a:2b:3c:4d:5e", "192.168.1.23")
PHONE = ("Galaxy-A52", "02:11:22:33:44:55", "192.168.1.45")
LAPTOP_LEASE_EXPIRY = 1709329801  # DHCPACK 2024-03-01T09:50:01Z + 12 h lease
PHONE_LEASE_EXPIRY = 1709334600  # DHCPACK 2024-03-01T11:10:00Z + 12 h lease

NETWORK = f"""
config interface 'loopback'
\toption device 'lo'
\toption proto 'static'
\toption ipaddr '127.0.0.1'
\toption netmask '255.0.0.0'

config globals 'globals'
\toption ula_prefix 'fd3c:1a2b:3c4d::/48'

config device
\toption name 'br-lan'
\toption type 'bridge'
\tlist ports 'lan1'
\tlist ports 'lan2'

config interface 'lan'
\toption device 'br-lan'
\toption proto 'static'
\toption ipaddr '192.168.1.1'
\toption netmask '255.255.255.0'
\toption ip6assign '60'

config interface 'wan'
\toption device 'wan'
\toption proto 'pppoe'
\toption username '{PPPOE_USER}'
\toption password 'Fict1ve-PPPoE-Pass'
\toption ipv6 'auto'
\toption peerdns '0'
\tlist dns '1.1.1.1'
\tlist dns '8.8.8.8'
"""

DHCP = f"""
config dnsmasq
\toption domainneeded '1'
\toption localise_queries '1'
\toption rebind_protection '1'
\toption local '/lan/'
\toption domain 'lan'
\toption expandhosts '1'
\toption authoritative '1'
\toption readethers '1'
\toption leasefile '/tmp/dhcp.leases'
\toption localservice '1'

config dhcp 'lan'
\toption interface 'lan'
\toption start '100'
\toption limit '150'
\toption leasetime '12h'

config dhcp 'wan'
\toption interface 'wan'
\toption ignore '1'

config host
\toption name '{LAPTOP[0]}'
\toption mac '00:1A:2B:3C:4D:5E'
\toption ip '{LAPTOP[2]}'
"""

FIREWALL = f"""
config defaults
\toption input 'REJECT'
\toption output 'ACCEPT'
\toption forward 'REJECT'
\toption synflood_protect '1'

config zone
\toption name 'lan'
\tlist network 'lan'
\toption input 'ACCEPT'
\toption output 'ACCEPT'
\toption forward 'ACCEPT'

config zone
\toption name 'wan'
\tlist network 'wan'
\tlist network 'wan6'
\toption input 'REJECT'
\toption output 'ACCEPT'
\toption forward 'REJECT'
\toption masq '1'
\toption mtu_fix '1'

config forwarding
\toption src 'lan'
\toption dest 'wan'

config rule
\toption name 'Allow-DHCP-Renew'
\toption src 'wan'
\toption proto 'udp'
\toption dest_port '68'
\toption target 'ACCEPT'
\toption family 'ipv4'

config rule
\toption name 'Allow-SSH-WAN'
\toption src 'wan'
\toption proto 'tcp'
\toption dest_port '22'
\toption target 'ACCEPT'

config redirect
\toption name 'RDP-to-agent'
\toption target 'DNAT'
\toption src 'wan'
\toption dest 'lan'
\toption proto 'tcp'
\toption src_dport '3389'
\toption dest_ip '{LAPTOP[2]}'
\toption dest_port '3389'
"""

WIRELESS = """
config wifi-device 'radio0'
\toption type 'mac80211'
\toption path 'platform/soc/18000000.wifi'
\toption channel '1'
\toption band '2g'
\toption htmode 'HE20'
\toption country 'IN'

config wifi-iface 'default_radio0'
\toption device 'radio0'
\toption network 'lan'
\toption mode 'ap'
\toption ssid 'CC-Office'
\toption encryption 'psk2'
\toption key 'Fict1ve-WiFi-Key'
"""

SYSTEM = f"""
config system
\toption hostname '{HOSTNAME}'
\toption timezone 'UTC'
\toption zonename 'UTC'
\toption ttylogin '0'
\toption log_size '64'
\toption log_file '/var/log/messages'
\toption urandom_seed '0'

config timeserver 'ntp'
\toption enabled '1'
\toption enable_server '0'
\tlist server '0.openwrt.pool.ntp.org'
\tlist server '1.openwrt.pool.ntp.org'
"""

OPENWRT_RELEASE = """DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='23.05.2'
DISTRIB_REVISION='r23630-842932a63d'
DISTRIB_TARGET='mediatek/filogic'
DISTRIB_ARCH='aarch64_cortex-a53'
DISTRIB_DESCRIPTION='OpenWrt 23.05.2 r23630-842932a63d'
DISTRIB_TAINTS=''
"""

DHCP_LEASES = (
    f"{LAPTOP_LEASE_EXPIRY} {LAPTOP[1]} {LAPTOP[2]} {LAPTOP[0]} 01:{LAPTOP[1]}\n"
    f"{PHONE_LEASE_EXPIRY} {PHONE[1]} {PHONE[2]} {PHONE[0]} 01:{PHONE[1]}\n"
)

DAY = "Fri Mar  1"  # logread stamps: weekday, month, day, time, year; then facility.priority
DNSMASQ = "daemon.info dnsmasq-dhcp[1871]:"
LOGREAD = "".join(
    f"{line}\n"
    for line in (
        f"{DAY} 09:48:04 2024 daemon.notice pppd[1432]: PAP authentication succeeded",
        f"{DAY} 09:48:05 2024 daemon.notice pppd[1432]: local  IP address 203.0.113.77",
        f"{DAY} 09:48:05 2024 daemon.notice pppd[1432]: remote IP address 203.0.113.1",
        f"{DAY} 09:48:05 2024 daemon.notice netifd: Interface 'wan' is now up",
        f"{DAY} 09:50:01 2024 {DNSMASQ} DHCPREQUEST(br-lan) {LAPTOP[2]} {LAPTOP[1]}",
        f"{DAY} 09:50:01 2024 {DNSMASQ} DHCPACK(br-lan) {LAPTOP[2]} {LAPTOP[1]} {LAPTOP[0]}",
        f"{DAY} 11:09:58 2024 daemon.notice hostapd: phy0-ap0: AP-STA-CONNECTED {PHONE[1]} "
        "auth_alg=open",
        f"{DAY} 11:10:00 2024 {DNSMASQ} DHCPACK(br-lan) {PHONE[2]} {PHONE[1]} {PHONE[0]}",
    )
)

MIKROTIK = r"""# mar/01/2024 08:15:42 by RouterOS 6.49.10
# software id = FX7K-Q2ZP
#
# model = RB952Ui-5ac2nD
# serial number = HG1234567AB
/interface bridge
add admin-mac=48:8F:5A:00:00:01 auto-mac=no comment=defconf name=bridge
/interface pppoe-client
add add-default-route=yes disabled=no interface=ether1 name=pppoe-out1 \
    password=Fict1ve-Branch-Pass use-peer-dns=yes user=kol-cc-branch@isp.example
/interface wireless security-profiles
set [ find default=yes ] supplicant-identity=MikroTik
add authentication-types=wpa2-psk mode=dynamic-keys name=office \
    supplicant-identity=MikroTik wpa2-pre-shared-key=Fict1ve-Branch-WiFi
/interface wireless
set [ find default-name=wlan1 ] band=2ghz-b/g/n disabled=no mode=ap-bridge \
    security-profile=office ssid=CC-Branch
/interface list member
add interface=pppoe-out1 list=WAN
/ip pool
add name=dhcp ranges=192.168.88.10-192.168.88.254
/ip dhcp-server
add address-pool=dhcp disabled=no interface=bridge name=defconf
/interface l2tp-server server
set enabled=yes ipsec-secret=Fict1ve-L2TP-Secret use-ipsec=yes
/ip address
add address=192.168.88.1/24 comment=defconf interface=bridge network=192.168.88.0
/ip cloud
set ddns-enabled=yes
/ip dhcp-server lease
add address=192.168.88.24 client-id=1:0:1a:2b:3c:4d:60 comment="CC-LAPTOP-02 \"agent2\"" \
    mac-address=00:1A:2B:3C:4D:60 server=defconf
/ip dhcp-server network
add address=192.168.88.0/24 comment=defconf dns-server=192.168.88.1 gateway=192.168.88.1
/ip dns
set allow-remote-requests=yes servers=8.8.8.8,1.1.1.1
/ip dns static
add address=192.168.88.1 name=router.lan
/ip firewall filter
add action=accept chain=input comment="winbox from WAN" dst-port=8291 in-interface-list=WAN \
    protocol=tcp
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" out-interface-list=WAN
add action=dst-nat chain=dstnat comment="TeamViewer to agent2" dst-port=5938 \
    in-interface=pppoe-out1 protocol=tcp to-addresses=192.168.88.24 to-ports=5938
/ip service
set telnet disabled=yes
set ftp disabled=yes
set www address=192.168.88.0/24
/ppp secret
add name=remote-agent password=Fict1ve-VPN-Pass profile=default-encryption service=l2tp
/system clock
set time-zone-name=Asia/Kolkata
/system identity
set name=cc-branch-mt
/system logging action
add name=remote remote=192.168.88.5 target=remote
/system ntp client
set enabled=yes primary-ntp=162.159.200.1 secondary-ntp=162.159.200.123
/user
add group=full name=agent-admin
"""

DNSMASQ_LEASES = f"""{LAPTOP_LEASE_EXPIRY} {LAPTOP[1]} {LAPTOP[2]} {LAPTOP[0]} 01:{LAPTOP[1]}
{PHONE_LEASE_EXPIRY} {PHONE[1]} {PHONE[2]} {PHONE[0]} *
0 3c:4d:5e:6f:70:81 192.168.1.60 * *
duid 00:01:00:01:2d:5e:8a:10:aa:bb:cc:dd:ee:ff
{PHONE_LEASE_EXPIRY} 287454020 fd3c:1a2b:3c4d::45 {PHONE[0]} 00:04:5a:11:22:33:44:55:66:77
"""

ROUTER_SYSLOG = "".join(
    f"{line}\n"
    for line in (
        f"Mar  1 09:50:01 {HOSTNAME} dnsmasq-dhcp[1871]: DHCPACK(br-lan) {LAPTOP[2]} "
        f"{LAPTOP[1]} {LAPTOP[0]}",
        f"Mar  1 10:05:12 {HOSTNAME} dropbear[2210]: Child connection from {LAPTOP[2]}:50122",
        f"Mar  1 10:05:15 {HOSTNAME} dropbear[2210]: Password auth succeeded for 'root' from "
        f"{LAPTOP[2]}:50122",
        f"<30>Mar  1 11:10:00 {HOSTNAME} dnsmasq-dhcp[1871]: DHCPACK(br-lan) {PHONE[2]} "
        f"{PHONE[1]} {PHONE[0]}",
    )
)


def openwrt_members() -> dict[str, bytes]:
    """The files of router-01's backup, by member name (no leading slash, as sysupgrade)."""
    texts = {
        "etc/config/network": NETWORK,
        "etc/config/dhcp": DHCP,
        "etc/config/firewall": FIREWALL,
        "etc/config/wireless": WIRELESS,
        "etc/config/system": SYSTEM,
        "etc/openwrt_release": OPENWRT_RELEASE,
        "tmp/dhcp.leases": DHCP_LEASES,
        "var/log/messages": LOGREAD,
    }
    return {name: text.lstrip("\n").encode("utf-8") for name, text in texts.items()}


def build_openwrt_backup(path: Path) -> Path:
    """Write router-01's sysupgrade-style backup .tar.gz, byte-identical on every run."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in sorted(openwrt_members().items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = MEMBER_MTIME
            info.mode = 0o600 if name.startswith("etc/config/") else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            archive.addfile(info, io.BytesIO(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as compressed,
    ):
        compressed.write(buffer.getvalue())
    return path


def write_text(path: Path, text: str) -> Path:
    """Write one text fixture with LF line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def main() -> None:
    """Write every fixture of this folder."""
    build_openwrt_backup(HERE / "openwrt" / "backup-cc-gw-2024-03-01.tar.gz")
    write_text(HERE / "mikrotik" / "cc-branch-export.rsc", MIKROTIK)
    write_text(HERE / "dnsmasq" / "dnsmasq.leases", DNSMASQ_LEASES)
    write_text(HERE / "syslog" / "router-syslog.log", ROUTER_SYSLOG)


if __name__ == "__main__":
    main()
