"""The walk's memoised time text is exactly what formatting a datetime gives."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from triage.timestamps import UNIX_EPOCH, EpochText, format_utc, parse_utc


def reference(seconds: int, nanos: int) -> str | None:
    """The slow path: a datetime, then format_utc (None past year 9999 or before year 1)."""
    try:
        return format_utc(UNIX_EPOCH + timedelta(0, seconds, nanos // 1000))
    except OverflowError:
        return None


def test_known_values():
    text = EpochText()
    assert text(1_700_000_000, 123_456_789) == "2023-11-14T22:13:20.123456Z"
    assert text(1_700_000_000, 999) == "2023-11-14T22:13:20Z"  # under a microsecond: dropped
    assert text(-5, 500_000_000) == "1969-12-31T23:59:55.500000Z"
    assert text(253_402_300_799, 999_999_999) == "9999-12-31T23:59:59.999999Z"
    assert text(253_402_300_800) is None  # year 10000
    assert text(10**15) is None
    assert parse_utc(text(1_700_000_000, 5_000)) == UNIX_EPOCH + timedelta(0, 1_700_000_000, 5)


@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.integers(-70_000_000_000, 260_000_000_000),
                st.integers(1_500_000_000, 1_500_000_010),  # repeated seconds hit the memo
            ),
            st.one_of(st.integers(0, 999_999_999), st.integers(-(2**63), 2**63)),
        ),
        max_size=40,
    )
)
def test_equals_the_datetime_path_memo_or_not(values):
    text = EpochText(memo=4)  # a tiny memo: it fills and is forgotten during the test
    for seconds, nanos in values:
        assert text(seconds, nanos) == reference(seconds, nanos)


def test_garbage_nanoseconds_carry_back_into_range():
    """Year 10000 less a nanosecond is still a time (Hypothesis found the memo path said None)."""
    assert EpochText()(253_402_300_800, -1) == "9999-12-31T23:59:59.999999Z"
