"""The one exception hierarchy of triage, and the exit statuses the CLI maps it to."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit statuses; lab scripts branch on these (README "Exit statuses", ``--help``).

    0, 1, 2, 3 and 130 keep their earlier meanings; 4, 5 and 6 split outcomes that used to
    share 0 or 3: a batch device that could not be scanned (was 3), evidence whose hash differs
    from the acquisition hash (was 3), and ``verify`` with no stored hash to compare (was 0).
    """

    DONE = 0  # everything read, nothing to report
    ERROR = 1  # the evidence is missing or is not evidence triage can read
    USAGE = 2  # bad option, manifest, profile or output folder: nothing was scanned
    DONE_WITH_PROBLEMS = 3  # finished; some items could not be read (the problems table)
    DEVICE_FAILED = 4  # batch: at least one device could not be scanned at all
    EVIDENCE_ALTERED = 5  # scan/verify/batch: the evidence hash differs from the stored one
    NOT_VERIFIED = 6  # verify: no stored hash to compare with (nothing was verified)
    INTERRUPTED = 130  # Ctrl-C; the same command (scan: with --resume) continues


EXIT_HELP = (
    "Exit statuses: 0 done; 1 evidence not found or not evidence; 2 usage error; "
    "3 done with problems (see the report's problems); 4 a device could not be scanned "
    "(batch); 5 evidence altered: hash mismatch (scan, verify, batch); 6 not verified: no "
    "stored hash (verify); 130 interrupted."
)


def worst(statuses: list[ExitStatus]) -> ExitStatus:
    """The status a run of several outcomes ends with: the most serious one."""
    order = (
        ExitStatus.DONE,
        ExitStatus.NOT_VERIFIED,
        ExitStatus.DONE_WITH_PROBLEMS,
        ExitStatus.DEVICE_FAILED,
        ExitStatus.EVIDENCE_ALTERED,
    )
    return max(statuses, key=order.index, default=ExitStatus.DONE)


def verification_status(verification: str | None) -> ExitStatus:
    """The exit status a verification verdict stands for (hashing.verify_stored_hashes)."""
    text = verification or ""
    if text.startswith("MISMATCH"):
        return ExitStatus.EVIDENCE_ALTERED
    if text.startswith("verified"):
        return ExitStatus.DONE
    return ExitStatus.NOT_VERIFIED


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
