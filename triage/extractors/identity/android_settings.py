"""Device name and Bluetooth identity from Android's settings XML files.

``/data/system/users/<user>/settings_global.xml`` and ``settings_secure.xml``: ``<setting
name="device_name" value="Galaxy A52" .../>``; ``device_name`` (global) is the name the phone
shows to other devices and the one its DHCP requests carry on many releases; ``bluetooth_name``
and ``bluetooth_address`` (secure) name its Bluetooth radio. Android 12 and later usually write
these files in binary XML, decoded the same way (``android_abx``). References: AOSP
``SettingsState.java`` (file format), ``Settings.Global.DEVICE_NAME``,
``Settings.Secure.BLUETOOTH_NAME``; ALEAPP ``settingsSecure.py``.
"""

from __future__ import annotations

from triage.extractors.identity.android_xml import iter_elements
from triage.extractors.identity.facts import Facts

SETTINGS = {
    "device_name": ("device", "device_name"),
    "bluetooth_name": ("device", "bluetooth_name"),
}


def parse_settings(data: bytes, facts: Facts, what: str) -> None:
    """Add the identity settings found in one settings XML file."""
    for setting in iter_elements(data, frozenset({"setting"}), facts, what):
        name = setting.get("name")
        value = setting.get("value")
        if name in SETTINGS:
            category, key = SETTINGS[name]
            default = setting.get("defaultValue")
            facts.add(
                category,
                key,
                value,
                detail=f"{what} setting {name}"
                + (f" (default {default})" if default and default != value else ""),
            )
        elif name == "bluetooth_address":
            facts.mac("bluetooth_mac", value, category="device", detail=f"{what} {name}")
