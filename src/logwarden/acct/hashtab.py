"""The iteration order of GNU acct's hash tables (``hashtab.c``), which GNU sa's output keeps.

sa lists its rows sorted, but rows that compare equal stay in the order the table gave them
(glibc's qsort is a stable merge sort), and ``sa -s`` writes savacct/usracct in table order.
So the order must be reproduced exactly:

* a key is hashed over its bytes as *signed* chars: ``h = b + 31 * h`` (mod 2**64), bucket =
  ``h % size``; string keys stop at their first NUL, numeric (struct) keys use every byte;
* the table starts with 7 buckets; a new key goes to the *head* of its bucket;
* when the number of keys exceeds ``int(size * 0.6)`` the table grows fourfold and every key
  is re-inserted, walking the old buckets in order and each bucket head to tail, each pushed
  at the head of its new bucket;
* iteration walks buckets 0..size-1, each head to tail.

Only the distinct keys in order of first insertion matter, so this runs once per distinct
key, not per record.
"""

from __future__ import annotations

from collections.abc import Sequence

_MASK = (1 << 64) - 1
INITIAL_SIZE = 7
GROWTH = 4
FILL = 0.6


def key_hash(key: bytes) -> int:
    """GNU's hash of ``key`` (every byte of it) before the modulo."""
    value = 0
    for byte in key:
        value = ((byte - 256 if byte > 127 else byte) + 31 * value) & _MASK
    return value


def iteration_order(keys: Sequence[bytes]) -> list[int]:
    """Indexes of ``keys`` (distinct, in insertion order) in the order GNU iterates them."""
    hashes = [key_hash(k) for k in keys]
    size = INITIAL_SIZE
    limit = int(size * FILL)
    buckets: list[list[int]] = [[] for _ in range(size)]
    for index, value in enumerate(hashes):
        buckets[value % size].insert(0, index)
        if index + 1 > limit:
            size *= GROWTH
            limit = int(size * FILL)
            grown: list[list[int]] = [[] for _ in range(size)]
            for bucket in buckets:
                for member in bucket:
                    grown[hashes[member] % size].insert(0, member)
            buckets = grown
    return [member for bucket in buckets for member in bucket]
