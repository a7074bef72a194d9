"""last / lastb: the sessions of a wtmp (or the attempts of a btmp), newest first, as
util-linux 2.38.1 lists them; computed on columns rather than record by record.

util-linux reads the file backwards keeping a list of the logouts seen so far. A login's
logout is the nearest *later* record (login or logout) on the same tty, unless a "down" record
(boot, shutdown, run level 0 or 6) lies between: such a record empties the list. So:

* logout of a login = next record on the same line in the same stretch between downs;
* a login without one ends at the next down record: ``crash`` after a boot, ``down`` after a
  shutdown; with no later down at all it is still logged in (or gone, see last_phantom);
* a boot ends at the next shutdown (or run level 0/6), else it is "still running";
* a shutdown line ends at the next down record, a run-level line at the next shutdown or
  run-level change.

Each of these is a "nearest later record of some class" question, answered for all records at
once with sorted positions and ``searchsorted``; logins are paired by a stable sort on
(line). The state of the C program at any record depends only on the records after it, so a
suffix of the file is analysed exactly as the whole file would be: ``-n`` reads only the tail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from logwarden.connect.last import munge
from logwarden.formats import utmp

# How a line ends (util-linux's R_* values).
CRASH = 1
DOWN = 2
NORMAL = 3
NOW = 4
REBOOT = 5
PHANTOM = 6
TIMECHANGE = 7

# What the tty column shows instead of the record's own line.
OWN_LINE = 0
SYSTEM_BOOT = 1
SYSTEM_DOWN = 2
OLD_TIME = 3
NEW_TIME = 4
RUNLEVEL = 5

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Settings:
    """What decides which records become lines (the filters on lines come later)."""

    lastb: bool = False
    extended: bool = False
    since: int = 0
    until: int = 0


@dataclass(frozen=True)
class Listing:
    """The lines of one analysed file, in the order ``last`` prints them (newest first).

    ``rec`` indexes the Records that were analysed. ``logout`` is the time util-linux passes
    to its printing function: a real logout, the boot/shutdown that ended the session, or
    0 / now as the C program's state had it.
    """

    rec: Ints
    kind: npt.NDArray[np.int8]
    logout: Ints
    label: npt.NDArray[np.int8]
    runlevel: npt.NDArray[np.uint8]
    unknown_rec: Ints
    """Records of a type ``last`` does not know, newest first (it warns about each)."""
    unknown_type: Ints

    def __len__(self) -> int:
        return len(self.rec)


def analyse(
    records: utmp.Records, settings: Settings, now: int, columns: munge.Columns | None = None
) -> Listing:
    """Every line ``last`` (or ``lastb``) would list for ``records``, newest first.

    ``columns`` are ``munge.read_columns(records)`` when the caller has them already.
    """
    if columns is None:
        columns = munge.read_columns(records)
    kept: Ints | None = None
    if settings.since or settings.until:
        keep = np.ones(len(records), dtype=bool)
        if settings.since:
            keep &= columns.sec >= settings.since
        if settings.until:
            keep &= columns.sec <= settings.until
        kept = np.flatnonzero(keep)
    if settings.lastb:
        rec = np.arange(len(records), dtype=np.int64) if kept is None else kept
        rec = rec[::-1]
        count = len(rec)
        return Listing(
            rec=rec,
            kind=np.full(count, NORMAL, dtype=np.int8),
            logout=columns.sec[rec],
            label=np.zeros(count, dtype=np.int8),
            runlevel=np.zeros(count, dtype=np.uint8),
            unknown_rec=np.zeros(0, dtype=np.int64),
            unknown_type=np.zeros(0, dtype=np.int64),
        )
    return _analyse_wtmp(records, columns, kept, now, settings.extended)


def _take(column: npt.NDArray[Any], kept: Ints | None) -> npt.NDArray[Any]:
    return column if kept is None else column[kept]


def _analyse_wtmp(
    records: utmp.Records, columns: munge.Columns, kept: Ints | None, now: int, extended: bool
) -> Listing:
    sec: Ints = _take(columns.sec, kept)
    line_word = _take(columns.line, kept)
    eff = munge.effective_types(_take(columns.type, kept), _take(columns.user, kept), line_word)

    def original(positions: Ints) -> Ints:
        return positions if kept is None else kept[positions]

    is_boot = eff == utmp.BOOT_TIME
    is_shutdown = eff == munge.SHUTDOWN_TIME
    is_runlevel = eff == utmp.RUN_LVL
    runlevels = np.flatnonzero(is_runlevel)
    level = np.zeros(len(eff), dtype=np.uint8)
    level[runlevels] = records.raw["pid"][original(runlevels)] & 0xFF
    runlevel_down = is_runlevel & ((level == ord("0")) | (level == ord("6")))
    goes_down = is_shutdown | runlevel_down  # sets lastdown; whydown = DOWN
    down = is_boot | goes_down  # empties the list of logouts; sets lastboot
    level_change = is_shutdown | is_runlevel  # sets lastrch
    is_time = (eff == utmp.OLD_TIME) | (eff == utmp.NEW_TIME)
    is_user = eff == utmp.USER_PROCESS
    is_dead = eff == utmp.DEAD_PROCESS

    later = _Later(sec)
    # Logins: paired with the next login/logout on their line in their stretch.
    users = np.flatnonzero(is_user)
    has_line = (line_word & np.uint64(0xFF)) != 0
    members = np.flatnonzero((is_user | is_dead) & has_line)
    line_words = munge.field_words(records, "line", 4)
    keys = munge.line_keys(line_word[members], lambda rows: line_words[original(members[rows])])
    user_logout, user_kind = _pair_logins(
        users, has_line[users], members, is_user[members], keys, np.flatnonzero(down), sec,
        goes_down,
    )  # fmt: skip

    listed = is_user | is_boot
    if extended:
        listed = listed | is_shutdown | is_runlevel | is_time
    order = np.flatnonzero(listed)[::-1]
    count = len(order)
    kind = np.full(count, NORMAL, dtype=np.int8)
    logout = np.zeros(count, dtype=np.int64)
    label = np.zeros(count, dtype=np.int8)

    where_user = is_user[order]
    logout[where_user] = user_logout[::-1]
    kind[where_user] = user_kind[::-1]

    where = np.flatnonzero(is_boot[order])
    logout[where] = later.time(goes_down, order[where], now)
    kind[where] = REBOOT
    label[where] = SYSTEM_BOOT

    if extended:
        where = np.flatnonzero(is_shutdown[order])
        logout[where] = later.time(down, order[where], 0)
        label[where] = SYSTEM_DOWN

        where = np.flatnonzero(is_runlevel[order])
        logout[where] = later.time(level_change, order[where], now)
        label[where] = RUNLEVEL

        where = np.flatnonzero(is_time[order])
        logout[where] = later.time(goes_down, order[where], now)
        kind[where] = TIMECHANGE
        label[where] = np.where(eff[order[where]] == utmp.OLD_TIME, OLD_TIME, NEW_TIME)

    # After the rewriting every glibc type (0-9) is handled, or ignored without a word
    # (EMPTY, INIT_PROCESS, LOGIN_PROCESS, ACCOUNTING); so is util-linux's own 254.
    known = ((eff >= utmp.EMPTY) & (eff <= utmp.ACCOUNTING)) | is_shutdown
    unknown = np.flatnonzero(~known)[::-1]
    return Listing(
        rec=original(order).astype(np.int64, copy=False),
        kind=kind,
        logout=logout,
        label=label,
        runlevel=level[order],
        unknown_rec=original(unknown),
        unknown_type=eff[unknown].astype(np.int64),
    )


class _Later:
    """Times of the nearest later record of a class, for many positions at once."""

    def __init__(self, sec: Ints) -> None:
        self._sec = sec

    def time(self, members: npt.NDArray[np.bool_], at: Ints, default: int) -> Ints:
        positions = np.flatnonzero(members)
        nxt = np.searchsorted(positions, at, side="right")
        found = nxt < len(positions)
        result = np.full(len(at), default, dtype=np.int64)
        result[found] = self._sec[positions[nxt[found]]]
        return result


def _pair_logins(
    users: Ints,
    user_has_line: Bools,
    members: Ints,
    member_is_user: Bools,
    keys: Ints,
    down_at: Ints,
    sec: Ints,
    goes_down: Bools,
) -> tuple[Ints, npt.NDArray[np.int8]]:
    """Logout time and kind for each login in ``users`` (positions, ascending).

    ``members`` are the positions util-linux keeps in its list of logouts (logins and
    logouts with a line), ``member_is_user`` tells its logins, ``keys`` its lines as small
    integers. A login without a line is never stored, and so never matched.
    """
    logout = np.zeros(len(users), dtype=np.int64)
    kind = np.full(len(users), NORMAL, dtype=np.int8)
    if len(users) == 0:
        return logout, kind
    nxt = np.full(len(users), -1, dtype=np.int64)
    if len(members):
        key_type = np.uint16 if keys.max() < 65536 else np.int64
        by_line = np.argsort(keys.astype(key_type), kind="stable")  # positions ascend per line
        sorted_keys = keys[by_line]
        following = np.full(len(members), -1, dtype=np.int64)
        following[by_line[:-1]] = np.where(
            sorted_keys[1:] == sorted_keys[:-1], members[by_line[1:]], -1
        )
        nxt[user_has_line] = following[member_is_user]
    # The stretch between downs a position is in: how many down records precede it.
    downs_before = np.zeros(int(users[-1]) + 1, dtype=np.int32)
    downs_before[down_at[down_at <= users[-1]]] = 1
    np.cumsum(downs_before, out=downs_before)
    stretch = downs_before[users]
    matched = nxt >= 0
    # A follower after the last login may lie beyond the table: it is in a later stretch
    # exactly when a down record lies between.
    followers = nxt[matched]
    beyond = followers > users[-1]
    same = np.empty(len(followers), dtype=bool)
    same[~beyond] = downs_before[followers[~beyond]] == stretch[matched][~beyond]
    same[beyond] = (
        np.searchsorted(down_at, followers[beyond], side="right") == stretch[matched][beyond]
    )
    matched[matched] = same
    logout[matched] = sec[nxt[matched]]

    # Unmatched: ended by the next down record, or still open when there is none.
    open_ = np.flatnonzero(~matched)
    has_down = stretch[open_] < len(down_at)
    ended_by = down_at[stretch[open_][has_down]]
    ended = open_[has_down]
    logout[ended] = sec[ended_by]
    kind[ended] = np.where(goes_down[ended_by], DOWN, CRASH)
    # util-linux tests its lastboot *value*: a down record stamped 0 leaves logins open.
    kind[ended[sec[ended_by] == 0]] = NOW
    kind[open_[~has_down]] = NOW
    return logout, kind
