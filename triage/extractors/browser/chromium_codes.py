"""Chromium's numeric codes in words: page transitions, download states and danger types.

References: Chromium ``ui/base/page_transition_types.h`` (core type in the low byte, qualifier
bits above), ``components/history/core/browser/download_constants.h`` /
``download_types.cc`` (DownloadState and DownloadDangerType as stored in History, which keep
their numbers across versions) and ``components/history/core/browser/history_types.h``
(VisitSource). The same tables are in ALEAPP ``chrome.py`` and Hindsight ``chrome.py``.
"""

from __future__ import annotations

TRANSITION_CORE = {
    0: "link",
    1: "typed",
    2: "auto bookmark",
    3: "auto subframe",
    4: "manual subframe",
    5: "generated",
    6: "auto toplevel",
    7: "form submit",
    8: "reload",
    9: "keyword",
    10: "keyword generated",
}
TRANSITION_QUALIFIERS = (
    (0x00800000, "blocked"),
    (0x01000000, "forward/back"),
    (0x02000000, "from address bar"),
    (0x04000000, "home page"),
    (0x08000000, "from API"),
    (0x10000000, "chain start"),
    (0x20000000, "chain end"),
    (0x40000000, "client redirect"),
    (0x80000000, "server redirect"),
)

DOWNLOAD_STATES = {
    0: "in progress",
    1: "complete",
    2: "cancelled",
    3: "interrupted",  # old BUG_140687 value, read as interrupted like Chromium does
    4: "interrupted",
}

DANGER_TYPES = {
    0: "not dangerous",
    1: "dangerous file",
    2: "dangerous URL",
    3: "dangerous content",
    4: "maybe dangerous content",
    5: "uncommon content",
    6: "user validated",
    7: "dangerous host",
    8: "potentially unwanted",
    9: "allowlisted by policy",
    10: "async scanning",
    11: "blocked password protected",
    12: "blocked too large",
    13: "sensitive content warning",
    14: "sensitive content block",
    15: "deep scanned safe",
    16: "deep scanned opened dangerous",
    17: "prompt for scanning",
    19: "dangerous account compromise",
    20: "deep scanned failed",
    21: "prompt for local password scanning",
    22: "async local password scanning",
    23: "blocked scan failed",
}

INTERRUPT_REASONS = {
    1: "file failed",
    2: "file access denied",
    3: "file no space",
    5: "file name too long",
    6: "file too large",
    7: "file virus infected",
    10: "file transient error",
    11: "file blocked",
    12: "file security check failed",
    13: "file too short",
    14: "file hash mismatch",
    15: "file same as source",
    20: "network failed",
    21: "network timeout",
    22: "network disconnected",
    23: "network server down",
    24: "network invalid request",
    30: "server failed",
    31: "server no range",
    33: "server bad content",
    34: "server unauthorized",
    35: "server certificate problem",
    36: "server forbidden",
    37: "server unreachable",
    38: "server content length mismatch",
    39: "server cross-origin redirect",
    40: "user cancelled",
    41: "user shutdown",
    50: "crash",
}

VISIT_SOURCES = {
    0: "synced from another device",
    1: "browsed",
    2: "added by an extension",
    3: "imported from Firefox",
    4: "imported from Internet Explorer",
    5: "imported from Safari",
    6: "imported from another browser",
    7: "imported from another browser",
}


def decode_transition(value: int | None) -> str | None:
    """``typed | from address bar | chain start | chain end`` from a stored transition.

    Old databases stored the 32-bit value signed, so redirects read back negative: the value is
    taken modulo 2**32 first.
    """
    if value is None:
        return None
    value &= 0xFFFFFFFF
    core = value & 0xFF
    parts = [TRANSITION_CORE.get(core, f"unknown core type {core}")]
    parts.extend(name for bit, name in TRANSITION_QUALIFIERS if value & bit)
    return " | ".join(parts)
