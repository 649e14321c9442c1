"""What Internet Explorer's history entries share: the ``Visited: user@url`` location and the
page title in a history entry's property data.

The location of a history entry is ``Visited: <user>@<url>`` in the master history and
``:<yyyymmddyyyymmdd>: <user>@<url>`` in the daily and weekly ``MSHist`` containers (plaso
``msiecf.py`` tests; dissect.target ``iexplore.py`` splits at the first ``@``). Both index.dat
and WebCacheV01.dat use it.

The title is in the entry's data as a typed property: a UTF-16 string tagged ``0x1f10``
(``VT_LPWSTR`` with a property flag), next to the favicon URL tagged ``0x1e15`` (``VT_LPSTR``).
plaso leaves this data unparsed ("requires OLE VT parsing"); reading only the first ``0x1f10``
string is a deliberately small, guarded reading of it.
"""

from __future__ import annotations

import re

from triage.extractors.values import text, url_text

_PREFIX = re.compile(r"^(?:Visited:\s*|:\d{16}:\s*)", re.IGNORECASE)
TITLE_TAG = b"\x10\x1f"
MAX_TITLE_BYTES = 8192


def split_location(location: str | None) -> tuple[str | None, str]:
    """``Visited: bob@http://x/`` -> (``bob``, ``http://x/``); a bare URL has no user."""
    value = (location or "").rstrip("\x00")
    stripped = _PREFIX.sub("", value, count=1)
    if stripped != value and "@" in stripped:
        user, _, url = stripped.partition("@")
        return text(user, 256) or None, url_text(url) or ""
    return None, url_text(value) or ""


def history_title(data: bytes | None) -> str | None:
    """The page title stored in a history entry's property data, when there is one."""
    if not data:
        return None
    start = data.find(TITLE_TAG)
    if start < 0:
        return None
    start += len(TITLE_TAG)
    body = data[start : start + MAX_TITLE_BYTES]
    end = 0
    while end + 1 < len(body) and body[end : end + 2] != b"\x00\x00":
        end += 2
    title = body[:end].decode("utf-16-le", "replace")
    return text(title) or None
