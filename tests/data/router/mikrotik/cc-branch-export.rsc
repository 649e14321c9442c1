# mar/01/2024 08:15:42 by RouterOS 6.49.10
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
