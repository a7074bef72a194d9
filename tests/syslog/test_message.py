"""The message codec: PRI, sanitizing, RFC 3164 and RFC 5424 headers, the file formats; and a
fuzz target: whatever bytes arrive, parsing returns a message and never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.targets import syslog_message
from logwarden.syslog import templates
from logwarden.syslog.message import (
    RFC5424,
    Clock,
    Message,
    parse,
    parse_pri,
    program_and_pid,
    sanitize,
)

NOW = Clock().stamp(1795568523.25)  # 2026-11-25 01:02:03.25 in the test's zone


def net(raw: bytes) -> Message:
    return parse(raw, NOW, b"localhost", local=False)


@pytest.mark.parametrize(
    ("raw", "pri", "offset"),
    [
        (b"<13>x", 13, 4),
        (b"<0>x", 0, 3),
        (b"<191>x", 191, 5),
        (b"<0013>x", 13, 6),
        (b"<>x", 0, 2),
        (b"<192>x", -1, 0),
        (b"<999>x", -1, 0),
        (b"<1000>x", -1, 0),
        (b"<12x", -1, 0),
        (b"<", -1, 0),
        (b"x", 13, 0),
        (b"", 13, 0),
    ],
)
def test_pri(raw: bytes, pri: int, offset: int) -> None:
    """PRI as rsyslog reads it: leading zeros fine, >191 or unterminated invalid, none = 13."""
    assert parse_pri(raw) == (pri, offset)


def test_sanitize_escapes_controls_as_rsyslog() -> None:
    """Trailing NUL and LF dropped; other controls (tab too) as # and three octal digits."""
    assert sanitize(b"a\tb\x1bc\x00d\n") == b"a#011b#033c#000d"
    assert sanitize(b"ok\x00") == b"ok"
    assert sanitize(b"caf\xc3\xa9 \xff") == b"caf\xc3\xa9 \xff"


def test_rfc3164_examples_from_the_spec() -> None:
    """The RFC's and the spec's examples parse into rsyslog's fields."""
    m = net(b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")
    assert (m.facility, m.severity, m.hostname, m.tag) == (4, 2, b"mymachine", b"su:")
    assert m.msg == b" 'su root' failed for lonvick on /dev/pts/8"
    m = net(b"<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!")
    assert (m.hostname, m.tag, m.msg) == (b"10.0.0.99", b"Use", b" the BFG!")
    m = net(b"no pri at all")
    assert (m.pri, m.hostname, m.tag, m.msg) == (13, b"no", b"pri", b" at all")
    m = net(b"<999>bad pri")
    assert (m.pri_valid, m.facility, m.severity, m.msg, m.tag) == (
        False,
        24,
        7,
        b"<999>bad pri",
        b"",
    )
    m = net(b"<30>app: no timestamp no host")
    assert (m.hostname, m.tag, m.stamp) == (b"localhost", b"app:", NOW)


def test_local_messages_have_no_hostname_and_keep_reception_time() -> None:
    """On the unix socket the first word is the tag, and the sender's clock is not used."""
    m = parse(b"<14>Nov 25 10:00:00 localtag[77]: local socket", NOW, b"vm", local=True)
    assert (m.hostname, m.tag, m.app_name, m.procid, m.stamp) == (
        b"vm",
        b"localtag[77]:",
        b"localtag",
        b"77",
        NOW,
    )
    m = parse(b"<14>localtag2: no timestamp", NOW, b"vm", local=True)
    assert m.tag == b"localtag2:"


def test_glibc_syslog_datagrams() -> None:
    """What glibc's syslog(3) sends (spec capture) parses with tag and PID."""
    m = parse(
        b"<132>Nov 25 01:04:19 pytag[11264]: hello from glibc syslog()", NOW, b"vm", local=True
    )
    assert (m.facility, m.severity, m.app_name, m.procid) == (16, 4, b"pytag", b"11264")


def test_rfc5424() -> None:
    """RFC 5424 fields, structured data with escapes, the tag made of APP-NAME[PROCID]."""
    m = net(
        b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        b'[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An event'
    )
    assert m.protocol == RFC5424
    assert (m.hostname, m.app_name, m.procid, m.msgid) == (
        b"mymachine.example.com",
        b"evntslog",
        b"-",
        b"ID47",
    )
    assert m.structured_data.startswith(b"[exampleSDID@32473 ")
    assert m.msg == b"An event"
    assert m.stamp == (2003, 10, 11, 22, 14, 15, b".003", None)
    assert templates.file_format(m).startswith(b"2003-10-11T22:14:15.003Z mymachine")
    m = net(b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time")
    assert (m.tag, m.msg) == (b"myproc[8710]", b"%% It's time")
    assert templates.file_format(m).startswith(b"2003-08-24T05:14:15.000003-07:00 ")
    m = net(b"<13>1 - - - - -")
    assert (m.hostname, m.tag, m.msg) == (b"-", b"-", b"")


def test_traditional_file_format() -> None:
    """A space between TAG and MSG unless MSG starts with one; tag and host as parsed."""
    m = net(b"<13>Nov  5 01:02:03 host app:text")
    assert templates.traditional_file(m) == b"Nov  5 01:02:03 host app: text\n"
    m = net(b"<999>bad")
    assert templates.traditional_file(m).endswith(b" localhost  <999>bad\n")
    assert templates.traditional_forward(m).startswith(b"<invld>")


def test_program_and_pid() -> None:
    """APP-NAME stops at '[', ':' or '/'; PROCID is what the brackets hold."""
    assert program_and_pid(b"postfix/smtpd[123]:") == (b"postfix", b"123")
    assert program_and_pid(b"") == (b"-", b"-")
    assert program_and_pid(b"CRON:") == (b"CRON", b"-")


def test_year_inferred_across_new_year() -> None:
    """A December timestamp received in January belongs to the year before."""
    january = Clock().stamp(1767225600 + 3600 * 24 * 2)  # 2026-01-03
    m = parse(b"<13>Dec 31 23:59:59 h a: x", january, b"h", local=False)
    assert m.stamp[:2] == (january[0] - 1, 12)


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_fuzz_parser_never_raises(raw: bytes, local: bool) -> None:
    """Any bytes give a message whose fields are slices of the sanitized input (the atheris
    target's checks: tests/fuzz/targets.py)."""
    syslog_message(bytes([local]) + raw)


@settings(max_examples=1500, deadline=None)
@given(
    st.from_regex(rb"\A<[0-9]{1,3}>(1 )?[A-Za-z0-9 :\[\]\-.=\"@]{0,80}\Z"),
    st.booleans(),
)
def test_fuzz_header_like_input(raw: bytes, local: bool) -> None:
    """Input shaped like a header (the parser's branches) parses without error."""
    m = parse(raw, NOW, b"h", local=local)
    assert m.raw == raw
