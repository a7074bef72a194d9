"""Where, in a block's output, each directory's ``current`` is finished, and what input that is.

A directory can only finish ``current`` once its output reaches ``size - 2000`` bytes, so
most blocks need nothing from here. For the others the reference's buffering is replayed
(``replay``) over the block's lines, starting at the last 1024-byte read before that
threshold: up to there every chunk the reference wrote was an ordinary write, and its buffer
was empty at the read.

For a script that sends every line everywhere the block was written out without a per-line
loop; its lines are then looked at only from that read on, in windows of a few KiB, and only
until the last place a file can end in this block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from logwarden.multilog.lines import HEAD, Carry, Parsed, Piece, Selector, parse, parse_plain
from logwarden.multilog.logdir import LogDir
from logwarden.multilog.replay import (
    NEWLINE_WINDOW,
    READ_SIZE,
    Op,
    Replay,
    flush_points,
    replay,
    run_ops,
)

#: Input bytes parsed line by line at a time when replaying a plain block.
WINDOW = 4 * READ_SIZE


@dataclass
class Block:
    """One block of input and what has been made of it."""

    select: Selector
    ndirs: int
    data: bytes
    base: int
    carry: Carry
    stamp: bytes
    eof: bool
    parsed: Parsed


@dataclass(frozen=True)
class Cut:
    """``current`` of directory ``index`` ends after ``at`` bytes of the block's output,
    which is everything from input before offset ``position``."""

    position: int
    index: int
    at: int


def find_cuts(dirs: Sequence[LogDir], block: Block) -> tuple[list[Cut], list[Piece]]:
    """Every cut in the block, in input order, and the pieces that place them."""
    due = [i for i, d in enumerate(dirs) if _reaches_threshold(d, block.parsed.streams[i])]
    if not due:
        return [], []
    if block.parsed.pieces is None and not block.select.plain:
        again = parse(block.select, block.ndirs, block.data, block.base, block.carry,
                      block.stamp, block.eof)  # fmt: skip
        block.parsed.pieces = again.pieces
    if block.parsed.pieces is not None:
        found = _replay_all(dirs, block, due)
        pieces = block.parsed.pieces
    else:
        found, pieces = _replay_windows(dirs, block, due)
    cuts = [Cut(_input_position(pieces, index, at, block), index, at) for index, at in found]
    cuts.sort(key=lambda cut: (cut.position, cut.at))
    return cuts, pieces


def _reaches_threshold(directory: LogDir, stream: bytes) -> bool:
    start = 0 if directory.filled >= directory.size else directory.filled
    return start + len(stream) >= directory.size - NEWLINE_WINDOW


def _replay_all(dirs: Sequence[LogDir], block: Block, due: list[int]) -> list[tuple[int, int]]:
    """Replay whole blocks whose pieces a per-line pass already made."""
    pieces = block.parsed.pieces
    assert pieces is not None
    found: list[tuple[int, int]] = []
    for index in due:
        directory = dirs[index]
        ops: list[Op] = []
        for piece in pieces:
            if piece.mask >> index & 1:
                ops.extend(piece.ops)
        stream = block.parsed.streams[index]
        points = flush_points(0, len(block.data))
        state = replay(directory.size, directory.filled, stream, ops, points)
        found.extend((index, at) for at in state.cuts)
    return found


def _safe_start(directory: LogDir, block: Block) -> int:
    """A 1024-byte read boundary before which no write of the block can finish a file."""
    if directory.filled >= directory.size:
        return 0
    threshold = directory.size - NEWLINE_WINDOW - directory.filled
    stamp = len(block.stamp)
    # Output before input offset g is at most g bytes, a stamp per line begun, the carried
    # start of a line and a final newline: stay below the threshold by that bound.
    carried = len(block.carry.head) + stamp + 1
    start = 0
    for point in range(READ_SIZE, len(block.data), READ_SIZE):
        lines = block.data.count(b"\n", 0, point)
        if point + stamp * lines + carried >= threshold:
            break
        start = point
    return start


def _replay_windows(
    dirs: Sequence[LogDir], block: Block, due: list[int]
) -> tuple[list[tuple[int, int]], list[Piece]]:
    """Replay a plain block from a safe read boundary, a window at a time."""
    start = min(_safe_start(dirs[i], block) for i in due)
    everything = block.select.everything
    stream = block.parsed.streams[due[0]]
    pieces: list[Piece] = []
    carry = block.carry
    prefix = 0
    if start:
        head = parse_plain(
            everything, block.ndirs, block.data[:start], block.base, carry, block.stamp, False
        )
        prefix = len(head.streams[0])
        until = head.carry.start if head.carry.mode == HEAD else block.base + start
        pieces.append(Piece(head.streams[0], everything, block.base, 0, [], until))
        carry = head.carry
    states = {i: Replay(dirs[i].size, dirs[i].filled + prefix, stream) for i in due}
    for state in states.values():
        state.w = prefix
    active = set(due)
    offset = start
    while active:
        end = min(offset + WINDOW, len(block.data))
        last = end == len(block.data)
        window = parse(
            block.select,
            block.ndirs,
            block.data[offset:end],
            block.base + offset,
            carry,
            block.stamp,
            block.eof and last,
        )
        assert window.pieces is not None
        pieces.extend(window.pieces)
        carry = window.carry
        ops = [op for piece in window.pieces for op in piece.ops]
        for index in sorted(active):
            state = states[index]
            run_ops(state, ops, flush_points(0, end - offset))
            if state.cuts and len(stream) - state.cuts[-1] < state.size - NEWLINE_WINDOW:
                active.discard(index)
        offset = end
        if last:
            break
    found = [(index, at) for index in due for at in states[index].cuts]
    return found, pieces


def input_offset(piece: Piece, within: int) -> int:
    """The input offset that output byte ``within`` of ``piece`` comes from (its end for
    ``within == len(piece.data)``)."""
    if within >= len(piece.data):
        return piece.end
    return piece.origin + max(0, within - piece.stamp)


def stream_offset(pieces: list[Piece], index: int, position: int) -> int:
    """How many bytes of directory ``index``'s output come from input before ``position``."""
    offset = 0
    for piece in pieces:
        if not piece.mask >> index & 1:
            continue
        if position >= piece.end:
            offset += len(piece.data)
            continue
        if position > piece.origin:
            offset += piece.stamp + position - piece.origin
        break
    return offset


def _input_position(pieces: list[Piece], index: int, at: int, block: Block) -> int:
    """The input offset before which every byte of the first ``at`` output bytes lies."""
    offset = 0
    # Nothing written yet: the input consumed so far (a line carried into the block is not).
    position = block.carry.start if block.carry.mode == HEAD else block.base
    for piece in pieces:
        if not piece.mask >> index & 1:
            continue
        if at <= offset + len(piece.data):
            if at > offset:
                position = input_offset(piece, at - offset)
            break
        offset += len(piece.data)
        position = piece.end
    return min(position, block.base + len(block.data))
