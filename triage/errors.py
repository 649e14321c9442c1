"""The one exception hierarchy of triage, and the exit statuses the CLI maps it to."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit statuses; lab scripts branch on these."""

    DONE = 0
    ERROR = 1
    USAGE = 2
    DONE_WITH_PROBLEMS = 3
    INTERRUPTED = 130


class TriageError(Exception):
    """Base of every error triage raises on purpose; its message is shown to the user as is."""

    exit_status: ExitStatus = ExitStatus.ERROR


class EvidenceError(TriageError):
    """The evidence cannot be opened as any kind triage knows (missing, unreadable, unknown)."""


class ProfileError(TriageError):
    """A profile file is malformed or names an extractor that does not exist."""

    exit_status = ExitStatus.USAGE


class OutputError(TriageError):
    """The output folder cannot be used (exists without --force, not writable, inside evidence)."""

    exit_status = ExitStatus.USAGE


class HashSetError(TriageError):
    """A hash set file cannot be read or its format is not recognised."""

    exit_status = ExitStatus.USAGE


class CaseError(TriageError):
    """A case folder or manifest is malformed."""

    exit_status = ExitStatus.USAGE
