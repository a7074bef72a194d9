"""GNU sa's tables: totals per command and per user (or group), exactly as sa 6.6.4 sums them.

sa keeps two hash tables. The command table is keyed by (command as a C string of at most 16
bytes, the fork-without-exec flag), so ``bash`` and a forked-only ``bash`` are always two rows;
the user table by the user's (or with ``-M`` the group's) name, cut to 32 bytes. Each record
adds its values in the order the records are read: first the summary file (savacct or
usracct), then the pacct file. Floating-point sums depend on that order, so they are computed
with ``np.bincount`` (which adds element by element, in order) and never with a pairwise sum.

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

import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.acct import fields
from logwarden.acct.codes import first_uses, group_codes
from logwarden.acct.hashtab import iteration_order
from logwarden.formats import acct
from logwarden.formats.savacct import STAT_FIELDS

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


def record_stats(records: acct.Records, faults: bool = True) -> Stats:
    """Each record's contribution, computed with the same double operations as GNU.

    ``faults=False`` leaves the page-fault and swap sums at zero (for reports that do not
    show them)."""
    # One tick rate for every record (the usual case): divide by the scalar, which gives
    # the same doubles as dividing by a column of it.
    ahz: F64 | float = (
        float(acct.AHZ) if fields.all_ahz_100(records) else records["ahz"].astype(np.float64)
    )
    count = len(records)
    zeros = np.broadcast_to(np.float64(0.0), (count,))  # an all-zero column, never summed

    def ticks(name: str) -> F64:
        raw = records[name]
        return fields.comp(records, name) / ahz if raw.any() else zeros

    columns = {
        "calls": np.broadcast_to(np.uint64(1), (count,)),
        "user": ticks("utime"),
        "sys": ticks("stime"),
        "elapsed": records["etime"].astype(np.float64) / ahz,
        "mem": fields.comp(records, "mem") / PAGE_KB,
        "io": ticks("io"),
    }
    for name in ("minflt", "majflt", "swaps"):
        if faults and records[name].any():
            columns[name] = fields.comp(records, name).astype(np.float64)
        else:
            columns[name] = zeros
    return Stats(columns)


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
    """Everything added in order (GNU's ``stats_totals``): a running sum, never pairwise."""
    out: dict[str, np.ndarray] = {}
    for name, values in stats.columns.items():
        if len(values) == 0 or (_constant(values) and values[0] == 0):
            out[name] = np.zeros(1, dtype=values.dtype)
        elif name == "calls":
            out[name] = np.array([int(values.sum(dtype=np.uint64))], dtype=np.uint64)
        else:
            out[name] = np.cumsum(values)[-1:]
    return Stats(out)


@dataclass
class Table:
    """A GNU hash table's entries in its iteration order, with their sums."""

    keys: list[bytes]
    """The raw keys GNU hashes (18-byte command keys, or names)."""
    stats: Stats


def _table(
    groups: npt.NDArray[np.intp],
    first: npt.NDArray[np.intp],
    key_bytes: dict[int, bytes],
    stats: Stats,
) -> Table:
    """Group ``stats`` by ``groups`` (0..n-1, one per contribution; group g is first used at
    ``first[g]``), in hash-table order. ``key_bytes[first[g]]`` is GNU's key of group g."""
    count = len(first)
    inserted = np.argsort(first, kind="stable")  # insertion order = order of first use
    sums = sequential_sums(groups, stats, count)  # per group, whatever its label
    inserted_keys = [key_bytes[i] for i in first[inserted].tolist()]
    order = np.array(iteration_order(inserted_keys), dtype=np.intp)
    ordered = Stats({k: v[inserted[order]] for k, v in sums.columns.items()})
    return Table([inserted_keys[i] for i in order.tolist()], ordered)


def command_key(comm: bytes, fork: int) -> bytes:
    """GNU's ``struct command_key``: comm zero-padded to 16 bytes, ``short fork_flag``."""
    return comm[:16].ljust(16, b"\0") + (fork & 0xFFFF).to_bytes(2, "little")


def command_table(comm: Strings, fork: npt.NDArray[np.integer], stats: Stats) -> Table:
    """The command table for contributions named by ``comm`` (C strings) and ``fork``."""
    comm = np.ascontiguousarray(np.asarray(comm).astype("S16", copy=False))
    words = comm.view(np.uint64).reshape(-1, 2)
    fork16 = np.asarray(fork, dtype=np.uint64) & np.uint64(0xFFFF)
    with np.errstate(over="ignore"):
        mixed = (
            words[:, 0] * np.uint64(0x9E3779B97F4A7C15)
            ^ words[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F)
            ^ (fork16 + np.uint64(1)) * np.uint64(0x165667B19E3779F9)
        )
    distinct, inverse = group_codes(mixed)
    first = first_uses(inverse, len(distinct))
    same = first[inverse]
    low = np.ascontiguousarray(words[:, 0])
    high = np.ascontiguousarray(words[:, 1])
    if not (
        (low[same] == low).all() and (high[same] == high).all() and (fork16[same] == fork16).all()
    ):
        # A hash collision: group by the exact bytes instead.
        exact = np.rec.fromarrays([comm, fork16]).view(np.void)
        _, first, inverse = np.unique(exact, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
    key_bytes = {int(i): command_key(comm[i], int(fork16[i])) for i in first.tolist()}
    return _table(inverse, first, key_bytes, stats)


def user_table(parts: list[tuple[Strings, npt.NDArray[np.intp]]], stats: Stats) -> Table:
    """The user (or group) table. ``parts`` are (names, codes) pairs in the order the
    contributions come: contribution i of a part is named ``names[codes[i]]``; names are cut
    to 32 bytes."""
    tables = [np.asarray(names).astype(f"S{NAME_LEN}") for names, _ in parts]
    offsets = np.cumsum([0] + [len(t) for t in tables])
    codes = np.concatenate(
        [np.asarray(c, dtype=np.intp) + offsets[i] for i, (_, c) in enumerate(parts)]
    ) if parts else np.zeros(0, dtype=np.intp)  # fmt: skip
    combined = np.concatenate(tables) if tables else np.zeros(0, dtype=f"S{NAME_LEN}")
    distinct, name_of_code = np.unique(combined, return_inverse=True)
    index = name_of_code.reshape(-1)[codes] if len(codes) else codes
    listed = distinct.tolist()
    first = first_uses(index, len(listed))
    key_bytes = {int(i): listed[int(index[i])] for i in first.tolist()}
    return _table(index, first, key_bytes, stats)


def key_comm(key: bytes) -> bytes:
    """The command of an 18-byte key, as a C string."""
    return key[:16].split(b"\0", 1)[0]


def key_fork(key: bytes) -> int:
    """The fork flag of an 18-byte key."""
    return int.from_bytes(key[16:18], "little", signed=True)
