"""What ``w`` needs from this machine's ``/proc``: uptime, load, and every process's terminal,
process group, start time, CPU time, owners and command line.

Read the way procps-ng 4.0.2's library reads them, because ``w`` prints what it reads byte for
byte: processes in the order the kernel lists ``/proc`` (not sorted: some kernels list
``1 10 11 2``), a process that vanishes while being read skipped, and the command line made
printable with procps' own escaping rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

PROC = "/proc"

#: procps reads at most this much of a command line (``MAX_BUFSZ`` in readproc.c).
CMDLINE_MAX = 128 * 1024


@dataclass(frozen=True, slots=True)
class Process:
    """One process as ``w`` sees it; times are in clock ticks."""

    pid: int
    state: str
    comm: bytes
    pgrp: int
    tty: int
    """The controlling terminal's device number, encoded as the kernel encodes ``tty_nr``."""
    tpgid: int
    ticks: int
    """utime + stime: CPU time used by the process itself, children not included."""
    start: int
    """Start time in ticks after boot."""
    ruid: int
    euid: int
    cmdline: bytes
    """The command line as procps shows it (escaped, ``[comm]`` when empty)."""


def clock_ticks() -> int:
    """Ticks per second (``sysconf(_SC_CLK_TCK)``), the unit of process times."""
    return os.sysconf("SC_CLK_TCK")


def read_uptime(root: str = PROC) -> float | None:
    """Seconds since boot from ``/proc/uptime``, or None when it cannot be read."""
    try:
        with open(f"{root}/uptime", "rb") as f:
            fields = f.read().split()
        return float(fields[0]) if len(fields) >= 2 else None
    except (OSError, ValueError):
        return None


def read_loadavg(root: str = PROC) -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages from ``/proc/loadavg`` (zeros if unreadable)."""
    try:
        with open(f"{root}/loadavg", "rb") as f:
            fields = f.read().split()
        return float(fields[0]), float(fields[1]), float(fields[2])
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0, 0.0


def processes(utf8: bool, root: str = PROC) -> Iterator[Process]:
    """Every process (threads left out), in the order ``/proc`` lists them.

    ``utf8`` says whether the locale's codeset is UTF-8, which decides how procps escapes a
    command line (see :func:`escape_text`).
    """
    for name in os.listdir(root):
        if not name[:1].isdigit():
            continue
        found = _read_process(f"{root}/{name}", int(name), utf8)
        if found is not None:
            yield found


def _read(path: str, limit: int = 1 << 16) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except OSError:
        return None


def _read_process(directory: str, pid: int, utf8: bool) -> Process | None:
    stat = _read(f"{directory}/stat")
    if stat is None:  # gone since the listing (procps skips it too)
        return None
    open_paren = stat.find(b"(")
    close_paren = stat.rfind(b")")
    if open_paren < 0 or close_paren < open_paren:
        return None
    comm = stat[open_paren + 1 : close_paren]
    fields = stat[close_paren + 2 :].split()
    if len(fields) < 20:
        return None
    # Fields after the command: state ppid pgrp session tty_nr tpgid flags minflt cminflt
    # majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime.
    state = fields[0].decode("ascii", "replace")
    ruid, euid = _uids(_read(f"{directory}/status"))
    return Process(
        pid=pid,
        state=state,
        comm=comm,
        pgrp=int(fields[2]),
        tty=int(fields[4]),
        tpgid=int(fields[5]),
        ticks=int(fields[11]) + int(fields[12]),
        start=int(fields[19]),
        ruid=ruid,
        euid=euid,
        cmdline=_cmdline(directory, comm, state, utf8),
    )


def _uids(status: bytes | None) -> tuple[int, int]:
    if status is not None:
        for line in status.splitlines():
            if line.startswith(b"Uid:"):
                ids = line.split()[1:3]
                if len(ids) == 2:
                    return int(ids[0]), int(ids[1])
    return 0, 0


def _cmdline(directory: str, comm: bytes, state: str, utf8: bool) -> bytes:
    raw = _read(f"{directory}/cmdline", CMDLINE_MAX - 1)
    if raw:
        text = joined_cmdline(raw)
        shown = escape_text(text, utf8)
    else:
        # No arguments (a kernel thread, a zombie): procps shows "[comm]", "<defunct>" added
        # for a zombie.
        shown = b"[" + escape_text(escape_text(comm, utf8), utf8) + b"]"
        if state == "Z":
            shown += b" <defunct>"
    return shown or b"?"


def joined_cmdline(raw: bytes) -> bytes:
    """The arguments in ``raw`` joined by spaces, as procps' ``read_unvectored`` joins them.

    Trailing NULs go; every inner NUL or newline becomes a space; and when the arguments do
    not end in a NUL (a program that rewrote them), a last byte that became a space is dropped.
    """
    body = raw.rstrip(b"\0")
    joined = body.replace(b"\0", b" ").replace(b"\n", b" ")
    if not raw.endswith(b"\0") and joined.endswith(b" "):
        joined = joined[:-1]
    return joined


# procps' tables: how many bytes a UTF-8 sequence starting with this byte has (-1: cannot
# start one), and what a byte becomes when a string is escaped wholesale.
def _utf8_length(byte: int) -> int:
    if byte < 0x80:
        return 1
    if byte < 0xC2:
        return -1
    if byte < 0xE0:
        return 2
    if byte < 0xF0:
        return 3
    if byte < 0xF5:
        return 4
    return -1


def _escape_all(text: bytes) -> bytes:
    """procps' ``esc_all``: controls become '.', bytes above 0x7f become '?'."""
    out = bytearray(text)
    for i, byte in enumerate(out):
        if byte < 0x20 or byte == 0x7F:
            out[i] = 0x2E
        elif byte >= 0x80:
            out[i] = 0x3F
    return bytes(out)


def escape_text(text: bytes, utf8: bool) -> bytes:
    """procps' ``escape_str``: what ``w`` and ``ps`` print of a command line or name.

    In a UTF-8 locale, ASCII controls become '?', and from the first byte that cannot start a
    UTF-8 sequence (or a sequence cut short by the end) everything is escaped wholesale.
    Continuation bytes are not checked, as procps does not check them. In any other locale
    the whole string is escaped wholesale.
    """
    text = text.partition(b"\0")[0]
    if not utf8:
        return _escape_all(text)
    out = bytearray(text)
    i = 0
    while i < len(out):
        n = _utf8_length(out[i])
        if n < 0 or i + n > len(out):
            return bytes(out[:i]) + _escape_all(bytes(out[i:]))
        if out[i] < 0x20 or out[i] == 0x7F:
            out[i] = 0x3F
        i += n
    return bytes(out)
