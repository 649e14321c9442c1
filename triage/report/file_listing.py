"""The file listing outputs: ``files.csv`` and the hashdeep-format ``hashes.txt``.

``hashes.txt`` follows hashdeep's known-file format (``%%%% HASHDEEP-1.0`` header, then
``size,md5,sha1,sha256,filename``) so ``hashdeep -a -k hashes.txt -r <recovered tree>`` audits an
extraction of the same evidence. File names are relative: the partition's ``p<N>/`` prefix and
the path inside it for disk images, the path inside the folder or archive otherwise.
"""

from __future__ import annotations

from pathlib import Path

from triage.report.output import atomic_text, write_csv
from triage.store import DeviceStore

FILE_COLUMNS = (
    "id",
    "partition",
    "path",
    "kind",
    "allocated",
    "size",
    "inode",
    "attr_id",
    "mtime",
    "atime",
    "ctime",
    "crtime",
    "md5",
    "sha1",
    "sha256",
    "mime",
    "magic",
    "ext_mismatch",
    "hash_error",
    "note",
)


def listing_name(partition: int | None, path: str, partitions: int) -> str:
    """A file's name in hash lists: relative, partition-prefixed on disk images."""
    relative = path.lstrip("/")
    return f"p{partition}/{relative}" if partition is not None and partitions else relative


def write_files_csv(store: DeviceStore, path: Path) -> int:
    """Every walked entry with all its fields, in walk order."""
    rows = store.query(f"SELECT {', '.join(FILE_COLUMNS)} FROM files ORDER BY id")
    return write_csv(path, FILE_COLUMNS, (tuple(row) for row in rows))


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
            name = listing_name(row["partition"], row["path"], partitions)
            if "\n" in name or "\r" in name:
                name = name.replace("\n", "\\n").replace("\r", "\\r")
            digests = ",".join(row[algorithm] for algorithm in algorithms)
            handle.write(f"{row['size']},{digests},{name}\n")
            count += 1
    return count
