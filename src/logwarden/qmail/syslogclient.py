"""Sending messages to the local syslog daemon exactly as glibc's ``syslog(3)`` does.

For ``openlog(tag, 0, facility)`` then ``syslog(priority, "%s", message)``, glibc 2.36 sends
one datagram to ``/dev/log``::

    <PRI>Mmm dd hh:mm:ss TAG: MESSAGE

``PRI`` is facility | priority; the time is ``strftime("%h %e %T")`` of ``localtime`` (so
``TZ`` applies) in the C locale; there is no ``[pid]`` (option 0) and no trailing newline or
NUL. A facility that has bits outside ``LOG_FACMASK`` is ignored by ``openlog``, which then
keeps ``LOG_USER``. If ``/dev/log`` is a stream socket (``EPROTOTYPE`` on a datagram
connect), the message is sent with a terminating NUL.

Delivery follows glibc too: a send that fails is retried once on a fresh connection, and a
message that still cannot be sent is dropped (glibc prints it on the console only with
``LOG_CONS``, which splogger does not ask for). logwarden says so on stderr, once for each
stretch of failures, instead of dropping messages in silence.
"""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable

LOG_FACMASK = 0x3F8
LOG_USER = 1 << 3
LOG_MAIL = 2 << 3
LOG_ALERT = 1
LOG_WARNING = 4
LOG_INFO = 6
DEFAULT_PATH = "/dev/log"

_MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
           b"Nov", b"Dec")  # fmt: skip


def openlog_facility(value: int) -> int:
    """The facility glibc's ``openlog`` keeps for the C ``int`` ``value``."""
    return value if value & ~LOG_FACMASK == 0 else LOG_USER


def header_time(seconds: int) -> bytes:
    """``Mmm dd hh:mm:ss `` (``%h %e %T ``) of ``localtime(seconds)``."""
    tm = time.localtime(seconds)
    return b"%s %2d %02d:%02d:%02d " % (
        _MONTHS[tm.tm_mon - 1],
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
    )


class SyslogClient:
    """``openlog(tag, 0, facility)`` and ``syslog()``, on ``path`` (default ``/dev/log``)."""

    def __init__(
        self,
        tag: bytes,
        facility: int,
        path: str = DEFAULT_PATH,
        warn: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tag = tag
        self.facility = openlog_facility(facility)
        self.path = path
        self.warn = warn
        self.clock = clock
        self.sock: socket.socket | None = None
        self.stream = False
        self.failing = False
        self._second = -1
        self._header = b""

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.connect(self.path)
            self.stream = False
        except OSError as e:
            sock.close()
            if e.errno != errno.EPROTOTYPE:
                raise
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.path)
            except OSError:
                sock.close()
                raise
            self.stream = True
        self.sock = sock

    def close(self) -> None:
        """``closelog()``."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def format(self, priority: int, message: bytes) -> bytes:
        """The datagram glibc builds for ``syslog(priority, "%s", message)``."""
        now = int(self.clock())
        if now != self._second:
            self._second = now
            self._header = header_time(now)
        pri = priority if priority & LOG_FACMASK else priority | self.facility
        return b"<%d>%s%s: %s" % (pri, self._header, self.tag, message)

    def send(self, priority: int, message: bytes) -> bool:
        """Send one message; False if it had to be dropped."""
        datagram = self.format(priority, message)
        for attempt in range(2):
            try:
                if self.sock is None:
                    self._connect()
                assert self.sock is not None
                self.sock.sendall(datagram + b"\0" if self.stream else datagram)
                if self.failing and self.warn is not None:
                    self.warn(f"messages reach {self.path} again")
                self.failing = False
                return True
            except OSError as e:
                self.close()
                if attempt == 1:
                    if not self.failing and self.warn is not None:
                        reason = e.strerror or str(e)
                        self.warn(f"unable to send to {self.path}: {reason}; dropping messages")
                    self.failing = True
        return False
