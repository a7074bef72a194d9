"""The columns the vectorized ``ac`` engine reads from the mapped file, in one pass.

A 384-byte record spans six cache lines; what ``ac`` needs lies in two of them: type, line
and the start of the user name in the first, the time in the sixth. One pass over the
mapping copies, chunk by chunk, the first bytes of every record (the chunk stays in the CPU
cache while the type, the first 8 bytes of the line and the first 16 of the user name are
taken out of it) and the time. Whole long names and lines, pids and names of the few boot
and run-level records are gathered afterwards for the rows that need them.

Munging (:func:`logwarden.connect.ac.segments.munge`) is applied the same way: on whole columns
where it is simple (a login without name), record by record on the few rows where it is not.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cached_property

import numpy as np
import numpy.typing as npt

from logwarden.connect.ac.background import Background
from logwarden.connect.ac.segments import BOOT_TIME_CHAR, MAX_TYPE, Segment, munge
from logwarden.formats import utmp

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Bools = npt.NDArray[np.bool_]
_LOW_BYTE = np.uint64(0xFF)


def _field(records: utmp.Records, name: str, fmt: str, extra: int = 0) -> npt.NDArray[np.generic]:
    """A strided view of field ``name`` (plus ``extra`` bytes) reinterpreted as ``fmt``."""
    layout = records.layout
    offset = layout.dtype.fields[name][1] + extra  # type: ignore[index]
    view = np.dtype({"names": ["v"], "formats": [fmt], "offsets": [offset],
                     "itemsize": layout.size})  # fmt: skip
    field: npt.NDArray[np.generic] = records.raw.view(view)["v"]
    return field


_CHUNK = 16384


class _Head:
    """The columns read from every record: type, first line word, user name start, time."""

    __slots__ = ("line_word", "time", "type", "user_pairs")

    def __init__(self, n: int) -> None:
        self.type = np.empty(n, dtype=np.int16)
        self.line_word = np.empty(n, dtype=np.uint64)
        self.user_pairs = np.empty((n, 2), dtype=np.uint64)
        self.time = np.empty(n, dtype=np.int64)


class Part:
    """One segment's records, as the columns the vectorized engine uses."""

    def __init__(self, records: utmp.Records) -> None:
        self.records = records
        self.order = ">" if records.layout.big_endian else "<"

    def __len__(self) -> int:
        return len(self.records)

    @cached_property
    def head(self) -> _Head:
        """Type, line, user name start and time of every record, in one pass.

        Type, line and user name share the record's first cache line and are copied
        together, a chunk at a time (the chunk stays in the CPU cache while the columns are
        taken out of it). Two threads take one half of the file each: numpy lets go of the
        GIL while it copies, and the kernel maps the pages of each half in parallel.
        """
        n = len(self.records)
        head = _Head(n)
        middle = n // 2 // _CHUNK * _CHUNK
        if middle == 0:
            self._read(head, 0, n)
            return head
        other = Background(self._read, head, middle, n)
        self._read(head, 0, middle)
        other.result()
        return head

    def _read(self, head: _Head, first: int, last: int) -> None:
        fields = self.records.layout.dtype.fields
        assert fields is not None
        kind_at, line_at, user_at = (fields[name][1] for name in ("type", "line", "user"))
        span = user_at + 16
        wide = self.records.layout.size == 400
        time_format = self.order + ("i8" if wide else "i4")
        heads = _field(self.records, "type", f"V{span}")
        times = _field(self.records, "sec", time_format)
        layout = np.dtype({"names": ["t", "l", "u"],
                           "formats": [self.order + "i2", "<u8", ("<u8", 2)],
                           "offsets": [kind_at, line_at, user_at], "itemsize": span})  # fmt: skip
        for start in range(first, last, _CHUNK):
            stop = min(start + _CHUNK, last)
            chunk = heads[start:stop].copy().view(layout)
            head.type[start:stop] = chunk["t"]
            head.line_word[start:stop] = chunk["l"]
            head.user_pairs[start:stop] = chunk["u"]
            head.time[start:stop] = times[start:stop]

    @property
    def original_type(self) -> npt.NDArray[np.int16]:
        return self.head.type

    @property
    def line_word(self) -> U64:
        """The first 8 bytes of ``ut_line`` as a little-endian word (its bytes in order)."""
        return self.head.line_word

    @property
    def time(self) -> I64:
        return self.head.time

    def words(self, name: str, index: int, rows: I64) -> U64:
        """The ``index``-th 8-byte word of string field ``name`` at ``rows``."""
        return _field(self.records, name, "<u8", 8 * index)[rows].astype(np.uint64)

    @property
    def user_pairs(self) -> U64:
        """The first two 8-byte words of ``ut_user`` of every record, as (n, 2)."""
        return self.head.user_pairs

    def pids(self, rows: I64) -> I64:
        return self.records.pid[rows].astype(np.int64)

    def cstrings(self, name: str, rows: I64) -> list[bytes]:
        return self.records.cstrings(name, rows=rows).tolist()  # type: ignore[no-any-return]


class Stream:
    """The records of every opened segment, as one stream of columns."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.parts = [Part(s.records) for s in segments if s.records is not None and len(s)]
        self.starts = np.cumsum([0] + [len(p) for p in self.parts])
        self.size = int(self.starts[-1])
        self._columns: dict[str, npt.NDArray[np.generic]] = {}

    def load(self) -> None:
        """Read the columns of every part now (before several threads use them)."""
        for part in self.parts:
            part.head  # noqa: B018 - a cached property, computed here

    def _joined(self, name: str) -> npt.NDArray[np.generic]:
        """Column ``name`` of all parts: the part's own array when there is one part."""
        if len(self.parts) == 1:
            column: npt.NDArray[np.generic] = getattr(self.parts[0], name)
            return column
        known = self._columns.get(name)
        if known is None:
            known = self._columns[name] = np.concatenate([getattr(p, name) for p in self.parts])
        return known

    def _gathered(self, method: str, rows: I64, *args: object) -> npt.NDArray[np.generic]:
        """``part.method(*args, local_rows)`` over the parts ``rows`` (ascending) fall in."""
        if len(self.parts) == 1:
            return getattr(self.parts[0], method)(*args, rows)  # type: ignore[no-any-return]
        bounds = np.searchsorted(rows, self.starts)
        pieces = []
        for k, part in enumerate(self.parts):
            local = rows[bounds[k] : bounds[k + 1]] - self.starts[k]
            pieces.append(getattr(part, method)(*args, local))
        return np.concatenate(pieces)

    @cached_property
    def time(self) -> I64:
        return self._joined("time")  # type: ignore[return-value]

    @cached_property
    def line_word(self) -> U64:
        return self._joined("line_word")  # type: ignore[return-value]

    def words(self, name: str, index: int, rows: I64 | None) -> U64:
        """The ``index``-th 8-byte word of string field ``name`` of the records at ``rows``
        (None: of every record)."""
        if name == "line" and index == 0:
            return self.line_word if rows is None else self.line_word[rows]
        if name == "user" and index < 2:
            pairs: U64 = self._joined("user_pairs")  # type: ignore[assignment]
            return pairs[:, index] if rows is None else pairs[rows, index]
        if rows is None:
            rows = np.arange(self.size, dtype=np.int64)
        return self._gathered("words", rows, name, index)  # type: ignore[return-value]

    def pids(self, rows: I64) -> I64:
        return self._gathered("pids", rows)  # type: ignore[return-value]

    def cstrings(self, name: str, rows: I64) -> list[bytes]:
        if len(self.parts) == 1:
            return self.parts[0].cstrings(name, rows)
        bounds = np.searchsorted(rows, self.starts)
        out: list[bytes] = []
        for k, part in enumerate(self.parts):
            out += part.cstrings(name, rows[bounds[k] : bounds[k + 1]] - self.starts[k])
        return out

    @cached_property
    def line0(self) -> npt.NDArray[np.uint8]:
        """The first byte of every line."""
        if sys.byteorder == "little":  # byte 0 of a native word
            return np.ascontiguousarray(self.line_word.view(np.uint8)[::8])
        return (self.line_word & _LOW_BYTE).astype(np.uint8)

    @cached_property
    def user0(self) -> npt.NDArray[np.uint8]:
        """The first byte of every user name."""
        pairs: U64 = self._joined("user_pairs")  # type: ignore[assignment]
        if sys.byteorder == "little":  # byte 0 of a native word
            return np.ascontiguousarray(pairs.view(np.uint8)[:, 0])
        return (pairs[:, 0] & _LOW_BYTE).astype(np.uint8)

    @cached_property
    def munged(self) -> tuple[npt.NDArray[np.int16], Bools] | None:
        """(munged types, which records are logins), or None with clock changes.

        Munging changes few rows: an ordinary USER_PROCESS (line not ``~``) only loses its
        type for an empty name, done on whole columns; the rare ``~`` lines, boot and
        run-level records and odd types get the whole procedure, one by one.
        """
        original: npt.NDArray[np.int16] = self._joined("original_type")  # type: ignore[assignment]
        line0 = self.line0
        if np.any((line0 == ord("|")) | (line0 == ord("{"))):
            return None
        if np.any((original == utmp.OLD_TIME) | (original == utmp.NEW_TIME)):
            return None
        user0 = self.user0
        tilde = line0 == BOOT_TIME_CHAR
        plain = (original == utmp.USER_PROCESS) & ~tilde
        kind = original.copy()
        np.putmask(kind, plain & (user0 == 0), utmp.DEAD_PROCESS)
        login = plain & (user0 != 0) & (line0 != 0)
        special = np.flatnonzero(
            tilde
            | (original == utmp.RUN_LVL)
            | (original == utmp.BOOT_TIME)
            | (((original < 1) | (original > MAX_TYPE)) & (line0 != 0))
        )
        if len(special):
            names = self.cstrings("user", special)
            flags = (
                np.array([n == b"reboot" for n in names], dtype=bool),
                np.array([n == b"shutdown" for n in names], dtype=bool),
            )
            sub, _ = munge(original[special].astype(np.int64), line0[special],
                           user0[special], flags)  # fmt: skip
            kind[special] = sub
            login[special] = (sub == utmp.USER_PROCESS) & (line0[special] != 0)
        return kind, login
