"""Android device and OS facts from the ``build.prop`` files of the system and vendor partitions.

A ``build.prop`` is ``key=value`` lines with ``#`` comments. Since Android 10 each partition
writes its own namespaced copy of the product properties (``ro.product.vendor.model``,
``ro.product.system.model``); the vendor partition describes the hardware, so for the device's
manufacturer, brand, model, device name and build fingerprint the vendor value wins over the
system one, as in ALEAPP's ``build.py``. The platform values (Android version, security patch
level, SDK) are the system partition's: that is the Android the user runs. ``ro.*`` properties
are read-only, so the first definition in a file counts (Android's init ignores later ones).

References: AOSP ``build/make/tools/buildinfo.sh`` and ``buildinfo_common.sh`` (property
names), ALEAPP ``scripts/artifacts/build.py``, dissect.target ``plugins/os/unix/linux/android``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from triage.extractors.identity.facts import Facts, details
from triage.timestamps import from_unix_seconds

MAX_LINE = 4096
MAX_PROPERTIES = 20000

# fact key -> (category, candidate properties in order: (partition, property name))
PRODUCT_FACTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "manufacturer",
        "device",
        (
            ("vendor", "ro.product.vendor.manufacturer"),
            ("vendor", "ro.product.manufacturer"),
            ("system", "ro.product.manufacturer"),
            ("system", "ro.product.system.manufacturer"),
        ),
    ),
    (
        "brand",
        "device",
        (
            ("vendor", "ro.product.vendor.brand"),
            ("vendor", "ro.product.brand"),
            ("system", "ro.product.brand"),
            ("system", "ro.product.system.brand"),
        ),
    ),
    (
        "model",
        "device",
        (
            ("vendor", "ro.product.vendor.model"),
            ("vendor", "ro.product.model"),
            ("system", "ro.product.model"),
            ("system", "ro.product.system.model"),
        ),
    ),
    (
        "product_device",
        "device",
        (
            ("vendor", "ro.product.vendor.device"),
            ("vendor", "ro.product.device"),
            ("system", "ro.product.device"),
            ("system", "ro.product.system.device"),
        ),
    ),
    (
        "build_fingerprint",
        "os",
        (
            ("vendor", "ro.vendor.build.fingerprint"),
            ("vendor", "ro.build.fingerprint"),
            ("system", "ro.build.fingerprint"),
            ("system", "ro.system.build.fingerprint"),
        ),
    ),
    (
        "android_version",
        "os",
        (
            ("system", "ro.build.version.release"),
            ("system", "ro.system.build.version.release"),
            ("vendor", "ro.vendor.build.version.release"),
        ),
    ),
    (
        "security_patch",
        "os",
        (
            ("system", "ro.build.version.security_patch"),
            ("vendor", "ro.vendor.build.security_patch"),
        ),
    ),
)


@dataclass
class BuildProp:
    """One parsed build.prop: which partition it describes and its properties."""

    partition: str  # "system" or "vendor"
    facts: Facts
    properties: dict[str, str]


def partition_of(path: str) -> str:
    """``vendor`` for a vendor/odm build.prop, else ``system``."""
    parts = [part.lower() for part in path.split("/")]
    return "vendor" if "vendor" in parts or "odm" in parts else "system"


def parse_properties(lines: Iterable[str], facts: Facts) -> dict[str, str]:
    """``key=value`` lines into a dict (first definition wins); overlong lines are problems."""
    properties: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            facts.problem(f"line {number} is {len(line)} characters long; skipped", "warning")
            continue
        text = line.strip()
        if not text or text.startswith("#") or "=" not in text:
            continue
        key, _, value = text.partition("=")
        properties.setdefault(key.strip(), value.strip())
        if len(properties) >= MAX_PROPERTIES:
            facts.problem(f"more than {MAX_PROPERTIES} properties; the rest are skipped", "warning")
            break
    return properties


def build_facts(props: list[BuildProp]) -> None:
    """Add the device and OS facts, each to the build.prop whose value won."""
    for key, category, candidates in PRODUCT_FACTS:
        for partition, name in candidates:
            source = next(
                (p for p in props if p.partition == partition and p.properties.get(name)), None
            )
            if source is None:
                continue
            value = source.properties[name]
            extra: dict[str, object] = {}
            if key == "build_fingerprint":
                date_name = name.replace("fingerprint", "date.utc")
                raw = source.properties.get(date_name)
                built = from_unix_seconds(raw)
                if built is not None:
                    extra = {
                        "time": built,
                        "time_raw": raw,
                        "time_note": f"build date ({date_name}, Unix seconds)",
                    }
            if key == "android_version":
                extra["detail"] = details(
                    f"SDK {source.properties.get('ro.build.version.sdk')}"
                    if source.properties.get("ro.build.version.sdk")
                    else None,
                    source.properties.get("ro.build.display.id"),
                )
            source.facts.add(category, key, value, **extra)
            break
