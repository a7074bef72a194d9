"""``last`` and ``lastb`` (util-linux 2.38.1), plus --json/--csv, --passwd and --layout.

One program under two names, as in util-linux: run as ``lastb`` it reads /var/log/btmp and
lists every failed attempt. Options are acted on in command-line order, so the first problem
util-linux would stop at is the one reported.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, replace

from logwarden import __version__
from logwarden.cli.common import CSV, JSON, LAYOUT, PASSWD, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.gnu import try_help
from logwarden.cli.main import Invocation
from logwarden.connect import paths
from logwarden.connect.last.analyse import Settings
from logwarden.connect.last.phantom import policy_for
from logwarden.connect.last.rows import FIELDS, rows
from logwarden.connect.last.run import FileRun, read_listing
from logwarden.connect.last.selection import Criteria
from logwarden.connect.last.text import FULL, TIME_FORMATS, TextOptions, begins, render
from logwarden.connect.last.timestamp import BadTimestamp, parse_timestamp, seconds_of
from logwarden.errors import LogwardenError, UsageError
from logwarden.output.rows import RowWriter
from logwarden.output.terminal import keep
from logwarden.sources.utmpfile import layout_named

SHORT_OPTS = "hVf:n:RxadFit:p:s:0123456789w"
TIME_FORMAT = "time-format"
LONG = [
    LongOpt("limit", Arg.REQUIRED, "n"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("file", Arg.REQUIRED, "f"),
    LongOpt("nohostname", Arg.NONE, "R"),
    LongOpt("version", Arg.NONE, "V"),
    LongOpt("hostlast", Arg.NONE, "a"),
    LongOpt("since", Arg.REQUIRED, "s"),
    LongOpt("until", Arg.REQUIRED, "t"),
    LongOpt("present", Arg.REQUIRED, "p"),
    LongOpt("system", Arg.NONE, "x"),
    LongOpt("dns", Arg.NONE, "d"),
    LongOpt("ip", Arg.NONE, "i"),
    LongOpt("fulltimes", Arg.NONE, "F"),
    LongOpt("fullnames", Arg.NONE, "w"),
    LongOpt(TIME_FORMAT, Arg.REQUIRED, TIME_FORMAT),
]
ADDITIONS = [JSON, CSV, PASSWD, LAYOUT]


def usage(name: str, default_file: str) -> str:
    """util-linux's help text, with logwarden's options before -h/-V."""
    return f"""
Usage:
 {name} [options] [<username>...] [<tty>...]

Show a listing of last logged in users.

Options:
 -<number>            how many lines to show
 -a, --hostlast       display hostnames in the last column
 -d, --dns            translate the IP number back into a hostname
 -f, --file <file>    use a specific file instead of {default_file}
 -F, --fulltimes      print full login and logout times and dates
 -i, --ip             display IP numbers in numbers-and-dots notation
 -n, --limit <number> how many lines to show
 -R, --nohostname     don't display the hostname field
 -s, --since <time>   display the lines since the specified time
 -t, --until <time>   display the lines until the specified time
 -p, --present <time> display who were present at the specified time
 -w, --fullnames      display full user and domain names
 -x, --system         display system shutdown entries and run level changes
     --time-format <format>  show timestamps in the specified <format>:
                               notime|short|full|iso
     --json           one JSON object per line: user, tty, host, login, logout,
                        status, duration
     --csv            the same rows as CSV, with a header
     --passwd <file>  the passwd of the host the file comes from: a session
                        without logout is still on if its user exists there
     --layout <name>  read the file as this utmp layout (auto, 384le, 400le, ...)

 -h, --help           display this help
 -V, --version        display version

For more details see last(1).
"""


@dataclass
class Options:
    """Everything the command line asked for."""

    lastb: bool
    files: list[str] = field(default_factory=list)
    limit: int = 0
    text: TextOptions = field(default_factory=TextOptions)
    extended: bool = False
    since: int = 0
    until: int = 0
    present: int = 0
    extras: Extras = field(default_factory=Extras)


class _Done(Exception):
    """--help or --version has been answered."""


def main(inv: Invocation) -> int:
    """``last`` or ``lastb``, as the name it was run under says; the exit status."""
    opts = Options(lastb=inv.name == "lastb")
    try:
        parsed = getopt_long(inv.argv0, inv.args, SHORT_OPTS, LONG, additions=ADDITIONS)
    except GetoptError as e:
        try:
            _apply(inv, opts, e.options)
        except _Done:
            return 0
        inv.stderr.write(f"{e}\n{try_help(inv.name)}\n")
        return 1
    try:
        _apply(inv, opts, parsed.options)
    except _Done:
        return 0
    default = paths.BTMP if opts.lastb else paths.WTMP
    criteria = Criteria.of(parsed.operands, opts.present)
    settings = Settings(opts.lastb, opts.extended, opts.since, opts.until)
    layout = layout_named(opts.extras.layout)
    policy = policy_for(opts.extras.passwd, opts.extras.accounts())
    table = rows_out(inv, opts.extras, FIELDS) if opts.extras.rows else None
    done = 0
    for path in opts.files or [default]:
        # util-linux counts lines over all files, but only stops after printing one.
        limit = max(1, opts.limit - done) if opts.limit else None
        run = read_listing(
            path, settings, criteria, limit, policy, layout, int(time.time()),
            host_column=table is None and _short_hosts(opts.text),
        )  # fmt: skip
        for warning in run.warnings:
            inv.warn(warning)
        if run.selection is not None:
            done += len(run.selection.listing)
            # util-linux's warnings are unbuffered and its lines are not: on a pipe the
            # warnings come first.
            for ut_type in run.selection.warnings:
                inv.warn(f"unrecognized ut_type: {ut_type}")
        if table is not None:
            _write_rows(table, opts, run)
        else:
            _write_text(inv, opts, run)
    if table is not None:
        table.close()
    return 0


def _write_rows(table: RowWriter, opts: Options, run: FileRun) -> None:
    """--json / --csv: the rows of one file (no begins line)."""
    if run.selection is not None and run.records is not None:
        for row in rows(run.records, run.selection, opts.text, run.now, opts.lastb):
            table.write(row)


def _write_text(inv: Invocation, opts: Options, run: FileRun) -> None:
    """The classic lines of one file and its begins line."""
    if run.selection is not None and run.records is not None:
        clean = sanitizer(inv)
        for block in render(
            run.records,
            run.selection,
            opts.text,
            run.now,
            run.columns,
            None if clean is keep else clean,
        ):
            inv.stdout.write(block)
    name = _basename(os.fsencode(run.path))
    inv.stdout.write(begins(name, run.begins, opts.text.time_format))


def _short_hosts(text: TextOptions) -> bool:
    """Whether the text shows the host column cut to 16 bytes (read along with the rest)."""
    return text.show_host and not (text.dns or text.ip or text.host_last or text.full_names)


def _basename(path: bytes) -> bytes:
    """POSIX ``basename()`` (libgen), as util-linux's begins line uses it."""
    stripped = path.rstrip(b"/")
    if not stripped:
        return b"/" if path else b"."
    return stripped.rpartition(b"/")[2]


def _apply(inv: Invocation, opts: Options, options: list[tuple[str, str | None]]) -> None:
    """Act on the options in order, as util-linux's getopt loop does."""
    exclusive = ""
    text = opts.text
    for opt, value in options:
        if opts.extras.take(opt, value):
            continue
        if opt in ("F", TIME_FORMAT):
            if exclusive and exclusive != opt:
                raise UsageError("mutually exclusive arguments: --fulltimes --time-format")
            exclusive = opt
        if opt == "h":
            default = paths.BTMP if opts.lastb else paths.WTMP
            inv.stdout.write(usage(inv.name, default).encode())
            raise _Done
        if opt == "V":
            inv.stdout.write(f"{inv.name} from logwarden {__version__}\n".encode())
            raise _Done
        if opt == "n":
            opts.limit = _number(value or "") & 0xFFFFFFFF
        elif opt.isdigit():
            opts.limit = (opts.limit * 10 + int(opt)) & 0xFFFFFFFF
        elif opt == "f":
            opts.files.append(value or "")
        elif opt in ("s", "t", "p"):
            moment = _moment(value or "")
            if opt == "s":
                opts.since = moment
            elif opt == "t":
                opts.until = moment
            else:
                opts.present = moment
        elif opt == "x":
            opts.extended = True
        elif opt == TIME_FORMAT:
            if value not in TIME_FORMATS:
                raise LogwardenError(f"unknown time format: {value}")
            text = replace(text, time_format=TIME_FORMATS[value])
        elif opt == "F":
            text = replace(text, time_format=FULL)
        elif opt == "R":
            text = replace(text, show_host=False)
        elif opt == "a":
            text = replace(text, host_last=True)
        elif opt == "w":
            text = replace(text, full_names=True)
        elif opt == "d":
            text = replace(text, dns=True)
        elif opt == "i":
            text = replace(text, ip=True)
    opts.text = text


_INTEGER = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)")


def _number(value: str) -> int:
    """util-linux's strtos32_or_err(value, "failed to parse number")."""
    match = _INTEGER.fullmatch(value)
    if match is None:
        raise LogwardenError(f"failed to parse number: '{value}'")
    number = int(match.group(1))
    if not -(2**31) <= number < 2**31:
        raise LogwardenError(f"failed to parse number: '{value}': Numerical result out of range")
    return number


def _moment(value: str) -> int:
    try:
        return seconds_of(parse_timestamp(value))
    except BadTimestamp:
        raise LogwardenError(f'invalid time value "{value}"') from None
