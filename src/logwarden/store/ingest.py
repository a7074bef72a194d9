"""Ingest: a host root's logs into the store, reading only what is new since last time.

For every rotation set under the root (newest file first, which is what year inference
needs), each file is recognised (:mod:`logwarden.store.identity`) and read on from where the
previous ingest stopped; each batch of events is committed with its file's new position.
What was wrong with a file is counted and kept in ``problems``, never fatal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl

from logwarden.events import acct, connect, text
from logwarden.events.context import HostContext, Problem
from logwarden.events.discover import discover
from logwarden.events.source import Batch, Found, Position
from logwarden.events.years import YearMonth
from logwarden.store.duck import FileRow, Store
from logwarden.store.identity import Identity, identify
from logwarden.store.parquet import ParquetSink

#: Kinds of file rewritten in place rather than appended to.
REWRITTEN = ("utmp", "lastlog")


@dataclass
class Outcome:
    """What one ingest did."""

    files: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)


def read(ctx: HostContext, found: Found, start: Position, file_id: int,
         siblings: text.Siblings) -> Iterator[Batch]:  # fmt: skip
    """The batches of ``found`` from ``start`` on, by its family's reader."""
    if found.family == "utmp":
        return connect.read_utmp(ctx, found, start, file_id)
    if found.family == "lastlog":
        return connect.read_lastlog(ctx, found, start, file_id)
    if found.family == "pacct":
        return acct.read_pacct(ctx, found, start, file_id)
    return text.read_text(ctx, found, start, file_id, siblings)


def _matches(row: FileRow, ident: Identity, kind: str) -> bool:
    """Whether ``row``'s first block is the first block of ``ident``'s content."""
    if row.source_kind != kind or row.head_len > len(ident.head):
        return False
    return row.head_hash == ident.head_hash(row.head_len)


def match(ident: Identity, kind: str, known: list[FileRow], size: int) -> FileRow | None:
    """The known file whose content ``ident`` (of ``size`` bytes of content) continues."""
    same_inode = [r for r in known if r.dev == ident.dev and r.inode == ident.inode
                  and r.source_kind == kind]  # fmt: skip
    if kind in REWRITTEN:
        return same_inode[-1] if same_inode else None
    # Content shorter than what was read of it is new content (truncated, then written).
    known = [r for r in known if r.position.offset <= size]
    for row in reversed(same_inode):
        if row.position.offset <= size and _matches(row, ident, kind):
            return row
    by_head = [r for r in known if r.head_len > 0 and _matches(r, ident, kind)]
    if not by_head:
        return None
    return max(by_head, key=lambda r: (r.position.offset, r.file_id))


@dataclass
class _Planned:
    found: Found
    ident: Identity
    row: FileRow
    new: bool


class Ingest:
    """One run over one host root."""

    def __init__(self, ctx: HostContext, store: Store, run: int,
                 parquet: ParquetSink | None = None, to_table: bool = True,
                 advance: Callable[[int], None] = lambda _n: None) -> None:  # fmt: skip
        self.ctx = ctx
        self.store = store
        self.run = run
        self.parquet = parquet
        self.to_table = to_table
        self.advance = advance
        self.known = store.files(ctx.host)
        self.next_id = store.new_file_id()
        self.outcome = Outcome()

    def _plan(self, found: Found) -> _Planned | None:
        try:
            ident = identify(found.path)
        except (OSError, EOFError) as e:
            self.ctx.problem(found.path, None, f"cannot read: {getattr(e, 'strerror', None) or e}")
            return None
        row = match(ident, found.source_kind, self.known, _content_size(found, ident))
        if row is not None:
            return _Planned(found, ident, row, new=False)
        row = FileRow(self.next_id, self.ctx.host, self.ctx.shown(found.path), found.source_kind,
                      ident.dev, ident.inode, ident.size, len(ident.head), ident.head_hash(),
                      Position())  # fmt: skip
        self.next_id += 1
        self.known.append(row)
        return _Planned(found, ident, row, new=True)

    def run_all(self) -> Outcome:
        found = discover(self.ctx.root)
        sets: dict[tuple[str, str], list[Found]] = {}
        for item in found:
            sets.setdefault((item.source_kind, item.group or item.path), []).append(item)
        for members in sets.values():
            self._run_set(members)
        self.outcome.problems = list(self.ctx.problems)
        return self.outcome

    def _run_set(self, members: list[Found]) -> None:
        """A rotation set, newest first."""
        planned = [self._plan(m) for m in members]
        newer_first: YearMonth | None = None
        for i, plan in enumerate(planned):
            if plan is None:
                newer_first = None
                continue
            older = planned[i + 1] if i + 1 < len(planned) else None
            older_end = None
            if older is not None and not older.new:
                last = older.row.position.carry.get("last")
                if last:
                    older_end = YearMonth(int(last[0]), int(last[1]))
            self._read_file(plan, text.Siblings(older_end, newer_first))
            first = plan.row.position.carry.get("first")
            newer_first = YearMonth(int(first[0]), int(first[1])) if first else None

    def _read_file(self, plan: _Planned, siblings: text.Siblings) -> None:
        row, ident, found = plan.row, plan.ident, plan.found
        start = row.position
        # The file's identity now (a rotated file continues its state under its new name).
        row.path, row.dev, row.inode, row.size = (
            self.ctx.shown(found.path),
            ident.dev,
            ident.inode,
            ident.size,
        )
        if len(ident.head) >= row.head_len:
            row.head_len, row.head_hash = len(ident.head), ident.head_hash()
        new = plan.new
        self.outcome.files += 1
        done = start.offset
        try:
            for batch in read(self.ctx, found, start, row.file_id, siblings):
                row.position = batch.end
                self._commit(batch.events, row, new)
                new = False
                self.advance(max(batch.end.offset - done, 0))
                done = batch.end.offset
        except (OSError, EOFError) as e:
            # A compressed file cut short, a file that went away mid-read: what was read
            # is kept, the rest is a problem.
            self.ctx.problem(
                found.path, done, f"cannot read on: {getattr(e, 'strerror', None) or e}"
            )
        if new:
            self._commit(pl.DataFrame(), row, new)

    def _commit(self, events: pl.DataFrame, row: FileRow, new: bool) -> None:
        parts = None
        if self.parquet is not None and events.height:
            parts = self.parquet.write(events)
        self.store.commit(events if self.to_table else pl.DataFrame(), row, new=new,
                          run=self.run, parquet_parts=parts)  # fmt: skip
        self.outcome.events += events.height


def _content_size(found: Found, ident: Identity) -> int:
    """Bytes of content; a compressed file's is not known without reading it all, and is
    taken to be as long as any offset (its reader finds the end)."""
    with open(found.path, "rb") as f:
        if f.read(6).startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")):
            return 1 << 62
    return ident.size


def total_bytes(root: str) -> int:
    """Bytes on disk of every log under ``root`` (for the progress bar)."""
    total = 0
    for item in discover(root):
        try:
            total += os.path.getsize(item.path)
        except OSError:
            continue
    return total
