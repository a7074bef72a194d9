"""GNU ``ac``'s state machine, record by record: the reference semantics.

This follows ``parse_entries`` (al_share.cpp) and the helpers of ac.c in GNU acct 6.6.4 step
by step, hash tables included (:mod:`logwarden.gnuhash`), so it reproduces everything
``ac`` does: time warps, clock changes, supplants, ``--complain`` and ``--debug`` output, and
the fatal stop on a negative amount. It costs a few microseconds per record; the vectorized
engine (:mod:`logwarden.connect.ac.fast`) gives the same report for well-ordered files much
faster and hands everything else to this one.

State: ``logins`` (tty -> user and login time), ``totals`` (user -> seconds credited since
the last statistics block), ``last_time`` (time of the previous record, 0 at first) and
``next_midnight`` (the midnight at which everybody is next logged out and in again).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from logwarden.connect.ac import text as ac_text
from logwarden.connect.ac.clock import Midnights
from logwarden.connect.ac.model import AcOptions, Block, Fatal, Report
from logwarden.connect.ac.segments import Columns, Segment
from logwarden.formats import utmp
from logwarden.gnuhash import GnuHashTable, iteration_order

_CHUNK = 4096
_SHUTDOWN_LEVELS = (ord("0"), ord("6"))


class _Login:
    __slots__ = ("name", "time")

    def __init__(self, name: bytes, when: int) -> None:
        self.name = name
        self.time = when


class _Stop(Exception):
    """GNU ac's fatal(): the report ends here."""


class _Rec(NamedTuple):
    """One record as the state machine sees it (after munging)."""

    time: int
    type: int
    original_type: int
    munged: bool
    user: bytes
    line: bytes
    pid: int
    id: bytes
    host: bytes


def _records(segment: Segment, debug: bool) -> Iterator[_Rec]:
    records = segment.records
    if records is None:
        return
    for start in range(0, len(records), _CHUNK):
        chunk = Columns(utmp.Records(records.raw[start : start + _CHUNK], records.layout))
        n = len(chunk)
        users = chunk.records.cstrings("user").tolist()
        lines = chunk.records.cstrings("line").tolist()
        if debug:
            ids = [bytes(v) for v in chunk.records.field_bytes("id")]
            hosts = chunk.records.cstrings("host").tolist()
        else:
            ids = hosts = [b""] * n
        yield from map(
            _Rec,
            chunk.time.tolist(),
            chunk.type.tolist(),
            chunk.original_type.tolist(),
            chunk.munged.tolist(),
            users,
            lines,
            chunk.pid.tolist(),
            ids,
            hosts,
        )


class SequentialEngine:
    """One run of GNU ac's algorithm over a stream of segments."""

    def __init__(self, options: AcOptions, now: int, midnights: Midnights | None = None) -> None:
        self.options = options
        self.now = now
        self.midnights = midnights or Midnights()
        self.report = Report(engine="sequential")
        self.logins: GnuHashTable[_Login] = GnuHashTable()
        self.totals: GnuHashTable[list[int]] = GnuHashTable()
        self.selected = None if options.names is None else set(options.names)
        self.last_time = 0
        self.next_midnight = 0
        self.file_name: str | None = None
        self.recno = 0
        self._leniency = options.leniency
        self._suspicious = options.suspicious
        self._timewarps = options.timewarps
        self._supplants = options.supplants
        self._debugging = options.debug
        # Values this large overflow C's long in the warp test; only _record emulates that.
        self._wraps = max(options.leniency, options.suspicious) > 1 << 40

    # -- output -------------------------------------------------------------------------

    def _where(self) -> bytes:
        name = "NULL?" if self.file_name is None else self.file_name
        return os_bytes(name) + b":%d" % self.recno

    def _complain(self, text: bytes) -> None:
        if self.options.complain or self.options.debug:
            self.report.items.append(self._where() + b": problem: " + text + b"\n")

    def _debug(self, text: bytes) -> None:
        self.report.items.append(text)

    # -- the helpers of ac.c ------------------------------------------------------------

    def _credit(self, name: bytes, seconds: int, label: str) -> None:
        """update_user_time()."""
        if seconds < 0:
            self.report.fatal = Fatal(self._where(), name, label, seconds)
            raise _Stop
        if self._debugging and (self.selected is None or name in self.selected):
            self._debug(ac_text.debug_credit(name, seconds, label))
        cell = self.totals.get(name)
        if cell is None:
            cell = [0]
            self.totals.insert(name, cell)
        cell[0] += seconds

    def _everyone_out(self, when: int, credit: bool, stay: bool, label: str) -> None:
        """log_everyone_out(): credit (if asked) and either re-log in at ``when`` or drop."""
        for line, login in self.logins.items():
            if credit:
                self._credit(login.name, when - login.time, label)
            if stay:
                login.time = when
            else:
                self.logins.delete(line)

    def _statistics(self, kind: str, when: int) -> None:
        """do_statistics(): close a block and empty the totals table (keeping its size)."""
        rows = []
        total = 0
        for name, cell in self.totals.items():
            if self.selected is None or name in self.selected:
                total += cell[0]
                rows.append((name, cell[0]))
        self.totals.clear()
        if kind == "day":
            block = Block("day", self.midnights.day_before(when), total, None)
        else:
            block = Block("final", self.midnights.day_of(when), total, None)
        if self.options.individual:
            block = Block(block.kind, block.day, total, tuple(rows))
        self.report.items.append(block)

    def _do_totals(self, current: int, credit: bool, stay: bool, label: str) -> None:
        """do_totals(): split sessions at each midnight before ``current``."""
        options = self.options
        every_day = options.daily and options.all_days
        while self.next_midnight < current:
            self._everyone_out(self.next_midnight, credit, stay, label)
            if options.daily:
                self._statistics("day", self.next_midnight)
            self.next_midnight = self.midnights.after(self.next_midnight if every_day else current)

    def _log_in(self, rec: _Rec) -> None:
        if not rec.line:
            self._complain(b"trying to hash rec with ut_line == NULL")
            return
        login = self.logins.get(rec.line)
        if login is None:
            self.logins.insert(rec.line, _Login(rec.user, rec.time))
            return
        self._complain(b"duplicate record for line `%s'" % rec.line)
        if self.options.supplants:
            self._credit(login.name, rec.time - login.time, "supplant")
        login.name = rec.user
        login.time = rec.time

    def _log_out(self, rec: _Rec) -> None:
        if not rec.line:
            self._complain(b"trying to hash rec with ut_line == NULL")
            return
        login = self.logins.get(rec.line)
        if login is None:
            self._complain(b"missing login record for `%s'" % rec.line)
            return
        self._credit(login.name, rec.time - login.time, "logout")
        self.logins.delete(rec.line)

    # -- the main loop ------------------------------------------------------------------

    def run(self, segments: Sequence[Segment]) -> Report:
        """Process every record of ``segments``, then catch up to "now" and close."""
        with contextlib.suppress(_Stop):  # a fatal stop: the report ends where it stopped
            self._run(segments)
        return self.report

    def _run(self, segments: Sequence[Segment]) -> None:
        options = self.options
        if options.debug and options.names is not None:
            for name in iteration_order(options.names):
                self._debug(b"%s (%d)\n" % (name, len(name)))
        state = _ClockPair()
        first = True
        diagnose = options.debug or options.complain or self._wraps
        for segment in segments:
            if not segment.opened:
                self.report.errors.append(segment.error or "")
                continue
            self.file_name = segment.name
            self.recno = 0
            for rec in _records(segment, options.debug):
                self.recno += 1
                if first:
                    first = False
                    self.next_midnight = self.midnights.after(rec.time)
                if diagnose:
                    self._record(rec, state)
                else:
                    self._quick_record(rec, state)
        now = max(self.now, self.last_time)
        self._do_totals(now, True, True, "midnight logout")
        self._everyone_out(now, True, False, "catch-up")
        self._statistics("final", now)

    def _record(self, rec: _Rec, clock: _ClockPair) -> None:
        options = self.options
        if options.debug:
            stamp = ctime(rec.time)
            fields = (rec.user, rec.line, rec.original_type, rec.id, rec.pid, rec.host, stamp)
            self._debug(ac_text.debug_record(*fields))
            if rec.munged:
                fields = (rec.user, rec.line, rec.type, rec.id, rec.pid, rec.host, stamp)
                self._debug(ac_text.debug_record(*fields, munged=True))
        kind = rec.type
        t = rec.time
        if kind != utmp.NEW_TIME and (
            wrap64(t + options.leniency) < self.last_time
            or t > wrap64(self.last_time + options.suspicious)
        ):
            self._complain(b"time warp (%s -> %s)" % (ctime(self.last_time), ctime(t)))
            self._do_totals(self.next_midnight + 1, options.timewarps, False, "time warp")
            self.next_midnight = self.midnights.after(t)
        self.last_time = t
        if kind != utmp.NEW_TIME:
            self._do_totals(t, True, True, "midnight logout")
        self._dispatch(rec, clock)
        if options.debug:
            for line, login in self.logins.items():
                self._debug(ac_text.debug_login(line, login.name, ctime(login.time)))

    def _quick_record(self, rec: _Rec, clock: _ClockPair) -> None:
        """:meth:`_record` without diagnostics, logins and logouts handled in line: the
        same steps, in the same order, for the records that make up most of a file."""
        kind = rec.type
        t = rec.time
        if kind != utmp.NEW_TIME:
            last = self.last_time
            if t + self._leniency < last or t > last + self._suspicious:
                self._do_totals(self.next_midnight + 1, self._timewarps, False, "time warp")
                self.next_midnight = self.midnights.after(t)
            self.last_time = t
            if self.next_midnight < t:
                self._do_totals(t, True, True, "midnight logout")
        else:
            self.last_time = t
        line = rec.line
        if kind == utmp.USER_PROCESS and line:  # munging left no USER_PROCESS without name
            login = self.logins.get(line)
            if login is None:
                self.logins.insert(line, _Login(rec.user, t))
            else:
                if self._supplants:
                    self._credit(login.name, t - login.time, "supplant")
                login.name = rec.user
                login.time = t
        elif kind == utmp.DEAD_PROCESS and line:
            login = self.logins.get(line)
            if login is not None:
                self._credit(login.name, t - login.time, "logout")
                self.logins.delete(line)
        else:
            self._dispatch(rec, clock)

    def _dispatch(self, rec: _Rec, clock: _ClockPair) -> None:
        kind = rec.type
        t = rec.time
        if kind == utmp.NEW_TIME:
            if clock.expecting:
                for _line, login in self.logins.items():
                    login.time += t - clock.before
                clock.expecting = False
                self.next_midnight = self.midnights.after(t)
            else:
                self._complain(b"unpaired time record (ignored)")
        elif kind == utmp.OLD_TIME:
            clock.expecting = True
            clock.before = t
        elif kind == utmp.BOOT_TIME:
            if rec.user == b"shutdown":
                self._everyone_out(t, True, False, "shutdown")
            else:
                self._everyone_out(t, self.options.reboots, False, "reboot")
        elif kind == utmp.RUN_LVL:
            if rec.user == b"shutdown" or rec.pid & 255 in _SHUTDOWN_LEVELS:
                self._everyone_out(t, True, False, "shutdown")
        elif kind in (utmp.LOGIN_PROCESS, utmp.INIT_PROCESS, utmp.ACCOUNTING, utmp.EMPTY):
            pass
        elif kind == utmp.USER_PROCESS:
            if rec.user:
                self._log_in(rec)
            else:
                self._log_out(rec)
        elif kind == utmp.DEAD_PROCESS:
            if rec.line:
                self._log_out(rec)
        elif not rec.line:
            self._complain(b"empty record")
        elif rec.user:
            self._log_in(rec)
        else:
            self._log_out(rec)


class _ClockPair:
    """The first half of a clock change (OLD_TIME) waiting for its NEW_TIME."""

    __slots__ = ("before", "expecting")

    def __init__(self) -> None:
        self.expecting = False
        self.before = 0


def wrap64(value: int) -> int:
    """``value`` as C's 64-bit ``long`` arithmetic leaves it (huge --tw-* values overflow)."""
    return (value + (1 << 63)) % (1 << 64) - (1 << 63)


def ctime(t: int) -> bytes:
    """``ctime()`` without its newline, in the ``TZ`` in force."""
    return time.ctime(t).encode("ascii")


def os_bytes(text: str) -> bytes:
    """A file name as the C program had it in argv."""
    return text.encode("utf-8", "surrogateescape")
