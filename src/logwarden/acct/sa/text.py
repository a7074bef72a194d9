"""sa's reports, byte for byte as GNU acct 6.6.4 prints them.

The command summary starts with the totals line (no name), then the rows sorted by the chosen
key, largest first; ties fall to calls, user, sys, real time, I/O and memory, and rows equal
in all of those keep the hash-table order (glibc's qsort is a stable merge sort), with
``***other`` and ``**junk**`` before the table's rows. Each row::

    "%8ld "  calls                      [-c "%7.2f%% "]
    "%10.2fre "  real time              [-c "%7.2f%% "]
    "%10.2fcp"   user+sys               [-c " %7.2f%%"]   (-l: "%10.2fu " ... "%10.2fs")
    [-t "%8.1f" re/cp or "*ignore*", then "re/cp"]
    "%10.0favio " I/O per call (-D "%10.0ftio " total)   "%9.0fk" memory per call (-K k*sec)
      or -p "%10.0fmin %10.0fmaj %10.0fswp ", -P "%5.0fmin/c %5.0fmaj/c %5.0fswp/c "
    "   %-.16s" name and "*" when the row is forked-only; then a newline.

Times are minutes, or seconds per call with ``-j``. The user summary (``-m``, ``-M``) puts
``"%-32.32s "`` before the same statistics.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from logwarden.acct import numtext
from logwarden.acct.sa.tables import Stats

# Sort keys (GNU's enum order does not matter here, only the values).
SORT_CPU = "cpu"
SORT_CALLS = "calls"
SORT_CPU_PER_CALL = "cpu/calls"
SORT_AVIO = "avio"
SORT_TIO = "tio"
SORT_AVMEM = "avmem"
SORT_KSEC = "ksec"
SORT_REAL = "real"


@dataclass
class Style:
    """The options that shape sa's numbers."""

    sort: str = SORT_CPU
    reverse: bool = False
    seconds: bool = False  # -j
    percentages: bool = False  # -c
    separate: bool = False  # -l
    ratio: bool = False  # -t
    total_io: bool = False  # -D
    ksec: bool = False  # -K
    paging: bool = False  # -p
    paging_avg: bool = False  # -P


Row = dict[str, float | int]


def sort_value(style: Style, s: Row) -> float:
    """What GNU's compare_stats_entry compares first."""
    calls = float(s["calls"])
    cpu = float(s["user"]) + float(s["sys"])
    with np.errstate(all="ignore"):
        if style.sort == SORT_CPU:
            return cpu
        if style.sort == SORT_CPU_PER_CALL:
            return float(np.float64(cpu) / calls)
        if style.sort == SORT_AVIO:
            return float(np.float64(s["io"]) / calls)
        if style.sort == SORT_TIO:
            return float(s["io"])
        if style.sort == SORT_AVMEM:
            return float(np.float64(s["mem"]) / calls)
        if style.sort == SORT_KSEC:
            return cpu * float(s["mem"]) if cpu else float(s["mem"])
        if style.sort == SORT_REAL:
            if style.seconds:
                return float(np.float64(s["elapsed"]) / calls)
            return float(s["elapsed"])
    return calls


_TIES = ("calls", "user", "sys", "elapsed", "io", "mem")


def comparator(style: Style) -> Callable[[Row, Row], int]:
    """GNU's compare_stats_entry for ``style``."""
    before = 1 if style.reverse else -1

    def compare(a: Row, b: Row) -> int:
        v1, v2 = sort_value(style, a), sort_value(style, b)
        if v1 < v2:
            return -before
        if v1 > v2:
            return before
        for name in _TIES:
            x, y = a[name], b[name]
            if x < y:
                return -before
            if x > y:
                return before
        return 0

    return compare


def sorted_rows(style: Style, rows: list[Row]) -> list[int]:
    """Indexes of ``rows`` in sa's order (stable for rows that compare equal). Python's
    sort is stable in both directions, as glibc's merge sort is."""
    if any(value != value for row in rows for value in row.values()):
        # NaN compares false both ways: only GNU's own comparator gives its order.
        compare = comparator(style)

        def by_index(i: int, j: int) -> int:
            return compare(rows[i], rows[j])

        return sorted(range(len(rows)), key=functools.cmp_to_key(by_index))
    keys = [(sort_value(style, row), *(row[name] for name in _TIES)) for row in rows]
    return sorted(range(len(rows)), key=lambda i: keys[i], reverse=not style.reverse)


class ZeroCalls(Exception):
    """GNU's fatal ``print_stats_nicely called with num_calls == 0``; ``printed`` is what GNU
    had written before it stopped."""

    def __init__(self, printed: bytes = b"") -> None:
        super().__init__("num_calls == 0")
        self.printed = printed


def _f(fmt: str, value: float) -> str:
    return numtext.c_float(fmt, value).decode("ascii")


def _ratio(part: float, whole: float) -> float:
    return part / whole * 100.0 if whole else 0.0


def stats_text(style: Style, s: Row, totals: Row) -> str:
    """print_stats_nicely: everything of a row but its name."""
    calls = int(s["calls"])
    if calls == 0:
        raise ZeroCalls
    dnc = float(np.uint64(calls).astype(np.float64))
    per = dnc if style.seconds else 60.0
    signed_calls = calls - (1 << 64) if calls >= 1 << 63 else calls
    out = [f"{signed_calls:8d} "]

    def div(a: float, b: float) -> float:
        # Every divisor here is non-zero (the calls, 60, or a total checked first), and then
        # Python's float division is the C double division, infinities and NaNs included.
        return a / b

    if style.percentages:
        total_calls = float(np.uint64(int(totals["calls"])).astype(np.float64))
        out.append(_f("%7.2f", _ratio(dnc, total_calls) if totals["calls"] else 0.0) + "% ")
    real = float(s["elapsed"])
    out.append(_f("%10.2f", div(real, per)) + "re ")
    if style.percentages:
        out.append(_f("%7.2f", _ratio(real, float(totals["elapsed"]))) + "% ")
    user, sys_ = float(s["user"]), float(s["sys"])
    cpu = user + sys_
    if style.separate:
        out.append(_f("%10.2f", div(user, per)) + "u ")
        if style.percentages:
            out.append(_f("%7.2f", _ratio(user, float(totals["user"]))) + "% ")
        out.append(_f("%10.2f", div(sys_, per)) + "s")
        if style.percentages:
            out.append(" " + _f("%7.2f", _ratio(sys_, float(totals["sys"]))) + "%")
    else:
        out.append(_f("%10.2f", div(cpu, per)) + "cp")
        if style.percentages:
            total_cpu = float(totals["user"]) + float(totals["sys"])
            out.append(" " + _f("%7.2f", _ratio(cpu, total_cpu)) + "%")
    if style.ratio:
        out.append("*ignore*" if cpu == 0.0 else _f("%8.1f", div(real, cpu) if cpu else 0.0))
        out.append("re/cp")
    if not style.paging:
        io = float(s["io"])
        if style.total_io:
            out.append(_f("%10.0f", io) + "tio ")
        else:
            out.append(_f("%10.0f", div(io, dnc)) + "avio ")
        mem = float(s["mem"])
        if style.ksec:
            out.append(_f("%9.0f", div(mem * cpu, dnc) if cpu else mem) + "k*sec")
        else:
            out.append(_f("%9.0f", div(mem, dnc)) + "k")
    elif not style.paging_avg:
        out.append(_f("%10.0f", float(s["minflt"])) + "min ")
        out.append(_f("%10.0f", float(s["majflt"])) + "maj ")
        out.append(_f("%10.0f", float(s["swaps"])) + "swp ")
    else:
        out.append(_f("%5.0f", div(float(s["minflt"]), dnc)) + "min/c ")
        out.append(_f("%5.0f", div(float(s["majflt"]), dnc)) + "maj/c ")
        out.append(_f("%5.0f", div(float(s["swaps"]), dnc)) + "swp/c ")
    return "".join(out)


def stats_rows(stats: Stats) -> list[Row]:
    """Every entry of ``stats`` as a plain row."""
    return [stats.row(i) for i in range(len(stats))]
