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


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    checked: Sequence[str] | None = None,
) -> int:
    """Write one CSV atomically; returns the number of data rows.

    ``checked``: the columns that can hold evidence text, made safe with :func:`safe_cell`
    (default: every column). Naming them spares the check on the columns triage writes itself
    (numbers, hex digests, ISO times), which is most of the cost of a million-row file listing.
    """
    count = 0
    indexes = range(len(header)) if checked is None else [header.index(name) for name in checked]
    with atomic_text(path, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            cells = list(row)
            for index in indexes:
                cells[index] = safe_cell(cells[index])
            writer.writerow(cells)
            count += 1
    return count
