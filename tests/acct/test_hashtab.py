"""GNU acct's hash-table order as sa uses it (indexes of distinct keys), checked against the
spec's emulator for ac's tables."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from logwarden.gnuhash import gnu_hash, iteration_indexes

# A second, independent emulation of GNU acct's hashtab.c order, written when the spec was
# gathered and checked there against GNU ac's output (tests/data/ac/README.md).
EMULATOR = Path(__file__).resolve().parents[1] / "data/ac/hash_order_emulator.py"


def test_signed_bytes() -> None:
    """Bytes above 127 count as negative chars."""
    assert gnu_hash(b"a") == 97
    assert gnu_hash(b"\xff") == (1 << 64) - 1
    assert gnu_hash(b"ab") == 97 * 31 + 98


def test_small_table_is_reverse_insertion_within_buckets() -> None:
    """Seven buckets; a bucket lists its keys newest first."""
    keys = [b"a", b"h"]  # 97 % 7 == 104 % 7 == 6
    assert iteration_indexes(keys) == [1, 0]


def test_matches_the_spec_emulator() -> None:
    """Random name sets through several resizes give the spec emulator's order (it was
    checked against GNU ac's output)."""
    if not EMULATOR.exists():
        pytest.skip("the spec's emulator is not beside the repository")
    rng = random.Random(7)
    for size in (3, 5, 17, 80, 300):
        names = list(dict.fromkeys(f"user{rng.randrange(10_000)}" for _ in range(size)))
        done = subprocess.run(
            [sys.executable, str(EMULATOR), *names], capture_output=True, check=True, text=True
        )
        got = [names[i] for i in iteration_indexes([n.encode() for n in names])]
        assert got == done.stdout.split()
