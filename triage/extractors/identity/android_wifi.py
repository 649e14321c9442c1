"""Wi-Fi networks an Android phone saved, with the randomized MAC it used on each.

``WifiConfigStore.xml`` (Android 8+; ``/data/misc/wifi/`` until 10, then
``/data/misc/apexdata/com.android.wifi/``): ``<Network>`` elements holding
``<WifiConfiguration>`` (``SSID`` in double quotes, ``ConfigKey`` = SSID + security type,
``RandomizedMacAddress`` the per-network MAC the phone presents since Android 10,
``CreatorName``, ``HiddenSSID``), ``<NetworkStatus>`` (``HasEverConnected``) and
``<IpConfiguration>`` (``IpAssignment``, ``LinkAddress`` when static). Android 7 and older keep
``wpa_supplicant.conf`` (``network={ ssid="..." }`` blocks). The randomized MAC is what a
router's DHCP lease shows for this phone on that network. References: AOSP
``WifiConfigurationUtil``/``XmlUtil.WifiConfigurationXmlUtil``; ALEAPP ``wifiConfigstore2.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from triage.extractors.identity.android_xml import iter_elements, named_values
from triage.extractors.identity.facts import Facts, details, labelled

PLACEHOLDER_MAC = "02:00:00:00:00:00"  # Android's "no randomized MAC yet"
_SUPPLICANT_SSID = re.compile(r'^\s*ssid=(?:"(?P<quoted>.*)"|(?P<hex>[0-9a-fA-F]+))\s*$')


def _unquote(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def parse_wifi_config_store(data: bytes, facts: Facts) -> None:
    """Add a ``wifi_network`` fact per saved network and the MAC used on it."""
    for network in iter_elements(data, frozenset({"Network"}), facts, "WifiConfigStore.xml"):
        values = named_values(network)
        ssid = _unquote(values.get("SSID"))
        if not ssid:
            continue
        config_key = values.get("ConfigKey") or ""
        security = config_key[len(values.get("SSID") or "") :] if config_key else None
        connected = values.get("HasEverConnected")
        static_ip = values.get("LinkAddress") if values.get("IpAssignment") == "STATIC" else None
        facts.add(
            "wifi",
            "wifi_network",
            ssid,
            detail=details(
                labelled("security", security),
                labelled("ever connected", {"true": "yes", "false": "no"}.get(connected or "")),
                "hidden" if values.get("HiddenSSID") == "true" else None,
                labelled("added by", values.get("CreatorName")),
                labelled("static IP", static_ip),
            ),
        )
        mac = values.get("RandomizedMacAddress")
        if mac and mac.lower() != PLACEHOLDER_MAC:
            facts.mac("mac_address", mac, detail=f"randomized MAC used on Wi-Fi {ssid}")
        if static_ip:
            facts.add("network", "ip_address", static_ip, detail=f"static address on Wi-Fi {ssid}")


def parse_wpa_supplicant(lines: Iterable[str], facts: Facts) -> None:
    """Add a ``wifi_network`` fact per ``network={}`` block of a wpa_supplicant.conf."""
    for line in lines:
        match = _SUPPLICANT_SSID.match(line)
        if not match:
            continue
        ssid = match.group("quoted")
        if ssid is None:
            try:
                ssid = bytes.fromhex(match.group("hex")).decode("utf-8", "replace")
            except ValueError:
                continue
        facts.add("wifi", "wifi_network", ssid, detail="wpa_supplicant.conf")
