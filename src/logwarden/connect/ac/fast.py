"""GNU ``ac`` on whole columns: the same report as the state machine, for well-ordered files.

The state machine (:mod:`logwarden.connect.ac.seq`) is simple but walks every record in
Python. For a file without clock changes and without time warps (after the first record)
its behaviour can be computed with array operations instead:

- A *session* starts at every login (USER_PROCESS on a tty). It ends at the next login or
  logout on the same tty (a supplant or a logout), or at the next reboot or shutdown,
  whichever comes first, or stays open until the end of input ("now").
- The *splits*: GNU ac logs everybody out and in again at a local midnight when a record
  passes it. Which midnights split depends only on the record times (the first midnight
  after a record, or every one with ``-d -a``); a short loop over them finds them all.
- A session is credited one piece per split it spans, plus the rest at its end if its end
  kind is credited (logout, shutdown, end of input; supplant with ``--supplants``; reboot
  with ``--reboots``).
- The order of ``-p`` lines is the iteration order of GNU's hash table after inserting the
  users in the order of their first credit; ties (sessions credited by one walk of the login
  table) are broken by the login table's own order (:mod:`logwarden.connect.ac.ranks`).

Whatever this engine does not cover (clock changes, warps, a negative amount, diagnostics)
makes :func:`run` return None, and the caller uses the state machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from logwarden.connect.ac.background import Background
from logwarden.connect.ac.clock import Midnights
from logwarden.connect.ac.columns import Stream
from logwarden.connect.ac.model import AcOptions, Block, Report
from logwarden.connect.ac.order import Credits, group_credits, hash_ordered
from logwarden.connect.ac.segments import Segment
from logwarden.connect.ac.sessions import (
    BOOT,
    OPEN,
    SHUTDOWN,
    Sessions,
    anybody,
    find_sessions,
    number_users,
    record_kinds,
    session_elements,
)

I64 = npt.NDArray[np.int64]

#: Beyond this, ``t + leniency`` could wrap around in C; such values go to the state machine.
_SANE_LIMIT = 1 << 40


@dataclass
class Splits:
    """The midnights at which everybody is logged out and in again, in order."""

    record: I64
    """The record before which each split happens (the record count for the final ones)."""
    midnight: I64
    warp_block: int | None
    """With a time warp at the first record: the midnight that labels GNU's empty block."""


def find_splits(t: I64, options: AcOptions, now: int, midnights: Midnights) -> Splits | None:
    """Replay ``do_totals``' choice of midnights; None if mktime's midnights do not advance."""
    n = len(t)
    every_day = options.daily and options.all_days
    highest = np.maximum.accumulate(t)
    t0 = int(t[0])
    nm = midnights.after(t0)
    warp = t0 + options.leniency < 0 or t0 > options.suspicious
    records: list[int] = []
    mids: list[int] = []
    while True:
        # The first record past the midnight. A record that splits is always the highest
        # so far, so searching the running maximum finds it even when times step back a
        # little (within the leniency) between splits.
        k = int(highest.searchsorted(nm, "right"))
        if k >= n:
            break
        current = int(t[k])
        if every_day:
            while nm < current:
                records.append(k)
                mids.append(nm)
                nm = midnights.after(nm)
        else:
            records.append(k)
            mids.append(nm)
            nm = midnights.after(current)
    last = max(now, int(t[-1]))
    while nm < last:
        records.append(n)
        mids.append(nm)
        nm = midnights.after(nm if every_day else last)
    mid_array = np.array(mids, dtype=np.int64)
    if len(mid_array) > 1 and np.any(mid_array[1:] <= mid_array[:-1]):
        return None
    return Splits(
        np.array(records, dtype=np.int64), mid_array, midnights.after(t0) if warp else None
    )


def build_credits(
    sessions: Sessions, splits: Splits, t: I64, last: int, options: AcOptions
) -> Credits | None:
    """Every amount credited, or None if one is negative (GNU ac stops there)."""
    n = len(t)
    marks, mids = splits.record, splits.midnight
    start, end, kind = sessions.start, sessions.end, sessions.kind
    nobody = len(sessions.names)
    start_t = t[start]
    # Splits at or before each record: a session spans the splits after its login and up
    # to its end record (splits before a record come before that record's own event).
    splits_upto = np.cumsum(np.bincount(marks, minlength=n + 1), dtype=np.int32)
    first = splits_upto[start]
    upto_end = splits_upto[end]
    split = upto_end > first
    padded = np.append(mids, 0)
    if np.any(split & (padded[first] < start_t)):
        return None
    # The last split credited up to (or the login when none): the end piece starts there.
    base = np.where(split, padded[upto_end - 1], start_t)
    credited = np.array([True, options.supplants, options.reboots, True, True])[kind]
    end_t = t[np.minimum(end, n - 1)]
    end_t[kind == OPEN] = last
    if np.any(credited & (end_t < base)):
        return None
    marks_padded = np.append(marks, 0)

    def end_walk(rows: I64) -> I64:
        walks = (kind[rows] == BOOT) | (kind[rows] == SHUTDOWN) | (kind[rows] == OPEN)
        return np.where(walks, end[rows], -1)

    if not options.daily:

        def walk(rows: I64) -> I64:
            return np.where(split[rows], marks_padded[first[rows]], end_walk(rows))

        amount = np.where(credited, end_t, base)
        amount -= start_t
        return Credits(
            block=np.zeros(len(start), dtype=np.int64),
            user=np.where(split | credited, sessions.user, nobody),
            amount=amount,
            ordinal=np.where(split, marks_padded[first] + first, end + upto_end),
            session=lambda rows: rows,
            walk=walk,
        )
    end_amount = end_t - base
    end_ordinal = end + upto_end
    spans = upto_end - first
    owner = np.repeat(np.arange(len(start)), spans)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(spans) - spans, spans)
    j = first[owner] + offset
    previous = np.where(offset == 0, start_t[owner], padded[j - 1])
    ends = np.flatnonzero(credited)
    session = np.concatenate((owner, ends))
    pieces = len(owner)

    def piece_walk(rows: I64) -> I64:
        return np.where(rows < pieces, marks[j[np.minimum(rows, pieces - 1)]] if pieces else 0,
                        end_walk(session[rows]))  # fmt: skip

    return Credits(
        block=np.concatenate((j, upto_end[ends])),
        user=np.concatenate((sessions.user[owner], sessions.user[ends])),
        amount=np.concatenate((mids[j] - previous, end_amount[ends])),
        ordinal=np.concatenate((marks[j] + j, end_ordinal[ends])),
        session=lambda rows: session[rows],
        walk=piece_walk,
    )


def make_blocks(
    sessions: Sessions,
    splits: Splits,
    credits: Credits,
    options: AcOptions,
    last: int,
    midnights: Midnights,
) -> list[Block]:
    """The statistics blocks of the report, in order."""
    count = len(splits.record) + 1 if options.daily else 1
    names = sessions.names
    if options.names is None:
        selected = np.ones(len(names), dtype=bool)
    else:
        wanted = set(options.names)
        selected = np.array([name in wanted for name in names], dtype=bool)
    selected = np.append(selected, False)  # the "credits nothing" user
    if count == 1:
        totals = np.array([int((credits.amount * selected[credits.user]).sum())])
    else:
        weights = (credits.amount * selected[credits.user]).astype(np.float64)
        totals = np.rint(np.bincount(credits.block, weights, minlength=count)).astype(np.int64)
    rows: list[tuple[tuple[bytes, int], ...] | None] = [None] * count
    if options.individual:
        grouped = group_credits(
            credits, len(names) + 1, count, lambda upto: session_elements(sessions, upto)
        )
        for b, ordered in enumerate(hash_ordered(grouped, count, names)):
            rows[b] = tuple((names[u], s) for u, s in ordered if selected[u])
    blocks = []
    if options.daily:
        if splits.warp_block is not None:
            empty = () if options.individual else None
            blocks.append(Block("day", midnights.day_before(splits.warp_block), 0, empty))
        for b, midnight in enumerate(splits.midnight.tolist()):
            blocks.append(Block("day", midnights.day_before(midnight), int(totals[b]), rows[b]))
    blocks.append(Block("final", midnights.day_of(last), int(totals[-1]), rows[-1]))
    return blocks


def _timeline(stream: Stream, options: AcOptions, now: int, midnights: Midnights) -> Splits | None:
    """The record times checked for warps, and the splits; None if the shortcut fails."""
    t = stream.time
    if len(t) > 1:
        step = np.diff(t)
        if np.any(step < -options.leniency) or np.any(step > options.suspicious):
            return None
    return find_splits(t, options, now, midnights)


def run(
    segments: Sequence[Segment], options: AcOptions, now: int, midnights: Midnights
) -> Report | None:
    """The report, or None when the state machine must make it.

    Once the columns are read, the record times (and the midnights they pass) and the user
    names are worked out in a second thread while this one pairs logins with logouts:
    numpy lets go of the GIL in its loops, so the two use two cores.
    """
    if options.complain or options.debug:
        return None
    if max(options.leniency, options.suspicious) > _SANE_LIMIT:
        return None
    stream = Stream(segments)
    if stream.size == 0:
        return None
    stream.load()  # both threads then share the columns
    timeline = Background(_timeline, stream, options, now, midnights)
    kinds = record_kinds(stream)
    if kinds is None:
        timeline.result()
        return None
    if options.individual or options.names is not None:
        users = Background(number_users, stream, kinds).result
    else:
        users = partial(anybody, len(kinds.logins))  # only totals: no need to tell users apart
    sessions = find_sessions(stream, kinds, users)
    splits = timeline.result()
    if splits is None:
        return None
    t = stream.time
    last = max(now, int(t[-1]))
    credits = build_credits(sessions, splits, t, last, options)
    if credits is None:
        return None
    report = Report(engine="fast", errors=[s.error for s in segments if s.error])
    blocks = make_blocks(sessions, splits, credits, options, last, midnights)
    report.items.extend(blocks)
    return report
