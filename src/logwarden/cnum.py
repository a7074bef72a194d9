"""C's number parsing (``strtoul``, ``strtoll``) in the C locale, for reproducing exactly which
arguments and file fields the classic tools accept and what they make of them: leading white
space, a sign (a negative number wraps around for ``strtoul``), base prefixes with base 0,
where the parse stops, and ERANGE.
"""

from __future__ import annotations

from typing import NamedTuple

ULONG_MAX = 2**64 - 1
LLONG_MAX = 2**63 - 1
LLONG_MIN = -(2**63)

_SPACE = " \t\n\v\f\r"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class Parsed(NamedTuple):
    """What ``strto*`` returned: the value, where it stopped (0 when nothing was converted,
    as C's ``endptr == nptr``), and whether it overflowed (``errno == ERANGE``)."""

    value: int
    end: int
    erange: bool


def _scan(text: str, base: int) -> tuple[int, int, bool] | None:
    """The magnitude, the end and the sign of the number at the start of ``text``."""
    i = 0
    while i < len(text) and text[i] in _SPACE:
        i += 1
    negative = False
    if i < len(text) and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    hex_prefix = text[i : i + 2].lower() == "0x" and text[i + 2 : i + 3].lower() in set(
        _DIGITS[:16]
    )
    if base == 0:
        if hex_prefix:
            base, i = 16, i + 2
        elif text[i : i + 1] == "0":
            base = 8
        else:
            base = 10
    elif base == 16 and hex_prefix:
        i += 2
    valid = frozenset(_DIGITS[:base])
    start = i
    while i < len(text) and text[i].lower() in valid:
        i += 1
    if i == start:
        return None
    return int(text[start:i], base), i, negative


def strtoul(text: str, base: int = 10) -> Parsed:
    """``strtoul(text, &end, base)`` on a 64-bit machine."""
    scanned = _scan(text, base)
    if scanned is None:
        return Parsed(0, 0, False)
    magnitude, end, negative = scanned
    if magnitude > ULONG_MAX:
        return Parsed(ULONG_MAX, end, True)
    return Parsed((-magnitude) % 2**64 if negative else magnitude, end, False)


def strtoll(text: str, base: int = 10) -> Parsed:
    """``strtoll(text, &end, base)`` on a 64-bit machine."""
    scanned = _scan(text, base)
    if scanned is None:
        return Parsed(0, 0, False)
    magnitude, end, negative = scanned
    value = -magnitude if negative else magnitude
    if value > LLONG_MAX:
        return Parsed(LLONG_MAX, end, True)
    if value < LLONG_MIN:
        return Parsed(LLONG_MIN, end, True)
    return Parsed(value, end, False)


def to_signed64(value: int) -> int:
    """``value`` wrapped to a signed 64-bit integer, as C's conversions and overflowing
    ``time_t`` arithmetic leave it."""
    return (value + 2**63) % 2**64 - 2**63
