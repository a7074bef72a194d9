"""Real clients talk to logwarden syslogd: util-linux logger, Python's SysLogHandler over the
unix socket, UDP and TCP, and rsyslog forwarding over TCP."""

from __future__ import annotations

import logging
import logging.handlers
import socket
import subprocess
from pathlib import Path

import pytest

from .harness import free_port, logwarden_syslogd, rsyslogd, skip_without_rsyslog
from support.reference import BASE_ENV, need

STAMP = 16


def lines(data: bytes) -> list[bytes]:
    return [line[STAMP:] for line in data.splitlines()]


def python_handler(address: str | tuple[str, int], socktype: int | None) -> logging.Logger:
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_LOCAL3, socktype=socktype
    )
    handler.setFormatter(logging.Formatter("pyapp[%(process)d]: %(message)s"))
    log = logging.getLogger(f"client-{address}")
    log.propagate = False
    log.handlers = [handler]
    log.setLevel(logging.DEBUG)
    return log


@pytest.mark.parametrize("transport", ["unix", "udp", "tcp"])
def test_python_sysloghandler(tmp_path: Path, transport: str) -> None:
    """SysLogHandler's messages (NUL-terminated, even over TCP) arrive with their priorities."""
    udp, tcp = free_port(), free_port(socket.SOCK_STREAM)
    rules = f"local3.warning\t{tmp_path}/out/warn\n"
    args = ["--udp", f"127.0.0.1:{udp}", "--tcp", f"127.0.0.1:{tcp}"]
    with logwarden_syslogd(tmp_path, rules, args) as daemon:
        address: str | tuple[str, int]
        if transport == "unix":
            address, kind = str(daemon.socket), None
        elif transport == "udp":
            address, kind = ("127.0.0.1", udp), socket.SOCK_DGRAM
        else:
            address, kind = ("127.0.0.1", tcp), socket.SOCK_STREAM
        log = python_handler(address, kind)
        log.info("just info")
        log.warning("disk %d%% full", 91)
        log.error("caf\u00e9 failed")
        for handler in log.handlers:
            handler.close()
        daemon.wait_for(3)
        daemon.stop()
        got = (daemon.out / "warn").read_bytes()
    pid = str(__import__("os").getpid()).encode()
    host = socket.gethostname().split(".")[0].encode()
    expected_host = host if transport == "unix" else b"localhost"
    assert lines(got) == [
        expected_host + b" pyapp[" + pid + b"]: disk 91% full",
        expected_host + b" pyapp[" + pid + b"]: caf\xc3\xa9 failed",
    ]


def test_util_linux_logger_every_transport(tmp_path: Path) -> None:
    """logger over the unix socket, UDP, TCP (LF and octet-counted), RFC 3164 and 5424."""
    need("logger")
    udp, tcp = free_port(), free_port(socket.SOCK_STREAM)
    rules = f"user.*\t{tmp_path}/out/user\n"
    args = ["--udp", f"127.0.0.1:{udp}", "--tcp", f"127.0.0.1:{tcp}"]
    sends = [
        ["-u", "SOCK", "-t", "a", "unix local"],
        ["-u", "SOCK", "--rfc5424", "-t", "b", "unix 5424"],
        ["-n", "127.0.0.1", "-P", str(udp), "-d", "-t", "c", "udp 5424"],
        ["-n", "127.0.0.1", "-P", str(udp), "-d", "--rfc3164", "-t", "d", "udp 3164"],
        ["-n", "127.0.0.1", "-P", str(tcp), "-T", "-t", "e", "tcp lf"],
        ["-n", "127.0.0.1", "-P", str(tcp), "-T", "--octet-count", "-t", "f", "tcp octet"],
    ]
    with logwarden_syslogd(tmp_path, rules, args) as daemon:
        for argv in sends:
            argv = [str(daemon.socket) if a == "SOCK" else a for a in argv]
            subprocess.run([need("logger"), *argv], check=True, env=BASE_ENV, timeout=20)
        daemon.wait_for(len(sends))
        daemon.stop()
        got = lines((daemon.out / "user").read_bytes())
    host = socket.gethostname().split(".")[0].encode()
    assert sorted(got) == sorted(
        [
            host + b" a: unix local",
            host + b" b unix 5424",
            host + b" c udp 5424",
            host + b" d: udp 3164",
            host + b" e tcp lf",
            host + b" f tcp octet",
        ]
    )


@pytest.mark.reference
def test_rsyslog_forwards_to_logwarden_over_tcp(tmp_path: Path) -> None:
    """rsyslog's @@host:port forwarding (LF framing, traditional forward format) is read."""
    skip_without_rsyslog()
    tcp = free_port(socket.SOCK_STREAM)
    lw_base, rs_base = tmp_path / "logwarden", tmp_path / "rsyslog"
    with logwarden_syslogd(
        lw_base, f"*.*\t{lw_base}/out/fwd\n", ["--tcp", f"127.0.0.1:{tcp}"]
    ) as lw:
        with rsyslogd(rs_base, f"*.*\t@@127.0.0.1:{tcp}\n") as rs:
            subprocess.run(
                [need("logger"), "--prio-prefix", "-u", str(rs.socket), "-t", "relay"],
                input=b"<130>first\n<13>second\n<14>third with \x1b escape\n",
                check=True,
                env=BASE_ENV,
                timeout=20,
            )
            rs.wait_for(3)
        lw.wait_for(3)
        lw.stop()
        got = lines((lw.out / "fwd").read_bytes())
    host = socket.gethostname().split(".")[0].encode()
    assert got == [
        host + b" relay: first",
        host + b" relay: second",
        host + b" relay: third with #033 escape",
    ]
