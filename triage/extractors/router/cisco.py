"""router.cisco: Cisco IOS/IOS-XE/ASA/NX-OS/IOS-XR configurations and saved show output.

Where it lives: nowhere on a file system of ours; it comes from the router (``show running-config``
or ``copy running-config tftp:``, default TFTP name ``<hostname>-confg``) or from an admin's
laptop (saved configs ``*.cfg``, ``running-config.txt``, console logs with ``show`` output).
Reading is in :mod:`cisco_config` (configurations) and :mod:`cisco_show` (command captures);
this module only decides which one a file is, from its first bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.router.base import RouterExtractor, modified_time
from triage.extractors.router.cisco_config import CiscoConfig, detect_platform
from triage.extractors.router.cisco_show import read_show, recognise_show
from triage.extractors.router.text import read_lines, sniff
from triage.records import RouterFact

# A config shows at least three of these at the start of a line.
CONFIG_SIGNS = tuple(
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"^version \d+\.\d+",
        r"^(?:hostname|switchname) [^\s\"]+\s*$",
        r"^interface [A-Za-z]",
        r"^!\s*$",
        r"^end\s*$",
        r"^Building configuration",
        r"^Current configuration\s*:",
        r"^line (?:vty|con|template) ",
        r"^(?:ASA|PIX) Version ",
        r"^feature \S+",
        r"^ip (?:route|name-server|domain[- ]name|domain name) ",
        r"^username \S+ ",
        r"^ ipv4 address ",
        r"^snmp-server ",
        r"^ntp server ",
    )
)
NOT_CISCO = re.compile(r"^; \S+ Configuration Editor;|^hostname \"", re.MULTILINE)


def looks_like_config(head: str) -> bool:
    """Whether text is a Cisco configuration (and not HP ProCurve's look-alike)."""
    if NOT_CISCO.search(head):
        return False
    return sum(1 for sign in CONFIG_SIGNS if sign.search(head)) >= 3


class CiscoText(RouterExtractor):
    """Cisco configurations and show-command captures (see the module docstring)."""

    name = "router.cisco"
    description = (
        "Cisco IOS/ASA/NX-OS/IOS-XR running-config and saved show output (version, ip arp, ip "
        "dhcp binding, ip interface brief, logging): identity, interfaces, PPP ISP account, "
        "DHCP, NAT/port forwards, DNS, NTP, logging, users, remote admin, VPN"
    )
    patterns = (
        "**/*.ios",
        "**/*.asa",
        "**/*.nxos",
        "**/*.iosxr",
        "**/*-confg",
        "**/*.confg",
        "**/*running-config*",
        "**/*startup-config*",
        "**/*running_config*",
        "**/*startup_config*",
        "**/*.cfg",
        "**/*.conf",
        "**/*.raw",
        "**/*show*.txt",
        "**/*show*.log",
        "**/*cisco*.txt",
        "**/*cisco*.log",
        "**/*config*.txt",
    )

    def recognise(self, head: str, file: StoredFile, ctx: ExtractionContext) -> bool:
        """A configuration by its global commands, or a capture by its show-output headers."""
        return looks_like_config(head) or recognise_show(head)

    def parse(
        self, file: StoredFile, ctx: ExtractionContext, fact: partial
    ) -> Iterator[RouterFact]:
        """Configuration reader or capture reader, chosen from the head."""
        head = sniff(ctx, file) or ""
        if looks_like_config(head):
            config = CiscoConfig(fact, detect_platform(head))
            yield from config.read(read_lines(ctx, file), lambda text: ctx.problem(text, file))
        else:
            yield from read_show(read_lines(ctx, file), fact, modified_time(file))
