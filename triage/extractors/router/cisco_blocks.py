"""Cisco configuration blocks: a global command's indented children, read as one fact
(or a few) when the block closes (interfaces, DHCP pools, objects, lines, tunnel groups...).

Part of :class:`~triage.extractors.router.cisco_config.CiscoConfig` (a mixin, like
:class:`~triage.extractors.router.cisco_commands.GlobalCommands`, whose helpers it uses).
"""

from __future__ import annotations

from collections.abc import Iterator

from triage.extractors.router.cisco_commands import WAN_WORDS, Block, Fact, secret_words
from triage.extractors.router.normalise import (
    interface_address,
    ip_address,
    mac_from_client_id,
    network_text,
    normalise_mac,
)
from triage.extractors.values import join_detail
from triage.records import RouterFact


class BlockCommands:
    """``_child_<kind>`` collects a block's lines, ``_close_<kind>`` makes its facts."""

    fact: Fact
    platform: str
    names: dict[str, str]

    def _child_interface(self, block: Block, words: list[str], text: str):
        first = words[0]
        if first in ("ip", "ipv4") and words[1:2] == ["address"] and len(words) > 2:
            block.add("address", " ".join(words[2:]))
        elif first == "ipv6" and words[1:2] == ["address"] and len(words) > 2:
            block.add("address6", " ".join(words[2:]))
        elif first == "description":
            block.values["description"] = text.partition(" ")[2][:500]
        elif first in ("nameif", "security-level") and len(words) > 1:
            block.values[first] = words[1]
        elif first == "shutdown":
            block.values["shutdown"] = "shutdown"
        elif words[:2] == ["ip", "nat"] and len(words) > 2:
            block.values["nat"] = words[2]
        elif first == "mac-address" and len(words) > 1:
            block.values["mac"] = normalise_mac(words[1]) or words[1]
        elif (
            words[:2] == ["vrf", "member"]
            or words[:2] == ["vrf", "forwarding"]
            or (first == "vrf" and len(words) == 2)
        ):
            block.values["vrf"] = words[-1]
        elif words[:2] == ["ppp", "chap"] and len(words) > 3 and words[2] == "hostname":
            block.add("ppp_user", f"chap {words[3]}")
        elif words[:2] == ["ppp", "chap"] and len(words) > 3 and words[2] == "password":
            value, kind = secret_words(words[3:])
            block.add("ppp_secret", f"chap {value}|{kind or ''}")
        elif words[:2] == ["ppp", "pap"] and "sent-username" in words:
            index = words.index("sent-username")
            if index + 1 < len(words):
                block.add("ppp_user", f"pap {words[index + 1]}")
            if "password" in words[index:]:
                value, kind = secret_words(words[words.index("password", index) + 1 :])
                block.add("ppp_secret", f"pap {value}|{kind or ''}")
        elif first == "standby" and len(words) > 3 and words[2] == "ip":
            block.add("virtual", words[3])
        elif first == "ip" and len(words) == 2 and ip_address(words[1]):  # NX-OS hsrp child
            block.add("virtual", words[1])
        elif first in ("pppoe-client", "pppoe") or words[:2] == ["encapsulation", "ppp"]:
            block.values["ppp"] = "ppp"

    def _close_interface(self, block: Block) -> Iterator[RouterFact]:
        name = block.name
        values = block.values
        dynamic = None
        addresses: list[tuple[str | None, str, bool]] = []
        for written in block.lists.get("address", []):
            words = written.split()
            if words[0] in ("negotiated", "dhcp", "pppoe"):
                dynamic = "negotiated (PPP)" if words[0] == "negotiated" else words[0]
                continue
            parsed = interface_address(
                words[0],
                words[1]
                if len(words) > 1 and not words[1].startswith(("secondary", "standby"))
                else None,
            )
            if parsed is None:
                continue
            addresses.append((parsed[0], parsed[1], "secondary" in words))
        for written in block.lists.get("address6", []):
            words = written.split()
            if "link-local" in words or words[0] in ("autoconfig", "dhcp"):
                continue
            parsed = interface_address(words[0])
            if "eui-64" in words or parsed is None:
                addresses.append((None, written, False))
            else:
                addresses.append((parsed[0], parsed[1], False))
        wan = bool(
            dynamic
            or values.get("nat") == "outside"
            or name.lower().startswith("dialer")
            or (values.get("nameif") or "").lower() in ("outside", "wan", "internet")
            or values.get("security-level") == "0"
            or WAN_WORDS.search(values.get("description") or "")
        )
        category = "wan" if wan else "lan"
        virtual = block.lists.get("virtual")
        base = join_detail(
            f"description {values['description']}" if values.get("description") else None,
            f"nameif {values['nameif']}" if values.get("nameif") else None,
            f"security-level {values['security-level']}" if values.get("security-level") else None,
            f"nat {values['nat']}" if values.get("nat") else None,
            f"vrf {values['vrf']}" if values.get("vrf") else None,
            f"MAC set to {values['mac']}" if values.get("mac") else None,
            f"virtual gateway {' '.join(virtual)}" if virtual else None,
            values.get("shutdown"),
        )
        for ip, value, secondary in addresses:
            yield self.fact(
                category,
                name,
                value,
                ip=ip,
                detail=join_detail(base, "secondary" if secondary else None),
            )
        if dynamic:
            yield self.fact("wan", name, dynamic, detail=base)
        users: dict[str, list[str]] = {}
        for entry in block.lists.get("ppp_user", []):
            method, _, user = entry.partition(" ")
            users.setdefault(user, []).append(method)
        for user, methods in users.items():
            yield self.fact(
                "isp_account",
                "ppp_username",
                user,
                detail=f"interface {name}; ppp {'/'.join(methods)}",
            )
        for entry in block.lists.get("ppp_secret", []):
            method, _, rest = entry.partition(" ")
            value, _, kind = rest.partition("|")
            yield self.fact(
                "isp_account",
                "ppp_password",
                value,
                detail=join_detail(f"interface {name}; ppp {method}", kind or None),
            )

    def _child_pool(self, block: Block, words: list[str], text: str):
        first = words[0]
        if first == "network" and len(words) > 1:
            block.values["network"] = network_text(words[1], words[2] if len(words) > 2 else None)
        elif first == "address" and words[1:2] == ["prefix"] and len(words) > 2:
            block.values["network"] = words[2]
        elif first == "default-router" and len(words) > 1:
            block.values["gateway"] = " ".join(words[1:])
        elif first == "dns-server":
            for server in words[1:]:
                block.add("dns", server)
        elif first == "host" and len(words) > 1:
            block.values["host"] = words[1]
        elif first in ("hardware-address", "client-identifier") and len(words) > 1:
            block.values[first] = words[1]
        elif first == "client-name" and len(words) > 1:
            block.values["client-name"] = words[1]
        elif first == "lease" and len(words) > 1:
            block.values["lease"] = " ".join(words[1:])

    def _close_pool(self, block: Block) -> Iterator[RouterFact]:
        values = block.values
        if values.get("network"):
            yield self.fact(
                "lan",
                f"dhcp pool {block.name}",
                values["network"],
                ip=ip_address(values.get("gateway", "").split(" ")[0]),
                detail=join_detail(
                    f"default-router {values['gateway']}" if values.get("gateway") else None,
                    f"lease {values['lease']}" if values.get("lease") else None,
                ),
            )
        for server in block.lists.get("dns", []):
            yield self.fact(
                "dns",
                "dhcp_dns_server",
                server,
                ip=ip_address(server),
                detail=f"dhcp pool {block.name}",
            )
        if values.get("host"):
            address = values["host"]
            hardware = values.get("hardware-address")
            client = values.get("client-identifier")
            mac = normalise_mac(hardware) or mac_from_client_id(client)
            name = values.get("client-name")
            yield self.fact(
                "static_lease",
                ip_address(address) or address,
                name or mac or address,
                mac=mac,
                ip=ip_address(address),
                hostname=name,
                detail=join_detail(
                    f"dhcp pool {block.name} (manual binding)",
                    f"client-identifier {client}" if client else None,
                ),
            )

    def _child_object(self, block: Block, words: list[str], text: str):
        if words[0] == "host" and len(words) > 1:
            block.values["host"] = words[1]
            if ip_address(words[1]):
                self._remember(block.name, ip_address(words[1]))
        elif words[0] == "subnet" and len(words) > 2:
            block.values["host"] = network_text(words[1], words[2])
        elif words[0] == "range" and len(words) > 2:
            block.values["host"] = f"{words[1]}-{words[2]}"
        elif words[0] == "fqdn" and len(words) > 1:
            block.values["host"] = words[-1]
        elif words[0] == "nat" and len(words) > 2:
            block.add("nat", text)

    def _close_object(self, block: Block) -> Iterator[RouterFact]:
        host = block.values.get("host") or self.names.get(block.name)
        for text in block.lists.get("nat", []):
            words = text.split()
            interfaces = words[1].strip("()")
            kind = words[2]
            if kind == "static" and len(words) > 3:
                mapped = words[3]
                service = words[words.index("service") + 1 :] if "service" in words else []
                if len(service) >= 3:
                    proto, real_port, mapped_port = service[:3]
                    value = f"{mapped}:{mapped_port} -> {host}:{real_port} ({proto})"
                else:
                    value = f"{mapped} -> {host} (all ports)"
                yield self.fact(
                    "forward",
                    block.name,
                    value,
                    ip=ip_address(host) if host else None,
                    detail=f"object network nat ({interfaces}) static",
                )
            else:
                yield self.fact(
                    "wan",
                    "nat",
                    f"{block.name} ({interfaces}) {' '.join(words[2:])}",
                    detail=f"object {host}" if host else None,
                )

    def _child_line(self, block: Block, words: list[str], text: str):
        if words[:2] == ["transport", "input"]:
            block.values["transport"] = " ".join(words[2:])
        elif words[0] == "access-class" and len(words) > 1:
            block.values["access-class"] = " ".join(words[1:])
        elif words[0] in ("password", "secret") and len(words) > 1:
            value, kind = secret_words(words[1:])
            block.values["password"] = join_detail(value, kind) or value
        elif words[0] == "login":
            block.values["login"] = " ".join(words)

    def _close_line(self, block: Block) -> Iterator[RouterFact]:
        if block.name.startswith(("con", "aux")) or not (
            block.name.startswith(("vty", "template")) or block.values
        ):
            return  # the console is not remote access
        values = block.values
        yield self.fact(
            "remote_admin",
            f"line {block.name}",
            f"transport input {values['transport']}"
            if values.get("transport")
            else "transport input default",
            detail=join_detail(
                f"access-class {values['access-class']}" if values.get("access-class") else None,
                f"password {values['password']}" if values.get("password") else None,
                values.get("login"),
            ),
        )

    def _child_group_policy(self, block: Block, words: list[str], text: str):
        if words[:2] == ["dns-server", "value"]:
            for server in words[2:]:
                name, ip = self.resolve(server)
                yield self.fact(
                    "dns", "vpn_dns_server", name, ip=ip, detail=f"group-policy {block.name}"
                )
        elif words[0] == "vpn-tunnel-protocol":
            yield self.fact("vpn", f"group-policy {block.name}", " ".join(words[1:]))

    def _child_tunnel_group(self, block: Block, words: list[str], text: str):
        if words[0] in ("address-pool", "default-group-policy") and len(words) > 1:
            yield self.fact(
                "vpn",
                f"tunnel-group {block.name}",
                f"{words[0]} {words[-1]}",
                ip=ip_address(block.name),
            )
        elif "pre-shared-key" in words:
            index = words.index("pre-shared-key")
            value, kind = secret_words(words[index + 1 :])
            yield self.fact(
                "vpn",
                f"tunnel-group {block.name}",
                f"pre-shared key {value}",
                ip=ip_address(block.name),
                detail=kind,
            )

    def _child_dns_group(self, block: Block, words: list[str], text: str):
        if words[0] == "name-server":
            for server in words[1:]:
                name, ip = self.resolve(server)
                yield self.fact(
                    "dns",
                    "server",
                    name,
                    ip=ip,
                    detail=join_detail(
                        f"dns server-group {block.name}",
                        f"{name} = {ip} (ASA names)" if ip and name != ip else None,
                    ),
                )
        elif words[0] == "domain-name" and len(words) > 1:
            yield self.fact("system", "domain", words[1])

    def _child_ntp(self, block: Block, words: list[str], text: str):
        if words[0] in ("server", "peer") and len(words) > 1:
            return self._ntp_server(words[1:], f"ntp {words[0]}")
        return None

    def _child_vrf(self, block: Block, words: list[str], text: str):
        if words[:2] == ["ip", "route"]:
            return self._route(words[2:], block.name)
        return None

    def _child_router_static(self, block: Block, words: list[str], text: str):
        if words[0] in ("0.0.0.0/0", "::/0") and len(words) > 1:
            return self._route(words, None)
        return None

    def _child_aaa_group(self, block: Block, words: list[str], text: str):
        if words[0] == "server" and len(words) > 1:
            yield self.fact(
                "remote_admin",
                "aaa_server",
                words[1],
                ip=ip_address(words[1]),
                detail=f"aaa group {block.name}",
            )

    def _child_aaa_server(self, block: Block, words: list[str], text: str):
        if words[:2] in (["address", "ipv4"], ["address", "ipv6"]) and len(words) > 2:
            yield self.fact(
                "remote_admin", "aaa_server", words[2], ip=ip_address(words[2]), detail=block.name
            )
        elif words[0] == "key":
            value, kind = secret_words(words[1:])
            yield self.fact("remote_admin", f"{block.name} key", value, detail=kind)

    def _child_archive(self, block: Block, words: list[str], text: str):
        if words[0] == "path" and len(words) > 1:
            yield self.fact(
                "system",
                "config_archive",
                words[1],
                detail="configuration archives are copied to this server",
            )

    def _child_webvpn(self, block: Block, words: list[str], text: str):
        if words[0] == "enable" and len(words) > 1:
            yield self.fact("vpn", "webvpn", f"enabled on {words[1]}")
        elif words[:2] == ["anyconnect", "enable"]:
            yield self.fact("vpn", "anyconnect", "enabled")

    def _child_crypto_map(self, block: Block, words: list[str], text: str):
        if words[:2] == ["set", "peer"]:
            for peer in words[2:]:
                yield self.fact(
                    "vpn",
                    "crypto_peer",
                    peer,
                    ip=ip_address(peer),
                    detail=f"crypto map {block.name}",
                )

    def _child_user(self, block: Block, words: list[str], text: str):
        block.add("words", text)

    def _close_user(self, block: Block) -> Iterator[RouterFact]:
        words: list[str] = []
        for text in block.lists.get("words", []):
            words.extend(text.split())
        yield self._user_fact(block.name, words)
