"""The ``sort`` calls in qmailanalog's report scripts, as GNU sort does them in the C locale.

``sort -kN`` compares from the blanks before field N to the end of the line, byte by byte;
``sort -n [-kN]`` compares the number at the start of that key (blanks skipped; a key with
no number is 0). Lines whose keys are equal are ordered by the whole line, byte by byte
(sort's last-resort comparison). In another locale the shell scripts would order text keys
by that locale's collation; logwarden always uses the C order.
"""

from __future__ import annotations

import re
from decimal import Decimal

_NUMERIC = re.compile(rb"[ \t]*(-?)(\d*)(?:\.(\d*))?")


def key_start(line: bytes, field: int) -> int:
    """Where field ``field`` (1-based) starts, its leading blanks included."""
    pos = 0
    size = len(line)
    for _ in range(field - 1):
        while pos < size and line[pos] in b" \t":
            pos += 1
        while pos < size and line[pos] not in b" \t":
            pos += 1
    return pos


def numeric(key: bytes) -> Decimal:
    """The number GNU sort -n sees at the start of ``key``."""
    m = _NUMERIC.match(key)
    if m is None:
        return Decimal(0)
    sign, whole, fraction = m.group(1), m.group(2), m.group(3) or b""
    if not whole and not fraction:
        return Decimal(0)
    value = Decimal((whole or b"0").decode() + "." + (fraction or b"0").decode())
    return -value if sign else value


def sort_text(lines: list[bytes], field: int) -> list[bytes]:
    """``sort -kFIELD``."""
    return sorted(lines, key=lambda line: (line[key_start(line, field) :], line))


def sort_numeric(lines: list[bytes], field: int = 1) -> list[bytes]:
    """``sort -n -kFIELD`` (``sort -n`` for field 1)."""
    return sorted(lines, key=lambda line: (numeric(line[key_start(line, field) :]), line))
