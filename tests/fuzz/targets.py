"""Fuzz targets for the readers: each takes any bytes and fails (AssertionError, or any
other exception) only when logwarden is wrong about them.

The same functions serve two runners: ``tests/fuzz/run.py`` drives one with atheris,
coverage-guided, for as long as one likes (by hand), and ``test_targets.py`` runs each on
a seed corpus and briefly under atheris in the suite. A target reads its parameters (a
layout, a cut, a flag) from the first bytes of its input, so that a crash found once is
replayed from the same bytes.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable

import numpy as np

from logwarden.connect.tamper import records as tamper
from logwarden.formats import acct, lastlog, utmp
from logwarden.qmail.grammar import parse as parse_sentence
from logwarden.qmail.lines import split_line
from logwarden.qmail.matchup.column_engine import feed
from logwarden.qmail.matchup.line_engine import Matchup, matchup
from logwarden.syslog import templates
from logwarden.syslog.framing import FrameDecoder
from logwarden.syslog.message import Clock, parse, sanitize

#: utmp layouts in the order a target's first byte picks them.
UTMP_LAYOUTS = sorted(utmp.LAYOUTS)
#: The receive time the syslog targets use.
NOW = Clock().stamp(1795568523.25)


def _utc(year: int, month: int, day: int, hour: int, minute: int, sec: int) -> int:
    return calendar.timegm((year, month, day, hour, minute, sec, 0, 0, 0))


def utmp_records(data: bytes) -> None:
    """Detection scores any bytes; a decode accounts for every record; wtmp check runs."""
    if not data:
        return
    layout = utmp.LAYOUTS[UTMP_LAYOUTS[data[0] % len(UTMP_LAYOUTS)]]
    body = data[1:]
    utmp.detect(body)
    decoded = utmp.decode(body, layout)
    assert len(decoded.records.entries()) + decoded.damaged == len(body) // layout.size
    records = utmp.records_of(body, layout)
    for found in tamper.check_records("f", records, kind="wtmp", trailing=len(body) % layout.size):
        assert 0 <= found.offset <= len(body)


def acct_records(data: bytes) -> None:
    """Every 64-byte slot of a pacct file is a record, an unknown one or a second half."""
    if len(data) < 2:
        return
    ahz = 1 + int.from_bytes(data[:2], "little")
    body = data[2:]
    decoded = acct.decode(body, ahz)
    assert len(decoded.records) + decoded.unknown + decoded.second_halves == len(body) // 64
    assert decoded.trailing == len(body) % 64
    for name, kind in acct.COLUMNS:
        assert decoded.records[name].dtype == np.dtype(kind)


def lastlog_records(data: bytes) -> None:
    """Detection and lookups by uid (the first byte says how many, the next ones which,
    from -8) answer for any bytes."""
    count = data[0] % 9 if data else 0
    uids = [b - 8 for b in data[1 : 1 + count]]
    body = data[1 + count :]
    assert len(lastlog.detect(body)) == len(lastlog.LAYOUTS)
    for layout in lastlog.LAYOUTS.values():
        records = lastlog.at_uids(body, layout, uids)
        assert len(records.entries()) == len(uids)
        assert len(lastlog.plausible(records)) == len(uids)


def syslog_message(data: bytes) -> None:
    """Any datagram is a message; its text comes from the input; every format writes it on
    one line."""
    if not data:
        return
    raw = data[1:]
    message = parse(raw, NOW, b"h", local=bool(data[0] & 1))
    assert 0 <= message.facility <= 24
    assert 0 <= message.severity <= 7
    assert message.msg == b"" or message.msg in sanitize(raw)
    assert b"\n" not in templates.traditional_file(message)[:-1]
    for formatter in templates.FORMATTERS.values():
        formatter(message)


def syslog_framing(data: bytes) -> None:
    """A TCP stream cut into messages gives the same messages however it arrives."""
    if not data:
        return
    size = 8 + data[0]
    stream = data[1:]
    whole = FrameDecoder(size).feed(stream)
    pieces = FrameDecoder(size)
    got: list[bytes] = []
    step = 1 + data[0] % 7
    for start in range(0, len(stream), step):
        got += pieces.feed(stream[start : start + step])
    assert got == whole
    assert all(len(message) <= size for message in whole)


def qmail_line(data: bytes) -> None:
    """Any line splits into a stamp and words that end it, and gets a type."""
    line = data.replace(b"\n", b"")
    got = split_line(line, _utc)
    assert line.endswith(got.text)
    assert parse_sentence(got.text).text == got.text


_VERBS = (b"new msg %d", b"info msg %d: bytes %d from <s%d@x> qp %d uid %d", b"end msg %d",
          b"starting delivery %d: msg %d to remote r%d@y", b"delivery %d: success: ok/",
          b"delivery %d: failure: no/", b"delivery %d: deferral: later/",
          b"status: local 0/10 remote 1/20", b"running", b"warning: odd", b"bounce msg %d qp 9",
          b"extra %d 1 0 2", b"delivery %d: report_mangled")  # fmt: skip


def qmail_matchup(data: bytes) -> None:
    """matchup's two engines agree on a log built from the input (few message and delivery
    numbers, so that they collide, restart and reuse), however it is cut."""
    lines = []
    for i in range(0, len(data) - 3, 4):
        verb, a, b, c = data[i : i + 4]
        form = _VERBS[verb % len(_VERBS)]
        values = (a % 6, b % 6, c % 4, a % 3, b % 2)[: form.count(b"%d")]
        lines.append(b"%d.%06d " % (1795000000 + i, c) + form % values + b"\n")
    log = b"".join(lines)
    want, want_pending = matchup(log)
    cut = log.find(b"\n", len(log) // 2) + 1 if log else 0
    engine = Matchup()
    got = feed(engine, log[:cut]) + feed(engine, log[cut:])
    assert got == want
    assert sorted(engine.pending(b"").split(b"\n")) == sorted(want_pending.split(b"\n"))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "utmp": utmp_records,
    "acct": acct_records,
    "lastlog": lastlog_records,
    "syslog-message": syslog_message,
    "syslog-framing": syslog_framing,
    "qmail-line": qmail_line,
    "qmail-matchup": qmail_matchup,
}
