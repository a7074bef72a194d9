"""Local midnights as GNU ``ac`` finds them, and the date labels of its daily lines.

``ac`` closes a day at the local midnight that follows a record: it takes ``localtime()`` of
the record, sets the time to 00:00:00, adds one to the day of the month, lets ``mktime()``
decide whether DST is in force (``tm_isdst = -1``) and normalise the date. Python's
``time.localtime`` and ``time.mktime`` are those C functions, so DST days of 23 and 25 hours,
midnights that do not exist and historical offsets come out exactly as in C. The answer
depends only on the local date, so it is computed once per date.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Day:
    """A local calendar date (month 1..12)."""

    year: int
    month: int
    mday: int

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.mday:02d}"


class Midnights:
    """``midnight_after_me()`` and ``localtime()`` dates, cached, in the ``TZ`` in force."""

    def __init__(self) -> None:
        time.tzset()
        self._after_date: dict[tuple[int, int, int], int] = {}

    def after(self, t: int) -> int:
        """The first local midnight after the local date of ``t`` (mktime's answer)."""
        tm = time.localtime(t)
        key = (tm.tm_year, tm.tm_mon, tm.tm_mday)
        known = self._after_date.get(key)
        if known is None:
            known = int(time.mktime((tm.tm_year, tm.tm_mon, tm.tm_mday + 1, 0, 0, 0, 0, 0, -1)))
            self._after_date[key] = known
        return known

    @staticmethod
    def day_of(t: int) -> Day:
        """The local date of ``t``."""
        tm = time.localtime(t)
        return Day(tm.tm_year, tm.tm_mon, tm.tm_mday)

    def day_before(self, midnight: int) -> Day:
        """The day a midnight closes: ``ac`` labels it with the date of ``midnight - 10``."""
        return self.day_of(midnight - 10)
