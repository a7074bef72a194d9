"""Local times as the text ``last`` prints, for whole columns of timestamps at once.

Each function takes epoch seconds and their UTC offsets (``LocalTime.offsets``) and returns a
matrix of ASCII bytes, one row per time: ``ctime`` (``Fri Mar  1 09:00:00 2024``), ``HH:MM``
and util-linux's ISO 8601 (``2024-03-01T09:00:00+01:00``). The calendar arithmetic is the
proleptic Gregorian one of glibc's ``localtime``; only the offsets come from the C library.
"""

from __future__ import annotations

import time
from functools import cache

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.uint8]

_DAY_NAMES = np.frombuffer(b"SunMonTueWedThuFriSat", dtype=np.uint8).reshape(7, 3)
_MONTH_NAMES = np.frombuffer(b"JanFebMarAprMayJunJulAugSepOctNovDec", dtype=np.uint8).reshape(12, 3)
_ZERO = 48
_SPACE = 32


def civil(days: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """Weekday (Sunday 0), year, month (1-12) and day of days since 1970-01-01 (Howard
    Hinnant's civil_from_days)."""
    weekday = (days + 4) % 7  # 1970-01-01 was a Thursday
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return weekday, year, month, day


#: "00" .. "99" as rows of two ASCII digits.
TWO_DIGITS = np.array([[_ZERO + i // 10, _ZERO + i % 10] for i in range(100)], dtype=np.uint8)


def write_digits(out: Matrix, col: int, value: Ints, count: int) -> None:
    """Write ``value`` as ``count`` zero-padded digits at column ``col``."""
    for k in range(count):
        out[:, col + count - 1 - k] = _ZERO + (value // 10**k) % 10


def _days(local: Ints) -> tuple[Ints, Ints, Ints]:
    """Distinct local days of ``local`` (seconds), each element's index among them, and
    each element's seconds into its day."""
    days = local // 86400
    seconds = local - days * 86400
    low = int(days.min())
    span = int(days.max()) - low + 1
    if span <= 4 * len(days) + 64:
        return np.arange(low, low + span, dtype=np.int64), days - low, seconds
    distinct, inverse = np.unique(days, return_inverse=True)
    return distinct, inverse.reshape(-1), seconds


@cache
def _clock_faces() -> tuple[Matrix, Matrix]:
    """``hh:mm:ss`` for every second of a day and ``hh:mm`` for every minute."""
    seconds = np.arange(86400)
    faces = np.empty((86400, 8), dtype=np.uint8)
    faces[:, 0:2] = TWO_DIGITS[seconds // 3600]
    faces[:, 2] = ord(":")
    faces[:, 3:5] = TWO_DIGITS[seconds // 60 % 60]
    faces[:, 5] = ord(":")
    faces[:, 6:8] = TWO_DIGITS[seconds % 60]
    return faces, np.ascontiguousarray(faces[::60, :5])


def _time_of_day(out: Matrix, col: int, seconds: Ints, with_seconds: bool) -> None:
    """``hh:mm[:ss]`` at column ``col``."""
    faces, short_faces = _clock_faces()
    if with_seconds:
        out[:, col : col + 8] = faces[seconds]
    else:
        out[:, col : col + 5] = short_faces[seconds // 60]


def ctime(t: Ints, offsets: Ints) -> Matrix:
    """``ctime()`` without the newline: 24 bytes, ``Www Mmm dd hh:mm:ss yyyy``."""
    out = np.full((len(t), 24), _SPACE, dtype=np.uint8)
    if len(t) == 0:
        return out
    days, index, seconds = _days(t + offsets)
    weekday, year, month, day = civil(days)
    dates = np.full((len(days), 10), _SPACE, dtype=np.uint8)  # "Www Mmm dd"
    dates[:, 0:3] = _DAY_NAMES[weekday]
    dates[:, 4:7] = _MONTH_NAMES[month - 1]
    dates[:, 8] = np.where(day >= 10, _ZERO + day // 10, _SPACE)
    dates[:, 9] = _ZERO + day % 10
    years = np.empty((len(days), 4), dtype=np.uint8)
    write_digits(years, 0, year, 4)
    out[:, 0:10] = dates[index]
    _time_of_day(out, 11, seconds, with_seconds=True)
    out[:, 20:24] = years[index]
    return out


def hhmm(t: Ints, offsets: Ints) -> Matrix:
    """``%02d:%02d`` of the local hour and minute."""
    out = np.empty((len(t), 5), dtype=np.uint8)
    _time_of_day(out, 0, (t + offsets) % 86400, with_seconds=False)
    return out


def iso(t: Ints, offsets: Ints) -> Matrix:
    """util-linux's ISO_TIMESTAMP_T: ``%4ld-%.2d-%.2dT%02d:%02d:%02d%+03d:%02d``.

    The zone is whole minutes of tm_gmtoff split with C's truncating division, so an offset
    of -00:30 prints as ``+00:30``, as util-linux does.
    """
    out = np.empty((len(t), 25), dtype=np.uint8)
    if len(t) == 0:
        return out
    days, index, seconds = _days(t + offsets)
    _, year, month, day = civil(days)
    dates = np.empty((len(days), 10), dtype=np.uint8)  # "yyyy-mm-dd"
    write_digits(dates, 0, year, 4)
    dates[:, 4] = ord("-")
    dates[:, 5:7] = TWO_DIGITS[month]
    dates[:, 7] = ord("-")
    dates[:, 8:10] = TWO_DIGITS[day]
    out[:, 0:10] = dates[index]
    out[:, 10] = ord("T")
    _time_of_day(out, 11, seconds, with_seconds=True)
    minutes = np.trunc(offsets / 60).astype(np.int64)
    hours = np.trunc(minutes / 60).astype(np.int64)
    out[:, 19] = np.where(hours < 0, ord("-"), ord("+"))
    out[:, 20:22] = TWO_DIGITS[np.abs(hours)]
    out[:, 22] = ord(":")
    out[:, 23:25] = TWO_DIGITS[np.abs(minutes - hours * 60)]
    return out


#: Beyond this many days between the earliest and latest time, offsets are looked up per
#: distinct time instead of per day.
_MAX_SPAN_DAYS = 100_000


def utc_offsets(t: Ints) -> Ints:
    """``localtime(t).tm_gmtoff`` for every element, with a few C calls per distinct day.

    A zone's offset changes a couple of times a year: each distinct (UTC) day present is
    probed at its start, middle and end, and only the times on days where the probes
    disagree (the days of a transition) are looked up one by one.
    """
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    time.tzset()
    day = t // 86400
    low = int(day.min())
    span = int(day.max()) - low + 1
    if span > _MAX_SPAN_DAYS:
        distinct, inverse = np.unique(t, return_inverse=True)
        values = [_gmtoff(v) for v in distinct.tolist()]
        return np.array(values, dtype=np.int64)[inverse.reshape(-1)]
    present = np.zeros(span, dtype=bool)
    present[day - low] = True
    table = np.zeros(span, dtype=np.int64)
    mixed = np.zeros(span, dtype=bool)
    for index in np.flatnonzero(present).tolist():
        start = (low + index) * 86400
        first = _gmtoff(start)
        table[index] = first
        mixed[index] = first != _gmtoff(start + 43_200) or first != _gmtoff(start + 86_399)
    offsets = table[day - low]
    odd = np.flatnonzero(mixed[day - low])
    if len(odd):
        offsets[odd] = [_gmtoff(v) for v in t[odd].tolist()]
    return offsets


def _gmtoff(t: int) -> int:
    return time.localtime(t).tm_gmtoff
