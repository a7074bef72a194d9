"""``who [OPTION]... [ FILE | ARG1 ARG2 ]`` (coreutils 9.1, Debian), plus --json/--csv and
--layout."""

from __future__ import annotations

import locale
import os
import time
from datetime import datetime, timedelta, timezone

from logwarden.cli.common import LAYOUT, OUTPUT_OPTS, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.gnu import quote, try_help
from logwarden.cli.main import Invocation
from logwarden.connect import paths, whotext
from logwarden.connect.current import read_entries
from logwarden.connect.who import DEAD, USER, WhoOptions, WhoRow, address_text, rows, trimmed_names
from logwarden.sources.utmpfile import layout_named
from logwarden.timefmt import LocalTime

USAGE = f"""\
Usage: {{prog}} [OPTION]... [ FILE | ARG1 ARG2 ]
Print information about users who are currently logged in.

  -a, --all         same as -b -d --login -p -r -t -T -u
  -b, --boot        time of last system boot
  -d, --dead        print dead processes
  -H, --heading     print line of column headings
      --ips         print ips instead of hostnames. with --lookup,
                    canonicalizes based on stored IP, if available,
                    rather than stored hostname
  -l, --login       print system login processes
      --lookup      attempt to canonicalize hostnames via DNS
  -m                only hostname and user associated with stdin
  -p, --process     print active processes spawned by init
  -q, --count       all login names and number of users logged on
  -r, --runlevel    print current runlevel
  -s, --short       print only name, line, and time (default)
  -t, --time        print last system clock change
  -T, -w, --mesg    add user's message status as +, - or ?
  -u, --users       list users logged in
      --message     same as -T
      --writable    same as -T
      --json        one JSON object per row (kind, user, line, time, idle, ...)
      --csv         the same rows as CSV
      --layout NAME read FILE as this utmp layout (auto, 384le, 400le, ...)
      --help        display this help and exit
      --version     output version information and exit

If FILE is not specified, use {paths.UTMP}.  {paths.WTMP} as FILE is common.
If ARG1 ARG2 given, -m presumed: 'am i' or 'mom likes' are usual.
"""

SHORT = "abdlmpqrstuwHT"
LOOKUP = "lookup"
IPS = "ips"
HELP = "help"
VERSION = "version"

# coreutils' table, in its order (Debian inserts --ips after --heading).
LONG = [
    LongOpt("all", Arg.NONE, "a"),
    LongOpt("boot", Arg.NONE, "b"),
    LongOpt("count", Arg.NONE, "q"),
    LongOpt("dead", Arg.NONE, "d"),
    LongOpt("heading", Arg.NONE, "H"),
    LongOpt("ips", Arg.NONE, IPS),
    LongOpt("login", Arg.NONE, "l"),
    LongOpt("lookup", Arg.NONE, LOOKUP),
    LongOpt("message", Arg.NONE, "T"),
    LongOpt("mesg", Arg.NONE, "T"),
    LongOpt("process", Arg.NONE, "p"),
    LongOpt("runlevel", Arg.NONE, "r"),
    LongOpt("short", Arg.NONE, "s"),
    LongOpt("time", Arg.NONE, "t"),
    LongOpt("users", Arg.NONE, "u"),
    LongOpt("writable", Arg.NONE, "T"),
    LongOpt("help", Arg.NONE, HELP),
    LongOpt("version", Arg.NONE, VERSION),
    *OUTPUT_OPTS,
    LAYOUT,
]

FIELDS = ["kind", "user", "line", "time", "idle", "mesg", "pid", "id", "host", "ip", "comment",
          "term", "exit"]  # fmt: skip


class _Flags:
    """coreutils' option variables, set as the options come."""

    def __init__(self) -> None:
        self.values: dict[str, bool] = dict.fromkeys(WhoOptions.__dataclass_fields__, False)
        self.assumptions = True
        self.my_line_only = False
        self.count = False

    def take(self, opt: str) -> None:
        v = self.values
        if opt == "a":
            for key in ("boot", "dead", "login", "init", "runlevel", "clock", "users", "mesg",
                        "idle", "exit"):  # fmt: skip
                v[key] = True
            self.assumptions = False
        elif opt in _NEEDS:
            for key in _NEEDS[opt]:
                v[key] = True
            self.assumptions = False
        elif opt == "H":
            v["heading"] = True
        elif opt == "m":
            self.my_line_only = True
        elif opt == "q":
            self.count = True
        elif opt == "s":
            v["short"] = True
        elif opt in ("T", "w"):
            v["mesg"] = True
        elif opt == LOOKUP:
            v["lookup"] = True
        elif opt == IPS:
            v["ips"] = True

    def options(self, iso_time: bool) -> WhoOptions:
        v = dict(self.values)
        if self.assumptions:
            v["users"] = True
            v["short"] = True
        if v["exit"]:
            v["short"] = False
        v["iso_time"] = iso_time
        return WhoOptions(**v)


_NEEDS = {
    "b": ("boot",),
    "d": ("dead", "idle", "exit"),
    "l": ("login", "idle"),
    "p": ("init",),
    "r": ("runlevel", "idle"),
    "t": ("clock",),
    "u": ("users", "idle"),
}


def hard_time_locale() -> bool:
    """gnulib's ``hard_locale(LC_TIME)`` after ``setlocale(LC_ALL, "")``: True unless the
    time locale the environment selects is C or POSIX (or cannot be set)."""
    saved = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, "")
        name = locale.setlocale(locale.LC_TIME)
    except locale.Error:
        return False
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    return name not in ("C", "POSIX")


def _stdin_line() -> bytes | None:
    """The terminal on standard input, without ``/dev/``; None when it is not a terminal."""
    try:
        name = os.fsencode(os.ttyname(0))
    except OSError:
        return None
    return name.removeprefix(b"/dev/")


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, SHORT, LONG)
    except GetoptError as e:
        inv.stderr.write(f"{e}\n{try_help(inv.argv0)}\n")
        return 1
    extras = Extras()
    flags = _Flags()
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        if opt == HELP:
            inv.stdout.write(USAGE.format(prog=inv.argv0).encode())
            return 0
        if opt == VERSION:
            inv.stdout.write(b"who (logwarden) 0.1.0\n")
            return 0
        flags.take(opt)
    operands = parsed.operands
    if len(operands) > 2:
        inv.stderr.write(f"{inv.argv0}: extra operand {quote(operands[2])}\n")
        inv.stderr.write(f"{try_help(inv.argv0)}\n")
        return 1
    if len(operands) == 2:
        flags.my_line_only = True
    explicit = len(operands) == 1
    path = operands[0] if explicit else paths.UTMP
    options = flags.options(hard_time_locale())
    try:
        entries, source = read_entries(
            path, check_pids=not explicit, layout=layout_named(extras.layout)
        )
        warnings = source.warnings
    except FileNotFoundError:
        if explicit:
            raise
        entries, warnings = [], []  # no utmp on this host: nobody is logged in
    for warning in warnings:
        inv.warn(warning)
    now = int(time.time())
    clean = sanitizer(inv)
    if flags.count:
        if extras.rows:
            chosen = rows(entries, WhoOptions(users=True), now)
        else:
            inv.stdout.write(whotext.render_count(trimmed_names(entries), clean))
            return 0
    else:
        my_line = _stdin_line() if flags.my_line_only else None
        if flags.my_line_only and my_line is None:
            chosen = []
        else:
            chosen = rows(entries, options, now, my_line)
        if not extras.rows:
            inv.stdout.write(whotext.render(chosen, options, LocalTime(), clean))
            return 0
    out = rows_out(inv, extras, FIELDS)
    clock = LocalTime()
    for row in chosen:
        out.write(_record(row, clock))
    out.close()
    return 0


def _record(row: WhoRow, clock: LocalTime) -> dict[str, object]:
    entry = row.entry
    offset = timedelta(seconds=clock.offset(entry.sec))
    when = datetime.fromtimestamp(entry.sec, timezone(offset)).isoformat()
    has_addr = entry.addr != bytes(16)
    return {
        "kind": row.kind,
        "user": entry.user,
        "line": entry.line,
        "time": when,
        "idle": row.idle_seconds,
        "mesg": row.mesg.decode() if row.kind == USER else None,
        "pid": entry.pid,
        "id": entry.id,
        "host": entry.host,
        "ip": address_text(entry.addr, False) if has_addr else None,
        "comment": row.comment,
        "term": entry.term if row.kind == DEAD else None,
        "exit": entry.exit if row.kind == DEAD else None,
    }
