"""The frozen configuration of one device scan, built by the CLI (or a batch) and passed down."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from triage.hashing import ALGORITHMS

# Suffixes stripped to name a device after its evidence: laptop-01.E01 -> laptop-01.
EVIDENCE_SUFFIXES = re.compile(
    r"(\.(tar|tgz|tar\.gz|tar\.bz2|tar\.xz|zip|e01|ex01|dd|raw|img|bin|iso|vmdk|vhdx?|qcow2?|"
    r"00[01]|aa|rsc|backup))+$",
    re.IGNORECASE,
)


def device_name(evidence: Path) -> str:
    """A device's default name from its evidence path (suffixes of image formats removed)."""
    name = evidence.name or evidence.resolve().name
    stripped = EVIDENCE_SUFFIXES.sub("", name)
    return stripped or name


@dataclass(frozen=True)
class HashSetSpec:
    """A hash set given with ``--hashset PATH[:LABEL]``."""

    path: Path
    label: str  # known-bad or known-good


@dataclass(frozen=True)
class ScanConfig:
    """Everything one scan needs; frozen so that stages cannot change it under each other."""

    evidence: Path
    output: Path
    name: str
    jobs: int = 1
    algorithms: tuple[str, ...] = ALGORITHMS
    hash_files: bool = True
    hash_evidence: bool = True
    type_files: bool = True
    extract: bool = True
    profile: str = "auto"
    profiles_dir: Path | None = None
    hashsets: tuple[HashSetSpec, ...] = ()
    hide_known_good: bool = False
    password: str | None = field(default=None, repr=False)
    keys: tuple[str, ...] = field(default=(), repr=False)  # --key/--key-file: never written
    vss: bool = True  # walk Volume Shadow Copies (--no-vss)
    country: str | None = None  # default region for phone numbers without a country code
    recover: bool = True  # recover deleted SQLite rows (old pages, WAL, journal, free space)
    force: bool = False
    resume: bool = False
    command_line: str = ""
    case: str | None = None  # the case a batch scans the device for (its page links back)

    @property
    def hashes_in_workers(self) -> bool:
        """Whether hashing goes to worker processes (more than one job, something to hash)."""
        return self.jobs > 1 and (self.hash_files or self.hash_evidence)
