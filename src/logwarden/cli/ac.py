"""``ac [OPTION]... [PEOPLE]...`` (GNU acct 6.6.4), plus --json/--csv and --layout."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Sequence

from logwarden import __version__
from logwarden.cli.common import LAYOUT, OUTPUT_OPTS, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.connect import paths
from logwarden.connect.ac import text as ac_text
from logwarden.connect.ac.model import DEFAULT_LENIENCY, DEFAULT_SUSPICIOUS, AcOptions, Report
from logwarden.connect.ac.rows import ROW_FIELDS, report_rows

SHORT = "adf:hpVyz"
#: GNU ac's long options, in its table's order (glibc lists ambiguities in this order).
LONG = [
    LongOpt("complain", Arg.NONE, "complain"),
    LongOpt("reboots", Arg.NONE, "reboots"),
    LongOpt("supplants", Arg.NONE, "supplants"),
    LongOpt("timewarps", Arg.NONE, "timewarps"),
    LongOpt("print-zeros", Arg.NONE, "z"),
    LongOpt("debug", Arg.NONE, "debug"),
    LongOpt("tw-leniency", Arg.REQUIRED, "tw-leniency"),
    LongOpt("version", Arg.NONE, "V"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("daily-totals", Arg.NONE, "d"),
    LongOpt("individual-totals", Arg.NONE, "p"),
    LongOpt("file", Arg.REQUIRED, "f"),
    LongOpt("compatibility", Arg.NONE, "compatibility"),
    LongOpt("print-year", Arg.NONE, "y"),
    LongOpt("all-days", Arg.NONE, "a"),
    LongOpt("tw-suspicious", Arg.REQUIRED, "tw-suspicious"),
]
ADDITIONS = [*OUTPUT_OPTS, LAYOUT]

USAGE = """
Usage: {prog} [OPTION] ...

OPTIONS:
  -d, --daily-totals        Print totals for each day
  -p, --individual-totals   Print time totals for each user
  -f, --file <file>         Read from <file>
  --complain                Print errors for whatever problem
  --reboots                 Count the time between login and reboot
  --supplants               Count the time between logins on the terminal
  --timewarps               Count the time between login and time warp
  --compatibility           Shortcut for --reboots --supplants --timewarps
  -a, --all-days            Do not skip days without login activity
  --tw-leniency <value>     Set the time warp leniency <value> in seconds
  --tw-suspicious <value>   Set the time warp suspicious <value> in seconds
  --print-year              Print year when displaying dates
  --print-zeros             Don't suppress zeros in category totals
  --debug                   Print verbose internal information
  -V, --version             Show version and exit
  -h, --help                Show help and exit
{extra}
The system's default login accounting file is {wtmp}.
"""

EXTRA = """\
  --json                    One JSON object per line (logwarden)
  --csv                     CSV with a header row (logwarden)
  --layout <name>           Read files as this utmp layout: auto, 384le, ... (logwarden)
"""

_LONG_MAX = (1 << 63) - 1


class _Exit(Exception):
    """The option loop ended the program, as GNU ac's exit() calls do."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def usage(prog: str) -> bytes:
    """GNU ac's usage text (printed on standard output), with logwarden's options added."""
    return USAGE.format(prog=prog, extra=EXTRA, wtmp=paths.WTMP).encode()


def strtol(text: str) -> int:
    """C ``strtol(text, NULL, 10)``: leading blanks, a sign, digits; 0 if none; clamped."""
    s = text.lstrip(" \t\n\v\f\r")
    sign = -1 if s.startswith("-") else 1
    s = s[1:] if s[:1] in ("-", "+") else s
    digits = len(s) - len(s.lstrip("0123456789"))
    value = sign * int(s[:digits]) if digits else 0
    return max(-_LONG_MAX - 1, min(_LONG_MAX, value))


class _Settings:
    """What the options asked for, built in command-line order as GNU ac's loop does."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.flags: dict[str, bool] = {}
        self.leniency = DEFAULT_LENIENCY
        self.suspicious = DEFAULT_SUSPICIOUS
        self.files: list[str] = []
        self.extras = Extras()

    def fatal(self, message: str) -> None:
        self.inv.stderr.write(f"{self.inv.argv0}: {message}\n")
        raise _Exit(1)

    def take(self, opt: str, value: str | None) -> None:
        if self.extras.take(opt, value):
            return
        if opt == "V":
            line = f"{self.inv.argv0}: logwarden {__version__} (GNU Accounting Utilities 6.6.4)\n"
            self.inv.stdout.write(line.encode())
            raise _Exit(0)
        if opt == "h":
            self.inv.stdout.write(usage(self.inv.argv0))
            raise _Exit(1)
        if opt == "f":
            self.files.append(value or "")
        elif opt == "tw-leniency":
            self.leniency = strtol(value or "")
            if self.leniency < 0:
                self.fatal("time warp leniency value has to be non-negative")
        elif opt == "tw-suspicious":
            self.suspicious = strtol(value or "")
            if self.suspicious < 0:
                self.fatal("time warp suspicious value has to be non-negative")
            if self.suspicious <= self.leniency:
                self.fatal(
                    "time warp suspicious value has to greater than the time warp leniency value"
                )
        elif opt == "compatibility":
            for flag in ("reboots", "supplants", "timewarps"):
                self.flags[flag] = True
        elif opt == "debug":
            self.flags["debug"] = self.flags["complain"] = True
        else:
            self.flags[opt] = True

    def options(self, people: Sequence[str]) -> AcOptions:
        f = self.flags
        return AcOptions(
            daily=f.get("d", False),
            individual=f.get("p", False),
            all_days=f.get("a", False),
            zeros=f.get("z", False),
            year=f.get("y", False),
            reboots=f.get("reboots", False),
            supplants=f.get("supplants", False),
            timewarps=f.get("timewarps", False),
            leniency=self.leniency,
            suspicious=self.suspicious,
            complain=f.get("complain", False),
            debug=f.get("debug", False),
            names=tuple(os.fsencode(p) for p in people) if people else None,
        )


def main(inv: Invocation) -> int:
    settings = _Settings(inv)
    try:
        try:
            parsed = getopt_long(inv.argv0, inv.args, SHORT, LONG, additions=ADDITIONS)
        except GetoptError as e:
            # GNU ac acts on the options before the bad one (it may exit there), then
            # prints glibc's complaint and its usage.
            for opt, value in e.options:
                settings.take(opt, value)
            inv.stderr.write(f"{e}\n")
            inv.stdout.write(usage(inv.argv0))
            return 1
        for opt, value in parsed.options:
            settings.take(opt, value)
    except _Exit as done:
        return done.status
    options = settings.options(parsed.operands)
    report = _compute(inv, options, settings.files or [paths.WTMP], settings.extras.layout)
    if settings.extras.rows:
        return _write_rows(inv, settings.extras, options, report)
    return _write_text(inv, options, report)


def _compute(inv: Invocation, options: AcOptions, files: list[str], layout: str | None) -> Report:
    """Read the files and compute the report, tuned for a short-lived process.

    The cyclic garbage collector, which has nothing to find in array code, is paused
    meanwhile (cli/main.py has already kept OpenBLAS from starting its thread pool).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        from logwarden.connect.ac.compute import connect_time
        from logwarden.connect.ac.segments import open_segments
        from logwarden.sources.utmpfile import layout_named

        segments = open_segments(files, layout_named(layout))
        for segment in segments:
            for warning in segment.warnings:
                inv.warn(warning)
        return connect_time(segments, options, int(time.time()))
    finally:
        if collecting:
            gc.enable()


def _write_text(inv: Invocation, options: AcOptions, report: Report) -> int:
    clean = sanitizer(inv)
    inv.stdout.write(ac_text.render(report.items, options, clean))
    for error in report.errors:
        inv.stderr.write(error + "\n")
    if report.fatal is not None:
        inv.stdout.write(ac_text.fatal_line(report.fatal, clean))
        inv.stdout.flush()
        inv.stderr.write(f"{inv.argv0}: {ac_text.FATAL_MESSAGE}\n")
        return 1
    return 0


def _write_rows(inv: Invocation, extras: Extras, options: AcOptions, report: Report) -> int:
    out = rows_out(inv, extras, ROW_FIELDS[(options.daily, options.individual)])
    for row in report_rows(report, options):
        if extras.format == "csv":  # CSV spells booleans as JSON does
            row = {k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()}
        out.write(row)
    out.close()
    for item in report.items:
        if isinstance(item, bytes):
            inv.stderr.write(item.decode("utf-8", "backslashreplace"))
    for error in report.errors:
        inv.stderr.write(error + "\n")
    if report.fatal is not None:
        line = ac_text.fatal_line(report.fatal).decode("utf-8", "backslashreplace")
        inv.stderr.write(line)
        inv.stderr.write(f"{inv.argv0}: {ac_text.FATAL_MESSAGE}\n")
        return 1
    return 0
