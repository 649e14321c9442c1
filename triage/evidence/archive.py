"""tar, tar.gz/.bz2/.xz and zip phone extractions, read in place: what both kinds share.

Members are never extracted: a member's name is only a label in the store, normalised so that
``../../x`` or ``/etc/passwd`` cannot mean anything outside the evidence, and its bytes are read
straight out of the archive. A member is addressed by its header offset, which stays unique when
an archive holds the same name twice. Members whose declared size or compression ratio is beyond
reason (a bomb) are listed and not read; a damaged member raises ``OSError`` like any unreadable
evidence, whatever the decompressor raised. This module tells the format from the content and
holds what both readers share; the readers are :mod:`~triage.evidence.tar_source` and
:mod:`~triage.evidence.zip_source`.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tarfile
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import BinaryIO

from triage.errors import EvidenceError
from triage.evidence.base import open_evidence_file

# A member expanding beyond both limits is treated as a decompression bomb and not read.
MAX_RATIO = 200
MAX_BOMB_SIZE = 256 * 1024 * 1024
# What reading a member can raise besides OSError: truncated or corrupt compressed data.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)


def archive_format(path) -> str | None:
    """``zip``, ``tar``, ``tar.gz``, ``tar.bz2``, ``tar.xz`` from the file's content, else None."""
    with open_evidence_file(path) as handle:
        head = handle.read(512)
        if head.startswith(b"PK\x03\x04"):  # a local header: readable without its directory
            return "zip"
        if head.startswith(b"PK\x05\x06"):
            return "zip" if zipfile.is_zipfile(handle) else None
    compression = None
    if head.startswith(b"\x1f\x8b"):
        compression = "gz"
    elif head.startswith(b"BZh"):
        compression = "bz2"
    elif head.startswith(b"\xfd7zXZ\x00"):
        compression = "xz"
    if compression is None:
        if len(head) == 512 and not any(head):  # an empty tar is only its end-of-archive blocks
            return "tar" if _empty_tar(path) else None
        return "tar" if len(head) == 512 and _is_tar_header(head) else None
    try:
        with decompressor(path, compression) as stream:
            block = stream.read(512)
    except (*READ_ERRORS, ValueError) as error:
        # Compressed, but damaged from its first block: nothing in it can be listed.
        tool = {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[compression]
        raise EvidenceError(
            f"{path}: {tool}-compressed data that cannot be decompressed from its start "
            f"({error}); the file is damaged (check it with `{tool} -t`)"
        ) from error
    return f"tar.{compression}" if len(block) == 512 and _is_tar_header(block) else None


def _empty_tar(path) -> bool:
    """Zeros only, whole 512-byte blocks, and named .tar: what ``tar cf x.tar -T /dev/null``
    writes (the name decides here only because zeros carry no signature at all)."""
    size = os.stat(path).st_size
    if not str(path).lower().endswith(".tar") or size % 512 or size > 1 << 20:
        return False
    with open_evidence_file(path) as handle:
        return not any(handle.read())


def _is_tar_header(block: bytes) -> bool:
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def decompressor(path, compression: str | None) -> BinaryIO:
    """The archive's bytes (decompressed), read through a handle that keeps its access time."""
    raw = open_evidence_file(path)
    if compression is None:
        return raw
    try:
        if compression == "gz":
            stream = gzip.GzipFile(fileobj=raw, mode="rb")
        elif compression == "bz2":
            stream = bz2.BZ2File(raw)
        else:
            stream = lzma.LZMAFile(raw)  # noqa: SIM115 - returned, closed by the caller
    except BaseException:
        raw.close()
        raise
    return _ClosingBoth(stream, raw)


class _ClosingBoth:
    """A decompressing stream that closes the evidence file under it too.

    (gzip, bz2 and lzma leave a file object they were given open.)
    """

    def __init__(self, stream: BinaryIO, raw: BinaryIO) -> None:
        self._stream = stream
        self._raw = raw

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def close(self) -> None:
        """Close the decompressor, then the file."""
        try:
            self._stream.close()
        finally:
            self._raw.close()

    def __enter__(self) -> _ClosingBoth:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def safe_member_path(name: str) -> tuple[PurePosixPath, str | None]:
    """The store path for an archive member name, and a note when the name tried to escape."""
    note = None
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        note = f"absolute member name {name!r} kept inside the evidence"
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            note = f"member name {name!r} climbs with '..'; kept inside the evidence"
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return PurePosixPath("/" + "/".join(parts)), note


def utc_time(seconds: float | None) -> datetime | None:
    if not seconds or seconds < 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def member_label(name: str) -> str:
    return str(safe_member_path(name)[0])


def read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise OSError(f"archive ends {size - len(data)} bytes into this member")
    return data


def read_error(error: BaseException) -> OSError:
    """Any failure to read a member as the OSError every reader of evidence expects."""
    if isinstance(error, OSError):
        return error
    return OSError(f"archive member cannot be read: {type(error).__name__}: {error}")
