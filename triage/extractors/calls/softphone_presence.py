"""Files that show a Windows softphone or calling app is installed, where no parser reads them.

Call-centre laptops place their calls through softphones. MicroSIP and Skype have parsers;
the others' call-history formats are not publicly documented (ARTIFACTS.md "Windows softphones"
table: Zoiper 5, 3CX, CounterPath Bria/X-Lite/eyeBeam, Microsoft Phone Link's ``calling.db``
whose tables are unverified), so each of their files is listed as an
:class:`~triage.records.ArtifactPresence` with its size and modification time, for the
examiner to open by hand. MicroSIP's log and contact list are listed too: they are not call
records but show the tool was used. Locations: ARTIFACTS.md (MicroSIP ``settings.cpp``: log in
``%LOCALAPPDATA%\\MicroSIP``, ``Contacts.xml`` beside the ini; Phone Link path from KAPE
``WindowsYourPhone.tkape``); the Zoiper, 3CX and CounterPath folders are the vendors' usual
``%APPDATA%`` folders, marked unverified there, hence only listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from triage.extractors.base import (
    ExtractionContext,
    Extractor,
    StoredFile,
    path_matches,
    stored_time,
)
from triage.records import ArtifactPresence

PHONE_LINK = "**/Packages/Microsoft.YourPhone_8wekyb3d8bbwe/LocalCache/Indexed/*/System/Database"
UNDOCUMENTED = "call history format not publicly documented; review by hand"

# (tool, artifact, globs, detail)
KNOWN_FILES: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    (
        "Zoiper",
        "Zoiper profile file",
        (
            "**/AppData/Roaming/Zoiper5/*",
            "**/AppData/Roaming/Zoiper/*",
            "**/Application Data/Zoiper/*",
            "**/Library/Application Support/Zoiper5/*",
        ),
        UNDOCUMENTED,
    ),
    ("Zoiper", "program", ("**/Zoiper5/Zoiper5.exe", "**/Zoiper/Zoiper.exe"), None),
    (
        "3CX",
        "3CX client file",
        (
            "**/AppData/Roaming/3CXPhone for Windows/*",
            "**/AppData/Roaming/3CXDesktopApp/*",
            "**/AppData/Local/3CXDesktopApp/*",
        ),
        UNDOCUMENTED,
    ),
    (
        "3CX",
        "program",
        (
            "**/3CXDesktopApp/3CXDesktopApp.exe",
            "**/3CXPhone for Windows/3CXWin8Phone.exe",
        ),
        None,
    ),
    (
        "CounterPath Bria/X-Lite/eyeBeam",
        "CounterPath profile file",
        (
            "**/AppData/Roaming/CounterPath/**",
            "**/AppData/Local/CounterPath/**",
            "**/Application Data/CounterPath/**",
        ),
        UNDOCUMENTED,
    ),
    (
        "Microsoft Phone Link",
        "calling database",
        (f"{PHONE_LINK}/calling.db",),
        "calls relayed from a paired phone; table layout unverified, review by hand",
    ),
    (
        "Microsoft Phone Link",
        "contacts database",
        (f"{PHONE_LINK}/contacts.db",),
        "contacts of the paired phone; review by hand",
    ),
    (
        "MicroSIP",
        "log file",
        ("**/AppData/Local/MicroSIP/microsip_log.txt", "**/MicroSIP/microsip_log.txt"),
        "SIP signalling log: REGISTER/INVITE lines name the dialled numbers and server",
    ),
    ("MicroSIP", "contact list", ("**/MicroSIP/Contacts.xml",), None),
)
ALL_PATTERNS: tuple[str, ...] = tuple(
    pattern for _tool, _artifact, globs, _detail in KNOWN_FILES for pattern in globs
)


class SoftphonePresence(Extractor):
    """Presence of softphones and calling apps whose history triage cannot parse."""

    name: ClassVar[str] = "softphone.presence"
    description: ClassVar[str] = "Zoiper, 3CX, Bria/X-Lite, Phone Link and MicroSIP files"
    record_types: ClassVar[tuple[type, ...]] = (ArtifactPresence,)
    patterns: ClassVar[tuple[str, ...]] = ALL_PATTERNS

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[ArtifactPresence]:
        """One record per file, named after the first entry of ``KNOWN_FILES`` it matches."""
        for file in files:
            for tool, artifact, globs, detail in KNOWN_FILES:
                if path_matches(globs, file.path):
                    yield ArtifactPresence(
                        source=ctx.source_ref(file),
                        tool=tool,
                        artifact=artifact,
                        modified=stored_time(file.modified),
                        modified_raw=file.modified,
                        size=file.size,
                        detail=detail if file.allocated else _deleted(detail),
                    )
                    break


def _deleted(detail: str | None) -> str:
    return f"deleted file; {detail}" if detail else "deleted file"
