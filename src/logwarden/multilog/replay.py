"""Where daemontools' multilog ends a log file, worked out without copying its slow path.

multilog decides to rotate inside its write function (``c_write``), and what that function
sees depends on how its 512-byte directory buffer happened to be flushed:

* a write is first cut so that ``current`` never exceeds the size limit;
* once a write would reach ``size - 2000`` bytes, it is cut after its last newline;
* after a write that ends with a newline at or beyond ``size - 2000``, the file is finished.

So two multilogs given the same lines end their files at the same places only if they hand
the same chunks to that function. logwarden writes in large pieces (one write per block of
input), and replays the reference's buffering here only for the blocks where the outcome can
differ: those in which a directory's output reaches ``size - 2000``. Everywhere else one
write gives the same file.

The reference's buffering, per directory: ``put`` of a line's first (at most 1000) bytes,
``PUTC`` of each further byte of a long line and of the final newline, and a flush of the
512-byte buffer whenever multilog is about to read more input (every 1024 bytes of input for
a file; at every read for a pipe). Positions here are input offsets within a block: an
operation at position ``q`` happens after the byte at ``q - 1`` was read, and the flush for a
read at offset ``g`` happens before every operation with ``q > g``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

#: multilog's per-directory output buffer.
BUFFER = 512
#: Input is read this many bytes at a time by the reference.
READ_SIZE = 1024
#: Files are cut at a newline once they come this close to the size limit.
NEWLINE_WINDOW = 2000

PUT = 0
RUN = 1
#: One operation: (position, PUT or RUN, byte count). A RUN is that many PUTCs.
Op = tuple[int, int, int]


class Replay:
    """The reference's buffer and ``c_write`` for one directory, over one block's output."""

    __slots__ = ("cuts", "filled", "p", "size", "stream", "w")

    def __init__(self, size: int, filled: int, stream: bytes) -> None:
        self.size = size
        #: Bytes in ``current`` (the reference's ``d->bytes``).
        self.filled = filled
        self.stream = stream
        #: Stream offset of the first byte not yet handed to ``c_write``.
        self.w = 0
        #: Bytes waiting in the 512-byte buffer.
        self.p = 0
        #: Stream offsets at which ``current`` is finished.
        self.cuts: list[int] = []

    def put(self, count: int) -> None:
        """``buffer_put`` of ``count`` bytes."""
        if count > BUFFER - self.p:
            self.flush()
            if count > BUFFER:
                self._write(count)
                return
        self.p += count

    def putc(self, count: int) -> None:
        """``count`` calls of ``buffer_PUTC``."""
        while count:
            room = BUFFER - self.p
            if room == 0:
                self.flush()
                room = BUFFER
            take = room if room < count else count
            self.p += take
            count -= take

    def flush(self) -> None:
        """``buffer_flush``."""
        if self.p:
            pending = self.p
            self.p = 0
            self._write(pending)

    def _write(self, count: int) -> None:
        """``allwrite`` through ``c_write``: the stream's next ``count`` bytes."""
        size = self.size
        stream = self.stream
        end = self.w + count
        while self.w < end:
            if self.filled >= size:
                self.cuts.append(self.w)
                self.filled = 0
            length = end - self.w
            room = size - self.filled
            if length >= room:
                length = room
            if self.filled + length >= size - NEWLINE_WINDOW:
                newline = stream.rfind(b"\n", self.w, self.w + length)
                if newline >= 0:
                    length = newline + 1 - self.w
            self.w += length
            self.filled += length
            if self.filled >= size - NEWLINE_WINDOW and stream[self.w - 1] == 10:
                self.cuts.append(self.w)
                self.filled = 0


def flush_points(start: int, end: int) -> Iterator[int]:
    """Offsets in ``(start, end]`` at which the reference reads (and so flushes), then ``end``.

    The reference reads every ``READ_SIZE`` bytes from the block's start, and once more at
    its end (the block's end is where logwarden itself reads again).
    """
    point = start + READ_SIZE
    while point < end:
        yield point
        point += READ_SIZE
    yield end


def replay(
    size: int, filled: int, stream: bytes, ops: Iterable[Op], points: Iterable[int]
) -> Replay:
    """Run ``ops`` (in position order) from an empty buffer, with the flushes at ``points``."""
    state = Replay(size, filled, stream)
    run_ops(state, ops, points)
    return state


def run_ops(state: Replay, ops: Iterable[Op], points: Iterable[int]) -> None:
    """Continue ``state`` with ``ops`` and the flushes at ``points``; flush at the end.

    The end of ``points`` must be a read of the reference's (a 1024-byte boundary or the
    end of a block), so that the buffer is empty there, as this leaves it.
    """
    pending = iter(points)
    never = 1 << 62
    point = next(pending, never)
    for position, kind, count in ops:
        while point < position:
            state.flush()
            point = next(pending, never)
        if kind == PUT:
            state.put(count)
            continue
        while count:
            while point < position:
                state.flush()
                point = next(pending, never)
            take = point - position + 1
            if take > count:
                take = count
            state.putc(take)
            position += take
            count -= take
    state.flush()
