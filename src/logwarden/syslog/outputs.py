"""Where routed messages are written: files, pipes, remote hosts, users' terminals.

Every output collects what a batch of messages gives it (``add``) and writes it in one go
(``flush``): one ``write`` per file per batch, then one ``fsync`` if the action asks for it
(a file action without ``-``), so a batch is on disk before the next is taken. A write that
fails keeps its bytes for the next flush (up to a limit), so a full disk delays lines
instead of dropping them; what is over the limit is counted and reported. While bytes are
held, the daemon tries again every second even when no message comes.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from logwarden.syslog.actions import FILE, PIPE, TCP, UDP, USERS, WALL, Action
from logwarden.syslog.message import Message
from logwarden.syslog.templates import FORMATTERS, Formatter, traditional_time

#: Bytes an output keeps for retrying after failed writes before it starts dropping.
PENDING_LIMIT = 64 << 20

Warn = Callable[[str], None]


class Output:
    """The interface every output has.

    ``formatter`` turns a message into what the output writes, and ``sink`` collects the
    results until ``flush``; outputs sharing a formatter get one formatted line between them.
    """

    formatter: Formatter
    sink: list[bytes]

    def add(self, message: Message) -> None:
        """Take ``message`` for the next flush."""
        self.sink.append(self.formatter(message))

    def flush(self) -> None:
        """Write what was added since the last flush."""

    @property
    def waiting(self) -> bool:
        """Whether bytes that could not be written yet are held for another try."""
        return False

    def reopen(self) -> None:
        """Close files so that the next write opens them again (after log rotation)."""

    def close(self) -> None:
        """Write what is left and release the file or connection."""
        self.flush()


class _Buffered(Output):
    def __init__(self, template: str, warn: Warn) -> None:
        self.formatter = FORMATTERS[template]
        self.warn = warn
        self.lines: list[bytes] = []
        self.sink = self.lines
        self.pending = b""
        self.dropped = 0
        self._complained = 0.0

    @property
    def waiting(self) -> bool:
        return bool(self.pending)

    def _take(self) -> bytes:
        data = self.pending + b"".join(self.lines)
        self.lines.clear()
        self.pending = b""
        return data

    def _keep(self, data: bytes, problem: str) -> None:
        if len(data) > PENDING_LIMIT:
            self.dropped += len(data) - PENDING_LIMIT
            data = data[-PENDING_LIMIT:]
        self.pending = data
        now = time.monotonic()
        if now - self._complained > 10:
            self._complained = now
            self.warn(problem)


class FileOutput(_Buffered):
    """Appends to a file (or writes to a terminal device); syncs when asked to."""

    def __init__(self, path: str, sync: bool, template: str, mode: int, warn: Warn) -> None:
        super().__init__(template, warn)
        self.path = path
        self.sync = sync
        self.mode = mode
        self.terminal = path == "/dev/console" or path.startswith("/dev/tty")
        self.fd = -1

    def open(self) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_CLOEXEC
        if self.terminal:
            flags |= os.O_NONBLOCK
        else:
            flags |= os.O_CREAT
        self.fd = os.open(self.path, flags, self.mode)

    def flush(self) -> None:
        if not self.lines and not self.pending:
            return
        data = self._take()
        view = memoryview(data)
        try:
            if self.fd < 0:
                self.open()
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
            if self.sync and not self.terminal:
                os.fsync(self.fd)
        except OSError as e:
            if self.terminal and e.errno == errno.EAGAIN:
                return  # a console that cannot keep up loses lines, as with every syslogd
            self._close_fd()
            self._keep(bytes(view), f"{self.path}: {e.strerror}")

    def _close_fd(self) -> None:
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError as e:
                self.warn(f"{self.path}: {e.strerror}")
            self.fd = -1

    def reopen(self) -> None:
        self.flush()
        self._close_fd()

    def close(self) -> None:
        self.flush()
        self._close_fd()


class PipeOutput(_Buffered):
    """Writes to a named pipe when a reader has it open; without a reader, lines are lost."""

    def __init__(self, path: str, template: str, warn: Warn) -> None:
        super().__init__(template, warn)
        self.path = path
        self.fd = -1

    def flush(self) -> None:
        if not self.lines:
            return
        data = self._take()
        try:
            if self.fd < 0:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            os.write(self.fd, data)
        except OSError as e:
            if e.errno not in (errno.ENXIO, errno.EAGAIN, errno.EPIPE):
                self._keep(b"", f"{self.path}: {e.strerror}")
            if e.errno == errno.EPIPE:
                self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def reopen(self) -> None:
        self.close()


class UdpForward(Output):
    """One datagram per message to host:port."""

    def __init__(self, host: str, port: int, template: str, warn: Warn) -> None:
        self.formatter = FORMATTERS[template]
        self.host, self.port = host, port
        self.warn = warn
        self.sock: socket.socket | None = None
        self.address: tuple[Any, ...] = ()
        self.datagrams: list[bytes] = []
        self.sink = self.datagrams

    def flush(self) -> None:
        if not self.datagrams:
            return
        datagrams = list(self.datagrams)
        self.datagrams.clear()
        try:
            if self.sock is None:
                family, kind, proto, _, address = socket.getaddrinfo(
                    self.host, self.port, type=socket.SOCK_DGRAM
                )[0]
                self.sock = socket.socket(family, kind, proto)
                self.address = address
            for data in datagrams:
                self.sock.sendto(data, self.address)
        except OSError as e:
            self.warn(f"forwarding to {self.host}:{self.port}: {e.strerror or e}")

    def close(self) -> None:
        self.flush()
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class TcpForward(_Buffered):
    """LF-terminated messages over one TCP connection, reconnected when it breaks."""

    def __init__(self, host: str, port: int, template: str, warn: Warn) -> None:
        super().__init__(template, warn)
        self.formatter = _with_lf(self.formatter)
        self.host, self.port = host, port
        self.sock: socket.socket | None = None
        self._next_try = 0.0

    def flush(self) -> None:
        if not self.lines and not self.pending:
            return
        data = self._take()
        if time.monotonic() < self._next_try:
            self._keep(data, f"forwarding to {self.host}:{self.port}: waiting to reconnect")
            return
        try:
            if self.sock is None:
                self.sock = socket.create_connection((self.host, self.port), timeout=5)
            self.sock.sendall(data)
        except OSError as e:
            if self.sock is not None:
                self.sock.close()
                self.sock = None
            self._next_try = time.monotonic() + 2
            self._keep(data, f"forwarding to {self.host}:{self.port}: {e.strerror or e}")

    def close(self) -> None:
        self._next_try = 0.0
        self.flush()
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _wall_text(message: Message) -> bytes:
    return (
        b"\r\n\x07Message from syslogd@" + message.hostname + b" at "
        + traditional_time(message.stamp) + b" ...\r\n " + message.tag + message.msg + b"\r\n"
    )  # fmt: skip


def _with_lf(formatter: Formatter) -> Formatter:
    def framed(message: Message) -> bytes:
        return formatter(message) + b"\n"

    return framed


class TerminalOutput(Output):
    """Writes to the terminals of the named users (or everyone's) found in utmp."""

    def __init__(self, users: tuple[str, ...] | None, utmp: str, warn: Warn) -> None:
        self.users = None if users is None else {u.encode() for u in users}
        self.utmp = utmp
        self.warn = warn
        self.texts: list[bytes] = []
        self.sink = self.texts
        self.formatter = _wall_text

    def flush(self) -> None:
        if not self.texts:
            return
        texts = list(self.texts)
        self.texts.clear()
        for line in self._terminals():
            try:
                fd = os.open(f"/dev/{line}", os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                os.write(fd, b"".join(texts))
            except OSError:
                pass  # a terminal that does not take it right away is skipped, as wall does
            finally:
                os.close(fd)

    def _terminals(self) -> list[str]:
        from logwarden.connect.current import is_user_process, read_entries

        try:
            entries, _ = read_entries(self.utmp, check_pids=True)
        except (OSError, ValueError):
            return []
        lines = []
        for entry in entries:
            if not is_user_process(entry):
                continue
            if self.users is not None and entry.user not in self.users:
                continue
            line = entry.line.decode("utf-8", "replace")
            if line and "/" not in line.replace("pts/", "", 1) and ".." not in line:
                lines.append(line)
        return lines


def make_output(action: Action, default_template: str, mode: int, utmp: str, warn: Warn) -> Output:
    """The output for ``action``."""
    if action.kind == FILE:
        return FileOutput(action.target, action.sync, action.template or default_template, mode,
                          warn)  # fmt: skip
    if action.kind == PIPE:
        return PipeOutput(action.target, action.template or default_template, warn)
    forward_template = action.template or "RSYSLOG_TraditionalForwardFormat"
    if action.kind == UDP:
        return UdpForward(action.target, action.port, forward_template, warn)
    if action.kind == TCP:
        return TcpForward(action.target, action.port, forward_template, warn)
    if action.kind == USERS:
        return TerminalOutput(action.users, utmp, warn)
    if action.kind == WALL:
        return TerminalOutput(None, utmp, warn)
    raise ValueError(f"no output for action kind {action.kind!r}")
