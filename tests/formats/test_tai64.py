"""The TAI64N codec: labels as daemontools writes and reads them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logwarden.formats import tai64


def test_known_label_from_the_qmail_documentation() -> None:
    """``@4000000038c3eeb027f41c7c`` is 2000-03-06 17:45:10.670309500 UTC."""
    parsed = tai64.parse_digits(b"@4000000038c3eeb027f41c7c new msg 93869", 1)
    assert parsed.end == 25
    assert tai64.to_unix(parsed.label) == (952364710, 670309500)


def test_labels_are_unix_time_plus_the_constant() -> None:
    """No leap-second table: 2**62 + 10 added, nanoseconds = 1000 * usec + 500."""
    assert tai64.TAI64_OFFSET == 2**62 + 10
    assert tai64.encode(tai64.from_unix(0, 0)) == b"@400000000000000a000001f4"
    assert tai64.label_for_unix_ns(1_700_000_000_123_456_789) == tai64.encode(
        tai64.Tai64n(1_700_000_000 + 2**62 + 10, 123_456_500)
    )


@given(st.integers(0, 2**40), st.integers(0, 999_999))
def test_round_trip(seconds: int, micros: int) -> None:
    """Encoding then reading back gives the same Unix time, in the middle of its microsecond."""
    label = tai64.encode(tai64.from_unix(seconds, micros))
    assert len(label) == tai64.LABEL_LENGTH
    parsed = tai64.parse_digits(label, 1)
    assert parsed.end == len(label)
    assert tai64.to_unix(parsed.label) == (seconds, micros * 1000 + 500)


def test_digits_stop_at_the_first_non_hex_byte() -> None:
    """Upper case, a space, anything but ``0-9a-f`` ends the label."""
    assert tai64.parse_digits(b"@abcX", 1) == tai64.Parsed(tai64.Tai64n(0, 0xABC), 4)
    assert tai64.parse_digits(b"@ABC", 1).end == 1
    assert tai64.parse_digits(b"@", 1) == tai64.Parsed(tai64.Tai64n(0, 0), 1)
    assert tai64.hex_digit_count(b"@0123456789abcdefg", 1) == 16


def test_more_than_24_digits_shift_the_oldest_out() -> None:
    """The register is 96 bits: a 25th digit pushes the first one out of the top."""
    parsed = tai64.parse_digits(b"@1" + b"0" * 23 + b"7", 1)
    assert parsed.label == tai64.Tai64n(0, 7)


def test_to_unix_wraps_like_a_signed_time_t() -> None:
    """Seconds below the constant come out negative, as C's signed arithmetic gives."""
    assert tai64.to_unix(tai64.Tai64n(0, 0)) == (-(2**62) - 10, 0)
    assert tai64.to_unix(tai64.Tai64n(2**64 - 1, 1))[0] == -1 - 2**62 - 10
