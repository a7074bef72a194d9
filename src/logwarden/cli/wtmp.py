"""``logwarden wtmp check FILE...``: signs of tampering in utmp, wtmp and btmp files, and in a
lastlog against them. logwarden's own report (no classic tool does this).

Exit status: 0 when nothing was found, 1 when something was, 2 when a file could not be read
(or the command line was wrong). Information lines (each file's layout) never count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from logwarden.acct import names
from logwarden.acct import sessions as joined
from logwarden.acct import source as acct_source
from logwarden.acct.fields import commands
from logwarden.acct.ttys import devices_for, names_of
from logwarden.cli.common import LAYOUT, OUTPUT_OPTS, PASSWD, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.connect.last.analyse import Settings
from logwarden.connect.last.phantom import policy_for
from logwarden.connect.last.run import read_listing
from logwarden.connect.last.selection import Criteria
from logwarden.connect.tamper import lastlog as tl
from logwarden.connect.tamper import pacct as tp
from logwarden.connect.tamper import records as tamper
from logwarden.errors import InputError
from logwarden.formats import acct, utmp
from logwarden.sources.files import read_file
from logwarden.sources.lastlogfile import open_lastlog
from logwarden.sources.utmpfile import choose_layout, layout_named

EXIT_CLEAN, EXIT_FOUND, EXIT_UNREADABLE = 0, 1, 2

USAGE = """\
Usage: logwarden wtmp check [OPTION]... FILE...
Look for signs of tampering in utmp, wtmp and btmp FILEs (and a lastlog against them):
zeroed, damaged and partial records, records out of time order, logins without a boot,
logouts without a login, lastlog entries newer than any wtmp login of their user, commands
(process accounting) on terminals nobody was logged in on.

      --lastlog FILE   also check this lastlog, and its entries against the wtmp logins
      --pacct FILE     also check this process accounting file against the wtmp sessions
      --passwd FILE    the accounts (uid to name) for --lastlog, from the files' host
      --kind KIND      read every FILE as a wtmp, btmp or utmp (default: by its name)
      --leniency SECS  how far back in time a record may go unreported (default 60)
      --layout NAME    read FILEs as this utmp layout (auto, 384le, 400le, ...)
      --json, --csv    one row per finding: file, offset, record, kind, severity, detail
  -h, --help           display this help and exit

Exit status: 0 nothing found, 1 something found, 2 a file could not be read.
"""

LONG = [
    LongOpt("help", Arg.NONE, "h"),
    LongOpt("lastlog", Arg.REQUIRED, "--lastlog"),
    LongOpt("pacct", Arg.REQUIRED, "--pacct"),
    PASSWD,
    LongOpt("kind", Arg.REQUIRED, "--kind"),
    LongOpt("leniency", Arg.REQUIRED, "--leniency"),
    LAYOUT,
    *OUTPUT_OPTS,
]
FIELDS = ("file", "offset", "record", "kind", "severity", "detail")


class Check:
    """One run of the check: its options, what it found, what it could not read."""

    def __init__(self, inv: Invocation, extras: Extras) -> None:
        self.inv = inv
        self.extras = extras
        self.kind: str | None = None
        self.leniency = tamper.LENIENCY
        self.lastlog: str | None = None
        self.pacct: str | None = None
        self.wtmps: list[str] = []
        self.findings: list[tamper.Finding] = []
        self.unreadable = 0
        self.logins: list[tuple[str, dict[bytes, tuple[int, int]], int, int]] = []

    def cannot_read(self, message: str) -> None:
        self.inv.warn(message)
        self.unreadable += 1

    def utmp_file(self, path: str) -> None:
        try:
            file = read_file(path)
        except OSError as e:
            self.cannot_read(f"{path}: {e.strerror or e}")
            return
        view = memoryview(file.data)
        forced = layout_named(self.extras.layout)
        try:
            layout = choose_layout(path, view, forced)
        except InputError as e:
            self.cannot_read(str(e))
            return
        scores = None if forced is not None else utmp.detect(view)
        records = utmp.records_of(view, layout)
        kind = self.kind or tamper.kind_of(path)
        self.findings.append(tamper.layout_finding(path, scores, layout))
        self.findings += tamper.check_records(
            path, records, kind=kind, trailing=len(view) % layout.size, leniency=self.leniency
        )
        span = tamper.time_span(records)
        if kind == "wtmp" and span is not None:
            self.logins.append((path, tamper.newest_logins(records), *span))
            self.wtmps.append(path)

    def lastlog_file(self, path: str) -> None:
        try:
            source = open_lastlog(path)
        except OSError as e:
            self.cannot_read(f"{path}: {e.strerror or e}")
            return
        except InputError as e:
            self.cannot_read(str(e))
            return
        accounts = self.extras.accounts()
        self.findings += tl.file_findings(source, [u.uid for u in accounts.users()])
        wtmp = tl.merge_logins(self.logins)
        if wtmp is None:
            self.findings.append(
                tamper.Finding(
                    path, 0, None, "lastlog-newer", tamper.INFO,
                    "no wtmp with logins among the files: the lastlog was not compared",
                )
            )  # fmt: skip
            return
        self.findings += tl.newer_than_wtmp(source, accounts, wtmp, self.leniency)

    def pacct_file(self, path: str) -> None:
        """Commands on terminals that no session of the wtmp files was logged in on."""
        if not self.wtmps:
            self.findings.append(
                tamper.Finding(
                    path, 0, None, "unlogged-commands", tamper.INFO,
                    "no wtmp with logins among the files: the commands were not compared",
                )
            )  # fmt: skip
            return
        read = acct_source.read_pacct(path)
        for line in read.errors:
            self.cannot_read(line)
        for line in read.warnings:
            self.inv.warn(line)
        if read.errors or read.unreadable:
            return
        sessions, first, last = self._sessions()
        self.findings += tp.unlogged_commands(path, self._commands(read.records), sessions,
                                              (first, last))  # fmt: skip

    def _sessions(self) -> tuple[list[tp.Interval], int, int]:
        """Every session of the wtmp files as ``last`` pairs them, and their time span."""
        found: list[tp.Interval] = []
        first, last = None, None
        for path in self.wtmps:
            run = read_listing(
                path, Settings(), Criteria(), None,
                policy_for(self.extras.passwd, self.extras.accounts()),
                layout_named(self.extras.layout), 0,
            )  # fmt: skip
            for s in joined.sessions(run, 0):
                end = None if s.status in joined.OPEN else s.end
                found.append(tp.Interval(s.line, s.login, end))
            span = None if run.records is None else tamper.time_span(run.records)
            if span is not None:
                first = span[0] if first is None else min(first, span[0])
                last = span[1] if last is None else max(last, span[1])
        return found, first or 0, last or 0

    def _commands(self, records: acct.Records) -> tp.Commands:
        ttys = names_of(devices_for("static", foreign=True), records["tty"])
        return tp.Commands(
            offsets=records.position * acct.RECORD_SIZE,
            start=records["btime"].astype(np.int64),
            line=ttys,
            user=names.user_names(self.extras.accounts(), records["uid"]),
            comm=commands(records),
        )


class _Usage(Exception):
    """The command line is wrong; the message says how."""


def _options(inv: Invocation, check: Check) -> list[str]:
    """The FILEs to check (none after --help); _Usage for a wrong command line."""
    try:
        parsed = getopt_long(inv.argv0, inv.args, "h", LONG)
    except GetoptError as e:
        raise _Usage(str(e)) from None
    for opt, value in parsed.options:
        if check.extras.take(opt, value):
            continue
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return []
        if opt == "--lastlog":
            check.lastlog = value
        elif opt == "--pacct":
            check.pacct = value
        elif opt == "--kind":
            if value not in tamper.KINDS:
                kinds = ", ".join(tamper.KINDS)
                raise _Usage(f"{inv.argv0}: unknown kind '{value}' (choose from {kinds})")
            check.kind = value
        elif opt == "--leniency":
            if value is None or not value.isdigit():
                raise _Usage(f"{inv.argv0}: --leniency wants whole seconds, not '{value}'")
            check.leniency = int(value)
    operands = parsed.operands
    if not operands or operands[0] != "check":
        raise _Usage(f"{inv.argv0}: the only command is 'check'")
    if len(operands) < 2:
        raise _Usage(f"{inv.argv0}: check what? name at least one FILE")
    return operands[1:]


def _order(findings: Sequence[tamper.Finding], files: Sequence[str]) -> list[tamper.Finding]:
    position = {path: i for i, path in reversed(list(enumerate(files)))}
    return sorted(
        findings,
        key=lambda f: (position.get(f.file, len(files)), f.offset, f.record is not None),
    )


def _summary(findings: Sequence[tamper.Finding], files: int, unreadable: int) -> bytes:
    counted = [f for f in findings if f.counts]
    alerts = sum(f.severity == tamper.ALERT for f in counted)
    warnings = len(counted) - alerts
    where = f"{files} file{'s' if files != 1 else ''}"
    if counted:
        text = (
            f"wtmp check: {len(counted)} finding{'s' if len(counted) != 1 else ''} in {where} "
            f"({alerts} alert{'s' if alerts != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''})"
        )
    else:
        text = f"wtmp check: no signs of tampering in {where}"
    if unreadable:
        text += f"; {unreadable} could not be read"
    return (text + "\n").encode()


def main(inv: Invocation) -> int:
    check = Check(inv, Extras())
    try:
        files = _options(inv, check)
    except _Usage as e:
        inv.stderr.write(f"{e}\nUsage: logwarden wtmp check [OPTION]... FILE...\n")
        inv.stderr.write("'logwarden wtmp --help' describes the options.\n")
        return EXIT_UNREADABLE
    if not files:
        return EXIT_CLEAN
    for path in files:
        check.utmp_file(path)
    if check.lastlog is not None:
        check.lastlog_file(check.lastlog)
    if check.pacct is not None:
        check.pacct_file(check.pacct)
    everything = [*files, *(p for p in (check.lastlog, check.pacct) if p)]
    findings = _order(check.findings, everything)
    if check.extras.rows:
        out = rows_out(inv, check.extras, FIELDS)
        for finding in findings:
            out.write(finding.row())
        out.close()
    else:
        clean = sanitizer(inv)
        for f in findings:
            where = f"offset {f.offset}" + (f" (record {f.record})" if f.record is not None else "")
            line = f"{f.file}: {where}: {f.severity}: {f.kind}: {f.detail}"
            inv.stdout.write(clean(line.encode("utf-8", "surrogateescape")) + b"\n")
        inv.stdout.write(_summary(findings, len(everything), check.unreadable))
    if check.unreadable:
        return EXIT_UNREADABLE
    return EXIT_FOUND if any(f.counts for f in findings) else EXIT_CLEAN
