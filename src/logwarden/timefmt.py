"""Local time as the C library computes it, fast enough for a million records.

The classic tools call ``localtime()`` (which honours ``TZ``) and ``ctime()``/``strftime()`` in
the C locale. Python's ``time.localtime`` is the same C function, so the results agree to the
byte, DST and historical offsets included. What costs is calling it a million times; the
offset from UTC changes only at a zone's transitions, so it is looked up once per quarter hour
of the timeline and reused, and a quarter hour that holds a transition is computed per call.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import numpy.typing as npt

DAYS = (b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun")
MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
          b"Nov", b"Dec")  # fmt: skip

_BUCKET = 900


class LocalTime:
    """Local broken-down time and the classic renderings of it, cached per process.

    The ``TZ`` in force when the instance is made is the one used; ``time.tzset()`` is called
    so that a ``TZ`` set by the caller (or a test) takes effect.
    """

    def __init__(self) -> None:
        time.tzset()
        self._offsets: dict[int, int | None] = {}

    def offset(self, t: int) -> int:
        """Seconds east of UTC in force at ``t``."""
        bucket = t // _BUCKET
        known = self._offsets.get(bucket, -1)
        if known == -1:
            start = _gmtoff(bucket * _BUCKET)
            end = _gmtoff(bucket * _BUCKET + _BUCKET - 1)
            known = start if start == end else None
            self._offsets[bucket] = known
        if known is None:
            return _gmtoff(t)
        return known

    def localtime(self, t: int) -> time.struct_time:
        """``localtime(t)``."""
        return time.localtime(t)

    def ctime(self, t: int) -> bytes:
        """``ctime(t)`` without its newline: ``Fri Mar  1 08:00:00 2024``."""
        local = t + self.offset(t)
        days, secs = divmod(local, 86400)
        return (
            _day_text(days)
            + b" %02d:%02d:%02d " % (secs // 3600, secs // 60 % 60, secs % 60)
            + _year_text(days)
        )

    def strftime(self, fmt: str, t: int) -> bytes:
        """``strftime(fmt, localtime(t))`` in the C locale."""
        return time.strftime(fmt, time.localtime(t)).encode("ascii", "surrogateescape")

    def offsets(self, t: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """:meth:`offset` for every element of ``t``."""
        if len(t) == 0:
            return np.zeros(0, dtype=np.int64)
        buckets, inverse = np.unique(t // _BUCKET, return_inverse=True)
        per_bucket = np.empty(len(buckets), dtype=np.int64)
        mixed = np.zeros(len(buckets), dtype=bool)
        for i, bucket in enumerate(buckets.tolist()):
            known = self._offsets.get(bucket, -1)
            if known == -1:
                self.offset(bucket * _BUCKET)
                known = self._offsets[bucket]
            if known is None:
                mixed[i] = True
                per_bucket[i] = 0
            else:
                per_bucket[i] = known
        result = per_bucket[inverse]
        if mixed.any():
            where = np.flatnonzero(mixed[inverse])
            result[where] = [_gmtoff(int(v)) for v in t[where].tolist()]
        return result


def _gmtoff(t: int) -> int:
    return time.localtime(t).tm_gmtoff


@lru_cache(maxsize=8192)
def _day_text(days: int) -> bytes:
    """``Fri Mar  1`` for a day counted from 1970-01-01 (ctime's weekday, month, day)."""
    tm = time.gmtime(days * 86400)
    return b"%s %s %2d" % (DAYS[tm.tm_wday], MONTHS[tm.tm_mon - 1], tm.tm_mday)


@lru_cache(maxsize=8192)
def _year_text(days: int) -> bytes:
    return b"%d" % time.gmtime(days * 86400).tm_year
