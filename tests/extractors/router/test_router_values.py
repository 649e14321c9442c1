"""MAC, IP and secret normalisation; router time rules; the family's registration contract."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage.extractors import all_extractors
from triage.extractors.router import EXTRACTORS
from triage.extractors.router.normalise import (
    interface_address,
    mac_from_client_id,
    masked_secret,
    normalise_mac,
)
from triage.extractors.router.times import build, yearless
from triage.records import RouterFact


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("00:1A:2B:3C:4D:5E", "00:1a:2b:3c:4d:5e"),
        ("00-1a-2b-3c-4d-5e", "00:1a:2b:3c:4d:5e"),
        ("001a.2b3c.4d5e", "00:1a:2b:3c:4d:5e"),
        ("001a-2b3c-4d5e", "00:1a:2b:3c:4d:5e"),
        ("001A2B3C4D5E", "00:1a:2b:3c:4d:5e"),
        ("0:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5e"),
        ("00:1a:2b:3c:4d", None),
        ("Incomplete", None),
        ("", None),
    ],
)
def test_normalise_mac(written, expected):
    assert normalise_mac(written) == expected


def test_client_ids_and_addresses():
    assert mac_from_client_id("0100.1a2b.3c4d.5e") == "00:1a:2b:3c:4d:5e"
    assert mac_from_client_id("01:00:1a:2b:3c:4d:5e") == "00:1a:2b:3c:4d:5e"
    assert mac_from_client_id("1:0:1a:2b:3c:4d:5e") == "00:1a:2b:3c:4d:5e"
    assert mac_from_client_id("ff:b5:5e:67:ff:00:02:00:00:ab:11") is None
    assert interface_address("192.168.1.1", "255.255.255.0") == ("192.168.1.1", "192.168.1.1/24")
    assert interface_address("10.0.0.1/8") == ("10.0.0.1", "10.0.0.1/8")
    assert interface_address("dhcp") is None


def test_masked_secret_never_shows_the_secret():
    assert masked_secret("Fict1ve-PPPoE-Pass") == "set (sha256:22ddea762115a9a3)"
    assert masked_secret("") == "empty"
    assert masked_secret(None) == "empty"


def test_time_rules():
    assert build(2024, 3, 1, "09:50:01", "UTC") == (
        datetime(2024, 3, 1, 9, 50, 1, tzinfo=UTC),
        None,
    )
    assert build(2024, 3, 1, "09:50:01", "+05:30")[0] == datetime(2024, 3, 1, 4, 20, 1, tzinfo=UTC)
    assert build(2024, 3, 1, "09:50:01", "IST") == (
        None,
        "time zone 'IST' is ambiguous; not converted",
    )
    assert build(2024, 2, 30, "09:50:01") == (None, "invalid date")
    assert yearless(3, 1, "09:50:01", None) == (
        None,
        "timestamp has no year and the file has no modification time; not dated",
    )
    mtime = datetime(2024, 3, 2, tzinfo=UTC)
    assert yearless(3, 1, "09:50:01", mtime)[0] == datetime(2024, 3, 1, 9, 50, 1, tzinfo=UTC)
    assert yearless(12, 31, "23:00:00", mtime)[0] == datetime(2023, 12, 31, 23, tzinfo=UTC)


def test_family_registration_contract():
    registry = all_extractors()
    names = [cls.name for cls in EXTRACTORS]
    assert names == [
        "router.openwrt",
        "router.dnsmasq_leases",
        "router.mikrotik",
        "router.cisco",
        "router.junos",
        "router.procurve",
        "router.fortinet",
        "router.syslog",
    ]
    for cls in EXTRACTORS:
        assert registry[cls.name] is cls
        assert cls.record_types == (RouterFact,)
        assert cls.patterns and cls.description and cls.__doc__
        assert cls.__module__.startswith("triage.extractors.router.")
