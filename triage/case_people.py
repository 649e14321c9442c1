"""The people side of a case: likely victims, the suspects' own numbers, call episodes.

Split from :mod:`triage.correlate` (which builds the case database and finds the links); these
read its ``phones`` and ``remote_ids`` tables. Victims are external numbers and remote IDs; a
device's own number, or a number that is a call partner on two or more suspect devices, is one
of the suspects' own and listed apart (``suspect_numbers``), never dropped. A number that could
not be normalised is flagged (kind ``unreadable``), an Apple ID or e-mail handle is kind
``email``, and every contact's count adds up: ``count = outgoing + incoming + other``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any

from triage.timestamps import format_utc, parse_utc

EPISODE_WINDOW = timedelta(minutes=30)


def _rows(connection: sqlite3.Connection, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _distinct(value: str | None) -> list[str]:
    """A ``json_group_array(DISTINCT x)`` result as a sorted list without NULLs."""
    return sorted({str(item) for item in json.loads(value or "[]") if item not in (None, "")})


def _set(column: str) -> str:
    return f"json_group_array(DISTINCT {column})"


def _contact_kind(number: str, normalised: bool) -> str:
    """``phone`` for a number, ``email`` for an Apple ID or e-mail handle (FaceTime, iMessage),
    ``unreadable`` for what could not be read as a number (flagged)."""
    if normalised:
        return "phone"
    return "email" if "@" in number else "unreadable"


def suspect_numbers(connection: sqlite3.Connection) -> dict[str, str]:
    """The suspects' own numbers -> why: a device's own number, or a number that is a call
    partner on two or more suspect devices (they are not likely victims)."""
    numbers = {
        row[0]: f"own number of {row[1]}"
        for row in connection.execute(
            "SELECT number, group_concat(DISTINCT device) FROM phones WHERE role = 'own' "
            "GROUP BY number"
        )
    }
    for number, devices in connection.execute(
        "SELECT number, group_concat(DISTINCT device) FROM phones "
        "WHERE role IN ('call', 'recovered call') GROUP BY number "
        "HAVING count(DISTINCT device) > 1 ORDER BY number"
    ):
        names = ", ".join(sorted(devices.split(",")))
        numbers.setdefault(number, f"call partner on {names}")
    return numbers


def find_contacts(
    connection: sqlite3.Connection,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Likely victims (external numbers and remote IDs, with first/last contact and counts that
    add up: count = outgoing + incoming + other) and the suspects' own numbers beside them."""
    suspects = suspect_numbers(connection)
    own_ids = {
        (row[0], row[1])
        for row in connection.execute(
            "SELECT DISTINCT tool, remote_id FROM remote_ids WHERE role = 'own'"
        )
    }
    contacts: list[dict[str, Any]] = []
    suspect_rows: list[dict[str, Any]] = []
    for row in _rows(
        connection,
        f"""
            SELECT number, min(time) AS first, max(time) AS last, count(*) AS records,
                   coalesce(sum(duration), 0) AS duration,
                   sum(direction = 'outgoing') AS outgoing,
                   sum(direction = 'incoming') AS incoming, max(country) AS country,
                   min(normalised) AS normalised, {_set("region")} AS regions,
                   {_set("device")} AS devices, {_set("app")} AS apps,
                   {_set("contact")} AS names
            FROM phones WHERE role IN ('call', 'recovered call') GROUP BY number ORDER BY number""",
    ):
        normalised = bool(row["normalised"])
        kind = _contact_kind(row["number"], normalised)
        outgoing, incoming = row["outgoing"] or 0, row["incoming"] or 0
        regions = _distinct(row["regions"])
        entry = {
            "kind": kind,
            "tool": ", ".join(_distinct(row["apps"])),
            "identifier": row["number"],
            "country": row["country"],
            "first_contact": row["first"],
            "last_contact": row["last"],
            "devices": _distinct(row["devices"]),
            "count": row["records"],
            "outgoing": outgoing,
            "incoming": incoming,
            "other": row["records"] - outgoing - incoming,
            "total_duration_s": row["duration"],
            "names": _distinct(row["names"]),
            "region_assumed": regions,
            "flag": None
            if kind != "unreadable"
            else "not read as a phone number (no country code and no region to read it in)",
        }
        if row["number"] in suspects:
            suspect_rows.append({**entry, "why": suspects[row["number"]]})
        else:
            contacts.append(entry)
    for row in _rows(
        connection,
        f"""
            SELECT tool, remote_id, min(start) AS first, max(coalesce("end", start)) AS last,
                   sum(role = 'peer') AS sessions, count(*) AS lines,
                   sum(role = 'peer' AND direction = 'outgoing') AS s_out,
                   sum(role = 'peer' AND direction = 'incoming') AS s_in,
                   sum(direction = 'outgoing') AS l_out, sum(direction = 'incoming') AS l_in,
                   {_set("device")} AS devices, {_set("alias")} AS aliases
            FROM remote_ids WHERE role != 'own' GROUP BY tool, remote_id
            ORDER BY tool, remote_id""",
    ):
        if (row["tool"], row["remote_id"]) in own_ids:
            continue
        # sessions when any were logged, else the log lines that name the peer
        if row["sessions"]:
            count, outgoing, incoming = row["sessions"], row["s_out"] or 0, row["s_in"] or 0
        else:
            count, outgoing, incoming = row["lines"], row["l_out"] or 0, row["l_in"] or 0
        contacts.append(
            {
                "kind": "remote_id",
                "tool": row["tool"],
                "identifier": row["remote_id"],
                "country": None,
                "first_contact": row["first"],
                "last_contact": row["last"],
                "devices": _distinct(row["devices"]),
                "count": count,
                "outgoing": outgoing,
                "incoming": incoming,
                "other": count - outgoing - incoming,
                "total_duration_s": None,
                "names": _distinct(row["aliases"]),
                "region_assumed": [],
                "flag": None,
            }
        )
    return contacts, suspect_rows


def find_episodes(
    connection: sqlite3.Connection, window: timedelta = EPISODE_WINDOW
) -> list[dict[str, Any]]:
    """A call, then a remote-access session that starts during it or within ``window`` after
    it ends (EPISODE_RULE); 0-second calls are no contact and pair with nothing."""
    calls = _rows(
        connection,
        "SELECT * FROM phones WHERE role IN ('call', 'recovered call') AND time IS NOT NULL "
        "AND direction IN ('outgoing', 'incoming') AND (duration IS NULL OR duration > 0) "
        "ORDER BY time, device, number",
    )
    sessions = _rows(
        connection,
        "SELECT * FROM remote_ids WHERE role = 'peer' AND start IS NOT NULL "
        "ORDER BY start, device, tool, remote_id",
    )
    episodes = []
    for index, call in enumerate(calls):
        started = parse_utc(call["time"])
        ended = started + timedelta(seconds=call["duration"] or 0)
        seen: set[tuple] = set()
        paired = []
        for session in sessions:
            session_start = parse_utc(session["start"])
            if not started <= session_start <= ended + window:
                continue
            # the same session is often logged twice (TeamViewer Connections.txt and its
            # log file): one episode per call, device, tool and peer
            key = (session["device"], session["tool"], session["remote_id"])
            if key in seen:
                continue
            seen.add(key)
            after_end = (session_start - ended).total_seconds()
            paired.append(
                {
                    "call_device": call["device"],
                    "number": call["number"],
                    "call_direction": call["direction"],
                    "call_start": call["time"],
                    "call_end": format_utc(ended),
                    "call_duration_s": call["duration"],
                    "call_app": call["app"],
                    "session_device": session["device"],
                    "tool": session["tool"],
                    "remote_id": session["remote_id"],
                    "remote_alias": session["alias"],
                    "session_start": session["start"],
                    "session_end": session["end"],
                    "minutes_after_call_end": max(0, int(after_end / 60 + 0.5)),
                    "during_call": after_end < 0,
                    "same_device": call["device"] == session["device"],
                    "call_source": f"{call['device']}:{call['source']}",
                    "session_source": f"{session['device']}:{session['source']}",
                }
            )
        for episode in paired:
            episode["episode"] = f"call {index + 1}"
            episode["sessions_after_this_call"] = len(paired)
            episode["session_devices_after_this_call"] = sorted(
                {item["session_device"] for item in paired}
            )
        episodes.extend(paired)
    return episodes
