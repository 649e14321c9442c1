"""Read a Cisco IOS, IOS-XE, ASA, NX-OS or IOS-XR running/startup configuration as a stream.

Format (Cisco IOS Configuration Fundamentals; ASA, NX-OS and IOS-XR command references; the
configs in mpenning/ciscoconfparse's test fixtures as real examples): one command per line;
a line at column 0 is a global command, indented lines belong to the last global command
(``interface``, ``ip dhcp pool``, ``object network``, ``line vty``...); ``!`` lines are comments
and separators (IOS writes ``! Last configuration change at ...``); ASA comments start with
``:`` (``: Written by <user> at <time>``); ``banner <type> <d>...<d>`` spans lines up to the
delimiter (``^C``, ``#``) except on ASA, whose banners repeat ``banner motd`` per line.
Some IOS releases indent a global ``interface`` line by one space after a ``!``: a line with no
open block is treated as global, as ciscoconfparse does.

Nothing here holds the whole file: global commands become facts at once, blocks when they close.
Passwords, secrets, keys and SNMP communities are recorded as set with a fingerprint and their
Cisco type (type 7 is reversible obfuscation), never in clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from triage.extractors.router.cisco_blocks import BlockCommands
from triage.extractors.router.cisco_commands import MAX_NAMES, Block, Fact, GlobalCommands
from triage.extractors.router.normalise import (
    ip_address,
)
from triage.extractors.router.times import build_from_match, month_number
from triage.records import RouterFact

PLATFORMS = {"ios": "Cisco IOS", "asa": "Cisco ASA", "nxos": "Cisco NX-OS", "iosxr": "Cisco IOS-XR"}
MAX_BANNER_LINES = 200
_LAST_CHANGE = re.compile(
    r"^!\s*(?P<what>Last configuration change|NVRAM config last updated) at "
    r"(?P<hms>\d{1,2}:\d\d:\d\d(?:\.\d+)?) (?P<tz>\S+) \w{3} (?P<mon>\w{3}) +(?P<day>\d{1,2}) "
    r"(?P<year>\d{4})(?: by (?P<user>\S+))?"
)
_ASA_WRITTEN = re.compile(
    r"^:\s*Written by (?P<user>\S+) at (?P<hms>\d{1,2}:\d\d:\d\d(?:\.\d+)?) (?P<tz>\S+) "
    r"\w{3} (?P<mon>\w{3}) +(?P<day>\d{1,2}) (?P<year>\d{4})"
)


def detect_platform(head: str) -> str:
    """``asa``, ``nxos``, ``iosxr`` or ``ios`` from the first bytes of a config."""
    if re.search(r"^(?:ASA|PIX) Version |^: Saved", head, re.MULTILINE):
        return "asa"
    if re.search(r"^feature \S|^vdc \S|^switchname \S|NX-OS", head, re.MULTILINE):
        return "nxos"
    if re.search(r"^ ipv4 address |^ipv4 access-list |IOS XR|^RP/\d", head, re.MULTILINE):
        return "iosxr"
    return "ios"


class CiscoConfig(GlobalCommands, BlockCommands):
    """The state of one config being read: open block, ASA names and objects."""

    def __init__(self, fact: Fact, platform: str) -> None:
        self.fact = fact
        self.platform = platform
        self.block: Block | None = None
        self.names: dict[str, str] = {}  # ASA "name" table and object network hosts
        self.banners: dict[str, list[str]] = {}  # ASA one-line banners, joined at the end

    # -- entry points -----------------------------------------------------------------------
    def read(self, lines: Iterable[tuple[int, str]], problem: Callable[[str], None]):
        """Facts from every line, in order."""
        yield self.fact("system", "platform", PLATFORMS[self.platform])
        banner: tuple[str, str, list[str], int] | None = None  # kind, delimiter, lines, start
        for number, raw in lines:
            line = raw.rstrip()
            if banner is not None:
                kind, delimiter, collected, start = banner
                if delimiter in line:
                    collected.append(line.split(delimiter, 1)[0])
                    yield self._banner(kind, collected)
                    banner = None
                elif len(collected) >= MAX_BANNER_LINES:
                    problem(
                        f"line {start}: banner {kind} has no end delimiter within "
                        f"{MAX_BANNER_LINES} lines; read as commands from here"
                    )
                    yield self._banner(kind, collected)
                    banner = None
                else:
                    collected.append(line)
                    continue
            stripped = line.strip()
            if not stripped:
                continue
            indent = len(line) - len(line.lstrip(" \t"))
            if stripped.startswith("!"):
                yield from self._comment(stripped)
                if indent == 0:
                    yield from self.close()
                continue
            if stripped.startswith(":") and self.platform == "asa":
                yield from self._asa_comment(stripped)
                continue
            if indent > 0 and self.block is not None:
                yield from self._child(stripped, number)
                continue
            yield from self.close()
            opened = self._banner_start(stripped, number)
            if opened is not None:
                if isinstance(opened, RouterFact):
                    yield opened
                elif opened:
                    banner = opened
                continue
            yield from self._global(stripped.split(), stripped, number)
        if banner is not None:
            problem(f"line {banner[3]}: banner {banner[0]} never ends")
            yield self._banner(banner[0], banner[2])
        yield from self.close()
        for kind, collected in self.banners.items():
            yield self._banner(kind, collected)

    def close(self) -> Iterator[RouterFact]:
        """Facts of the open block, which ends here."""
        block, self.block = self.block, None
        if block is None:
            return
        closer = getattr(self, f"_close_{block.kind}", None)
        if closer is not None:
            yield from closer(block)

    # -- comments and banners ----------------------------------------------------------------
    def _comment(self, text: str) -> Iterator[RouterFact]:
        match = _LAST_CHANGE.match(text)
        if match:
            yield self._stamped(
                "config_changed" if match.group("what").startswith("Last") else "nvram_updated",
                text,
                match,
            )

    def _asa_comment(self, text: str) -> Iterator[RouterFact]:
        match = _ASA_WRITTEN.match(text)
        if match:
            yield self._stamped("config_written", text, match)

    def _stamped(self, key: str, text: str, match: re.Match[str]) -> RouterFact:
        month = month_number(match.group("mon")) or 0
        when, note = build_from_match(match, month)
        raw = text.lstrip("!: ").strip()
        return self.fact(
            "system",
            key,
            raw,
            time=when,
            time_raw=raw,
            time_note=note,
            detail=f"by {match.group('user')}" if match.group("user") else None,
        )

    def _banner_start(self, text: str, number: int):
        match = re.match(r"^banner (\S+)(?: (.*))?$", text)
        if not match:
            return None
        kind, rest = match.group(1), match.group(2) or ""
        if self.platform == "asa":
            if kind not in self.banners and len(self.banners) >= 10:
                return False
            lines = self.banners.setdefault(kind, [])
            if len(lines) < MAX_BANNER_LINES:
                lines.append(rest)
            return False
        if not rest:
            return None
        delimiter = "^C" if rest.startswith("^C") else rest[0]
        after = rest[len(delimiter) :]
        if delimiter in after:
            return self._banner(kind, [after.split(delimiter, 1)[0]])
        return kind, delimiter, [after] if after.strip() else [], number

    def _banner(self, kind: str, lines: list[str]) -> RouterFact:
        text = "\n".join(lines).strip("\n")
        return self.fact("system", f"banner {kind}", text[:4000] or "(empty)")

    # -- names ------------------------------------------------------------------------------
    def resolve(self, token: str | None) -> tuple[str | None, str | None]:
        """``(as written, ip)``: an IP, or an ASA name/object resolved to its IP."""
        if token is None:
            return None, None
        direct = ip_address(token)
        return token, direct or self.names.get(token)

    def _remember(self, name: str, address: str) -> None:
        if len(self.names) < MAX_NAMES:
            self.names.setdefault(name, address)

    # -- global commands ---------------------------------------------------------------------
    def _global(self, words: list[str], text: str, number: int) -> Iterator[RouterFact]:
        fact = self.fact
        first = words[0]
        second = words[1] if len(words) > 1 else ""
        if first in ("hostname", "switchname") and second:
            yield fact("system", "hostname", second)
        elif first == "version" and second:
            yield fact("system", "firmware", f"{PLATFORMS[self.platform]} {second}")
        elif first in ("ASA", "PIX") and second == "Version" and len(words) > 2:
            yield fact("system", "firmware", f"{PLATFORMS['asa']} {words[2]}")
        elif first == "interface" and second:
            self.block = Block("interface", " ".join(words[1:]), number)
        elif words[:3] in (["ip", "dhcp", "pool"], ["ipv6", "dhcp", "pool"]) and len(words) > 3:
            self.block = Block("pool", words[3], number)
            self.block.values["family"] = first
        elif first == "object" and second == "network" and len(words) > 2:
            self.block = Block("object", words[2], number)
        elif first == "line" and second:
            self.block = Block("line", " ".join(words[1:]), number)
        elif first == "group-policy" and len(words) > 2 and words[2] == "attributes":
            self.block = Block("group_policy", second, number)
        elif first == "tunnel-group" and len(words) > 2:
            yield from self._tunnel_group(words, number)
        elif words[:2] == ["dns", "server-group"] and len(words) > 2:
            self.block = Block("dns_group", words[2], number)
        elif first == "ntp" and len(words) == 1:
            self.block = Block("ntp", "ntp", number)
        elif words[:2] == ["vrf", "context"] and len(words) > 2:
            self.block = Block("vrf", words[2], number)
        elif words[:2] == ["router", "static"]:
            self.block = Block("router_static", "static", number)
        elif words[:3] == ["aaa", "group", "server"] and len(words) > 4:
            self.block = Block("aaa_group", words[4], number)
        elif first in ("tacacs", "radius") and second == "server" and len(words) > 2:
            self.block = Block("aaa_server", f"{first} {words[2]}", number)
        elif first == "archive":
            self.block = Block("archive", "archive", number)
        elif first == "webvpn":
            self.block = Block("webvpn", "webvpn", number)
        elif first == "crypto" and second == "map" and len(words) > 3:
            self.block = Block("crypto_map", " ".join(words[2:4]), number)
        elif first == "username" and second:
            yield from self._username(words, number)
        else:
            # Children of other global commands (flow exporter, router bgp...) are swallowed
            # by a block of their own, so an indented "version 9" is never read as global.
            self.block = Block("other", first, number)
            yield from self._one_liner(words, text)

    # -- children of blocks ------------------------------------------------------------------
    def _child(self, text: str, number: int) -> Iterator[RouterFact]:
        block = self.block
        assert block is not None
        handler = getattr(self, f"_child_{block.kind}", None)
        if handler is None:
            return
        result = handler(block, text.split(), text)
        if result is not None:
            yield from result
