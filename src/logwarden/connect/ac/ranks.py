"""The order in which GNU ``ac`` walks its login table, without replaying every login.

When everybody is logged out at once (a midnight, a shutdown, a reboot, the end of input),
``ac`` credits the open sessions in the iteration order of its tty-keyed hash table
(:mod:`logwarden.gnuhash`). That order decides which user enters the totals table
first, and so the order of ``-p`` lines. The vectorized engine needs it only to break ties:
which of two sessions credited at the same moment comes first.

The relative order of two elements in a chained hash table does not change when other
elements come and go, so it can be computed from each element's history alone. An element is
a tty's entry: created by a login on a free tty, kept by later logins on it (supplants) and
removed by a logout or by everybody being logged out. Between two growths of the table
(growth *L* happens when the number of entries first exceeds ``int(size * 0.6)``), two
elements compare by

1. bucket: ``hash(tty) % size``;
2. in the same bucket, one created after the latest growth comes first (new elements are
   pushed onto the head), the later-created first;
3. two that both survived the latest growth come in the *reverse* of their order just before
   it (growing walks the old table and pushes each element onto the head of its new bucket).

So a rank per growth level, computed level after level with one lexsort each, orders any set
of elements that exist together.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from logwarden.gnuhash import resize_threshold, table_size

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


def growth_points(creations: I64, deletions: I64) -> I64:
    """Record indices of the logins whose insertion made the login table grow.

    ``creations``: record index of every element's creation, ascending; ``deletions``: record
    index of every removal, in any order (with repeats when many go at once).
    """
    if not len(creations):
        return np.zeros(0, dtype=np.int64)
    # Entries present just after each creation: created so far minus removed before it.
    span = int(max(creations.max(), deletions.max() if len(deletions) else 0)) + 1
    removed_before = np.cumsum(np.bincount(deletions, minlength=span + 1))[creations - 1]
    removed_before[creations == 0] = 0
    present = np.arange(1, len(creations) + 1) - removed_before
    points = []
    level = 0
    start = 0
    while start < len(present):
        over = np.flatnonzero(present[start:] > resize_threshold(table_size(level)))
        if not len(over):
            break
        at = start + int(over[0])
        points.append(int(creations[at]))
        start = at + 1
        level += 1
    return np.array(points, dtype=np.int64)


def level_at(points: I64, records: I64) -> I64:
    """The growth level of the table when the events at ``records`` walk it.

    An event at a record that also creates an element (a split before a login) walks the
    table before that login is inserted, hence the "left" side.
    """
    return np.searchsorted(points, records, "left").astype(np.int64)


def element_ranks(created: I64, hashes: U64, points: I64, max_level: int) -> I64:
    """Per level, the position of each element in the table's iteration order.

    ``created``: record index of each element's creation; ``hashes``: the unreduced GNU hash
    of its tty. Returns an array (max_level + 1, elements); a rank is meaningful only at
    levels at which the element exists (and -1 before it is created).
    """
    count = len(created)
    ranks = np.full((max_level + 1, count), -1, dtype=np.int64)
    born = level_at(points, created)
    for level in range(max_level + 1):
        members = np.flatnonzero(born <= level)
        if not len(members):
            continue
        bucket = (hashes[members] % np.uint64(table_size(level))).astype(np.int64)
        fresh = born[members] == level
        group = np.where(fresh, 0, 1)
        previous = ranks[level - 1, members] if level else np.zeros(len(members), np.int64)
        secondary = np.where(fresh, -created[members], -previous)
        order = np.lexsort((secondary, group, bucket))
        ranks[level, members[order]] = np.arange(len(members), dtype=np.int64)
    return ranks
