"""Phone numbers as call logs store them, normalised to E.164 with Google's libphonenumber.

Call logs keep numbers however the dialer saw them: ``(540) 456-1685``, ``5404561685``,
``+1 540-456-1685``, ``sip:5404561685@host``, ``tel:+15404561685``, a WhatsApp JID, or a marker
for a withheld caller (Android writes ``-1``/``-2``/``-3``/``-4`` for unknown, private, payphone
and restricted presentation in old releases, ``private``/``anonymous`` appear in SIP logs).
:func:`normalise_number` turns each into one E.164 string so the same victim number matches
across a laptop's softphone and a phone's call log.

Rules (no guessing, per the ``phonenumbers`` documentation, "Parsing" and "Validation"):

- a number written with its country code (``+``, or ``00``/IDD of the default region) is
  normalised when it is *possible* for that country (right length), since nothing is assumed;
- a national number is read in the default region only when the result is a *valid* number
  there; otherwise no E.164 is given (a short code, an extension, garbage);
- without a default region a national number stays un-normalised.
"""

from __future__ import annotations

import re

import phonenumbers

# Presentation markers that stand for "no number" rather than a number (AOSP
# CallerInfo/PhoneNumberUtils: "-1" unknown, "-2" private, "-3" payphone, "-4" restricted;
# SIP user agents: "anonymous", "private", "unknown", "restricted", "withheld").
WITHHELD_MARKERS = frozenset(
    {
        "-1",
        "-2",
        "-3",
        "-4",
        "private",
        "private number",
        "anonymous",
        "unknown",
        "restricted",
        "withheld",
        "payphone",
        "unavailable",
    }
)
MAX_NUMBER_TEXT = 256  # longer text is not a phone number; phonenumbers refuses > 250 anyway

_URI_SCHEME = re.compile(r"^(?:sips?|tel|callto|facetime|facetime-audio):", re.IGNORECASE)
_JID_SERVERS = re.compile(r"@(?:s\.whatsapp\.net|c\.us)$", re.IGNORECASE)


def is_withheld(raw: object) -> bool:
    """Whether a stored value is a withheld-number marker rather than a number."""
    if raw is None:
        return False
    text = _text(raw)
    return text is not None and text.strip().lower() in WITHHELD_MARKERS


def dialable_part(raw: str) -> str:
    """The part of a stored address that can be a number: URI user part, no parameters.

    ``sip:5404561685@sip.example;user=phone`` -> ``5404561685``; ``tel:+1-540-456-1685;ext=2``
    -> ``+1-540-456-1685``; a WhatsApp JID ``19198887386@s.whatsapp.net`` -> ``+19198887386``
    (a JID's user part is the full international number without ``+``).
    """
    text = raw.strip().strip("<>").strip()
    if _JID_SERVERS.search(text):
        user = text.split("@", 1)[0]
        return f"+{user}" if user.isdigit() else user
    had_scheme = bool(_URI_SCHEME.match(text))
    text = _URI_SCHEME.sub("", text, count=1)
    if had_scheme or "@" in text:
        text = text.split("@", 1)[0]
    text = text.split(";", 1)[0]
    return text.strip()


def normalise_number(raw: object, default_region: str | None) -> tuple[str | None, str | None]:
    """``(E.164, ISO region)`` for a stored number, ``(None, None)`` when it is not one.

    ``default_region`` is the ISO 3166 code of the device's country, used only for numbers
    written without their country code. The region is the number's own country (``US`` for
    ``+15404561685``), given even when the number is possible but not valid.
    """
    text = _text(raw)
    if text is None:
        return None, None
    text = text.strip()
    if not text or len(text) > MAX_NUMBER_TEXT or text.lower() in WITHHELD_MARKERS:
        return None, None
    candidate = dialable_part(text)
    if not candidate or candidate.lower() in WITHHELD_MARKERS:
        return None, None
    if not any(char.isdigit() for char in candidate):
        return None, None
    region = default_region.upper() if default_region else None
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        region = None
    try:
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None, None
    explicit = number.country_code_source in (
        phonenumbers.CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN,
        phonenumbers.CountryCodeSource.FROM_NUMBER_WITH_IDD,
    )
    number_region = phonenumbers.region_code_for_number(number) or _only_region(number.country_code)
    if explicit and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), (
            number_region
        )
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), (
            number_region
        )
    return None, None


def _only_region(country_code: int) -> str | None:
    """The region of a calling code when exactly one country uses it (44 -> GB, 1 -> none)."""
    regions = phonenumbers.region_codes_for_country_code(country_code)
    if len(regions) == 1 and regions[0] != phonenumbers.UNKNOWN_REGION:
        return regions[0]
    return None


def _text(raw: object) -> str | None:
    """A stored value as text: str as is, bytes decoded (iOS keeps ZADDRESS as a BLOB)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return bytes(raw).decode("utf-8", "replace").strip("\x00")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    return None
