"""Apps installed on an Android phone, from the package manager's own records.

``/data/system/packages.xml``: ``<version ... fingerprint="..."/>`` (the build that last wrote
it) and one ``<package>`` per installed package: ``name``, ``codePath`` (``/data/app/...`` for
apps the user installed, ``/system``, ``/product``, ``/vendor`` for preinstalled ones),
``version`` (version code), ``installer`` (``com.android.vending`` = Play Store; absent =
sideloaded or preinstalled), ``it`` first install time and ``ut`` last update time (Unix ms in
hexadecimal). Since Android 12 this file is usually binary XML (decoded the same way, see
``android_abx``); where it cannot be read, ``packages.list`` (text: ``name uid debuggable
dataDir seinfo gids ...``) still lists the installed packages, without times. References: AOSP
``Settings.java`` (``writePackageLPr``: attribute names, ``Long.toHexString`` times) and
``writePackageListLPr``; ALEAPP ``installedappsLibrary``, ``packageInfo``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from triage.extractors.identity.android_xml import iter_elements
from triage.extractors.identity.facts import Facts, details, labelled
from triage.timestamps import format_utc, from_unix_ms

MAX_LINE = 8192
SYSTEM_PREFIXES = ("/system/", "/product/", "/vendor/", "/system_ext/", "/odm/", "/apex/")


def _hex_ms(value: str | None) -> datetime | None:
    """A packages.xml time attribute (Unix ms as hexadecimal)."""
    if not value:
        return None
    try:
        return from_unix_ms(int(value, 16))
    except ValueError:
        return None


def parse_packages_xml(data: bytes, facts: Facts) -> int:
    """Add one ``installed_package`` fact per package; returns how many were found."""
    count = 0
    tags = frozenset({"package", "version"})
    for element in iter_elements(data, tags, facts, "packages.xml"):
        if element.tag == "version":
            if element.get("volumeUuid") is None:
                facts.add(
                    "os",
                    "build_fingerprint",
                    element.get("fingerprint"),
                    detail=details(
                        "build that last wrote packages.xml",
                        labelled("SDK", element.get("sdkVersion")),
                    ),
                )
            continue
        name = element.get("name")
        if not name:
            continue
        count += 1
        installed = _hex_ms(element.get("it"))
        updated = _hex_ms(element.get("ut"))
        code_path = element.get("codePath") or ""
        preinstalled = code_path.startswith(SYSTEM_PREFIXES)
        facts.add(
            "app",
            "installed_package",
            name,
            time=installed,
            time_raw=element.get("it") if installed else None,
            time_note="first install time ('it', Unix ms in hex)" if installed else None,
            detail=details(
                "preinstalled" if preinstalled else "user-installed",
                labelled("version code", element.get("version")),
                labelled("installer", element.get("installer")),
                f"updated {format_utc(updated)}" if updated and updated != installed else None,
                labelled("uid", element.get("userId") or element.get("sharedUserId")),
                labelled("path", code_path or None),
            ),
        )
    return count


def parse_packages_list(lines: Iterable[str], facts: Facts) -> None:
    """Add one ``installed_package`` fact per line of packages.list."""
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            facts.problem(f"line {number} is {len(line)} characters long; skipped", "warning")
            continue
        fields = line.split()
        if len(fields) < 4 or not fields[1].isdigit():
            continue
        facts.add(
            "app",
            "installed_package",
            fields[0],
            detail=details(
                "packages.list",
                labelled("uid", fields[1]),
                "debuggable" if fields[2] == "1" else None,
                labelled("data", fields[3]),
            ),
        )
