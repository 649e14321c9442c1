"""File types from content (a signature table, then libmagic), and extensions that lie about it.

Typing sees the first bytes of every file inside the hashing read, so it costs no extra I/O.
It has two tiers: :func:`triage.sniff.sniff` names the formats an examiner meets most from a
table, in microseconds, with the MIME string libmagic would give; libmagic types the rest.
A type mismatch is flagged only for extensions whose real types are well known (a ``.jpg`` that
is a PE executable, a ``.pdf`` that is a ZIP): flagging every odd text file would bury the ones
that matter.

libmagic is by far the dearest part of a scan of small files: one call walks its ~3,500 top-level
tests and costs 0.3-1 ms on this kind of machine whatever the buffer size (bench/hashing.py),
where reading and hashing a 10 KiB file costs ~40 us. So a file the first tier cannot name costs
one call, for its MIME type; the libmagic description (the ``magic`` column: "PE32 executable
(GUI) Intel 80386...") takes a call of its own and is asked only for the files a report shows
it for: those whose extension lies and executables (:data:`DESCRIBE_ALL` restores it for every
file). Files with the same content (same digest) are typed by libmagic once per worker.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import magic

SNIFF_BYTES = 8192  # the head of a file both tiers see (triage.sniff.SNIFF_BYTES)

DESCRIBE_ALL = False  # True: a libmagic description for every file (one more call per file)
TYPE_CACHE = 16384  # contents (by digest) whose type a worker remembers

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

    def __init__(self, describe_all: bool = DESCRIBE_ALL) -> None:
        # The first tier is imported here, not with this module: its tables cost ~40 ms to load,
        # which only the hashing workers need (the forkserver preloads it for them).
        from triage.sniff import sniff

        self._sniff = sniff
        self._mime = magic.Magic(mime=True)
        self._describe = magic.Magic()
        self._describe_all = describe_all
        # content digest -> (MIME type, description or None when not asked yet)
        self._known: OrderedDict[str, tuple[str, str | None]] = OrderedDict()
        self.signature_typed = 0  # files the first tier named (for the benchmark's shares)
        self.libmagic_typed = 0  # files libmagic typed (not counting those it had cached)

    def identify(self, head: bytes) -> FileType:
        """Type of a file from its first bytes (an empty file is ``inode/x-empty``)."""
        if not head:
            return FileType("inode/x-empty", "empty")
        try:
            return FileType(self._mime.from_buffer(head), self._describe.from_buffer(head))
        except magic.MagicException as error:
            return FileType("application/octet-stream", f"libmagic error: {error}")

    def classify(
        self, head: bytes, name: str, digest: str | None = None
    ) -> tuple[str, str | None, bool]:
        """(MIME type, description or None, extension mismatch) from a file's first bytes.

        The MIME type from the signature table, else one libmagic call; the description (always
        libmagic's) only for a file whose extension lies or that is an executable (or for every
        file with ``describe_all``). ``digest`` (of the whole content) lets files with the same
        content be typed by libmagic once.
        """
        if not head:
            return "inode/x-empty", "empty", False
        known = self._known.get(digest) if digest else None
        asked = False  # whether libmagic gave the MIME type (worth remembering)
        if known is not None:
            self._known.move_to_end(digest)
            mime, description = known
        elif (first := self._sniff(head)) is not None:  # the first tier: no libmagic call
            mime, description = first, None
            self.signature_typed += 1
        else:
            self.libmagic_typed += 1
            asked = True
            try:
                mime, description = self._mime.from_buffer(head), None
            except magic.MagicException as error:
                mime = "application/octet-stream"
                return mime, f"libmagic error: {error}", extension_mismatch(name, mime)
        mismatch = extension_mismatch(name, mime)
        # Whether this file gets a description depends on its own name and type only, never on
        # what the cache holds, so results do not depend on the order files are typed in.
        if not (self._describe_all or mismatch or mime in EXECUTABLE_MIME):
            if digest and asked:
                self._remember(digest, mime, None)
            return mime, None, mismatch
        if description is None:
            try:
                description = self._describe.from_buffer(head)
            except magic.MagicException as error:
                description = f"libmagic error: {error}"
        if digest and known != (mime, description):
            self._remember(digest, mime, description)
        return mime, description, mismatch

    def _remember(self, digest: str, mime: str, description: str | None) -> None:
        self._known[digest] = (mime, description)
        if len(self._known) > TYPE_CACHE:
            self._known.popitem(last=False)


def extension_mismatch(name: str, mime: str | None) -> bool:
    """True when the name's extension promises a type the content is not."""
    if not mime or "." not in name or mime in ("inode/x-empty", "application/x-empty"):
        return False
    ext = name.rsplit(".", 1)[1].lower()
    if mime in EXECUTABLE_MIME and ext not in EXECUTABLE_EXTENSIONS:
        return True
    expected = EXPECTED_MIME.get(ext)
    return expected is not None and mime not in expected
