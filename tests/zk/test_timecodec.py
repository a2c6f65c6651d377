"""The terminal's time encodings."""

from datetime import datetime

from hypothesis import given, strategies as st
import pytest

from custom_components.devicehub.zk.timecodec import (
    TimeDecoder,
    decode_event_time,
    decode_time,
    encode_time,
)


def test_known_value() -> None:
    """2018-12-07 19:09:06 packs to the value real terminals send."""
    when = datetime(2018, 12, 7, 19, 9, 6)
    raw = encode_time(when)
    assert raw == ((18 * 12 + 11) * 31 + 6) * 86400 + (19 * 60 + 9) * 60 + 6
    assert decode_time(raw) == when


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)))
def test_round_trip(when: datetime) -> None:
    """Every representable time survives encode then decode (to the second)."""
    assert decode_time(encode_time(when)) == when.replace(microsecond=0)


def test_invalid_dates_decode_to_none_and_are_cached() -> None:
    """31 February is not a date, every time; valid days keep decoding."""
    raw = ((24 * 12 + 1) * 31 + 30) * 86400  # 2024, month index 1 (Feb), day 31
    decoder = TimeDecoder()
    assert decoder.decode(raw) is None
    assert decoder.decode(raw) is None
    assert decoder.decode(raw + 1) is None
    valid = encode_time(datetime(2024, 3, 1, 8, 0, 0))
    assert decoder.decode(valid) == datetime(2024, 3, 1, 8, 0, 0)
    assert decoder.decode(valid + 61) == datetime(2024, 3, 1, 8, 1, 1)


@given(st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_any_u32_decodes_or_is_none(raw: int) -> None:
    """No u32 makes the decoder raise; valid ones re-encode to themselves (years < 2100)."""
    when = decode_time(raw)
    if when is not None and when.year <= 2099:
        assert encode_time(when) == raw


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (datetime(1999, 12, 31), "outside"),
        (datetime(2100, 1, 1), "outside"),
        (datetime(2024, 1, 1, tzinfo=datetime.now().astimezone().tzinfo), "naive"),
    ],
)
def test_encode_rejects(when: datetime, problem: str) -> None:
    """Times the terminal cannot hold are refused."""
    with pytest.raises(ValueError, match=problem):
        encode_time(when)


def test_event_time() -> None:
    """The 6-byte event time; impossible or short values are None."""
    assert decode_event_time(bytes([18, 12, 7, 19, 9, 6])) == datetime(2018, 12, 7, 19, 9, 6)
    assert decode_event_time(bytes([24, 2, 30, 0, 0, 0])) is None
    assert decode_event_time(bytes([24, 2, 3, 0, 0])) is None
