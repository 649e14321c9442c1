"""How telling a cross-device link is, and what it means in words.

Two devices of a case share many values that say nothing: every NTFS volume has the same
``$UpCase`` and ``$Secure:$SDS``, every browser visits google.com. :func:`is_fs_metadata`
keeps file-system metadata out of the identical-files links (empty files and known-good hashes
are left out where the hashes are copied), :func:`is_common_domain` ranks everyday domains
below rare ones, and :func:`remote_id_words` says whose remote-access ID a shared ID is and who
connected to it, instead of listing roles.
"""

from __future__ import annotations

from typing import Any

# Domains nearly every computer or phone visits: a link through them ranks last.
COMMON_DOMAINS = frozenset(
    {
        "google.com",
        "google.co.in",
        "google.co.uk",
        "gstatic.com",
        "googleapis.com",
        "googleusercontent.com",
        "gmail.com",
        "youtube.com",
        "bing.com",
        "msn.com",
        "microsoft.com",
        "live.com",
        "office.com",
        "windows.com",
        "windowsupdate.com",
        "outlook.com",
        "apple.com",
        "icloud.com",
        "facebook.com",
        "instagram.com",
        "whatsapp.com",
        "whatsapp.net",
        "twitter.com",
        "x.com",
        "amazon.com",
        "wikipedia.org",
        "yahoo.com",
        "linkedin.com",
        "ubuntu.com",
        "mozilla.org",
        "mozilla.com",
        "firefox.com",
        "duckduckgo.com",
        "baidu.com",
        "cloudflare.com",
        "netflix.com",
        "reddit.com",
        "github.com",
        "android.com",
        "samsung.com",
        "debian.org",
    }
)


def is_common_domain(domain: str) -> bool:
    """Whether ``domain`` is an everyday domain or a subdomain of one (start.ubuntu.com)."""
    return any(domain == common or domain.endswith("." + common) for common in COMMON_DOMAINS)


def is_fs_metadata(path: str) -> bool:
    """Whether a path is file-system metadata: NTFS's ``$MFT``, ``$LogFile``, ``$UpCase``,
    ``$Secure:$SDS``, ``$Extend/...`` and the virtual ``$OrphanFiles``/``$FAT1`` of the walk."""
    first = path.lstrip("/").split("/", 1)[0]
    return first.startswith("$")


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def remote_id_words(tool: str, value: str, roles: list[dict[str, Any]]) -> str:
    """``507338164 is laptop-02's own AnyDesk ID; laptop-01 connected to it 3 times``.

    ``roles``: one entry per device and role (``own``, ``peer`` sessions, ``peer_event`` log
    lines) with ``count``, ``outgoing`` and ``incoming``.
    """
    owners = sorted({role["device"] for role in roles if role["role"] == "own"})
    parts = []
    if owners:
        names = " and ".join(f"{owner}'s" for owner in owners)
        parts.append(f"{value} is {names} own {tool} ID")
    else:
        parts.append(f"{tool} ID {value}")
    sessions = {role["device"]: role for role in roles if role["role"] == "peer"}
    events = {role["device"]: role for role in roles if role["role"] == "peer_event"}
    for device in sorted(set(sessions) | set(events)):
        if device in owners:
            continue
        entry = sessions.get(device) or events[device]
        count, outgoing, incoming = entry["count"], entry["outgoing"], entry["incoming"]
        said = []
        if outgoing:
            said.append(f"{device} connected to it {_times(outgoing)}")
        if incoming:
            said.append(f"it connected to {device} {_times(incoming)}")
        rest = count - outgoing - incoming
        if rest > 0 and device in sessions:
            noun = "session" if rest == 1 else "sessions"
            said.append(f"{device} had {rest} {noun} with it (direction not logged)")
        elif rest > 0:
            said.append(f"{device}'s {tool} logs name it {_times(rest)}")
        parts.extend(said)
    return "; ".join(parts)


HOST_KINDS = {"mac": "MAC address", "hostname": "host name"}
ROUTER_RECORDS = {"lease": "DHCP lease", "static_lease": "static lease", "log": "log"}


def host_words(kind: str, value: str, facts: list[list[str]]) -> str:
    """``CC-LAPTOP-01 is laptop-01's own host name; router-01: static lease 192.168.1.23, DHCP
    lease 192.168.1.23``. ``facts``: (device, role, detail) of every sighting."""
    noun = HOST_KINDS.get(kind, kind)
    owners = sorted({device for device, role, _ in facts if role == "device"})
    # a device that reports the MAC itself needs no lease to own it
    by_lease = sorted(
        {
            detail
            for device, role, detail in facts
            if role == "router lease" and device not in owners
        }
    )
    routers: dict[str, list[str]] = {}
    for device, role, detail in facts:
        if role == "router":
            record, _, address = detail.partition(" ")
            words = ROUTER_RECORDS.get(record, record.replace("_", " "))
            routers.setdefault(device, []).append(f"{words} {address}".strip())
    parts = []
    if owners:
        parts.append(f"{value} is " + " and ".join(f"{o}'s" for o in owners) + f" own {noun}")
    else:
        parts.append(f"{noun} {value}")
    parts += by_lease
    parts += [
        f"{router}: {', '.join(sorted(set(seen)))}" for router, seen in sorted(routers.items())
    ]
    return "; ".join(parts)
