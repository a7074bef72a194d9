"""Running a log directory's processor, as multilog runs it.

The processor is ``/bin/sh -c PROCESSOR`` started in the log directory with the finished file
``previous`` on its standard input, ``processed`` (emptied) on its standard output, ``state``
on descriptor 4 and ``newstate`` (emptied) on descriptor 5; SIGTERM and SIGALRM are back to
their defaults, and everything else multilog has open is closed. Its standard error is
multilog's.
"""

from __future__ import annotations

import os
import signal
import sys

from logwarden.djb import error_text
from logwarden.multilog.djb import EXIT_FATAL

_READ = os.O_RDONLY | os.O_NONBLOCK
_TRUNC = os.O_WRONLY | os.O_NONBLOCK | os.O_TRUNC | os.O_CREAT


def run(processor: str, directory_fd: int) -> int:
    """Run ``processor`` in the directory ``directory_fd``; its wait status.

    Raises OSError if the process cannot be forked.
    """
    pid = os.fork()
    if pid == 0:
        _child(processor, directory_fd)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        # Reaped behind our back (SIGCHLD ignored by whoever started us): count it as failed.
        return 1 << 8


def _child(processor: str, directory_fd: int) -> None:
    """In the forked child: set up the descriptors and exec the shell; never returns."""
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGTERM, signal.SIGALRM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.fchdir(directory_fd)
        _place(os.open("previous", _READ), 0)
        _place(os.open("processed", _TRUNC, 0o644), 1)
        _place(os.open("state", _READ), 4)
        _place(os.open("newstate", _TRUNC, 0o644), 5)
        os.execve("/bin/sh", ["sh", "-c", processor], os.environ)
    except OSError as e:
        message = f"multilog: fatal: unable to run {processor}: {error_text(e.errno)}\n"
        try:
            os.write(2, message.encode(sys.getfilesystemencoding(), "surrogateescape"))
        finally:
            os._exit(EXIT_FATAL)
    os._exit(EXIT_FATAL)


def _place(fd: int, target: int) -> None:
    """Put the open file ``fd`` on descriptor ``target`` (inheritable), as fd_move does."""
    if fd != target:
        os.dup2(fd, target)
        os.close(fd)
    else:
        os.set_inheritable(fd, True)
