"""How a tar ended: whole, cut short, at a header that is not one, or with a damaged stream.

tarfile ends a listing silently at a header block cut short (``TruncatedHeaderError``,
``EmptyHeaderError``) or not a header at all (``InvalidHeaderError`` past the first member),
and a compressed stream's own check (gzip CRC and length, the xz and bzip2 end of stream) is
only met at its very end, which tarfile never reads. :class:`TarInfoKeepingBlock` keeps the
last block read so that :func:`check_end` can tell these apart once the members are listed.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable


class TarInfoKeepingBlock(tarfile.TarInfo):
    """TarInfo that keeps, on its TarFile, the last header block read."""

    @classmethod
    def fromtarfile(cls, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:  # as in the stdlib
        buf = tarfile_.fileobj.read(tarfile.BLOCKSIZE)
        tarfile_.last_block = buf  # type: ignore[attr-defined]
        obj = cls.frombuf(buf, tarfile_.encoding, tarfile_.errors)
        obj.offset = tarfile_.fileobj.tell() - tarfile.BLOCKSIZE
        return obj._proc_member(tarfile_)


def check_end(
    archive: tarfile.TarFile,
    last: tarfile.TarInfo | None,
    label: Callable[[str], str],
    errors: tuple[type[BaseException], ...],
) -> str | None:
    """What is wrong with the end of a tar listed to its last member, or None.

    A whole tar ends with a zero block after its last member's data; after it the compressed
    stream is read to its end, so that its own check (CRC, length, end marker) runs. ``label``
    turns a member name into what the report shows; ``errors`` are what reading can raise.
    """
    after = f" after member {label(last.name)!r}" if last is not None else ""
    block = getattr(archive, "last_block", b"\0" * tarfile.BLOCKSIZE)
    present = archive.offset + len(block)
    if len(block) < tarfile.BLOCKSIZE:
        inside = ""
        if last is not None and last.offset_data + last.size > present:
            inside = f" inside member {label(last.name)!r}"
        return (
            f"archive is truncated: it ends at byte {present}{inside}, before its "
            f"end-of-archive block{after}"
        )
    if any(block):
        return (
            f"archive holds an unreadable header at byte {archive.offset}: listing stopped{after}"
        )
    try:
        while archive.fileobj.read(1 << 20):
            pass
    except errors as error:
        return (
            f"compressed stream is damaged after the end of the archive ({error}): every member "
            "was listed, but their bytes may not be what was archived"
        )
    return None
