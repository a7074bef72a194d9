"""Reading what programs log: syslog files, sulog, sudo's log, Apache's access and error logs.

Each reader turns lines into Entry records with a time (timezone-aware), the usual fields and
the fields of its kind. Formats:

- syslog: ``Nov 25 01:02:03 host tag[pid]: text`` (no year) or RSYSLOG_FileFormat's RFC 3339
  stamp; a year missing from the line is inferred from the file's modification time (the
  last line is in the mtime's year, or the year before if its month is later than the
  mtime's) counting back over every New Year the file crosses (the month falling by six or
  more from one line to the next);
- sulog (shadow's SULOG_FILE): ``SU 11/25 01:02 + pts/0 alice-root``, year inferred the same way;
- sudo (its ``logfile``): ``Nov 25 01:02:03 : alice : TTY=pts/0 ; PWD=/home/alice ;
  USER=root ; COMMAND=/bin/ls``, continued on lines indented by four spaces when long, with
  the year after the time when sudo's ``log_year`` is set;
- Apache access_log, combined or common: ``host ident user [25/Nov/2026:01:02:03 +0000]
  "GET / HTTP/1.1" 200 512 "referer" "agent"``;
- Apache error_log, 2.2 (``[Wed Nov 25 01:02:03 2026] [error] [client 1.2.3.4] text``) and 2.4
  (``[Wed Nov 25 01:02:03.123456 2026] [core:error] [pid 1:tid 2] [client 1.2.3.4:5] text``).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from logwarden.sources import logset

KINDS = ("syslog", "sulog", "sudo", "access", "error")
#: Kinds whose timestamps lack the year.
YEARLESS = ("syslog", "sulog", "sudo")
#: Gives the year of a line from its month (see YearGuess).
YearFn = Callable[[int], int]
#: A local wall clock reading (year, month, day, hour, minute, second, fraction) as an aware
#: datetime: the process's zone by default, the host's for logs of another host.
LocalFn = Callable[[int, int, int, int, int, int, float], datetime]
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"), start=1)}  # fmt: skip

_SYSLOG_3164 = re.compile(rb"([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) ")
_SYSLOG_3339 = re.compile(rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) ")
_SYSLOG_REST = re.compile(rb"(\S+) ([^:\s\[]*)(?:\[([^\]]*)\])?:? ?(.*)", re.DOTALL)
_SULOG = re.compile(rb"SU (\d\d)/(\d\d) (\d\d):(\d\d) ([+-]) (\S+) (\S*?)-(\S+)\s*$")
_SUDO = re.compile(
    rb"([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?: (\d{4}))? : ([^:]+?) : (.*)", re.DOTALL
)
_ACCESS = re.compile(
    rb"(\S+) (\S+) (\S+) \[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "
    rb'"((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?'
)
_ERROR = re.compile(
    rb"\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(\.\d+)? (\d{4})\] (.*)",
    re.DOTALL,
)
_BRACKETED = re.compile(rb"\[([^\]]*)\] ?")


@dataclass
class Entry:
    """One record of a program log."""

    kind: str
    file: str
    line: int
    raw: bytes
    time: datetime | None = None
    host: str | None = None
    program: str | None = None
    pid: str | None = None
    user: str | None = None
    message: str = ""
    fields: dict[str, str | int | None] = field(default_factory=dict)

    def row(self) -> dict[str, object]:
        """The entry as a flat row for --json/--csv."""
        base: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "kind": self.kind,
            "time": self.time.isoformat() if self.time else None,
            "host": self.host,
            "program": self.program,
            "pid": self.pid,
            "user": self.user,
            "message": self.message,
        }
        base.update(self.fields)
        return base


def _text(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def _local(year: int, month: int, day: int, h: int, mi: int, s: int, frac: float = 0.0) -> datetime:
    """A local wall-clock time as an aware datetime (the zone of TZ)."""
    stamp = time.mktime((year, month, day, h, mi, s, 0, 0, -1))
    offset = time.localtime(stamp).tm_gmtoff
    zone = timezone(timedelta(seconds=offset))
    return datetime(year, month, day, h, mi, s, int(frac * 1e6), tzinfo=zone)


def detect(sample: list[bytes]) -> str:
    """The kind of log ``sample`` lines look like most (syslog when nothing matches)."""
    votes = dict.fromkeys(KINDS, 0)
    for line in sample:
        if _SUDO.match(line):
            votes["sudo"] += 1
        elif _SYSLOG_3164.match(line) or _SYSLOG_3339.match(line):
            votes["syslog"] += 1
        elif _SULOG.match(line):
            votes["sulog"] += 1
        elif _ACCESS.match(line):
            votes["access"] += 1
        elif _ERROR.match(line):
            votes["error"] += 1
    best = max(KINDS, key=lambda k: votes[k])
    return best if votes[best] else "syslog"


class YearGuess:
    """Years for timestamps without one, from the file's mtime and its New Year crossings."""

    def __init__(self, mtime: float, months: list[int]) -> None:
        when = time.localtime(mtime)
        rollovers = sum(1 for a, b in itertools.pairwise(months) if b <= a - 6)
        last = months[-1] if months else when.tm_mon
        last_year = when.tm_year - (1 if last > when.tm_mon else 0)
        self.year = last_year - rollovers
        self.month = months[0] if months else 0

    def next(self, month: int) -> int:
        """The year of the next line, which is in ``month``."""
        if month <= self.month - 6:
            self.year += 1
        self.month = month
        return self.year


def _lines(path: str) -> Iterator[tuple[int, bytes]]:
    for chunk in logset.chunks([path]):
        for offset, line in enumerate(chunk.data.split(b"\n")):
            yield chunk.first_line + offset, line.rstrip(b"\r")


def _month_of(kind: str, line: bytes) -> int:
    if kind == "sulog":
        m = _SULOG.match(line)
        return int(m.group(1)) if m else 0
    m = _SYSLOG_3164.match(line) or _SUDO.match(line)
    return _MONTHS.get(_text(m.group(1)), 0) if m else 0


def read(
    path: str, kind: str = "auto", year: int | None = None, local: LocalFn | None = None
) -> Iterator[Entry]:
    """Every record of the program log ``path`` (plain or compressed; ``-`` is stdin).

    ``kind`` is one of KINDS or ``auto`` (detected from the first lines); ``year`` overrides
    the inference for formats without one. Standard input is read once: its kind defaults to
    syslog and its year to the current one.
    """
    guess = YearGuess(time.time(), [])
    if path != "-":
        if kind == "auto":
            head = (line for _, line in _lines(path) if line)
            kind = detect(list(itertools.islice(head, 50)))
        if year is None and kind in YEARLESS:
            months = [m for m in (_month_of(kind, line) for _, line in _lines(path)) if m]
            guess = YearGuess(os.stat(path).st_mtime, months)
    elif kind == "auto":
        kind = "syslog"

    def year_for(month: int) -> int:
        return year if year is not None else guess.next(month)

    local = local or _local
    if kind == "sudo":
        yield from sudo_entries(path, _lines(path), year_for, local)
        return
    for number, line in _lines(path):
        if line:
            yield parse(kind, path, number, line, year_for, local)


def parse(
    kind: str, path: str, number: int, line: bytes, year_for: YearFn, local: LocalFn = _local
) -> Entry:
    """One line of a log of ``kind`` (a sudo entry with its continuation lines joined)."""
    return _PARSERS[kind](path, number, line, year_for, local)


def _syslog(path: str, number: int, line: bytes, year_for: YearFn, local: LocalFn) -> Entry:
    entry = Entry("syslog", path, number, line)
    m = _SYSLOG_3164.match(line)
    if m is not None:
        month = _MONTHS.get(_text(m.group(1)), 1)
        entry.time = local(year_for(month), month, int(m.group(2)), int(m.group(3)),
                           int(m.group(4)), int(m.group(5)), 0.0)  # fmt: skip
        rest = line[m.end() :]
    else:
        m = _SYSLOG_3339.match(line)
        if m is None:
            entry.message = _text(line)
            return entry
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        zone_text = m.group(8)
        if zone_text == b"Z":
            zone = UTC
        else:
            sign = -1 if zone_text[:1] == b"-" else 1
            zone = timezone(
                sign * timedelta(hours=int(zone_text[1:3]), minutes=int(zone_text[4:6]))
            )
        frac = float(m.group(7)) if m.group(7) else 0.0
        entry.time = datetime(y, mo, d, h, mi, s, int(frac * 1e6), tzinfo=zone)
        rest = line[m.end() :]
    parts = _SYSLOG_REST.match(rest)
    if parts is not None:
        entry.host = _text(parts.group(1))
        entry.program = _text(parts.group(2)) or None
        entry.pid = _text(parts.group(3)) if parts.group(3) is not None else None
        entry.message = _text(parts.group(4))
    return entry


def _sulog(path: str, number: int, line: bytes, year_for: YearFn, local: LocalFn) -> Entry:
    entry = Entry("sulog", path, number, line, program="su")
    m = _SULOG.match(line)
    if m is None:
        entry.message = _text(line)
        return entry
    month = int(m.group(1))
    entry.time = local(
        year_for(month), month, int(m.group(2)), int(m.group(3)), int(m.group(4)), 0, 0.0
    )
    entry.user = _text(m.group(7))
    entry.fields = {"success": m.group(5) == b"+", "tty": _text(m.group(6)),
                    "to_user": _text(m.group(8))}  # fmt: skip
    outcome = "succeeded" if m.group(5) == b"+" else "failed"
    entry.message = f"su from {entry.user} to {_text(m.group(8))} on {_text(m.group(6))} {outcome}"
    return entry


def sudo_entries(
    path: str, lines: Iterable[tuple[int, bytes]], year_for: YearFn, local: LocalFn = _local
) -> Iterator[Entry]:
    """sudo's entries from numbered lines: a long entry is wrapped onto lines indented by
    four spaces, which are joined back onto it."""
    pending: tuple[int, bytes] | None = None
    for number, line in lines:
        if line.startswith(b"    ") and pending is not None:
            # sudo wraps long entries at a space and indents the rest by four.
            pending = (pending[0], pending[1] + b"\n" + line)
            continue
        if pending is not None:
            yield _sudo(path, pending[0], pending[1], year_for, local)
        pending = (number, line) if line else None
    if pending is not None:
        yield _sudo(path, pending[0], pending[1], year_for, local)


def _sudo(path: str, number: int, raw: bytes, year_for: YearFn, local: LocalFn) -> Entry:
    entry = Entry("sudo", path, number, raw, program="sudo")
    joined = raw.replace(b"\n    ", b" ")
    m = _SUDO.match(joined)
    if m is None:
        entry.message = _text(joined)
        return entry
    month = _MONTHS.get(_text(m.group(1)), 1)
    year = int(m.group(6)) if m.group(6) else year_for(month)
    entry.time = local(year, month, int(m.group(2)), int(m.group(3)), int(m.group(4)),
                       int(m.group(5)), 0.0)  # fmt: skip
    entry.user = _text(m.group(7)).strip()
    notes = []
    fields: dict[str, str | int | None] = {}
    for part in _text(m.group(8)).split(" ; "):
        key, eq, value = part.partition("=")
        if eq and key.isupper() and " " not in key:
            fields[key.lower()] = value.rstrip(" ;")
        elif part.strip(" ;"):
            notes.append(part.strip(" ;"))
    entry.fields = {"tty": fields.pop("tty", None), "pwd": fields.pop("pwd", None),
                    "runas": fields.pop("user", None), "command": fields.pop("command", None),
                    **fields}  # fmt: skip
    entry.message = "; ".join(notes) if notes else f"ran {entry.fields['command']}"
    return entry


def _access(path: str, number: int, line: bytes, year_for: YearFn, local: LocalFn) -> Entry:
    entry = Entry("access", path, number, line, program="httpd")
    m = _ACCESS.match(line)
    if m is None:
        entry.message = _text(line)
        return entry
    offset = int(m.group(10)[1:3]) * 60 + int(m.group(10)[3:5])
    zone = timezone(timedelta(minutes=offset if m.group(10)[:1] == b"+" else -offset))
    month = _MONTHS.get(_text(m.group(5)), 1)
    day, hour, minute, second = (int(m.group(i)) for i in (4, 7, 8, 9))
    entry.time = datetime(int(m.group(6)), month, day, hour, minute, second, tzinfo=zone)
    entry.host = _text(m.group(1))
    entry.user = None if m.group(3) == b"-" else _text(m.group(3))
    request = _text(m.group(11))
    method, _, rest = request.partition(" ")
    target, _, protocol = rest.rpartition(" ") if " " in rest else (rest, "", "")
    status = _text(m.group(12))
    size = _text(m.group(13))
    entry.fields = {
        "client": entry.host, "ident": None if m.group(2) == b"-" else _text(m.group(2)),
        "method": method or None, "path": target or None, "protocol": protocol or None,
        "status": int(status) if status.isdigit() else None,
        "bytes": int(size) if size.isdigit() else 0,
        "referer": _text(m.group(14)) if m.group(14) is not None else None,
        "agent": _text(m.group(15)) if m.group(15) is not None else None,
    }  # fmt: skip
    entry.message = request
    return entry


def _error(path: str, number: int, line: bytes, year_for: YearFn, local: LocalFn) -> Entry:
    entry = Entry("error", path, number, line, program="httpd")
    m = _ERROR.match(line)
    if m is None:
        entry.message = _text(line)
        return entry
    frac = float(m.group(6)) if m.group(6) else 0.0
    entry.time = local(int(m.group(7)), _MONTHS.get(_text(m.group(1)), 1), int(m.group(2)),
                       int(m.group(3)), int(m.group(4)), int(m.group(5)), frac)  # fmt: skip
    rest = m.group(8)
    fields: dict[str, str | int | None] = {"level": None, "module": None, "client": None,
                                           "tid": None}  # fmt: skip
    while True:
        part = _BRACKETED.match(rest)
        if part is None:
            break
        inner = _text(part.group(1))
        rest = rest[part.end() :]
        if inner.startswith("client "):
            fields["client"] = inner[7:]
        elif inner.startswith("pid "):
            pid, _, tid = inner[4:].partition(":tid ")
            entry.pid = pid
            fields["tid"] = tid or None
        elif fields["level"] is None:
            module, _, level = inner.rpartition(":")
            fields["level"] = level
            fields["module"] = module or None
        else:
            rest = part.group(0) + rest
            break
    entry.fields = fields
    entry.message = _text(rest)
    return entry


_PARSERS: dict[str, Callable[[str, int, bytes, YearFn, LocalFn], Entry]] = {
    "syslog": _syslog,
    "sulog": _sulog,
    "access": _access,
    "error": _error,
    "sudo": _sudo,
}
