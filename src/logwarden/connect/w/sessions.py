"""w: who is logged on and what they are doing, as procps-ng 4.0.2 ``w`` works it out.

Each USER_PROCESS entry of utmp becomes a :class:`Session` if its login process still runs
here. Its terminal's device number picks the processes that count: their CPU time adds up to
JCPU, and the newest of them in the terminal's foreground process group, owned by the user,
is WHAT (with its own CPU time as PCPU). ``wtext`` renders sessions in procps' layout.

A utmp file copied from another machine has no processes here: :func:`foreign_sessions`
keeps what the file itself says and leaves the rest unknown.

References: procps-ng 4.0.2 ``src/w.c``, ``library/uptime.c``, ``library/readproc.c``;
../shared/spec/unix-tools.md section 6.3.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from logwarden.connect.w.procfs import Process
from logwarden.formats import utmp
from logwarden.sources.accounts import Accounts

#: procps' longest WHAT and the room ``w`` keeps for its other columns.
MAX_CMD_WIDTH = 512
MIN_CMD_WIDTH = 7


@dataclass(frozen=True)
class Session:
    """One row of ``w``; None means "not known" (a file from another host)."""

    entry: utmp.Entry
    tty: bytes
    """The line as procps cleans it: letters, digits and '/' up to the first other byte."""
    idle: int | None
    """Seconds since the terminal was last used (None for X logins, whose line is ':N')."""
    jcpu: int | None
    """CPU ticks of every process on the terminal."""
    pcpu: int | None
    """CPU ticks of the WHAT process (0 when none was found: shown as '?')."""
    what: bytes | None
    """The WHAT command line, ``-`` when nothing was found."""
    live: bool | None
    """True when the login process still exists; None when that cannot be checked here."""


def clean_tty(line: bytes) -> bytes:
    """procps' clean-up of a garbled line: it stops at the first byte that is not an ASCII
    letter, digit or '/' (so ``:0`` becomes empty)."""
    for i, byte in enumerate(line):
        if not (
            byte == 0x2F or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A
        ):
            return line[:i]
    return line


def _c_int(value: int) -> int:
    """``value`` converted to a 32-bit C int, as procps stores a device number."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _stat(path: bytes) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def tty_device(name: bytes) -> int:
    """procps' ``get_tty_device``: the device number of the terminal called ``name``.

    Tried as an absolute path, then as ``/dev/NAME``, ``/dev/ttyNAME`` and ``/dev/pts/NAME``
    (each cut to 31 bytes, as procps' buffer cuts it); -1 when none exists. Note that an
    empty name finds ``/dev/`` itself, whose device number is 0: the number of "no terminal".
    """
    if name.startswith(b"/"):
        st = _stat(name)
        if st is not None:
            return _c_int(st.st_rdev)
    for prefix in (b"/dev/", b"/dev/tty", b"/dev/pts/"):
        st = _stat((prefix + name)[:31])
        if st is not None:
            return _c_int(st.st_rdev)
    return -1


def idle_seconds(tty: bytes, now: int) -> int:
    """Seconds since ``/dev/TTY`` was last read or written (0 if it cannot be examined)."""
    st = _stat(b"/dev/" + tty)
    if st is None:
        return 0
    return now - st.st_atime_ns // 1_000_000_000


@dataclass(frozen=True)
class Activity:
    """What the process table says about one terminal: see :func:`find_activity`."""

    found_login: bool
    jcpu: int
    pcpu: int
    what: bytes


def find_activity(
    login_pid: int, device: int, uid: int | None, table: Sequence[Process]
) -> Activity:
    """procps' ``find_best_proc``, step for step (ties go the same way).

    ``uid`` is the user's id, or None when ``-u`` asks to ignore who owns a process.
    """
    best_time = 0
    second_best = 0
    what = b"-"
    pcpu = 0
    jcpu = 0
    found = False
    for proc in table:
        if proc.pid == login_pid:
            found = True
            if not best_time:
                best_time, what, pcpu = proc.start, proc.cmdline, proc.ticks
        if proc.tty != device:
            continue
        jcpu += proc.ticks
        if not (second_best and proc.start <= second_best):
            second_best = proc.start
            if what == b"-":
                what, pcpu = proc.cmdline, proc.ticks
        if (
            (uid is not None and uid != proc.euid and uid != proc.ruid)
            or proc.pgrp != proc.tpgid
            or proc.start <= best_time
        ):
            continue
        best_time, what, pcpu = proc.start, proc.cmdline, proc.ticks
    return Activity(found, jcpu, pcpu, what)


def wanted(entry: utmp.Entry, user: bytes | None) -> bool:
    """A USER_PROCESS entry ``w`` lists: any with a name, or those of ``user``."""
    if entry.type != utmp.USER_PROCESS:
        return False
    if user is None:
        return entry.user != b""
    return user[: utmp.USER_SIZE] == entry.user


def sessions(
    entries: Iterable[utmp.Entry],
    user: bytes | None,
    accounts: Accounts | None,
    table: Callable[[], Sequence[Process]],
    now: int,
) -> list[Session]:
    """The live sessions of ``entries`` (utmp order), as ``w`` lists them at ``now``.

    ``accounts`` resolves a session's user to its uid (None for ``-u``, which neither checks
    that the user exists nor who owns the processes). ``table`` reads the process table; it is
    called once, and only if some session needs it.
    """
    found: list[Session] = []
    processes: Sequence[Process] | None = None
    for entry in entries:
        if not wanted(entry, user):
            continue
        uid: int | None = None
        if accounts is not None:
            account = accounts.by_name(entry.user)
            if account is None:
                continue
            uid = account.uid
        tty = clean_tty(entry.line)
        if processes is None:
            processes = table()
        activity = find_activity(entry.pid, tty_device(tty), uid, processes)
        if not activity.found_login:  # a stale entry: its login process is gone
            continue
        idle = None if entry.line.startswith(b":") else idle_seconds(tty, now)
        found.append(Session(entry, tty, idle, activity.jcpu, activity.pcpu, activity.what, True))
    return found


def foreign_sessions(
    entries: Iterable[utmp.Entry], user: bytes | None, accounts: Accounts | None
) -> list[Session]:
    """Every session a utmp file from another host records, with nothing this host can't know.

    ``accounts`` (that host's passwd, from ``--passwd``) drops users it does not have, as
    ``w`` drops users unknown to the local passwd; None keeps every user.
    """
    return [
        Session(entry, clean_tty(entry.line), None, None, None, None, None)
        for entry in entries
        if wanted(entry, user) and (accounts is None or accounts.by_name(entry.user) is not None)
    ]


def count_users(entries: Iterable[utmp.Entry]) -> int:
    """The header's user count: USER_PROCESS entries with a name, stale or not."""
    return sum(1 for e in entries if e.type == utmp.USER_PROCESS and e.user != b"")


def command_width(columns: int, userlen: int, fromlen: int, show_from: bool, long: bool) -> int:
    """Room left for WHAT on a line ``columns`` wide (procps' ``maxcmd``, clamped twice)."""
    width = min(max(columns, MIN_CMD_WIDTH), MAX_CMD_WIDTH)
    width -= 21 + userlen + (fromlen if show_from else 0) + (20 if long else 0)
    return min(max(width, MIN_CMD_WIDTH), MAX_CMD_WIDTH)
