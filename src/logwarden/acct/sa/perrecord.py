"""``sa -u``: one line per record, ``%-8.8s %6.2f cpu %8.0fk mem %6.0f io %-16.16s%s``.

A million records make 61 MB of text, so the lines are made in chunks of a few thousand
records, each a byte matrix with one row per line, and no Python work per record:

* when every number of a chunk fits its printf width (the usual case), each field has a fixed
  place in a 61-byte row and is copied there from a table: names by uid, the CPU time by tick
  count, memory and I/O by their comp_t code (a comp_t has only 65536 values). A forked-only
  record's newline is written as a NUL, and the chunk's bytes are then passed through
  ``bytes.replace(b"\\0", b"*\\n")``, which inserts its ``*`` (no field holds a NUL: names
  and commands are C strings);
* a chunk with a wider number lays its fields side by side with holes (NULs) where a row is
  narrower than the widest, and drops the holes.

Chunks also keep every temporary array small enough to stay in the CPU caches.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from logwarden.acct import numtext
from logwarden.acct.sa.tables import PAGE_KB
from logwarden.formats import acct

Matrix = npt.NDArray[np.uint8]
Words = npt.NDArray[np.uint64]

CHUNK = 1 << 13
_NAME, _CPU, _MEM, _IO, _COMM = (
    slice(0, 8),
    slice(9, 15),
    slice(20, 28),
    slice(34, 40),
    slice(44, 60),
)
_TEMPLATE = b"-------- ------ cpu --------k mem ------ io ----------------\n"
_NEWLINE = len(_TEMPLATE) - 1
#: The last byte of a line: its newline, or a NUL that becomes ``*\n`` (forked-only).
_NEWLINE_OR_MARK = np.array([ord("\n"), 0], dtype=np.uint8)
_COMP_VALUES = acct.COMP_T_TABLE

_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_SPACE_SHIFT = np.uint64(2)  # a NUL's 0x80 mask bit shifted down to 0x20, a blank
_BYTE = np.uint64(8)
_TOP = np.uint64(63)


class _CodeText:
    """printf text of a value given by a small integer code (a comp_t, a tick count), for
    every code at once: ``table`` (codes, W) right-aligned with holes on the left where the
    text is narrower than W; ``narrow`` the last ``width`` bytes of each as one item."""

    def __init__(self, table: Matrix, width: int) -> None:
        self.table = np.ascontiguousarray(table)
        self.width = width
        extra = table.shape[1] - width
        self.wide = table[:, :extra].any(axis=1) if extra else np.zeros(len(table), dtype=bool)
        self.any_wide = bool(self.wide.any())
        self.narrow = np.ascontiguousarray(table[:, extra:]).view(f"V{width}").reshape(-1)

    def render(self, codes: npt.NDArray[np.integer]) -> Matrix:
        """The text of each code: (n, width) when all fit, else wider with holes."""
        if self.any_wide and self.wide.take(codes).any():
            rows: Matrix = self.table.take(codes, axis=0)
            return rows
        return self.narrow.take(codes).view(np.uint8).reshape(len(codes), self.width)


#: Tick counts below this have a six-byte ``%6.2f`` (999.99 at most).
_CPU_CODES = 100_000
#: From this many records on, numbers are looked up in a text table made once for every code
#: (comp_t or tick count) instead of being formatted record by record.
_TABLES_FROM = 1 << 17


@functools.cache
def _cpu_text() -> _CodeText:
    """``%6.2f`` of every tick count below _CPU_CODES over 100."""
    return _CodeText(numtext.hundredths(np.arange(_CPU_CODES, dtype=np.int64), 6), 6)


@functools.cache
def _comp_text(divisor: int, width: int) -> _CodeText:
    """:func:`_rounded` of every comp_t."""
    return _CodeText(_rounded(_COMP_VALUES, divisor, width), width)


def _rounded(values: npt.NDArray[np.int64], divisor: int, width: int) -> Matrix:
    """``%W.0f`` of ``values / divisor`` for a divisor whose halves are exact in binary
    (ties are real, and glibc rounds them to even)."""
    return numtext.integers(numtext.round_half_even_ratio(values, divisor), width)


def _page_divisor() -> int | None:
    """The page size in KiB when it is an even integer (sa divides memory by it)."""
    whole = int(PAGE_KB)
    return whole if whole == PAGE_KB and whole % 2 == 0 else None


class _Renderer:
    """The lines of a set of records, chunk by chunk."""

    def __init__(
        self, records: acct.Records, names: npt.NDArray[np.bytes_], codes: npt.NDArray[np.intp]
    ) -> None:
        self.records = records
        self.codes = codes
        cut = [name.split(b"\0", 1)[0][:8].ljust(8) for name in names.tolist()]
        self.names = np.array(cut or [b" " * 8], dtype="S8").view(np.uint64)
        ahz = records["ahz"]
        self.hundredths = bool(len(ahz) == 0 or (ahz == acct.AHZ).all())
        self.page = _page_divisor()
        self.tables = len(records) >= _TABLES_FROM
        words = np.asarray(records["comm"]).view(np.dtype([("lo", "<u8"), ("hi", "<u8")]))
        self.comm_lo, self.comm_hi = words["lo"], words["hi"]
        self.row = np.frombuffer(_TEMPLATE, dtype=np.uint8)
        self.buffer = np.tile(self.row, (min(CHUNK, len(records)), 1))

    def chunk(self, start: int, end: int) -> bytes:
        """The lines of records ``start`` to ``end``."""
        r = self.records.slice(start, end)
        fields = [
            self.names.take(self.codes[start:end]).view(np.uint8).reshape(end - start, 8),
            self._cpu(r),
            self._mem(r),
            self._io(r),
            _comm_text(self.comm_lo[start:end], self.comm_hi[start:end]),
        ]
        forked = (r["flag"] & acct.AFORK) != 0
        places = (_NAME, _CPU, _MEM, _IO, _COMM)
        if all(f.shape[1] == p.stop - p.start for f, p in zip(fields, places, strict=True)):
            out = self.buffer[: end - start]
            for value, place in zip(fields, places, strict=True):
                # Copied as one item per row: a byte-by-byte 2-D copy is three times slower.
                item = f"V{place.stop - place.start}"
                out[:, place].view(item)[:, 0] = value.view(item)[:, 0]
            out[:, _NEWLINE] = _NEWLINE_OR_MARK.take(forked.view(np.uint8))
            data = out.tobytes()
            return data.replace(b"\0", b"*\n") if forked.any() else data
        return _with_holes(fields, forked, self.row)

    def _cpu(self, r: acct.Records) -> Matrix:
        utime = _COMP_VALUES.take(r["utime"])
        stime = _COMP_VALUES.take(r["stime"])
        if self.hundredths:
            ticks = utime + stime
            if self.tables and int(ticks.max()) < _CPU_CODES:
                return _cpu_text().render(ticks)
            return numtext.hundredths(ticks, 6)
        ahz = r["ahz"].astype(np.float64)
        return numtext.formatted(utime / ahz + stime / ahz, "%6.2f")

    def _mem(self, r: acct.Records) -> Matrix:
        if self.page is None:
            return numtext.formatted(_COMP_VALUES.take(r["mem"]) / PAGE_KB, "%8.0f")
        return self._comp_rounded(r["mem"], self.page, 8)

    def _io(self, r: acct.Records) -> Matrix:
        if not self.hundredths:
            ahz = r["ahz"].astype(np.float64)
            return numtext.formatted(_COMP_VALUES.take(r["io"]) / ahz, "%6.0f")
        return self._comp_rounded(r["io"], acct.AHZ, 6)

    def _comp_rounded(self, codes: npt.NDArray[np.uint16], divisor: int, width: int) -> Matrix:
        """:func:`_rounded` of comp_t ``codes``."""
        if self.tables:
            return _comp_text(divisor, width).render(codes)
        return _rounded(_COMP_VALUES.take(codes), divisor, width)


def _comm_text(lo: Words, hi: Words) -> Matrix:
    """``%-16.16s`` of ``ac_comm`` given as two little-endian words per record: NULs become
    blanks, found with whole-word arithmetic (an exact zero-byte mask, no borrows). A record
    with text after its first NUL (never written by a kernel) is cut there byte by byte."""
    count = len(lo)
    out = np.empty((count, 2), dtype="<u8")
    masks = []
    for col, word in enumerate((lo, hi)):
        mask = word & _LOW7
        mask += _LOW7
        mask |= word
        mask |= _LOW7
        np.invert(mask, out=mask)  # 0x80 in every NUL byte
        np.bitwise_or(word, mask >> _SPACE_SHIFT, out=out[:, col])
        masks.append(mask)
    low_nul, high_nul = masks
    after_nul = ((low_nul << _BYTE) & ~low_nul) | ((high_nul << _BYTE) & ~high_nul)
    dirty = (after_nul != 0) | (((low_nul >> _TOP) != 0) & (hi != 0))
    text: Matrix = out.view(np.uint8)
    if dirty.any():
        rows = np.flatnonzero(dirty)
        raw = np.stack([lo[rows], hi[rows]], axis=1).view(np.uint8)
        clean = numtext.clean_cstrings(raw)
        text[rows] = np.where(clean == 0, numtext.SPACE, clean)
    return text


def _with_holes(fields: list[Matrix], forked: npt.NDArray[np.bool_], row: Matrix) -> bytes:
    """Lines whose fields are wider than their printf widths in some rows: side by side,
    holes dropped."""
    count = len(forked)

    def literal(place: slice) -> Matrix:
        return numtext.literal(count, row[place].tobytes())

    name, cpu, mem, io, comm = fields
    star = np.where(forked, ord("*"), 0).astype(np.uint8)[:, None]
    newline = numtext.literal(count, b"\n")
    parts = [
        name, literal(slice(8, 9)), cpu, literal(slice(15, 20)), mem, literal(slice(28, 34)),
        io, literal(slice(40, 44)), comm, star, newline,
    ]  # fmt: skip
    flat = np.concatenate(parts, axis=1).reshape(-1)
    text: bytes = flat[flat != 0].tobytes()
    return text


def per_record_text(
    records: acct.Records, names: npt.NDArray[np.bytes_], codes: npt.NDArray[np.intp]
) -> Iterator[bytes]:
    """The lines of ``sa -u``, a chunk at a time; record i's user is ``names[codes[i]]``."""
    if len(records) == 0:
        return
    renderer = _Renderer(records, names, codes)
    for start in range(0, len(records), CHUNK):
        yield renderer.chunk(start, min(start + CHUNK, len(records)))
