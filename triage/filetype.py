"""File types from content (libmagic), and extensions that lie about it.

libmagic sees the first bytes of every file inside the hashing read, so typing costs no extra
I/O. A type mismatch is flagged only for extensions whose real types are well known (a ``.jpg``
that is a PE executable, a ``.pdf`` that is a ZIP): flagging every odd text file would bury the
ones that matter.
"""

from __future__ import annotations

from dataclasses import dataclass

import magic

SNIFF_BYTES = 8192

# Extension -> MIME types libmagic gives for genuine files of that kind.
EXPECTED_MIME: dict[str, frozenset[str]] = {
    ext: frozenset(mimes)
    for exts, mimes in (
        (("jpg", "jpeg", "jpe", "jfif"), ("image/jpeg",)),
        (("png",), ("image/png",)),
        (("gif",), ("image/gif",)),
        (("bmp",), ("image/bmp", "image/x-ms-bmp")),
        (("webp",), ("image/webp",)),
        (("heic",), ("image/heic", "image/heif")),
        (("tif", "tiff"), ("image/tiff",)),
        (("pdf",), ("application/pdf",)),
        (
            ("doc", "xls", "ppt", "msg"),
            (
                "application/msword",
                "application/vnd.ms-excel",
                "application/vnd.ms-powerpoint",
                "application/x-ole-storage",
                "application/CDFV2",
                "application/vnd.ms-outlook",
            ),
        ),
        (
            ("docx", "xlsx", "pptx"),
            (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "application/zip",
                "application/octet-stream",
            ),
        ),
        (("zip",), ("application/zip", "application/x-zip-compressed")),
        (("rar",), ("application/x-rar", "application/vnd.rar")),
        (("7z",), ("application/x-7z-compressed",)),
        (("gz", "tgz"), ("application/gzip", "application/x-gzip")),
        (("mp3",), ("audio/mpeg",)),
        (("mp4", "m4v", "m4a"), ("video/mp4", "audio/x-m4a", "video/quicktime", "audio/mp4")),
        (("mov",), ("video/quicktime",)),
        (("avi",), ("video/x-msvideo",)),
        (("wav",), ("audio/x-wav", "audio/wav")),
        (
            ("exe", "dll", "sys", "scr", "cpl", "ocx"),
            (
                "application/x-dosexec",
                "application/vnd.microsoft.portable-executable",
                "application/x-msdownload",
            ),
        ),
        (("msi",), ("application/x-msi", "application/x-ole-storage", "application/CDFV2")),
        (
            ("apk",),
            (
                "application/vnd.android.package-archive",
                "application/zip",
                "application/java-archive",
            ),
        ),
        (("sqlite", "sqlite3", "db"), ("application/vnd.sqlite3", "application/x-sqlite3")),
    )
    for ext in exts
}
# Content that is dangerous whatever the name says: flagged under any extension but its own.
EXECUTABLE_MIME = frozenset(
    {
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-mach-binary",
    }
)
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe",
        "dll",
        "sys",
        "scr",
        "cpl",
        "ocx",
        "com",
        "efi",
        "so",
        "bin",
        "elf",
        "drv",
        "mui",
        "node",
        "pyd",
        "ax",
        "tlb",
        "acm",
        "tsp",
        "ime",
        "dylib",
        "o",
        "ko",
        "mun",
    }
)


@dataclass(frozen=True, slots=True)
class FileType:
    """What libmagic says about a file's first bytes."""

    mime: str
    description: str


class FileTyper:
    """One libmagic handle pair per process (libmagic handles are not shared across processes)."""

    def __init__(self) -> None:
        self._mime = magic.Magic(mime=True)
        self._describe = magic.Magic()

    def identify(self, head: bytes) -> FileType:
        """Type of a file from its first bytes (an empty file is ``inode/x-empty``)."""
        if not head:
            return FileType("inode/x-empty", "empty")
        try:
            return FileType(self._mime.from_buffer(head), self._describe.from_buffer(head))
        except magic.MagicException as error:
            return FileType("application/octet-stream", f"libmagic error: {error}")


def extension_mismatch(name: str, mime: str | None) -> bool:
    """True when the name's extension promises a type the content is not."""
    if not mime or "." not in name or mime in ("inode/x-empty", "application/x-empty"):
        return False
    ext = name.rsplit(".", 1)[1].lower()
    if mime in EXECUTABLE_MIME and ext not in EXECUTABLE_EXTENSIONS:
        return True
    expected = EXPECTED_MIME.get(ext)
    return expected is not None and mime not in expected
