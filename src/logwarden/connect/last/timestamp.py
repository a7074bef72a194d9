"""The time values ``last --since/--until/--present`` accept, parsed as util-linux 2.38 does.

util-linux's ``parse_timestamp`` (lib/timeutils.c, taken from systemd) starts from the local
broken-down time of "now", lets glibc's ``strptime`` overwrite the fields a format names, and
hands the result to ``mktime``. Accepted, in this order of trial:

  now, today, yesterday, tomorrow          (the last three at 00:00:00)
  +5min, -2days, "3 hours ago"             (relative to now; see :data:`UNITS`)
  [weekday ]YY-MM-DD hh:mm:ss, YYYY-MM-DD hh:mm:ss, YYYY-MM-DDThh:mm:ss,
  YY-MM-DD hh:mm, YYYY-MM-DD hh:mm, YY-MM-DD, YYYY-MM-DD, hh:mm:ss, hh:mm, YYYYMMDDhhmmss

2.38 knows neither ``@EPOCH`` nor fractions of a second (later versions do). The result is
microseconds since the epoch in an unsigned 64-bit number, as in C; ``last`` divides it by a
million.
"""

from __future__ import annotations

import re
import time

USEC_PER_SEC = 1_000_000
_U64 = 1 << 64

#: parse_sec's suffixes in the order it tries them (the first prefix match wins).
UNITS: tuple[tuple[str, int], ...] = (
    ("seconds", USEC_PER_SEC),
    ("second", USEC_PER_SEC),
    ("sec", USEC_PER_SEC),
    ("s", USEC_PER_SEC),
    ("minutes", 60 * USEC_PER_SEC),
    ("minute", 60 * USEC_PER_SEC),
    ("min", 60 * USEC_PER_SEC),
    ("months", 2_629_800 * USEC_PER_SEC),
    ("month", 2_629_800 * USEC_PER_SEC),
    ("msec", 1000),
    ("ms", 1000),
    ("m", 60 * USEC_PER_SEC),
    ("hours", 3600 * USEC_PER_SEC),
    ("hour", 3600 * USEC_PER_SEC),
    ("hr", 3600 * USEC_PER_SEC),
    ("h", 3600 * USEC_PER_SEC),
    ("days", 86400 * USEC_PER_SEC),
    ("day", 86400 * USEC_PER_SEC),
    ("d", 86400 * USEC_PER_SEC),
    ("weeks", 604_800 * USEC_PER_SEC),
    ("week", 604_800 * USEC_PER_SEC),
    ("w", 604_800 * USEC_PER_SEC),
    ("years", 31_557_600 * USEC_PER_SEC),
    ("year", 31_557_600 * USEC_PER_SEC),
    ("y", 31_557_600 * USEC_PER_SEC),
    ("usec", 1),
    ("us", 1),
    ("", USEC_PER_SEC),
)

_WEEKDAYS = (
    ("sunday", 0), ("sun", 0), ("monday", 1), ("mon", 1), ("tuesday", 2), ("tue", 2),
    ("wednesday", 3), ("wed", 3), ("thursday", 4), ("thu", 4), ("friday", 5), ("fri", 5),
    ("saturday", 6), ("sat", 6),
)  # fmt: skip

#: (strptime format, seconds forced to zero, time of day forced to midnight)
_FORMATS = (
    ("%y-%m-%d %H:%M:%S", False, False),
    ("%Y-%m-%d %H:%M:%S", False, False),
    ("%Y-%m-%dT%H:%M:%S", False, False),
    ("%y-%m-%d %H:%M", True, False),
    ("%Y-%m-%d %H:%M", True, False),
    ("%y-%m-%d", False, True),
    ("%Y-%m-%d", False, True),
    ("%H:%M:%S", False, False),
    ("%H:%M", True, False),
    ("%Y%m%d%H%M%S", False, False),
)

_PARSE_SEC_SPACE = " \t\n\r"
_C_SPACE = " \t\n\v\f\r"
_STRTOLL = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")


class BadTimestamp(ValueError):
    """The text is none of the accepted forms."""


def parse_timestamp(text: str, now: float | None = None) -> int:
    """Microseconds since the epoch for ``text``, as util-linux 2.38's parse_timestamp.

    ``now`` defaults to the current time (a test passes its own). Raises BadTimestamp.
    """
    current = int(time.time() if now is None else now)
    tm = list(time.localtime(current)[:6])  # year, mon, mday, hour, min, sec
    plus = minus = 0
    weekday = -1
    if text == "now":
        pass
    elif text in ("today", "yesterday", "tomorrow"):
        tm[2] += {"today": 0, "yesterday": -1, "tomorrow": 1}[text]
        tm[3:6] = [0, 0, 0]
    elif text.startswith("+"):
        plus = _parse_sec(text[1:])
    elif text.startswith("-"):
        minus = _parse_sec(text[1:])
    elif text.endswith(" ago"):
        minus = _parse_sec(text[:-4])
    else:
        for name, number in _WEEKDAYS:
            if text[: len(name)].lower() == name and text[len(name) : len(name) + 1] == " ":
                weekday = number
                text = text[len(name) + 1 :]
                break
        tm = _first_format(text, tm)
    seconds, wday = _mktime(tm)
    if weekday >= 0 and wday != weekday:
        raise BadTimestamp(text)
    usec = (seconds * USEC_PER_SEC) % _U64
    usec = (usec + plus) % _U64
    return usec - minus if usec > minus else 0


def seconds_of(usec: int) -> int:
    """``(time_t)(usec / 1000000)``: what ``last`` keeps of a parsed value."""
    return usec // USEC_PER_SEC


def _first_format(text: str, now_tm: list[int]) -> list[int]:
    for fmt, zero_seconds, midnight in _FORMATS:
        tm = list(now_tm)
        rest = _strptime(text, fmt, tm)
        if rest is None or rest != "":
            continue
        if zero_seconds:
            tm[5] = 0
        if midnight:
            tm[3:6] = [0, 0, 0]
        return tm
    raise BadTimestamp(text)


def _mktime(tm: list[int]) -> tuple[int, int]:
    """C ``mktime`` with ``tm_isdst = -1``; returns the time and the normalised weekday."""
    try:
        seconds = time.mktime((tm[0], tm[1], tm[2], tm[3], tm[4], tm[5], 0, 0, -1))
    except (OverflowError, ValueError):
        raise BadTimestamp("out of range") from None
    if seconds == -1:
        raise BadTimestamp("out of range")
    # C weekday: Sunday is 0 (Python's struct_time has Monday as 0).
    return int(seconds), (time.localtime(seconds).tm_wday + 1) % 7


# glibc strptime's numeric fields: (lowest, highest, most digits read).
_FIELDS = {"y": (0, 99, 2), "Y": (0, 9999, 4), "m": (1, 12, 2), "d": (1, 31, 2),
           "H": (0, 23, 2), "M": (0, 59, 2), "S": (0, 61, 2)}  # fmt: skip


def _strptime(text: str, fmt: str, tm: list[int]) -> str | None:
    """glibc ``strptime`` for the conversions used above; the unparsed rest, or None."""
    pos = 0
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch in _C_SPACE:
            while pos < len(text) and text[pos] in _C_SPACE:
                pos += 1
            i += 1
            continue
        if ch != "%":
            if pos >= len(text) or text[pos] != ch:
                return None
            pos += 1
            i += 1
            continue
        spec = fmt[i + 1]
        i += 2
        low, high, digits = _FIELDS[spec]
        while pos < len(text) and text[pos] in _C_SPACE:
            pos += 1
        if pos >= len(text) or not text[pos].isascii() or not text[pos].isdigit():
            return None
        value = 0
        count = 0
        while True:
            value = value * 10 + ord(text[pos]) - 48
            pos += 1
            count += 1
            if count >= digits or value * 10 > high:
                break
            if pos >= len(text) or not ("0" <= text[pos] <= "9"):
                break
        if value < low or value > high:
            return None
        _store(tm, spec, value)
    return text[pos:]


def _store(tm: list[int], spec: str, value: int) -> None:
    if spec == "y":
        tm[0] = 1900 + (value if value >= 69 else value + 100)
    elif spec == "Y":
        tm[0] = value
    elif spec == "m":
        tm[1] = value
    elif spec == "d":
        tm[2] = value
    elif spec == "H":
        tm[3] = value
    elif spec == "M":
        tm[4] = value
    else:
        tm[5] = value


def _parse_sec(text: str) -> int:
    """systemd's parse_sec: ``5min``, ``1.5h``, ``2 days 3 hours``; microseconds."""
    total = 0
    something = False
    pos = 0
    while True:
        while pos < len(text) and text[pos] in _PARSE_SEC_SPACE:
            pos += 1
        if pos >= len(text):
            if not something:
                raise BadTimestamp(text)
            return total
        match = _STRTOLL.match(text, pos)
        fraction = 0
        fraction_digits = 0
        if match is None:
            # strtoll read nothing: only a fraction right here could follow, and parse_sec
            # refuses "no digits" unless a '.' follows the empty number.
            if not text.startswith(".", pos):
                raise BadTimestamp(text)
            number = 0
            end = pos
        else:
            number = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
            if not 0 <= number < (1 << 63):
                raise BadTimestamp(text)
            end = match.end()
        if text.startswith(".", end):
            frac = _STRTOLL.match(text, end + 1)
            if frac is None:
                raise BadTimestamp(text)
            fraction = int(frac.group(2)) * (-1 if frac.group(1) == "-" else 1)
            if not 0 <= fraction < 1 << 63:
                raise BadTimestamp(text)
            fraction_digits = frac.end() - (end + 1)
            end = frac.end()
        while end < len(text) and text[end] in _PARSE_SEC_SPACE:
            end += 1
        for suffix, unit in UNITS:
            if text.startswith(suffix, end):
                part = (fraction * unit) % _U64
                for _ in range(fraction_digits):
                    part //= 10
                total = (total + number * unit + part) % _U64
                pos = end + len(suffix)
                something = True
                break
