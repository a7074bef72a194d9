"""who: the rows coreutils 9.1 ``who`` prints for a utmp or wtmp file (Debian's build, with
its ``--ips`` patch).

Each record of a kind the options ask for becomes a :class:`WhoRow`; ``whotext`` renders
rows in coreutils' column layout. What a row says about the terminal (idle time, whether it
takes messages) comes from the device on *this* machine, as in coreutils: for a file copied
from another host those columns describe local devices of the same name, if any.

References: coreutils 9.1 ``src/who.c`` and gnulib ``readutmp``; Debian patch
``61_whoips.patch``; ../shared/spec/unix-tools.md section 6.1.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from logwarden.connect.current import is_user_process
from logwarden.formats import utmp

#: Row kinds, as the options name them.
USER, BOOT, RUNLEVEL, CLOCK, INIT, LOGIN, DEAD = (
    "user",
    "boot",
    "runlevel",
    "clock",
    "init",
    "login",
    "dead",
)

#: The oldest possible boot: before any boot record is seen, every atime is "after boot".
_NO_BOOT = -(2**63)

#: The line a terminal's device is found under, unless the line is already a path.
DEV = b"/dev/"


@dataclass(frozen=True)
class WhoOptions:
    """What to list and which columns to show (coreutils' ``need_*`` and ``include_*``)."""

    users: bool = False
    runlevel: bool = False
    boot: bool = False
    clock: bool = False
    init: bool = False
    login: bool = False
    dead: bool = False
    idle: bool = False
    mesg: bool = False
    exit: bool = False
    short: bool = False
    heading: bool = False
    lookup: bool = False
    ips: bool = False
    iso_time: bool = False


@dataclass(frozen=True)
class WhoRow:
    """One line of ``who`` output, columns as text, with the record it came from."""

    kind: str
    entry: utmp.Entry
    name: bytes
    """The NAME column: the user, ``LOGIN`` for a getty, empty for system records."""
    line: bytes
    """The LINE column: the terminal, or ``system boot``, ``run-level 5``, ``clock change``."""
    idle: bytes = b""
    idle_seconds: int | None = None
    mesg: bytes = b" "
    pid: bytes = b""
    comment: bytes = b""
    exit: bytes = b""


#: How a terminal looks on this machine: (mesg state, atime in whole seconds; 0 = unknown).
DeviceState = tuple[bytes, int]


def device_path(line: bytes) -> bytes:
    """Where coreutils looks for a line's device: ``/dev/LINE`` unless LINE is absolute."""
    return line if line.startswith(b"/") else DEV + line


def device_state(line: bytes) -> DeviceState:
    """``+`` if the terminal takes messages (group-writable), ``-`` if not, ``?`` if its
    device cannot be examined; and its last access time (0 when unknown).

    Debian builds coreutils without ``--with-tty-group``, so the device's group is not
    checked: group write permission alone decides.
    """
    try:
        st = os.stat(device_path(line))
    except (OSError, ValueError):
        return b"?", 0
    writable = bool(st.st_mode & stat.S_IWGRP)
    return (b"+" if writable else b"-"), st.st_atime_ns // 1_000_000_000


def idle_text(atime: int, boot: int, now: int) -> bytes:
    """coreutils' idle column: ``  .  `` under a minute, ``HH:MM`` under a day since the
    last boot, `` old `` otherwise."""
    if boot < atime and now - 24 * 60 * 60 < atime <= now:
        seconds = now - atime
        if seconds < 60:
            return b"  .  "
        return b"%02d:%02d" % (seconds // 3600, seconds % 3600 // 60)
    return b" old "


def canonical_host(host: bytes) -> bytes | None:
    """gnulib's ``canon_host``: the host's canonical name from the resolver, if it has one."""
    try:
        found = socket.getaddrinfo(host, None, 0, 0, 0, socket.AI_CANONNAME)
    except (OSError, UnicodeError, ValueError):
        return None
    if not found:
        return None
    canon = found[0][3]
    return os.fsencode(canon) if canon else host


def address_text(addr: bytes, lookup: bool) -> bytes:
    """``ut_addr_v6`` as Debian's ``who --ips`` shows it (its IPv4-or-IPv6 heuristics).

    IPv6 only when the first 16 bits are in 2000::/3, fc00::/7 or fec0::/10 and the address
    is neither IPv4-mapped nor zero past its first word; IPv4 (the first word, or the last
    for a mapped address) otherwise. With ``lookup`` the resolver names it if it can.
    """
    mapped = addr[:8] == bytes(8) and addr[8:12] == b"\0\0\xff\xff"
    prefix = int.from_bytes(addr[:2], "big")
    ipv6_range = (
        0x2000 <= prefix <= 0x3FFF or 0xFC00 <= prefix <= 0xFDFF or 0xFEC0 <= prefix <= 0xFEFF
    )
    if not ipv6_range or mapped or addr[4:] == bytes(12):
        text = socket.inet_ntop(socket.AF_INET, addr[12:16] if mapped else addr[:4])
        where: tuple[str, int] | tuple[str, int, int, int] = (text, 0)
    else:
        text = socket.inet_ntop(socket.AF_INET6, addr)
        where = (text, 0, 0, 0)
    if lookup:
        # getnameinfo without NI_NAMEREQD falls back to the number; so does a failure here.
        with contextlib.suppress(OSError):
            text = socket.getnameinfo(where, 0)[0]
    return os.fsencode(text)


def host_comment(entry: utmp.Entry, lookup: bool, ips: bool) -> bytes:
    """The COMMENT of a user row: ``(host)``, ``(host:display)``, or the address (--ips)."""
    if ips and entry.addr != bytes(16):
        return address_text(entry.addr, lookup)
    if not entry.host:
        return b""
    host, colon, display = entry.host.partition(b":")
    shown = (canonical_host(host) if host and lookup else None) or host
    return b"(" + shown + colon + display + b")"


def _same_line(tty: bytes, line: bytes) -> bool:
    # strncmp(tty, ut_line, 32) == 0, with ut_line cut at its NUL.
    return tty[: utmp.LINE_SIZE] == line[: utmp.LINE_SIZE]


def _runlevel_row(entry: utmp.Entry) -> WhoRow:
    # ut_pid holds the new level in its low byte and the previous one in the next (C
    # division and remainder, truncating toward zero, then cut to unsigned char).
    pid = entry.pid
    previous = int(pid / 256) & 0xFF
    current = (pid - int(pid / 256) * 256) & 0xFF
    # sprintf's "%c" of NUL ends the string there.
    line = b"run-level " + (bytes([current]) if current else b"")
    shown = ord("S") if previous == ord("N") else previous
    printable = 0x20 <= previous <= 0x7E
    return WhoRow(
        RUNLEVEL, entry, b"", line, comment=b"last=" + bytes([shown]) if printable else b""
    )


def _id_comment(entry: utmp.Entry) -> bytes:
    return b"id=" + entry.id


def rows(
    entries: Iterable[utmp.Entry],
    options: WhoOptions,
    now: int,
    my_line: bytes | None = None,
    probe: Callable[[bytes], DeviceState] = device_state,
) -> list[WhoRow]:
    """The rows ``who`` prints for ``entries`` (file order), at time ``now``.

    ``my_line`` restricts the rows to one terminal line (``who am i``, ``-m``).
    """
    found: list[WhoRow] = []
    boot = _NO_BOOT
    for entry in entries:
        if my_line is None or _same_line(my_line, entry.line):
            row = _row(entry, options, now, boot, probe)
            if row is not None:
                found.append(row)
        if entry.type == utmp.BOOT_TIME:
            boot = entry.sec
    return found


def _row(
    entry: utmp.Entry,
    options: WhoOptions,
    now: int,
    boot: int,
    probe: Callable[[bytes], DeviceState],
) -> WhoRow | None:
    kind = entry.type
    pid = b"%d" % entry.pid
    if options.users and is_user_process(entry):
        mesg, atime = probe(entry.line)
        if atime:
            idle = idle_text(atime, boot, now)
            idle_seconds: int | None = now - atime
        else:
            idle, idle_seconds = b"  ?", None
        comment = host_comment(entry, options.lookup, options.ips)
        return WhoRow(USER, entry, entry.user, entry.line, idle, idle_seconds, mesg, pid, comment)
    if options.runlevel and kind == utmp.RUN_LVL:
        return _runlevel_row(entry)
    if options.boot and kind == utmp.BOOT_TIME:
        return WhoRow(BOOT, entry, b"", b"system boot")
    if options.clock and kind == utmp.NEW_TIME:
        return WhoRow(CLOCK, entry, b"", b"clock change")
    if options.init and kind == utmp.INIT_PROCESS:
        return WhoRow(INIT, entry, b"", entry.line, pid=pid, comment=_id_comment(entry))
    if options.login and kind == utmp.LOGIN_PROCESS:
        return WhoRow(LOGIN, entry, b"LOGIN", entry.line, pid=pid, comment=_id_comment(entry))
    if options.dead and kind == utmp.DEAD_PROCESS:
        exit_text = b"term=%d exit=%d" % (entry.term, entry.exit)
        return WhoRow(
            DEAD, entry, b"", entry.line, pid=pid, comment=_id_comment(entry), exit=exit_text
        )
    return None


def trimmed_names(entries: Iterable[utmp.Entry]) -> list[bytes]:
    """``who -q``: every user process's name in file order, trailing spaces removed."""
    return [e.user.rstrip(b" ") for e in entries if is_user_process(e)]
