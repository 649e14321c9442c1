"""Turn values read from evidence databases into safe record fields, the same way in every family.

A stored value is written by hostile hands as much as by the app: a title is whatever a web page
said, a contact name whatever the caller set, a number column may hold text, a float or garbage.
Values are kept as stored (``<script>`` and control characters included: the report escapes
them) but cut to a sane length, so that a 1 MB field cannot bloat the store, and numbers that are
not numbers become ``None`` instead of raising. Browser and call-log extractors were first
written with their own copies of these; they live here so that a fix reaches every family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_TEXT = 4096  # characters; longer values are cut with a marker
MAX_URL = 16384  # data: URLs can be huge, a real navigation URL is rarely longer
MAX_RAW = 256  # characters of a stored value kept beside its conversion


def text(value: Any, limit: int = MAX_TEXT, *, count_cut: bool = True) -> str | None:
    """A stored value as text (bytes decoded as UTF-8 with replacement), cut at ``limit``.

    The cut is marked ``...[cut N characters]``, or a bare ``...[cut]`` with ``count_cut=False``
    (the call-log family's marker).
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    if len(value) > limit:
        marker = f"[cut {len(value) - limit} characters]" if count_cut else "[cut]"
        value = f"{value[:limit]}...{marker}"
    return value


def url_text(value: Any) -> str | None:
    """A URL as text, cut at :data:`MAX_URL`."""
    return text(value, MAX_URL)


def integer(value: Any) -> int | None:
    """An integer column that may hold text, a float or garbage; None when it is not a number."""
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


def raw(value: Any, *, count_cut: bool = True) -> str | None:
    """The stored value kept beside a converted one (``*_raw`` fields are text).

    A whole float keeps its ``.0`` so that the raw value shows it was stored as a real.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return text(value, MAX_RAW, count_cut=count_cut)


def decode(table: Mapping[int, str], value: int | None) -> str | None:
    """A stored code in words; an unknown code says its number."""
    if value is None:
        return None
    return table.get(value, f"unknown ({value})")


def join_detail(*parts: str | None) -> str | None:
    """Detail fragments joined with ``; `` (None when there are none)."""
    kept = [part for part in parts if part]
    return "; ".join(kept) if kept else None
