"""A case: the devices of one investigation, from a folder of evidence or a YAML manifest.

A folder holds one device per item: a file, a folder (extracted file system, iTunes backup) or a
set of pieces that belong together (``x.E01``/``x.E02``..., ``x.001``/``x.002``...), which are
grouped under their first piece. A manifest names the devices explicitly::

    case: KOL-CYB-2024-0317
    devices:
      - name: laptop-01
        evidence: laptop-01.E01        # relative to the manifest's folder
      - name: phone-03
        evidence: phone-03.tar
        profile: android               # optional; auto by default
        country: IN                    # optional default region for phone numbers
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from triage.config import device_name
from triage.errors import CaseError, EvidenceError
from triage.evidence.media import split_pieces

DEVICE_KEYS = {"name", "evidence", "profile", "country", "password"}
CASE_KEYS = {"case", "devices"}
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Continuation pieces of multi-file evidence, grouped under their first piece.
EWF_CONTINUATION = re.compile(r"\.(E|Ex|L|S)(0[2-9]|[1-9]\d|[A-Z]{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class CaseDevice:
    """One device of a case and how to scan it."""

    name: str
    evidence: Path
    profile: str = "auto"
    country: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Case:
    """The devices to scan, and the items of a case folder that are not devices."""

    name: str
    devices: tuple[CaseDevice, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (item, why)


def _check_name(name: str, origin: str) -> str:
    if not SAFE_NAME.match(name):
        raise CaseError(
            f"{origin}: device name {name!r} must be letters, digits, '.', '_' or "
            "'-' (it becomes a folder name)"
        )
    return name


def load_manifest(path: Path) -> Case:
    """Read a case manifest; every error names the file and the entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CaseError(f"{path}: cannot read the case manifest: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("devices"), list):
        raise CaseError(f"{path}: a case manifest is a mapping with 'case' and a 'devices' list")
    unknown = sorted(set(data) - CASE_KEYS)
    if unknown:
        raise CaseError(f"{path}: unknown key {unknown[0]!r}; allowed: case, devices")
    devices: list[CaseDevice] = []
    for index, entry in enumerate(data["devices"], start=1):
        origin = f"{path}: device {index}"
        if not isinstance(entry, dict) or "evidence" not in entry:
            raise CaseError(f"{origin}: each device needs at least 'evidence'")
        extra = sorted(set(entry) - DEVICE_KEYS)
        if extra:
            raise CaseError(
                f"{origin}: unknown key {extra[0]!r}; allowed: {', '.join(sorted(DEVICE_KEYS))}"
            )
        evidence = (path.parent / str(entry["evidence"])).resolve()
        name = _check_name(str(entry.get("name") or device_name(evidence)), origin)
        devices.append(
            CaseDevice(
                name,
                evidence,
                str(entry.get("profile") or "auto"),
                entry.get("country"),
                entry.get("password"),
            )
        )
    names = [device.name for device in devices]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise CaseError(f"{path}: device name {duplicate!r} is used twice")
    return Case(str(data.get("case") or path.stem), tuple(devices))


def scan_folder(folder: Path) -> Case:
    """One device per item of a folder, multi-piece images grouped under their first piece."""
    devices: list[CaseDevice] = []
    skipped: list[tuple[str, str]] = []
    used: set[str] = set()
    grouped: set[Path] = set()  # later pieces of split images already found (names sort after)
    for item in sorted(folder.iterdir(), key=lambda path: path.name):
        name = item.name
        if name.startswith("."):
            continue
        if item.is_file() and item.suffix.lower() in (".yaml", ".yml", ".md", ".txt", ".log"):
            skipped.append((name, "notes or manifest, not evidence"))
            continue
        if item.is_file() and EWF_CONTINUATION.search(name):
            skipped.append((name, "continuation segment, scanned with its first segment"))
            continue
        if item in grouped:
            skipped.append((name, "split-image piece, scanned with its first piece"))
            continue
        if item.is_file():  # split_pieces reads the folder only for split-image names
            try:  # a piece missing is scanned and reported (issue 15), not skipped
                found = split_pieces(item)
                pieces = tuple(piece for piece in found[0] if piece is not None) if found else None
            except EvidenceError as error:
                skipped.append((name, str(error)))
                continue
            if pieces and item != pieces[0]:
                skipped.append((name, "split-image piece, scanned with its first piece"))
                continue
            grouped.update(pieces[1:] if pieces else ())
        base = device_name(item)
        if not SAFE_NAME.match(base):
            base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip("._-")[:100] or "device"
        unique, counter = base, 2
        while unique in used:
            unique, counter = f"{base}-{counter}", counter + 1
        used.add(unique)
        devices.append(CaseDevice(unique, item.resolve()))
    if not devices:
        raise CaseError(f"{folder}: no evidence found in the case folder")
    return Case(folder.resolve().name, tuple(devices), tuple(skipped))


def load_case(path: Path) -> Case:
    """A case from a manifest file or a folder of evidence."""
    if path.is_dir():
        manifests = sorted(path.glob("case.y*ml"))
        return load_manifest(manifests[0]) if manifests else scan_folder(path)
    if path.is_file() and path.suffix.lower() in (".yaml", ".yml"):
        return load_manifest(path)
    raise CaseError(f"{path}: a case is a folder of evidence or a YAML manifest")
