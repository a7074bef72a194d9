"""What ``ac`` is asked (its options) and what it answers (a report), shared by its engines.

A report is what GNU ``ac`` would print, as data: statistics blocks in the order they are
closed (one per day with ``-d``, then the final one) and, in between, the diagnostic lines that
``--complain`` and ``--debug`` print on standard output. A fatal stop (a negative amount of
time to credit, which GNU ``ac`` refuses) ends the report early.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from logwarden.connect.ac.clock import Day

#: GNU ac's defaults for --tw-leniency and --tw-suspicious (seconds).
DEFAULT_LENIENCY = 60
DEFAULT_SUSPICIOUS = 31_536_000


@dataclass(frozen=True)
class AcOptions:
    """The options of GNU ``ac`` 6.6.4 that change what is computed or printed."""

    daily: bool = False
    """-d: close a statistics block at each local midnight."""
    individual: bool = False
    """-p: per-user lines (in GNU's hash-table order)."""
    all_days: bool = False
    """-a: with -d, visit every midnight, not only the first one after each record."""
    zeros: bool = False
    """-z: print zero lines too."""
    year: bool = False
    """-y: print the year in day labels (and a second tab before user/total lines)."""
    reboots: bool = False
    """--reboots: credit the time from login to a reboot."""
    supplants: bool = False
    """--supplants: credit the time from login to the next login on the same tty."""
    timewarps: bool = False
    """--timewarps: credit the time up to midnight when the clock jumps."""
    leniency: int = DEFAULT_LENIENCY
    suspicious: int = DEFAULT_SUSPICIOUS
    complain: bool = False
    debug: bool = False
    names: tuple[bytes, ...] | None = None
    """Users given as arguments: only they are printed and summed (None: everybody)."""


@dataclass(frozen=True)
class Block:
    """One statistics block: a closed day (``kind="day"``) or the final one."""

    kind: Literal["day", "final"]
    day: Day
    """The day's label date; for the final block, the local date of "now"."""
    total: int
    """Seconds credited in the block to the users selected (all users if none given)."""
    rows: tuple[tuple[bytes, int], ...] | None
    """(user, seconds) in GNU's hash-table order, selected users only; None without -p."""


@dataclass(frozen=True)
class Fatal:
    """GNU ac's stop on a negative amount: ``FILE:RECNO: problem: update user ...``."""

    where: bytes
    user: bytes
    label: str
    seconds: int


#: A statistics block, or diagnostic text that GNU ac writes to standard output.
Item = Block | bytes


@dataclass
class Report:
    """Everything one run of ``ac`` produces, in order."""

    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Lines for standard error (files that could not be opened), without newlines."""
    fatal: Fatal | None = None
    engine: str = ""
    """Which engine produced the report: "fast" or "sequential"."""

    @property
    def blocks(self) -> list[Block]:
        return [item for item in self.items if isinstance(item, Block)]
