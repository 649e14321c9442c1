"""The file listing outputs: ``files.csv`` and the hashdeep-format ``hashes.txt``.

``hashes.txt`` follows hashdeep's known-file format (``%%%% HASHDEEP-1.0`` header, then
``size,md5,sha1,sha256,filename``) so ``hashdeep -l -a -k hashes.txt -r .``, run inside a
recovered tree, audits an extraction of the same evidence. File names are relative as
``hashdeep -l`` writes them (``./``, then the partition's ``p<N>/`` and the path inside it for
disk images, the path inside the folder or archive otherwise).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from triage.report.output import atomic_text, write_csv
from triage.store import DeviceStore
from triage.timestamps import parse_utc

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
            name = "./" + listing_name(row["partition"], row["path"], partitions)
            if "\n" in name or "\r" in name:
                name = name.replace("\n", "\\n").replace("\r", "\\r")
            digests = ",".join(row[algorithm] for algorithm in algorithms)
            handle.write(f"{row['size']},{digests},{name}\n")
            count += 1
    return count


BODYFILE_TYPES = {"file": "r/r", "dir": "d/d", "link": "l/l", "ads": "r/r", "other": "-/-"}


def _epoch(value: str | None) -> int:
    if not value:
        return 0
    return int(parse_utc(value).timestamp())


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
            name = name.replace("|", "\\|").replace("\n", "\\n")
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


def _xml_text(value: object) -> str:
    """Text safe for XML 1.0: escaped, with characters XML forbids shown as \\xNN."""
    text = str(value)
    text = "".join(
        ch
        if ch in "\t\n\r"
        or (" " <= ch <= "\ud7ff")
        or ("\ue000" <= ch <= "\ufffd")
        or ch >= "\U00010000"
        else f"\\x{ord(ch):02x}"
        for ch in text
    )
    return escape(text)


def write_dfxml(store: DeviceStore, path: Path, tool_version: str) -> int:
    """The file listing as DFXML, with fiwalk's element names (``fileobject``, ``hashdigest``)."""
    evidence = store.evidence()
    count = 0
    partitions = {row["idx"]: dict(row) for row in store.execute("SELECT * FROM partitions")}
    with atomic_text(path, newline="\n") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        handle.write(
            '<dfxml xmloutputversion="1.0" version="1.0" '
            'xmlns="http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        )
        handle.write("  <metadata>\n    <dc:type>File system listing</dc:type>\n  </metadata>\n")
        handle.write(
            f'  <creator version="1.0">\n    <program>triage</program>\n'
            f"    <version>{_xml_text(tool_version)}</version>\n  </creator>\n"
        )
        handle.write(
            f"  <source>\n    <image_filename>{_xml_text(evidence.get('path', ''))}"
            f"</image_filename>\n    <imagesize>{evidence.get('size') or 0}</imagesize>\n"
            "  </source>\n"
        )
        volume_open = False
        current = None
        for row in store.query("SELECT * FROM files ORDER BY partition, id"):
            if not volume_open or row["partition"] != current:
                if volume_open:
                    handle.write("  </volume>\n")
                current, volume_open = row["partition"], True
                volume = partitions.get(current, {})
                handle.write(
                    f'  <volume offset="{volume.get("start", 0)}">\n'
                    f"    <partition_offset>{volume.get('start', 0)}</partition_offset>\n"
                    f"    <ftype_str>{_xml_text(volume.get('fs_type') or '')}"
                    "</ftype_str>\n"
                )
            handle.write(_fileobject(row))
            count += 1
        if volume_open:
            handle.write("  </volume>\n")
        handle.write("</dfxml>\n")
    return count


def _fileobject(row) -> str:
    parts = [
        "    <fileobject>\n",
        f"      <filename>{_xml_text(row['path'].lstrip('/'))}</filename>\n",
    ]
    if row["partition"] is not None:
        parts.append(f"      <partition>{row['partition']}</partition>\n")
    parts.append(f"      <id>{row['id']}</id>\n")
    parts.append(f"      <name_type>{BODYFILE_TYPES.get(row['kind'], '-/-')[0]}</name_type>\n")
    parts.append(f"      <filesize>{row['size'] or 0}</filesize>\n")
    parts.append("      <alloc>1</alloc>\n" if row["allocated"] else "      <unalloc>1</unalloc>\n")
    if row["inode"] is not None:
        parts.append(f"      <inode>{row['inode']}</inode>\n")
    for column, element in (
        ("mtime", "mtime"),
        ("ctime", "ctime"),
        ("atime", "atime"),
        ("crtime", "crtime"),
    ):
        if row[column]:
            parts.append(f"      <{element}>{row[column]}</{element}>\n")
    if row["mime"]:
        parts.append(f"      <libmagic>{_xml_text(row['magic'] or row['mime'])}</libmagic>\n")
    for algorithm in ("md5", "sha1", "sha256"):
        if row[algorithm]:
            parts.append(f'      <hashdigest type="{algorithm}">{row[algorithm]}</hashdigest>\n')
    parts.append("    </fileobject>\n")
    return "".join(parts)
