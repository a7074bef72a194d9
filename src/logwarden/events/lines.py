"""Text logs read from a byte offset on, in chunks of whole lines, each line with its offset.

Ingest reads only what was appended since last time: a plain file from the offset where the
previous ingest stopped (``pread``, no copy of what came before), a compressed one
(logrotate's ``.gz``, ``.bz2``, ``.xz``) by decompressing and skipping to that offset: offsets
count bytes of the decompressed content, so they point into what a reader sees.

The last line of a live file may still be being written: without its newline it is left for
the next ingest (``partial=False``). A rotated file is finished; its last line is read even
without one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.sources import logset

#: Bytes per chunk (whole lines): what columnar parsing needs, and what bounds memory.
CHUNK = 16 << 20
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


@dataclass(frozen=True)
class LineChunk:
    """Whole lines of one file: their bytes, where the first starts, its line number."""

    data: bytes
    offset: int
    first_line: int

    def line_starts(self) -> npt.NDArray[np.int64]:
        """Offset (in ``data``) of every line; the last line may lack its newline."""
        raw = np.frombuffer(self.data, dtype=np.uint8)
        starts = np.concatenate(([0], np.flatnonzero(raw == 10) + 1)).astype(np.int64)
        if starts[-1] == len(self.data):
            starts = starts[:-1]
        return starts


def compressed(path: str) -> bool:
    """Whether ``path`` starts like a gzip, bzip2 or xz stream."""
    with open(path, "rb") as f:
        return f.read(6).startswith(_COMPRESSED)


def chunks(
    path: str, offset: int = 0, line: int = 1, *, partial: bool = False, size: int = CHUNK
) -> Iterator[LineChunk]:
    """Chunks of whole lines of ``path`` from byte ``offset`` (the start of line ``line``).
    With ``partial``, a last line without its newline is included."""
    if compressed(path):
        yield from _stream_chunks(path, offset, line, size)
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        at = offset
        for data in logset.pread_chunks(fd, size):
            if not data.endswith(b"\n") and not partial:
                cut = data.rfind(b"\n") + 1
                data = data[:cut]
                if not data:
                    return
            yield LineChunk(data, at, line)
            at += len(data)
            line += data.count(b"\n")
    finally:
        os.close(fd)


def _stream_chunks(path: str, offset: int, line: int, size: int) -> Iterator[LineChunk]:
    """A compressed file: decompressed in order, what lies before ``offset`` skipped."""
    at = 0
    for chunk in logset.chunks([path], size):
        data = chunk.data
        end = at + len(data)
        if end <= offset:
            at = end
            continue
        if at < offset:
            data = data[offset - at :]
            at = offset
        yield LineChunk(data, at, line)
        line += data.count(b"\n")
        at = end
