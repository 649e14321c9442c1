"""Which browser and which profile a history file belongs to, read from its path.

Chromium-based browsers share one History schema, so only the path tells Chrome from Edge or
Samsung Internet. The folder names come from the peer tools' path lists: dissect.target
``plugins/apps/browser/{chrome,edge,brave,opera,chromium}.py`` DIRS, ALEAPP ``chrome.py`` (Android
package folders ``app_chrome``, ``app_sbrowser``, ``app_webview``, ``app_opera``) and the KAPE
browser targets (Vivaldi, Yandex). Gecko browsers share places.sqlite the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

# (lower-case path fragment, browser name); the first fragment found in the path wins, so
# Android package names (which say the vendor) come before the generic ``app_chrome`` folder.
CHROMIUM_BROWSERS: tuple[tuple[str, str], ...] = (
    ("com.microsoft.emmx", "Edge"),
    ("com.brave.browser", "Brave"),
    ("com.opera.", "Opera"),
    ("com.vivaldi.browser", "Vivaldi"),
    ("com.yandex.browser", "Yandex"),
    ("com.sec.android.app.sbrowser", "Samsung Internet"),
    ("/app_sbrowser/", "Samsung Internet"),
    ("com.android.chrome", "Chrome"),
    ("com.chrome.", "Chrome"),
    ("org.chromium.", "Chromium"),
    ("/app_webview/", "Android WebView"),
    ("/microsoft/edge", "Edge"),
    ("/microsoft edge", "Edge"),
    ("/microsoft-edge", "Edge"),
    ("/bravesoftware/", "Brave"),
    ("/opera software/", "Opera"),
    ("/com.operasoftware.", "Opera"),
    ("/.config/opera", "Opera"),
    ("/vivaldi", "Vivaldi"),
    ("/yandex", "Yandex"),
    ("/google/chrome", "Chrome"),
    ("/google-chrome", "Chrome"),
    ("/com.google.chrome", "Chrome"),
    ("/chromium/", "Chromium"),
    ("/app_chrome/", "Chrome"),
)

GECKO_BROWSERS: tuple[tuple[str, str], ...] = (
    ("org.mozilla.", "Firefox (Android)"),
    ("/torbrowser/", "Tor Browser"),
    ("/tor browser/", "Tor Browser"),
    ("/waterfox", "Waterfox"),
    ("/.librewolf/", "LibreWolf"),
    ("/librewolf/", "LibreWolf"),
    ("/seamonkey/", "SeaMonkey"),
    ("/thunderbird/", "Thunderbird"),
    ("/.thunderbird/", "Thunderbird"),
    ("/firefox/", "Firefox"),
    ("/.mozilla/", "Firefox"),
)

# Folders that hold a History file directly but are not a profile name.
NOT_PROFILES = frozenset({"files", "app_opera", "databases"})


def _lowered(path: PurePosixPath) -> str:
    return "/" + str(path).lower().lstrip("/")


def browser_from_path(path: PurePosixPath, table: tuple[tuple[str, str], ...], default: str) -> str:
    """The browser named by the first known fragment of ``path``, else ``default``."""
    lowered = _lowered(path)
    for fragment, name in table:
        if fragment in lowered:
            return name
    return default


def chromium_browser(path: PurePosixPath) -> str:
    """Chrome, Edge, Brave, Opera, Vivaldi, Yandex, Chromium, Samsung Internet, WebView..."""
    return browser_from_path(path, CHROMIUM_BROWSERS, "Chromium-based browser")


def gecko_browser(path: PurePosixPath) -> str:
    """Firefox, Tor Browser, Waterfox, LibreWolf..."""
    return browser_from_path(path, GECKO_BROWSERS, "Firefox")


def profile_name(path: PurePosixPath) -> str | None:
    """The profile folder a database sits in: ``Default``, ``Profile 2``, ``x.default-release``.

    Chromium snapshots (``User Data/Snapshots/<version>/<profile>/History``) say so.
    """
    parent = path.parent
    if not parent.name or parent.name.lower() in NOT_PROFILES:
        return None
    grand = parent.parent
    if grand.parent.name.lower() == "snapshots":
        return f"{parent.name} (snapshot {grand.name})"
    return parent.name


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose history a database is: browser, profile, OS user."""

    browser: str
    profile: str | None
    user: str | None
