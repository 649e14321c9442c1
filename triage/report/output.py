"""Writing report files safely: atomically, and with spreadsheet-safe CSV cells."""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

# A cell starting with one of these is a formula to Excel/LibreOffice (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|")
# Signed numbers and phone numbers ("+1 540-456-1685") cannot call a function or DDE: kept as is,
# so lab scripts read E.164 numbers unaltered.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d ().-]*")


@contextmanager
def atomic_text(path: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """Write a text file under a temporary name and rename it into place when complete."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed below
        "w",
        encoding="utf-8",
        newline=newline,
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".part",
        delete=False,
    )
    try:
        with handle:
            yield handle
        os.chmod(handle.name, 0o666 & ~_umask())  # mkstemp makes 0600; reports are shared
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never evaluates; NULs made visible."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value).replace("\x00", "\\x00")
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write one CSV atomically; returns the number of data rows."""
    count = 0
    with atomic_text(path, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
            count += 1
    return count
