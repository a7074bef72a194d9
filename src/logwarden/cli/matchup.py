"""``matchup``: qmailanalog's matchup, drop-in (stdin to stdout, pending state on fd 5).

Like the C program it takes no options (``--help`` aside) and ignores its arguments. Exit
111 with ``matchup: fatal: ...`` when output cannot be written, or when something is pending
and descriptor 5 is not open (after the output is complete).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator

from logwarden.cli.main import Invocation
from logwarden.djb import error_text
from logwarden.errors import LogwardenError
from logwarden.qmail.matchup.line_engine import Matchup
from logwarden.sources.logset import plain_file, pread_chunks

USAGE = """\
Usage: matchup <log >report 5>pending
Pair qmail-send's delivery results with their starts and their messages.
Input: qmail-send lines, a timestamp first (run multilog logs through tai64nfrac).
Output: one 'd' line per delivery result and one 'm' line per completed message;
warning: and alert: lines copied; other lines (not status lines) after '? '.
What is still open at the end is written to descriptor 5, in matchup's input syntax:
  cat pending log.2 | matchup >report.2 5>pending.2
"""

#: Bytes read from standard input at a time.
CHUNK = 16 << 20
#: Inputs smaller than this are paired line by line (no polars start-up).
SMALL = 1 << 20
#: matchup's exit status for a temporary failure.
EXIT_FATAL = 111


def _fatal(what: str, error: OSError) -> LogwardenError:
    return LogwardenError(f"fatal: {what}: {error_text(error.errno)}", exit_code=EXIT_FATAL)


#: Its output is log text as it came in: escaped when it goes to a terminal (cli.main).
COPIES_LOG_TEXT = True


def main(inv: Invocation) -> int:
    if inv.args and inv.args[0] in ("-h", "--help"):
        inv.stdout.write(USAGE.encode())
        return 0
    # Whether descriptor 5 was given must be known before any library opens descriptors of
    # its own (polars' thread pool may be handed number 5 when it is free).
    fd5_given = _is_open(5)
    engine = Matchup()
    stdin = sys.stdin.buffer
    tail = [b""]

    def read() -> bytes:
        try:
            return stdin.read(CHUNK)
        except OSError as e:
            raise _fatal("unable to read input", e) from None

    if plain_file(0):
        # A file: each chunk is read once, by the kernel, straight into its bytes.
        size = os.fstat(0).st_size - os.lseek(0, 0, os.SEEK_CUR)
        blocks = _file_blocks(tail)
    else:
        first = read()
        size = len(first)

        def blocks() -> Iterator[bytes]:
            partial = b""
            block = first
            while block:
                data = partial + block
                cut = data.rfind(b"\n") + 1
                partial = data[cut:]
                if cut:
                    yield data[:cut]
                block = read()
            tail[0] = partial

    if size < SMALL:
        # A small input: the line engine is done before polars would have started.
        out: Iterator[bytes] = (b"".join(engine.feed(block)[0]) for block in blocks())
    else:
        from logwarden.qmail.matchup.column_engine import run

        out = run(engine, blocks())
    for produced in out:
        try:
            inv.stdout.write(produced)
        except OSError as e:
            raise _fatal("unable to write output", e) from None
    partial = tail[0]
    try:
        inv.stdout.flush()
    except OSError as e:
        raise _fatal("unable to write output", e) from None
    pending = engine.pending(partial)
    try:
        if not pending:
            return 0
        if not fd5_given:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        _write_fd(5, pending)
    except OSError as e:
        raise _fatal("unable to write fd 5", e) from None
    return 0


def _file_blocks(tail: list[bytes]) -> Callable[[], Iterator[bytes]]:
    """Whole-line chunks of the file on standard input; what follows the last newline goes
    to ``tail[0]``."""

    def blocks() -> Iterator[bytes]:
        try:
            for data in pread_chunks(0, CHUNK):
                if data.endswith(b"\n"):
                    yield data
                    continue
                cut = data.rfind(b"\n") + 1
                tail[0] = data[cut:]
                if cut:
                    yield data[:cut]
        except OSError as e:
            raise _fatal("unable to read input", e) from None

    return blocks


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _write_fd(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
