"""``logwarden syslog grep``: search syslog files and program logs, text or --json/--csv."""

from __future__ import annotations

from logwarden.cli.common import OUTPUT_OPTS, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.syslog.grep import Criteria, compile_pattern, parse_when, search
from logwarden.syslog.proglogs import KINDS

USAGE = """\
Usage: logwarden syslog grep [OPTIONS] PATTERN [FILE...]
       logwarden syslog grep [OPTIONS] -e PATTERN [FILE...]
Search syslog files, sulog, sudo's log and Apache's access_log/error_log (plain, gzip,
bzip2 or xz; rotated sets oldest first). PATTERN is a regular expression ('' matches all).

  -e PATTERN         the pattern (when it starts with '-')
  -F                 PATTERN is a fixed string
  -i                 ignore case
  -v                 select records that do not match
  -c                 print only a count of matching records per file
  -n                 prefix each record with its line number
  -H, --with-filename  prefix each record with its file name (default with several files)
      --no-filename  never prefix the file name
      --type KIND    read every file as KIND: auto (default), syslog, sulog, sudo,
                     access, error
      --since TIME   records at or after TIME (YYYY-MM-DD[ HH:MM[:SS]][+hh:mm])
      --until TIME   records before TIME
      --program NAME records of this program (syslog tag, su, sudo, httpd)
      --host NAME    records from this host (syslog) or client (access_log)
      --user NAME    records of this user (su's or sudo's invoking user, access_log's)
      --year YEAR    the year of timestamps that lack one (default: from the file's time)
      --json         one JSON object per record with its parsed fields
      --csv          the same as CSV
      --help         show this help

Exit status: 0 if a record matched, 1 if none did, 2 on an error.
"""

LONG = [
    LongOpt("with-filename", Arg.NONE, "H"),
    LongOpt("no-filename", Arg.NONE, "no-filename"),
    LongOpt("type", Arg.REQUIRED, "type"),
    LongOpt("since", Arg.REQUIRED, "since"),
    LongOpt("until", Arg.REQUIRED, "until"),
    LongOpt("program", Arg.REQUIRED, "program"),
    LongOpt("host", Arg.REQUIRED, "host"),
    LongOpt("user", Arg.REQUIRED, "user"),
    LongOpt("year", Arg.REQUIRED, "year"),
    LongOpt("help", Arg.NONE, "help"),
    *OUTPUT_OPTS,
]
FIELDS = ("file", "line", "kind", "time", "host", "program", "pid", "user", "message")


def grep_main(inv: Invocation, args: list[str]) -> int:
    try:
        parsed = getopt_long("logwarden syslog grep", args, "e:FivcnH", LONG)
    except GetoptError as e:
        raise UsageError(str(e), exit_code=2) from None
    extras = Extras()
    criteria = Criteria()
    pattern: str | None = None
    fixed = ignore_case = count = numbers = False
    names: bool | None = None
    for opt, value in parsed.options:
        arg = value or ""
        if extras.take(opt, value):
            continue
        if opt == "help":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "e":
            pattern = arg
        elif opt == "F":
            fixed = True
        elif opt == "i":
            ignore_case = True
        elif opt == "v":
            criteria.invert = True
        elif opt == "c":
            count = True
        elif opt == "n":
            numbers = True
        elif opt == "H":
            names = True
        elif opt == "no-filename":
            names = False
        elif opt == "type":
            if arg not in ("auto", *KINDS):
                raise UsageError(f"--type {arg!r}: one of auto, {', '.join(KINDS)}", exit_code=2)
            criteria.kind = arg
        elif opt == "since":
            criteria.since = parse_when(arg)
        elif opt == "until":
            criteria.until = parse_when(arg)
        elif opt in ("program", "host", "user"):
            setattr(criteria, opt, arg)
        elif opt == "year":
            if not arg.isdigit():
                raise UsageError(f"--year {arg!r}: a year such as 2026", exit_code=2)
            criteria.year = int(arg)
    operands = list(parsed.operands)
    if pattern is None:
        if not operands:
            raise UsageError("no PATTERN; 'logwarden syslog grep --help' says more", exit_code=2)
        pattern = operands.pop(0)
    if pattern:
        criteria.pattern = compile_pattern(pattern, fixed=fixed, ignore_case=ignore_case)
    files = operands or ["-"]
    show_names = names if names is not None else len(files) > 1
    return _report(inv, extras, criteria, files, show_names, numbers, count)


def _report(inv: Invocation, extras: Extras, criteria: Criteria, files: list[str],
            show_names: bool, numbers: bool, count: bool) -> int:  # fmt: skip
    found = 0
    out = rows_out(inv, extras, FIELDS) if extras.rows and not count else None
    clean = sanitizer(inv)
    counts: dict[str, int] = {}
    write = inv.stdout.write
    for entry in search(files, criteria):
        found += 1
        if count:
            counts[entry.file] = counts.get(entry.file, 0) + 1
        elif out is not None:
            out.write(entry.row())
        else:
            prefix = b""
            if show_names:
                prefix += entry.file.encode("utf-8", "surrogateescape") + b":"
            if numbers:
                prefix += b"%d:" % entry.line
            write(prefix + clean(entry.raw) + b"\n")
    if count:
        for path in files:
            name = path.encode("utf-8", "surrogateescape")
            number = b"%d\n" % counts.get(path, 0)
            write(name + b":" + number if show_names else number)
    if out is not None:
        out.close()
    return 0 if found else 1
