"""Sessions on whole columns: every login paired with what ends it.

In GNU ``ac`` a login (USER_PROCESS with a name and a line) puts the tty into its login table.
The entry is ended by the next login on that tty (a *supplant*: the new user takes the
entry over), the next logout on it, or the next reboot or shutdown (everybody goes), and
otherwise stays until the end of input. Since a login always takes the entry, each login
starts exactly one session, whose end is the first of: the next login/logout record on the
same line, the next reboot/shutdown record. Sorting the login and logout records by line
(stably, so each line's records stay in file order) puts that next record right after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.connect.ac.columns import Stream
from logwarden.connect.ac.keys import Codes, factorize_field, factorize_two_words
from logwarden.connect.ac.order import Elements, line_hashes
from logwarden.formats import utmp

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: How a session ends.
LOGOUT, SUPPLANT, BOOT, SHUTDOWN, OPEN = 0, 1, 2, 3, 4
_SHUTDOWN_LEVELS = (ord("0"), ord("6"))
_RADIX_CODES = 1 << 15
# Index: 8 if the next login/logout on the line comes first, + 4 if that record (or the
# global one) is a logout, + 2 if a boot, + 1 if nothing ends the session.
_KIND_OF = np.full(16, OPEN, dtype=np.int64)
_KIND_OF[[0, 4]] = SHUTDOWN  # a RUN_LVL record (a logout cannot be global)
_KIND_OF[[2, 6]] = BOOT
_KIND_OF[[8, 10]] = SUPPLANT
_KIND_OF[[12, 14]] = LOGOUT


@dataclass
class Kinds:
    """What every record does, after munging."""

    login: Bools
    logout: Bools
    boot: Bools
    shutdown: Bools
    logins: I64
    """Row of every login, ascending."""


def record_kinds(stream: Stream) -> Kinds | None:
    """What every record does; None with clock changes (left to the state machine)."""
    munged = stream.munged
    if munged is None:
        return None
    kind, login = munged
    shutdown = np.zeros(stream.size, dtype=bool)
    run_level = np.flatnonzero(kind == utmp.RUN_LVL)
    if len(run_level):
        named = np.array([u == b"shutdown" for u in stream.cstrings("user", run_level)], bool)
        level = stream.pids(run_level) & 255
        shutdown[run_level] = (
            named | (level == _SHUTDOWN_LEVELS[0]) | (level == _SHUTDOWN_LEVELS[1])
        )
    return Kinds(
        login=login,
        logout=(kind == utmp.DEAD_PROCESS) & (stream.line0 != 0),
        boot=kind == utmp.BOOT_TIME,
        shutdown=shutdown,
        logins=np.flatnonzero(login),
    )


@dataclass
class Sessions:
    """One entry per login, in order of (tty, record)."""

    start: I64
    end: I64
    """Record index of the end event; the record count for sessions open at the end."""
    kind: I64
    user: Codes
    line: Codes
    names: list[bytes]
    lines: list[bytes]


def _by_line(codes: Codes, count: int, event: Bools) -> tuple[I64, Codes]:
    """The login/logout records sorted by line and, within a line, by record; and a key per
    record that is equal for two records exactly when their lines are."""
    if count <= _RADIX_CODES:
        key = codes.astype(np.int16)
        np.copyto(key, -1, where=~event)  # everything else sorts first, out of the way
        order = np.argsort(key, kind="stable")  # a radix sort on 16 bits
        return order[len(order) - np.count_nonzero(event) :], key
    events = np.flatnonzero(event)
    packed = np.sort((codes[events].astype(np.uint64) << np.uint64(32)) | events.astype(np.uint64))
    return (packed & np.uint64(0xFFFFFFFF)).astype(np.int64), codes


def number_users(stream: Stream, kinds: Kinds) -> tuple[Codes, list[bytes]]:
    """The user of every login (in record order) as a number, and the names."""

    def user_words(word: int, rows: I64 | None) -> npt.NDArray[np.uint64]:
        records = kinds.logins if rows is None else kinds.logins[rows]
        return stream.words("user", word, records)

    return factorize_two_words(len(kinds.logins), user_words)


def anybody(logins: int) -> tuple[Codes, list[bytes]]:
    """:func:`number_users`' answer when users need not be told apart: all are one."""
    return np.zeros(logins, dtype=np.int16), [b""]


def find_sessions(
    stream: Stream, kinds: Kinds, users: Callable[[], tuple[Codes, list[bytes]]]
) -> Sessions:
    """Pair every login with what ends it (see the module docstring).

    ``users`` gives :func:`number_users`' answer (it may be computed meanwhile elsewhere).
    """
    n = stream.size
    never = n + 1
    codes, lines = factorize_field(n, lambda word, rows: stream.words("line", word, rows))
    ordered, key = _by_line(codes, len(lines), kinds.login | kinds.logout)
    at = np.flatnonzero(kinds.login[ordered])
    start = ordered[at]
    if len(ordered):
        after = ordered[np.minimum(at + 1, len(ordered) - 1)]
        after[(at + 1 == len(ordered)) | (key[after] != key[start])] = never
    else:
        after = start.copy()
    globals_ = np.append(np.flatnonzero(kinds.boot | kinds.shutdown), never)
    end = globals_[np.searchsorted(globals_, start, "right")]
    by_line = after < end
    np.copyto(end, after, where=by_line)
    ended = np.minimum(end, n - 1)
    # (ended by its line, a logout there, a boot there, open) -> kind, as one lookup.
    which = by_line.view(np.uint8) << 3
    which |= kinds.logout[ended].view(np.uint8) << 2
    which |= kinds.boot[ended].view(np.uint8) << 1
    which |= (end == never).view(np.uint8)
    kind = _KIND_OF[which]
    np.copyto(end, n, where=end == never)
    line = codes[start]
    user_codes, names = users()
    user_of = np.zeros(n, dtype=user_codes.dtype)
    user_of[kinds.logins] = user_codes
    return Sessions(start, end, kind, user_of[start], line, names, lines)


def session_elements(sessions: Sessions, upto: int) -> Elements:
    """The login table's entries (supplants keep theirs) as they stand before record
    ``upto`` + 1: only the sessions started by then matter."""
    started = np.flatnonzero(sessions.start <= upto)
    # Sessions are in (line, start) order, so those of a line started by then stay adjacent.
    line, kind = sessions.line[started], sessions.kind[started]
    start, end = sessions.start[started], sessions.end[started]
    kept = np.zeros(len(started), dtype=bool)
    kept[1:] = (line[1:] == line[:-1]) & (kind[:-1] == SUPPLANT)
    head = np.maximum.accumulate(np.where(kept, 0, np.arange(len(started))))
    removed = (kind == LOGOUT) | (kind == BOOT) | (kind == SHUTDOWN)
    return Elements(
        sessions=started,
        element=start[head],
        line_hash=line_hashes(sessions.lines)[line],
        creations=np.sort(start[~kept]),
        deletions=end[removed & (end <= upto)],
    )
