from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.timecode import format_ms, parse_timecode, seconds


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("00:01:02.500", 62500),
        ("01:02.5", 62500),
        ("1:02", 62000),
        ("62.5", 62500),
        (62, 62000),
        (62.25, 62250),
        ("10:00:00.001", 36_000_001),
        ("0", 0),
    ],
)
def test_parse(text: object, ms: int) -> None:
    assert parse_timecode(text).ms == ms


def test_frames_resolve_at_the_source_rate() -> None:
    tc = parse_timecode("00:00:10:12")
    assert (tc.ms, tc.frames) == (10_000, 12)
    assert tc.to_ms(Fraction(25)) == 10_480
    assert tc.to_ms(Fraction(30000, 1001)) == 10_400


@pytest.mark.parametrize("bad", ["00:01:0x", "1:2:3:4:5", "-1", "", "00:61:00", True, None, [1]])
def test_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="is not a timecode"):
        parse_timecode(bad)


def test_message_names_value_and_format() -> None:
    with pytest.raises(ValueError) as e:
        parse_timecode("00:01:0x")
    assert str(e.value) == (
        "'00:01:0x' is not a timecode (expected HH:MM:SS.mmm, MM:SS.mmm, seconds or HH:MM:SS:FF)"
    )


@given(st.integers(min_value=0, max_value=100 * 3_600_000))
def test_round_trip(ms: int) -> None:
    assert parse_timecode(format_ms(ms)).ms == ms
    assert parse_timecode(seconds(ms)).ms == ms
