"""Collect the IdentityFact rows of one source file, with the values they carry made safe.

Every identity parser (registry hives, build.prop, plists, SQLite tables) writes into a
:class:`Facts` bound to one file's provenance: it drops empty values and exact repeats, cleans
hostile text (control characters, overlong strings), normalises phone numbers to E.164 and MAC
addresses to lower-case colon form (the form the router family writes, so a laptop's adapter and
a router's DHCP lease match), and keeps the stored value in ``value_raw`` whenever it changed it.
Parsers also note problems here; the extractor hands them to ``ctx.problem`` with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import phonenumbers

from triage.records import IdentityFact, SourceRef

MAX_VALUE = 4096  # characters kept of one value; longer text is cut and marked
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAC_SEPARATED = re.compile(r"^[0-9a-fA-F]{1,2}([:-])(?:[0-9a-fA-F]{1,2}\1){4}[0-9a-fA-F]{1,2}$")
_MAC_BARE = re.compile(r"^[0-9a-fA-F]{12}$")


def clean_text(value: object, limit: int = MAX_VALUE) -> str | None:
    """Text fit for a record: control characters shown as ``\\xNN``, trimmed, capped; or None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    else:
        text = str(value)
    text = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text).strip()
    if not text:
        return None
    if len(text) > limit:
        text = text[:limit] + f"... [{len(text) - limit} more characters]"
    return text


def details(*parts: object) -> str | None:
    """Non-empty parts joined with "; " (None when all are empty)."""
    text = "; ".join(str(part) for part in parts if part not in (None, ""))
    return text or None


def labelled(label: str, value: object, suffix: str = "") -> str | None:
    """``"label value suffix"``, or None when the value is empty."""
    if value in (None, ""):
        return None
    return f"{label} {value}{suffix}"


def normalise_mac(value: object) -> str | None:
    """A MAC address in lower-case colon form (from text or 6 raw bytes), or None."""
    if isinstance(value, bytes):
        return ":".join(f"{byte:02x}" for byte in value) if len(value) == 6 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _MAC_SEPARATED.match(text):
        return ":".join(part.lower().zfill(2) for part in re.split(r"[:-]", text))
    if _MAC_BARE.match(text):
        return ":".join(text[index : index + 2].lower() for index in range(0, 12, 2))
    return None


def phone_e164(number: str, region: str | None = None) -> str | None:
    """The E.164 form of a device's own number, or None when it cannot be known for sure.

    ``+`` numbers are read as written. A number without ``+`` is read in ``region`` (the SIM's
    country) when that gives a valid number; failing that, Apple's habit of storing its own
    MSISDN with the country code but no ``+`` (``14439877293``) is accepted only when the
    digits form a valid international number. References: phonenumbers "Parsing" docs.
    """
    text = number.strip()
    digits = re.sub(r"[^\d+]", "", text)
    if not digits or len(digits) > 20:
        return None
    candidates: list[tuple[str, str | None]] = []
    if digits.startswith("+"):
        candidates.append((digits, None))
    else:
        if region:
            candidates.append((digits, region.upper()))
        candidates.append(("+" + digits, None))
    for candidate, candidate_region in candidates:
        try:
            parsed = phonenumbers.parse(candidate, candidate_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def number_region(e164: str | None) -> str | None:
    """The ISO country of an E.164 number (``+1 540`` -> US), or None."""
    if not e164:
        return None
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return region if region and region != "ZZ" else None


class Facts:
    """The identity facts and problems of one source file, in the order they were found."""

    def __init__(self, source: SourceRef) -> None:
        self.source = source
        self.items: list[IdentityFact] = []
        self.problems: list[tuple[str, str]] = []  # (message, severity)
        self._seen: set[tuple] = set()

    def add(
        self,
        category: str,
        key: str,
        value: object,
        *,
        time: datetime | None = None,
        time_raw: object = None,
        detail: object = None,
        time_note: str | None = None,
        value_raw: object = None,
    ) -> IdentityFact | None:
        """Record one fact; an empty value or an exact repeat is skipped (returns None)."""
        text = clean_text(value)
        if text is None:
            return None
        raw = clean_text(value_raw)
        fact = IdentityFact(
            source=self.source,
            category=category,
            key=key,
            value=text,
            time=time,
            time_raw=clean_text(time_raw) if time_raw is not None else None,
            detail=clean_text(detail),
            time_note=time_note if time is not None or time_raw is not None else None,
            value_raw=raw if raw != text else None,
        )
        signature = (category, key, text, time, fact.detail)
        if signature in self._seen:
            return None
        self._seen.add(signature)
        self.items.append(fact)
        return fact

    def phone(
        self, key: str, number: object, region: str | None = None, **extra: object
    ) -> IdentityFact | None:
        """Record a phone number as E.164 when that is certain, keeping the stored form."""
        stored = clean_text(number, 256)
        if stored is None:
            return None
        e164 = phone_e164(stored, region)
        return self.add("sim", key, e164 or stored, value_raw=stored, **extra)  # type: ignore[arg-type]

    def mac(self, key: str, value: object, category: str = "network", **extra: object) -> None:
        """Record a MAC address in lower-case colon form; a malformed one is a warning."""
        mac = normalise_mac(value)
        if mac is None:
            if value not in (None, "", b""):
                self.problem(f"{key}: not a MAC address: {clean_text(repr(value), 80)}", "warning")
            return
        if mac == "00:00:00:00:00:00":
            return
        raw = value.hex() if isinstance(value, bytes) else value
        self.add(category, key, mac, value_raw=raw, **extra)  # type: ignore[arg-type]

    def problem(self, message: str, severity: str = "error") -> None:
        """Note a problem with this file; the extractor records it with the file's path."""
        self.problems.append((clean_text(message, 1000) or "problem", severity))

    def __iter__(self) -> Iterator[IdentityFact]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
