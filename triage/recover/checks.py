"""What a recovered value must look like to be a record: a time, a URL, a visit, a download.

A recovered row is bytes that fit a table's columns; whether they are a record is for these
checks (and the extractors' own, built on them). They are deliberately coarse: a time of this
era at all (2000 to now), a URL with a known scheme and a host. The finer test, a time in the
era of *this* device, is :mod:`triage.recover.era`, run on every recovered record.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

ERA_START = datetime(2000, 1, 1, tzinfo=UTC)
URL_SCHEMES = frozenset(
    {"http", "https", "ftp", "file", "about", "chrome", "edge", "brave", "opera", "data", "blob"}
    | {"chrome-extension", "moz-extension", "view-source", "javascript", "mailto"}
)


def plausible_time(value: datetime | None) -> bool:
    """A time a phone or browser of this era could have written."""
    now = datetime.now(UTC) + timedelta(days=1)
    return value is not None and ERA_START <= value <= now


def plausible_url(value: str | None) -> bool:
    """A URL with a known scheme and, for network schemes, a host."""
    if not value or any(ord(char) < 32 for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        return False
    return bool(parts.netloc) or scheme not in {"http", "https", "ftp"}


def plausible_visit(record: Any) -> bool:
    """Whether a recovered visit decodes to a visit: a URL that parses, a time of this era."""
    return plausible_url(record.url) and plausible_time(record.visited)


def plausible_download(record: Any) -> bool:
    """A recovered download: a start time of this era, URLs that parse, something it names
    (a URL or a target path), byte counts that are counts."""
    urls = [*record.url_chain, *([record.url] if record.url else [])]
    counts = (record.received_bytes, record.total_bytes)
    return (
        plausible_time(record.started)
        and (record.ended is None or plausible_time(record.ended))
        and all(plausible_url(url) for url in urls)
        and bool(urls or record.target_path)
        and all(count is None or count >= 0 for count in counts)
    )


def plausible_search(record: Any) -> bool:
    """A recovered search: printable text, and a URL and time that fit when it has them."""
    term = record.term or ""
    return (
        bool(term.strip())
        and not any(ord(char) < 32 for char in term)
        and (record.url is None or plausible_url(record.url))
        and (record.searched is None or plausible_time(record.searched))
    )
