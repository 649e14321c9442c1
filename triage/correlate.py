"""What links the devices of a case: shared numbers, remote IDs, hosts, domains, files, episodes.

Each device store is attached in turn (SQLite allows only a handful at once) and the facts the
case needs are copied into ``OUT/case.sqlite``; links are then plain GROUP BY queries there, so a
case of many devices with millions of files correlates without holding them in memory.

Everything returned is sorted, and nothing depends on timing or absolute paths, so the same
device stores always give the same case.json (the local pool and a Dask cluster must agree).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from triage.case_people import (  # noqa: F401 - find_contacts, find_episodes: the API here
    EPISODE_WINDOW,
    _distinct,
    _rows,
    _set,
    find_contacts,
    find_episodes,
)
from triage.case_words import (
    ROUTER_RECORDS,
    host_words,
    is_common_domain,
    is_fs_metadata,
    remote_id_words,
)
from triage.names import shown, sqlite_uri

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
LINK_LIMIT = 500  # per kind in case.json and case.html; links.csv has them all

CASE_SCHEMA = """
CREATE TABLE devices (name TEXT PRIMARY KEY, store TEXT);
CREATE TABLE phones (device TEXT, number TEXT, role TEXT, direction TEXT, time TEXT,
                     duration REAL, app TEXT, contact TEXT, country TEXT, source TEXT,
                     normalised INTEGER, region TEXT);
CREATE TABLE remote_ids (device TEXT, tool TEXT, remote_id TEXT, role TEXT, alias TEXT,
                         ip TEXT, start TEXT, end TEXT, direction TEXT, source TEXT);
CREATE TABLE hosts (device TEXT, kind TEXT, value TEXT, role TEXT, detail TEXT, source TEXT,
                    display TEXT);
CREATE TABLE domains (device TEXT, domain TEXT, visits INTEGER, first TEXT, last TEXT);
CREATE TABLE hashes (device TEXT, sha256 TEXT, path TEXT, size INTEGER);
CREATE TABLE leases (router TEXT, mac TEXT, hostname TEXT, ip TEXT, category TEXT, source TEXT);
"""
OWN_NUMBER_KEYS = ("phone_number", "msisdn", "own_number")
OWN_ID_EVENTS = ("own_id",)
HOST_KEYS = {
    "mac_address": "mac",
    "computer_name": "hostname",
    "hostname": "hostname",
    "device_name": "hostname",
    "wifi_hostname": "hostname",
    "ip_address": "ip",
}
LINKED_HOST_KINDS = ("mac", "hostname")  # IPs only tie a router's lease to a device
EPISODE_RULE = (
    "a call answered or made (not a 0-second unanswered one) and a remote-access session that "
    "started during the call or within {window} after it ended; minutes are counted from the "
    "end of the call, in whole minutes (0: during the call)"
)


@dataclass(frozen=True)
class DeviceStoreRef:
    """A scanned device: its name and the path of its store."""

    name: str
    store: Path


def _tables(connection: sqlite3.Connection, schema: str) -> set[str]:
    return {
        row[0]
        for row in connection.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'"
        )
    }


def _columns(connection: sqlite3.Connection, schema: str, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f'PRAGMA {schema}.table_info("{table}")')}


def _norm_mac(value: str | None) -> str | None:
    if not value:
        return None
    digits = "".join(ch for ch in value.lower() if ch in "0123456789abcdef")
    if len(digits) != 12:
        return None
    return ":".join(digits[index : index + 2] for index in range(0, 12, 2))


def _domain(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def build_case_db(path: Path, devices: list[DeviceStoreRef]) -> sqlite3.Connection:
    """Copy every device's linkable facts into a fresh case database."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.executescript(CASE_SCHEMA)
    for device in sorted(devices, key=lambda item: item.name):
        connection.execute(
            "INSERT INTO devices VALUES (?, ?)", (shown(device.name), shown(str(device.store)))
        )
        if not device.store.is_file():
            continue
        connection.execute("ATTACH DATABASE ? AS dev", (sqlite_uri(device.store),))
        try:
            _copy_device(connection, device.name)
            connection.commit()
        finally:
            connection.execute("DETACH DATABASE dev")
    _macs_from_leases(connection)
    for statement in (
        "CREATE INDEX phones_number ON phones (number)",
        "CREATE INDEX remote_ids_id ON remote_ids (tool, remote_id)",
        "CREATE INDEX hosts_value ON hosts (kind, value)",
        "CREATE INDEX domains_domain ON domains (domain)",
        "CREATE INDEX hashes_sha ON hashes (sha256)",
    ):
        connection.execute(statement)
    return connection


def _macs_from_leases(connection: sqlite3.Connection) -> None:
    """A router's lease or static binding ties a MAC to a host name and an IP: a device whose
    own host name or IP matches gets that MAC (role ``router lease``), so the MAC links it."""
    leases = connection.execute(
        "SELECT router, mac, hostname, ip, category, source FROM leases ORDER BY rowid"
    ).fetchall()
    for router, mac, hostname, ip, category, source in leases:
        matches = connection.execute(
            "SELECT DISTINCT device, kind, display FROM hosts WHERE role = 'device' "
            "AND device != ? AND ((kind = 'hostname' AND value = ?) "
            "OR (kind = 'ip' AND value = ?))",
            (router, hostname or "", (ip or "").lower()),
        ).fetchall()
        for device, kind, display in matches:
            record = ROUTER_RECORDS.get(category, category.replace("_", " "))
            noun = "host name" if kind == "hostname" else "IP address"
            detail = f"{router}'s {record} ties it to {device}'s {noun} {display}"
            connection.execute(
                "INSERT INTO hosts VALUES (?, 'mac', ?, 'router lease', ?, ?, ?)",
                (device, mac, detail, source, mac),
            )


def _copy_device(connection: sqlite3.Connection, name: str) -> None:
    tables = _tables(connection, "dev")
    if "calls" in tables:
        region = (
            "region_assumed" if "region_assumed" in _columns(connection, "dev", "calls") else "NULL"
        )
        # a call recovered from deleted rows links devices too, and says so in its role
        role = (
            "CASE WHEN recovered THEN 'recovered call' ELSE 'call' END"
            if "recovered" in _columns(connection, "dev", "calls")
            else "'call'"
        )
        connection.execute(
            f"INSERT INTO phones SELECT ?, coalesce(number_e164, number), {role}, direction, "
            "started, duration, app, contact_name, country, source_path, "
            f"number_e164 IS NOT NULL, {region} FROM dev.calls "
            "WHERE coalesce(number_e164, number) IS NOT NULL AND coalesce(number_e164, number) "
            "!= ''",
            (name,),
        )
    if "identity" in tables:
        marks = ", ".join("?" for _ in OWN_NUMBER_KEYS)
        # a fact from a deleted row (an old SIM's number) is not the device's own now
        live = (
            " AND NOT coalesce(recovered, 0)"
            if "recovered" in _columns(connection, "dev", "identity")
            else ""
        )
        connection.execute(
            "INSERT INTO phones SELECT ?, value, 'own', NULL, time, NULL, key, NULL, NULL, "
            f"source_path, 1, NULL FROM dev.identity WHERE key IN ({marks}) AND value IS NOT NULL"
            f"{live}",
            (name, *OWN_NUMBER_KEYS),
        )
        for row in connection.execute(
            f"SELECT key, value, source_path FROM dev.identity WHERE value IS NOT NULL{live}"
            f" AND key IN ({', '.join('?' for _ in HOST_KEYS)})",
            tuple(HOST_KEYS),
        ).fetchall():
            kind = HOST_KEYS[row[0]]
            value = _norm_mac(row[1]) if kind == "mac" else str(row[1]).strip().lower()
            if value:
                display = value if kind == "mac" else str(row[1]).strip()
                connection.execute(
                    "INSERT INTO hosts VALUES (?, ?, ?, 'device', ?, ?, ?)",
                    (name, kind, value, row[0], row[2], display),
                )
    if "remote_access_sessions" in tables:
        connection.execute(
            "INSERT INTO remote_ids SELECT ?, tool, remote_id, 'peer', remote_alias, remote_ip, "
            'start, "end", direction, source_path FROM dev.remote_access_sessions '
            "WHERE remote_id IS NOT NULL AND remote_id != ''",
            (name,),
        )
    if "remote_access_events" in tables:
        connection.execute(
            "INSERT INTO remote_ids SELECT ?, tool, own_id, 'own', NULL, NULL, time, NULL, NULL, "
            "source_path FROM dev.remote_access_events WHERE own_id IS NOT NULL AND own_id != '' "
            "GROUP BY tool, own_id",
            (name,),
        )
        connection.execute(
            "INSERT INTO remote_ids SELECT ?, tool, remote_id, 'peer_event', remote_alias, "
            "remote_ip, min(time), max(time), direction, source_path "
            "FROM dev.remote_access_events WHERE remote_id IS NOT NULL AND remote_id != '' "
            "GROUP BY tool, remote_id",
            (name,),
        )
    if "router_facts" in tables:
        for row in connection.execute(
            "SELECT category, mac, hostname, ip, source_path FROM dev.router_facts "
            "WHERE mac IS NOT NULL OR hostname IS NOT NULL"
        ).fetchall():
            mac, hostname = _norm_mac(row[1]), (row[2] or "").strip()
            detail = f"{row[0]} {row[3] or ''}".strip()
            if mac:
                connection.execute(
                    "INSERT INTO hosts VALUES (?, 'mac', ?, 'router', ?, ?, ?)",
                    (name, mac, detail, row[4], mac),
                )
            if hostname and hostname != "*":
                connection.execute(
                    "INSERT INTO hosts VALUES (?, 'hostname', ?, 'router', ?, ?, ?)",
                    (name, hostname.lower(), detail, row[4], hostname),
                )
            if mac and (hostname or row[3]):
                connection.execute(
                    "INSERT INTO leases VALUES (?, ?, ?, ?, ?, ?)",
                    (name, mac, hostname.lower() or None, row[3], row[0], row[4]),
                )
    if "browser_visits" in tables:
        counts: dict[str, list[Any]] = {}
        for url, visited in connection.execute("SELECT url, visited FROM dev.browser_visits"):
            domain = _domain(url)
            if domain is None:
                continue
            entry = counts.setdefault(domain, [0, None, None])
            entry[0] += 1
            if visited:
                entry[1] = visited if entry[1] is None or visited < entry[1] else entry[1]
                entry[2] = visited if entry[2] is None or visited > entry[2] else entry[2]
        connection.executemany(
            "INSERT INTO domains VALUES (?, ?, ?, ?, ?)",
            [(name, domain, *values) for domain, values in counts.items()],
        )
    if "files" in tables and {"sha256", "size"} <= _columns(connection, "dev", "files"):
        known_good = (
            "AND id NOT IN (SELECT source_file_id FROM dev.hashset_hits WHERE label = "
            "'known-good' AND source_file_id IS NOT NULL)"
            if "hashset_hits" in tables
            and "source_file_id" in _columns(connection, "dev", "hashset_hits")
            else ""
        )
        rows = connection.execute(
            "SELECT sha256, path, size FROM dev.files "
            f"WHERE sha256 IS NOT NULL AND sha256 != ? AND size > 0 {known_good}",
            (EMPTY_SHA256,),
        )
        connection.executemany(
            "INSERT INTO hashes VALUES (?, ?, ?, ?)",
            ((name, *row) for row in rows if not is_fs_metadata(str(row[1]))),
        )


def find_links(connection: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every value seen on more than one device, by kind, most telling first (``rank``)."""
    links: dict[str, list[dict[str, Any]]] = {}
    links["phone_numbers"] = [
        {
            "value": row["number"],
            "devices": _distinct(row["devices"]),
            "roles": _distinct(row["roles"]),
            "records": row["records"],
            "recovered": row["recovered"],  # of the records, calls recovered from deleted rows
            "first": row["first"],
            "last": row["last"],
        }
        for row in _rows(
            connection,
            f"""
            SELECT number, {_set("device")} AS devices, {_set("role")} AS roles,
                   count(*) AS records, min(time) AS first, max(time) AS last,
                   sum(role = 'recovered call') AS recovered
            FROM phones GROUP BY number HAVING count(DISTINCT device) > 1
            ORDER BY count(DISTINCT device) DESC, number""",
        )
    ]
    links["remote_ids"] = _remote_id_links(connection)
    links["hosts"] = [
        {
            "kind": row["kind"],
            "value": row["display"],
            "devices": _distinct(row["devices"]),
            "roles": _distinct(row["roles"]),
            "details": _distinct(row["details"]),
            "summary": host_words(
                row["kind"],
                row["display"],
                [fact.split("\t") for fact in _distinct(row["facts"])],
            ),
        }
        for row in _rows(
            connection,
            f"""
            SELECT kind, value, min(display) AS display, {_set("device")} AS devices,
                   {_set("role")} AS roles, {_set("device || ': ' || detail")} AS details,
                   {_set("device || char(9) || role || char(9) || coalesce(detail, '')")}
                   AS facts
            FROM hosts WHERE kind IN {LINKED_HOST_KINDS!r}
            GROUP BY kind, value HAVING count(DISTINCT device) > 1
            ORDER BY kind DESC, value""",
        )
    ]
    domains = [
        {
            "value": row["domain"],
            "devices": _distinct(row["devices"]),
            "visits": row["visits"],
            "first": row["first"],
            "last": row["last"],
            "common": is_common_domain(row["domain"]),
        }
        for row in _rows(
            connection,
            f"""
            SELECT domain, {_set("device")} AS devices, sum(visits) AS visits,
                   min(first) AS first, max(last) AS last
            FROM domains GROUP BY domain HAVING count(DISTINCT device) > 1
            ORDER BY count(DISTINCT device) DESC, domain""",
        )
    ]
    # rare domains first: a scam site two suspects visited says more than google.com
    links["domains"] = sorted(domains, key=lambda link: link["common"])
    links["files"] = [
        {
            "value": row["sha256"],
            "devices": _distinct(row["devices"]),
            "size": row["size"],
            "paths": _distinct(row["paths"])[:5],
        }
        for row in _rows(
            connection,
            f"""
            SELECT sha256, {_set("device")} AS devices, max(size) AS size,
                   {_set("device || ':' || path")} AS paths
            FROM hashes GROUP BY sha256 HAVING count(DISTINCT device) > 1
            ORDER BY count(DISTINCT device) DESC, max(size) DESC, sha256""",
        )
    ]
    for entries in links.values():
        for rank, entry in enumerate(entries, start=1):
            entry["rank"] = rank
    return links


def _remote_id_links(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    """Remote IDs on several devices, each with a sentence saying whose ID it is."""
    links = []
    for row in _rows(
        connection,
        f"""
        SELECT tool, remote_id, {_set("device")} AS devices, {_set("role")} AS roles,
               {_set("alias")} AS aliases, min(start) AS first,
               max(coalesce("end", start)) AS last
        FROM remote_ids GROUP BY tool, remote_id HAVING count(DISTINCT device) > 1
        ORDER BY count(DISTINCT device) DESC, tool, remote_id""",
    ):
        roles = _rows(
            connection,
            "SELECT device, role, count(*) AS count, sum(direction = 'outgoing') AS outgoing, "
            "sum(direction = 'incoming') AS incoming FROM remote_ids "
            "WHERE tool = ? AND remote_id = ? GROUP BY device, role ORDER BY device, role",
            (row["tool"], row["remote_id"]),
        )
        for role in roles:
            role["outgoing"], role["incoming"] = role["outgoing"] or 0, role["incoming"] or 0
        links.append(
            {
                "tool": row["tool"],
                "value": row["remote_id"],
                "devices": _distinct(row["devices"]),
                "roles": _distinct(row["roles"]),
                "aliases": _distinct(row["aliases"]),
                "first": row["first"],
                "last": row["last"],
                "summary": remote_id_words(row["tool"], row["remote_id"], roles),
            }
        )
    return links


def correlate(case_db: Path, devices: list[DeviceStoreRef]) -> dict[str, Any]:
    """Links, likely-victim contacts and contact episodes of a case."""
    connection = build_case_db(case_db, devices)
    try:
        contacts, suspects = find_contacts(connection)
        return {
            "links": find_links(connection),
            "contacts": contacts,
            "suspect_numbers": suspects,
            "episodes": find_episodes(connection),
        }
    finally:
        connection.close()


def dumps(value: Any) -> str:
    """Deterministic JSON."""
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def window_text(window: timedelta = EPISODE_WINDOW) -> str:
    """The episode window, for reports."""
    return f"{int(window.total_seconds() // 60)} minutes"


def window_rule(window: timedelta = EPISODE_WINDOW) -> str:
    """The episode rule in words, with the window."""
    return EPISODE_RULE.format(window=window_text(window))
