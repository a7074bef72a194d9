"""utmp, wtmp and btmp records: every Linux layout, either byte order, decoded in one call.

The three files share one record type (``struct utmp``/``utmpx``); only its size and byte
order vary with the machine that wrote it:

========  =====  ==========================================================================
layout    bytes  written by
========  =====  ==========================================================================
384       384    glibc where time was 32-bit in utmp: x86_64, i386, arm, mips, ppc, riscv...
400       400    glibc with 64-bit ``long ut_session`` and ``struct timeval``: aarch64,
                 s390x, alpha, loongarch; and musl >= 1.2 on every 64-bit machine
382       382    glibc on m68k, whose 2-byte alignment drops the padding after ``ut_type``
========  =====  ==========================================================================

Each comes little- or big-endian (the writer's native order). A file does not say which it is,
so :func:`detect` scores every candidate on a sample of records and picks the one whose
records look like utmp records. The codec is pure: bytes in, arrays out; it never opens a
file, prints or reads the clock.

References: glibc ``bits/utmp.h`` and ``sysdeps/*/utmp-size.h``; musl ``include/utmpx.h``;
../shared/spec/unix-tools.md section 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from logwarden.formats.layout import Layout as Layout

# ut_type values (glibc/Linux).
EMPTY = 0
RUN_LVL = 1
BOOT_TIME = 2
NEW_TIME = 3
OLD_TIME = 4
INIT_PROCESS = 5
LOGIN_PROCESS = 6
USER_PROCESS = 7
DEAD_PROCESS = 8
ACCOUNTING = 9

TYPE_NAMES = {
    EMPTY: "EMPTY",
    RUN_LVL: "RUN_LVL",
    BOOT_TIME: "BOOT_TIME",
    NEW_TIME: "NEW_TIME",
    OLD_TIME: "OLD_TIME",
    INIT_PROCESS: "INIT_PROCESS",
    LOGIN_PROCESS: "LOGIN_PROCESS",
    USER_PROCESS: "USER_PROCESS",
    DEAD_PROCESS: "DEAD_PROCESS",
    ACCOUNTING: "ACCOUNTING",
}

LINE_SIZE = 32
ID_SIZE = 4
USER_SIZE = 32
HOST_SIZE = 256

# Seconds since the epoch that a utmp writer can plausibly have stamped: 1980-01-01 up to the
# end of unsigned 32-bit time (2106), which glibc >= 2.40 writes.
_PLAUSIBLE_SEC = (315_532_800, 2**32 - 1)


def _dtype(order: str, *, size: int) -> np.dtype[np.void]:
    o = order
    if size == 384:
        names = ["type", "pad", "pid", "line", "id", "user", "host", "term", "exit", "session",
                 "sec", "usec", "addr"]  # fmt: skip
        formats = [f"{o}i2", f"{o}u2", f"{o}i4", "S32", "S4", "S32", "S256", f"{o}i2",
                   f"{o}i2", f"{o}i4", f"{o}u4", f"{o}i4", "V16"]  # fmt: skip
        offsets = [0, 2, 4, 8, 40, 44, 76, 332, 334, 336, 340, 344, 348]
    elif size == 400:
        names = ["type", "pad", "pid", "line", "id", "user", "host", "term", "exit", "session",
                 "sec", "usec", "addr"]  # fmt: skip
        formats = [f"{o}i2", f"{o}u2", f"{o}i4", "S32", "S4", "S32", "S256", f"{o}i2",
                   f"{o}i2", f"{o}i8", f"{o}i8", f"{o}i8", "V16"]  # fmt: skip
        offsets = [0, 2, 4, 8, 40, 44, 76, 332, 334, 336, 344, 352, 360]
    elif size == 382:
        names = ["type", "pid", "line", "id", "user", "host", "term", "exit", "session", "sec",
                 "usec", "addr"]  # fmt: skip
        formats = [f"{o}i2", f"{o}i4", "S32", "S4", "S32", "S256", f"{o}i2", f"{o}i2",
                   f"{o}i4", f"{o}u4", f"{o}i4", "V16"]  # fmt: skip
        offsets = [0, 2, 6, 38, 42, 74, 330, 332, 334, 338, 342, 346]
    else:  # pragma: no cover - the table below is the only caller
        raise ValueError(size)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": size})


_LAYOUT_TABLE = (
    ("384le", "<", 384, "384-byte glibc, little-endian (x86_64, i386, arm, riscv)"),
    ("400le", "<", 400, "400-byte 64-bit time, little-endian (aarch64, musl)"),
    ("384be", ">", 384, "384-byte glibc, big-endian (ppc, mips, sparc)"),
    ("400be", ">", 400, "400-byte 64-bit time, big-endian (s390x)"),
    ("382be", ">", 382, "382-byte glibc, big-endian (m68k)"),
)

LAYOUTS: dict[str, Layout] = {
    name: Layout(name, description, _dtype(order, size=size))
    for name, order, size, description in _LAYOUT_TABLE
}

#: This machine's own layout: what a file of unknown origin is first assumed to be.
NATIVE = "384le" if sys.byteorder == "little" else "384be"


class Entry(NamedTuple):
    """One record as Python values; strings are bytes cut at the first NUL, as C reads them."""

    offset: int
    type: int
    pid: int
    line: bytes
    id: bytes
    user: bytes
    host: bytes
    term: int
    exit: int
    session: int
    sec: int
    usec: int
    addr: bytes


def cstr(value: bytes) -> bytes:
    """``value`` up to its first NUL: what C's string functions see of a fixed-size field."""
    return value.partition(b"\0")[0]


class Records:
    """The records of one file (or buffer) under one layout, as numpy columns.

    Columns come back in native byte order and are computed once. Strings are numpy ``S``
    arrays (numpy drops trailing NULs); :meth:`cstrings` gives C semantics, bytes after an
    inner NUL removed, for the fields a report prints.
    """

    def __init__(
        self,
        raw: npt.NDArray[np.void],
        layout: Layout,
        offsets: npt.NDArray[np.int64] | None = None,
    ) -> None:
        self.raw = raw
        self.layout = layout
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self.raw)

    def _native(self, name: str, kind: str) -> npt.NDArray[np.generic]:
        col = self.raw[name]
        return col.astype(kind, copy=False)

    @cached_property
    def type(self) -> npt.NDArray[np.int16]:
        return self._native("type", "=i2")  # type: ignore[return-value]

    @cached_property
    def pid(self) -> npt.NDArray[np.int32]:
        return self._native("pid", "=i4")  # type: ignore[return-value]

    @cached_property
    def sec(self) -> npt.NDArray[np.int64]:
        return self._native("sec", "=i8")  # type: ignore[return-value]

    @cached_property
    def usec(self) -> npt.NDArray[np.int64]:
        return self._native("usec", "=i8")  # type: ignore[return-value]

    @cached_property
    def term(self) -> npt.NDArray[np.int16]:
        return self._native("term", "=i2")  # type: ignore[return-value]

    @cached_property
    def exit(self) -> npt.NDArray[np.int16]:
        return self._native("exit", "=i2")  # type: ignore[return-value]

    @cached_property
    def session(self) -> npt.NDArray[np.int64]:
        return self._native("session", "=i8")  # type: ignore[return-value]

    @property
    def line(self) -> npt.NDArray[np.bytes_]:
        return self.raw["line"]

    @property
    def user(self) -> npt.NDArray[np.bytes_]:
        return self.raw["user"]

    @property
    def host(self) -> npt.NDArray[np.bytes_]:
        return self.raw["host"]

    @property
    def id(self) -> npt.NDArray[np.bytes_]:
        return self.raw["id"]

    @cached_property
    def addr(self) -> npt.NDArray[np.uint8]:
        """``ut_addr_v6`` as 16 bytes per record, in network byte order."""
        return self.field_bytes("addr")

    @cached_property
    def offsets(self) -> npt.NDArray[np.int64]:
        """Each record's byte offset in its file."""
        if self._offsets is not None:
            return self._offsets
        return np.arange(len(self.raw), dtype=np.int64) * self.layout.size

    def field_bytes(self, name: str) -> npt.NDArray[np.uint8]:
        """A string field as an (n, width) matrix of bytes, without copying."""
        field_type, start = self.raw.dtype.fields[name][:2]  # type: ignore[index]
        base = self.raw.view(np.uint8).reshape(len(self.raw), self.layout.size)
        return base[:, start : start + field_type.itemsize]

    def cstrings(
        self, name: str, rows: npt.NDArray[np.intp] | None = None, width: int | None = None
    ) -> npt.NDArray[np.bytes_]:
        """A string field with C semantics (cut at the first NUL), optionally for some rows
        only and only its first ``width`` bytes: what ``%-16.16s`` would print of it."""
        matrix = self.field_bytes(name)
        if width is not None:
            matrix = matrix[:, :width]
        if rows is not None:
            matrix = matrix[rows]
        # Every byte after the first NUL becomes NUL, so numpy's trailing-NUL stripping gives
        # exactly the C string.
        after_nul = np.logical_or.accumulate(matrix == 0, axis=1)
        if after_nul.any():
            matrix = np.where(after_nul, np.uint8(0), matrix)
        matrix = np.ascontiguousarray(matrix)
        return matrix.view(f"S{matrix.shape[1]}").reshape(matrix.shape[0])

    def entry(self, index: int) -> Entry:
        """Record ``index`` as Python values."""
        r = self.raw[index]
        return Entry(
            offset=int(self.offsets[index]),
            type=int(r["type"]),
            pid=int(r["pid"]),
            line=cstr(bytes(r["line"])),
            id=cstr(bytes(r["id"])),
            user=cstr(bytes(r["user"])),
            host=cstr(bytes(r["host"])),
            term=int(r["term"]),
            exit=int(r["exit"]),
            session=int(r["session"]),
            sec=int(r["sec"]),
            usec=int(r["usec"]),
            addr=bytes(r["addr"]),
        )

    def entries(self) -> list[Entry]:
        """Every record as Python values, in file order (for the small files: utmp, btmp)."""
        n = len(self.raw)
        cols = [
            self.offsets.tolist(),
            self.type.tolist(),
            self.pid.tolist(),
            [cstr(v) for v in self.line.tolist()],
            [cstr(v) for v in self.id.tolist()],
            [cstr(v) for v in self.user.tolist()],
            [cstr(v) for v in self.host.tolist()],
            self.term.tolist(),
            self.exit.tolist(),
            self.session.tolist(),
            self.sec.tolist(),
            self.usec.tolist(),
            [bytes(a) for a in self.addr] if n else [],
        ]
        return [Entry(*row) for row in zip(*cols, strict=True)]


@dataclass(frozen=True)
class Decoded:
    """What :func:`decode` makes of a buffer: the sound records and what was wrong."""

    records: Records
    damaged: int
    """Records skipped because no utmp writer can have written them (type outside 0..9)."""
    first_damaged_offset: int | None
    trailing: int
    """Bytes at the end that do not make a whole record."""

    @property
    def trailing_offset(self) -> int:
        return self.total_records * self.records.layout.size

    @property
    def total_records(self) -> int:
        return len(self.records) + self.damaged


def records_of(buffer: bytes | memoryview | np.ndarray, layout: Layout) -> Records:
    """Every whole record in ``buffer`` under ``layout``, nothing checked, nothing copied."""
    count = len(buffer) // layout.size
    raw = np.frombuffer(buffer, dtype=layout.dtype, count=count)
    return Records(raw, layout)


def decode(
    buffer: bytes | memoryview | np.ndarray, layout: Layout, *, skip_damaged: bool = True
) -> Decoded:
    """Decode ``buffer`` as ``layout``; records that cannot be utmp records are skipped
    (unless ``skip_damaged`` is False: a tool that reproduces what a C reader makes of any
    ``ut_type``, such as ``last``, wants every record)."""
    all_records = records_of(buffer, layout)
    trailing = len(buffer) - len(all_records) * layout.size
    if not skip_damaged:
        return Decoded(all_records, 0, None, trailing)
    types = all_records.type
    sound = (types >= EMPTY) & (types <= ACCOUNTING)
    damaged = int(len(sound) - np.count_nonzero(sound))
    if not damaged:
        return Decoded(all_records, 0, None, trailing)
    first = int(np.argmin(sound)) * layout.size
    kept = Records(all_records.raw[sound], layout, offsets=all_records.offsets[sound])
    return Decoded(kept, damaged, first, trailing)


@dataclass(frozen=True)
class Score:
    """How well a layout explains a buffer: the share of sampled records that look sound."""

    layout: Layout
    plausible: float
    """Share of the sampled informative records that look sound (1.0 when none is)."""
    sampled: int
    """How many informative records were sampled (empty slots are not informative)."""
    trailing: int
    records: int
    """How many whole records the layout finds in the buffer."""

    @property
    def fits(self) -> bool:
        return self.sampled == 0 or self.plausible >= 0.5

    @property
    def rank(self) -> float:
        """What detection sorts by: the plausible share, smoothed so that one lucky record
        out of one does not beat three out of four (Laplace's rule of succession), and
        lowered when the layout leaves bytes over, since writers append whole records. A
        layout that finds no whole record explains nothing and comes last."""
        if self.records == 0:
            return 0.0
        sound = round(self.plausible * self.sampled)
        smoothed = (sound + 1) / (self.sampled + 2)
        return smoothed * (1.0 if self.trailing == 0 else 0.8)


_SAMPLE = 4096


def _sample_rows(count: int) -> npt.NDArray[np.intp]:
    """Which records to score: the head and the tail, read contiguously (a few pages), and a
    few spread over the middle. Touching one record maps a whole page-cache folio around it
    (up to 512 KB here), so the spread records are few: a 400 MB file is scored by mapping
    about 30 MB of it."""
    if count <= _SAMPLE:
        return np.arange(count)
    head = np.arange(_SAMPLE // 2)
    tail = np.arange(count - _SAMPLE * 7 // 16, count)
    spread = np.linspace(_SAMPLE // 2, count - 1, _SAMPLE // 64).astype(np.intp)
    return np.unique(np.concatenate([head, spread, tail]))


def _plausible(records: Records) -> npt.NDArray[np.bool_]:
    t = records.type
    ok = (t >= EMPTY) & (t <= ACCOUNTING)
    if "pad" in records.raw.dtype.names:  # type: ignore[operator]
        ok &= records.raw["pad"] == 0
    usec = records.usec
    ok &= (usec >= 0) & (usec < 1_000_000)
    sec = records.sec
    ok &= (sec == 0) | ((sec >= _PLAUSIBLE_SEC[0]) & (sec <= _PLAUSIBLE_SEC[1]))
    pid = records.pid
    ok &= pid >= 0
    # A user process record names a user and a line.
    is_user = t == USER_PROCESS
    ok &= ~is_user | ((records.user != b"") & (records.line != b""))
    # The line is a tty name the system made up: no control bytes before its first NUL. (User
    # and host are not tested: in btmp the user is whatever an attacker typed, and a host name
    # comes from whoever controls the DNS; escape sequences there are evidence, not noise.)
    matrix = records.field_bytes("line")
    before_nul = ~np.logical_or.accumulate(matrix == 0, axis=1)
    ok &= ~((matrix < 0x20) & before_nul).any(axis=1)
    return ok


def plausible(records: Records) -> npt.NDArray[np.bool_]:
    """Which records a utmp writer can have made: the per-record test detection scores with."""
    return _plausible(records)


def score(buffer: bytes | memoryview | np.ndarray, layout: Layout) -> Score:
    """Score ``layout`` on a sample of the records of ``buffer``.

    Empty slots (type 0 and no time, which utmp files are full of) fit every layout and say
    nothing about which is right, so only the other records are scored; a buffer of nothing
    but empty slots fits every layout fully.
    """
    size = len(buffer)
    count = size // layout.size
    trailing = size - count * layout.size
    if count == 0:
        return Score(layout, 0.0, 0, trailing, 0)
    records = records_of(buffer, layout)
    rows = _sample_rows(count)
    sample = Records(records.raw[rows], layout)
    informative = (sample.type != EMPTY) | (sample.sec != 0)
    informative_count = int(np.count_nonzero(informative))
    if informative_count == 0:
        return Score(layout, 1.0, 0, trailing, count)
    plausible = np.count_nonzero(_plausible(sample) & informative) / informative_count
    return Score(layout, float(plausible), informative_count, trailing, count)


def detect(buffer: bytes | memoryview | np.ndarray) -> list[Score]:
    """Every known layout scored on ``buffer``, best first.

    Ties (an empty buffer, all-zero records) go to this machine's own layout, then to the
    order of :data:`LAYOUTS`. A layout that leaves bytes over scores below one that does not,
    since utmp writers append whole records.
    """
    order = [NATIVE] + [name for name in LAYOUTS if name != NATIVE]
    scores = [score(buffer, LAYOUTS[name]) for name in order]

    return sorted(scores, key=lambda s: (-s.rank, order.index(s.layout.name)))


SQLITE_MAGIC = b"SQLite format 3\x00"


def encode(entries: list[Entry], layout: Layout) -> bytes:
    """The bytes of ``entries`` written as ``layout`` (``offset`` is ignored).

    Fields are cut to their size; C would not NUL-terminate a full field either.
    """
    raw = np.zeros(len(entries), dtype=layout.dtype)
    for name in ("type", "pid", "line", "id", "user", "host", "term", "exit", "session",
                 "sec", "usec"):  # fmt: skip
        raw[name] = [getattr(e, name) for e in entries]
    raw["addr"] = [e.addr.ljust(16, b"\0")[:16] for e in entries]
    return raw.tobytes()
