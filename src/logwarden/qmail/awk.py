"""The parts of awk that qmailanalog's scripts lean on, reproduced exactly.

- Fields: awk's default splitting, on runs of space, tab and newline.
- Numbers: a field used as a number is its longest numeric prefix, as ``strtod`` reads it
  (decimal, hex, ``inf``, ``nan``; anything else is 0).
- Printing: ``print`` shows a number that is a whole number within a C ``int`` as an
  integer and any other number with ``%.6g``, as Debian's awk (mawk 1.3.4) does; so
  ``3000000000`` prints as ``3e+09`` there (gawk would print it in full).
- Arithmetic is IEEE double, summed in input order, as awk sums.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(
    rb"[ \t\n\r\x0b\x0c]*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)"
    rb"(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))",
    re.IGNORECASE,
)
_BLANKS = re.compile(rb"[ \t\n]+")
_INT_MAX = 2**31 - 1


def fields(line: bytes) -> list[bytes]:
    """``$1 ... $NF`` of ``line`` (awk's default field splitting)."""
    if b"\r" in line or b"\x0b" in line or b"\x0c" in line:
        return [w for w in _BLANKS.split(line) if w]
    return line.split()


def number(text: bytes) -> float:
    """The value awk gives ``text`` in arithmetic."""
    m = _NUMBER.match(text)
    if m is None:
        return 0.0
    word = m.group(1)
    low = word.lower()
    if b"x" in low:
        sign = -1.0 if low.startswith(b"-") else 1.0
        body = low.lstrip(b"+-").decode()
        try:
            return sign * float.fromhex(body)
        except ValueError:
            # "0x" with no digits after it: strtod reads the "0" alone.
            return 0.0
    return float(word)


def show(value: float) -> bytes:
    """How ``print`` (and string conversion) shows a number."""
    if math.isfinite(value) and value == int(value) and -_INT_MAX <= value <= _INT_MAX:
        return b"%d" % int(value)
    return g6(value)


def _printf(spec: bytes, value: float) -> bytes:
    """C's ``printf`` of one double: Python spells infinities as C does, but not the sign
    of a NaN."""
    if math.isnan(value):
        return b"-nan" if math.copysign(1.0, value) < 0 else b"nan"
    return spec % value


def g6(value: float) -> bytes:
    """``%.6g``, with C's spelling of infinities and NaN."""
    return _printf(b"%.6g", value)


def f2(value: float) -> bytes:
    """``sprintf("%.2f", value)``."""
    return _printf(b"%.2f", value)


def f6(value: float) -> bytes:
    """``sprintf("%.6f", value)``."""
    return _printf(b"%.6f", value)


def divide(dividend: float, divisor: float) -> float:
    """awk's ``a / b``. mawk divides by zero as the machine does, where gawk would stop:
    an infinity of the dividend's sign, and 0/0 gives x86's default NaN, whose sign bit is
    set (C prints it ``-nan``)."""
    if divisor != 0:
        return dividend / divisor
    if math.isnan(dividend):
        return dividend
    if dividend == 0:
        return -math.nan
    return math.copysign(math.inf, dividend) * math.copysign(1.0, divisor)


def awk_int(value: float) -> int:
    """awk's ``int()``: truncation toward zero."""
    return int(value) if math.isfinite(value) else 0


_STRNUM = re.compile(rb"[ \t\n]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t\n]*")


def looks_numeric(text: bytes) -> bool:
    """Whether awk takes a field (or a command-line value) as a number in comparisons."""
    return _STRNUM.fullmatch(text) is not None


def less(a: bytes, b: bytes) -> bool:
    """awk's ``a < b`` for two field values: numerically when both look like numbers,
    as strings otherwise (a raw ``@4000...`` label compares as text)."""
    if looks_numeric(a) and looks_numeric(b):
        return number(a) < number(b)
    return a < b
