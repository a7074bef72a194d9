"""The script's actions over a whole block of lines at once, for scripts with patterns.

The per-line loop (``lines.parse``) costs a few microseconds a line in Python. Here the
complete lines of a block are split in one call, each pattern is tried on all of them with
the iteration in C (``map``), and the selection state of every line is carried through the
actions as numpy boolean arrays. What each directory gets, what ``e`` prints and what
``=file`` holds are then the same as the per-line loop gives (tested against it, and against
daemontools).

The reference tries a pattern only on lines in the state it can change; trying it on every
line changes nothing, since matching has no side effects. The first line of a block (which may
continue a line from the previous block) and the last (which may continue into the next) go
through the per-line loop.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from itertools import compress, repeat

import numpy as np
import numpy.typing as npt

from logwarden.multilog.lines import (
    LINE_LIMIT,
    START,
    STDERR_LIMIT,
    Carry,
    Parsed,
    Selector,
    parse,
    size_or,
    status_record,
)
from logwarden.multilog.match import to_regex
from logwarden.multilog.script import Kind, Script

#: Tests many lines at once: one truth value per line.
BulkMatcher = Callable[[list[bytes]], npt.NDArray[np.bool_]]


def compile_bulk(pattern: bytes) -> BulkMatcher:
    """A matcher for many lines at once, iterating in C (``map``)."""
    if pattern == b"*":
        return lambda lines: np.ones(len(lines), dtype=bool)
    if b"*" not in pattern:
        return lambda lines: _truths(map(pattern.__eq__, lines), len(lines))
    if pattern.endswith(b"*") and b"*" not in pattern[:-1]:
        prefix = pattern[:-1]
        return lambda lines: _truths(map(bytes.startswith, lines, repeat(prefix)), len(lines))
    fullmatch = re.compile(to_regex(pattern), re.DOTALL).fullmatch

    def match(lines: list[bytes]) -> npt.NDArray[np.bool_]:
        return _truths(map(operator.is_not, map(fullmatch, lines), repeat(None)), len(lines))

    return match


def _truths(values: Iterable[bool], count: int) -> npt.NDArray[np.bool_]:
    return np.fromiter(values, dtype=bool, count=count)


class BulkSelector:
    """A script's actions as operations on arrays of lines."""

    def __init__(self, script: Script, select: Selector) -> None:
        self.select = select
        self.actions = script.actions
        # Every action gets a matcher (an unused one for the others) to keep them in step.
        self.matchers = [compile_bulk(action.pattern) for action in script.actions]
        self.ndirs = len(script.dirs)
        #: ``e`` prints per line in action order; with two of them the loop does it.
        self.usable = sum(a.kind == Kind.STDERR for a in script.actions) <= 1

    def run(self, heads: list[bytes]) -> tuple[list[list[bool]], bytes, dict[int, bytes]]:
        """Per directory, which lines it takes; then ``e``'s output and ``=file`` records."""
        count = len(heads)
        keys = heads
        if max(map(len, heads), default=0) > LINE_LIMIT:
            keys = [head[:LINE_LIMIT] for head in heads]
        selected: npt.NDArray[np.bool_] = np.ones(count, dtype=bool)
        taken: list[list[bool]] = [[False] * count for _ in range(self.ndirs)]
        stderr = b""
        status: dict[int, bytes] = {}
        for action, matcher in zip(self.actions, self.matchers, strict=True):
            if action.kind == Kind.DIRECTORY:
                taken[action.index] = selected.tolist()
            elif action.kind in (Kind.SELECT, Kind.DESELECT):
                wanted = ~selected if action.kind == Kind.SELECT else selected
                where = np.flatnonzero(wanted)
                if len(where) == 0:
                    continue
                subset = keys if len(where) == count else [keys[i] for i in where.tolist()]
                hits = matcher(subset)
                selected[where[hits]] = action.kind == Kind.SELECT
            elif action.kind == Kind.STDERR:
                chosen = compress(keys, selected.tolist())
                stderr = b"".join(map(_stderr_line, chosen))
            else:  # Kind.STATUS
                last = np.flatnonzero(selected)
                if len(last):
                    status[action.index] = keys[int(last[-1])]
        return taken, stderr, status


def _stderr_line(head: bytes) -> bytes:
    if len(head) > STDERR_LIMIT:
        return head[:STDERR_LIMIT] + b"...\n"
    return head + b"\n"


def parse_bulk(
    bulk: BulkSelector,
    block: bytes,
    base: int,
    carry: Carry,
    stamp: bytes,
    eof: bool,
) -> Parsed:
    """:func:`lines.parse`'s result for ``block``, without its pieces."""
    ndirs = bulk.ndirs
    if not bulk.usable:
        return parse(bulk.select, ndirs, block, base, carry, stamp, eof)
    if carry.mode != START:
        cut = size_or(block.find(b"\n") + 1, len(block))
        whole = cut == len(block)
        first = parse(bulk.select, ndirs, block[:cut], base, carry, stamp, eof and whole)
        if first.carry.mode != START or whole:
            return first
        rest = parse_bulk(bulk, block[cut:], base + cut, Carry(), stamp, eof)
        return _joined(first, rest)
    last = block.rfind(b"\n")
    if last < 0:
        return parse(bulk.select, ndirs, block, base, carry, stamp, eof)
    lines = block[:last].split(b"\n")
    heads = list(map(stamp.__add__, lines)) if stamp else lines
    taken, stderr, status = bulk.run(heads)
    out = list(map(operator.add, heads, repeat(b"\n")))
    streams = [b"".join(compress(out, mask)) for mask in taken]
    middle = parse_plain_result(streams, stderr, status, base + last + 1)
    tail = parse(bulk.select, ndirs, block[last + 1 :], base + last + 1, Carry(), stamp, eof)
    return _joined(middle, tail)


def parse_plain_result(
    streams: list[bytes], stderr: bytes, heads: dict[int, bytes], commit: int
) -> Parsed:
    """A Parsed for complete lines (no carry)."""
    status = {index: status_record(head) for index, head in heads.items()}
    return Parsed(streams, None, commit, Carry(), stderr, status)


def _joined(first: Parsed, second: Parsed) -> Parsed:
    """Two consecutive parts of a block as one result (without pieces)."""
    streams = [a + b for a, b in zip(first.streams, second.streams, strict=True)]
    status = {**first.status, **second.status}
    return Parsed(streams, None, second.commit, second.carry, first.stderr + second.stderr, status)
