"""The record kinds extractors produce: one frozen dataclass per kind, shared by a family.

Every record carries its provenance (:class:`SourceRef`: evidence, partition, path, inode, the
source file's SHA-256) and its times as UTC datetimes with the raw stored value beside them
(``visited`` + ``visited_raw``), so any value in a report can be checked against the file.

Each kind names its store table (``table``), the fields that become timeline events
(``timeline``: field -> what the time means) and a one-line message template over its flattened
columns (``message``), which the timeline and case writers use without knowing the kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: enough to find the file again and prove it unchanged."""

    evidence: str  # evidence name (the device)
    path: str  # path inside its file system
    partition: int | None = None
    inode: int | None = None
    sha256: str | None = None
    file_id: int | None = None  # row in the store's files table
    # The volume path when the file is not on a plain partition: "BitLocker, unlocked, by ...",
    # "VSS snapshot 1 {id} created ..." (a record from an older copy of the volume).
    volume: str | None = None


@dataclass(frozen=True, slots=True)
class BrowserVisit:
    """One page visit from a browser's history."""

    table: ClassVar[str] = "browser_visits"
    timeline: ClassVar[dict[str, str]] = {"visited": "Page visited"}
    message: ClassVar[str] = "{browser} visit: {url} ({title})"

    source: SourceRef
    browser: str  # Chrome, Edge, Firefox, Safari, Internet Explorer...
    profile: str | None  # Default, Profile 1, xyz.default-release
    user: str | None  # OS user whose profile it is, from the path
    url: str
    title: str | None
    visited: datetime | None
    visited_raw: str | None
    transition: str | None  # decoded: "typed | from address bar"
    visit_count: int | None
    typed_count: int | None
    from_url: str | None  # referrer (from_visit)
    visit_id: int | None
    time_note: str | None = None  # e.g. epoch used, or "time zone unknown"
    detail: str | None = None  # hidden, synced from another device, recovered record...
    recovered: bool = False  # deleted row recovered from the database's free or old pages
    recovery: str | None = None  # where: "WAL frame 3 (older checkpoint); -wal page 2 offset ..."
    confidence: str | None = None  # of a recovered record: high, medium, low (README)


@dataclass(frozen=True, slots=True)
class BrowserDownload:
    """One download recorded by a browser."""

    table: ClassVar[str] = "browser_downloads"
    timeline: ClassVar[dict[str, str]] = {"started": "Download started", "ended": "Download ended"}
    message: ClassVar[str] = "{browser} download: {url} -> {target_path}"

    source: SourceRef
    browser: str
    profile: str | None
    user: str | None
    url: str | None  # final URL of the chain
    url_chain: tuple[str, ...]  # every URL from first request to final
    referrer: str | None
    target_path: str | None
    started: datetime | None
    started_raw: str | None
    ended: datetime | None
    ended_raw: str | None
    received_bytes: int | None
    total_bytes: int | None
    state: str | None  # complete, cancelled, interrupted, in progress
    danger: str | None  # not dangerous, dangerous file, ...
    mime: str | None = None
    time_note: str | None = None  # epoch used, or "time zone unknown"
    detail: str | None = None  # tab URL, interrupt reason, opened...
    recovered: bool = False  # deleted row recovered from the database's free or old pages
    recovery: str | None = None  # where: "WAL frame 3 (older checkpoint); -wal page 2 offset ..."
    confidence: str | None = None  # of a recovered record: high, medium, low (README)


@dataclass(frozen=True, slots=True)
class BrowserSearch:
    """One search term typed into a browser."""

    table: ClassVar[str] = "browser_searches"
    timeline: ClassVar[dict[str, str]] = {"searched": "Search"}
    message: ClassVar[str] = "{browser} search: {term}"

    source: SourceRef
    browser: str
    profile: str | None
    user: str | None
    term: str
    url: str | None
    searched: datetime | None
    searched_raw: str | None
    time_note: str | None = None  # what the time is (Chromium: last visit of the results page)
    recovered: bool = False  # deleted row recovered from the database's free or old pages
    recovery: str | None = None  # where: "WAL frame 3 (older checkpoint); -wal page 2 offset ..."
    confidence: str | None = None  # of a recovered record: high, medium, low (README)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call from a phone, softphone or app, in one shape for all of them."""

    table: ClassVar[str] = "calls"
    timeline: ClassVar[dict[str, str]] = {"started": "Call"}
    message: ClassVar[str] = "{app} {direction} call {number} ({contact_name}) {duration}s"

    source: SourceRef
    app: str  # Phone (Android), Phone (iOS), FaceTime, WhatsApp, MicroSIP, Skype...
    number: str | None  # as stored
    number_e164: str | None  # normalised with phonenumbers
    country: str | None  # ISO 3166 region of the number
    contact_name: str | None
    direction: str  # incoming, outgoing, missed, rejected, blocked, voicemail, unknown
    started: datetime | None
    started_raw: str | None
    duration: float | None  # seconds
    answered: bool | None
    account: str | None  # SIM, phone account, SIP account
    call_type: str | None = None  # voice, video, FaceTime audio...
    location: str | None = None  # geocoded location as stored
    deleted: bool | None = None
    detail: str | None = None
    time_note: str | None = None
    row_id: str | None = None  # the call's key in its source (row id, INI key, call id)
    region_assumed: str | None = None  # default region the number was read in (no + in it)
    recovered: bool = False  # deleted row recovered from the database's free or old pages
    recovery: str | None = None  # where: "WAL frame 3 (older checkpoint); -wal page 2 offset ..."
    confidence: str | None = None  # of a recovered record: high, medium, low (README)


@dataclass(frozen=True, slots=True)
class RemoteAccessEvent:
    """One line of evidence from a remote-access tool: a connection, login, transfer, ID..."""

    table: ClassVar[str] = "remote_access_events"
    timeline: ClassVar[dict[str, str]] = {"time": "Remote access"}
    message: ClassVar[str] = "{tool} {event}: {direction} {remote_id} {remote_ip} {detail}"

    source: SourceRef
    tool: str  # AnyDesk, TeamViewer, RustDesk...
    event: str  # session_start, session_end, login, file_transfer, clipboard, own_id, installed...
    time: datetime | None
    time_raw: str | None
    own_id: str | None
    remote_id: str | None
    remote_alias: str | None
    remote_ip: str | None
    direction: str | None  # incoming, outgoing
    user: str | None
    detail: str | None
    session_key: str | None = None  # groups events of one session (tool-specific)
    time_note: str | None = None  # "trace time is UTC without a zone designator"
    url: str | None = None  # download URL (Zone.Identifier HostUrl), relay URL...
    referrer: str | None = None  # page the download was started from (ReferrerUrl)
    own_alias: str | None = None  # the device's own alias in the tool (AnyDesk alias)


@dataclass(frozen=True, slots=True)
class RemoteAccessSession:
    """A session derived from remote-access events: who, when, how long, which way."""

    table: ClassVar[str] = "remote_access_sessions"
    timeline: ClassVar[dict[str, str]] = {
        "start": "Remote session start",
        "end": "Remote session end",
    }
    message: ClassVar[str] = "{tool} {direction} session with {remote_id} ({remote_alias})"

    source: SourceRef
    tool: str
    start: datetime | None
    start_raw: str | None
    end: datetime | None
    end_raw: str | None
    duration: float | None  # seconds
    direction: str | None
    own_id: str | None
    remote_id: str | None
    remote_alias: str | None
    remote_ip: str | None
    auth: str | None  # password, token, local user...
    user: str | None
    files: tuple[str, ...] = ()
    detail: str | None = None
    time_note: str | None = None


@dataclass(frozen=True, slots=True)
class RouterFact:
    """One fact from a router: a lease, a port forward, a DNS server, an account, a log line.

    Secrets (passwords, PSKs, keys, SNMP communities) are never stored in clear: ``value`` says
    ``set (sha256:<16 hex>)``. MACs are lower-case colon form. For leases ``time`` is when the
    lease expires (dnsmasq, Cisco, FortiGate), as ``time_note`` says.
    """

    table: ClassVar[str] = "router_facts"
    timeline: ClassVar[dict[str, str]] = {"time": "Router"}
    message: ClassVar[str] = "{category} {key}: {value}"

    source: SourceRef
    # system, wan, isp_account, lan, lease, static_lease, arp, forward, dns, remote_admin, vpn,
    # wifi, admin_user, log
    category: str
    key: str  # hostname, an interface, a lease's IP, a rule name, a log's program...
    value: str | None
    mac: str | None = None
    ip: str | None = None
    hostname: str | None = None
    time: datetime | None = None
    time_raw: str | None = None
    detail: str | None = None
    time_note: str | None = None


@dataclass(frozen=True, slots=True)
class IdentityFact:
    """One fact about who or what the device is; the report composes them into its identity."""

    table: ClassVar[str] = "identity"
    timeline: ClassVar[dict[str, str]] = {"time": "Identity"}
    message: ClassVar[str] = "{category} {key}: {value}"

    source: SourceRef
    category: str  # os, device, user, sim, account, network, app, wifi
    key: str  # computer_name, os_version, imei, phone_number...
    value: str | None
    time: datetime | None = None  # install date, last login, last connected...
    time_raw: str | None = None
    detail: str | None = None
    time_note: str | None = None  # what the time means, its epoch, or "local time, zone unknown"
    value_raw: str | None = None  # the stored value when ``value`` was normalised (E.164, MAC)
    recovered: bool = False  # from a deleted row of an identity database: not the device now
    recovery: str | None = None  # where: "old page version (replaced by a WAL frame); ..."
    confidence: str | None = None  # of a recovered fact: high, medium, low (README)


@dataclass(frozen=True, slots=True)
class ArtifactPresence:
    """A file that shows a tool or app is installed or was used, where no parser reads it."""

    table: ClassVar[str] = "artifact_presence"
    timeline: ClassVar[dict[str, str]] = {"modified": "Artifact modified"}
    message: ClassVar[str] = "{tool} {artifact}: {source_path}"

    source: SourceRef
    tool: str
    artifact: str  # "program folder", "log file", "installer", "Android package"...
    modified: datetime | None
    modified_raw: str | None
    size: int | None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class HashSetHit:
    """A file whose hash is in a hash set given with ``--hashset``."""

    table: ClassVar[str] = "hashset_hits"
    timeline: ClassVar[dict[str, str]] = {}
    message: ClassVar[str] = "{label} hash {algorithm} {digest}: {source_path}"

    source: SourceRef
    hashset: str  # file name of the set
    label: str  # known-bad / known-good
    algorithm: str
    digest: str
    set_entry: str | None  # name the set gives the file, when it has one


RECORD_TYPES: tuple[type, ...] = (
    BrowserVisit,
    BrowserDownload,
    BrowserSearch,
    CallRecord,
    RemoteAccessEvent,
    RemoteAccessSession,
    RouterFact,
    IdentityFact,
    ArtifactPresence,
    HashSetHit,
)
