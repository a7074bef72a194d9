"""The year of a stamp that has none (RFC 3164 syslog, sulog, sudo's log without log_year).

A line's month and day are written, its year is not. Within one file lines are in time order,
so the year changes only where the month falls back (December to January): by six months or
more from one stamped line to the next. What remains is the year of one line, an anchor:

1. a file read on from where the previous ingest stopped continues from its last line's year;
2. a file whose older sibling in its rotation set (``auth.log.1`` for ``auth.log``) was read
   before starts in the year its sibling ended, or the next one if the month fell back;
3. otherwise the file's last line is placed just before its newer sibling's first line
   (the rotation set is read newest first for this), or, for the live file, before the
   file's last modification (its mtime, in the host's zone): in that year, or the year
   before when its month is later than the anchor's month.

Every year found this way is a guess, and the events say so (``year_guessed``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: A month falling by this much or more from one line to the next is a new year.
WRAP = 6


@dataclass(frozen=True)
class YearMonth:
    """A line's place in time at the month's grain."""

    year: int
    month: int


def rollovers(months: npt.NDArray[np.int64]) -> int:
    """How many New Years the stamped lines (``months``, 0 = no stamp) cross."""
    m = months[months > 0]
    if len(m) < 2:
        return 0
    return int(np.count_nonzero(m[1:] <= m[:-1] - WRAP))


def end_year(months: npt.NDArray[np.int64], before: YearMonth) -> int:
    """The year of the last stamped line of a file that ends at or before ``before``."""
    m = months[months > 0]
    if len(m) == 0:
        return before.year
    return before.year - (1 if int(m[-1]) > before.month else 0)


def first_year_backward(months: npt.NDArray[np.int64], before: YearMonth) -> int:
    """The year of the first stamped line, from an anchor after the last one."""
    return end_year(months, before) - rollovers(months)


def first_year_forward(first_month: int, after: YearMonth) -> int:
    """The year of a first line of ``first_month`` that follows ``after``."""
    return after.year + (1 if first_month <= after.month - WRAP else 0)


class YearWalk:
    """Years of the stamped lines of one file, in order: ``next(month)`` for each."""

    def __init__(self, year: int, month: int) -> None:
        #: The year and month of the line before (month 0: none yet).
        self.year = year
        self.month = month

    def next(self, month: int) -> int:
        """The year of the next stamped line, which is in ``month``."""
        if self.month and month <= self.month - WRAP:
            self.year += 1
        self.month = month
        return self.year

    def column(self, months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """:meth:`next` for every element of ``months`` (0: no stamp, year left 0)."""
        years = np.zeros(len(months), dtype=np.int64)
        stamped = np.flatnonzero(months > 0)
        if len(stamped) == 0:
            return years
        m = months[stamped]
        previous = np.concatenate(([self.month], m[:-1]))
        wraps = (previous > 0) & (m <= previous - WRAP)
        years[stamped] = self.year + np.cumsum(wraps)
        self.year = int(years[stamped[-1]])
        self.month = int(m[-1])
        return years

    def state(self) -> YearMonth:
        return YearMonth(self.year, self.month)
