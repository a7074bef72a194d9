"""``w [options] [user]`` (procps-ng 4.0.2, Debian's build with FROM shown), plus
``--utmp FILE`` for a utmp file from another host, --json/--csv, --passwd and --layout."""

from __future__ import annotations

import fcntl
import locale
import os
import struct
import termios
import time
from datetime import datetime, timedelta, timezone
from typing import BinaryIO

from logwarden.cli.common import LAYOUT, OUTPUT_OPTS, PASSWD, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.connect import paths
from logwarden.connect.current import read_entries
from logwarden.connect.w import procfs
from logwarden.connect.w import text as wtext
from logwarden.connect.w.sessions import (
    MAX_CMD_WIDTH,
    Session,
    command_width,
    count_users,
    foreign_sessions,
    sessions,
)
from logwarden.formats import utmp
from logwarden.sources.utmpfile import layout_named
from logwarden.timefmt import LocalTime

PROCPS_USAGE = """
Usage:
 {prog} [options] [user]

Options:
 -h, --no-header     do not print header
 -u, --no-current    ignore current process username
 -s, --short         short format
 -f, --from          show remote hostname field
 -o, --old-style     old style output
 -i, --ip-addr       display IP address instead of hostname (if possible)
"""
PROCPS_TAIL = """
     --help     display this help and exit
 -V, --version  output version information and exit

For more details see w(1).
"""
LOGWARDEN_OPTIONS = """
logwarden:
     --utmp FILE     a utmp file from another host: USER, TTY, FROM, LOGIN@ only
     --passwd FILE   that host's passwd: users it lacks are left out (unless -u)
     --layout NAME   read the utmp file as this layout (auto, 384le, 400le, ...)
     --json          one JSON object per session
     --csv           the same as CSV
"""

SHORT = "husfoVi"
HELP = "help"
UTMP = "--utmp"
LONG = [
    LongOpt("no-header", Arg.NONE, "h"),
    LongOpt("no-current", Arg.NONE, "u"),
    LongOpt("short", Arg.NONE, "s"),
    LongOpt("from", Arg.NONE, "f"),
    LongOpt("old-style", Arg.NONE, "o"),
    LongOpt("ip-addr", Arg.NONE, "i"),
    LongOpt("help", Arg.NONE, HELP),
    LongOpt("version", Arg.NONE, "V"),
    LongOpt("utmp", Arg.REQUIRED, UTMP),
    PASSWD,
    *OUTPUT_OPTS,
    LAYOUT,
]

FIELDS = ["user", "tty", "from", "ip", "login", "idle", "jcpu", "pcpu", "what", "pid", "live"]


def atoi(text: str) -> int:
    """C's ``atoi``: leading blanks, a sign and digits; 0 when there are none; the long
    result cut to an int as glibc's atoi cuts it."""
    s = text.lstrip(" \t\n\v\f\r")
    sign = -1 if s[:1] == "-" else 1
    s = s[1:] if s[:1] in "+-" else s
    digits = ""
    for ch in s:
        if not "0" <= ch <= "9":
            break
        digits += ch
    value = sign * int(digits) if digits else 0
    value = max(-(2**63), min(2**63 - 1, value))  # strtol saturates at LONG_MIN/LONG_MAX
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _width_from_env(inv: Invocation, prog: str, name: str, default: int, upper: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    number = atoi(value)
    if 8 <= number <= upper:
        return number
    what = "User length environment" if name == "PROCPS_USERLEN" else "from length environment"
    tail = ", ignoring." if name == "PROCPS_USERLEN" else ", ignoring"
    inv.stderr.write(f"{prog}: {what} {name} must be between 8 and {upper}{tail}\n\n")
    return default


def terminal_columns(stream: BinaryIO) -> int:
    """The window width of ``stream`` if it is a terminal, else $COLUMNS, else procps' 512."""
    try:
        rows_cols = fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        cols: int = struct.unpack("HHHH", rows_cols)[1]
        if cols > 0:
            return cols
    except (OSError, ValueError, AttributeError):
        pass  # not a terminal (or not a file at all): fall back as procps does
    columns = os.environ.get("COLUMNS")
    return atoi(columns) if columns is not None else MAX_CMD_WIDTH


def utf8_locale() -> bool:
    """Whether ``setlocale(LC_ALL, "")`` selects a UTF-8 codeset (procps' escaping depends
    on it)."""
    saved = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, "")
        codeset = locale.nl_langinfo(locale.CODESET)
    except locale.Error:
        return False
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    return codeset.upper() == "UTF-8"


class _Settings:
    def __init__(self) -> None:
        self.header = True
        self.long = True
        self.show_from = True
        self.ip = False
        self.old_style = False
        self.ignore_user = False
        self.utmp: str | None = None


def main(inv: Invocation) -> int:
    prog = os.path.basename(inv.argv0)
    try:
        parsed = getopt_long(prog, inv.args, SHORT, LONG)
    except GetoptError as e:
        inv.stderr.write(f"{e}\n{PROCPS_USAGE.format(prog=prog)}{PROCPS_TAIL}")
        return 1
    extras = Extras()
    settings = _Settings()
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        if opt == HELP:
            text = PROCPS_USAGE.format(prog=prog) + LOGWARDEN_OPTIONS + PROCPS_TAIL
            inv.stdout.write(text.encode())
            return 0
        if opt == "V":
            inv.stdout.write(b"w (logwarden) 0.1.0\n")
            return 0
        _take(settings, opt, value)
    user = os.fsencode(parsed.operands[0]) if parsed.operands else None
    userlen = _width_from_env(inv, prog, "PROCPS_USERLEN", 8, utmp.USER_SIZE)
    fromlen = _width_from_env(inv, prog, "PROCPS_FROMLEN", 16, utmp.HOST_SIZE)
    columns = terminal_columns(inv.stdout)
    layout = wtext.Layout(
        long=settings.long,
        show_from=settings.show_from,
        ip=settings.ip,
        old_style=settings.old_style,
        userlen=userlen,
        fromlen=fromlen,
        maxcmd=command_width(columns, userlen, fromlen, settings.show_from, settings.long),
        hertz=procfs.clock_ticks(),
        foreign=settings.utmp is not None,
    )
    now = int(time.time())
    if settings.utmp is not None:
        found = _foreign(inv, settings, extras, user)
        header = wtext.heading(layout)
    else:
        found, header = _local(inv, settings, extras, user, layout, now)
    if extras.rows:
        out = rows_out(inv, extras, FIELDS)
        clock = LocalTime()
        for session in found:
            out.write(_record(session, layout.hertz, clock))
        out.close()
        return 0
    clean = sanitizer(inv)
    lines = [header] if settings.header else []
    lines.extend(wtext.row(s, layout, now, clean) for s in found)
    inv.stdout.write(b"".join(lines))
    return 0


def _take(settings: _Settings, opt: str, value: str | None) -> None:
    if opt == "h":
        settings.header = False
    elif opt == "s":
        settings.long = False
    elif opt == "f":
        settings.show_from = not settings.show_from
    elif opt == "u":
        settings.ignore_user = True
    elif opt == "o":
        settings.old_style = True
    elif opt == "i":
        settings.ip = True
        settings.show_from = True
    elif opt == UTMP:
        settings.utmp = value


def _local(
    inv: Invocation,
    settings: _Settings,
    extras: Extras,
    user: bytes | None,
    layout: wtext.Layout,
    now: int,
) -> tuple[list[Session], bytes]:
    """Sessions of this host's utmp, checked against its processes, and the header."""
    try:
        entries, source = read_entries(
            paths.UTMP, check_pids=False, layout=layout_named(extras.layout)
        )
        for warning in source.warnings:
            inv.warn(warning)
    except FileNotFoundError:  # no utmp on this host: nobody is logged in
        entries = []
    header = wtext.uptime_line(
        now, procfs.read_uptime(), count_users(entries), procfs.read_loadavg()
    ) + wtext.heading(layout)
    accounts = None if settings.ignore_user else extras.accounts()
    utf8 = utf8_locale()
    found = sessions(entries, user, accounts, lambda: list(procfs.processes(utf8)), now)
    return found, header


def _foreign(
    inv: Invocation, settings: _Settings, extras: Extras, user: bytes | None
) -> list[Session]:
    """Sessions recorded in a utmp file from another host: what the file alone can say."""
    path = settings.utmp or ""
    entries, source = read_entries(path, check_pids=False, layout=layout_named(extras.layout))
    for warning in source.warnings:
        inv.warn(warning)
    inv.warn(
        f"{path}: a utmp file from another host: IDLE, JCPU, PCPU and WHAT need that host's "
        "terminals and processes, and whether each session is still alive cannot be checked "
        "here; they are not shown (null in --json)"
    )
    accounts = extras.accounts() if extras.passwd and not settings.ignore_user else None
    return foreign_sessions(entries, user, accounts)


def _seconds(ticks: int | None, hertz: int) -> float | None:
    return None if ticks is None else round(ticks / hertz, 2)


def _record(session: Session, hertz: int, clock: LocalTime) -> dict[str, object]:
    entry = session.entry
    offset = timedelta(seconds=clock.offset(entry.sec))
    return {
        "user": entry.user,
        "tty": entry.line,
        "from": entry.host,
        "ip": wtext.address(entry.addr, 64).decode() or None,
        "login": datetime.fromtimestamp(entry.sec, timezone(offset)).isoformat(),
        "idle": session.idle,
        "jcpu": _seconds(session.jcpu, hertz),
        "pcpu": _seconds(session.pcpu, hertz),
        "what": session.what,
        "pid": entry.pid,
        "live": session.live,
    }
