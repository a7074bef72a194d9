"""logger: util-linux 2.38.1 and logwarden send the same bytes, under the same frozen clock.

Each case runs both programs with the same options against sockets of the test's own (a
unix datagram socket, a UDP and a TCP listener on 127.0.0.1); the datagrams or stream bytes
received, stderr and the exit status are compared. The PID differs between the two
processes, so ``-i`` cases mask the number in ``[PID]``; ``--id=N`` is compared as is.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .listeners import DatagramListener, StreamListener
from support.reference import Run, need, ours, run

pytestmark = pytest.mark.reference

EPOCH = 1795568523  # 2026-11-25 01:02:03 UTC
OURS = [sys.executable, "-m", "logwarden", "logger"]
ZONES = ("UTC", "America/New_York", "Australia/Lord_Howe")


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[DatagramListener]:
    listener = DatagramListener(tmp_path / "devlog")
    yield listener
    listener.close()


def both(args: list[str], stdin: bytes | None = None, tz: str = "UTC") -> tuple[Run, Run]:
    need("logger")
    env = {"TZ": tz}
    ref = run(["logger", *args], at=EPOCH, env=env, stdin=stdin)
    got = ours("logger", args, at=EPOCH, env=env, stdin=stdin)
    return ref, got


def mask_pid(data: bytes) -> bytes:
    return re.sub(rb"\[\d+\]: ", b"[PID]: ", re.sub(rb" (\d+) (- )", rb" PID \2", data))


UNIX_CASES = [
    ["hello", "world"],
    ["-t", "mytag", "-p", "local3.warn", "disk almost full"],
    ["--id=4242", "-t", "mytag", "msg with given id"],
    ["-p", "authpriv.err", "-t", "sshd", "Failed password"],
    ["-p", "kern.crit", "-t", "k", "kern-is-forbidden"],
    ["-p", "12", "numeric"],
    ["-p", "3", "-t", "n", "numeric severity"],
    ["-p", "local7.debug", "-t", "t", "--rfc3164", "rfc3164 via unix"],
    ["-p", "daemon.info", "-t", "app", "--rfc5424", "rfc5424 via unix"],
    ["-p", "daemon.info", "-t", "app", "--rfc5424=notq,nohost", "--msgid", "ID47",
     "--sd-id", "exampleSDID@32473", "--sd-param", 'iut="3"',
     "--sd-param", 'eventSource="Application"', "with sd"],
    ["-p", "daemon.info", "-t", "app", "--rfc5424=notime", "x"],
    ["--rfc5424", "--sd-id", "timeQuality", "--sd-param", 'tzKnown="0"', "-t", "a", "own tq"],
    ["--rfc5424=bogus,notq", "-t", "a", "unknown snip"],
    ["-s", "-t", "both", "to stderr too"],
    ["-S", "10", "-t", "sz", "0123456789abcdefghij", "short"],
    ["-S", "12", "-t", "sz", "aaaa", "bbbb", "cccc", "dddd"],
    ["-p", "bogus.info", "x"],
    ["-p", "user.bogus", "x"],
    ["-p", "security.warning", "-t", "alias1", "aliases"],
    ["-p", "user.panic", "-t", "alias2", "aliases"],
    ["-p", "user.error", "-t", "alias3", "aliases"],
    ["-p", "USER.WARN", "-t", "alias4", "aliases"],
    ["-p", "mark.info", "-t", "mark", "x"],
    ["--msgid", "a b", "x"],
    ["--sd-id", "bad", "x"],
    ["--sd-param", 'a="b"', "x"],
    ["--sd-id", "x@1", "--sd-param", "a=b", "y"],
    ["--sd-id", "timeQuality", "--sd-id", "timeQuality", "x"],
    ["-S", "abc", "x"],
    ["--id=abc", "x"],
    ["-x"],
    ["--bogus"],
    ["-p"],
    ["--prio"],
    ["-t", "tag with spaces", "--", "-not-an-option"],
    ["-t", "", "empty tag"],
    ["-e", "-t", "e", "", "args", ""],
    ["-t", "utf", "caf\u00e9 \u65e5\u672c"],
]  # fmt: skip


def sent_by(
    listener: DatagramListener, argv: list[str], tz: str, **kw: object
) -> tuple[Run, list[bytes]]:
    """Run one program, then collect what it sent."""
    result = run(argv, at=EPOCH, env={"TZ": tz}, **kw)  # type: ignore[arg-type]
    return result, listener.drain()


@pytest.mark.parametrize("args", UNIX_CASES, ids=lambda a: " ".join(a)[:40])
def test_unix_socket_datagrams(unix_socket: DatagramListener, args: list[str]) -> None:
    """The datagrams each program sends, its stderr and status, are the same."""
    need("logger")
    full = ["-u", str(unix_socket.address), *args]
    ref, ref_sent = sent_by(unix_socket, ["logger", *full], "UTC")
    got, got_sent = sent_by(unix_socket, [*OURS, *full], "UTC")
    assert (got.status, got.stderr, got_sent) == (ref.status, ref.stderr, ref_sent)


@pytest.mark.parametrize("args", UNIX_CASES[:3] + UNIX_CASES[8:10], ids=lambda a: " ".join(a)[:30])
@pytest.mark.parametrize("tz", ZONES)
def test_time_zones(unix_socket: DatagramListener, args: list[str], tz: str) -> None:
    """Local and RFC 5424 timestamps in other zones (offsets with minutes, DST) agree."""
    need("logger")
    full = ["-u", str(unix_socket.address), *args]
    ref, ref_sent = sent_by(unix_socket, ["logger", *full], tz)
    got, got_sent = sent_by(unix_socket, [*OURS, *full], tz)
    assert (got.status, got.stderr, got_sent) == (ref.status, ref.stderr, ref_sent)


STDIN = b"line1\n\nline3\n" + b"x" * 1500 + b"\nlast without newline"
PREFIXED = (
    b"<11>prefixed\n<165>withfac\nplain\n<999>bad\n<7>bare severity\n<>empty\n<12\n\n<0013>zero\n"
)


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["-t", "stdin"], STDIN),
        (["-e", "-t", "stdin-skip"], STDIN),
        (["--prio-prefix", "-p", "local1.info", "-t", "pp"], PREFIXED),
        (["--prio-prefix", "-t", "pp"], PREFIXED),
        (["--prio-prefix", "-e", "-t", "pp"], PREFIXED),
        (["-S", "40", "-t", "split"], b"0123456789" * 5 + b"\nshort\n"),
        (["-i", "-t", "withpid"], b"one\ntwo\n"),
        (["-s", "-t", "err"], b"to stderr\n"),
    ],
)
def test_stdin_lines(unix_socket: DatagramListener, args: list[str], stdin: bytes) -> None:
    """One message per stdin line, headers and priorities as logger makes them."""
    full = ["-u", str(unix_socket.address), *args]
    need("logger")
    ref = run(["logger", *full], at=EPOCH, stdin=stdin)
    ref_sent = [mask_pid(d) for d in unix_socket.drain()]
    got = ours("logger", full, at=EPOCH, stdin=stdin)
    got_sent = [mask_pid(d) for d in unix_socket.drain()]
    assert (got.status, mask_pid(got.stderr), got_sent) == (
        ref.status,
        mask_pid(ref.stderr),
        ref_sent,
    )


def test_file_option_and_ignored_message(unix_socket: DatagramListener, tmp_path: Path) -> None:
    """-f reads a file's lines; message arguments are then ignored with logger's warning."""
    lines = tmp_path / "lines"
    lines.write_bytes(b"from file 1\nfrom file 2\n")
    full = ["-u", str(unix_socket.address), "-t", "f", "-f", str(lines), "ignored"]
    need("logger")
    ref = run(["logger", *full], at=EPOCH)
    ref_sent = unix_socket.drain()
    got = ours("logger", full, at=EPOCH)
    assert (got.status, got.stderr, unix_socket.drain()) == (ref.status, ref.stderr, ref_sent)
    missing = both(["-u", str(unix_socket.address), "-f", str(tmp_path / "none")])
    assert missing[0].stderr == missing[1].stderr
    assert missing[0].status == missing[1].status


@pytest.mark.parametrize(
    "args",
    [
        ["-u", "/nonexistent/socket", "x"],
        ["-s", "-u", "/nonexistent/socket", "x"],
        ["--socket-errors=on", "-u", "/nonexistent/socket", "x"],
        ["--socket-errors=bogus", "--no-act", "-u", "/nonexistent/socket", "x"],
    ],
)
def test_socket_errors(args: list[str]) -> None:
    """A missing socket is silent unless errors are asked for (or -s/--no-act imply them)."""
    ref, got = both(args)
    assert (got.status, got.stderr, got.stdout) == (ref.status, ref.stderr, ref.stdout)


NET_CASES = [
    ["-d", "-t", "net", "default-remote-is-5424"],
    ["-d", "--rfc3164", "-t", "net", "udp 3164"],
    ["-d", "--id=77", "--msgid", "M1", "-t", "net", "with id"],
    ["-d", "--rfc5424=nohost", "-p", "local0.err", "-t", "net", "nohost"],
]


@pytest.mark.parametrize("args", NET_CASES, ids=lambda a: " ".join(a)[:40])
def test_udp_bytes(args: list[str]) -> None:
    """Datagrams to a UDP listener (RFC 5424 by default for remote) are logger's."""
    listener = DatagramListener()
    try:
        full = ["-n", "127.0.0.1", "-P", str(listener.address), *args]
        need("logger")
        ref = run(["logger", *full], at=EPOCH)
        ref_sent = listener.drain()
        got = ours("logger", full, at=EPOCH)
        assert (got.status, got.stderr, listener.drain()) == (ref.status, ref.stderr, ref_sent)
        assert ref_sent
    finally:
        listener.close()


@pytest.mark.parametrize(
    "args",
    [
        ["-T", "-t", "net", "tcp default framing"],
        ["-T", "--octet-count", "-t", "net", "tcp octet counted"],
        ["-T", "--octet-count", "--rfc3164", "-t", "net", "tcp octet 3164"],
    ],
)
def test_tcp_bytes(args: list[str]) -> None:
    """The TCP stream (LF-terminated, or octet-counted) is logger's."""
    listener = StreamListener()
    try:
        full = ["-n", "127.0.0.1", "-P", str(listener.port), *args]
        need("logger")
        ref = run(["logger", *full], at=EPOCH)
        ref_sent = listener.take()
        got = ours("logger", full, at=EPOCH)
        assert (got.status, got.stderr, listener.take()) == (ref.status, ref.stderr, ref_sent)
    finally:
        listener.close()


def test_tcp_service_name_and_refused_port() -> None:
    """Without -P, TCP needs the syslog-conn service Debian lacks; a closed port fails."""
    ref, got = both(["-T", "-n", "127.0.0.1", "x"])
    assert (got.status, got.stderr) == (ref.status, ref.stderr)
    closed = DatagramListener()
    port = str(closed.address)
    closed.close()
    ref, got = both(["-T", "-n", "127.0.0.1", "-P", port, "x"])
    assert (got.status, got.stderr) == (ref.status, ref.stderr)


def test_help_is_loggers() -> None:
    """--help prints util-linux's text."""
    ref, got = both(["--help"])
    assert (got.stdout, got.status) == (ref.stdout, ref.status)


def test_journald_no_act_prints_the_entry() -> None:
    """--journald --no-act -s reads KEY=VALUE lines (MESSAGE lines joined) and echoes them."""
    stdin = (
        b"MESSAGE=first\nPRIORITY=3\nMESSAGE=second\nSYSLOG_IDENTIFIER=t\n\nIGNORED=after blank\n"
    )
    ref, got = both(["--journald", "--no-act", "-s"], stdin=stdin)
    assert (got.status, got.stderr, got.stdout) == (ref.status, ref.stderr, ref.stdout)
