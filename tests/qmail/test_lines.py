"""Stamps and prefixes: every form qmail-send's lines reach a log in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logwarden.qmail.lines import Joiner, Style, read_lines, split_line

from .helpers import sample


def utc(year: int, month: int, day: int, hour: int, minute: int, sec: int) -> int:
    import calendar

    return calendar.timegm((year, month, day, hour, minute, sec, 0, 0, 0))


@pytest.mark.parametrize(
    ("line", "style", "stamp", "ns", "text"),
    [
        (b"@4000000038c3eeb027f41c7c new msg 93869", Style.MULTILOG,
         b"@4000000038c3eeb027f41c7c", 952364710_670309500, b"new msg 93869"),
        (b"955436538.813320 new msg 18995", Style.UNIX, b"955436538.813320",
         955436538_813320000, b"new msg 18995"),
        (b"1054194610 delivery 185: success: did_0+0+1/", Style.UNIX, b"1054194610",
         1054194610_000000000, b"delivery 185: success: did_0+0+1/"),
        (b"Apr 11 02:02:18 mail qmail: 955436538.813320 new msg 18995", Style.SYSLOG,
         b"955436538.813320", 955436538_813320000, b"new msg 18995"),
        (b"Apr  1 02:02:18 mail qmail : 955436538.813320 new msg 18995", Style.SYSLOG,
         b"955436538.813320", 955436538_813320000, b"new msg 18995"),
        (b"2026-11-25T12:00:00.123456+00:00 mail qmail: 955436538.813320 end msg 1",
         Style.SYSLOG, b"955436538.813320", 955436538_813320000, b"end msg 1"),
        (b"2003-09-27 11:22:07.039237500 starting delivery 3714: msg 1 to local a@b",
         Style.LOCAL, b"2003-09-27 11:22:07.039237500",
         utc(2003, 9, 27, 11, 22, 7) * 10**9 + 39237500,
         b"starting delivery 3714: msg 1 to local a@b"),
        (b"2002-09-17 06:35:15.334422 delivery 1: success: did_1+0+0/", Style.LOCAL,
         b"2002-09-17 06:35:15.334422", utc(2002, 9, 17, 6, 35, 15) * 10**9 + 334422000,
         b"delivery 1: success: did_1+0+0/"),
        (b"info msg 192270: bytes 23472 from <a@b> qp 21977 uid 80", Style.NONE, b"", None,
         b"info msg 192270: bytes 23472 from <a@b> qp 21977 uid 80"),
        (b"Apr 11 02:02:18 mail postfix/smtpd[123]: connect from x", Style.FOREIGN, b"", None,
         b"Apr 11 02:02:18 mail postfix/smtpd[123]: connect from x"),
        (b"ueued_as_A38AD684/", Style.FOREIGN, b"", None, b"ueued_as_A38AD684/"),
    ],
)  # fmt: skip
def test_every_prefix_form(
    line: bytes, style: Style, stamp: bytes, ns: int | None, text: bytes
) -> None:
    """Each logger's stamp is recognised, decoded to Unix time and removed."""
    got = split_line(line, utc)
    assert (got.style, got.stamp, got.unix_ns, got.text) == (style, stamp, ns, text)


def test_local_time_follows_the_zone() -> None:
    """tai64nlocal output is read in the zone it was written in (CEST in sample 06)."""
    import os
    import time

    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    try:
        local = read_lines(sample("06-bayour-2002-tailocal").read_bytes())[0]
        unix = read_lines(sample("06-bayour-2002-splogger").read_bytes())[0]
        assert [x.prefixed.unix_ns for x in local] == [x.prefixed.unix_ns for x in unix]
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_splogger_pieces_are_joined() -> None:
    """A line split by splogger at 799 characters comes back whole."""
    data = (
        b"Apr 11 02:02:18 mail qmail: 955436538.813320 delivery 5: failure: aaa\n"
        b"Apr 11 02:02:18 mail qmail: 955436538.813320+bbb/\n"
        b"Apr 11 02:02:19 mail qmail: 955436539.000001 end msg 7\n"
    )
    lines, joiner = read_lines(data)
    assert [x.prefixed.text for x in lines] == [b"delivery 5: failure: aaabbb/", b"end msg 7"]
    assert (joiner.joined, joiner.orphans, lines[0].pieces) == (1, 0, 2)


def test_a_piece_without_its_line_is_an_orphan() -> None:
    """A log that starts in the middle of a long line keeps the piece, counted."""
    lines, joiner = read_lines(b"955436538.813320+rest/\n955436539.000000 end msg 1\n")
    assert len(lines) == 2
    assert joiner.orphans == 1


def test_hard_wrapped_lines_are_rejoined() -> None:
    """The mail-wrapped sample reads the same as its unwrapped copy."""
    wrapped, joiner = read_lines(sample("02-lkml-2004-multilog-remote.raw").read_bytes())
    whole, _ = read_lines(sample("02-lkml-2004-multilog-remote.unwrapped").read_bytes())
    assert [x.prefixed for x in wrapped] == [x.prefixed for x in whole]
    assert joiner.wrapped == 9


def test_joiner_counts_start_at_zero() -> None:
    """A fresh joiner has seen nothing."""
    j = Joiner()
    assert (j.joined, j.orphans, j.wrapped) == (0, 0, 0)


@given(st.binary(max_size=200))
def test_any_bytes_split_without_error(line: bytes) -> None:
    """No line, however odd, makes the prefix parser fail; the words are a suffix."""
    got = split_line(line.replace(b"\n", b""), utc)
    assert line.replace(b"\n", b"").endswith(got.text)
