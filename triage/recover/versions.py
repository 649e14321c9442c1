"""Every version of every page of a database: main file, each WAL frame, rollback-journal pages.

SQLite's view of a database is the main file with the committed frames of the current WAL
generation laid over it. Each other copy of a page is an older (or never committed) state that
may still hold rows deleted since: the main file's page once a WAL frame replaced it (even with
``secure_delete`` on, the wipe lands in the WAL, not in the main file), WAL frames superseded by
later ones, frames after the last commit, frames of earlier checkpoint generations left behind
the current ones (their salts differ), and the original pages a rollback journal keeps (also a
``PERSIST`` journal whose header was zeroed after the commit). :func:`page_versions` lists them
all, marking which is current and which pages are on the freelist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.recover.format import DatabaseHeader, FormatError, database_header

WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
MAX_PAGES = 1 << 31


@dataclass(frozen=True, slots=True)
class PageVersion:
    """One copy of one page: its bytes and where they were read."""

    number: int
    data: bytes
    where: str  # main, wal, journal
    offset: int  # byte offset of the page in its file
    state: str  # current, old page version, WAL frame N (...), journal
    current: bool = False
    frame: int | None = None  # 1-based WAL frame number


@dataclass(slots=True)
class Versions:
    """All page versions of one database, the current one per page, and the freelist."""

    header: DatabaseHeader
    page_count: int
    versions: list[PageVersion] = field(default_factory=list)
    current: dict[int, PageVersion] = field(default_factory=dict)
    freelist_leaves: set[int] = field(default_factory=set)
    freelist_trunks: set[int] = field(default_factory=set)


def page_versions(main: bytes, wal: bytes | None = None, journal: bytes | None = None) -> Versions:
    """Gather the versions of a database's pages (FormatError when the main header is bad)."""
    header = database_header(main)
    size = header.page_size
    main_pages = len(main) // size
    frames = _wal_frames(wal, size) if wal else []
    page_count = header.page_count if 0 < header.page_count <= main_pages else main_pages
    commits = [frame for frame in frames if frame[3] == "committed" and frame[2]]
    if commits:
        page_count = commits[-1][2]
    result = Versions(header, page_count)
    latest: dict[int, int] = {}
    for index, (number, _offset, _size_after, state) in enumerate(frames):
        if state == "committed":
            latest[number] = index
    for number in range(1, main_pages + 1):
        data = main[(number - 1) * size : number * size]
        current = number <= page_count and number not in latest
        state = "current" if current else "old page version"
        version = PageVersion(number, data, "main", (number - 1) * size, state, current)
        result.versions.append(version)
        if current:
            result.current[number] = version
    for index, (number, offset, _size_after, state) in enumerate(frames):
        data = wal[offset + FRAME_HEADER : offset + FRAME_HEADER + size]  # type: ignore[index]
        current = latest.get(number) == index and number <= page_count
        label = f"WAL frame {index + 1} ({'current' if current else state})"
        version = PageVersion(number, data, "wal", offset + FRAME_HEADER, label, current, index + 1)
        result.versions.append(version)
        if current:
            result.current[number] = version
    if journal:
        result.versions.extend(_journal_pages(journal, size, page_count))
    _freelist(result)
    return result


def _wal_frames(wal: bytes, page_size: int) -> list[tuple[int, int, int, str]]:
    """(page number, frame offset, db size after commit, state) per frame of a WAL file."""
    if len(wal) < WAL_HEADER or int.from_bytes(wal[0:4], "big") not in WAL_MAGICS:
        return []
    if int.from_bytes(wal[8:12], "big") != page_size:
        return []
    salts = wal[16:24]
    frame_size = FRAME_HEADER + page_size
    frames: list[tuple[int, int, int, str]] = []
    in_run = True
    offset = WAL_HEADER
    while offset + frame_size <= len(wal):
        number = int.from_bytes(wal[offset : offset + 4], "big")
        size_after = int.from_bytes(wal[offset + 4 : offset + 8], "big")
        if in_run and wal[offset + 8 : offset + 16] != salts:
            in_run = False
        if 0 < number < MAX_PAGES:
            frames.append((number, offset, size_after, "current" if in_run else "older checkpoint"))
        offset += frame_size
    last_commit = max(
        (index for index, frame in enumerate(frames) if frame[3] == "current" and frame[2]),
        default=-1,
    )
    return [
        (number, offset, size_after, _state(index, state, last_commit))
        for index, (number, offset, size_after, state) in enumerate(frames)
    ]


def _state(index: int, state: str, last_commit: int) -> str:
    if state != "current":
        return state
    return "committed" if index <= last_commit else "uncommitted"


def _journal_pages(journal: bytes, page_size: int, page_count: int) -> list[PageVersion]:
    """The original pages a rollback journal holds (a zeroed PERSIST header is allowed)."""
    sectors = [512, 4096]
    if journal.startswith(JOURNAL_MAGIC) and len(journal) >= 28:
        sector = int.from_bytes(journal[20:24], "big")
        if 512 <= sector <= 65536:
            sectors.insert(0, sector)
    record = page_size + 8
    for sector in sectors:
        pages: list[PageVersion] = []
        offset = sector
        while offset + record <= len(journal):
            number = int.from_bytes(journal[offset : offset + 4], "big")
            if not 0 < number <= max(page_count, 1) * 4 + 16:
                break
            data = journal[offset + 4 : offset + 4 + page_size]
            pages.append(PageVersion(number, data, "journal", offset + 4, "journal"))
            offset += record
            if offset % sector and journal[offset : offset + 8] == JOURNAL_MAGIC:
                offset = -(-offset // sector) * sector
            elif journal[offset : offset + 8] == JOURNAL_MAGIC:
                offset += sector
        if pages:
            return pages
    return []


def _freelist(result: Versions) -> None:
    """Mark the trunk and leaf pages of the current freelist."""
    first = result.current.get(1)
    if first is None:
        return
    try:
        header = database_header(first.data)
    except FormatError:
        return
    trunk = header.freelist_trunk
    while trunk and trunk not in result.freelist_trunks and trunk in result.current:
        result.freelist_trunks.add(trunk)
        data = result.current[trunk].data
        count = int.from_bytes(data[4:8], "big")
        if count > (len(data) - 8) // 4:
            break
        for index in range(count):
            leaf = int.from_bytes(data[8 + 4 * index : 12 + 4 * index], "big")
            if 0 < leaf <= result.page_count:
                result.freelist_leaves.add(leaf)
        trunk = int.from_bytes(data[0:4], "big")
