"""Profiles: which extractors run on which kind of device, and how a device's kind is detected.

A profile is a YAML file (``profiles/*.yaml``, shipped as package ``triage.profiles``; a lab adds
its own with ``--profiles-dir``, replacing a shipped one of the same name) with these keys::

    name: android                       # required
    description: Android full file system or logical extraction.
    detect: ["**/system/build.prop", "**/data/system/packages.xml"]
    extractors: [android.identity, "chromium.*", "*.calls"]   # required

``extractors`` names extractor ids; globs (``"*"``, ``"chromium.*"``, ``"*.calls"``) may match
nothing (a family not installed), but a plain id must exist. Unknown keys, unknown ids, wrong
types and invalid globs are errors naming the file and the key. ``detect`` markers are globs
over paths in the evidence (case-insensitive, ``**`` for any folders). ``--profile auto`` picks
the profile whose markers the evidence holds, preferring a strong match (two or more markers)
under the shallowest root, and says which markers decided (:func:`detect_profile`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from triage.errors import ProfileError
from triage.extractors import all_extractors
from triage.extractors.base import glob_to_regex

PROFILE_KEYS = {"name", "description", "detect", "extractors"}
GENERIC = "generic"


@dataclass(frozen=True)
class Profile:
    """A named set of extractors and the markers that recognise its kind of device."""

    name: str
    description: str
    detect: tuple[str, ...]
    extractors: tuple[str, ...]  # resolved extractor ids, in registration order
    origin: str  # file it was read from


@dataclass(frozen=True)
class ProfileChoice:
    """The profile a scan runs and why."""

    profile: Profile
    reason: str
    markers: tuple[str, ...]  # the detect markers found in the evidence
    parts: tuple[Profile, ...] = ()  # the profiles a union runs (several devices found)


def _parse(text: str, origin: str, known_ids: Iterable[str]) -> Profile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProfileError(f"{origin}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ProfileError(
            f"{origin}: a profile is a mapping with keys {', '.join(sorted(PROFILE_KEYS))}"
        )
    unknown = sorted(set(data) - PROFILE_KEYS)
    if unknown:
        raise ProfileError(
            f"{origin}: unknown key {unknown[0]!r}; allowed keys are "
            f"{', '.join(sorted(PROFILE_KEYS))}"
        )
    for key in ("name", "extractors"):
        if key not in data:
            raise ProfileError(f"{origin}: missing key {key!r}")
    name = data["name"]
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{origin}: key 'name' must be a non-empty string")
    detect = data.get("detect") or []
    requested = data["extractors"] or []
    for key, value in (("detect", detect), ("extractors", requested)):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ProfileError(f"{origin}: key {key!r} must be a list of strings")
    if not isinstance(data.get("description", ""), str):
        raise ProfileError(f"{origin}: key 'description' must be a string")
    for marker in detect:
        try:
            _marker_regex(marker)
        except re.error as error:
            raise ProfileError(
                f"{origin}: key 'detect' has marker {marker!r}, which is not a valid glob ({error})"
            ) from error
    ids = list(known_ids)
    resolved: list[str] = []
    for entry in requested:
        matched = [ident for ident in ids if fnmatch.fnmatchcase(ident, entry)]
        if not matched and not any(ch in entry for ch in "*?["):
            raise ProfileError(
                f"{origin}: key 'extractors' names unknown extractor {entry!r}; "
                "run 'triage extractors' to list them"
            )
        resolved.extend(ident for ident in matched if ident not in resolved)
    order = {ident: index for index, ident in enumerate(ids)}
    return Profile(
        name,
        str(data.get("description") or ""),
        tuple(detect),
        tuple(sorted(resolved, key=order.__getitem__)),
        origin,
    )


def load_profiles(extra_dir: Path | None = None) -> dict[str, Profile]:
    """Every shipped profile, then a lab's own (which may replace a shipped one by name)."""
    ids = list(all_extractors())
    profiles: dict[str, Profile] = {}
    package = resources.files("triage.profiles")
    for entry in sorted(package.iterdir(), key=lambda item: item.name):
        if entry.name.endswith((".yaml", ".yml")):
            profile = _parse(entry.read_text(encoding="utf-8"), f"profiles/{entry.name}", ids)
            profiles[profile.name] = profile
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ProfileError(f"{extra_dir}: --profiles-dir is not a folder")
        for path in sorted(extra_dir.glob("*.y*ml")):
            profile = _parse(path.read_text(encoding="utf-8"), str(path), ids)
            profiles[profile.name] = profile
    if GENERIC not in profiles:
        raise ProfileError("the generic fallback profile is missing from the installation")
    return profiles


def load_profile(name: str, extra_dir: Path | None = None) -> Profile:
    """One profile by name; a clear error listing the names when it does not exist."""
    profiles = load_profiles(extra_dir)
    if name not in profiles:
        raise ProfileError(f"no profile named {name!r}; choose from {', '.join(sorted(profiles))}")
    return profiles[name]


STRONG = 2  # markers found under one root that make a match "strong"
MAX_ROOTS = 64  # roots remembered per marker (a marker can match in many places)


def _marker_regex(marker: str) -> re.Pattern[str]:
    """A marker glob as a regex whose ``root`` group is the folder its leading ``**/`` matched.

    The lazy repetition makes the first match the shallowest one, so ``root`` is the folder
    that plays the device's file-system root for this marker ("" at the evidence root). A
    marker also matches what lies below it: an archive may list ``private/var/mobile/Library/
    x.db`` without a separate entry for the folder ``private/var/mobile/Library``.
    """
    if marker.startswith("**/"):
        body = glob_to_regex(marker[3:])
        return re.compile(rf"^(?P<root>(?:[^/]*/)*?){body}(?:/.*)?$", re.IGNORECASE | re.DOTALL)
    return re.compile(rf"^(?P<root>){glob_to_regex(marker)}(?:/.*)?$", re.IGNORECASE | re.DOTALL)


class _Prefilter:
    """Cheap test that a path may match some marker: one of its folder or file names must be
    the last name of a marker (a literal, or a glob such as ``*.rsc``). Most paths of an image
    match no marker, and a set lookup per name is far cheaper than the markers' regexes."""

    def __init__(self, markers: Iterable[str]) -> None:
        self.names: set[str] = set()
        globs: list[str] = []
        for marker in markers:
            last = marker.rstrip("/").rsplit("/", 1)[-1]
            if any(char in last for char in "*?["):
                globs.append(fnmatch.translate(last))
            else:
                self.names.add(last.casefold())
        self.glob = re.compile("|".join(globs), re.IGNORECASE) if globs else None

    def __call__(self, path: str) -> bool:
        parts = path.casefold().split("/")
        if not self.names.isdisjoint(parts):
            return True
        return self.glob is not None and any(self.glob.match(part) for part in parts)


@dataclass(frozen=True)
class _Candidate:
    profile: Profile
    root: str  # folder the markers were found under ("" = evidence root)
    markers: tuple[str, ...]  # markers found under that root

    @property
    def depth(self) -> int:
        return self.root.count("/")

    def sort_key(self) -> tuple:
        count = len(self.markers)
        return (
            -min(count, STRONG),
            self.depth,
            -count,
            -count / len(self.profile.detect),
            self.profile.name,
        )

    def describe(self) -> str:
        where = f"under {self.root.rstrip('/')}/" if self.root else "at the evidence root"
        return (
            f"{len(self.markers)} of {len(self.profile.detect)} {self.profile.name} markers {where}"
        )


def detect_profile(paths: Iterable[str], profiles: dict[str, Profile]) -> ProfileChoice:
    """Pick the profile whose markers the evidence holds, and say which markers decided.

    Markers are globs (``**/Windows/System32/config/SYSTEM``); each match also tells *where* the
    device's root is (the folder before the marker). A profile is scored under each such root:

    1. two or more markers under one root (a strong match) beat a single marker;
    2. then the shallower root wins: a laptop's own ``Windows`` folder beats a phone dump or a
       WSL Linux tree copied into its user folders;
    3. then more markers, then the larger share of the profile's markers, then the name.

    No marker found: the ``generic`` profile, which runs every extractor.
    """
    candidates = [
        profile for profile in profiles.values() if profile.detect and profile.name != GENERIC
    ]
    regexes = {
        (profile.name, marker): _marker_regex(marker)
        for profile in candidates
        for marker in profile.detect
    }
    prefilter = _Prefilter(marker for _, marker in regexes)
    roots: dict[tuple[str, str], set[str]] = {}
    for path in paths:
        relative = path.lstrip("/")
        if not prefilter(relative):
            continue
        for key, regex in regexes.items():
            found = roots.setdefault(key, set())
            if len(found) >= MAX_ROOTS:
                continue
            match = regex.match(relative)
            if match:
                found.add(match.group("root"))
    scored: list[_Candidate] = []
    for profile in candidates:
        by_root: dict[str, list[str]] = {}
        for marker in profile.detect:
            for root in roots.get((profile.name, marker), ()):
                by_root.setdefault(root, []).append(marker)
        options = [_Candidate(profile, root, tuple(found)) for root, found in by_root.items()]
        if options:
            scored.append(min(options, key=_Candidate.sort_key))
    if not scored:
        return ProfileChoice(
            profiles[GENERIC], "no profile's markers were found; running every extractor", ()
        )
    scored.sort(key=_Candidate.sort_key)
    chosen = _devices(scored)
    if len(chosen) > 1:
        return _union(chosen)
    best = scored[0]
    runner_up = f"; next best: {scored[1].describe()}" if len(scored) > 1 else ""
    reason = f"{best.describe()}: {', '.join(best.markers)}{runner_up}"
    return ProfileChoice(best.profile, reason, best.markers)


def _claims_tree(profile: Profile) -> bool:
    """Whether a profile describes a whole device (it names one), so that what lies under its
    root is that device's data: a WSL tree or a phone dump in a laptop's user folder."""
    return any(ident.endswith(".identity") for ident in profile.extractors)


def _devices(scored: list[_Candidate]) -> list[_Candidate]:
    """The candidates that are devices of their own, best first.

    The best candidate always; then each other one whose root is neither the root of one
    already chosen (one device per root: an OpenWrt root file system is a router, not also a
    Linux) nor inside the root of a chosen profile that claims its tree (a WSL tree under a
    laptop's ``Users``). So a case folder holding ``phone/`` (Android), ``laptop/`` (Windows)
    and router exports at its top gets all three.
    """
    chosen = [scored[0]]
    for candidate in scored[1:]:
        if any(
            candidate.root == other.root
            or (_claims_tree(other.profile) and candidate.root.startswith(other.root))
            for other in chosen
        ):
            continue
        chosen.append(candidate)
    return chosen


def _union(chosen: list[_Candidate]) -> ProfileChoice:
    """One profile running the union of several profiles' extractors, and why."""
    parts = [candidate.profile for candidate in chosen]
    name = " + ".join(profile.name for profile in parts)
    extractors: list[str] = []
    for profile in parts:
        extractors.extend(ident for ident in profile.extractors if ident not in extractors)
    ranks = {ident: index for index, ident in enumerate(all_extractors())}
    union = Profile(
        name,
        "union of " + ", ".join(profile.name for profile in parts),
        tuple(marker for profile in parts for marker in profile.detect),
        tuple(sorted(extractors, key=lambda ident: ranks.get(ident, len(ranks)))),
        ", ".join(profile.origin for profile in parts),
    )
    reason = f"profiles: {name}, by markers " + "; ".join(
        f"{candidate.describe()}: {', '.join(candidate.markers)}" for candidate in chosen
    )
    markers = tuple(marker for candidate in chosen for marker in candidate.markers)
    return ProfileChoice(union, reason, markers, tuple(parts))
