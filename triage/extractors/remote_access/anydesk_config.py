"""AnyDesk configuration files: the device's own ID and alias, the address book, the account.

``system.conf`` (ProgramData, ``/etc/anydesk``), ``service.conf`` and ``user.conf`` (the user's
AppData or ``~/.anydesk``) are ``key=value`` lines (artemis-api ``applications/anydesk/conf.ts``
reads them the same way). Keys read here:

* ``ad.anynet.id`` / ``ad.anynet.alias``: the device's own AnyDesk ID and alias;
* ``ad.roster.items`` / ``ad.roster.favorites``: the address book, ``address,id,alias,`` items
  separated by ``;`` (format as written by address-book tools on GitHub, e.g.
  ``1050400175,1050400175,,``): on a scammer's laptop, the victims' IDs and names;
* ``ad.security.permission_profiles.address_to_profile``: ``<id>:<hex>`` per peer that was given
  a permission profile, i.e. a peer that connected;
* ``ad.account.recent_logged_in_user``: the my.anydesk account e-mail;
* ``ad.anynet.pwd_hash``: present when unattended access (a fixed password) is set.

A config file has no times of its own; the events carry none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from triage.extractors.base import ExtractionContext, Extractor, StoredFile, profile_user
from triage.extractors.remote_access.events import make_event
from triage.extractors.remote_access.lines import read_lines
from triage.extractors.text_lines import READ_ERRORS
from triage.records import RemoteAccessEvent

TOOL = "AnyDesk"
MAX_KEYS = 10_000
MAX_ROSTER = 100_000


@dataclass(frozen=True, slots=True)
class RosterItem:
    """One address-book entry."""

    address: str
    remote_id: str | None
    alias: str | None


def parse_conf(lines: Iterator[tuple[int, str]]) -> tuple[dict[str, str], bool]:
    """``key -> value`` of a config file, and whether it had more keys than :data:`MAX_KEYS`."""
    values: dict[str, str] = {}
    for _number, text in lines:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            continue
        if key not in values and len(values) >= MAX_KEYS:
            return values, True
        values[key] = value.strip()
    return values, False


def read_conf(ctx: ExtractionContext, file: StoredFile) -> dict[str, str] | None:
    """A config file's values (None when unreadable, with a problem recorded)."""
    try:
        values, truncated = parse_conf(read_lines(ctx, file))
    except READ_ERRORS as error:
        ctx.problem(f"could not read the AnyDesk config: {error}", file)
        return None
    if truncated:
        ctx.problem(f"more than {MAX_KEYS} keys; the rest was not read", file)
    return values


def roster_items(value: str) -> list[RosterItem]:
    """The entries of an ``ad.roster.*`` value."""
    items: list[RosterItem] = []
    for entry in value.split(";")[:MAX_ROSTER]:
        fields = [field.strip() for field in entry.split(",")]
        if not fields or not fields[0]:
            continue
        address = fields[0]
        remote_id = next(
            (field for field in fields[1:2] if field.isdigit()),
            address if address.isdigit() else None,
        )
        alias = fields[2] if len(fields) > 2 and fields[2] else None
        if alias is None and not address.isdigit() and address != remote_id:
            alias = address
        items.append(RosterItem(address, remote_id, alias))
    return items


def permission_peers(value: str) -> list[str]:
    """Peer IDs of ``ad.security.permission_profiles.address_to_profile``."""
    peers = []
    for entry in value.split(";"):
        peer = entry.partition(":")[0].strip()
        if peer and peer not in peers:
            peers.append(peer)
    return peers


def config_events(
    values: dict[str, str], file: StoredFile, ctx: ExtractionContext
) -> Iterator[RemoteAccessEvent]:
    """The events one config file holds."""
    source = ctx.source_ref(file)
    user = profile_user(file.path)
    own_id = values.get("ad.anynet.id") or None
    own_alias = values.get("ad.anynet.alias") or None
    if own_id or own_alias:
        yield make_event(
            source,
            TOOL,
            "own_id",
            own_id=own_id,
            own_alias=own_alias,
            user=user,
            detail=f"{file.path.name}: ad.anynet.id={own_id or ''} "
            f"ad.anynet.alias={own_alias or ''}",
        )
    account = values.get("ad.account.recent_logged_in_user")
    if account:
        yield make_event(
            source,
            TOOL,
            "account",
            own_id=own_id,
            user=user,
            detail=f"my.anydesk account {account}",
        )
    if values.get("ad.anynet.pwd_hash"):
        yield make_event(
            source,
            TOOL,
            "unattended_access",
            own_id=own_id,
            user=user,
            detail="an unattended-access password is set (ad.anynet.pwd_hash)",
        )
    for key, kind in (("ad.roster.items", "address_book"), ("ad.roster.favorites", "favorite")):
        for item in roster_items(values.get(key, "")):
            yield make_event(
                source,
                TOOL,
                kind,
                own_id=own_id,
                remote_id=item.remote_id,
                remote_alias=item.alias,
                user=user,
                detail=f"{key}: {item.address}",
            )
    profiles = values.get("ad.security.permission_profiles.address_to_profile", "")
    for peer in permission_peers(profiles):
        yield make_event(
            source,
            TOOL,
            "permission_profile",
            own_id=own_id,
            remote_id=peer,
            user=user,
            detail="a permission profile is stored for this peer (it connected before)",
        )


class AnyDeskConfig(Extractor):
    """AnyDesk ``system.conf``, ``service.conf``, ``user.conf``: own ID and alias, address book.

    Where: ``C:\\ProgramData\\AnyDesk\\system.conf``, ``%APPDATA%\\AnyDesk\\user.conf`` (and the
    ``ad_*`` folders of custom clients), ``/etc/anydesk/system.conf``, ``~/.anydesk/user.conf``.
    A row is one fact: own ID, account, address-book entry, a peer with a stored permission
    profile. Reference: artemis-api ``applications/anydesk/conf.ts`` and ``rmm.ts``.
    """

    name = "anydesk.config"
    description = "AnyDesk config: own ID and alias, address book (victims' IDs), account"
    record_types = (RemoteAccessEvent,)
    patterns = (
        "**/AnyDesk/*.conf",
        "**/AnyDesk/ad_*/*.conf",
        "**/.anydesk/*.conf",
        "**/.anydesk_ad_*/*.conf",
        "**/com.anydesk.anydeskandroid/**/*.conf",
    )

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[RemoteAccessEvent]:
        """Every fact of every config file."""
        for file in files:
            values = read_conf(ctx, file)
            if values is not None:
                yield from config_events(values, file, ctx)
