"""splogger: qmail's five rules, the datagrams glibc's syslog(3) would send, and rsyslog.

qmail's splogger is not packaged in Debian, so the reference for what reaches the socket is
glibc itself: a small C program (compiled here) calls ``openlog(tag, 0, facility << 3)`` and
``syslog(priority, "%s", message)`` as splogger.c does, inside a private mount namespace
whose ``/dev/log`` is a socket of the test's own. Both run under the same frozen clock.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.qmail.splogger import PIECE, Splitter, facility_argument, openlog_arguments
from logwarden.qmail.syslogclient import LOG_USER, SyslogClient, openlog_facility

from support.reference import BASE_ENV, frozen_env, is_root

EPOCH = 1_700_000_000
STAMP = b"%d.000000" % EPOCH


def clock() -> int:
    return EPOCH * 1_000_000_000 + 123_456_789


def messages(data: bytes, cut: int | None = None) -> list[tuple[int, bytes]]:
    """What splogger sends for ``data`` (fed in one block, or cut in two at ``cut``)."""
    splitter = Splitter(clock)
    blocks = [data] if cut is None else [data[:cut], data[cut:]]
    out = []
    for block in blocks:
        out.extend(splitter.feed(block))
    out.extend(splitter.finish())
    return out


S = b"1700000000.123456"


def test_rule_1_every_message_is_stamped() -> None:
    """Seconds and six-digit microseconds, a space, the text."""
    assert messages(b"new msg 1\n") == [(6, S + b" new msg 1")]


def test_rule_2_alert_and_warning_pick_the_priority() -> None:
    """``alert:`` -> alert (1), ``warning:`` -> warning (4), anything else info (6)."""
    data = b"alert: a\nwarning: w\n alert: not first\nalertx\nwarning:\n"
    assert [p for p, _ in messages(data)] == [1, 4, 6, 6, 4]


def test_rule_3_unprintable_bytes_become_question_marks() -> None:
    """Tab, escape, NUL, DEL and every byte above 126 are ``?``."""
    data = b"a\tb\x1b[2J\x00\x7f\xc3\xa9z~\n"
    assert messages(data) == [(6, S + b" a?b?[2J????z~")]


def test_rule_4_blank_lines_are_not_logged() -> None:
    """An empty line sends nothing (a line of spaces is not blank)."""
    assert messages(b"\n\n \n\n") == [(6, S + b"  ")]


@pytest.mark.parametrize(
    ("size", "pieces"),
    [(798, 1), (799, 1), (800, 2), (1598, 2), (1599, 3), (799 * 5, 5)],
)
def test_rule_5_long_lines_are_cut_into_799_characters(size: int, pieces: int) -> None:
    """Pieces of 799; the first ``STAMP TEXT``, the others ``STAMP+TEXT``, same priority."""
    line = b"warning:" + b"w" * (size - 8)
    got = messages(line + b"\n")
    assert len(got) == pieces
    assert {p for p, _ in got} == {4}
    assert got[0][1].startswith(S + b" warning:")
    assert all(m.startswith(S + b"+") for _, m in got[1:])
    assert all(len(m) - len(S) - 1 <= PIECE for _, m in got)
    assert b"".join(m[len(S) + 1 :] for _, m in got) == line


@pytest.mark.parametrize(
    ("size", "sent"), [(0, 0), (1, 0), (799, 0), (800, 1), (1598, 1), (1599, 2)]
)
def test_unfinished_last_line_sends_only_its_complete_pieces(size: int, sent: int) -> None:
    """At end of input splogger exits: a piece goes only if a byte followed it."""
    assert len(messages(b"done\n" + b"x" * size)) == 1 + sent


@given(st.binary(max_size=3000), st.integers(0, 3000))
@settings(max_examples=200, deadline=None)
def test_block_boundaries_do_not_matter(data: bytes, cut: int) -> None:
    """However the input is cut into reads, the same messages come out."""
    assert messages(data, min(cut, len(data))) == messages(data)


def test_hostile_ten_megabyte_line() -> None:
    """A 10 MB line of control bytes: 13,125 pieces of ``?``, each within the limit."""
    size = 10 * 1024 * 1024
    got = messages(b"\x1b" * size + b"\n")
    assert len(got) == -(-size // PIECE)
    assert all(m[len(S) + 1 :] == b"?" * len(m[len(S) + 1 :]) for _, m in got)


@pytest.mark.parametrize(
    ("argument", "value"),
    [(b"2", 16), (b"3", 24), (b"0", 0), (b"23", 184), (b"x", 0), (b"4x", 32), (b"536870912", 0)],
)
def test_facility_argument_is_shifted_like_splogger(argument: bytes, value: int) -> None:
    """``scan_ulong`` then ``<< 3`` as a C int."""
    assert facility_argument(argument) == value


def test_openlog_keeps_user_for_an_impossible_facility() -> None:
    """glibc ignores a facility with bits outside LOG_FACMASK (and keeps LOG_USER)."""
    assert openlog_facility(facility_argument(b"128")) == LOG_USER
    assert openlog_facility(facility_argument(b"127")) == 127 << 3
    assert openlog_arguments([]) == (b"splogger", 16)
    assert openlog_arguments([b"qmail"]) == (b"qmail", 16)


class Capture:
    """A unix datagram socket of the test's own, collecting what is sent to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind(str(path))
        self.sock.settimeout(0.5)
        self.received: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            try:
                self.received.append(self.sock.recv(1 << 16))
            except TimeoutError:
                continue

    def collect(self, count: int, timeout: float = 30) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        self.running = False
        self.thread.join()
        self.sock.close()
        return self.received


def test_socket_datagrams_are_formatted_as_glibc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``<PRI>Mmm dd hh:mm:ss TAG: MESSAGE``, local time, no pid, no newline."""
    capture = Capture(tmp_path / "log")
    client = SyslogClient(b"qmail", 16, str(tmp_path / "log"), clock=lambda: 1_700_000_000.9)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        client.send(6, b"1700000000.000000 new msg 1")
        client.send(1, b"x")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert capture.collect(2) == [
        b"<22>Nov 14 22:13:20 qmail: 1700000000.000000 new msg 1",
        b"<17>Nov 14 22:13:20 qmail: x",
    ]


GLIBC_SENDER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
/* openlog as splogger.c calls it (facility digits shifted by 3), then one syslog()
   per input line "PRIORITY<TAB>MESSAGE". */
int main(int argc, char **argv) {
  unsigned long facility = 2;
  static char line[1 << 16];
  if (argc > 2) {
    const char *s = argv[2];
    facility = 0;
    while (*s >= '0' && *s <= '9') facility = facility * 10 + (unsigned long) (*s++ - '0');
  }
  openlog(argc > 1 ? argv[1] : "splogger", 0, facility << 3);
  while (fgets(line, sizeof line, stdin)) {
    char *tab = strchr(line, '\t');
    line[strcspn(line, "\n")] = 0;
    syslog(atoi(line), "%s", tab + 1);
  }
  return 0;
}
"""


@pytest.fixture(scope="module")
def glibc_sender(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The C program above, compiled (skips without gcc)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is needed to build the glibc syslog(3) reference")
    where = tmp_path_factory.mktemp("glibc")
    (where / "sender.c").write_text(GLIBC_SENDER)
    subprocess.run([gcc, "-O", "-o", str(where / "sender"), str(where / "sender.c")], check=True)
    return where / "sender"


def _frozen_env(tz: str) -> dict[str, str]:
    """Variables that freeze the clock at EPOCH with libfaketime, preloaded directly (the
    faketime wrapper shares its clock through /dev/shm, which the namespace replaces)."""
    return {"TZ": tz, **frozen_env(EPOCH, tz)}


def _in_namespace(command: list[str], socket_path: Path, frozen: dict[str, str]) -> list[str]:
    """``command``, clock frozen, in a private mount namespace whose /dev/log is
    ``socket_path``."""
    if not is_root() or shutil.which("unshare") is None:
        pytest.skip("a private /dev/log needs root and unshare")
    script = 'mount -t tmpfs none /dev && mkdir /dev/shm && ln -s "$0" /dev/log && exec "$@"'
    settings = [f"{name}={value}" for name, value in frozen.items()]
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, str(socket_path),
            "env", *settings, *command]  # fmt: skip


HOSTILE = (
    b"new msg 18995\n"
    b"\n"
    b"alert: unable to start qmail-queue\x07\n"
    b"warning: trouble\twith\x00tabs \xe4\xb8\xad\n"
    + b"delivery 103: success: " + b"z" * 2000 + b"\n"
    + b"unfinished last line"
)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "tz"),
    [([], "UTC"), (["qmail"], "America/New_York"), (["qmail", "3"], "UTC"),
     (["smtpd", "23"], "Europe/London"), (["x", "0"], "UTC"), (["", "128"], "UTC")],
)  # fmt: skip
def test_datagrams_equal_glibc_syslog(
    args: list[str], tz: str, glibc_sender: Path, tmp_path: Path
) -> None:
    """splogger's datagrams are, byte for byte, what glibc's syslog(3) sends for them."""
    frozen = _frozen_env(tz)
    ours_path = tmp_path / "ours"
    ours = Capture(ours_path)
    command = [sys.executable, "-m", "logwarden", "splogger", "--socket", str(ours_path), *args]
    subprocess.run(command, input=HOSTILE, env={**BASE_ENV, **frozen}, check=True)
    got = ours.collect(6)

    splitter = Splitter(lambda: EPOCH * 1_000_000_000)
    wanted = [*splitter.feed(HOSTILE), *splitter.finish()]
    assert len(got) == len(wanted) == 6  # the 2023-byte line is 3 pieces; the last is cut off
    glibc_path = tmp_path / "glibc"
    glibc = Capture(glibc_path)
    lines = b"".join(b"%d\t%s\n" % (priority, text) for priority, text in wanted)
    command = _in_namespace([str(glibc_sender), *args], glibc_path, {"TZ": tz})
    subprocess.run(command, input=lines, env=BASE_ENV, check=True)
    # glibc reads the clock inside libc, out of libfaketime's reach: the header's time is
    # compared on its own (test_header_time_is_strftime), everything else byte for byte.
    assert [_untimed(d) for d in got] == [_untimed(d) for d in glibc.collect(len(wanted))]


_HEADER_TIME = re.compile(rb"^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ")


def _untimed(datagram: bytes) -> bytes:
    return _HEADER_TIME.sub(rb"\1TIME ", datagram)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Australia/Lord_Howe"])
@pytest.mark.parametrize("moment", [EPOCH, 1_709_251_200, 1_730_613_600])
def test_header_time_is_strftime(moment: int, tz: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``%h %e %T`` of localtime in the C locale (``%e``: day padded with a space)."""
    client = SyslogClient(b"t", 16, "/nonexistent", clock=lambda: moment + 0.5)
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        expected = time.strftime("%b %e %H:%M:%S ", time.localtime(moment)).encode()
        assert client.format(6, b"m") == b"<22>" + expected + b"t: m"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_missing_socket_is_reported_once(tmp_path: Path) -> None:
    """No syslog daemon: glibc drops messages silently; logwarden says so once, exits 0."""
    proc = subprocess.run(
        [sys.executable, "-m", "logwarden", "splogger", "--socket", str(tmp_path / "none")],
        input=b"one\ntwo\n",
        capture_output=True,
        env=BASE_ENV,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stderr.count(b"\n") == 1
    assert b"splogger: unable to send to " in proc.stderr


@contextmanager
def rsyslogd(where: Path) -> Iterator[Path]:
    """An rsyslogd of the test's own: its socket, its config, its files."""
    daemon = shutil.which("rsyslogd", path=BASE_ENV["PATH"])
    if daemon is None:
        pytest.skip("rsyslog is not installed (apt-get install rsyslog)")
    sock = where / "log"
    (where / "work").mkdir()
    (where / "rsyslog.conf").write_text(
        f"""
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="{sock}" RateLimit.Interval="0")
global(workDirectory="{where / "work"}")
$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat
mail.* {where / "mail.log"}
*.=alert {where / "alert.log"}
daemon.* {where / "daemon.log"}
"""
    )
    proc = subprocess.Popen(
        [daemon, "-n", "-f", str(where / "rsyslog.conf"), "-i", str(where / "pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=BASE_ENV,
    )
    try:
        deadline = time.monotonic() + 20
        while not sock.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        yield sock
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


@contextmanager
def logwarden_syslogd(where: Path) -> Iterator[Path]:
    """logwarden's own syslogd, with a classic syslog.conf of the test's own."""
    sock = where / "log"
    conf = where / "syslog.conf"
    conf.write_text(
        f"mail.*\t{where / 'mail.log'}\n*.=alert\t{where / 'alert.log'}\n"
        f"daemon.*\t{where / 'daemon.log'}\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "logwarden", "syslogd", "-n", "-f", str(conf), "-p", str(sock),
         "--pidfile", str(where / "pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=BASE_ENV,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not sock.exists():
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        yield sock
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


DAEMONS = {"rsyslogd": rsyslogd, "logwarden-syslogd": logwarden_syslogd}


def _wait_lines(path: Path, count: int) -> list[bytes]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            break
        time.sleep(0.05)
    return path.read_bytes().splitlines() if path.exists() else []


@pytest.mark.parametrize("daemon", sorted(DAEMONS))
def test_syslog_daemons_file_the_messages(daemon: str, tmp_path: Path) -> None:
    """rsyslogd and logwarden's syslogd receive every message and file it by facility and
    priority."""
    rng = random.Random(1)
    body = b"".join(b"info msg %d: bytes %d\n" % (i, rng.randrange(99999)) for i in range(200))
    data = body + b"alert: queue problem\n" + b"y" * 1000 + b"\n"
    with DAEMONS[daemon](tmp_path) as sock:
        subprocess.run(
            [sys.executable, "-m", "logwarden", "splogger", "--socket", str(sock), "qmail"],
            input=data,
            env=BASE_ENV,
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "logwarden", "splogger", "--socket", str(sock), "smtpd", "3"],
            input=b"tcpserver: status: 1/40\n",
            env=BASE_ENV,
            check=True,
        )
        mail = _wait_lines(tmp_path / "mail.log", 203)
        daemon = _wait_lines(tmp_path / "daemon.log", 1)
        alert = _wait_lines(tmp_path / "alert.log", 1)
    texts = [line.split(b" qmail: ", 1)[1] for line in mail]
    assert len(texts) == 203
    stamps = [t.split(b" ", 1)[0].split(b"+", 1)[0] for t in texts]
    assert all(s.count(b".") == 1 and len(s.split(b".")[1]) == 6 for s in stamps)
    assert [t.split(b" ", 1)[1] for t in texts[:200]] == body.splitlines()
    assert texts[201].split(b" ", 1)[1] == b"y" * 799
    assert texts[202] == stamps[201] + b"+" + b"y" * 201
    assert len(alert) == 1
    assert alert[0].endswith(b" alert: queue problem")
    assert len(daemon) == 1
    assert daemon[0].split(b" smtpd: ")[1].endswith(b" tcpserver: status: 1/40")
