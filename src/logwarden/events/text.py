"""Events from a text log: syslog files, sulog, sudo's log, Apache's logs, multilog files.

One chunk of lines at a time (bounded memory, one batch per chunk), from where the previous
ingest stopped. Lines without a time (binary junk, a line cut in two, a format the file is
not in) are left out and counted with the offset of the first. The year of stamps that lack
one is found as :mod:`logwarden.events.years` says; what is needed to go on (the year and
month of the last line, and of the first, for the file before it in its rotation set) is
carried in the file's position.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from logwarden.events import lines, meaning, proglog
from logwarden.events.binary import DAY_US
from logwarden.events.context import HostContext
from logwarden.events.qmail import multilog_rows
from logwarden.events.source import Batch, Found, Position
from logwarden.events.years import YearMonth, YearWalk, first_year_backward
from logwarden.syslog.proglogs import YEARLESS

#: The proglogs reader of each text source kind.
PROGLOG_KIND = {
    "syslog": "syslog",
    "sulog": "sulog",
    "sudo": "sudo",
    "apache_access": "access",
    "apache_error": "error",
}


@dataclass(frozen=True)
class Siblings:
    """What is known of a file's neighbours in its rotation set when it is read."""

    #: Year and month of the last line of the next older file (read before).
    older_end: YearMonth | None = None
    #: Year and month of the first line of the next newer file (read in this run).
    newer_first: YearMonth | None = None


def _walk(
    ctx: HostContext, found: Found, start: Position, siblings: Siblings, kind: str
) -> YearWalk:
    """Where the year count of a yearless file starts."""
    last = start.carry.get("last")
    if start.offset and last:
        return YearWalk(int(last[0]), int(last[1]))
    if siblings.older_end is not None:
        return YearWalk(siblings.older_end.year, siblings.older_end.month)
    before = siblings.newer_first
    if before is None:
        mtime = ctx.zone.local(os.stat(found.path).st_mtime)
        before = YearMonth(mtime.year, mtime.month)
    months = [
        proglog.months(kind, _split(chunk))
        for chunk in lines.chunks(found.path, start.offset, start.record + 1, partial=True)
    ]
    all_months = np.concatenate(months) if months else np.zeros(0, dtype=np.int64)
    return YearWalk(first_year_backward(all_months, before), 0)


def _split(chunk: lines.LineChunk) -> list[bytes]:
    return [line.rstrip(b"\r") for line in chunk.data.split(b"\n")[: len(chunk.line_starts())]]


def read_text(
    ctx: HostContext,
    found: Found,
    start: Position,
    file_id: int,
    siblings: Siblings = Siblings(),
) -> Iterator[Batch]:
    """Events of a text log from ``start`` on."""
    partial = found.rank > 0 or lines.compressed(found.path)
    kind = PROGLOG_KIND.get(found.source_kind)
    walk = YearWalk(0, 0)
    if kind in YEARLESS:
        walk = _walk(ctx, found, start, siblings, kind)
    first = start.carry.get("first")
    limit = int(os.stat(found.path).st_mtime * 1_000_000) + DAY_US
    untimed, first_untimed = 0, -1
    future, first_future = 0, -1
    for chunk in lines.chunks(found.path, start.offset, start.record + 1, partial=partial):
        if kind is None:
            program = os.path.basename(os.path.dirname(found.path)) or None
            base, missing, at = multilog_rows(ctx, chunk, program)
        else:
            base = proglog.base_rows(kind, found.path, chunk, walk, ctx.zone)
            no_time = base["time"].is_null()
            missing = int(no_time.sum())
            at = int(base.filter(no_time)["offset"][0]) if missing else -1
            base = base.filter(~no_time)
        if missing:
            untimed += missing
            first_untimed = at if first_untimed < 0 else first_untimed
        late = base["time"] > limit
        if late.any():
            future += int(late.sum())
            if first_future < 0:
                first_future = int(base.filter(late)["offset"][0])
            base = base.filter(~late)
        events = meaning.to_events(ctx, found, file_id, meaning.typed(ctx, base, found.source_kind))
        if first is None and walk.month:
            first = _first_month(events, ctx)
        end = chunk.offset + len(chunk.data)
        carry = {"first": first, "last": [walk.year, walk.month] if walk.month else None}
        lines_read = chunk.first_line - 1 + len(chunk.line_starts())
        yield Batch(events, Position(end, lines_read, carry))
    if untimed:
        ctx.problem(found.path, first_untimed,
                    f"left out {untimed} line{'s' if untimed != 1 else ''} with no time stamp "
                    f"this reader knows (binary junk, a cut line, or not a {found.source_kind} "
                    "log)", untimed)  # fmt: skip
    if future:
        ctx.problem(found.path, first_future,
                    f"left out {future} line{'s' if future != 1 else ''} stamped after the file "
                    "was last written (far-future time)", future)  # fmt: skip


def _first_month(events: pl.DataFrame, ctx: HostContext) -> list[int] | None:
    """Year and month (host's zone) of the first guessed-year event of a batch."""
    guessed = events.filter(pl.col("year_guessed"))
    if guessed.height == 0:
        return None
    when = ctx.zone.local(guessed["time"][0].timestamp())
    return [when.year, when.month]
