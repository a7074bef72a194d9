"""Events from text logs: syslog files (the host's zone, the year inferred), sulog, sudo's
log, Apache's logs, qmail's multilog files and splogger's lines in a maillog."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from .helpers import events_of
from support.hostroot import HostRoot

AUTH = b"""\
Dec 31 23:59:59 mail sshd[812]: Accepted password for alice from 192.0.2.10 port 50122 ssh2
Jan  1 00:00:01 mail CRON[901]: (root) CMD (run-parts /etc/cron.hourly)
2026-01-02T08:16:00.123456+01:00 mail kernel: [ 12.5] eth0: link up
"""


def test_syslog_lines_in_the_hosts_zone_with_the_year_inferred(tmp_path: Path) -> None:
    """Local stamps are read in the root's zone (+09:00 here, whatever this machine's is);
    the year comes from the file's time, across New Year; a stamp with a year is not a
    guess."""
    host = HostRoot(tmp_path / "root", hours=9, zone="JST")
    host.write("var/log/auth.log", AUTH, "2026-01-05T12:00:00+09:00")
    events, problems = events_of(host.path)
    assert problems == []
    assert events["time"].to_list() == [
        datetime(2025, 12, 31, 14, 59, 59, tzinfo=UTC),
        datetime(2025, 12, 31, 15, 0, 1, tzinfo=UTC),
        datetime(2026, 1, 2, 7, 16, 0, 123456, tzinfo=UTC),
    ]
    assert events["year_guessed"].to_list() == [True, True, False]
    first = events.row(0, named=True)
    assert (first["program"], first["pid"], first["source_kind"]) == ("sshd", 812, "syslog")
    assert json.loads(first["fields"])["hostname"] == "mail"


def test_a_rotated_file_takes_its_year_from_the_newer_one(tmp_path: Path) -> None:
    """auth.log.1 ends before auth.log begins: its December is the year before the live
    file's January, whatever its own mtime says (compression changed it)."""
    host = HostRoot(tmp_path / "root")
    host.write(
        "var/log/auth.log", b"Jan  3 10:00:00 mail sshd[1]: one\n", "2027-01-04T00:00:00+00:00"
    )
    rotated = gzip.compress(
        b"Dec 20 10:00:00 mail sshd[2]: two\nDec 29 10:00:00 mail sshd[3]: three\n"
    )
    host.write("var/log/auth.log.1.gz", rotated, "2027-06-01T00:00:00+00:00")
    events, _ = events_of(host.path)
    assert [t.year for t in events["time"].to_list()] == [2026, 2026, 2027]
    assert events["message"].to_list() == ["two", "three", "one"]


def test_junk_and_future_lines_are_counted_not_read(tmp_path: Path) -> None:
    """A line of binary junk and a line stamped after the file was written are left out,
    each counted with the offset of the first; the other lines are read."""
    host = HostRoot(tmp_path / "root")
    good = b"Mar  1 10:00:00 mail sshd[1]: fine\n"
    junk = b"\x00\x01\xff\xfe garbage \x1b[2J\n"
    iso_future = b"2031-01-01T00:00:00Z mail sshd[2]: from the future\n"
    host.write("var/log/messages", good + junk + iso_future + good, "2026-03-02T00:00:00+00:00")
    events, problems = events_of(host.path)
    assert events["message"].to_list() == ["fine", "fine"]
    path = host.file("var/log/messages")
    assert [str(p).split(": left out")[0] for p in problems] == [
        f"{path}: offset {len(good)}",
        f"{path}: offset {len(good) + len(junk)}",
    ]


def test_program_logs(tmp_path: Path) -> None:
    """sulog, sudo's log (wrapped entries joined), Apache's access and error logs."""
    host = HostRoot(tmp_path / "root")
    when = "2026-01-03T00:00:00+00:00"
    host.write(
        "var/log/sulog",
        b"SU 01/02 09:58 + pts/0 alice-root\nSU 01/02 10:05 - pts/1 bob-root\n",
        when,
    )
    host.write(
        "var/log/sudo.log",
        b"Jan  2 09:00:00 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;\n"
        b"    COMMAND=/usr/bin/apt-get install -y rsyslog\n",
        when,
    )
    host.write(
        "var/log/apache2/access.log",
        b'192.0.2.7 - - [02/Jan/2026:10:00:00 +0100] "GET /admin HTTP/1.1" 404 12 "-" "curl"\n',
        when,
    )
    host.write(
        "var/log/apache2/error.log",
        b"[Fri Jan 02 10:00:01.5 2026] [core:error] [pid 77:tid 1] [client 192.0.2.7:5] "
        b"File does not exist\n",
        when,
    )
    events, problems = events_of(host.path)
    assert problems == []
    rows = {r["kind"]: r for r in events.rows(named=True)}
    assert (rows["su"]["user"], rows["su"]["tty"], rows["su_failed"]["user"]) == (
        "alice",
        "pts/0",
        "bob",
    )
    sudo = rows["sudo"]
    assert (sudo["user"], sudo["tty"]) == ("alice", "pts/0")
    assert json.loads(sudo["fields"])["command"] == "/usr/bin/apt-get install -y rsyslog"
    web = rows["http_request"]
    assert (web["remote"], web["time"]) == ("192.0.2.7", datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    assert json.loads(web["fields"])["status"] == 404
    assert rows["http_error"]["pid"] == 77
    assert rows["http_error"]["remote"] == "192.0.2.7:5"


def test_qmail_multilog_and_splogger_lines(tmp_path: Path) -> None:
    """qmail-send's lines are typed in a multilog directory and inside a maillog, timed by
    qmail's own stamps (never a guessed year), the injecting uid named."""
    host = HostRoot(tmp_path / "root")
    host.write(
        "var/log/qmail/current",
        b"@400000006954e3d0000001f4 new msg 12\n"
        b"@400000006954e3d0000001f4 info msg 12: bytes 300 from <alice@mail> qp 77 uid 1000\n",
    )
    host.write(
        "var/log/maillog",
        b"Dec 31 10:00:00 mail qmail: 1767175201.500000 starting delivery 3: msg 12 to remote "
        b"bob@example.org\n"
        b"Dec 31 10:00:01 mail qmail: 1767175202.000000 delivery 3: success: 1.2.3.4_accepted/\n",
        "2026-01-05T00:00:00+00:00",
    )
    events, problems = events_of(host.path)
    assert problems == []
    assert events["kind"].to_list() == ["mail_new", "mail_info", "mail_start", "mail_delivery"]
    assert events["year_guessed"].to_list() == [False] * 4
    info = events.row(1, named=True)
    assert (info["uid"], info["user"], info["source_kind"]) == (1000, "alice", "qmail")
    assert json.loads(info["fields"])["sender"] == "<alice@mail>"
    delivery = events.row(3, named=True)
    assert delivery["time"] == datetime(2025, 12, 31, 10, 0, 2, tzinfo=UTC)
    assert json.loads(delivery["fields"])["result"] == "success"
    assert (
        events.filter(pl.col("source") == "/var/log/maillog")["program"].to_list() == ["qmail"] * 2
    )
