"""A chunk of log lines as a text column, without a Python object per line.

The chunk's bytes become an Arrow string array in place (the line ends found by numpy give
the offsets), which polars takes without copying. Text must be valid UTF-8 in a polars
column: a chunk that is not (binary junk, Latin-1 names) is decoded with each bad byte
written ``\\xNN``, as every logwarden report shows such bytes, and the lines are found
again in that text. The byte offset of each line in the file always comes from the bytes
as they are on disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from logwarden.events.lines import LineChunk


@dataclass(frozen=True)
class LineColumns:
    """The lines of a chunk: text (no line end), file offset and line number of each."""

    text: pl.Series
    offsets: npt.NDArray[np.int64]
    numbers: npt.NDArray[np.int64]
    #: Whether some line held bytes that are not UTF-8 (shown as ``\\xNN`` in ``text``).
    escaped: bool


def _column(data: bytes, starts: npt.NDArray[np.int64]) -> pl.Series:
    bounds = np.append(starts, len(data)).astype(np.int64)
    array = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(bounds), pa.py_buffer(data))
    series = pl.Series(pl.from_arrow(array))
    # Each line keeps its newline (offsets must be contiguous); "\r\n" ends lose the "\r".
    return series.str.strip_suffix("\n").str.strip_suffix("\r")


def line_columns(chunk: LineChunk) -> LineColumns:
    """The chunk's lines as columns."""
    starts = chunk.line_starts()
    offsets = starts + chunk.offset
    numbers = np.arange(chunk.first_line, chunk.first_line + len(starts), dtype=np.int64)
    data = chunk.data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "backslashreplace").encode("utf-8")
        # A newline is never part of a bad sequence, so the lines are the same lines.
        fixed = LineChunk(text, chunk.offset, chunk.first_line).line_starts()
        return LineColumns(_column(text, fixed), offsets, numbers, True)
    return LineColumns(_column(data, starts), offsets, numbers, False)
