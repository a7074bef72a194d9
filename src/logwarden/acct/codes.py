"""Distinct values of an integer column and each element's index among them, without sorting
the column when its values span a small range (ids, device numbers)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

#: Beyond this span a dense table would cost more than a sort.
_DENSE_SPAN = 1 << 22


def distinct_codes(values: npt.NDArray[np.integer]) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, in O(n) for a small span of values."""
    values = np.asarray(values)
    if len(values) == 0:
        return values.astype(np.int64), np.zeros(0, dtype=np.intp)
    low = int(values.min())
    high = int(values.max())
    if high - low >= _DENSE_SPAN:
        distinct, inverse = np.unique(values.astype(np.int64), return_inverse=True)
        return distinct, inverse.reshape(-1)
    shifted = (values - low).astype(np.intp) if low else values.astype(np.intp)
    present = np.zeros(high - low + 1, dtype=bool)
    present[shifted] = True
    distinct = np.flatnonzero(present)
    index = np.cumsum(present, dtype=np.intp) - 1
    return distinct.astype(np.int64) + low, index[shifted]


def group_codes(values: npt.NDArray[np.uint64]) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, each element's index among them) for a column with few distinct
    values, without sorting it: the distinct values of a sample get collision-free slots
    (value modulo a size found for them), every element is looked up by its slot and
    checked; elements the sample missed join the sample and the lookup is redone."""
    values = np.asarray(values, dtype=np.uint64)
    count = len(values)
    if count <= 1 << 15:
        distinct, inverse = np.unique(values, return_inverse=True)
        return distinct, inverse.reshape(-1)
    known = np.unique(np.concatenate([values[: 1 << 14], values[:: max(1, count >> 14)]]))
    while True:
        slot_of = _slot_function(known)
        if slot_of is None:  # too many distinct values for slots: sort after all
            distinct, inverse = np.unique(values, return_inverse=True)
            return distinct, inverse.reshape(-1)
        table_size, slot = slot_of
        slots = np.full(table_size, -1, dtype=np.int32)
        slots[slot(known)] = np.arange(len(known))
        index = slots[slot(values)].astype(np.intp)
        missing = np.flatnonzero((index < 0) | (known[index] != values))
        if len(missing) == 0:
            return known, index
        known = np.unique(np.concatenate([known, values[missing]]))


SlotFunction = Callable[[npt.NDArray[np.uint64]], npt.NDArray[np.intp]]


def _slot_function(known: npt.NDArray[np.uint64]) -> tuple[int, SlotFunction] | None:
    """A table size and a slot function giving every value of ``known`` its own slot: the
    top bits of the value when they tell the values apart (hashes), else a modulus."""
    bits = max(4, (4 * len(known) ** 2).bit_length())
    if bits <= 22:
        shift = np.uint64(64 - bits)
        if len(np.unique(known >> shift)) == len(known):
            return 1 << bits, lambda v: (v >> shift).astype(np.intp)
    modulus = _slot_modulus(known)
    if modulus is None:
        return None
    divisor = np.uint64(modulus)
    return modulus, lambda v: (v % divisor).astype(np.intp)


def _slot_modulus(known: npt.NDArray[np.uint64]) -> int | None:
    """A table size under which every value of ``known`` has its own slot."""
    # With s slots, n values all land apart with probability about exp(-n*n / 2s).
    size = min(max(2 * len(known), 4 * len(known) ** 2), 1 << 22) + 1
    while size <= 1 << 23:
        if len(np.unique(known % np.uint64(size))) == len(known):
            return size
        size = size * 2 + 1
    return None


def first_uses(codes: npt.NDArray[np.intp], groups: int) -> npt.NDArray[np.intp]:
    """For each group 0..groups-1, the index of its first element (chunk by chunk, stopping
    once every group has been seen)."""
    first = np.full(groups, len(codes), dtype=np.intp)
    seen = np.zeros(groups, dtype=bool)
    remaining = groups
    step = 4096
    for start in range(0, len(codes), step):
        if remaining == 0:
            break
        chunk = codes[start : start + step]
        present = np.unique(chunk)
        new = present[~seen[present]]
        for group in new.tolist():
            first[group] = start + int(np.argmax(chunk == group))
        seen[new] = True
        remaining -= len(new)
    return first
