"""Where multilog's input comes from, and when it may be taken away.

Two ways of reading standard input:

* :class:`PipeSource` (stdin is a pipe or FIFO, the usual case under a supervisor): bytes are
  *copied* from the pipe with ``tee(2)`` and only *consumed* once the lines made from them
  are written, so a crash never loses input that was read but not yet written.
* :class:`PlainSource` (a file, a terminal, a socket): ordinary reads, in 64 KiB blocks.

Both wait for input together with the signal wake-up descriptor, so that SIGTERM and SIGALRM
are acted on while multilog is idle, as daemontools does (it only unblocks them around its
read). While the start of an unfinished line waits in the pipe, nothing tells when the rest
arrives, so the pipe is looked at again after 50 us, 100 us, ... up to every 100 ms.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import select
import signal
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Bytes read at a time from a file (a multiple of the reference's 1024-byte reads).
BLOCK = 1 << 16
_F_GETPIPE_SZ = 1032
_F_SETPIPE_SZ = 1031
_SPLICE_F_NONBLOCK = 2
#: How long to wait before looking again for the rest of an unfinished line (seconds):
#: short at first (the writer is usually in the middle of writing it), then longer.
_FIRST_PAUSE = 0.00005
_LAST_PAUSE = 0.1


@dataclass(frozen=True)
class Chunk:
    """What a wait for input produced: new bytes, end of input, or a signal to act on."""

    data: bytes = b""
    eof: bool = False
    interrupted: bool = False


class Signals:
    """SIGTERM and SIGALRM as flags, plus a descriptor that becomes readable when one comes."""

    def __init__(self) -> None:
        self.term = False
        self.alarm = False
        self.wake_read, self.wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self.wake_write, warn_on_full_buffer=False)
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGALRM, self._on_alarm)
        # A supervisor may have started us with them blocked; daemontools unblocks them too.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGALRM})

    def _on_term(self, signum: int, frame: object) -> None:
        self.term = True

    def _on_alarm(self, signum: int, frame: object) -> None:
        self.alarm = True

    def drain(self) -> None:
        """Empty the wake-up pipe."""
        try:
            while os.read(self.wake_read, 4096):
                pass
        except BlockingIOError:
            return


class PlainSource:
    """Ordinary reads; what is read is consumed."""

    peeking = False

    def __init__(self, fd: int, signals: Signals) -> None:
        self.fd = fd
        self.signals = signals
        self.offset = 0
        self.regular = stat.S_ISREG(os.fstat(fd).st_mode)
        self.poller: select.poll | None = None
        if not self.regular:
            self.poller = select.poll()
            self.poller.register(fd, select.POLLIN)
            self.poller.register(signals.wake_read, select.POLLIN)

    def fetch(self, limit: int | None = None) -> Chunk:
        """The next bytes (at most ``limit``), end of input, or an interruption."""
        if self.poller is not None:
            ready = {fd for fd, _ in self.poller.poll()}
            if self.signals.wake_read in ready:
                self.signals.drain()
                return Chunk(interrupted=True)
        data = os.read(self.fd, limit or BLOCK)
        self.offset += len(data)
        return Chunk(data, eof=not data)

    def give_back(self, count: int) -> None:
        """Only a pipe can give bytes back; a plain source is read one byte at a time then."""
        raise ValueError("a plain source cannot give bytes back")

    def consume(self, upto: int) -> None:
        """Nothing to do: reading consumed it."""

    def unconsumed(self) -> bytes:
        return b""

    def head(self, count: int) -> bytes:
        return b""


class PipeSource:
    """A pipe read by copying (``tee``), and consumed only after its lines are written."""

    peeking = True

    def __init__(self, fd: int, signals: Signals) -> None:
        self.fd = fd
        self.signals = signals
        #: Absolute offset of the next byte never returned by :meth:`fetch`.
        self.offset = 0
        #: Absolute offset of the pipe's head (what has been consumed).
        self.consumed = 0
        #: The bytes at the pipe's head that were copied out (from ``consumed`` on).
        self.window = b""
        self.copy_read, self.copy_write = os.pipe2(os.O_CLOEXEC)
        capacity = max(fcntl.fcntl(fd, _F_GETPIPE_SZ), BLOCK)
        self.capacity = fcntl.fcntl(self.copy_write, _F_SETPIPE_SZ, capacity)
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN)
        self.poller.register(signals.wake_read, select.POLLIN)
        self.hangup = select.poll()
        self.hangup.register(fd, select.POLLIN)
        self.signal_poller = select.poll()
        self.signal_poller.register(signals.wake_read, select.POLLIN)
        self._tee = _libc_tee()

    def _copy(self) -> bytes | None:
        """Everything in the pipe now (not consumed); None if empty but still open."""
        while True:
            copied = self._tee(self.fd, self.copy_write, self.capacity, _SPLICE_F_NONBLOCK)
            if copied >= 0:
                break
            code = ctypes.get_errno()
            if code == errno.EINTR:
                continue
            if code == errno.EAGAIN:
                return None
            raise OSError(code, os.strerror(code))
        parts = []
        left = copied
        while left:
            part = os.read(self.copy_read, left)
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    def _wait(self, timeout_ms: int | None) -> bool:
        """Wait for input (or until ``timeout_ms``); False if a signal came meanwhile."""
        events = dict(self.poller.poll(timeout_ms))
        if self.signals.wake_read in events:
            self.signals.drain()
            return False
        return True

    def _hung_up(self) -> bool:
        return any(mask & select.POLLHUP for _, mask in self.hangup.poll(0))

    def fetch(self, limit: int | None = None) -> Chunk:
        """New bytes (at most ``limit``), end of input, or an interruption."""
        pause = _FIRST_PAUSE
        while True:
            seen = self.offset - self.consumed
            copied = self._copy()
            if copied is not None and len(copied) > seen:
                self.window = copied
                new = copied[seen:] if limit is None else copied[seen : seen + limit]
                self.offset += len(new)
                return Chunk(new)
            if copied == b"":
                return Chunk(eof=True)
            if copied is None:
                # Empty pipe: poll says when a writer adds to it (or the last one leaves).
                if not self._wait(None):
                    return Chunk(interrupted=True)
                continue
            # Only the start of an unfinished line is in the pipe, and it stays there until
            # the line is complete. poll cannot tell new bytes from old ones, and epoll's
            # edge-triggered mode misses a writer that fills the pipe meanwhile (Linux then
            # wakes readers only of an empty pipe): look again after a short, growing pause.
            if self._hung_up():
                copied = self._copy()
                if copied is not None and len(copied) > seen:
                    continue
                return Chunk(eof=True)
            if not self._wait_signal(pause):
                return Chunk(interrupted=True)
            pause = min(pause * 2, _LAST_PAUSE)

    def _wait_signal(self, seconds: float) -> bool:
        """Sleep ``seconds``; False if a signal came meanwhile."""
        if seconds < 0.001:
            time.sleep(seconds)
            ready = self.signal_poller.poll(0)
        else:
            ready = self.signal_poller.poll(int(seconds * 1000))
        if ready:
            self.signals.drain()
            return False
        return True

    def give_back(self, count: int) -> None:
        """Forget the last ``count`` bytes fetched: they stay in the pipe, unread."""
        self.offset -= count

    def unconsumed(self) -> bytes:
        """The fetched bytes still in the pipe."""
        return self.window[: self.offset - self.consumed]

    def consume(self, upto: int) -> None:
        """Take the bytes before absolute offset ``upto`` out of the pipe."""
        left = upto - self.consumed
        while left > 0:
            taken = len(os.read(self.fd, left))
            if taken == 0:
                break
            left -= taken
            self.consumed += taken
            self.window = self.window[taken:]

    def head(self, count: int) -> bytes:
        """Up to ``count`` bytes at the pipe's head, without waiting (crash recovery)."""
        copied = self._copy()
        return (copied or b"")[:count]


def _libc_tee() -> Callable[[int, int, int, int], int]:
    """glibc's ``tee(2)`` wrapper (Python's os module has splice but not tee)."""
    libc = ctypes.CDLL(None, use_errno=True)
    tee = libc.tee
    tee.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_size_t, ctypes.c_uint)
    tee.restype = ctypes.c_ssize_t
    function: Callable[[int, int, int, int], int] = tee
    return function


def open_source(fd: int, signals: Signals) -> PlainSource | PipeSource:
    """The right reader for descriptor ``fd``."""
    if stat.S_ISFIFO(os.fstat(fd).st_mode):
        try:
            return PipeSource(fd, signals)
        except (OSError, AttributeError):
            return PlainSource(fd, signals)
    return PlainSource(fd, signals)
