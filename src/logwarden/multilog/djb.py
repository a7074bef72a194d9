"""How daemontools words its complaints, and how it waits before trying again.

Every message is ``multilog: fatal: ...`` (then exit 111) or ``multilog: warning: ...`` (then
a five-second pause and a retry). The system error at the end is not strerror's text but
daemontools' own table (error_str.c): ``file does not exist``, ``access denied``,
``out of disk space``... Scripts that watch a log service's stderr match these words, so
they are kept.
"""

from __future__ import annotations

import errno
import sys
import time
from collections.abc import Callable
from typing import TextIO, TypeVar

T = TypeVar("T")

#: Exit status of every fatal error (daemontools: "temporary failure").
EXIT_FATAL = 111
#: Seconds multilog sleeps after a warning before it tries again.
PAUSE_SECONDS = 5.0

_TEXT: dict[int, str] = {
    0: "no error",
    errno.EINTR: "interrupted system call",
    errno.ENOMEM: "out of memory",
    errno.ENOENT: "file does not exist",
    errno.ETXTBSY: "text busy",
    errno.EIO: "input/output error",
    errno.EEXIST: "file already exists",
    errno.ETIMEDOUT: "timed out",
    errno.EINPROGRESS: "operation in progress",
    errno.EAGAIN: "temporary failure",
    errno.EPIPE: "broken pipe",
    errno.EPERM: "permission denied",
    errno.EACCES: "access denied",
    errno.ENXIO: "device not configured",
    errno.EPROTO: "protocol error",
    errno.EISDIR: "is a directory",
    errno.ECONNREFUSED: "connection refused",
    errno.ENOTDIR: "not a directory",
    errno.ESRCH: "no such process",
    errno.E2BIG: "argument list too long",
    errno.ENOEXEC: "exec format error",
    errno.EBADF: "file descriptor not open",
    errno.ECHILD: "no child processes",
    errno.EFAULT: "bad address",
    errno.ENOTBLK: "not a block device",
    errno.EBUSY: "device busy",
    errno.EXDEV: "cross-device link",
    errno.ENODEV: "device does not support operation",
    errno.EINVAL: "invalid argument",
    errno.ENFILE: "system cannot open more files",
    errno.EMFILE: "process cannot open more files",
    errno.ENOTTY: "not a tty",
    errno.EFBIG: "file too big",
    errno.ENOSPC: "out of disk space",
    errno.ESPIPE: "unseekable descriptor",
    errno.EROFS: "read-only file system",
    errno.EMLINK: "too many links",
    errno.EDOM: "input out of range",
    errno.ERANGE: "output out of range",
    errno.EALREADY: "operation already in progress",
    errno.ENOTSOCK: "not a socket",
    errno.EDESTADDRREQ: "destination address required",
    errno.EMSGSIZE: "message too long",
    errno.EPROTOTYPE: "incorrect protocol type",
    errno.ENOPROTOOPT: "protocol not available",
    errno.EPROTONOSUPPORT: "protocol not supported",
    errno.ESOCKTNOSUPPORT: "socket type not supported",
    errno.EOPNOTSUPP: "operation not supported",
    errno.EPFNOSUPPORT: "protocol family not supported",
    errno.EAFNOSUPPORT: "address family not supported",
    errno.EADDRINUSE: "address already used",
    errno.EADDRNOTAVAIL: "address not available",
    errno.ENETDOWN: "network down",
    errno.ENETUNREACH: "network unreachable",
    errno.ENETRESET: "network reset",
    errno.ECONNABORTED: "connection aborted",
    errno.ECONNRESET: "connection reset",
    errno.ENOBUFS: "out of buffer space",
    errno.EISCONN: "already connected",
    errno.ENOTCONN: "not connected",
    errno.ESHUTDOWN: "socket shut down",
    errno.ETOOMANYREFS: "too many references",
    errno.ELOOP: "symbolic link loop",
    errno.ENAMETOOLONG: "file name too long",
    errno.EHOSTDOWN: "host down",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENOTEMPTY: "directory not empty",
    errno.EUSERS: "too many users",
    errno.EDQUOT: "disk quota exceeded",
    errno.ESTALE: "stale NFS file handle",
    errno.EREMOTE: "too many levels of remote in path",
    errno.ENOLCK: "no locks available",
    errno.ENOSYS: "system call not available",
    errno.ENOSTR: "not a stream device",
    errno.ETIME: "timer expired",
    errno.ENOSR: "out of stream resources",
    errno.ENOMSG: "no message of desired type",
    errno.EBADMSG: "bad message type",
    errno.EIDRM: "identifier removed",
    errno.ENONET: "machine not on network",
    errno.ENOLINK: "link severed",
    errno.EADV: "advertise error",
    errno.ESRMNT: "srmount error",
    errno.ECOMM: "communication error",
    errno.EMULTIHOP: "multihop attempted",
    errno.EREMCHG: "remote address changed",
    errno.EDEADLK: "operation would cause deadlock",
}


def error_text(code: int | None) -> str:
    """daemontools' words for the errno ``code``."""
    return _TEXT.get(code or 0, "unknown error")


class Fatal(Exception):
    """A failure before any input is read: one line on stderr, then exit 111."""

    def __init__(self, message: str, code: int | None = None) -> None:
        text = message if code is None else message + error_text(code)
        super().__init__(text)
        self.text = text


class Complaints:
    """Where warnings go, and how long a pause lasts (daemontools: five seconds)."""

    def __init__(self, program: str, stderr: TextIO | None = None) -> None:
        self.program = program
        self.stderr = stderr if stderr is not None else sys.stderr

    def fatal(self, message: str, error: OSError | None = None) -> Fatal:
        """The exception for ``PROGRAM: fatal: MESSAGE[ERROR]``."""
        return Fatal(f"{self.program}: fatal: {message}", None if error is None else error.errno)

    def say(self, line: str) -> None:
        """Write ``line`` and a newline on stderr at once, as bytes.

        Names from the command line may not be UTF-8; they go out as the bytes they were,
        as the C programs print them.
        """
        data = (line + "\n").encode(sys.getfilesystemencoding(), "surrogateescape")
        try:
            self.stderr.flush()
            buffer = getattr(self.stderr, "buffer", None)
            if buffer is None:
                self.stderr.write(line + "\n")
                self.stderr.flush()
            else:
                buffer.write(data)
                buffer.flush()
        except (OSError, ValueError):
            # stderr itself is gone (its reader died): the log must still be written.
            return

    def warn(self, message: str) -> None:
        """``PROGRAM: warning: MESSAGE`` on stderr."""
        self.say(f"{self.program}: warning: {message}")

    def pause(self, message: str, error: OSError | int | None) -> None:
        """Warn ``MESSAGE`` + the error's words, then sleep before the caller retries."""
        code = error.errno if isinstance(error, OSError) else error
        self.warn(message + error_text(code))
        time.sleep(PAUSE_SECONDS)

    def note(self, message: str) -> None:
        """``PROGRAM: MESSAGE`` on stderr (logwarden's own notices, e.g. crash drills)."""
        self.say(f"{self.program}: {message}")


def retry(complaints: Complaints, message: str, action: Callable[[], T]) -> T:
    """Run ``action()`` until it stops raising OSError, pausing after each failure."""
    while True:
        try:
            return action()
        except OSError as e:
            complaints.pause(message, e)
