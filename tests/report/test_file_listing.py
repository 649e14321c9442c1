"""The file listings SQLite builds equal, byte for byte, the row-by-row Python reference.

``triage.report.file_listing`` has SQLite build the hash list's and the bodyfile's lines and flag
the ``files.csv`` rows that need a spreadsheet check; ``listing_reference`` is the Python that
wrote them before. Any values a store can hold (names with separators, quotes, line breaks,
formula starts, NULs, any Unicode; missing sizes, inodes, times, digests) must come out the same.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.report import listing_reference as reference
from triage.report import file_listing
from triage.store import DeviceStore

COLUMNS = (
    "path", "name", "kind", "size", "allocated", "partition", "inode", "attr_id", "mtime",
    "atime", "ctime", "crtime", "note", "md5", "sha1", "sha256", "mime", "magic",
    "ext_mismatch", "hash_error", "path_hex",
)  # fmt: skip
# Text as a store holds it: any Unicode but lone surrogates (names are escaped before the store).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
EDGY = st.sampled_from([
    "", ",", '"', "\n", "\r\n", "|", "\\", "=1+1", "+1 540-456-1685", "-x", "@SUM(1)", "\t=1",
    "a\x00b", "&<>", "\ufffe", "p1/..", "/a/b/",
])  # fmt: skip
WORDS = st.lists(st.one_of(TEXT, EDGY), max_size=3).map("".join)
HEX = st.one_of(st.none(), st.just(""), st.text("0123456789abcdef", min_size=32, max_size=32))


def _time(moment: datetime | None, fraction: bool) -> str | None:
    if moment is None:
        return None
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond:06d}Z" if fraction else f"{text}Z"


TIMES = st.one_of(
    st.none(),
    st.just(""),
    st.builds(
        _time,
        st.datetimes(datetime(1601, 1, 1), datetime(9999, 12, 30)).map(
            lambda moment: moment.replace(tzinfo=UTC)
        ),
        st.booleans(),
    ),
    st.builds(  # around the epoch, where rounding and the sign of the fraction matter
        _time,
        st.integers(-(10**7), 10**7).map(
            lambda micro: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micro * 997)
        ),
        st.booleans(),
    ),
)
ROW = st.fixed_dictionaries(
    {
        "path": st.one_of(WORDS, WORDS.map(lambda text: "/" + text)),
        "name": WORDS,
        "kind": st.one_of(st.sampled_from(["file", "dir", "link", "ads", "other"]), TEXT),
        "size": st.one_of(st.none(), st.integers(0, 2**62)),
        "allocated": st.sampled_from([0, 1, None]),
        "partition": st.one_of(st.none(), st.integers(0, 9)),
        "inode": st.one_of(st.none(), st.integers(0, 2**40)),
        "attr_id": st.one_of(st.none(), st.integers(0, 300)),
        "mtime": TIMES, "atime": TIMES, "ctime": TIMES, "crtime": TIMES,
        "note": st.one_of(st.none(), WORDS),
        "md5": HEX, "sha1": HEX, "sha256": HEX,
        "mime": st.one_of(st.none(), WORDS),
        "magic": st.one_of(st.none(), WORDS),
        "ext_mismatch": st.sampled_from([0, 1, None]),
        "hash_error": st.one_of(st.none(), WORDS),
        "path_hex": st.one_of(st.none(), HEX),
    }
)  # fmt: skip


def _store(folder: Path, rows: list[dict], partitions: int, device: str) -> DeviceStore:
    store = DeviceStore(folder / "triage.sqlite")
    store.set_meta("device", device)
    for index in range(partitions):
        store.execute("INSERT INTO partitions (idx, start) VALUES (?, ?)", (index, index * 512))
    store.execute("BEGIN")
    for row in rows:
        store.execute(
            f"INSERT INTO files ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            tuple(row[column] for column in COLUMNS),
        )
    store.execute("COMMIT")
    return store


WRITERS = {
    "files.csv": lambda module, store, path: module.write_files_csv(store, path),
    "hashes.txt": lambda module, store, path: module.write_hashdeep(store, path, "/out/x\u202e"),
    "bodyfile.txt": lambda module, store, path: module.write_bodyfile(store, path),
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(ROW, max_size=12),
    partitions=st.integers(0, 2),
    device=st.one_of(WORDS, EDGY),
)
def test_every_listing_equals_the_python_reference(rows, partitions, device):
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        store = _store(base, rows, partitions, device)
        try:
            for name, write in WRITERS.items():
                new, old = base / f"new-{name}", base / f"old-{name}"
                assert write(file_listing, store, new) == write(reference, store, old), name
                assert new.read_bytes() == old.read_bytes(), name
        finally:
            store.close()


def test_known_rows_give_known_lines(tmp_path):
    """Real values: a deleted NTFS file with an ADS, and a file before 1970."""
    rows = [
        {column: None for column in COLUMNS}
        | {
            "path": "/Users/a|b\\c.txt", "kind": "ads", "size": 1247, "allocated": 0,
            "partition": 2, "inode": 64, "attr_id": 3, "mtime": "2013-12-03T06:35:09.9999999Z",
            "md5": "d41d8cd98f00b204e9800998ecf8427e", "sha1": "a" * 40, "sha256": "b" * 64,
        },
        {column: None for column in COLUMNS}
        | {"path": "/old", "kind": "file", "size": 1, "allocated": 1, "partition": 2,
           "mtime": "1969-12-31T23:59:59.500000Z", "mime": "=cmd|' /C calc'!A0"},
    ]  # fmt: skip
    store = _store(tmp_path, rows, 3, "laptop-03")
    try:
        file_listing.write_bodyfile(store, tmp_path / "bodyfile.txt")
        file_listing.write_hashdeep(store, tmp_path / "hashes.txt", "/out")
        file_listing.write_files_csv(store, tmp_path / "files.csv")
    finally:
        store.close()
    assert (tmp_path / "bodyfile.txt").read_text().splitlines() == [
        "d41d8cd98f00b204e9800998ecf8427e|/p2/Users/a\\|b\\\\c.txt (deleted)|64-128-3|"
        "r/r---------|0|0|1247|0|1386052509|0|0",
        "0|/p2/old|0|r/r---------|0|0|1|0|-1|0|0",
    ]
    assert (tmp_path / "hashes.txt").read_text().splitlines()[-1] == (
        f"1247,d41d8cd98f00b204e9800998ecf8427e,{'a' * 40},{'b' * 64},./p2/Users/a|b\\c.txt"
    )
    csv_lines = (tmp_path / "files.csv").read_text().splitlines()
    assert csv_lines[2].split(",")[15] == "'=cmd|' /C calc'!A0"  # shown as text, never run
    assert csv_lines[1].endswith(",laptop-03")
