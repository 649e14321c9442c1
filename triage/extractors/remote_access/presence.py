"""Remote-access tools present on a device, where no parser reads what they left.

Every folder, program, installer, Android package and unparsed log listed in
:mod:`catalogue` becomes an :class:`ArtifactPresence` row with the file's time, size and (in its
provenance) SHA-256, so that a tool on the device is never left unmentioned even when its logs
cannot be read. Zone.Identifier streams are left to ``remote_access.zone_identifier``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.extractors.base import (
    ExtractionContext,
    Extractor,
    StoredFile,
    glob_to_regex,
    stored_time,
)
from triage.extractors.remote_access.catalogue import PRESENCE_RULES, PresenceRule
from triage.records import ArtifactPresence

KINDS = {"dir": "folder", "file": "file"}


RULE_PATTERNS: tuple[tuple[PresenceRule, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(f"^{glob_to_regex(rule.glob)}$", re.IGNORECASE | re.DOTALL))
    for rule in PRESENCE_RULES
)


def rule_for(file: StoredFile) -> PresenceRule | None:
    """The first catalogue rule a path matches."""
    relative = str(file.path).lstrip("/")
    for rule, pattern in RULE_PATTERNS:
        if pattern.match(relative):
            return rule
    return None


class RemoteAccessPresence(Extractor):
    """Remote-access tools installed or used: folders, programs, installers, Android apps.

    Where: program and data folders of AnyDesk, TeamViewer, RustDesk, UltraViewer, Splashtop,
    ScreenConnect, Supremo, LogMeIn, Zoho Assist, AeroAdmin, Ammyy Admin, Quick Assist, VNC
    variants, Atera, Radmin...; installers in ``Downloads``; Android packages under
    ``data/data`` and ``data/app``. A row per file or folder, with its modification time and
    size (the SHA-256 is in the provenance). Paths: KAPE targets (see :mod:`catalogue`).
    """

    name = "remote_access.presence"
    description = "Remote-access tools present: program folders, installers, Android packages, logs"
    record_types = (ArtifactPresence,)
    patterns = tuple(rule.glob for rule in PRESENCE_RULES)
    priority = 60

    def accepts(self, file: StoredFile, ctx: ExtractionContext) -> bool:
        """Files and folders; not alternate data streams."""
        return file.kind in KINDS and ":" not in file.path.name

    def extract(
        self, files: list[StoredFile], ctx: ExtractionContext
    ) -> Iterator[ArtifactPresence]:
        """One row per matched file or folder."""
        for file in files:
            rule = rule_for(file)
            if rule is None:
                continue
            detail = KINDS[file.kind]
            if file.kind == "file" and file.sha256 is None:
                detail += " (not hashed)"
            if not file.allocated:
                detail += " (deleted)"
            yield ArtifactPresence(
                source=ctx.source_ref(file),
                tool=rule.tool,
                artifact=rule.artifact,
                modified=stored_time(file.modified),
                modified_raw=file.modified,
                size=file.size if file.kind == "file" else None,
                detail=detail,
            )
