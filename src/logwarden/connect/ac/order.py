"""The order of ``-p`` lines from credit events, as GNU ac's totals table would give it.

Every amount GNU ac credits goes through ``update_user_time``, which inserts the user into the
totals table at its first credit (even of zero seconds). The table's iteration order follows
from the order of those first insertions (:func:`logwarden.gnuhash.iteration_order`);
with ``-d`` the table is emptied after each day but keeps its grown size.

Credit events are numbered by an *ordinal* that follows GNU's processing order: the splits
before a record come before the record's own event, and several splits before one record
(``-d -a``) come in midnight order. Two users credited by the same event (one walk of the
login table: a split, a reboot, a shutdown, the final catch-up) are ordered by the login
table (:mod:`logwarden.connect.ac.ranks`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.connect.ac.keys import unique_inverse
from logwarden.connect.ac.ranks import element_ranks, growth_points, level_at
from logwarden.gnuhash import GnuHashTable, gnu_hash

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class Credits:
    """Credit events: who, how much, in which block, when (ordinal), by which walk.

    ``user`` equal to the number of users marks an event that credits nothing (kept so
    that arrays need not be compressed). ``session`` and ``walk`` are asked only for the
    few events whose order must be broken by the login table.
    """

    block: I64
    user: I64
    amount: I64
    ordinal: I64
    session: Callable[[I64], I64]
    """The session of each of the given events."""
    walk: Callable[[I64], I64]
    """Record index of the login-table walk that credits each of the given events."""


@dataclass
class Elements:
    """The login table's entries as the tie-breaking needs them, up to some record.

    ``sessions`` are the sessions that started by then (ascending session numbers);
    ``element`` and ``line_hash`` are given for each of them.
    """

    sessions: I64
    element: I64
    """Record index of the login that created the tty entry the session lives in."""
    line_hash: npt.NDArray[np.uint64]
    creations: I64
    deletions: I64

    def of(self, sessions: I64) -> tuple[I64, npt.NDArray[np.uint64]]:
        """(element, line hash) of each of ``sessions`` (which must have started by then)."""
        at = np.searchsorted(self.sessions, sessions)
        return self.element[at], self.line_hash[at]


@dataclass
class Grouped:
    """Per (block, user) with at least one credit: the sum and the place in the order."""

    block: I64
    user: I64
    seconds: I64


_DENSE_LIMIT = 1 << 22
_NEVER = np.iinfo(np.int64).max


def _ties(rows_block: I64, rows_first: I64) -> Bools:
    """Rows whose (block, first ordinal) is shared with another row."""
    order = np.lexsort((rows_first, rows_block))
    same = (np.diff(rows_block[order]) == 0) & (np.diff(rows_first[order]) == 0)
    tied = np.zeros(len(order), dtype=bool)
    tied[order[1:][same]] = True
    tied[order[:-1][same]] = True
    return tied


def group_credits(
    credits: Credits, users: int, blocks: int, elements: Callable[[int], Elements]
) -> Grouped:
    """Sum credits per (block, user) and sort the groups into GNU's insertion order.

    Groups are ordered by block, then by the ordinal of their first credit; groups whose
    first credit is the same walk of the login table are ordered by the table
    (``elements(last_record)`` is called only then, for the table up to the last walk).
    """
    cid = credits.block * users + credits.user
    size = blocks * users
    if size > _DENSE_LIMIT:
        keys, cid = unique_inverse(cid)
        size = len(keys)
    else:
        keys = np.arange(size, dtype=np.int64)
    present = np.bincount(cid, minlength=size) > 0
    present[keys % users == users - 1] = False  # the "credits nothing" user
    sums = np.rint(np.bincount(cid, credits.amount.astype(np.float64), minlength=size))
    first = np.full(size, _NEVER, dtype=np.int64)
    np.minimum.at(first, cid, credits.ordinal)
    rows = np.flatnonzero(present)
    block, user = keys[rows] // users, keys[rows] % users
    rank = np.zeros(len(rows), dtype=np.int64)
    tied = _ties(block, first[rows])
    if tied.any():
        row_of = np.full(size, -1, dtype=np.int64)
        row_of[rows] = np.arange(len(rows))
        event_row = row_of[cid]
        candidate = np.flatnonzero(
            (event_row >= 0) & tied[event_row] & (credits.ordinal == first[cid])
        )
        walks = credits.walk(candidate)
        table = elements(int(walks.max()))
        rank = _tie_ranks(credits, candidate, walks, event_row[candidate], len(rows), table)
        rank = np.where(tied, rank, 0)
    final = np.lexsort((rank, first[rows], block))
    return Grouped(block[final], user[final], sums[rows][final].astype(np.int64))


def _tie_ranks(
    credits: Credits,
    candidate: I64,
    walks: I64,
    candidate_row: I64,
    rows: int,
    elements: Elements,
) -> I64:
    """Per row, the login-table position of its first session in the tied walk."""
    points = growth_points(elements.creations, elements.deletions)
    levels = level_at(points, walks)
    created, line_hash = elements.of(credits.session(candidate))
    elems, which = unique_inverse(created)
    hashes = np.zeros(len(elems), dtype=np.uint64)
    hashes[which] = line_hash
    table = element_ranks(elems, hashes, points, int(levels.max()))
    best = np.full(rows, _NEVER, dtype=np.int64)
    np.minimum.at(best, candidate_row, table[levels, which.reshape(-1)])
    return best


def hash_ordered(grouped: Grouped, blocks: int, names: list[bytes]) -> list[list[tuple[int, int]]]:
    """Per block, (user, seconds) in the iteration order of GNU's totals table."""
    table: GnuHashTable[int] = GnuHashTable()
    seconds_of: dict[int, int] = {}
    result: list[list[tuple[int, int]]] = [[] for _ in range(blocks)]
    bounds = np.searchsorted(grouped.block, np.arange(blocks + 1))
    users = grouped.user.tolist()
    amounts = grouped.seconds.tolist()
    for b in range(blocks):
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        if lo == hi:
            continue
        seconds_of.clear()
        for u, s in zip(users[lo:hi], amounts[lo:hi], strict=True):
            table.insert(names[u], u)
            seconds_of[u] = s
        result[b] = [(u, seconds_of[u]) for _, u in table.items()]
        table.clear()
    return result


def line_hashes(lines: list[bytes]) -> npt.NDArray[np.uint64]:
    """GNU's unreduced hash of every distinct tty line."""
    return np.array([gnu_hash(line) for line in lines], dtype=np.uint64)
