"""Condense a device's router facts into what a case report shows first.

:func:`router_summary` reads only the store's ``router_facts`` table (never the evidence) and
returns plain JSON-ready data: who the router is (host name, model, serial, firmware, the ISP
account that names the subscriber), which clients it knew (DHCP leases, static leases and ARP
entries merged per MAC: the link to laptops and phones), which ports it forwards into the LAN,
how it can be managed remotely, and which DNS servers it uses. Lists are bounded by ``limit``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from triage.store import DeviceStore

TABLE = "router_facts"
IDENTITY_KEYS = ("hostname", "model", "serial", "firmware", "platform")
CLIENT_CATEGORIES = ("lease", "static_lease", "arp")
LISTED = ("forward", "remote_admin", "dns")
SECRET_KEYS = ("_password", "sim_pin")


def _empty() -> dict[str, Any]:
    return {
        "identity": {key: [] for key in (*IDENTITY_KEYS, "isp_account")},
        "clients": [],
        "forwards": [],
        "remote_admin": [],
        "dns": [],
        "counts": {},
        "truncated": False,
    }


def _ip_order(value: str | None) -> tuple[int, Any]:
    try:
        address = ipaddress.ip_address(value or "")
    except ValueError:
        return (2, value or "")
    return (address.version - 4, int(address))


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule": row["key"],
        "value": row["value"],
        "ip": row["ip"],
        "detail": row["detail"],
        "source": row["source_path"],
        "extractor": row["extractor"],
    }


def router_summary(store: DeviceStore, limit: int = 1000) -> dict[str, Any]:
    """Identity, clients, forwards, remote admin and DNS from ``router_facts`` (pure read)."""
    summary = _empty()
    if TABLE not in store.record_tables():
        return summary
    summary["counts"] = {
        row[0]: int(row[1])
        for row in store.execute(
            f'SELECT category, count(*) FROM "{TABLE}" GROUP BY category ORDER BY category'
        ).fetchall()
    }
    wanted = ("system", "isp_account", *CLIENT_CATEGORIES, *LISTED)
    marks = ", ".join("?" for _ in wanted)
    rows = store.execute(
        "SELECT category, key, value, mac, ip, hostname, time, detail, source_path, extractor "
        f'FROM "{TABLE}" WHERE category IN ({marks}) ORDER BY rowid',
        wanted,
    )
    clients: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        for raw in rows:
            _add(summary, clients, dict(raw), limit)
    finally:
        rows.close()
    summary["clients"] = sorted(
        clients.values(),
        key=lambda client: (
            _ip_order(client["ips"][0] if client["ips"] else None),
            client["mac"] or "",
        ),
    )
    return summary


def _add(
    summary: dict[str, Any],
    clients: dict[tuple[str, str], dict[str, Any]],
    row: dict[str, Any],
    limit: int,
) -> None:
    identity = summary["identity"]
    category = row["category"]
    if category == "system":
        if row["key"] in IDENTITY_KEYS:
            values = identity[row["key"]]
            if row["value"] and row["value"] not in values and len(values) < limit:
                values.append(row["value"])
    elif category == "isp_account":
        if not row["key"].endswith(SECRET_KEYS) and len(identity["isp_account"]) < limit:
            account = {
                "key": row["key"],
                "value": row["value"],
                "detail": row["detail"],
                "source": row["source_path"],
            }
            if account not in identity["isp_account"]:
                identity["isp_account"].append(account)
    elif category in CLIENT_CATEGORIES:
        _add_client(clients, row, limit, summary)
    else:
        target = summary["forwards" if category == "forward" else category]
        if len(target) < limit:
            target.append(_entry(row))
        else:
            summary["truncated"] = True


def _add_client(
    clients: dict[tuple[str, str], dict[str, Any]],
    row: dict[str, Any],
    limit: int,
    summary: dict[str, Any],
) -> None:
    key = ("mac", row["mac"]) if row["mac"] else ("ip", row["ip"] or row["key"])
    client = clients.get(key)
    if client is None:
        if len(clients) >= limit:
            summary["truncated"] = True
            return
        client = clients[key] = {
            "mac": row["mac"],
            "ips": [],
            "hostnames": [],
            "seen_in": [],
            "latest_time": None,
            "sources": [],
        }
    for field, value in (
        ("ips", row["ip"]),
        ("hostnames", row["hostname"]),
        ("seen_in", row["category"]),
        ("sources", row["source_path"]),
    ):
        if value and value not in client[field]:
            client[field].append(value)
    client["seen_in"].sort()
    if row["time"] and (client["latest_time"] is None or row["time"] > client["latest_time"]):
        client["latest_time"] = row["time"]
