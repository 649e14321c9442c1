"""A case: the devices of one investigation, from a folder of evidence or a YAML manifest.

A folder holds one device per item: a file, a folder (extracted file system, iTunes backup) or a
set of pieces that belong together (``x.E01``/``x.E02``..., ``x.001``/``x.002``...), which are
grouped under their first piece. A file that is no container is a one-file device (a router's
``.rsc`` export or ``running-config``, a lone ``calllog.db``, a hive, a log). Only the case's own
papers are skipped (:func:`paperwork`): manifests and notes (``*.yaml``, ``*.yml``, ``*.md``,
``README``/``notes``/``manifest``/``custody``/``hashes`` with any extension), checksum files
(``*.md5``, ``*.sha1``, ``*.sha256``, ...), and an imager's notes on another item
(``laptop.E01.txt``, ``phone.img.log``, ``laptop.E01.csv``); a database's ``-wal``/``-journal``
or a hive's ``.LOG1``/``.LOG2`` beside it is read with it, not as a device of its own. A manifest
names the devices explicitly::

    case: KOL-CYB-2024-0317
    devices:
      - name: laptop-01
        evidence: laptop-01.E01        # relative to the manifest's folder
      - name: phone-03
        evidence: phone-03.tar
        profile: android               # optional; auto by default
        country: IN                    # optional default region for phone numbers

Case-wide defaults sit beside ``devices`` (a device's own keys win; options given on the command
line add to them)::

    country: IN                        # default region for every device's phone numbers
    hashsets:                          # FILE[:known-bad|known-good], relative to the manifest
      - hashes/bad.txt:known-bad
    password: s3cret                   # key of encrypted backups (a device's own wins)

Keys of encrypted volumes (BitLocker, LUKS, APFS, FileVault) go with a device or with the whole
case; a device's own are tried first, then the case's, then those of ``--key``/``--key-file``::

    keys:                              # tried on every locked volume of every device
      - 284867-596541-514998-422114-660297-261613-215424-199408
    key_files: [keys/bitlocker.txt]    # one key a line; relative to the manifest
    devices:
      - name: laptop-03
        evidence: laptop-03.E01
        keys: [keys/3C116B76.BEK, "correct horse"]   # a .BEK path is relative to the manifest
        key_files: [keys/laptop-03.txt]

Key files are read once, here, and keys stay in memory (``repr=False``): no error message,
log or output names a key, only its position (``device 2: keys entry 1 ...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from triage.config import HashSetSpec, device_name
from triage.errors import CaseError, EvidenceError
from triage.evidence.media import split_pieces
from triage.evidence.single_file import COMPANIONS
from triage.evidence.volumes.keys import KeyInputError, missing_bek, read_key_file, unusable

DEVICE_KEYS = {"name", "evidence", "profile", "country", "password", "keys", "key_files"}
CASE_KEYS = {"case", "devices", "country", "hashsets", "password", "keys", "key_files"}
HASHSET_LABELS = ("known-bad", "known-good")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Continuation pieces of multi-file evidence, grouped under their first piece.
EWF_CONTINUATION = re.compile(r"\.(E|Ex|L|S)(0[2-9]|[1-9]\d|[A-Z]{2})$", re.IGNORECASE)


NOTES_SUFFIXES = (".yaml", ".yml", ".md")
NOTES_STEMS = frozenset(
    {"readme", "notes", "note", "manifest", "custody", "chain-of-custody", "chain_of_custody"}
    | {"hashes", "checksums", "md5sums", "sha1sums", "sha256sums"}
)
CHECKSUM_SUFFIXES = (".md5", ".sha1", ".sha256", ".sha512", ".hash")
SIDECAR_SUFFIXES = (".txt", ".log", ".csv", ".info", ".xml")


def paperwork(item: Path, names: set[str]) -> str | None:
    """Why a file of a case folder is the case's papers rather than a device (None: a device).

    ``names`` are the folder's other items, for an imager's notes on one of them.
    """
    lowered = item.name.lower()
    if lowered.endswith(NOTES_SUFFIXES) or lowered.split(".", 1)[0] in NOTES_STEMS:
        return "notes or manifest, not evidence"
    if lowered.endswith(CHECKSUM_SUFFIXES):
        return "checksum file, not evidence"
    if lowered.endswith(".bek"):
        return "BitLocker key file, not evidence"
    stem, dot, _ = item.name.rpartition(".")
    if dot and lowered.endswith(SIDECAR_SUFFIXES) and stem in names:
        return f"acquisition notes on {stem}, not evidence"
    return None


def _companion_of(name: str, lowered: set[str]) -> str | None:
    """The item a ``-wal``/``-journal`` or ``.LOG1``/``.LOG2`` file belongs to, when it is in
    the folder (a one-file device lists them with it); else None."""
    for suffix in (suffix for group in COMPANIONS.values() for suffix in group):
        if name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
            owner = name[: -len(suffix)]
            if owner.lower() in lowered:
                return owner
    return None


def _continues(item: Path, names: set[str]) -> bool:
    """A later EWF segment (``x.E02``, ``x.EAA``) whose first segment lies beside it; a
    ``router.log`` also ends in L + two letters, but no ``router.L01`` goes with it."""
    match = EWF_CONTINUATION.search(item.name)
    if not match:
        return False
    stem = item.name[: match.start()]
    return any(f"{stem}.{kind}{first}".lower() in names for kind, first in _FIRST_SEGMENTS)


_FIRST_SEGMENTS = (("E", "01"), ("Ex", "01"), ("L", "01"), ("Lx", "01"), ("S", "01"))


@dataclass(frozen=True)
class CaseDevice:
    """One device of a case and how to scan it."""

    name: str
    evidence: Path
    profile: str = "auto"
    country: str | None = None
    password: str | None = field(default=None, repr=False)
    keys: tuple[str, ...] = field(default=(), repr=False)  # its own volume keys, tried first


@dataclass(frozen=True)
class Case:
    """The devices to scan, and the items of a case folder that are not devices."""

    name: str
    devices: tuple[CaseDevice, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (item, why)
    source: Path | None = None  # the case folder or manifest
    country: str | None = None  # the manifest's default region for phone numbers
    hashsets: tuple[HashSetSpec, ...] = ()  # the manifest's hash sets
    password: str | None = field(default=None, repr=False)
    keys: tuple[str, ...] = field(default=(), repr=False)  # volume keys for every device


def _hashsets(path: Path, values: object) -> tuple[HashSetSpec, ...]:
    """The manifest's ``hashsets`` list: FILE[:LABEL], files relative to the manifest."""
    if values is None:
        return ()
    if not isinstance(values, list):
        raise CaseError(f"{path}: 'hashsets' is a list of FILE[:known-bad|known-good]")
    specs = []
    for value in values:
        text = str(value)
        file, _, label = text.rpartition(":")
        if label not in HASHSET_LABELS:
            file, label = text, "known-bad"
        specs.append(HashSetSpec((path.parent / file).resolve(), label))
    return tuple(specs)


def _listed(value: object, what: str, origin: str) -> list[object]:
    """A manifest value that is a list (one text is a list of one)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise CaseError(f"{origin}: '{what}' is a list")
    return value


def _keys(folder: Path, entry: dict, origin: str) -> tuple[str, ...]:
    """The ``keys`` then the keys of the ``key_files`` of a device or of the case.

    Errors name the entry by position, never its value: a key is a secret even when it is wrong.
    """
    keys: list[str] = []
    for number, value in enumerate(_listed(entry.get("keys"), "keys", origin), start=1):
        where = f"{origin}: keys entry {number}"
        if not isinstance(value, str):
            raise CaseError(
                f"{where} is not text (YAML read it as a {type(value).__name__}); put it in "
                "quotes so that it stays as written"
            )
        why = unusable(value)
        if why is not None:
            raise CaseError(f"{where} {why}")
        text = value.strip()
        if text.lower().endswith(".bek"):  # relative to the manifest's folder
            missing = missing_bek(text, folder)
            if missing:
                raise CaseError(f"{where} {missing}")
            text = str((folder / text).resolve())
        keys.append(text)
    for number, value in enumerate(_listed(entry.get("key_files"), "key_files", origin), start=1):
        if "\0" in str(value):
            raise CaseError(f"{origin}: key_files entry {number} holds a NUL character")
        path = (folder / str(value)).resolve()
        try:
            keys.extend(read_key_file(path))
        except KeyInputError as error:
            raise CaseError(f"{origin}: key_files: {error}") from None
        except OSError as error:
            raise CaseError(
                f"{origin}: key_files: cannot read {path}: {error.strerror or error}"
            ) from None
    return tuple(keys)


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
        raise CaseError(
            f"{path}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(CASE_KEYS))}"
        )
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
                _keys(path.parent, entry, origin),
            )
        )
    seen: dict[str, str] = {}  # casefolded: PHONE and phone are one folder on exFAT, NTFS, macOS
    for device in devices:
        first = seen.get(device.name.casefold())
        if first is not None:
            raise CaseError(
                f"{path}: device name {device.name!r} is used twice (as {first!r}; output "
                "folder names are compared regardless of case)"
            )
        seen[device.name.casefold()] = device.name
    country = data.get("country")
    return Case(
        str(data.get("case") or path.stem),
        tuple(devices),
        source=path,
        country=str(country).upper() if country else None,
        hashsets=_hashsets(path, data.get("hashsets")),
        password=str(data["password"]) if data.get("password") is not None else None,
        keys=_keys(path.parent, data, str(path)),
    )


def scan_folder(folder: Path, key_files: tuple[Path, ...] = ()) -> Case:
    """One device per item of a folder, multi-piece images grouped under their first piece.

    ``key_files`` (``--key-file``) are the examiner's keys, never a device, wherever they lie.
    """
    own_keys = {key_file.resolve() for key_file in key_files}
    devices: list[CaseDevice] = []
    skipped: list[tuple[str, str]] = []
    used: set[str] = set()
    grouped: set[Path] = set()  # later pieces of split images already found (names sort after)
    items = sorted(folder.iterdir(), key=lambda path: path.name)
    names = {item.name for item in items}
    lowered = {name.lower() for name in names}
    for item in items:
        name = item.name
        if name.startswith("."):
            continue
        papers = paperwork(item, names - {name}) if item.is_file() else None
        if item.resolve() in own_keys:
            papers = "key file given with --key-file, not evidence"
        if papers:
            skipped.append((name, papers))
            continue
        owner = _companion_of(name, lowered)
        if owner and item.is_file():
            skipped.append((name, f"read with {owner}, the database or hive it belongs to"))
            continue
        if item.is_file() and _continues(item, lowered):
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
        # Unique regardless of case: on exFAT, NTFS and macOS drives PHONE and phone are one folder.
        while unique.casefold() in used:
            unique, counter = f"{base}-{counter}", counter + 1
        used.add(unique.casefold())
        devices.append(CaseDevice(unique, item.resolve()))
    if not devices:
        raise CaseError(f"{folder}: no evidence found in the case folder")
    return Case(folder.resolve().name, tuple(devices), tuple(skipped), source=folder)


def load_case(path: Path, key_files: tuple[Path, ...] = ()) -> Case:
    """A case from a manifest file or a folder of evidence (``key_files``: see scan_folder)."""
    if path.is_dir():
        manifests = sorted(path.glob("case.y*ml"))
        return load_manifest(manifests[0]) if manifests else scan_folder(path, key_files)
    if path.is_file() and path.suffix.lower() in (".yaml", ".yml"):
        return load_manifest(path)
    raise CaseError(f"{path}: a case is a folder of evidence or a YAML manifest")
