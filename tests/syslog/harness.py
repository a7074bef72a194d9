"""Running rsyslogd (and logwarden syslogd) on sockets and files of the test's own.

Nothing here touches the system's syslog: each daemon gets a configuration, a unix datagram
socket, a work directory and output files under the test's temporary directory, and is
stopped when the test ends. A catch-all rule writing ``ALL`` comes first in every
configuration, so that a test knows when a daemon has taken every message it was sent.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.reference import BASE_ENV, need

MARKER = re.compile(rb"\bm(\d+)x\b")


@dataclass
class Daemon:
    """A running daemon: where to send and where it writes."""

    name: str
    socket: Path
    out: Path
    process: subprocess.Popen[bytes]
    stderr: Path
    extra: dict[str, int] = field(default_factory=dict)

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        """Wait until the catch-all file holds ``count`` lines."""
        deadline = time.monotonic() + timeout
        catch_all = self.out / "ALL"
        while time.monotonic() < deadline:
            if catch_all.exists() and catch_all.read_bytes().count(b"\n") >= count:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        have = catch_all.read_bytes().count(b"\n") if catch_all.exists() else 0
        raise AssertionError(
            f"{self.name}: {have} of {count} messages arrived; stderr: {self.errors()!r}"
        )

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace") if self.stderr.exists() else ""

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def files(self) -> dict[str, bytes]:
        """Every output file but the catch-all, by name."""
        return {p.name: p.read_bytes() for p in sorted(self.out.iterdir()) if p.name != "ALL"}


def markers(data: bytes) -> list[int]:
    """The message markers (``m17x``) in a file's lines, in order."""
    return [int(m.group(1)) for m in MARKER.finditer(data)]


def _wait_socket(path: Path, process: subprocess.Popen[bytes], errors: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if path.exists():
            return
        if process.poll() is not None:
            break
        time.sleep(0.02)
    process.kill()
    raise AssertionError(f"daemon did not open {path}: {errors.read_text(errors='replace')}")


def rsyslog_config(base: Path, rules: str, *, udp_port: int | None = None) -> str:
    header = [
        f'global(workDirectory="{base}/work")',
        'module(load="imuxsock" SysSock.Use="off")',
        f'input(type="imuxsock" Socket="{base}/log.sock")',
    ]
    if udp_port is not None:
        header += [
            'module(load="imudp")',
            f'input(type="imudp" address="127.0.0.1" port="{udp_port}")',
        ]
    return "\n".join(header) + f"\n*.*\t{base}/out/ALL\n" + rules


@contextlib.contextmanager
def rsyslogd(base: Path, rules: str, *, udp_port: int | None = None) -> Iterator[Daemon]:
    """rsyslogd in the foreground with ``rules`` after the test's own inputs."""
    binary = need("rsyslogd")
    for sub in ("work", "out"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    conf = base / "rsyslog.conf"
    conf.write_text(rsyslog_config(base, rules, udp_port=udp_port))
    errors = base / "stderr"
    with errors.open("wb") as err:
        process = subprocess.Popen(
            [binary, "-n", "-f", str(conf), "-i", str(base / "pid")],
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
            env=BASE_ENV,
        )
    daemon = Daemon("rsyslogd", base / "log.sock", base / "out", process, errors)
    try:
        _wait_socket(daemon.socket, process, errors)
        yield daemon
    finally:
        daemon.stop()


@contextlib.contextmanager
def logwarden_syslogd(
    base: Path, rules: str, args: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[Daemon]:
    """logwarden syslogd in the foreground with the same shape of configuration."""
    (base / "out").mkdir(parents=True, exist_ok=True)
    conf = base / "syslog.conf"
    conf.write_text(f"*.*\t{base}/out/ALL\n" + rules)
    errors = base / "stderr"
    full_env = {**BASE_ENV, **(env or {})}
    with errors.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "logwarden", "syslogd", "-n", "-f", str(conf),
             "-p", str(base / "log.sock"), *args],
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
            env=full_env,
        )  # fmt: skip
    daemon = Daemon("logwarden", base / "log.sock", base / "out", process, errors)
    try:
        _wait_socket(daemon.socket, process, errors)
        yield daemon
    finally:
        daemon.stop()


def send_datagrams(path: Path, datagrams: Sequence[bytes]) -> None:
    """Send raw datagrams to the unix socket ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        for data in datagrams:
            s.sendto(data, str(path))


def logger_lines(path: Path, lines: Sequence[bytes], *args: str) -> None:
    """util-linux logger reading ``lines`` on stdin and sending each to ``path``."""
    subprocess.run(
        [need("logger"), "-u", str(path), *args],
        input=b"".join(line + b"\n" for line in lines),
        check=True,
        env=BASE_ENV,
        timeout=30,
    )


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def skip_without_rsyslog() -> None:
    if not os.path.exists("/usr/sbin/rsyslogd"):
        pytest.skip("rsyslog is not installed (make reference-tools)")
