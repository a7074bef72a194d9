"""multilog's main loop: read a block, cut it into lines, write each directory's share.

One block at a time (64 KiB from a file; whatever the pipe holds from a pipe):

1. the block's lines get the timestamp of the moment the block was read (``t``);
2. the script's actions pick the directories of each line, ``e`` and ``=file`` act;
3. each directory gets its bytes in one write, unless its ``current`` fills up within the
   block: then the reference's buffering is replayed (``replay``) to find exactly where it
   would have finished the file, and the bytes are written around those points;
4. input is consumed from the pipe up to the last byte that is now in a file, and before any
   rotation, so that a crash in a rotation never leaves input both written and unconsumed.

Signals are acted on between blocks, as daemontools does: SIGALRM finishes every non-empty
``current``; SIGTERM ends multilog at the next line boundary (reading the rest of the line in
progress first, and nothing after it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from logwarden.formats.tai64 import label_for_unix_ns
from logwarden.multilog.djb import Complaints, Fatal, retry
from logwarden.multilog.inflight import digest
from logwarden.multilog.lines import START, Carry, Piece, Selector, parse_plain
from logwarden.multilog.logdir import CONSUME_STEP, DRILL_VARIABLE, Drill, LogDir
from logwarden.multilog.rotation import Block, Cut, find_cuts, stream_offset
from logwarden.multilog.script import Script
from logwarden.multilog.source import PipeSource, PlainSource, Signals, open_source
from logwarden.multilog.tai64n import write_all
from logwarden.output.terminal import escape_text

_APPEND = os.O_WRONLY | os.O_NONBLOCK | os.O_APPEND | os.O_CREAT


class Multilog:
    """A running multilog: its script, its directories, its input."""

    def __init__(self, script: Script, complaints: Complaints, stdin: int = 0) -> None:
        self.script = script
        self.complaints = complaints
        self.stdin = stdin
        self.select = Selector(script)
        self.bulk = None
        if not self.select.plain:
            # numpy costs 50 ms to import: only scripts with patterns, e or =file pay it.
            from logwarden.multilog.bulk import BulkSelector

            self.bulk = BulkSelector(script, self.select)
        self.ndirs = len(script.dirs)
        self.dirs: list[LogDir] = []
        self.status_fds: list[int] = []
        self.carry = Carry()
        self.drill = Drill(complaints, os.environ.get(DRILL_VARIABLE))
        # The ``e`` action's copies of log lines: shown, not obeyed, on a terminal.
        self.alert_clean = escape_text if os.isatty(2) else None

    def run(self) -> int:
        """Run until the end of input (or SIGTERM); the exit status."""
        os.umask(0o022)
        signals = Signals()
        self._open_status_files()
        source = open_source(self.stdin, signals)
        head = source.head if isinstance(source, PipeSource) else None
        for spec in self.script.dirs:
            directory = LogDir(spec, self.complaints, self.drill)
            directory.open(head)
            self.dirs.append(directory)
        self._loop(source, signals)
        for directory in self.dirs:
            directory.close()
        return 0

    def _open_status_files(self) -> None:
        for name in self.script.status_files:
            try:
                os.close(os.open(name, _APPEND, 0o600))
            except OSError as e:
                raise self.complaints.fatal(f"unable to create {name}: ", e) from None
            try:
                self.status_fds.append(os.open(name, os.O_WRONLY | os.O_NONBLOCK))
            except OSError as e:
                raise self.complaints.fatal(f"unable to write {name}: ", e) from None

    def _loop(self, source: PlainSource | PipeSource, signals: Signals) -> None:
        base = source.offset
        while True:
            if signals.alarm:
                signals.alarm = False
                for directory in self.dirs:
                    if directory.filled > 0:
                        directory.rotate()
            ending = signals.term
            if ending and self.carry.mode == START:
                source.consume(base)
                return
            one_byte = ending and not source.peeking
            chunk = source.fetch(1 if one_byte else None)
            if chunk.interrupted:
                continue
            block = chunk.data
            if ending and source.peeking:
                newline = block.find(b"\n")
                if newline >= 0:
                    source.give_back(len(block) - newline - 1)
                    block = block[: newline + 1]
            stamp = label_for_unix_ns(time.time_ns()) + b" " if self.script.timestamp else b""
            self._block(source, block, base, stamp, chunk.eof)
            base += len(block)
            if chunk.eof:
                source.consume(base)
                return

    def _block(
        self, source: PlainSource | PipeSource, block: bytes, base: int, stamp: bytes, eof: bool
    ) -> None:
        carry = self.carry
        if self.select.plain:
            parsed = parse_plain(self.select.everything, self.ndirs, block, base, carry, stamp, eof)
        else:
            from logwarden.multilog.bulk import parse_bulk

            assert self.bulk is not None
            parsed = parse_bulk(self.bulk, block, base, carry, stamp, eof)
        self.carry = parsed.carry
        if parsed.stderr:
            clean = self.alert_clean
            # stderr is not the log: a failure to write there must not stop logging.
            write_all(2, parsed.stderr if clean is None else clean(parsed.stderr))
        for index, record in parsed.status.items():
            self._status(index, record)
        found, pieces = find_cuts(
            self.dirs, Block(self.select, self.ndirs, block, base, carry, stamp, eof, parsed)
        )
        writer = _Writer(self.dirs, parsed.streams, source, self.drill)
        for cut in found:
            writer.write_until(cut, pieces)
            writer.commit(cut.position)
            self.dirs[cut.index].rotate()
        writer.finish()
        writer.commit(parsed.commit)

    def _status(self, index: int, record: bytes) -> None:
        """Overwrite ``=file`` number ``index`` with ``record`` (retrying, as multilog does)."""
        fd = self.status_fds[index]
        name = self.script.status_files[index]
        retry(self.complaints, f"unable to write {name}, pausing: ", lambda: _pwrite(fd, record))


class _Writer:
    """Writes each directory's stream in order, recording which input is now on disk."""

    def __init__(
        self,
        dirs: Sequence[LogDir],
        streams: Sequence[bytes],
        source: PlainSource | PipeSource,
        drill: Drill,
    ) -> None:
        self.dirs = dirs
        self.streams = streams
        self.source = source
        self.drill = drill
        self.done = [0] * len(dirs)
        self.identity: tuple[int, str] | None = None

    def _unconsumed(self) -> tuple[int, str] | None:
        if not self.source.peeking:
            return None
        if self.identity is None:
            pending = self.source.unconsumed()
            self.identity = (len(pending), digest(pending))
        return self.identity

    def _append(self, index: int, end: int) -> None:
        start = self.done[index]
        if end > start:
            self.dirs[index].append(self.streams[index][start:end], self._unconsumed())
            self.done[index] = end

    def write_until(self, cut: Cut, pieces: list[Piece]) -> None:
        """Write every directory's bytes up to the cut (for the others: from input before it)."""
        for index in range(len(self.dirs)):
            end = cut.at if index == cut.index else stream_offset(pieces, index, cut.position)
            self._append(index, max(end, self.done[index]))

    def finish(self) -> None:
        """Write whatever is left of every stream."""
        for index, stream in enumerate(self.streams):
            self._append(index, len(stream))

    def commit(self, position: int) -> None:
        """Input before absolute offset ``position`` is written: take it from the pipe."""
        if self.source.peeking and position > self.source.consumed:  # type: ignore[union-attr]
            if self.identity is not None:
                self.drill.before(CONSUME_STEP, ", ".join(d.path for d in self.dirs))
            self.source.consume(position)
        for directory in self.dirs:
            directory.consumed()
        self.identity = None


def _pwrite(fd: int, data: bytes) -> None:
    done = 0
    while done < len(data):
        done += os.pwrite(fd, data[done:], done)


__all__ = ["Fatal", "Multilog"]
