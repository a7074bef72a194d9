"""Bad input, differentially: malformed PRIs, huge messages, NUL bytes, invalid UTF-8 and
escape sequences go to rsyslog and to logwarden, and the lines written must read the same
(rsyslog writes control characters as ``#`` and three octal digits: ESC is ``#033``)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .harness import free_port, logwarden_syslogd, rsyslogd, send_datagrams, skip_without_rsyslog

pytestmark = pytest.mark.reference

STAMP = 16

NASTY = [
    b"<999>bad pri",
    b"<1000>too long pri",
    b"<12unterminated",
    b"<>empty pri",
    b"<0013>leading zeros: ok",
    b"<-1>negative",
    b"<a>letters",
    b"no pri at all",
    b"<13>Nov 25 01:02:03 host app: esc \x1b[31mred\x1b[0m bell\x07 del\x7f",
    b"<13>Nov 25 01:02:03 host app: tab\there cr\rlf\nin the middle",
    b"<13>Nov 25 01:02:03 host app: nul\x00inside",
    b"<13>Nov 25 01:02:03 host app: trailing nul\x00",
    b"<13>Nov 25 01:02:03 host app: trailing lf\n",
    b"<13>Nov 25 01:02:03 host app: invalid utf-8 \xff\xfe \xc3( ok \xc3\xa9",
    b"<13>Nov 25 01:02:03 host app: " + b"x" * 20000 + b" end",
    b"<13>Nov 25 01:02:03 host " + b"t" * 700 + b": long tag",
    b"<13>Nov  5 01:02:03 host app: single digit day",
    b"<13>Feb 30 01:02:03 host app: impossible date",
    b"<13>Nov 25 25:02:03 host app: impossible hour",
    b"<13>2026-11-25T01:02:03.123456+05:30 host app: rfc3339 in 3164",
    b'<13>1 2026-11-25T01:02:03Z host app 42 ID [x@1 a="b\\"]"] 5424 with escaped sd',
    b"<13>1 2026-11-25T01:02:03Z host app - - [broken sd",
    b"<13>1 - - - - -",
    b"<13>",
    b"<13> ",
    b"<13>Nov 25 01:02:03 hostonly",
    b"<13>Nov 25 01:02:03 host-with.dots_and-dash app[12]: fine",
    b"<13>Nov 25 01:02:03 [10.0.0.1] app: bracketed host",
    b"<13>Nov 25 01:02:03 host: colon host",
    b"<191>Nov 25 01:02:03 host app: max pri",
    b"<192>Nov 25 01:02:03 host app: just too big",
    b"\xef\xbb\xbf<13>bom first",
]


@pytest.mark.parametrize("transport", ["udp"])
def test_lines_match_rsyslog(tmp_path: Path, transport: str) -> None:
    """Each nasty datagram is written as rsyslog writes it (timestamps aside)."""
    skip_without_rsyslog()
    rs_port, lw_port = free_port(), free_port()
    rules = "$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat\n*.*\tOUT/trad\n"
    rs_rules = rules.replace("OUT", str(tmp_path / "rs" / "out"))
    lw_rules = rules.replace("OUT", str(tmp_path / "lw" / "out"))
    with rsyslogd(tmp_path / "rs", rs_rules, udp_port=rs_port) as rs:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for data in NASTY:
                s.sendto(data, ("127.0.0.1", rs_port))
        rs.wait_for(len(NASTY))
    expected = (rs.out / "trad").read_bytes().splitlines()
    with logwarden_syslogd(tmp_path / "lw", lw_rules, ["--udp", f"127.0.0.1:{lw_port}"]) as lw:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for data in NASTY:
                s.sendto(data, ("127.0.0.1", lw_port))
        lw.wait_for(len(NASTY))
    got = (lw.out / "trad").read_bytes().splitlines()
    assert len(got) == len(expected)
    for sent, mine, theirs in zip(NASTY, got, expected, strict=True):
        assert mine[STAMP:] == theirs[STAMP:], sent[:60]


def test_unix_socket_escapes_and_size(tmp_path: Path) -> None:
    """On the local socket too: controls escaped, NUL kept visible, 8096 bytes kept."""
    with logwarden_syslogd(tmp_path, "") as lw:
        send_datagrams(
            lw.socket,
            [
                b"<13>Nov 25 01:02:03 app: esc \x1b[2J nul\x00x tab\t.",
                b"<13>Nov 25 01:02:03 big: " + b"y" * 10000,
            ],
        )
        lw.wait_for(2)
    got = (lw.out / "ALL").read_bytes().splitlines()
    assert got[0].endswith(b" app: esc #033[2J nul#000x tab#011.")
    assert len(got[1]) - STAMP - len(b"vm ") == 8096 - len(b"<13>Nov 25 01:02:03 ") or (
        got[1].endswith(b"y") and got[1].count(b"y") == 8096 - len(b"<13>Nov 25 01:02:03 big: ")
    )
