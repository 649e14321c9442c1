"""A corpus of hostile strings, and a device that carries them in every kind of field.

Every active payload, if it ever ran, would set ``window.__pwned`` to its own name, so a test
knows which one got through. The device is a Windows-laptop folder built with the families'
generators, with the hostile strings planted where an officer's report shows evidence text:
browser URLs and titles (Chrome History), file names, remote-access log lines (AnyDesk
connection trace alias, TeamViewer participant name), a router's DHCP host names (dnsmasq),
the phone model (Android build.prop) and a call log (names and numbers, for the CSV checks).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.hostile.devices import builder

# name -> payload. Names double as the sentinel value the payload would set.
ACTIVE = {
    "script": "<script>window.__pwned='script'</script>",
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "svg": "<svg onload=window.__pwned='svg'>",
    "style": "</style><script>window.__pwned='style'</script><style>",
    "title": "</title></textarea><script>window.__pwned='title'</script>",
    "attribute": '" autofocus onfocus="window.__pwned=\'attribute\'" x="',
    "iframe": "<iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>",
    "javascript_url": "javascript:window.__pwned='javascript_url'//",
    "meta_refresh": '<meta http-equiv=refresh content="0;url=https://evil.example/refresh">',
    "beacon": "<img src=https://evil.example/beacon.png>",
    "css_import": "<style>@import url(https://evil.example/x.css);</style>",
    "base": "<base href=https://evil.example/>",
    "comment": "--><script>window.__pwned='comment'</script><!--",
}
# Shown as they are, never evaluated: template syntax, spreadsheet formulas, odd characters.
INERT = {
    "template": "{{7*7}} ${7*7} {%raw%}<%= 7*7 %>#{7*7}",
    "formula_eq": '=HYPERLINK("https://evil.example","click me")',
    "formula_plus": "+cmd|' /C calc'!A0",
    "formula_minus": "-2+3+cmd|' /C calc'!A0",
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_tab": "\t=1+1",
    "formula_cr": "\r=1+1",
    "bidi": "invoice\u202efdp.exe",
    "zero_width": "pay\u200bpal\u2060-support\ufeff.com",
    "control": "nul\x00bell\x07esc\x1b[31mred\x08back\x7fdel",
}
BIG_TITLE = "BIG<script>window.__pwned='big'</script>" + "A" * (10 * 1024 * 1024)
PHONE_NUMBER = "+1 540-456-1685"  # a phone number starts with '+' and stays as it is in CSVs
NO_SPACE = {  # for fields whose format splits on white space (host names, aliases)
    "nospace_svg": "<svg/onload=window.__pwned='nospace_svg'>",
    "nospace_script": "<script>window.__pwned='nospace_script'</script>",
    "nospace_formula": "=1+2",
}
FILE_NAMES = {  # a file name cannot hold '/' or NUL
    "name_img": "AnyDesk<img src=x onerror=window.__pwned='name_img'>.exe",
    "name_svg": "<svg onload=window.__pwned='name_svg'>.txt",
    "name_bidi": "AnyDesk-invoice\u202efdp.exe",
    "name_zero_width": "Any\u200bDesk\u200d.exe",
    "name_formula": "=cmd|' calc'!A0.txt",
    "name_control": "bell\x07esc\x1b[31m.txt",
    "name_template": "{{7*7}}.txt",
}
WHEN = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
CHROME = "Users/agent1/AppData/Local/Google/Chrome/User Data/Default/History"


def hostile_urls() -> list[str]:
    return [
        "javascript:window.__pwned='url_javascript'//",
        "https://evil.example/<script>window.__pwned='url_path'</script>",
        "https://evil.example/\"><svg onload=window.__pwned='url_quote'>",
        "data:text/html,<script>window.__pwned='url_data'</script>",
        "https://evil.example/?q={{7*7}}&x=\u202e",
    ]


def build_hostile_device(root: Path) -> Path:
    """A laptop folder whose evidence strings are all hostile (see the module docstring)."""
    browser = builder("browser")
    titles = {**ACTIVE, **INERT}
    visits = [
        browser.Visit(f"https://evil.example/{name}", title, WHEN + timedelta(minutes=index))
        for index, (name, title) in enumerate(titles.items())
    ]
    visits += [
        browser.Visit(url, ACTIVE["img"], WHEN + timedelta(hours=1, minutes=index))
        for index, url in enumerate(hostile_urls())
    ]
    visits.append(browser.Visit("https://evil.example/big", BIG_TITLE, WHEN + timedelta(hours=2)))
    browser.write_chrome_history(root / CHROME, visits)

    remote = builder("remote_access", fresh=True)
    remote.VICTIM_A_ALIAS = NO_SPACE["nospace_svg"]
    remote.VICTIM_B_NAME = f"{ACTIVE['img']} {INERT['template']} {INERT['bidi']}"
    remote.populate_windows_laptop(root)

    downloads = root / "Users" / "agent1" / "Downloads"
    for index, name in enumerate(FILE_NAMES.values()):
        (downloads / name).write_bytes(b"planted\n" * (2000 + index))

    leases = root / "tmp" / "dhcp.leases"
    leases.parent.mkdir(parents=True)
    leases.write_text(
        f"1709329801 00:1a:2b:3c:4d:5e 192.168.1.23 {NO_SPACE['nospace_script']} *\n"
        f"1709334600 02:11:22:33:44:55 192.168.1.45 {NO_SPACE['nospace_formula']} *\n",
        encoding="utf-8",
    )
    build_prop = root / "system" / "build.prop"
    build_prop.parent.mkdir(parents=True)
    build_prop.write_text(
        "ro.product.manufacturer=samsung\n"
        f"ro.product.model={ACTIVE['style']} {INERT['formula_eq']}\n"
        f"ro.product.brand={ACTIVE['svg']}\n"
        "ro.build.version.release=12\n",
        encoding="utf-8",
    )
    base = {"countryiso": "US", "subscription_id": "1", "duration": 60, "type": 1}
    calls = [
        (PHONE_NUMBER, INERT["formula_eq"]),
        (INERT["formula_plus"], ACTIVE["script"]),
        ("-1", INERT["formula_at"]),
    ]
    builder("calls").write_calllog(
        root / "data/data/com.android.providers.contacts/databases/calllog.db",
        [
            {**base, "number": number, "name": name, "date": 1709283600000 + 60000 * index}
            for index, (number, name) in enumerate(calls)
        ],
    )
    return root
