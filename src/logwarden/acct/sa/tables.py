"""GNU sa's tables: totals per command and per user (or group), exactly as sa 6.6.4 sums them.

sa keeps two hash tables. The command table is keyed by (command as a C string of at most 16
bytes, the fork-without-exec flag), so ``bash`` and a forked-only ``bash`` are always two rows;
the user table by the user's (or with ``-M`` the group's) name, cut to 32 bytes. Each record
adds its values in the order the records are read: first the summary file (savacct or
usracct), then the pacct file. Floating-point sums depend on that order, so they are computed
with ``np.bincount`` (which adds element by element, in order) and never with a pairwise sum.
The totals line is the same running sum over every contribution, not a sum of the rows.

Per record (times in seconds):

==========  ==============================================================================
user, sys   ``comp_t / AHZ``
elapsed     ``float(etime) / AHZ``
io          ``comp_t(ac_io) / AHZ`` (sic: GNU divides the I/O count by AHZ too)
mem         ``comp_t(ac_mem) / (pagesize / 1024)``: GNU takes kernel KiB for pages
faults      minor, major and swaps as counts
==========  ==============================================================================

References: GNU acct 6.6.4 ``sa.c`` (parse_acct_entries, update_command_list,
update_user_list, add_stats).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.acct import fields
from logwarden.acct.sa.keys import Groups, command_groups, name_groups
from logwarden.formats import acct
from logwarden.formats.savacct import STAT_FIELDS
from logwarden.gnuhash import iteration_indexes

F64 = npt.NDArray[np.float64]
U64 = npt.NDArray[np.uint64]
Strings = npt.NDArray[np.bytes_]

NAME_LEN = 32
#: GNU's PAGES_TO_KB divisor: the page size in KiB.
PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024.0 if hasattr(os, "sysconf") else 4.0
FLOAT_FIELDS = STAT_FIELDS[1:]


@dataclass
class Stats:
    """Columns of ``struct stats``: ``calls`` (uint64) and the eight sums (float64)."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["calls"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def row(self, index: int) -> dict[str, float | int]:
        """One entry as plain numbers (``calls`` an int, the rest floats)."""
        return {
            name: int(v[index]) if name == "calls" else float(v[index])
            for name, v in self.columns.items()
        }


@functools.cache
def _per_code(divisor: float) -> F64:
    """Every comp_t's value over ``divisor``: a lookup gives the same double as the
    division, for a tenth of the work on a million records."""
    table: F64 = acct.COMP_T_TABLE / divisor
    return table


#: Records per chunk: a chunk's columns are read while its records are in the CPU cache.
CHUNK = 1 << 14
#: (stats column, record column, unit) of the comp_t fields: ticks are divided by the tick
#: rate, memory by the page size in KiB, counts are taken as they are.
_COMP_STATS = (
    ("user", "utime", "ticks"),
    ("sys", "stime", "ticks"),
    ("mem", "mem", "pages"),
    ("io", "io", "ticks"),
    ("minflt", "minflt", "count"),
    ("majflt", "majflt", "count"),
    ("swaps", "swaps", "count"),
)
_FAULTS = ("minflt", "majflt", "swaps")


def record_stats(records: acct.Records, faults: bool = True) -> Stats:
    """Each record's contribution, computed with the same double operations as GNU.

    ``faults=False`` leaves the page-fault and swap sums at zero (for reports that do not
    show them)."""
    count = len(records)
    wanted = [spec for spec in _COMP_STATS if faults or spec[0] not in _FAULTS]
    # A column is made when its first non-zero code comes: all-zero columns (Linux never
    # fills ac_io or ac_swaps) cost nothing and stay out of the sums.
    made: dict[str, F64] = {}
    elapsed = np.empty(count)
    one_rate = fields.all_ahz_100(records)
    for start in range(0, count, CHUNK):
        end = min(start + CHUNK, count)
        chunk = records.slice(start, end)
        # One tick rate for every record (the usual case): divide by the scalar, which gives
        # the same doubles as dividing by a column of it.
        ahz = float(acct.AHZ) if one_rate else chunk["ahz"].astype(np.float64)
        np.divide(chunk["etime"], ahz, out=elapsed[start:end], dtype=np.float64)
        for name, field, unit in wanted:
            codes = chunk[field]
            column = made.get(name)
            if column is None:
                if not codes.any():
                    continue
                column = made[name] = np.zeros(count)
            _comp_values(codes, unit, ahz, column[start:end])
    zeros = np.broadcast_to(np.float64(0.0), (count,))  # an all-zero column, never summed
    stats: dict[str, np.ndarray] = {"calls": np.broadcast_to(np.uint64(1), (count,))}
    for name in FLOAT_FIELDS:
        stats[name] = elapsed if name == "elapsed" else made.get(name, zeros)
    return Stats(stats)


def _comp_values(codes: npt.NDArray[np.uint16], unit: str, ahz: float | F64, out: F64) -> None:
    """The values of comp_t ``codes`` in ``unit`` (see _COMP_STATS), into ``out``."""
    if unit == "pages":
        table = _per_code(PAGE_KB)
    elif unit == "count":
        table = _per_code(1.0)
    elif isinstance(ahz, float):
        table = _per_code(ahz)
    else:
        np.divide(acct.COMP_T_TABLE.take(codes), ahz, out=out)
        return
    table.take(codes, out=out, mode="clip")


def _constant(values: np.ndarray) -> bool:
    """True for the broadcast columns record_stats makes (one value repeated)."""
    return values.ndim == 1 and len(values) > 1 and values.strides == (0,)


def summary_stats(summary: npt.NDArray[np.void]) -> Stats:
    """The stats of savacct/usracct records."""
    columns = {"calls": summary["calls"].astype(np.uint64)}
    for name in FLOAT_FIELDS:
        columns[name] = summary[name].astype(np.float64)
    return Stats(columns)


def concat(parts: list[Stats]) -> Stats:
    """Stats one after the other (the order they are added in)."""
    if len(parts) == 1:
        return parts[0]
    return Stats(
        {k: np.concatenate([np.ascontiguousarray(p[k]) for p in parts]) for k in STAT_FIELDS}
    )


def sequential_sums(groups: npt.NDArray[np.intp], stats: Stats, count: int) -> Stats:
    """Per group, the values added in order from zero, as C's ``+=`` loop adds them."""
    out: dict[str, np.ndarray] = {}
    given = stats["calls"]
    if _constant(given):
        out["calls"] = np.bincount(groups, minlength=count).astype(np.uint64) * given[0]
    elif len(given) == 0 or int(given.max()) < 1 << 52:
        summed = np.bincount(groups, weights=given.astype(np.float64), minlength=count)
        out["calls"] = summed.astype(np.uint64)
    else:  # counts too large for a double: add them as integers (wrapping as C does)
        calls = np.zeros(count, dtype=np.uint64)
        np.add.at(calls, groups, given)
        out["calls"] = calls
    for name in FLOAT_FIELDS:
        values = stats[name]
        if _constant(values) and values[0] == 0.0:
            out[name] = np.zeros(count, dtype=np.float64)
        else:
            out[name] = np.bincount(groups, weights=values, minlength=count)
    return Stats(out)


def total(stats: Stats) -> Stats:
    """Everything added in order from zero (GNU's ``stats_totals``), never pairwise.

    The float columns are added side by side, a chunk of rows at a time: ``np.bincount``
    of a row-major block (bin = column), whose first row carries the sums so far, adds each
    column's values in order from zero, and the additions of different columns, interleaved,
    do not wait for each other. (``0.0 + sum`` is ``sum``: a running sum from 0.0 is never
    -0.0.)"""
    out: dict[str, np.ndarray] = {}
    summed: list[str] = []
    for name, values in stats.columns.items():
        if len(values) == 0 or (_constant(values) and values[0] == 0):
            out[name] = np.zeros(1, dtype=values.dtype)
        elif name == "calls":
            out[name] = np.array([int(values.sum(dtype=np.uint64))], dtype=np.uint64)
        else:
            summed.append(name)
    count = len(stats)
    width = len(summed)
    running: npt.NDArray[np.float64] = np.zeros(width)
    block = np.empty((min(CHUNK, count) + 1, width))
    bins = np.tile(np.arange(width, dtype=np.intp), len(block))
    for start in range(0, count if summed else 0, CHUNK):
        end = min(start + CHUNK, count)
        rows = block[: end - start + 1]
        rows[0] = running
        for col, name in enumerate(summed):
            rows[1:, col] = stats[name][start:end]
        summed_rows = np.bincount(bins[: rows.size], weights=rows.reshape(-1), minlength=width)
        running = summed_rows.astype(np.float64, copy=False)
    for col, name in enumerate(summed):
        out[name] = running[col : col + 1]
    return Stats({name: out[name] for name in stats.columns})


@dataclass
class Table:
    """A GNU hash table's entries in its iteration order, with their sums."""

    keys: list[bytes]
    """The raw keys GNU hashes (18-byte command keys, or names)."""
    stats: Stats


def _table(groups: Groups, stats: Stats) -> Table:
    """``stats`` summed per group, the groups in hash-table order (GNU inserts a key when
    its first contribution comes)."""
    inserted = np.argsort(groups.first, kind="stable")
    sums = sequential_sums(groups.codes, stats, len(groups.first))
    inserted_keys = [groups.keys[i] for i in inserted.tolist()]
    order = np.array(iteration_indexes(inserted_keys), dtype=np.intp)
    ordered = Stats({k: v[inserted[order]] for k, v in sums.columns.items()})
    return Table([inserted_keys[i] for i in order.tolist()], ordered)


def command_table(comm: Strings, fork: npt.NDArray[np.integer], stats: Stats) -> Table:
    """The command table for contributions named by ``comm`` (raw 16-byte fields, read as C
    strings) and ``fork``."""
    return _table(command_groups(comm, fork), stats)


def user_table(parts: list[tuple[Strings, npt.NDArray[np.intp]]], stats: Stats) -> Table:
    """The user (or group) table. ``parts`` are (names, codes) pairs in the order the
    contributions come: contribution i of a part is named ``names[codes[i]]``; names are cut
    to 32 bytes."""
    return _table(name_groups(parts, NAME_LEN), stats)


def key_comm(key: bytes) -> bytes:
    """The command of an 18-byte key, as a C string."""
    return key[:16].split(b"\0", 1)[0]


def key_fork(key: bytes) -> int:
    """The fork flag of an 18-byte key."""
    return int.from_bytes(key[16:18], "little", signed=True)
