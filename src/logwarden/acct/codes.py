"""Distinct values of an integer column and each element's index among them, without sorting
the column: by a dense table when the values span a small range (ids, device numbers), by a
slot table for a few hundred distinct hashes (command keys)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Beyond this span a dense table would cost more than a sort.
_DENSE_SPAN = 1 << 22


def distinct_codes(values: npt.NDArray[np.integer]) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, in O(n) for a small span of values."""
    # One pass over the (often strided) column; min, max and the rest read the copy.
    wide = np.asarray(values).astype(np.int64)
    if len(wide) == 0:
        return wide, np.zeros(0, dtype=np.intp)
    low = int(wide.min())
    high = int(wide.max())
    if high - low >= _DENSE_SPAN:
        distinct, inverse = np.unique(wide, return_inverse=True)
        return distinct, inverse.reshape(-1)
    shifted = (wide - low if low else wide).astype(np.intp, copy=False)
    present = np.zeros(high - low + 1, dtype=bool)
    present[shifted] = True
    distinct = np.flatnonzero(present)
    index = np.cumsum(present, dtype=np.intp) - 1
    return distinct.astype(np.int64) + low, index[shifted]


class Numbering:
    """Numbers 0, 1, 2... for 64-bit values in the order they are first met, fed chunk by
    chunk without sorting them.

    A known value is found through a slot table indexed by its top bits, sized so that no
    two known values share a slot: about 2K² slots for K values. That suits well-mixed hashes
    of a few hundred distinct keys (commands); past ``MAX_BITS`` of table or ``CAPACITY``
    values the numbering gives up and the caller sorts instead."""

    MAX_BITS = 22
    CAPACITY = 1 << 15

    def __init__(self) -> None:
        self.values = np.zeros(0, dtype=np.uint64)
        self.first: list[int] = []
        """Where each number's value was first met (an index over all chunks)."""
        self._bits = 0
        self._slots = np.zeros(0, dtype=np.int32)
        # The known values by number; an empty slot points past them, to an entry that no
        # value can match there (see _index).
        self._probe = np.zeros(self.CAPACITY + 1, dtype=np.uint64)

    def number(self, chunk: npt.NDArray[np.uint64], start: int) -> npt.NDArray[np.int32] | None:
        """The number of each value of ``chunk`` (whose first element has index ``start``);
        None when the values have become too many for the table."""
        codes, missing = self._find(chunk)
        if len(missing) == 0:
            return codes
        new, where = np.unique(chunk[missing], return_index=True)
        order = np.argsort(where, kind="stable")  # new values in order of appearance
        self.values = np.concatenate([self.values, new[order]])
        self.first.extend((start + missing[where[order]]).tolist())
        if not self._index():
            return None
        codes, missing = self._find(chunk)
        return codes

    def _find(self, chunk: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int32], np.ndarray]:
        """(each value's number, positions of the values not known yet)."""
        if self._bits == 0:
            return np.zeros(len(chunk), dtype=np.int32), np.arange(len(chunk))
        slot = (chunk >> np.uint64(64 - self._bits)).view(np.int64)
        codes = self._slots.take(slot)
        found = self._probe.take(codes) == chunk
        if found.all():
            return codes, np.zeros(0, dtype=np.intp)
        return codes, np.flatnonzero(~found)

    def _index(self) -> bool:
        """Lay the known values out in the slot table; False when it would be too large."""
        count = len(self.values)
        if count > self.CAPACITY:
            return False
        bits = max(self._bits, 8, (2 * count * count).bit_length())
        while bits <= self.MAX_BITS:
            slot = self.values >> np.uint64(64 - bits)
            ordered = np.sort(slot)
            if (ordered[1:] != ordered[:-1]).all():
                break
            bits += 1
        else:
            return False
        if bits != self._bits:
            self._bits = bits
            self._slots = np.full(1 << bits, self.CAPACITY, dtype=np.int32)
        self._slots[slot.view(np.int64)] = np.arange(count, dtype=np.int32)
        self._probe[:count] = self.values
        # The empty slots' entry shares the top bits of the first value, and no other known
        # value does: a value that reaches an empty slot has other top bits, so it differs.
        self._probe[self.CAPACITY] = self.values[0] ^ np.uint64(1)
        return True


def first_uses(codes: npt.NDArray[np.intp], groups: int) -> npt.NDArray[np.intp]:
    """For each group 0..groups-1, the index of its first element (``len(codes)`` for a group
    with none)."""
    first = np.full(groups, len(codes), dtype=np.intp)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.intp))
    return first
