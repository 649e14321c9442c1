"""normalise_number: one E.164 value per number, however the dialer wrote it; no guessing."""

from __future__ import annotations

import pytest

from triage.extractors.calls.numbers import dialable_part, is_withheld, normalise_number


@pytest.mark.parametrize("written", ["(540) 456-1685", "5404561685", "+1 540-456-1685"])
def test_same_us_number_three_ways_is_one_e164(written):
    assert normalise_number(written, "US") == ("+15404561685", "US")


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("sip:5404561685@sip.voip-cheap.example", "US", ("+15404561685", "US")),
        ("sips:5404561685@host;transport=tls", "US", ("+15404561685", "US")),
        ("5404561685@sip.voip-cheap.example", "US", ("+15404561685", "US")),
        ("tel:+1-540-456-1685;ext=3", None, ("+15404561685", "US")),
        ("<sip:+12125550147@gw.example>", None, ("+12125550147", "US")),
        ("19198887386@s.whatsapp.net", None, ("+19198887386", "US")),
        (b"+15404561685", None, ("+15404561685", "US")),
        ("+91 98765 43210", "US", ("+919876543210", "IN")),
        ("011 44 20 7946 0018", "US", ("+442079460018", "GB")),
        ("00442079460018", "IN", ("+442079460018", "GB")),
        ("us", "US", (None, None)),
    ],
)
def test_uris_jids_and_international_prefixes(raw, region, expected):
    assert normalise_number(raw, region) == expected


@pytest.mark.parametrize(
    "raw", ["private", "PRIVATE", "-1", "-2", "-3", "-4", "anonymous", "sip:anonymous@host", ""]
)
def test_withheld_markers_and_empty_give_no_number(raw):
    assert normalise_number(raw, "US") == (None, None)


def test_withheld_marker_detection():
    assert is_withheld("Private") and is_withheld("-2") and not is_withheld("5404561685")
    assert not is_withheld(None)


def test_national_number_without_region_is_not_guessed():
    assert normalise_number("5404561685", None) == (None, None)
    assert normalise_number("5404561685", "XX") == (None, None)  # unknown region code


def test_number_needs_to_be_valid_in_the_default_region():
    assert normalise_number("911", "US") == (None, None)  # short code
    assert normalise_number("12", "US") == (None, None)


def test_explicit_country_code_is_kept_when_possible_even_if_not_valid():
    # Skype test data number: possible length for Spain, not an assigned range.
    assert normalise_number("+34123456789", None) == ("+34123456789", "ES")
    assert normalise_number("+1 555", None) == (None, None)  # too short to be possible


@pytest.mark.parametrize(
    "raw",
    [
        None,
        123.4,
        "8:live:.cid.5638f9306b7b8594",
        "gen.beringer",
        "<script>alert(1)</script>",
        "\x00\x01\x02",
        "1" * 300,
        "+" + "9" * 5000,
        "friend@example.com",
    ],
)
def test_hostile_and_non_numbers_give_none(raw):
    assert normalise_number(raw, "US") == (None, None)


def test_dialable_part_keeps_only_the_user_part():
    assert dialable_part("sip:1001@pbx.example;user=phone") == "1001"
    assert dialable_part(" tel:+15404561685 ") == "+15404561685"
    assert dialable_part("5404561685") == "5404561685"
