"""``users [FILE]`` (coreutils 9.1), plus --json/--csv and --layout."""

from __future__ import annotations

from logwarden.cli.common import LAYOUT, OUTPUT_OPTS, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.gnu import quote, try_help
from logwarden.cli.main import Invocation
from logwarden.connect import paths
from logwarden.connect.current import read_entries
from logwarden.connect.users import render, session_names
from logwarden.sources.utmpfile import layout_named

USAGE = f"""\
Usage: users [OPTION]... [FILE]
Output who is currently logged in according to FILE.
If FILE is not specified, use {paths.UTMP}.  {paths.WTMP} as FILE is common.

      --json        one JSON object per session: {{"user": ...}}
      --csv         the same as CSV
      --layout NAME read FILE as this utmp layout (auto, 384le, 400le, ...)
      --help        display this help and exit
      --version     output version information and exit
"""

LONG = [LongOpt("help", Arg.NONE, "h"), LongOpt("version", Arg.NONE, "v"), *OUTPUT_OPTS, LAYOUT]


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "", LONG)
    except GetoptError as e:
        inv.stderr.write(f"{e}\n{try_help(inv.argv0)}\n")
        return 1
    extras = Extras()
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "v":
            inv.stdout.write(b"users (logwarden) 0.1.0\n")
            return 0
    if len(parsed.operands) > 1:
        inv.stderr.write(
            f"{inv.argv0}: extra operand {quote(parsed.operands[1])}\n{try_help(inv.argv0)}\n"
        )
        return 1
    path = parsed.operands[0] if parsed.operands else paths.UTMP
    default = not parsed.operands
    try:
        entries, source = read_entries(path, check_pids=default, layout=layout_named(extras.layout))
    except FileNotFoundError:
        if default:  # no utmp on this host: nobody is logged in
            return 0
        raise
    for warning in source.warnings:
        inv.warn(warning)
    names = session_names(entries)
    if extras.rows:
        out = rows_out(inv, extras, ["user"])
        for name in names:
            out.write({"user": name})
        out.close()
        return 0
    clean = sanitizer(inv)
    inv.stdout.write(render([clean(n) for n in names]))
    return 0
