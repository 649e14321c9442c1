"""Every remote peer of a device with its sessions: the list matched against victims' complaints.

Reads only the store's ``remote_access_sessions`` and ``remote_access_events`` tables (no
evidence, no extractor state), so reports, the case correlation and lab scripts get the same
answer. A peer is a tool plus a remote ID (or, when a log names no ID, the remote IP). The same
connection is often recorded by two sources (TeamViewer's ``Connections.txt`` and its log file;
AnyDesk's traces and ``connection_trace.txt``): sessions of one peer whose times overlap are
shown once, with every source listed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from triage.timestamps import format_utc, parse_utc

SLACK = timedelta(seconds=90)


class RecordSource(Protocol):
    """What the summary needs of a store: its record tables, row by row."""

    def records(self, table: str, order: str = "rowid") -> Iterable[Mapping[str, Any]]: ...


def _files(value: Any) -> list[str]:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    return [str(item) for item in loaded] if isinstance(loaded, list) else [str(loaded)]


def _peer_key(row: Mapping[str, Any]) -> tuple[str, str, str] | None:
    tool = row["tool"] or "unknown"
    if row["remote_id"]:
        return tool, "id", str(row["remote_id"])
    if row["remote_ip"]:
        return tool, "ip", str(row["remote_ip"])
    return None


def _session(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "start": row["start"],
        "end": row["end"],
        "duration": row["duration"],
        "direction": row["direction"],
        "own_id": row["own_id"],
        "remote_ip": row["remote_ip"],
        "auth": row["auth"],
        "files": _files(row["files"]),
        "sources": [row["source_path"]],
    }


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a_start, b_start = parse_utc(a["start"]), parse_utc(b["start"])
    if a_start is None or b_start is None:
        return False
    a_end = parse_utc(a["end"]) or a_start
    b_end = parse_utc(b["end"]) or b_start
    directions = {a["direction"], b["direction"]} - {None}
    return len(directions) <= 1 and a_start - SLACK <= b_end and b_start - SLACK <= a_end


def _join(kept: dict[str, Any], other: dict[str, Any]) -> None:
    starts = [parse_utc(s["start"]) for s in (kept, other) if s["start"]]
    ends = [parse_utc(s["end"]) for s in (kept, other) if s["end"]]
    kept["start"] = format_utc(min(starts)) if starts else None
    kept["end"] = format_utc(max(ends)) if ends else None
    if kept["start"] and kept["end"]:
        span = parse_utc(kept["end"]) - parse_utc(kept["start"])
        kept["duration"] = span.total_seconds()
    for key in ("direction", "own_id", "remote_ip", "auth"):
        kept[key] = kept[key] or other[key]
    kept["files"] += [name for name in other["files"] if name not in kept["files"]]
    kept["sources"] += [path for path in other["sources"] if path not in kept["sources"]]


def merge_sessions(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sessions of one peer, overlapping ones joined, in time order."""
    merged: list[dict[str, Any]] = []
    for session in sorted(sessions, key=lambda s: (s["start"] is None, s["start"] or "")):
        for kept in merged:
            if _overlap(kept, session):
                _join(kept, session)
                break
        else:
            merged.append(dict(session))
    return merged


def _add(values: list[str], value: Any) -> None:
    if value and str(value) not in values:
        values.append(str(value))


def remote_access_summary(store: RecordSource) -> dict[str, Any]:
    """Peers (tool, remote ID, aliases, IPs, sessions) and the device's own IDs per tool."""
    peers: dict[tuple[str, str, str], dict[str, Any]] = {}
    own: dict[tuple[str, str], dict[str, Any]] = {}

    def peer(key: tuple[str, str, str]) -> dict[str, Any]:
        if key not in peers:
            peers[key] = {
                "tool": key[0],
                "remote_id": key[2] if key[1] == "id" else None,
                "aliases": [],
                "ips": [] if key[1] == "id" else [key[2]],
                "sessions": [],
                "events": 0,
                "first_seen": None,
                "last_seen": None,
                "sources": [],
            }
        return peers[key]

    def seen(entry: dict[str, Any], *times: Any) -> None:
        for when in times:
            if not when:
                continue
            if entry["first_seen"] is None or when < entry["first_seen"]:
                entry["first_seen"] = when
            if entry["last_seen"] is None or when > entry["last_seen"]:
                entry["last_seen"] = when

    for row in store.records("remote_access_sessions"):
        key = _peer_key(row)
        if row["own_id"]:
            item = own.setdefault((row["tool"], row["own_id"]), _own(row))
            _add(item["sources"], row["source_path"])
        if key is None:
            continue
        entry = peer(key)
        _add(entry["aliases"], row["remote_alias"])
        _add(entry["ips"], row["remote_ip"])
        _add(entry["sources"], row["source_path"])
        entry["sessions"].append(_session(row))
        seen(entry, row["start"], row["end"])

    for row in store.records("remote_access_events"):
        if row["event"] == "own_id" and row["own_id"]:
            item = own.setdefault((row["tool"], row["own_id"]), _own(row))
            _add(item["aliases"], row["own_alias"])
            _add(item["sources"], row["source_path"])
            continue
        key = _peer_key(row)
        if key is None:
            continue
        entry = peer(key)
        entry["events"] += 1
        _add(entry["aliases"], row["remote_alias"])
        _add(entry["ips"], row["remote_ip"])
        _add(entry["sources"], row["source_path"])
        seen(entry, row["time"])

    listed = []
    for key in sorted(peers):
        entry = peers[key]
        entry["sessions"] = merge_sessions(entry["sessions"])
        listed.append(entry)
    return {
        "peers": listed,
        "own_ids": [own[key] for key in sorted(own)],
    }


def _own(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"tool": row["tool"], "own_id": row["own_id"], "aliases": [], "sources": []}
