"""Turn values read from browser databases into safe record fields.

Browser databases are written by web pages as much as by the browser: a title is whatever the
page said, a URL whatever the attacker typed. Values are kept as stored (``<script>`` and control
characters included: the report escapes them), but cut to a sane length so that a 1 MB title
cannot bloat the store, and numbers stored as text or garbage become ``None`` instead of raising.
"""

from __future__ import annotations

from typing import Any

MAX_TITLE = 4096  # characters; longer titles are cut with a marker
MAX_URL = 16384  # data: URLs can be huge, a real navigation URL is rarely longer


def text(value: Any, limit: int = MAX_TITLE) -> str | None:
    """A stored value as text (bytes decoded as UTF-8 with replacement), cut at ``limit``."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    if len(value) > limit:
        value = f"{value[:limit]}...[cut {len(value) - limit} characters]"
    return value


def url_text(value: Any) -> str | None:
    """A URL as text, cut at :data:`MAX_URL`."""
    return text(value, MAX_URL)


def integer(value: Any) -> int | None:
    """An integer column that may hold text, a float or garbage; None when not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else None
    if isinstance(value, (str, bytes)):
        try:
            return int(float(value))
        except (ValueError, OverflowError):
            return None
    return None


def raw(value: Any) -> str | None:
    """The stored value kept beside a converted one (``*_raw`` fields are text)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return text(value, 256)


def join_detail(*parts: str | None) -> str | None:
    """Detail fragments joined with ``; `` (None when there are none)."""
    kept = [part for part in parts if part]
    return "; ".join(kept) if kept else None
