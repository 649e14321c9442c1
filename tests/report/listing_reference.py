"""The file listings as triage wrote them row by row in Python until December 2026: the
reference that ``test_file_listing.py`` holds the SQL-built listings to, byte for byte.

Two deliberate changes from that code: a hashed file without a size is listed with size 0
(was ``None``), and a bodyfile time before 1970 with a fraction of a second is the second it
falls in (floor, as ``fls -m`` writes it; was rounded toward zero).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from triage.report.file_listing import BODYFILE_TYPES, FILE_COLUMNS, FILE_TEXT_COLUMNS, listing_name
from triage.report.output import atomic_text, write_csv
from triage.store import DeviceStore


def write_files_csv(store: DeviceStore, path: Path) -> int:
    """Every walked entry with all its fields, in walk order."""
    rows = store.query(f"SELECT {', '.join(FILE_COLUMNS)} FROM files ORDER BY id")
    device = store.meta("device")  # like the record CSVs' source_evidence, for merged listings
    return write_csv(
        path, (*FILE_COLUMNS, "device"), ((*row, device) for row in rows), checked=FILE_TEXT_COLUMNS
    )


def write_hashdeep(store: DeviceStore, path: Path, invoked_from: str) -> int:
    """Every hashed file in hashdeep format with the algorithms that were computed."""
    algorithms = [
        name
        for name in ("md5", "sha1", "sha256")
        if store.scalar(f"SELECT 1 FROM files WHERE {name} IS NOT NULL LIMIT 1")
    ]
    if not algorithms:
        algorithms = ["md5", "sha256"]
    partitions = int(store.scalar("SELECT count(*) FROM partitions") or 0)
    count = 0
    with atomic_text(path, newline="\n") as handle:
        handle.write("%%%% HASHDEEP-1.0\n")
        handle.write(f"%%%% size,{','.join(algorithms)},filename\n")
        handle.write(f"## Invoked from: {invoked_from}\n")
        handle.write(f"## $ triage scan (hashes: {','.join(algorithms)})\n")
        handle.write("##\n")
        where = " AND ".join(f"{name} IS NOT NULL" for name in algorithms)
        rows = store.query(
            f"SELECT partition, path, size, {', '.join(algorithms)} FROM files "
            f"WHERE {where} AND hash_error IS NULL ORDER BY id"
        )
        for row in rows:
            name = "./" + listing_name(row["partition"], row["path"], partitions)
            if "\n" in name or "\r" in name:
                name = name.replace("\n", "\\n").replace("\r", "\\r")
            digests = ",".join(row[algorithm] for algorithm in algorithms)
            handle.write(f"{row['size'] or 0},{digests},{name}\n")
            count += 1
    return count


def _epoch(value: str | None) -> int:
    if not value:
        return 0
    return math.floor(datetime.fromisoformat(value).replace(microsecond=0).timestamp())


def write_bodyfile(store: DeviceStore, path: Path) -> int:
    """A TSK 3 bodyfile (``fls -m`` format) for ``mactime -b bodyfile.txt``.

    ``MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime``; triage does not keep modes or
    owners, so the mode column carries the entry type only and UID/GID are 0. Deleted entries
    get `` (deleted)`` after the name, as fls writes them.
    """
    partitions = int(store.scalar("SELECT count(*) FROM partitions") or 0)
    count = 0
    with atomic_text(path, newline="\n") as handle:
        rows = store.query("SELECT * FROM files ORDER BY id")
        for row in rows:
            name = "/" + listing_name(row["partition"], row["path"], partitions)
            # A backslash is doubled first, so a name ending in one cannot escape the next "|".
            name = name.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")
            if not row["allocated"]:
                name += " (deleted)"
            inode = "" if row["inode"] is None else str(row["inode"])
            if row["attr_id"] is not None:
                inode += f"-128-{row['attr_id']}"
            fields = [
                row["md5"] or "0",
                name,
                inode or "0",
                BODYFILE_TYPES.get(row["kind"], "-/-") + "---------",
                "0",
                "0",
                str(row["size"] or 0),
                str(_epoch(row["atime"])),
                str(_epoch(row["mtime"])),
                str(_epoch(row["ctime"])),
                str(_epoch(row["crtime"])),
            ]
            handle.write("|".join(fields) + "\n")
            count += 1
    return count
