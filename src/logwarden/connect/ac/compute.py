"""ac: connect time from wtmp, as GNU acct 6.6.4's ``ac`` computes it.

``ac`` adds up, per user, the time between each login and what ends it, and prints the total
(default), per-user totals (``-p``) and/or per-day totals (``-d``). Its rules, which this
module reproduces exactly (including the order of ``-p`` lines, which follows GNU's hash
table, not the alphabet):

- a logout credits the time since the login; so does a shutdown, for everybody logged in;
- a reboot logs everybody out *without* credit (``--reboots`` credits it), a second login on
  a tty replaces the first without credit (``--supplants``), a jump of the clock (a record
  more than ``--tw-leniency`` seconds before the previous one, or ``--tw-suspicious`` after)
  logs everybody out at the next midnight without credit (``--timewarps``);
- a clock change recorded by ``date`` (OLD_TIME then NEW_TIME) shifts every login time;
- at each local midnight that a record passes, everybody is credited up to it and logged in
  again; without ``-d -a`` only the first midnight after a record is visited, so a session
  over several quiet days counts for its first day and the day of the next record;
- at the end, everybody still logged in is credited up to "now".

Two engines give the same report: :mod:`~logwarden.connect.ac.seq` follows the C code record
by record; :mod:`~logwarden.connect.ac.fast` computes well-ordered files with array
operations and declines the rest. ``engine="auto"`` tries the fast one first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from logwarden.connect.ac import fast as ac_fast
from logwarden.connect.ac.clock import Midnights
from logwarden.connect.ac.model import AcOptions, Block, Fatal, Report
from logwarden.connect.ac.segments import Segment, open_segments
from logwarden.connect.ac.seq import SequentialEngine
from logwarden.formats import utmp

Engine = Literal["auto", "sequential", "fast"]

__all__ = ["AcOptions", "Block", "Engine", "Fatal", "Report", "connect_time", "connect_time_of"]


class FastPathDeclined(Exception):
    """``engine="fast"`` was asked for input that only the state machine can handle."""


def connect_time(
    segments: Sequence[Segment], options: AcOptions, now: int, engine: Engine = "auto"
) -> Report:
    """GNU ac's report for ``segments`` (read with :func:`open_segments`) at time ``now``."""
    midnights = Midnights()
    if engine != "sequential":
        report = ac_fast.run(segments, options, now, midnights)
        if report is not None:
            return report
        if engine == "fast":
            raise FastPathDeclined("the vectorized engine does not cover this input")
    return SequentialEngine(options, now, midnights).run(segments)


def connect_time_of(
    paths: Sequence[str],
    options: AcOptions,
    now: int,
    *,
    layout: utmp.Layout | None = None,
    engine: Engine = "auto",
) -> tuple[Report, list[Segment]]:
    """Open ``paths`` as ``ac -f`` does and compute the report."""
    segments = open_segments(paths, layout)
    return connect_time(segments, options, now, engine), segments
