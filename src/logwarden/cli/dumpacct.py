"""``dump-acct`` (GNU acct 6.6.4): process accounting records field by field, or re-encoded
with ``--raw``; plus --json/--csv, --passwd/--group and --devices.

GNU's option loop has no default case: an unknown option is complained about (by getopt, on
stderr) and then ignored, and so it is here.
"""

from __future__ import annotations

from logwarden.acct import dumpacct, lastcomm, names, source
from logwarden.acct.fields import commands
from logwarden.acct.output import write_text
from logwarden.acct.ttys import devices_for, names_of
from logwarden.cli.acctopts import ADDITIONS, EXTRA_USAGE, c_int, pacct_location, strtol
from logwarden.cli.common import Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, Parsed, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.formats import acct

SHORT = "rhn:R"
LONG = [
    LongOpt("reverse", Arg.NONE, "r"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("num", Arg.REQUIRED, "n"),
    LongOpt("raw", Arg.NONE, "R"),
    LongOpt("ahz", Arg.REQUIRED, "ahz"),
    LongOpt("format", Arg.REQUIRED, "format"),
    LongOpt("byteswap", Arg.NONE, "byteswap"),
]


def usage(prog: str) -> bytes:
    """GNU's usage (on stdout), with logwarden's additions."""
    return (
        f"Usage: {prog} [-hrR] [-n <recs>] <files>\n"
        "          [--num <recs>] [--raw] [--reverse] [--help]\n"
        "          [--format <version>] [--byteswap]\n"
        "          [--ahz <freq>]\n" + EXTRA_USAGE + pacct_location()
    ).encode()


def _parse(inv: Invocation) -> Parsed:
    """getopt_long, going on past bad options as GNU's loop does (each is reported)."""
    args = list(inv.args)
    options: list[tuple[str, str | None]] = []
    while True:
        try:
            parsed = getopt_long(inv.argv0, args, SHORT, LONG, additions=ADDITIONS)
            return Parsed(options + parsed.options, parsed.operands)
        except GetoptError as e:
            inv.stderr.write(f"{e}\n")
            bad = _failing_argument(inv.argv0, args)
            options.extend(_before(inv.argv0, args[:bad]))
            args = args[bad + 1 :]


def _before(prog: str, args: list[str]) -> list[tuple[str, str | None]]:
    return getopt_long(prog, args, SHORT, LONG, additions=ADDITIONS).options if args else []


def _failing_argument(prog: str, args: list[str]) -> int:
    for end in range(1, len(args) + 1):
        try:
            getopt_long(prog, args[:end], SHORT, LONG, additions=ADDITIONS)
        except GetoptError:
            return end - 1
    return len(args) - 1


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def main(inv: Invocation) -> int:
    extras = Extras()
    backwards = raw = byteswap = False
    limit = -1
    version = -1
    ahz = acct.AHZ
    devices: str | None = None
    parsed = _parse(inv)
    for opt, value in parsed.options:
        arg = value or ""
        if extras.take(opt, value):
            continue
        if opt == "r":
            backwards = True
        elif opt == "h":
            inv.stdout.write(usage(inv.argv0))
            return 1
        elif opt == "n":
            limit = strtol(arg)
            if limit < 1:
                inv.warn("number of lines to print must be positive and non-zero")
                return 1
        elif opt == "R":
            raw = True
        elif opt == "ahz":
            ahz = c_int(strtol(arg))
            if ahz < 1:
                inv.stdout.write(f"{inv.argv0}: AHZ must be one or greater\n".encode())
                return 1
        elif opt == "format":
            version = c_int(strtol(arg[1:] if arg.startswith("v") else arg))
        elif opt == "byteswap":
            byteswap = True
        elif opt == "--devices":
            if arg not in ("live", "static"):
                raise UsageError(f"--devices takes live or static, not '{arg}'")
            devices = arg
    if not parsed.operands:
        inv.stdout.write(usage(inv.argv0))
        return 1
    accounts = extras.accounts()
    ttys = devices_for(devices, foreign=extras.passwd is not None)
    writer = dumpacct.RawWriter(version, byteswap, ahz) if raw else None
    out = rows_out(inv, extras, lastcomm.ROW_FIELDS) if extras.rows else None
    clean = sanitizer(inv)
    left = limit
    status = 0
    for path in parsed.operands:
        pacct = source.read_pacct(path, backwards=backwards, ahz=ahz)
        for line in pacct.errors:
            inv.stderr.write(line + "\n")
        for line in pacct.warnings:
            inv.warn(line)
        if pacct.unreadable:
            status = 1
        records = pacct.records
        if left > 0 and len(records) >= left:
            records = records.slice(0, left)
        if writer is not None:
            data = writer.write(records)
            for line in writer.warnings:
                inv.stderr.write(line + "\n")
            writer.warnings.clear()
            inv.stdout.write(data)
        elif out is not None:
            users = names.user_names(accounts, records["uid"])
            selected = lastcomm.Selected(
                records, users, names_of(ttys, records["tty"]), commands(records)
            )
            for row in lastcomm.rows(selected):
                out.write(row)
        else:
            write_text(inv.stdout, dumpacct.render(records, ttys), clean)
        if left > 0:
            left -= len(records)
            if left == 0:
                break
    if out is not None:
        out.close()
    return status
