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

from triage.timestamps import parse_utc

EPISODE_WINDOW = timedelta(minutes=30)
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
LINK_LIMIT = 500  # per kind in case.json and case.html; links.csv has them all

CASE_SCHEMA = """
CREATE TABLE devices (name TEXT PRIMARY KEY, store TEXT);
CREATE TABLE phones (device TEXT, number TEXT, role TEXT, direction TEXT, time TEXT,
                     duration REAL, app TEXT, contact TEXT, country TEXT, source TEXT);
CREATE TABLE remote_ids (device TEXT, tool TEXT, remote_id TEXT, role TEXT, alias TEXT,
                         ip TEXT, start TEXT, end TEXT, direction TEXT, source TEXT);
CREATE TABLE hosts (device TEXT, kind TEXT, value TEXT, role TEXT, detail TEXT, source TEXT);
CREATE TABLE domains (device TEXT, domain TEXT, visits INTEGER, first TEXT, last TEXT);
CREATE TABLE hashes (device TEXT, sha256 TEXT, path TEXT, size INTEGER);
"""
OWN_NUMBER_KEYS = ("phone_number", "msisdn", "own_number")
OWN_ID_EVENTS = ("own_id",)
HOST_KEYS = {
    "mac_address": "mac",
    "computer_name": "hostname",
    "hostname": "hostname",
    "device_name": "hostname",
    "wifi_hostname": "hostname",
}


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
        connection.execute("INSERT INTO devices VALUES (?, ?)", (device.name, str(device.store)))
        if not device.store.is_file():
            continue
        connection.execute("ATTACH DATABASE ? AS dev", (f"file:{device.store}?mode=ro",))
        try:
            _copy_device(connection, device.name)
            connection.commit()
        finally:
            connection.execute("DETACH DATABASE dev")
    for statement in (
        "CREATE INDEX phones_number ON phones (number)",
        "CREATE INDEX remote_ids_id ON remote_ids (tool, remote_id)",
        "CREATE INDEX hosts_value ON hosts (kind, value)",
        "CREATE INDEX domains_domain ON domains (domain)",
        "CREATE INDEX hashes_sha ON hashes (sha256)",
    ):
        connection.execute(statement)
    return connection


def _copy_device(connection: sqlite3.Connection, name: str) -> None:
    tables = _tables(connection, "dev")
    if "calls" in tables:
        # a call recovered from deleted rows links devices too, and says so in its role
        role = (
            "CASE WHEN recovered THEN 'recovered call' ELSE 'call' END"
            if "recovered" in _columns(connection, "dev", "calls")
            else "'call'"
        )
        connection.execute(
            f"INSERT INTO phones SELECT ?, coalesce(number_e164, number), {role}, direction, "
            "started, duration, app, contact_name, country, source_path FROM dev.calls "
            "WHERE coalesce(number_e164, number) IS NOT NULL AND coalesce(number_e164, number) "
            "!= ''",
            (name,),
        )
    if "identity" in tables:
        marks = ", ".join("?" for _ in OWN_NUMBER_KEYS)
        connection.execute(
            "INSERT INTO phones SELECT ?, value, 'own', NULL, time, NULL, key, NULL, NULL, "
            f"source_path FROM dev.identity WHERE key IN ({marks}) AND value IS NOT NULL",
            (name, *OWN_NUMBER_KEYS),
        )
        for row in connection.execute(
            "SELECT key, value, source_path FROM dev.identity WHERE value IS NOT NULL"
            f" AND key IN ({', '.join('?' for _ in HOST_KEYS)})",
            tuple(HOST_KEYS),
        ).fetchall():
            kind = HOST_KEYS[row[0]]
            value = _norm_mac(row[1]) if kind == "mac" else str(row[1]).strip().lower()
            if value:
                connection.execute(
                    "INSERT INTO hosts VALUES (?, ?, ?, 'device', ?, ?)",
                    (name, kind, value, row[0], row[2]),
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
            mac, hostname = _norm_mac(row[1]), (row[2] or "").strip().lower()
            detail = f"{row[0]} {row[3] or ''}".strip()
            if mac:
                connection.execute(
                    "INSERT INTO hosts VALUES (?, 'mac', ?, 'router', ?, ?)",
                    (name, mac, detail, row[4]),
                )
            if hostname and hostname != "*":
                connection.execute(
                    "INSERT INTO hosts VALUES (?, 'hostname', ?, 'router', ?, ?)",
                    (name, hostname, detail, row[4]),
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
        connection.execute(
            "INSERT INTO hashes SELECT ?, sha256, path, size FROM dev.files "
            "WHERE sha256 IS NOT NULL AND sha256 != ? AND size > 0",
            (name, EMPTY_SHA256),
        )


def _rows(connection: sqlite3.Connection, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _distinct(value: str | None) -> list[str]:
    """A ``json_group_array(DISTINCT x)`` result as a sorted list without NULLs."""
    return sorted({str(item) for item in json.loads(value or "[]") if item not in (None, "")})


def _set(column: str) -> str:
    return f"json_group_array(DISTINCT {column})"


def find_links(connection: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every value seen on more than one device, by kind."""
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
    links["remote_ids"] = [
        {
            "tool": row["tool"],
            "value": row["remote_id"],
            "devices": _distinct(row["devices"]),
            "roles": _distinct(row["roles"]),
            "aliases": _distinct(row["aliases"]),
            "first": row["first"],
            "last": row["last"],
        }
        for row in _rows(
            connection,
            f"""
            SELECT tool, remote_id, {_set("device")} AS devices, {_set("role")} AS roles,
                   {_set("alias")} AS aliases, min(start) AS first,
                   max(coalesce("end", start)) AS last
            FROM remote_ids GROUP BY tool, remote_id HAVING count(DISTINCT device) > 1
            ORDER BY count(DISTINCT device) DESC, tool, remote_id""",
        )
    ]
    links["hosts"] = [
        {
            "kind": row["kind"],
            "value": row["value"],
            "devices": _distinct(row["devices"]),
            "roles": _distinct(row["roles"]),
            "details": _distinct(row["details"]),
        }
        for row in _rows(
            connection,
            f"""
            SELECT kind, value, {_set("device")} AS devices, {_set("role")} AS roles,
                   {_set("device || ': ' || detail")} AS details
            FROM hosts GROUP BY kind, value HAVING count(DISTINCT device) > 1
            ORDER BY kind, value""",
        )
    ]
    links["domains"] = [
        {
            "value": row["domain"],
            "devices": _distinct(row["devices"]),
            "visits": row["visits"],
            "first": row["first"],
            "last": row["last"],
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
    return links


def find_contacts(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    """Likely victims: external numbers and remote IDs, with first/last contact and counts."""
    own_numbers = {
        row[0]
        for row in connection.execute("SELECT DISTINCT number FROM phones WHERE role = 'own'")
    }
    own_ids = {
        (row[0], row[1])
        for row in connection.execute(
            "SELECT DISTINCT tool, remote_id FROM remote_ids WHERE role = 'own'"
        )
    }
    contacts: list[dict[str, Any]] = []
    for row in _rows(
        connection,
        f"""
            SELECT number, min(time) AS first, max(time) AS last, count(*) AS records,
                   coalesce(sum(duration), 0) AS duration,
                   sum(direction = 'outgoing') AS outgoing, max(country) AS country,
                   {_set("device")} AS devices, {_set("app")} AS apps,
                   {_set("contact")} AS names
            FROM phones WHERE role IN ('call', 'recovered call') GROUP BY number
            ORDER BY number""",
    ):
        if row["number"] in own_numbers:
            continue
        contacts.append(
            {
                "kind": "phone",
                "tool": ", ".join(_distinct(row["apps"])),
                "identifier": row["number"],
                "country": row["country"],
                "first_contact": row["first"],
                "last_contact": row["last"],
                "devices": _distinct(row["devices"]),
                "count": row["records"],
                "outgoing": row["outgoing"] or 0,
                "total_duration_s": row["duration"],
                "names": _distinct(row["names"]),
            }
        )
    for row in _rows(
        connection,
        f"""
            SELECT tool, remote_id, min(start) AS first, max(coalesce("end", start)) AS last,
                   sum(role = 'peer') AS sessions, sum(direction = 'outgoing') AS outgoing,
                   {_set("device")} AS devices, {_set("alias")} AS aliases
            FROM remote_ids WHERE role != 'own' GROUP BY tool, remote_id
            ORDER BY tool, remote_id""",
    ):
        if (row["tool"], row["remote_id"]) in own_ids:
            continue
        contacts.append(
            {
                "kind": "remote_id",
                "tool": row["tool"],
                "identifier": row["remote_id"],
                "country": None,
                "first_contact": row["first"],
                "last_contact": row["last"],
                "devices": _distinct(row["devices"]),
                "count": row["sessions"] or 0,
                "outgoing": row["outgoing"] or 0,
                "total_duration_s": None,
                "names": _distinct(row["aliases"]),
            }
        )
    return contacts


def find_episodes(
    connection: sqlite3.Connection, window: timedelta = EPISODE_WINDOW
) -> list[dict[str, Any]]:
    """A call followed within ``window`` (after it ends) by a remote-access session start."""
    calls = _rows(
        connection,
        "SELECT * FROM phones WHERE role IN ('call', 'recovered call') AND time IS NOT NULL "
        "AND direction IN ('outgoing', 'incoming') ORDER BY time, device",
    )
    sessions = _rows(
        connection,
        "SELECT * FROM remote_ids WHERE role = 'peer' AND start IS NOT NULL ORDER BY start, device",
    )
    episodes = []
    seen: set[tuple] = set()
    for call in calls:
        started = parse_utc(call["time"])
        ended = started + timedelta(seconds=call["duration"] or 0)
        for session in sessions:
            session_start = parse_utc(session["start"])
            if started <= session_start <= ended + window:
                # the same session is often logged twice (TeamViewer Connections.txt and its
                # log file): one episode per call, device, tool and peer
                key = (id(call), session["device"], session["tool"], session["remote_id"])
                if key in seen:
                    continue
                seen.add(key)
                gap = (session_start - started).total_seconds() / 60
                episodes.append(
                    {
                        "call_device": call["device"],
                        "number": call["number"],
                        "call_direction": call["direction"],
                        "call_start": call["time"],
                        "call_duration_s": call["duration"],
                        "call_app": call["app"],
                        "session_device": session["device"],
                        "tool": session["tool"],
                        "remote_id": session["remote_id"],
                        "remote_alias": session["alias"],
                        "session_start": session["start"],
                        "session_end": session["end"],
                        "minutes_after_call_start": round(gap, 1),
                        "same_device": call["device"] == session["device"],
                        "call_source": call["source"],
                        "session_source": session["source"],
                    }
                )
    return episodes


def correlate(case_db: Path, devices: list[DeviceStoreRef]) -> dict[str, Any]:
    """Links, likely-victim contacts and contact episodes of a case."""
    connection = build_case_db(case_db, devices)
    try:
        return {
            "links": find_links(connection),
            "contacts": find_contacts(connection),
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
