"""qmail's splogger: lines on stdin become syslog messages (qmail 1.03, splogger.c).

The seed's five rules, as splogger.c implements them:

1. Every message gets a timestamp, ``seconds.microseconds`` (``%lu.%06u`` of
   ``gettimeofday``), taken when the line's first message is sent.
2. A line that starts with ``alert:`` is sent at priority alert, one that starts with
   ``warning:`` at warning, any other at info (the prefix is looked for in the first
   message; continuations keep its priority).
3. Bytes below 32 or above 126 (tab, escape, NUL, every non-ASCII byte) become ``?``.
4. A blank line sends nothing.
5. A line is cut into pieces of 799 characters (splogger's 800-byte buffer less its NUL;
   the seed rounds this to 800). The first piece is sent as ``STAMP TEXT``, every following
   piece of the same line as ``STAMP+TEXT``: the same stamp, a ``+`` instead of the space.

A piece is sent when the byte after it arrives, so a line cut by the end of input sends its
complete pieces and drops the rest, as splogger does (it exits without flushing).

The messages go through syslog with ``openlog(tag, 0, facility)``: tag ``splogger`` and
facility mail unless given; a given facility is a number (2 = mail, 3 = daemon...), read as
qmail's ``scan_ulong`` reads it and shifted into place as ``facility << 3``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from logwarden.qmail.syslogclient import LOG_ALERT, LOG_INFO, LOG_MAIL, LOG_WARNING

#: Characters in one message (splogger's ``char buf[800]``, less the terminating NUL).
PIECE = 799
DEFAULT_TAG = b"splogger"
_MASK64 = (1 << 64) - 1
#: Every byte splogger replaces by ``?``.
SANITIZE = bytes(b if 32 <= b <= 126 else 63 for b in range(256))

#: (priority, message) as handed to ``syslog(priority, "%s", message)``.
Message = tuple[int, bytes]


def facility_argument(text: bytes) -> int:
    """The ``int`` splogger passes to ``openlog`` for its second argument.

    ``scan_ulong`` takes the leading digits (none means 0) modulo 2**64; ``<< 3`` in unsigned
    long, then the conversion to ``int`` keeps the low 32 bits.
    """
    value = 0
    for byte in text:
        if not 48 <= byte <= 57:
            break
        value = (value * 10 + byte - 48) & _MASK64
    shifted = (value << 3) & 0xFFFFFFFF
    return shifted - (1 << 32) if shifted >= 1 << 31 else shifted


def openlog_arguments(args: list[bytes]) -> tuple[bytes, int]:
    """(tag, facility) for ``splogger [tag [facility]]``."""
    if not args:
        return DEFAULT_TAG, LOG_MAIL
    if len(args) == 1:
        return args[0], LOG_MAIL
    return args[0], facility_argument(args[1])


def priority_of(first_piece: bytes) -> int:
    """alert, warning or info, from the start of a line's first piece."""
    if first_piece.startswith(b"alert:"):
        return LOG_ALERT
    if first_piece.startswith(b"warning:"):
        return LOG_WARNING
    return LOG_INFO


def stamp_text(unix_ns: int) -> bytes:
    """``seconds.microseconds`` as splogger writes it."""
    micros = unix_ns // 1000
    return b"%d.%06d" % (micros // 1_000_000, micros % 1_000_000)


class Splitter:
    """splogger's line handling over a stream of blocks."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self.clock = clock
        #: Sanitized bytes of the current line not yet sent (fewer than a piece + 1).
        self.pending = b""
        #: The current line already sent its first piece: the stamp and priority to reuse.
        self.stamp: bytes | None = None
        self.priority = LOG_INFO

    def _piece(self, text: bytes) -> Message:
        if self.stamp is None:
            self.stamp = stamp_text(self.clock())
            self.priority = priority_of(text)
            return self.priority, self.stamp + b" " + text
        return self.priority, self.stamp + b"+" + text

    def _sendable(self, text: bytes, line_ends: bool) -> Iterator[Message]:
        """Pieces of ``text`` that can go now; keeps the rest in ``pending``."""
        size = len(text)
        if line_ends:
            ready = size
        else:
            # A full piece goes only when a byte after it has arrived.
            ready = (size - 1) // PIECE * PIECE if size else 0
        for start in range(0, ready, PIECE):
            yield self._piece(text[start : start + PIECE])
        self.pending = text[ready:]
        if line_ends:
            self.pending = b""
            self.stamp = None

    def feed(self, block: bytes) -> Iterator[Message]:
        """The messages ``block`` completes."""
        clean = block.translate(SANITIZE)
        # Newlines survive sanitizing as "?" would hide them: find them in the raw block.
        pos = 0
        while True:
            newline = block.find(b"\n", pos)
            if newline < 0:
                yield from self._sendable(self.pending + clean[pos:], False)
                return
            yield from self._sendable(self.pending + clean[pos:newline], True)
            pos = newline + 1

    def finish(self) -> Iterator[Message]:
        """End of input: an unfinished line's last piece is dropped, as splogger drops it."""
        self.pending = b""
        self.stamp = None
        return iter(())
