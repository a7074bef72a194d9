"""Which listed lines ``last`` prints: the user/tty arguments, ``--present``, the line limit;
and how "still logged in" is told from "gone" for the lines that are printed.

util-linux applies these in its printing function, after the pairing, so they never change
which logout a login gets. The limit stops the whole run: records after the last printed line
are not even looked at (which is why only the warnings up to there are given).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from logwarden.connect.last import analyse as analysis
from logwarden.connect.last import munge
from logwarden.connect.last.fields import ttys, users
from logwarden.connect.last.phantom import PhantomPolicy
from logwarden.formats import utmp

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Criteria:
    """The filters on lines: names and ttys (``last alice tty1``) and ``--present T``."""

    show: tuple[bytes, ...] = ()
    present: int = 0

    @classmethod
    def of(cls, operands: Sequence[str], present: int) -> Criteria:
        return cls(tuple(os.fsencode(arg) for arg in operands), present)


@dataclass(frozen=True)
class Selection:
    """The printed lines of one file and what else that run of ``last`` did."""

    listing: analysis.Listing
    cut: Bools
    """Lines whose user name is shown cut to 31 bytes (util-linux's is_phantom does that)."""
    warnings: list[int]
    """ut_type values util-linux warns about, in the order it does."""
    limited: bool
    """True when the line limit was reached (the run stopped there)."""


def name_cut(listing: analysis.Listing, columns: munge.Columns, policy: PhantomPolicy) -> Bools:
    """The still-open logins whose name the phantom check cuts to 31 bytes."""
    if policy.cut_after is None:
        return np.zeros(len(listing), dtype=bool)
    cut = np.zeros(len(listing), dtype=bool)
    open_rows = np.flatnonzero(listing.kind == analysis.NOW)
    cut[open_rows] = columns.sec[listing.rec[open_rows]] >= policy.cut_after
    return cut


def select(
    listing: analysis.Listing,
    records: utmp.Records,
    criteria: Criteria,
    limit: int | None,
    policy: PhantomPolicy,
    columns: munge.Columns,
) -> Selection:
    """The lines of ``listing`` that are printed, at most ``limit`` of them."""
    cut = name_cut(listing, columns, policy)
    wanted = np.ones(len(listing), dtype=bool)
    if criteria.show:
        wanted &= _shown(listing, records, criteria.show, cut, columns)
    if criteria.present:
        login = columns.sec[listing.rec]
        logout = listing.logout
        wanted &= (login <= criteria.present) & ~((logout > 0) & (logout < criteria.present))
    rows = np.flatnonzero(wanted)
    limited = limit is not None and len(rows) >= limit
    if limit is not None:
        rows = rows[:limit]
    chosen = _subset(listing, rows)
    if limited:
        stop_at = int(chosen.rec[-1])
        unknown = listing.unknown_type[listing.unknown_rec > stop_at]
    else:
        unknown = listing.unknown_type
    chosen = _resolve_open(chosen, records, cut[rows], policy, columns)
    return Selection(chosen, cut[rows], unknown.tolist(), limited)


def _subset(listing: analysis.Listing, rows: npt.NDArray[np.intp]) -> analysis.Listing:
    if len(rows) == len(listing):
        return listing
    return replace(
        listing,
        rec=listing.rec[rows],
        kind=listing.kind[rows],
        logout=listing.logout[rows],
        label=listing.label[rows],
        runlevel=listing.runlevel[rows],
    )


def _shown(
    listing: analysis.Listing,
    records: utmp.Records,
    show: tuple[bytes, ...],
    cut: Bools,
    columns: munge.Columns,
) -> Bools:
    """util-linux's match: ``strncmp(user, arg, 32)``, the tty, or ``ttyN`` given as ``N``."""
    names = users(records, listing.rec, cut)
    lines = ttys(records, listing, 32, columns)
    wanted_names = np.array([arg[:32] for arg in show], dtype=bytes)
    wanted_lines = np.array(list(show), dtype=bytes)
    match: Bools = np.isin(names, wanted_names) | np.isin(lines, wanted_lines)
    tty = np.strings.startswith(lines, b"tty")
    if tty.any():
        rest = np.strings.slice(lines[tty], 3, None)
        match[tty] |= np.isin(rest, wanted_lines)
    return match


def _resolve_open(
    listing: analysis.Listing,
    records: utmp.Records,
    cut: Bools,
    policy: PhantomPolicy,
    columns: munge.Columns,
) -> analysis.Listing:
    """Turn the open logins that the policy finds stale into "gone - no logout"."""
    open_rows = np.flatnonzero(listing.kind == analysis.NOW)
    if len(open_rows) == 0:
        return listing
    recs = listing.rec[open_rows]
    names = users(records, recs, cut[open_rows])
    lines = records.cstrings("line", recs)
    # Only these records' fields: a whole column would read the whole file.
    pids = records.raw["pid"][recs].astype(np.int64)
    logins = columns.sec[recs]
    kind = listing.kind.copy()
    for row, name, pid, line, login in zip(
        open_rows.tolist(), names.tolist(), pids.tolist(), lines.tolist(), logins.tolist(),
        strict=True,
    ):  # fmt: skip
        if policy.is_phantom(name, pid, line, login):
            kind[row] = analysis.PHANTOM
    return replace(listing, kind=kind)
