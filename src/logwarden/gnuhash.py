"""GNU acct's hash table (``hashtab.c``), emulated for the order in which it lists its keys.

Two GNU acct programs print in that order: ``ac`` lists per-user lines in its totals table's
order, not sorted; ``sa`` sorts its rows, but rows that compare equal keep the table's order
(glibc's qsort is a stable merge sort), and ``sa -s`` writes savacct and usracct in table
order. What decides the order:

- the hash of a key: for each byte ``b`` taken as a *signed* char, ``h = b + 31 * h``
  modulo 2**64; the bucket is ``h % size``. String keys (names, tty lines) are hashed up to
  their first NUL, numeric keys (sa's command key: 16 bytes of command and a ``short`` fork
  flag) over every byte: callers pass the bytes GNU hashes;
- a table starts with 7 buckets and grows by 4x (7, 28, 112, 448, ...) as soon as it holds
  more than ``int(size * 0.6)`` items; growing walks the old buckets 0..n-1, each from head
  to tail, and pushes every element onto the head of its new bucket;
- a new key goes to the head of its bucket; deleting an element unlinks it and never
  shrinks the table (``ac -d`` empties its per-day table this way and keeps its size);
- iteration walks buckets 0..n-1, each from head to tail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

INITIAL_SIZE = 7
GROWTH = 4
_MASK64 = (1 << 64) - 1

V = TypeVar("V")


def gnu_hash(key: bytes) -> int:
    """The unreduced 64-bit hash of ``key`` (bytes as signed chars, ``h = b + 31 * h``)."""
    value = 0
    for byte in key:
        value = ((byte - 256 if byte > 127 else byte) + 31 * value) & _MASK64
    return value


def resize_threshold(size: int) -> int:
    """How many items a table of ``size`` buckets holds before it grows (C truncation)."""
    return int(size * 0.6)


def table_size(level: int) -> int:
    """The number of buckets after ``level`` growths."""
    return int(INITIAL_SIZE * GROWTH**level)


class _Elem(Generic[V]):
    __slots__ = ("hash", "key", "value")

    def __init__(self, key: bytes, hash_value: int, value: V) -> None:
        self.key = key
        self.hash = hash_value
        self.value = value


class GnuHashTable(Generic[V]):
    """A key -> value map whose iteration order is GNU acct's.

    Each bucket is stored as a Python list from *tail to head*, so that pushing onto the
    head is an append; a dict finds elements by key.
    """

    def __init__(self) -> None:
        self.size = 0
        self._limit = 0
        self._buckets: list[list[_Elem[V]]] = []
        self._index: dict[bytes, _Elem[V]] = {}
        self._hashes: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: bytes) -> bool:
        return key in self._index

    def get(self, key: bytes) -> V | None:
        elem = self._index.get(key)
        return None if elem is None else elem.value

    def insert(self, key: bytes, value: V) -> None:
        """Add ``key`` (which must not be present) at the head of its bucket."""
        if not self._buckets:
            self.size = INITIAL_SIZE
            self._limit = resize_threshold(INITIAL_SIZE)
            self._buckets = [[] for _ in range(INITIAL_SIZE)]
        hash_value = self._hashes.get(key)
        if hash_value is None:
            hash_value = self._hashes[key] = gnu_hash(key)
        elem = _Elem(key, hash_value, value)
        self._buckets[elem.hash % self.size].append(elem)
        self._index[key] = elem
        if len(self._index) > self._limit:
            self._grow()

    def _grow(self) -> None:
        walked = list(self._elements())
        self.size *= GROWTH
        self._limit = resize_threshold(self.size)
        self._buckets = [[] for _ in range(self.size)]
        for elem in walked:
            self._buckets[elem.hash % self.size].append(elem)

    def delete(self, key: bytes) -> None:
        """Unlink ``key``; the table keeps its size."""
        elem = self._index.pop(key)
        self._buckets[elem.hash % self.size].remove(elem)

    def clear(self) -> None:
        """Delete every element (as ``ac`` does after printing a day), keeping the size."""
        if self._index:
            self._index.clear()
            for bucket in self._buckets:
                if bucket:
                    bucket.clear()

    def _elements(self) -> list[_Elem[V]]:
        if not self._index:
            return []
        return [elem for bucket in self._buckets if bucket for elem in reversed(bucket)]

    def items(self) -> list[tuple[bytes, V]]:
        """Every (key, value) in iteration order, as a list (safe to delete while walking)."""
        return [(elem.key, elem.value) for elem in self._elements()]

    def keys(self) -> list[bytes]:
        return [elem.key for elem in self._elements()]


def iteration_order(insertions: Iterable[bytes]) -> list[bytes]:
    """The order a fresh table iterates after ``insertions`` (repeats are ignored)."""
    table: GnuHashTable[None] = GnuHashTable()
    for key in insertions:
        if key not in table:
            table.insert(key, None)
    return table.keys()


def iteration_indexes(keys: Sequence[bytes]) -> list[int]:
    """Indexes of ``keys`` (distinct, in insertion order) in the order a fresh table
    iterates them."""
    table: GnuHashTable[int] = GnuHashTable()
    for index, key in enumerate(keys):
        table.insert(key, index)
    return [index for _, index in table.items()]
