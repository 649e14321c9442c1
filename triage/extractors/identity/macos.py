"""macos.identity: who and what a Mac is, from its system plists.

Where it lives and what a row means: ``/System/Library/CoreServices/SystemVersion.plist``
(``ProductName`` "macOS", ``ProductVersion``, ``ProductBuildVersion``),
``/Library/Preferences/SystemConfiguration/preferences.plist`` (``System`` > ``System`` >
``ComputerName`` and ``HostName``, ``System`` > ``Network`` > ``HostNames`` >
``LocalHostName``) and the local directory's user records
``/private/var/db/dslocal/nodes/Default/users/<name>.plist`` (arrays ``name``, ``uid``,
``realname``, ``home``, ``generateduid``; ``accountPolicyData`` is a plist whose
``creationTime`` and ``passwordLastSetTime`` are Unix seconds): one ``user_account`` per
person (uid 501 and up; ``_`` service accounts and ``root``/``nobody``/``daemon`` are left out).
References: dissect.target ``plugins/os/unix/bsd/darwin/macos``; mac_apt ``USERS`` plugin.
"""

from __future__ import annotations

import plistlib
from collections.abc import Iterator
from functools import partial

from triage.extractors.base import ExtractionContext, StoredFile
from triage.extractors.identity.base import IdentityExtractor
from triage.extractors.identity.facts import Facts, details, labelled
from triage.extractors.identity.ios_plists import (
    MAX_PLIST_BYTES,
    PLIST_DAMAGE,
    dig,
    load_plist,
    text,
)
from triage.extractors.identity.ios_system import parse_preferences, parse_system_version
from triage.records import IdentityFact
from triage.timestamps import format_utc, from_unix_seconds

SYSTEM_VERSION = ("**/System/Library/CoreServices/SystemVersion.plist",)
PREFERENCES = ("**/Library/Preferences/SystemConfiguration/preferences.plist",)
USERS = ("**/private/var/db/dslocal/nodes/Default/users/*.plist",)
FIRST_USER_UID = 501


def _first(record: dict, key: str) -> str | None:
    value = record.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return text(value)


def parse_dslocal_user(data: bytes, facts: Facts) -> None:
    """Add one ``user_account`` for a person's dslocal record (service accounts skipped)."""
    record = load_plist(data, facts)
    name = _first(record, "name")
    uid = _first(record, "uid")
    if not name or name.startswith("_") or not uid or not uid.lstrip("-").isdigit():
        return
    if int(uid) < FIRST_USER_UID:
        return
    policy = record.get("accountPolicyData")
    policy_data = policy[0] if isinstance(policy, list) and policy else policy
    created = password_set = None
    if isinstance(policy_data, bytes):
        try:
            parsed = plistlib.loads(policy_data)
        except PLIST_DAMAGE:
            facts.problem("accountPolicyData of this user cannot be read", "warning")
            parsed = {}
        created = from_unix_seconds(dig(parsed, "creationTime"))
        password_set = from_unix_seconds(dig(parsed, "passwordLastSetTime"))
    facts.add(
        "user",
        "user_account",
        name,
        time=created,
        time_raw=format_utc(created) if created else None,
        time_note="account created (accountPolicyData creationTime)" if created else None,
        detail=details(
            f"uid {uid}",
            labelled("name", _first(record, "realname")),
            labelled("home", _first(record, "home")),
            labelled("GUID", _first(record, "generateduid")),
            labelled("password set", format_utc(password_set)),
        ),
    )


def parse_mac_preferences(data: bytes, facts: Facts) -> None:
    """The iOS preferences facts plus the Mac's ``HostName`` when one is set."""
    parse_preferences(data, facts)
    plist = load_plist(data, facts)
    facts.add(
        "network",
        "hostname",
        text(dig(plist, "System", "System", "HostName")),
        detail="SystemConfiguration HostName",
    )


class MacosIdentity(IdentityExtractor):
    """Mac identity from SystemVersion.plist, SystemConfiguration and dslocal user records."""

    name = "macos.identity"
    description = (
        "macOS identity: OS version and build (SystemVersion.plist), computer and host names "
        "(SystemConfiguration/preferences.plist), local users (dslocal user records)"
    )
    patterns = (*SYSTEM_VERSION, *PREFERENCES, *USERS)

    def extract(self, files: list[StoredFile], ctx: ExtractionContext) -> Iterator[IdentityFact]:
        """Each file on its own, in path order."""
        for file in sorted(files, key=lambda item: str(item.path)):
            yield from self.read(ctx, file, partial(self._parse, ctx, file))

    def _parse(self, ctx: ExtractionContext, file: StoredFile, facts: Facts) -> None:
        data = self.small_file(ctx, file, facts, MAX_PLIST_BYTES)
        if data is None:
            return
        if self.matches(file, *SYSTEM_VERSION):
            parse_system_version(data, facts)
        elif self.matches(file, *PREFERENCES):
            parse_mac_preferences(data, facts)
        elif self.matches(file, *USERS):
            parse_dslocal_user(data, facts)
