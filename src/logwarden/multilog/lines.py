"""A block of input as multilog sees it: lines, their selection, and what each directory gets.

multilog keeps the first 1000 bytes of a line (timestamp included) in memory; that is what
the patterns, ``e`` and ``=file`` look at. When a line reaches 1000 bytes, those bytes go to
the selected directories at once and the rest of the line follows byte by byte, so a log
directory holds every line whole, however long. A line still incomplete at the end of a block
is carried to the next one: as its first bytes (not yet written anywhere), or, past 1000
bytes, as the set of directories that take the rest.

Each finished piece of output is a :class:`Piece`: its bytes, the directories it goes to, the
input offset its bytes come from (so a rotation can be mapped back to how much input is
safely written), and the reference's buffer operations for it (see ``replay``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logwarden.multilog.replay import PUT, RUN, Op
from logwarden.multilog.script import Kind, Script

#: Bytes of a line multilog holds in memory (the timestamp counts).
LINE_LIMIT = 1000
#: ``e`` shows this many bytes of a longer line, then ``...``.
STDERR_LIMIT = 200
#: ``=file`` always holds this many bytes.
STATUS_SIZE = LINE_LIMIT + 1

START = 0
HEAD = 1
TAIL = 2


@dataclass
class Carry:
    """A line that continues past the end of a block."""

    mode: int = START
    #: HEAD: the line's first bytes, timestamp included (fewer than LINE_LIMIT).
    head: bytes = b""
    #: HEAD: input offset of the line's first byte; TAIL: unused.
    start: int = 0
    #: HEAD: length of the line's timestamp.
    stamp: int = 0
    #: TAIL: the directories (bit mask) that take the rest of the line.
    mask: int = 0


@dataclass(slots=True)
class Piece:
    """Output bytes of (part of) one line and where they go."""

    data: bytes
    mask: int
    #: Input offset of ``data[stamp]``; the bytes after it map one to one onto the input.
    origin: int
    stamp: int
    ops: list[Op]
    #: Input offset just past what the piece holds, when it is not ``origin + len - stamp``
    #: (a piece standing for the start of a block, made without a per-line loop).
    until: int | None = None

    @property
    def end(self) -> int:
        """Input offset just past the input this piece's bytes come from."""
        if self.until is not None:
            return self.until
        return self.origin + len(self.data) - self.stamp


@dataclass
class Parsed:
    """What a block produced."""

    #: Output for each directory, in order.
    streams: list[bytes]
    #: The pieces (None when the fast path did not need them; see :func:`pieces_of`).
    pieces: list[Piece] | None
    #: Input offset before which everything is in ``streams`` (the rest is a carried head).
    commit: int
    carry: Carry
    #: Bytes for stderr from ``e`` actions.
    stderr: bytes = b""
    #: Latest record for each ``=file`` (by index).
    status: dict[int, bytes] = field(default_factory=dict)


class Selector:
    """The script's per-line actions, compiled for speed."""

    def __init__(self, script: Script) -> None:
        self.actions = [(a.kind, a.matcher, a.index) for a in script.actions]
        self.everything = (1 << len(script.dirs)) - 1
        self.plain = script.every_line_everywhere

    def __call__(self, head: bytes, stderr: list[bytes], status: dict[int, bytes]) -> int:
        """The directories (bit mask) that take the line whose kept bytes are ``head``."""
        if self.plain:
            return self.everything
        selected = True
        mask = 0
        for kind, matcher, index in self.actions:
            if kind == Kind.DIRECTORY:
                if selected:
                    mask |= 1 << index
            elif kind == Kind.DESELECT:
                if selected and matcher is not None and matcher(head):
                    selected = False
            elif kind == Kind.SELECT:
                if not selected and matcher is not None and matcher(head):
                    selected = True
            elif kind == Kind.STDERR:
                if selected:
                    if len(head) > STDERR_LIMIT:
                        stderr.append(head[:STDERR_LIMIT] + b"...\n")
                    else:
                        stderr.append(head + b"\n")
            elif selected:  # Kind.STATUS
                status[index] = head
        return mask


def status_record(head: bytes) -> bytes:
    """The 1001 bytes ``=file`` holds for a line."""
    return head + b"\n" * (STATUS_SIZE - len(head))


def parse(
    select: Selector,
    ndirs: int,
    block: bytes,
    base: int,
    carry: Carry,
    stamp: bytes,
    eof: bool,
) -> Parsed:
    """Cut ``block`` (input from offset ``base``) into pieces, one line at a time.

    ``stamp`` is the timestamp (with its space) of lines that start in this block, or empty.
    At ``eof`` a last line without a newline is finished with one, as the reference does.
    """
    pieces: list[Piece] = []
    stderr: list[bytes] = []
    status: dict[int, bytes] = {}
    size = len(block)
    find = block.find
    pos = 0
    while True:
        if carry.mode == TAIL:
            if pos >= size and not eof:
                break
            newline = find(b"\n", pos)
            end = size if newline < 0 else newline
            ops: list[Op] = [(pos + 1, RUN, end - pos)] if end > pos else []
            if newline >= 0:
                data = block[pos : newline + 1]
                ops.append((newline + 1, RUN, 1))
            elif eof:
                data = block[pos:] + b"\n"
                ops.append((size + 1, RUN, 1))
            else:
                data = block[pos:]
            pieces.append(Piece(data, carry.mask, base + pos, 0, ops))
            if newline < 0 and not eof:
                break
            carry = Carry()
            pos = size if newline < 0 else newline + 1
            continue
        if carry.mode == HEAD:
            head = carry.head
            start = carry.start
            stamped = carry.stamp
        elif pos < size:
            head = stamp
            start = base + pos
            stamped = len(stamp)
        else:
            break
        room = LINE_LIMIT - len(head)
        window = pos + room if pos + room < size else size
        newline = find(b"\n", pos, window)
        if newline >= 0:
            head += block[pos:newline]
            put_at = newline + 1
            pos = newline + 1
            full = False
        elif window - pos == room:
            head += block[pos:window]
            put_at = window
            pos = window
            full = True
        elif eof:
            head += block[pos:]
            put_at = size + 1
            pos = size
            full = False
        else:
            carry = Carry(HEAD, head + block[pos:], start, stamped)
            break
        mask = select(head, stderr, status)
        if full:
            pieces.append(Piece(head, mask, start, stamped, [(put_at, PUT, len(head))]))
            carry = Carry(TAIL, mask=mask)
        else:
            ops = [(put_at, PUT, len(head)), (put_at, RUN, 1)]
            pieces.append(Piece(head + b"\n", mask, start, stamped, ops))
            carry = Carry()
    commit = carry.start if carry.mode == HEAD else base + size
    streams = [b"".join([p.data for p in pieces if p.mask >> d & 1]) for d in range(ndirs)]
    status_out = {index: status_record(head) for index, head in status.items()}
    return Parsed(streams, pieces, commit, carry, b"".join(stderr), status_out)


def parse_plain(
    everything: int, ndirs: int, block: bytes, base: int, carry: Carry, stamp: bytes, eof: bool
) -> Parsed:
    """:func:`parse` for a script that sends every line everywhere, without a per-line loop.

    The pieces are not built; :func:`pieces_of` builds them if a directory needs its
    rotation replayed.
    """
    if carry.mode != START:
        first_newline = block.find(b"\n")
        # The carried line ends within this block (or at EOF): finish it the careful way.
        cut = size_or(first_newline + 1, len(block))
        whole = cut == len(block)
        head_part = parse(
            _everything(everything, ndirs), ndirs, block[:cut], base, carry, stamp, eof and whole
        )
        if head_part.carry.mode != START or whole:
            return head_part
        rest = parse_plain(everything, ndirs, block[cut:], base + cut, Carry(), stamp, eof)
        streams = [a + b for a, b in zip(head_part.streams, rest.streams, strict=True)]
        return Parsed(streams, None, rest.commit, rest.carry)
    size = len(block)
    last = block.rfind(b"\n")
    parts: list[bytes] = []
    if last >= 0:
        middle = block[: last + 1]
        if stamp:
            parts.append(stamp + middle[:-1].replace(b"\n", b"\n" + stamp) + b"\n")
        else:
            parts.append(middle)
    pos = last + 1
    rest_size = size - pos
    new_carry = Carry()
    if rest_size:
        if eof:
            parts.append(stamp + block[pos:] + b"\n")
        elif len(stamp) + rest_size >= LINE_LIMIT:
            parts.append(stamp + block[pos:])
            new_carry = Carry(TAIL, mask=everything)
        else:
            new_carry = Carry(HEAD, stamp + block[pos:], base + pos, len(stamp))
    stream = b"".join(parts)
    commit = new_carry.start if new_carry.mode == HEAD else base + size
    return Parsed([stream] * ndirs, None, commit, new_carry)


def size_or(value: int, fallback: int) -> int:
    """``value`` if positive, else ``fallback`` (a find() that found nothing)."""
    return value if value > 0 else fallback


def _everything(everything: int, ndirs: int) -> Selector:
    selector = Selector.__new__(Selector)
    selector.actions = []
    selector.everything = everything
    selector.plain = True
    return selector
