"""What reading an Apple property list from evidence can raise, for every family that reads them.

Safari history, keyed archives in call databases and iOS/macOS identity plists all parse
hostile plists; one tuple here means a newly found failure mode is caught everywhere at once.
"""

from __future__ import annotations

import plistlib
from xml.parsers.expat import ExpatError

# What plistlib raises on damaged input: a malformed XML plist fails in expat (ExpatError is
# not a ValueError; an unknown encoding="..." is a LookupError), a damaged binary one with bad
# offsets, types or sizes (LookupError covers IndexError and KeyError).
PLIST_DAMAGE: tuple[type[BaseException], ...] = (
    plistlib.InvalidFileException,
    ExpatError,
    ValueError,
    LookupError,
    TypeError,
    OverflowError,
)
