"""TAI64 and TAI64N labels, as daemontools writes and reads them.

A TAI64N label is ``@`` and 24 lowercase hex digits: 16 for a 64-bit count of TAI seconds
whose epoch bit (2**62) marks 1970, then 8 for the nanoseconds. multilog's ``t`` action and
``tai64n`` write one in front of every line; ``tai64nlocal`` turns them back into local time.

daemontools does not keep a leap-second table: it converts Unix time to TAI by adding one
constant, 2**62 + 10 (TAI was 10 s ahead of UTC in 1970), and reverses it by subtracting the
same constant. A label from multilog is therefore "Unix time + 2**62 + 10", and decoding with
that constant gives back the Unix time exactly; true TAI would be off by the 27 leap seconds
added since 1972. logwarden does what daemontools does, so labels round-trip with every
qmail tool that reads them.

daemontools takes the time from ``gettimeofday`` (microseconds) and writes the nanoseconds as
``1000 * usec + 500``: a label from daemontools always ends in decimal ``...500`` ns, in the
middle of its microsecond.

Everything here is pure: no clock, no I/O. The clock is read by the writers.
"""

from __future__ import annotations

from typing import NamedTuple

#: Added to Unix seconds to make a daemontools TAI64 label (2**62 epoch bit + 10 s).
TAI64_OFFSET = 4611686018427387914
#: Length of ``@`` + 24 hex digits.
LABEL_LENGTH = 25

_MASK64 = (1 << 64) - 1
_MASK96 = (1 << 96) - 1
#: Hex digit value of each byte, or 16 for a byte that ends a label (only ``0-9a-f`` count:
#: daemontools does not accept upper case).
_DIGIT = bytes(
    (b - 48) if 48 <= b <= 57 else (b - 87) if 97 <= b <= 102 else 16 for b in range(256)
)


class Tai64n(NamedTuple):
    """A decoded label: TAI64 seconds (as the 64-bit label field) and nanoseconds."""

    seconds: int
    nanoseconds: int


def from_unix(seconds: int, microseconds: int) -> Tai64n:
    """The label daemontools writes for ``gettimeofday`` = (seconds, microseconds)."""
    return Tai64n((seconds + TAI64_OFFSET) & _MASK64, 1000 * microseconds + 500)


def from_unix_ns(unix_ns: int) -> Tai64n:
    """The label for a nanosecond Unix clock reading, truncated to microseconds first."""
    seconds, rest = divmod(unix_ns, 1_000_000_000)
    return from_unix(seconds, rest // 1000)


def encode(label: Tai64n) -> bytes:
    """``@`` + 24 lowercase hex digits."""
    return b"@%016x%08x" % (label.seconds & _MASK64, label.nanoseconds & 0xFFFFFFFF)


def label_for_unix_ns(unix_ns: int) -> bytes:
    """The 25-byte label daemontools would write at the Unix time ``unix_ns``."""
    return encode(from_unix_ns(unix_ns))


def to_unix(label: Tai64n) -> tuple[int, int]:
    """(Unix seconds, nanoseconds) of a label, by daemontools' constant (no leap seconds)."""
    return _signed64(label.seconds - TAI64_OFFSET), label.nanoseconds


class Parsed(NamedTuple):
    """What ``tai64nlocal`` reads after an ``@``: the label and where its digits stopped."""

    label: Tai64n
    #: Index of the first byte that is not a lowercase hex digit (len(data) if none).
    end: int


def parse_digits(data: bytes, start: int) -> Parsed:
    """Read hex digits from ``data[start:]`` the way daemontools' tai64nlocal does.

    Digits are shifted into a 96-bit register, seconds in the high 64 bits and nanoseconds
    in the low 32, until the first byte that is not ``0-9a-f``. More than 24 digits push the
    oldest out of the top; fewer leave the label short (``@abc`` is 0 s and 0xabc ns).
    """
    register = 0
    index = start
    size = len(data)
    digit = _DIGIT
    while index < size:
        value = digit[data[index]]
        if value == 16:
            break
        register = ((register << 4) | value) & _MASK96
        index += 1
    return Parsed(Tai64n(register >> 32, register & 0xFFFFFFFF), index)


def hex_digit_count(data: bytes, start: int) -> int:
    """How many lowercase hex digits follow ``start``."""
    index = start
    size = len(data)
    while index < size and _DIGIT[data[index]] != 16:
        index += 1
    return index - start


def _signed64(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


__all__ = [
    "LABEL_LENGTH",
    "TAI64_OFFSET",
    "Parsed",
    "Tai64n",
    "encode",
    "from_unix",
    "from_unix_ns",
    "hex_digit_count",
    "label_for_unix_ns",
    "parse_digits",
    "to_unix",
]
