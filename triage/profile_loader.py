"""Profiles: which extractors run on which kind of device, and how a device's kind is detected.

A profile is a YAML file (``profiles/*.yaml``, shipped as package ``triage.profiles``; a lab adds
its own with ``--profiles-dir``) with exactly these keys::

    name: android
    description: Android full file system or logical extraction.
    detect: ["**/system/build.prop", "**/data/com.android.providers.contacts"]
    extractors: [android.call_log, chromium.history]

``extractors`` names extractor ids (``"*"`` and ``"chromium.*"`` globs allowed; a plain id
must exist); unknown keys or ids are errors naming the file and the key. ``--profile auto``
scores every profile by how many of its ``detect`` markers exist in the evidence and says which
markers decided.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from triage.errors import ProfileError
from triage.extractors import all_extractors
from triage.extractors.base import compile_patterns

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


def detect_profile(paths: Iterable[str], profiles: dict[str, Profile]) -> ProfileChoice:
    """Pick the profile with most detect markers present; ties go to the more specific one."""
    candidates = [
        profile for profile in profiles.values() if profile.detect and profile.name != GENERIC
    ]
    matchers = {
        (profile.name, marker): compile_patterns((marker,))
        for profile in candidates
        for marker in profile.detect
    }
    found: set[tuple[str, str]] = set()
    for path in paths:
        relative = path.lstrip("/")
        for key, regex in matchers.items():
            if key not in found and regex.match(relative):
                found.add(key)
        if len(found) == len(matchers):
            break
    scores = []
    for profile in candidates:
        markers = tuple(marker for marker in profile.detect if (profile.name, marker) in found)
        if markers:
            scores.append((len(markers) / len(profile.detect), len(markers), profile, markers))
    if not scores:
        return ProfileChoice(
            profiles[GENERIC], "no profile's markers were found; running every extractor", ()
        )
    scores.sort(key=lambda item: (-item[0], -item[1], item[2].name))
    _, _, best, markers = scores[0]
    runner_up = (
        f"; next best {scores[1][2].name} ({len(scores[1][3])} of {len(scores[1][2].detect)})"
        if len(scores) > 1
        else ""
    )
    reason = (
        f"{len(markers)} of {len(best.detect)} {best.name} markers found: "
        f"{', '.join(markers)}{runner_up}"
    )
    return ProfileChoice(best, reason, markers)
