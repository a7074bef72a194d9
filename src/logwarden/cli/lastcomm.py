"""``lastcomm`` (GNU acct 6.6.4): the commands run, newest first, from process accounting
files; plus --json/--csv, --since/--until, --passwd/--group and --devices.

Options are acted on in command-line order, as GNU's option loop does, so the first problem
GNU would stop at is the one reported, in its words (on standard output, as GNU prints them).
"""

from __future__ import annotations

import time

from logwarden.acct import lastcomm, lastcomm_text, names, source
from logwarden.acct.output import write_text
from logwarden.acct.ttys import devices_for, names_of
from logwarden.cli.acctopts import (
    ADDITIONS,
    EXTRA_USAGE,
    c_int,
    pacct_location,
    strtol,
    version_line,
)
from logwarden.cli.common import Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.connect.last.timestamp import BadTimestamp, parse_timestamp, seconds_of
from logwarden.errors import UsageError

SHORT = "f:hVp"
#: GNU lastcomm's long options, in its table's order.
LONG = [
    LongOpt("debug", Arg.NONE, "debug"),
    LongOpt("version", Arg.NONE, "V"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("file", Arg.REQUIRED, "f"),
    LongOpt("strict-match", Arg.NONE, "strict-match"),
    LongOpt("print-controls", Arg.NONE, "print-controls"),
    LongOpt("user", Arg.REQUIRED, "user"),
    LongOpt("tty", Arg.REQUIRED, "tty"),
    LongOpt("command", Arg.REQUIRED, "command"),
    LongOpt("ahz", Arg.REQUIRED, "ahz"),
    LongOpt("show-paging", Arg.NONE, "p"),
    LongOpt("forwards", Arg.NONE, "forwards"),
    LongOpt("pid", Arg.NONE, "pid"),
]
SINCE = LongOpt("since", Arg.REQUIRED, "--since")
UNTIL = LongOpt("until", Arg.REQUIRED, "--until")

USAGE = """\
Usage: {prog} [-hpV] [-f file] [command] ... [user] ... [terminal] ...
       [--forwards] [--file <file>] [--strict-match] [--print-controls]
       [--user <name>] [--tty <name>] [--command <name>] [--debug]
       [--show-paging] [--pid] [--ahz <freq>] [--version] [--help]
{extra}       [--since <time>] [--until <time>]
"""


def usage(prog: str) -> bytes:
    """GNU's usage (on stdout), with logwarden's additions before the closing line."""
    return (USAGE.format(prog=prog, extra=EXTRA_USAGE) + pacct_location()).encode()


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Options:
    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.extras = Extras()
        self.files: list[str] = []
        self.backwards = True
        self.filters = lastcomm.Filters()
        self.paging = False
        self.pids = False
        self.controls = False
        self.ahz = 100
        self.devices: str | None = None

    def say(self, message: str, status: int) -> None:
        self.inv.stdout.write(message.encode())
        raise _Exit(status)

    def take(self, opt: str, value: str | None) -> None:
        if self.extras.take(opt, value):
            return
        arg = value or ""
        if opt == "V":
            self.inv.stdout.write(version_line(self.inv.argv0))
            raise _Exit(0)
        if opt == "h":
            self.say(usage(self.inv.argv0).decode(), 1)
        elif opt == "f":
            if arg == "-":
                if self.backwards and self.files:
                    self.say(
                        f"{self.inv.argv0}: -f - must be specified first, or --forwards "
                        "must precede the first -f\n",
                        1,
                    )
                self.backwards = False
                arg = "/proc/self/fd/0"
            self.files.append(arg)
        elif opt == "strict-match":
            self.filters.strict = True
        elif opt == "print-controls":
            self.controls = True
        elif opt in ("user", "tty", "command"):
            items = {"user": self.filters.users, "tty": self.filters.ttys}.get(
                opt, self.filters.commands
            )
            if arg.encode() not in items:
                items.append(arg.encode())
        elif opt == "ahz":
            self.ahz = c_int(strtol(arg))
            if self.ahz < 1:
                self.say(f"{self.inv.argv0}: AHZ must be one or greater\n", 1)
        elif opt == "p":
            self.paging = True
        elif opt == "forwards":
            if self.files:
                self.say(f"{self.inv.argv0}: --forwards must come before -f\n", 1)
            self.backwards = False
        elif opt == "pid":
            self.pids = True
        elif opt == "--devices":
            if arg not in ("live", "static"):
                raise UsageError(f"--devices takes live or static, not '{arg}'")
            self.devices = arg
        elif opt in ("--since", "--until"):
            try:
                moment = seconds_of(parse_timestamp(arg, time.time()))
            except BadTimestamp:
                raise UsageError(f'invalid time value "{arg}"') from None
            if opt == "--since":
                self.filters.since = moment
            else:
                self.filters.until = moment


def main(inv: Invocation) -> int:
    opts = _Options(inv)
    try:
        try:
            parsed = getopt_long(
                inv.argv0, inv.args, SHORT, LONG, additions=[*ADDITIONS, SINCE, UNTIL]
            )
        except GetoptError as e:
            for opt, value in e.options:
                opts.take(opt, value)
            inv.stderr.write(f"{e}\n")
            inv.stdout.write(usage(inv.argv0))
            return 1
        for opt, value in parsed.options:
            opts.take(opt, value)
        for word in parsed.operands:
            if word.encode() not in opts.filters.words:
                opts.filters.words.append(word.encode())
        f = opts.filters
        if f.strict and (len(f.ttys) > 1 or len(f.users) > 1 or len(f.commands) > 1):
            opts.say(
                f"{inv.argv0}: ERROR: when using the `--strict-match' flag,\n"
                "   it is nonsensical to specify more than one item\n"
                "   to match in a single category (using the `--tty',\n"
                "   `--user', or `--command' flags).\n",
                1,
            )
    except _Exit as done:
        return done.status
    return _run(inv, opts)


def _run(inv: Invocation, opts: _Options) -> int:
    accounts = opts.extras.accounts()
    ttys = devices_for(opts.devices, foreign=opts.extras.passwd is not None)
    files = opts.files or [source.PACCT]
    out = rows_out(inv, opts.extras, lastcomm.ROW_FIELDS) if opts.extras.rows else None
    clean = sanitizer(inv)
    status = 0
    for path in files:
        pacct = source.read_pacct(path, backwards=opts.backwards, ahz=opts.ahz)
        for line in pacct.errors:
            inv.stderr.write(line + "\n")
        for line in pacct.warnings:
            inv.warn(line)
        if pacct.unreadable:
            status = 1
        records = pacct.records
        users = names.user_names(accounts, records["uid"])
        selected = lastcomm.select(records, users, names_of(ttys, records["tty"]), opts.filters)
        if out is not None:
            for row in lastcomm.rows(selected):
                out.write(row)
            continue
        body = lastcomm_text.render(
            selected, paging=opts.paging, pids=opts.pids, controls=opts.controls
        )
        write_text(inv.stdout, body, clean)
    if out is not None:
        out.close()
    return status
