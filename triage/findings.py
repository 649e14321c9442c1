"""The key findings an officer needs first, computed from the store.

Each extractor family summarises its own records (``browser_summary``, ``calls_summary``,
``remote_access_summary``, ``router_summary``); this module adds what no single family sees:
when the device was used (first and last activity over every timestamped record), pages that
look like fake technical support or money transfers, known-bad files, and the problems met.
"""

from __future__ import annotations

import re
from typing import Any

from triage.extractors.browser.summary import browser_summary, domain_of
from triage.extractors.calls.summary import calls_summary
from triage.extractors.remote_access.summary import remote_access_summary
from triage.extractors.router.summary import router_summary
from triage.recover.summary import recovered_summary
from triage.report.record_outputs import record_type, sortable_sql
from triage.store import DeviceStore

# Fake-support pages: brand or support words together with alarm or support-desk words, in the
# URL or title. A heuristic to point the examiner at pages to read, never a verdict.
SUPPORT_BRANDS = re.compile(
    r"microsoft|windows|apple|norton|mcafee|geek.?squad|amazon|paypal|"
    r"defender|antivirus|bank",
    re.IGNORECASE,
)
SUPPORT_ALARM = re.compile(
    r"support|helpdesk|help.?desk|infected|virus|alert|warning|"
    r"error.?code|call.?now|toll.?free|technician|refund|blocked|"
    r"security.?(?:breach|alert)",
    re.IGNORECASE,
)
MONEY_PAGES = re.compile(
    r"gift.?card|giftcard|card.?balance|check.?balance|redeem|"
    r"wire.?transfer|western.?union|moneygram|zelle|bitcoin.?atm|"
    r"online.?banking|netbanking",
    re.IGNORECASE,
)
REMOTE_TOOL_DOMAINS = re.compile(
    r"anydesk|teamviewer|ultraviewer|rustdesk|screenconnect|"
    r"connectwise|splashtop|supremo|aeroadmin|ammyy|logmein|"
    r"zoho.*assist|getscreen",
    re.IGNORECASE,
)
FLAGGED_LIMIT = 200


def _record_time_bounds(
    store: DeviceStore, tables: dict[str, str]
) -> tuple[str | None, str | None]:
    """Earliest and latest time over every timeline field of every record table."""
    first: str | None = None
    last: str | None = None
    for table, dotted in tables.items():
        for field in record_type(dotted).timeline:
            expression = sortable_sql(field)
            row = store.execute(
                f'SELECT min({expression}), max({expression}) FROM "{table}" '
                f'WHERE "{field}" IS NOT NULL'
            ).fetchone()
            if row and row[0]:
                first = row[0] if first is None or row[0] < first else first
                last = row[1] if last is None or row[1] > last else last

    def plain(value: str | None) -> str | None:
        return value.replace(".000000Z", "Z") if value else value

    return plain(first), plain(last)


def _flag_pages(store: DeviceStore, tables: dict[str, str]) -> list[dict[str, Any]]:
    """Visits that look like fake support or money-moving pages."""
    if "browser_visits" not in tables:
        return []
    flagged = []
    rows = store.execute(
        "SELECT rowid, url, title, visited, browser, user, source_path "
        "FROM browser_visits ORDER BY visited, rowid"
    )
    for row in rows:
        url, title = row["url"] or "", row["title"] or ""
        host = domain_of(url) or ""  # evidence URLs: a malformed one has no host
        text = f"{host} {url} {title}"
        if REMOTE_TOOL_DOMAINS.search(host):
            continue  # the remote-tool pages are listed by the browser summary
        reasons = []
        if SUPPORT_BRANDS.search(text) and SUPPORT_ALARM.search(text):
            reasons.append("looks like a technical-support page")
        if MONEY_PAGES.search(text):
            reasons.append("gift cards, banking or money transfer")
        if reasons:
            flagged.append(
                {
                    "time": row["visited"],
                    "url": url,
                    "title": title,
                    "browser": row["browser"],
                    "user": row["user"],
                    "why": "; ".join(reasons),
                    "source_path": row["source_path"],
                }
            )
            if len(flagged) >= FLAGGED_LIMIT:
                break
    return flagged


def _hash_hits(store: DeviceStore, tables: dict[str, str]) -> dict[str, Any]:
    if "hashset_hits" not in tables:
        return {"known_bad": [], "known_good": 0}
    bad = [
        dict(row)
        for row in store.execute(
            "SELECT source_path, source_partition, source_volume, source_sha256, hashset, "
            "algorithm, digest, set_entry FROM hashset_hits WHERE label = 'known-bad' "
            "ORDER BY source_path LIMIT 500"
        )
    ]
    good = store.scalar(
        "SELECT count(DISTINCT source_file_id) FROM hashset_hits WHERE label = 'known-good'"
    )
    return {"known_bad": bad, "known_good": int(good or 0)}


def key_findings(store: DeviceStore) -> dict[str, Any]:
    """Everything the report's first screen says, as data."""
    tables = store.record_tables()
    first, last = _record_time_bounds(store, tables)
    return {
        "first_activity": first,
        "last_activity": last,
        "remote_access": remote_access_summary(store)
        if {"remote_access_events", "remote_access_sessions"} & set(tables)
        else {"peers": [], "own_ids": []},
        "calls": calls_summary(store) if "calls" in tables else None,
        "browser": browser_summary(store)
        if {"browser_visits", "browser_downloads"} & set(tables)
        else None,
        "flagged_pages": _flag_pages(store, tables),
        "router": router_summary(store) if "router_facts" in tables else None,
        "hash_sets": _hash_hits(store, tables),
        "recovered": recovered_summary(store, tables),
    }
