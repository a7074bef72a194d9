"""lastlog records: every Linux layout, either byte order, sparse files, read by uid in one call.

``/var/log/lastlog`` holds one ``struct lastlog`` per uid, at offset ``uid * record size``; a
uid that never logged in has an all-zero record or none at all (the file is sparse, and ends
after the highest uid that ever logged in). The record's size follows the writer's utmp
flavour (see :mod:`logwarden.formats.utmp`):

=======  =====  ==========================================================================
layout   bytes  written by
=======  =====  ==========================================================================
292      292    glibc where utmp time is 32-bit: x86_64, i386, arm, mips, ppc, riscv...
                (``int32_t ll_time``, ``char ll_line[32]``, ``char ll_host[256]``)
296      296    glibc with 64-bit time in utmp: aarch64, s390x, alpha, loongarch
                (``int64_t ll_time`` first, then the same two strings)
=======  =====  ==========================================================================

Each comes little- or big-endian. :func:`detect` scores every candidate on the records that
hold data, like :func:`logwarden.formats.utmp.detect`. The codec is pure: bytes in, arrays
out, and :func:`encode` for the writers (``lastlog -C``/``-S``); it never opens a file.

The 292-byte time is read as a signed 32-bit number, as glibc up to 2.39 declares it and as
shadow's ``lastlog`` on such a system prints it (glibc 2.40 made it unsigned; the two agree
until 2038).

References: glibc ``bits/utmp.h`` (``struct lastlog``); shadow ``src/lastlog.c``;
../shared/spec/unix-tools.md sections 1.3 and 2.1.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from logwarden.formats.layout import Layout as Layout

LINE_SIZE = 32
HOST_SIZE = 256

# Seconds since the epoch that a login can plausibly have stamped: 1980-01-01 up to the end
# of unsigned 32-bit time (the same window as utmp's).
_PLAUSIBLE_SEC = (315_532_800, 2**32 - 1)
# Where nearly every real login falls (2000 to 2040). Only the time tells the byte orders of
# the 292-byte layout apart, and a byte-swapped time is plausible 93% of the time but falls
# in this window only 29% of the time: the share inside it breaks ties.
_LIKELY_SEC = (946_684_800, 2_208_988_800)


def _dtype(order: str, *, size: int) -> np.dtype[np.void]:
    time_format = f"{order}i4" if size == 292 else f"{order}i8"
    time_size = 4 if size == 292 else 8
    return np.dtype(
        {
            "names": ["time", "line", "host"],
            "formats": [time_format, f"S{LINE_SIZE}", f"S{HOST_SIZE}"],
            "offsets": [0, time_size, time_size + LINE_SIZE],
            "itemsize": size,
        }
    )


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("292le", "32-bit time, little-endian (x86_64, i386, arm)", _dtype("<", size=292)),
        Layout("296le", "64-bit time, little-endian (aarch64)", _dtype("<", size=296)),
        Layout("292be", "32-bit time, big-endian (ppc, mips, sparc)", _dtype(">", size=292)),
        Layout("296be", "64-bit time, big-endian (s390x)", _dtype(">", size=296)),
    )
}  # fmt: skip

#: This machine's own layout, the one shadow's ``lastlog`` here reads and writes.
NATIVE = "292le" if sys.byteorder == "little" else "292be"

#: The record sizes there are; detection looks for data once per size.
SIZES = (292, 296)


class Entry(NamedTuple):
    """One uid's record as Python values; strings cut at the first NUL, as C reads them."""

    uid: int
    offset: int
    time: int
    line: bytes
    host: bytes


def _cstrings(matrix: npt.NDArray[np.uint8]) -> list[bytes]:
    """Each row of a byte matrix up to its first NUL."""
    return [row.partition(b"\0")[0] for row in map(bytes, matrix)]


class Records:
    """The records of some uids of one file under one layout, as numpy columns."""

    def __init__(
        self, raw: npt.NDArray[np.void], layout: Layout, uids: npt.NDArray[np.int64]
    ) -> None:
        self.raw = raw
        self.layout = layout
        self.uids = uids

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def time(self) -> npt.NDArray[np.int64]:
        """``ll_time`` of each record, 0 for a uid that never logged in."""
        return self.raw["time"].astype("=i8")

    @property
    def offsets(self) -> npt.NDArray[np.int64]:
        """Where each uid's record is (or would be) in the file."""
        return self.uids * self.layout.size

    def _field(self, name: str) -> npt.NDArray[np.uint8]:
        field_type, start = self.raw.dtype.fields[name][:2]  # type: ignore[index]
        base = self.raw.view(np.uint8).reshape(len(self.raw), self.layout.size)
        return base[:, start : start + field_type.itemsize]

    def lines(self) -> list[bytes]:
        """``ll_line`` of each record as C sees it."""
        return _cstrings(self._field("line"))

    def hosts(self) -> list[bytes]:
        """``ll_host`` of each record as C sees it."""
        return _cstrings(self._field("host"))

    def entries(self) -> list[Entry]:
        """Every record as Python values, in the order of the uids asked for."""
        return [
            Entry(*row)
            for row in zip(
                self.uids.tolist(),
                self.offsets.tolist(),
                self.time.tolist(),
                self.lines(),
                self.hosts(),
                strict=True,
            )
        ]


def whole_records(size: int, layout: Layout) -> int:
    """How many whole records a file of ``size`` bytes holds."""
    return size // layout.size


def at_uids(
    buffer: bytes | memoryview | np.ndarray, layout: Layout, uids: Sequence[int] | np.ndarray
) -> Records:
    """The records of ``uids`` (in that order, repeats allowed), gathered in one call.

    A uid whose record is not wholly inside ``buffer`` reads as all zero bytes (never logged
    in), as shadow's ``lastlog`` reads it: beyond the end, or cut short by the end.
    """
    wanted = np.asarray(uids, dtype=np.int64).reshape(-1)
    count = whole_records(len(buffer), layout)
    table = np.frombuffer(buffer, dtype=layout.dtype, count=count)
    inside = (wanted >= 0) & (wanted < count)
    raw = np.zeros(len(wanted), dtype=layout.dtype)
    if inside.any():
        raw[inside] = table[wanted[inside]]
    return Records(raw, layout, wanted)


def all_records(buffer: bytes | memoryview | np.ndarray, layout: Layout) -> Records:
    """Every whole record of ``buffer``, uid 0 upwards (for files that are not sparse)."""
    count = whole_records(len(buffer), layout)
    raw = np.frombuffer(buffer, dtype=layout.dtype, count=count)
    return Records(raw, layout, np.arange(count, dtype=np.int64))


_SAMPLE = 4096
_CHUNK = 65536


def nonzero_uids(
    buffer: bytes | memoryview | np.ndarray,
    size: int,
    extents: Sequence[tuple[int, int]] | None = None,
    limit: int = _SAMPLE,
) -> npt.NDArray[np.int64]:
    """Indexes of records of ``size`` bytes that hold any non-zero byte, at most ``limit``.

    ``extents`` are the byte ranges that hold data (from ``SEEK_DATA``/``SEEK_HOLE``); the
    holes of a sparse file read as zeros and need not be looked at. None means all of it.
    """
    count = len(buffer) // size
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    matrix = np.frombuffer(buffer, dtype=np.uint8, count=count * size).reshape(count, size)
    found: list[npt.NDArray[np.int64]] = []
    total = 0
    for start, end in extents if extents is not None else [(0, count * size)]:
        first = start // size
        stop = min(count, -(-end // size))
        for chunk in range(first, stop, _CHUNK):
            rows = matrix[chunk : min(stop, chunk + _CHUNK)]
            hits = np.flatnonzero(rows.any(axis=1)).astype(np.int64) + chunk
            found.append(hits[: limit - total])
            total += min(len(hits), limit - total)
            if total >= limit:
                return np.concatenate(found)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _padded_text(matrix: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Rows that are a C string padded with NULs: no non-NUL byte after the first NUL."""
    after_nul = np.logical_or.accumulate(matrix == 0, axis=1)
    return ~(after_nul & (matrix != 0)).any(axis=1)  # type: ignore[no-any-return]


def plausible(records: Records) -> npt.NDArray[np.bool_]:
    """Records that a login program can have written: a sane time and NUL-padded strings.

    Control bytes in the strings are allowed (an intruder may put them there); what a wrong
    layout produces is text after the padding and absurd times.
    """
    t = records.time
    ok = (t == 0) | ((t >= _PLAUSIBLE_SEC[0]) & (t <= _PLAUSIBLE_SEC[1]))
    ok &= _padded_text(records._field("line"))
    ok &= _padded_text(records._field("host"))
    return np.asarray(ok, dtype=np.bool_)


@dataclass(frozen=True)
class Score:
    """How well a layout explains a buffer: the share of sampled records that look sound."""

    layout: Layout
    plausible: float
    sampled: int
    trailing: int
    likely: float = 0.0
    """The share of sampled records stamped between 2000 and 2040."""

    @property
    def fits(self) -> bool:
        return self.sampled == 0 or self.plausible >= 0.5


def score(
    buffer: bytes | memoryview | np.ndarray, layout: Layout, rows: npt.NDArray[np.int64]
) -> Score:
    """Score ``layout`` on the records ``rows`` (indexes in its own grid) of ``buffer``."""
    trailing = len(buffer) % layout.size
    if len(rows) == 0:
        return Score(layout, 0.0, 0, trailing)
    sample = at_uids(buffer, layout, rows)
    share = float(np.count_nonzero(plausible(sample))) / len(rows)
    t = sample.time
    likely = float(np.count_nonzero((t >= _LIKELY_SEC[0]) & (t < _LIKELY_SEC[1]))) / len(rows)
    return Score(layout, share, len(rows), trailing, likely)


def detect(
    buffer: bytes | memoryview | np.ndarray,
    extents: Sequence[tuple[int, int]] | None = None,
) -> list[Score]:
    """Every layout scored on the records of ``buffer`` that hold data, best first.

    Equal shares of plausible records go to the layout with more records stamped between
    2000 and 2040, then (an empty or all-zero file) to this machine's own layout, then to the
    order of :data:`LAYOUTS`. A layout that leaves bytes over scores below one that does not, since
    lastlog writers write whole records.
    """
    order = [NATIVE] + [name for name in LAYOUTS if name != NATIVE]
    rows = {size: nonzero_uids(buffer, size, extents) for size in SIZES}
    scores = [score(buffer, LAYOUTS[name], rows[LAYOUTS[name].size]) for name in order]

    def key(s: Score) -> tuple[float, float, int]:
        whole = 1.0 if s.trailing == 0 else 0.9
        return (-(s.plausible * whole), -s.likely, order.index(s.layout.name))

    return sorted(scores, key=key)


def wrap_time(t: int, layout: Layout) -> int:
    """``t`` as the record's time field stores it (C's conversion to a signed integer)."""
    half = 1 << (31 if layout.size == 292 else 63)
    return (t + half) % (2 * half) - half


def encode(layout: Layout, time: int, line: bytes = b"", host: bytes = b"") -> bytes:
    """One record's bytes: ``time`` (wrapped as C stores it), ``line`` and ``host``
    (cut to their fields' sizes, NUL-padded). ``encode(layout, 0)`` is a cleared record."""
    record = np.zeros(1, dtype=layout.dtype)
    record["time"] = wrap_time(time, layout)
    record["line"] = line[:LINE_SIZE]
    record["host"] = host[:HOST_SIZE]
    return record.tobytes()
