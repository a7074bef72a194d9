"""Typed qmail-send lines from log chunks, line by line, with a count of what was odd.

This is the plain path: every line is split and typed in Python. It serves ``qmail alerts``
(which looks at every alert, warning and status line) and small inputs; the column-wise
reader in :mod:`logwarden.qmail.frame` does the same work for large ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from logwarden.qmail.grammar import Event, Kind, parse
from logwarden.qmail.lines import (
    Joiner,
    LocalToUnix,
    Prefixed,
    Style,
    process_local_time,
    split_line,
)
from logwarden.sources.logset import Chunk


@dataclass
class Tally:
    """What the input held besides good lines."""

    lines: int = 0
    styles: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    #: Lines no qmail logger wrote (another program's syslog line, a wrapped piece).
    foreign: int = 0
    #: splogger continuation pieces put back onto their line, and ones with no line to join.
    joined: int = 0
    orphans: int = 0
    #: Hard-wrapped pieces put back onto their line.
    wrapped: int = 0
    #: Delivery reports that do not end in ``/`` (qmail's reports do): probably cut short.
    truncated: int = 0
    #: The last line of a file had no newline.
    partial: int = 0
    first_ns: int | None = None
    last_ns: int | None = None

    def see_time(self, ns: int | None) -> None:
        if ns is None:
            return
        if self.first_ns is None or ns < self.first_ns:
            self.first_ns = ns
        if self.last_ns is None or ns > self.last_ns:
            self.last_ns = ns


@dataclass(frozen=True, slots=True)
class Typed:
    """A logical line: where it is, its prefix and its event."""

    path: str
    number: int
    prefixed: Prefixed
    event: Event


def scan(
    chunks: Iterable[Chunk], tally: Tally, local_to_unix: LocalToUnix = process_local_time
) -> Iterator[Typed]:
    """Every logical line of ``chunks`` typed, in order; ``tally`` counts as it goes.

    Continuation pieces are joined within a file (a rotation ends splogger's lines too).
    """
    for path, same_file in groupby(chunks, key=lambda c: c.path):
        joiner = Joiner()
        for line in joiner.lines(_pairs(same_file, tally, local_to_unix)):
            tally.lines += line.pieces
            prefixed = line.prefixed
            tally.styles[prefixed.style] += 1
            if prefixed.style is Style.FOREIGN:
                tally.foreign += 1
                continue
            event = parse(prefixed.text)
            tally.kinds[event.kind] += 1
            tally.see_time(prefixed.unix_ns)
            report = event.report
            if event.kind is Kind.DELIVERY and report and not report.endswith(b"/"):
                tally.truncated += 1
            yield Typed(path, line.number, prefixed, event)
        tally.joined += joiner.joined
        tally.orphans += joiner.orphans
        tally.wrapped += joiner.wrapped


def _pairs(
    chunks: Iterable[Chunk], tally: Tally, local_to_unix: LocalToUnix
) -> Iterator[tuple[int, Prefixed]]:
    for chunk in chunks:
        data = chunk.data
        if data.endswith(b"\n"):
            data = data[:-1]
        else:
            tally.partial += 1
        number = chunk.first_line
        for line in data.split(b"\n"):
            yield number, split_line(line, local_to_unix)
            number += 1
