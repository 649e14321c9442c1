"""The file listing outputs: ``files.csv`` and the hashdeep-format ``hashes.txt``.

``hashes.txt`` follows hashdeep's known-file format (``%%%% HASHDEEP-1.0`` header, then
``size,md5,sha1,sha256,filename``) so ``hashdeep -l -a -k hashes.txt -r .``, run inside a
recovered tree, audits an extraction of the same evidence. File names are relative as
``hashdeep -l`` writes them (``./``, then the partition's ``p<N>/`` and the path inside it for
disk images, the path inside the folder or archive otherwise).

A million-file disk has a million lines in each listing, so SQLite builds the lines of the
hash list and the bodyfile, and DFXML's rows come as tuples, not ``sqlite3.Row``. (SQLite
functions cost ~1-4 us a call here, so DFXML, with a dozen optional elements a row, stays a
Python loop, and ``files.csv`` the CSV writer's as before: flagging its rows in SQL measured
no faster.)
``tests/report/test_file_listing.py`` holds each writer to its row-by-row Python reference,
byte for byte, over any values (Hypothesis).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

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
    "path_hex",  # the path's bytes when it is shown escaped (triage.names); empty otherwise
)
# Columns of files.csv that carry text from the evidence or from libmagic; the others are
# numbers, hex digests, ISO times and triage's own words.
FILE_TEXT_COLUMNS = ("path", "mime", "magic", "hash_error", "note")


def listing_name(partition: int | None, path: str, partitions: int) -> str:
    """A file's name in hash lists: relative, partition-prefixed on disk images."""
    relative = path.lstrip("/")
    return f"p{partition}/{relative}" if partition is not None and partitions else relative


def write_files_csv(store: DeviceStore, path: Path) -> int:
    """Every walked entry with all its fields, in walk order."""
    rows = store.query(f"SELECT {', '.join(FILE_COLUMNS)} FROM files ORDER BY id")
    device = store.meta("device")  # like the record CSVs' source_evidence, for merged listings
    return write_csv(
        path, (*FILE_COLUMNS, "device"), ((*row, device) for row in rows), checked=FILE_TEXT_COLUMNS
    )


def _listing_name_sql(partitions: int) -> str:
    """SQL for :func:`listing_name` of a row of ``files``."""
    relative = "ltrim(path, '/')"
    if not partitions:
        return relative
    prefixed = f"'p' || partition || '/' || {relative}"
    return f"CASE WHEN partition IS NULL THEN {relative} ELSE {prefixed} END"


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
    with atomic_text(path, newline="\n") as handle:
        handle.write("%%%% HASHDEEP-1.0\n")
        handle.write(f"%%%% size,{','.join(algorithms)},filename\n")
        handle.write(f"## Invoked from: {invoked_from}\n")
        handle.write(f"## $ triage scan (hashes: {','.join(algorithms)})\n")
        handle.write("##\n")
        where = " AND ".join(f"{name} IS NOT NULL" for name in algorithms)
        name = _listing_name_sql(partitions)
        name = f"replace(replace({name}, char(10), '\\n'), char(13), '\\r')"
        line = " || ',' || ".join(["coalesce(size, 0)", *algorithms, f"'./' || {name}"])
        count = _write_lines(
            handle,
            store.query_tuples(
                f"SELECT {line} || char(10) FROM files "
                f"WHERE {where} AND hash_error IS NULL ORDER BY id"
            ),
        )
    return count


def _write_lines(handle, rows) -> int:
    """Write the first column of each row (a whole line); returns how many."""
    count = 0
    for (line,) in rows:
        handle.write(line)
        count += 1
    return count


BODYFILE_TYPES = {"file": "r/r", "dir": "d/d", "link": "l/l", "ads": "r/r", "other": "-/-"}


def _epoch_sql(column: str) -> str:
    """SQL: a store time (ISO 8601, UTC, ``Z``) as whole seconds since 1970 (0 when unset).

    The fraction is cut before SQLite reads the time (SQLite rounds it to milliseconds, which
    would carry ``.9996`` into the next second): the second an event happened in, as ``fls -m``
    writes it, also before 1970.
    """
    return (
        f"CASE WHEN {column} IS NULL OR {column} = '' THEN 0 "
        f"ELSE coalesce(strftime('%s', substr({column}, 1, 19)), 0) END"
    )


def write_bodyfile(store: DeviceStore, path: Path) -> int:
    """A TSK 3 bodyfile (``fls -m`` format) for ``mactime -b bodyfile.txt``.

    ``MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime``; triage does not keep modes or
    owners, so the mode column carries the entry type only and UID/GID are 0. Deleted entries
    get `` (deleted)`` after the name, as fls writes them. A backslash in a name is doubled
    first, so a name ending in one cannot escape the next ``|``.
    """
    partitions = int(store.scalar("SELECT count(*) FROM partitions") or 0)
    name = (
        f"replace(replace(replace('/' || {_listing_name_sql(partitions)}, '\\', '\\\\'), "
        "'|', '\\|'), char(10), '\\n') || CASE WHEN allocated THEN '' ELSE ' (deleted)' END"
    )
    inode = (
        "coalesce(nullif(coalesce(inode, '') || "
        "CASE WHEN attr_id IS NULL THEN '' ELSE '-128-' || attr_id END, ''), '0')"
    )
    kinds = " ".join(f"WHEN '{kind}' THEN '{mode}'" for kind, mode in BODYFILE_TYPES.items())
    fields = [
        "coalesce(nullif(md5, ''), '0')",
        name,
        inode,
        f"CASE kind {kinds} ELSE '-/-' END || '---------'",
        "'0'",
        "'0'",
        "coalesce(size, 0)",
        *(_epoch_sql(column) for column in ("atime", "mtime", "ctime", "crtime")),
    ]
    line = " || '|' || ".join(fields)
    with atomic_text(path, newline="\n") as handle:
        return _write_lines(
            handle,
            store.query_tuples(f"SELECT {line} || char(10) FROM files ORDER BY id"),
        )


# Characters XML 1.0 does not allow in a document, even escaped.
XML_FORBIDDEN = re.compile("[^\t\n\r -\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: object) -> str:
    """Text safe for XML 1.0: escaped, with characters XML forbids shown as \\xNN."""
    text = XML_FORBIDDEN.sub(lambda match: f"\\x{ord(match.group()):02x}", str(value))
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
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:triage="https://triage.invalid/dfxml">\n'
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
        for row in store.query_tuples(f"SELECT {DFXML_COLUMNS} FROM files ORDER BY partition, id"):
            if not volume_open or row[1] != current:
                if volume_open:
                    handle.write("  </volume>\n")
                current, volume_open = row[1], True
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


DFXML_COLUMNS = (
    "path, partition, id, kind, size, allocated, inode, mtime, ctime, atime, crtime, mime, "
    "magic, md5, sha1, sha256, path_hex"
)


def _fileobject(row) -> str:
    """One ``<fileobject>`` from a row of :data:`DFXML_COLUMNS` (a million of these: kept lean)."""
    (path, partition, file_id, kind, size, allocated, inode, mtime, ctime, atime, crtime,
     mime, magic, md5, sha1, sha256, path_hex) = row  # fmt: skip
    parts = [f"    <fileobject>\n      <filename>{_xml_text(path.lstrip('/'))}</filename>\n"]
    if path_hex:  # the name is shown escaped: its bytes, in triage's own namespace
        parts.append(f"      <triage:path_hex>{path_hex}</triage:path_hex>\n")
    if partition is not None:
        parts.append(f"      <partition>{partition}</partition>\n")
    parts.append(
        f"      <id>{file_id}</id>\n"
        f"      <name_type>{BODYFILE_TYPES.get(kind, '-/-')[0]}</name_type>\n"
        f"      <filesize>{size or 0}</filesize>\n"
        + ("      <alloc>1</alloc>\n" if allocated else "      <unalloc>1</unalloc>\n")
    )
    if inode is not None:
        parts.append(f"      <inode>{inode}</inode>\n")
    for element, value in (("mtime", mtime), ("ctime", ctime), ("atime", atime),
                           ("crtime", crtime)):  # fmt: skip
        if value:
            parts.append(f"      <{element}>{value}</{element}>\n")
    if mime:
        parts.append(f"      <libmagic>{_xml_text(magic or mime)}</libmagic>\n")
    for algorithm, value in (("md5", md5), ("sha1", sha1), ("sha256", sha256)):
        if value:
            parts.append(f'      <hashdigest type="{algorithm}">{value}</hashdigest>\n')
    parts.append("    </fileobject>\n")
    return "".join(parts)
