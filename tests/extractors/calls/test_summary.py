"""calls_summary: per-day counts, most-called numbers, countries, first/last call."""

from __future__ import annotations

from triage.extractors.calls.summary import calls_summary, number_key
from triage.store import DeviceStore


class RowsStore:
    """A stand-in store: records(table) gives the rows given."""

    def __init__(self, rows):
        self.rows = rows

    def records(self, table, order="rowid"):
        assert table == "calls"
        return iter(self.rows)


def call(number, e164, direction, started, duration, country="US", app="MicroSIP", name=None):
    return {
        "number": number,
        "number_e164": e164,
        "direction": direction,
        "started": started,
        "duration": duration,
        "country": country,
        "app": app,
        "contact_name": name,
    }


ROWS = [
    call("5404561685", "+15404561685", "outgoing", "2024-03-01T10:02:00Z", 420),
    call("(540) 456-1685", "+15404561685", "outgoing", "2024-03-01T10:30:00.5Z", 60, name="M"),
    call("+1 212-555-0147", "+12125550147", "outgoing", "2024-03-01T11:15:00Z", 95, app="Phone"),
    call("3125550188", "+13125550188", "missed", "2024-03-02T08:00:00Z", 0),
    call("", None, "incoming", "2024-03-02T09:00:00Z", 20, country=None),
    call("+919876543210", "+919876543210", "incoming", "2024-02-29T23:59:59Z", 5, country="IN"),
    call("12", None, "outgoing", None, None, country=None),
]


def test_summary_of_calls():
    result = calls_summary(RowsStore(ROWS))
    assert result["total"] == 7
    assert result["by_direction"] == {"incoming": 2, "missed": 1, "outgoing": 4}
    assert result["by_app"] == {"MicroSIP": 6, "Phone": 1}
    assert result["per_day"] == [
        {"date": "2024-02-29", "calls": 1, "by_direction": {"incoming": 1}, "duration": 5},
        {"date": "2024-03-01", "calls": 3, "by_direction": {"outgoing": 3}, "duration": 575},
        {
            "date": "2024-03-02",
            "calls": 2,
            "by_direction": {"incoming": 1, "missed": 1},
            "duration": 20,
        },
    ]
    top = result["most_called"][0]
    assert top == {
        "number": "+15404561685",
        "country": "US",
        "calls": 2,
        "outgoing": 2,
        "total_duration": 480,
        "first": "2024-03-01T10:02:00Z",
        "last": "2024-03-01T10:30:00.500000Z",
        "names": ["M"],
        "apps": ["MicroSIP"],
    }
    assert [entry["number"] for entry in result["most_called"]] == [
        "+15404561685",
        "+12125550147",
        "12",
    ]
    assert [entry["number"] for entry in result["top_numbers"]][:2] == [
        "+15404561685",
        "+12125550147",
    ]
    assert result["countries"] == {"US": 4, "unknown": 2, "IN": 1}
    assert (result["us_calls"], result["us_numbers"]) == (4, 3)
    assert result["distinct_numbers"] == 5
    assert result["unnormalised_calls"] == 2
    assert (result["first_call"], result["last_call"]) == (
        "2024-02-29T23:59:59Z",
        "2024-03-02T09:00:00Z",
    )


def test_summary_of_empty_store(tmp_path):
    store = DeviceStore(tmp_path / "triage.sqlite")
    try:
        result = calls_summary(store)
    finally:
        store.close()
    assert result["total"] == 0 and result["per_day"] == [] and result["first_call"] is None


def test_number_key_prefers_e164():
    assert number_key({"number_e164": "+15404561685", "number": "5404561685"}) == "+15404561685"
    assert number_key({"number_e164": None, "number": " gen.beringer "}) == "gen.beringer"
    assert number_key({"number_e164": None, "number": None}) == "(no number)"


def test_summary_from_a_scanned_store(calls_scan, build_calls, tmp_path):
    """The demo laptop and phone stores: the story calls lead the most-called lists."""
    laptop = tmp_path / "laptop-01"
    build_calls.populate_windows_laptop(laptop)
    out = calls_scan(laptop, ["microsip.calls"])
    store = DeviceStore(out.output / "triage.sqlite")
    try:
        result = calls_summary(store)
    finally:
        store.close()
    assert result["total"] == 5 and result["us_calls"] == 5 and result["us_numbers"] == 5
    assert result["most_called"][0]["number"] == "+15404561685"
    assert result["most_called"][0]["total_duration"] == 420
    assert (result["first_call"], result["last_call"]) == (
        "2024-03-01T09:31:00Z",
        "2024-03-01T10:46:40Z",
    )
