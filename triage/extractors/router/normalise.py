"""Normalise the values routers write in many spellings: MAC addresses, IPs, masks, secrets.

MACs come as ``00:1A:2B:3C:4D:5E`` (OpenWrt, dnsmasq, MikroTik), ``001a.2b3c.4d5e`` (Cisco),
``001a-2b3c-4d5e`` (HP Comware), ``00-1a-2b-3c-4d-5e`` (Windows), or inside a DHCP client
identifier (``01`` hardware type Ethernet + the MAC, RFC 2132 section 9.14); they all become
lower-case colon form so that a lease, an ARP entry and a laptop's own adapter list match.

Secrets (PPPoE passwords, Wi-Fi keys, SNMP communities, password hashes) never go into a record
in clear: :func:`masked_secret` says that one is set and gives a short SHA-256 fingerprint of the
stored string, so the same secret on two devices can be matched without showing it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

_HEX = re.compile(r"[0-9a-fA-F]+")
_MAC_SEPARATED = re.compile(r"^[0-9a-fA-F]{1,2}([:-])(?:[0-9a-fA-F]{1,2}\1){4}[0-9a-fA-F]{1,2}$")
_MAC_DOTTED = re.compile(r"^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$")
_MAC_DASHED_GROUPS = re.compile(r"^[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}$")
_MAC_BARE = re.compile(r"^[0-9a-fA-F]{12}$")
MAC_IN_TEXT = re.compile(
    r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:])"
    r"|(?<![0-9A-Fa-f.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Fa-f.])"
)
IPV4_IN_TEXT = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
FINGERPRINT_HEX = 16  # 64 bits of SHA-256: enough to match across devices


def normalise_mac(text: str | None) -> str | None:
    """A MAC address in lower-case colon form, or None when the text is not one."""
    if not text:
        return None
    value = text.strip()
    if _MAC_SEPARATED.match(value):
        octets = re.split(r"[:-]", value)
        return ":".join(octet.lower().zfill(2) for octet in octets)
    if _MAC_DOTTED.match(value) or _MAC_DASHED_GROUPS.match(value) or _MAC_BARE.match(value):
        digits = re.sub(r"[.-]", "", value).lower()
        return ":".join(digits[index : index + 2] for index in range(0, 12, 2))
    return None


def mac_from_client_id(text: str | None) -> str | None:
    """The MAC inside a DHCP client identifier ``01`` + MAC (Cisco ``0100.1a2b.3c4d.5e``).

    A bare MAC is returned normalised; any other identifier (DUID, text) gives None.
    """
    if not text:
        return None
    direct = normalise_mac(text)
    if direct:
        return direct
    digits = re.sub(r"[.:\-]", "", text.strip())
    if len(digits) == 14 and _HEX.fullmatch(digits) and digits.startswith("01"):
        return normalise_mac(digits[2:])
    if ":" in text:  # MikroTik writes client ids as 1:0:1a:2b:3c:4d:5e (no zero padding)
        parts = text.strip().split(":")
        if len(parts) == 7 and parts[0] == "1" and all(_HEX.fullmatch(p) for p in parts):
            return normalise_mac(":".join(parts[1:]))
    return None


def ip_address(text: str | None) -> str | None:
    """An IPv4 or IPv6 address in canonical form, or None when the text is not one."""
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return None


def interface_address(address: str, mask: str | None = None) -> tuple[str, str] | None:
    """``(ip, "ip/prefix")`` from ``ip mask``, ``ip/prefix`` or a bare ip; None when invalid."""
    try:
        if "/" in address:
            interface = ipaddress.ip_interface(address.strip())
        elif mask:
            interface = ipaddress.ip_interface(f"{address.strip()}/{mask.strip()}")
        else:
            bare = ipaddress.ip_address(address.strip())
            return str(bare), str(bare)
    except ValueError:
        return None
    return str(interface.ip), interface.with_prefixlen


def network_text(address: str, mask: str | None) -> str:
    """``192.0.2.0/24`` from ``192.0.2.0 255.255.255.0`` (kept as written when not valid)."""
    try:
        return str(ipaddress.ip_network(f"{address}/{mask}" if mask else address, strict=False))
    except ValueError:
        return f"{address} {mask}" if mask else address


def masked_secret(secret: str | None) -> str:
    """``set (sha256:<16 hex>)`` for a stored secret, ``empty`` when blank: never the secret."""
    if secret is None or secret == "":
        return "empty"
    digest = hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()
    return f"set (sha256:{digest[:FINGERPRINT_HEX]})"


def first_mac(text: str) -> str | None:
    """The first MAC address written anywhere in a line, normalised."""
    match = MAC_IN_TEXT.search(text)
    return normalise_mac(match.group(0)) if match else None


def first_ipv4(text: str) -> str | None:
    """The first valid IPv4 address written anywhere in a line."""
    for match in IPV4_IN_TEXT.finditer(text):
        value = ip_address(match.group(0))
        if value:
            return value
    return None
