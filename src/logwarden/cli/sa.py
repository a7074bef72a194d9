"""``sa`` (GNU acct 6.6.4): process accounting summarised by command or by user, and folded
into the summary files; plus --json/--csv, --passwd/--group.

Options are acted on in command-line order, as GNU's option loop does; GNU's complaints go to
standard output, as GNU prints them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from logwarden.acct import names as naming
from logwarden.acct import source
from logwarden.acct.fields import commands, cstrings
from logwarden.acct.output import write_text
from logwarden.acct.sa import report, tables
from logwarden.acct.sa import text as sa_text
from logwarden.acct.sa.perrecord import per_record_text
from logwarden.cli.acctopts import ADDITIONS, EXTRA_USAGE, c_int, strtol, version_line
from logwarden.cli.common import Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.formats import acct
from logwarden.formats import savacct as summary
from logwarden.output.terminal import Sanitizer

SHORT = "ahVbcdfiljkmMnrstuv:DKpP"
#: GNU sa's long options, in its table's order.
LONG = [
    LongOpt("debug", Arg.NONE, "debug"),
    LongOpt("version", Arg.NONE, "V"),
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("other-acct-file", Arg.REQUIRED, "other-acct-file"),
    LongOpt("print-seconds", Arg.NONE, "j"),
    LongOpt("dont-read-summary-files", Arg.NONE, "i"),
    LongOpt("list-all-names", Arg.NONE, "a"),
    LongOpt("other-savacct-file", Arg.REQUIRED, "other-savacct-file"),
    LongOpt("print-users", Arg.NONE, "u"),
    LongOpt("percentages", Arg.NONE, "c"),
    LongOpt("not-interactive", Arg.NONE, "f"),
    LongOpt("user-summary", Arg.NONE, "m"),
    LongOpt("group-summary", Arg.NONE, "M"),
    LongOpt("reverse-sort", Arg.NONE, "r"),
    LongOpt("merge", Arg.NONE, "s"),
    LongOpt("threshold", Arg.REQUIRED, "v"),
    LongOpt("separate-forks", Arg.NONE, "separate-forks"),
    LongOpt("other-usracct-file", Arg.REQUIRED, "other-usracct-file"),
    LongOpt("separate-times", Arg.NONE, "l"),
    LongOpt("sort-ksec", Arg.NONE, "K"),
    LongOpt("print-ratio", Arg.NONE, "t"),
    LongOpt("sort-tio", Arg.NONE, "D"),
    LongOpt("sort-sys-user-div-calls", Arg.NONE, "b"),
    LongOpt("sort-avio", Arg.NONE, "d"),
    LongOpt("sort-cpu-avmem", Arg.NONE, "k"),
    LongOpt("sort-num-calls", Arg.NONE, "n"),
    LongOpt("sort-real-time", Arg.NONE, "sort-real-time"),
    LongOpt("ahz", Arg.REQUIRED, "ahz"),
    LongOpt("show-paging", Arg.NONE, "p"),
    LongOpt("show-paging-avg", Arg.NONE, "P"),
]

_PAD = " " * 16
USAGE = f"""
{_PAD}Usage: {{prog}} [ options ] [ file ]
{_PAD}
{_PAD}options: [-abcdfiljkmnprstuDKP] [-v <num>] [--version] [--help]
{_PAD}[--other-acct-file <name>] [--other-usracct-file <name>]
{_PAD}[--print-seconds] [--dont-read-summary-files] [--debug]
{_PAD} [--separate-times] [--other-savacct-file <name>] [--percentages]
{_PAD} [--print-ratio] [--print-users] [--merge] [--user-summary] [--group-summary]
{_PAD}[--list-all-names] [--not-interactive] [--threshold <num>]
{_PAD} [--sort-ksec] [--sort-tio] [--sort-sys-user-div-calls] [--sort-avio]
{_PAD} [--sort-cpu-avmem] [--sort-num-calls] [--sort-real-time] [--ahz hz]
       [--show-paging] [--show-paging-avg]
{{extra}}
The system's default process accounting files are:

  raw process accounting data: {source.PACCT}
      summary by command name: {source.SAVACCT}
          summary by username: {source.USRACCT}

"""

#: ``--group`` abbreviates GNU's ``--group-summary`` here, so sa takes the group file as
#: ``--group-file`` (glibc's matching keeps every abbreviation GNU sa accepts).
GROUP_FILE = LongOpt("group-file", Arg.REQUIRED, "--group")

SA_EXTRA_USAGE = EXTRA_USAGE.replace("--group <file>", "--group-file <file>")

SORTS = {
    "b": sa_text.SORT_CPU_PER_CALL,
    "d": sa_text.SORT_AVIO,
    "k": sa_text.SORT_AVMEM,
    "n": sa_text.SORT_CALLS,
    "sort-real-time": sa_text.SORT_REAL,
}

#: (commands, fork flags, stats) of one source of the command table.
CommandPart = tuple[npt.NDArray[Any], npt.NDArray[Any], tables.Stats]
#: (names, each contribution's index among them) of one source of the user table.
UserPart = tuple[npt.NDArray[np.bytes_], npt.NDArray[np.intp]]

SUMMARY_FIELDS = ("name", "forked", *summary.STAT_FIELDS)


def usage(prog: str) -> bytes:
    """GNU's usage (on stdout), with logwarden's additions."""
    return USAGE.format(prog=prog, extra=SA_EXTRA_USAGE).encode()


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class _Options:
    style: sa_text.Style = field(default_factory=sa_text.Style)
    extras: Extras = field(default_factory=Extras)
    pacct: str = source.PACCT
    savacct: str = source.SAVACCT
    usracct: str = source.USRACCT
    no_summaries: bool = False
    all_names: bool = False
    print_users: bool = False
    user_summary: bool = False
    group_summary: bool = False
    merge: bool = False
    threshold: int = 0
    always_yes: bool = False
    ahz: int = acct.AHZ
    devices: str | None = None


def _take(inv: Invocation, o: _Options, opt: str, value: str | None) -> None:
    if o.extras.take(opt, value):
        return
    arg = value or ""
    style = o.style
    simple = {
        "j": "seconds", "l": "separate", "t": "ratio", "c": "percentages", "r": "reverse",
    }  # fmt: skip
    if opt in simple:
        setattr(style, simple[opt], True)
    elif opt == "V":
        inv.stdout.write(version_line(inv.argv0))
        raise _Exit(0)
    elif opt == "h":
        inv.stdout.write(usage(inv.argv0))
        raise _Exit(1)
    elif opt == "other-acct-file":
        o.pacct = arg
    elif opt == "i":
        o.no_summaries = True
    elif opt == "a":
        o.all_names = True
    elif opt == "other-savacct-file":
        o.savacct = arg
    elif opt == "other-usracct-file":
        o.usracct = arg
    elif opt == "K":
        style.sort, style.ksec = sa_text.SORT_KSEC, True
    elif opt == "u":
        o.print_users = True
    elif opt == "D":
        style.sort, style.total_io = sa_text.SORT_TIO, True
    elif opt in SORTS:
        style.sort = SORTS[opt]
    elif opt == "f":
        o.always_yes = True
    elif opt == "m":
        o.user_summary = True
    elif opt == "M":
        o.user_summary = o.group_summary = True
    elif opt == "s":
        o.merge = True
    elif opt == "v":
        o.threshold = c_int(strtol(arg))
        if o.threshold < 1:
            inv.stdout.write(f"{inv.argv0}: threshold must be one or greater\n".encode())
            raise _Exit(1)
    elif opt == "ahz":
        o.ahz = c_int(strtol(arg))
        if o.ahz < 1:
            inv.stdout.write(f"{inv.argv0}: AHZ must be one or greater\n".encode())
            raise _Exit(1)
    elif opt == "P":
        style.paging = style.paging_avg = True
    elif opt == "p":
        style.paging = True
    elif opt == "--devices":
        o.devices = arg
    # --debug and --separate-forks are accepted and change nothing (see docs/tools/sa.md).


def _parse(inv: Invocation) -> _Options:
    o = _Options()
    try:
        parsed = getopt_long(inv.argv0, inv.args, SHORT, LONG, additions=[*ADDITIONS, GROUP_FILE])
    except GetoptError as e:
        for opt, value in e.options:
            _take(inv, o, opt, value)
        inv.stderr.write(f"{e}\n")
        inv.stdout.write(usage(inv.argv0))
        raise _Exit(1) from None
    for opt, value in parsed.options:
        _take(inv, o, opt, value)
    prog = inv.argv0
    if o.print_users and (o.merge or o.user_summary):
        inv.stdout.write(
            f"{prog}: can't specify `--merge' or `--user-summary' or `--group-summary' "
            "with `--print-users'\n".encode()
        )
        raise _Exit(1)
    if o.merge and o.user_summary:
        inv.stdout.write(
            f"{prog}: can't specify `--user-summary' or `--group-summary' with `--merge'\n".encode()
        )
        raise _Exit(1)
    if len(parsed.operands) == 1:
        o.pacct = parsed.operands[0]
    elif parsed.operands:
        listed = ", ".join(f"`{a}'" for a in parsed.operands)
        inv.stdout.write(f"{prog}: extra arguments {listed} -- aborting\n".encode())
        raise _Exit(1)
    return o


def main(inv: Invocation) -> int:
    try:
        return _run(inv, _parse(inv))
    except _Exit as done:
        return done.status


def _summary_file(inv: Invocation, path: str) -> bytes | None:
    """A summary file's bytes; None when it does not exist (GNU stat()s first)."""
    try:
        os.stat(path)
    except OSError:
        return None
    try:
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        return b""
    except OSError as e:
        inv.stderr.write(source.open_message(path, e) + "\n")
        raise _Exit(1) from None


def _run(inv: Invocation, o: _Options) -> int:
    accounts = o.extras.accounts()
    need_commands = not o.print_users and not o.user_summary
    need_users = not o.print_users and (o.merge or o.user_summary)
    command_parts: list[CommandPart] = []
    user_parts: list[UserPart] = []
    user_stats: list[tables.Stats] = []
    total_parts: list[tables.Stats] = []
    if not o.no_summaries:
        if need_commands:
            data = _summary_file(inv, o.savacct)
            if data is not None:
                read = summary.read_savacct(data)
                if read.trailing:
                    inv.warn(f"{o.savacct}: ignored {read.trailing} trailing bytes")
                stats = tables.summary_stats(read.records)
                comm = cstrings(read.records["comm"])
                command_parts.append((comm, read.records["fork"], stats))
                total_parts.append(stats)
        if need_users:
            data = _summary_file(inv, o.usracct)
            if data is not None:
                users_read = summary.read_usracct(data)
                if users_read.trailing:
                    inv.warn(f"{o.usracct}: ignored {users_read.trailing} trailing bytes")
                stats = tables.summary_stats(users_read.records)
                user_parts.append(
                    (cstrings(users_read.records["name"]), np.arange(len(users_read.records)))
                )
                user_stats.append(stats)
                if o.user_summary:
                    total_parts.append(stats)
    pacct = source.read_pacct(o.pacct, ahz=o.ahz)
    for line in pacct.errors:
        inv.stderr.write(line + "\n")
    for line in pacct.warnings:
        inv.warn(line)
    if pacct.unreadable:
        return 1  # nothing to report, and nothing that may be folded into the summaries
    records = pacct.records
    clean = sanitizer(inv)
    if o.print_users:
        if o.extras.rows:
            return _per_record_rows(inv, o, records, naming.user_names(accounts, records["uid"]))
        names, codes = naming.user_codes(accounts, records["uid"])
        write_text(inv.stdout, per_record_text(records, names, codes), clean)
        return 0
    stats = tables.record_stats(records, faults=o.merge or o.style.paging or o.extras.rows)
    if need_commands:
        command_parts.append((records["comm"], records["flag"] & acct.AFORK, stats))
    if need_users:
        if o.group_summary:
            user_parts.append(naming.group_codes(accounts, records["gid"]))
        else:
            user_parts.append(naming.user_codes(accounts, records["uid"]))
        user_stats.append(stats)
    total_parts.append(stats)
    totals = tables.total(tables.concat(total_parts)).row(0)
    if o.merge:
        return _merge(inv, o, command_parts, user_parts, user_stats)
    if o.user_summary:
        users = tables.user_table(user_parts, tables.concat(user_stats))
        listing = report.user_listing(users, totals, o.style)
        if o.extras.rows:
            return _summary_rows(inv, o, [(n, False, r) for n, r in listing])
        return _print(inv, lambda: report.user_text(listing, o.style, totals), clean)
    command = _command_table(command_parts)
    found = report.command_listing(
        command,
        totals,
        o.style,
        all_names=o.all_names,
        threshold=o.threshold,
        ask=_asker(inv, o.always_yes),
    )
    if found is None:
        return 0
    if o.extras.rows:
        return _summary_rows(inv, o, found.rows)
    return _print(inv, lambda: report.command_text(found, o.style, totals), clean)


def _command_table(parts: list[CommandPart]) -> tables.Table:
    """The command table of the summary file's entries followed by the pacct's records."""
    if len(parts) == 1:
        comm, fork, stats = parts[0]
        return tables.command_table(comm, fork, stats)
    return tables.command_table(
        np.concatenate([c.astype("S16") for c, _, _ in parts]),
        np.concatenate([np.asarray(f, dtype=np.int64) for _, f, _ in parts]),
        tables.concat([s for _, _, s in parts]),
    )


def _print(inv: Invocation, make: Callable[[], bytes], clean: Sanitizer) -> int:
    try:
        body = make()
    except sa_text.ZeroCalls as stop:
        inv.stdout.write(stop.printed)
        inv.stdout.write(
            f"{inv.argv0}: ERROR -- print_stats_nicely called with num_calls == 0\n".encode()
        )
        return 1
    write_text(inv.stdout, body, clean)
    return 0


def _asker(inv: Invocation, always: bool) -> Callable[[bytes], bool]:
    def ask(name: bytes) -> bool:
        if always:
            return True
        inv.stdout.write(b"Junk `" + name.rjust(16) + b"'? ")
        inv.stdout.flush()
        line = sys.stdin.buffer.readline()
        words = line.split()
        return bool(words) and words[0][:1] in (b"y", b"Y")

    return ask


def _merge(
    inv: Invocation,
    o: _Options,
    command_parts: list[CommandPart],
    user_parts: list[UserPart],
    user_stats: list[tables.Stats],
) -> int:
    command = _command_table(command_parts)
    users = tables.user_table(user_parts, tables.concat(user_stats))
    for path, data in (
        (o.savacct, report.savacct_bytes(command)),
        (o.usracct, report.usracct_bytes(users)),
    ):
        try:
            report.write_summary_file(path, data)
        except OSError as e:
            name = e.filename if isinstance(e.filename, str) else path
            if name.endswith("~"):
                inv.stderr.write(source.open_message(name, e) + "\n")
            else:
                inv.stderr.write(f"sa: {e.strerror}\n")
            return 1
    return 0


def _summary_rows(inv: Invocation, o: _Options, rows: list[tuple[bytes, bool, sa_text.Row]]) -> int:
    out = rows_out(inv, o.extras, SUMMARY_FIELDS)
    for name, forked, row in rows:
        out.write({"name": name if name else None, "forked": forked, **row})
    out.close()
    return 0


def _per_record_rows(
    inv: Invocation, o: _Options, records: acct.Records, names: npt.NDArray[np.bytes_]
) -> int:
    stats = tables.record_stats(records)
    out = rows_out(inv, o.extras, ("user", "command", "forked", *summary.STAT_FIELDS[1:]))
    comm = commands(records).tolist()
    fork = ((records["flag"] & acct.AFORK) != 0).tolist()
    columns = {k: stats[k].tolist() for k in summary.STAT_FIELDS[1:]}
    for i, name in enumerate(names.tolist()):
        out.write(
            {"user": name, "command": comm[i], "forked": fork[i]}
            | {k: v[i] for k, v in columns.items()}
        )
    out.close()
    return 0
