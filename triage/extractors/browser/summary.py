"""A summary of a device's browser activity for the report: busiest domains, first and last
activity, and every visit or download that touches a remote-access tool.

Tech-support scams run on remote-access tools: the caller talks the victim (or the agent's own
laptop is set up) into downloading AnyDesk, TeamViewer, UltraViewer... so a visit to a tool's
download page or a download of its installer is the first thing an investigator looks for.
The domains are the tools' own sites and download hosts (ARTIFACTS.md remote-access section;
the vendors' download pages). A URL on another site that names a tool (a search for
"anydesk download", an installer mirrored elsewhere) is flagged as a mention.

Pure: it reads only the store's ``browser_visits`` and ``browser_downloads`` tables and returns
plain data; the report writer renders it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from triage.recover.summary import is_recovered
from triage.store import DeviceStore
from triage.timestamps import format_utc, parse_utc

TOP_DOMAINS = 20

# tool -> (domains whose sites and subdomains are the tool's, keywords naming the tool)
REMOTE_ACCESS_TOOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "AnyDesk": (("anydesk.com", "anydesk.de"), ("anydesk",)),
    "TeamViewer": (("teamviewer.com", "teamviewer.us", "tvc.teamviewer.com"), ("teamviewer",)),
    "UltraViewer": (("ultraviewer.net",), ("ultraviewer",)),
    "RustDesk": (("rustdesk.com",), ("rustdesk",)),
    "ScreenConnect / ConnectWise": (
        ("screenconnect.com", "connectwise.com", "connectwise.net", "screenconnect.net"),
        ("screenconnect", "connectwisecontrol", "connectwise"),
    ),
    "Splashtop": (("splashtop.com", "splashtop.eu"), ("splashtop",)),
    "Supremo": (("supremocontrol.com", "nanosystems.it"), ("supremo.exe", "supremocontrol")),
    "AeroAdmin": (("aeroadmin.com",), ("aeroadmin",)),
    "Ammyy Admin": (("ammyy.com",), ("ammyy",)),
    "LogMeIn / GoTo": (
        (
            "logmein.com",
            "logme.in",
            "logmeinrescue.com",
            "gotoassist.com",
            "fastsupport.com",
            "goto.com",
            "remotelyanywhere.com",
        ),
        ("logmein", "gotoassist", "fastsupport"),
    ),
    "Zoho Assist": (("assist.zoho.com", "assist.zoho.eu", "zohoassist.com"), ("zohoassist",)),
    "Getscreen.me": (("getscreen.me",), ("getscreen",)),
    "RemotePC": (("remotepc.com",), ("remotepc",)),
    "ShowMyPC": (("showmypc.com",), ("showmypc",)),
    "DWService": (("dwservice.net",), ("dwagent",)),
    "HopToDesk": (("hoptodesk.com",), ("hoptodesk",)),
    "Iperius Remote": (("iperiusremote.com",), ("iperiusremote",)),
    "Remote Utilities": (("remoteutilities.com",), ("remoteutilities",)),
    "BeyondTrust / Bomgar": (("beyondtrust.com", "bomgar.com"), ("bomgar",)),
    "NetSupport": (("netsupportsoftware.com",), ("netsupport",)),
    "SimpleHelp": (("simple-help.com",), ("simplehelp",)),
    "Atera": (("atera.com",), ("ateraagent",)),
    "Radmin": (("radmin.com",), ("radmin",)),
    "Chrome Remote Desktop": (("remotedesktop.google.com",), ("chromeremotedesktop",)),
    "Quick Assist": (("remoteassistance.support.services.microsoft.com",), ("quickassist",)),
    "VNC": (("realvnc.com", "tightvnc.com", "uvnc.com"), ("vncviewer", "tightvnc", "ultravnc")),
}


def domain_of(url: str | None) -> str | None:
    """The host of a URL without ``www.``; None for URLs without a host (about:, file:)."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def remote_access_tool(url: str | None, *texts: str | None) -> tuple[str, str] | None:
    """(tool, ``"site"`` or ``"mention"``) when a URL is a tool's site or names a tool."""
    host = domain_of(url) or ""
    for tool, (domains, _) in REMOTE_ACCESS_TOOLS.items():
        if any(host == domain or host.endswith("." + domain) for domain in domains):
            return tool, "site"
    haystack = " ".join(value for value in (url, *texts) if value).lower()
    if not haystack:
        return None
    for tool, (_, keywords) in REMOTE_ACCESS_TOOLS.items():
        if any(keyword in haystack for keyword in keywords):
            return tool, "mention"
    return None


def _earliest(current: datetime | None, value: datetime | None) -> datetime | None:
    return value if current is None or (value is not None and value < current) else current


def _latest(current: datetime | None, value: datetime | None) -> datetime | None:
    return value if current is None or (value is not None and value > current) else current


def browser_summary(store: DeviceStore) -> dict[str, Any]:
    """Top domains, first/last activity, profiles and remote-access flags of one device."""
    domains: Counter[str] = Counter()
    profiles: Counter[tuple[str, str, str]] = Counter()
    first: datetime | None = None
    last: datetime | None = None
    flagged: list[dict[str, Any]] = []
    visits = downloads = 0
    for row in store.records("browser_visits"):
        if is_recovered(row):
            continue  # shown apart, in the section's "Deleted, recovered" part
        visits += 1
        domain = domain_of(row["url"])
        if domain:
            domains[domain] += 1
        profiles[(row["browser"] or "", row["profile"] or "", row["user"] or "")] += 1
        when = parse_utc(row["visited"])
        first, last = _earliest(first, when), _latest(last, when)
        hit = remote_access_tool(row["url"], row["title"])
        if hit:
            flagged.append(
                {
                    "kind": "visit",
                    "tool": hit[0],
                    "match": hit[1],
                    "time": row["visited"],
                    "url": row["url"],
                    "title": row["title"],
                    "target_path": None,
                    "browser": row["browser"],
                    "profile": row["profile"],
                    "user": row["user"],
                    "source_path": row["source_path"],
                    "rowid": row["rowid"],
                }
            )
    for row in store.records("browser_downloads"):
        downloads += 1
        started, ended = parse_utc(row["started"]), parse_utc(row["ended"])
        first = _earliest(_earliest(first, started), ended)
        last = _latest(_latest(last, started), ended)
        hit = remote_access_tool(row["url"], row["target_path"], row["url_chain"])
        if hit:
            flagged.append(
                {
                    "kind": "download",
                    "tool": hit[0],
                    "match": hit[1],
                    "time": row["started"] or row["ended"],
                    "url": row["url"],
                    "title": None,
                    "target_path": row["target_path"],
                    "browser": row["browser"],
                    "profile": row["profile"],
                    "user": row["user"],
                    "source_path": row["source_path"],
                    "rowid": row["rowid"],
                }
            )
    flagged.sort(key=lambda item: (item["time"] is None, item["time"] or "", item["kind"]))
    return {
        "visits": visits,
        "downloads": downloads,
        "first_activity": format_utc(first),
        "last_activity": format_utc(last),
        "top_domains": [
            {"domain": domain, "visits": count}
            for domain, count in sorted(domains.items(), key=lambda item: (-item[1], item[0]))[
                :TOP_DOMAINS
            ]
        ],
        "profiles": [
            {"browser": key[0], "profile": key[1] or None, "user": key[2] or None, "visits": n}
            for key, n in sorted(profiles.items())
        ],
        "remote_access": flagged,
    }
