"""ac's building blocks: GNU's hash table, its login-table order, string numbering, strtol."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.cli.ac import strtol
from logwarden.connect.ac.keys import (
    factorize_field,
    factorize_two_words,
    factorize_u64,
    unique_inverse,
)
from logwarden.connect.ac.ranks import element_ranks, growth_points, level_at
from logwarden.gnuhash import GnuHashTable, gnu_hash, iteration_order


def _reference_order(keys: list[bytes]) -> list[bytes]:
    """hashtab.c as the spec describes it, written out plainly (lists, head at index 0)."""

    def bucket(key: bytes, size: int) -> int:
        value = 0
        for b in key:
            value = ((b - 256 if b > 127 else b) + 31 * value) % 2**64
        return value % size

    size, table = 7, [[] for _ in range(7)]  # type: ignore[var-annotated]
    count = 0
    for key in keys:
        if any(key in chain for chain in table):
            continue
        table[bucket(key, size)].insert(0, key)
        count += 1
        if count > int(size * 0.6):
            old = [k for chain in table for k in chain]
            size *= 4
            table = [[] for _ in range(size)]
            for k in old:
                table[bucket(k, size)].insert(0, k)
    return [k for chain in table for k in chain]


def test_hash_reads_bytes_as_signed_chars() -> None:
    """A byte above 127 counts negative, as a signed char on x86."""
    assert gnu_hash(b"a") == 97
    assert gnu_hash(b"\xff") == 2**64 - 1
    assert gnu_hash(b"ab") == 31 * 97 + 98


@given(st.lists(st.binary(min_size=1, max_size=32), max_size=300))
def test_iteration_order_matches_hashtab_c(keys: list[bytes]) -> None:
    """Insertion at the head, growth by 4x above 60% full, rehash in walk order."""
    assert iteration_order(keys) == _reference_order(keys)


def test_table_keeps_its_size_when_emptied() -> None:
    """ac -d empties its totals table every day; the grown size stays."""
    table: GnuHashTable[int] = GnuHashTable()
    for i in range(20):
        table.insert(b"user%d" % i, i)
    assert table.size == 112
    table.clear()
    assert table.size == 112
    assert len(table) == 0
    table.insert(b"x", 1)
    assert table.keys() == [b"x"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 400), st.integers(1, 60))
def test_login_table_ranks_follow_the_table(seed: int, steps: int, ttys: int) -> None:
    """Ranks computed from each entry's history order live entries as the table walks them."""
    rng = random.Random(seed)
    table: GnuHashTable[int] = GnuHashTable()
    created: dict[bytes, int] = {}
    creations, deletions = [], []
    snapshots = []
    for step in range(steps):
        line = b"pts/%d" % rng.randrange(ttys)
        if line in table and rng.random() < 0.5:
            table.delete(line)
            deletions.append(step)
        elif line not in table:
            table.insert(line, step)
            created[line] = step
            creations.append(step)
        if rng.random() < 0.2:
            keys = table.keys()  # a walk before record step + 1
            snapshots.append((step + 1, keys, [created[k] for k in keys]))
    points = growth_points(np.array(creations), np.array(deletions, dtype=np.int64))
    for when, order, births in snapshots:
        if len(order) < 2:
            continue
        born = np.array(births)
        hashes = np.array([gnu_hash(k) for k in order], dtype=np.uint64)
        level = int(level_at(points, np.array([when]))[0])
        ranks = element_ranks(born, hashes, points, level)[level]
        assert list(np.argsort(ranks)) == list(range(len(order)))


def _fields(strings: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(s.ljust(32, b"\0")[:32] for s in strings), np.uint8).reshape(
        -1, 32
    )


@given(st.lists(st.sampled_from([b"", b"a", b"pts/1", b"pts/1\0junk", b"pts/10", b"abcdefgh",
                                 b"abcdefgh\0x", b"abcdefghi", b"x" * 16, b"x" * 16 + b"\0y",
                                 b"y" * 31, b"y" * 32, b"y" * 31 + b"z", b"\xff\xfe"]),
                max_size=200))  # fmt: skip
def test_strings_numbered_as_c_reads_them(values: list[bytes]) -> None:
    """Equal codes exactly for equal C strings: bytes after a NUL never count."""
    matrix = _fields(values)
    words = np.ascontiguousarray(matrix).view("<u8").reshape(len(values), 4)

    def fetch(word: int, rows: np.ndarray | None) -> np.ndarray:
        column = words[:, word]
        return column if rows is None else column[rows]

    expected = [v.partition(b"\0")[0][:32] for v in values]
    for numbering in (factorize_field, factorize_two_words):
        codes, strings = numbering(len(values), fetch)
        assert [strings[c] for c in codes] == expected
        assert len(set(strings)) == len(strings)


@pytest.mark.parametrize(
    ("text", "value"),
    [("60", 60), (" 12", 12), ("+13", 13), ("-5", -5), ("1x", 1), ("abc", 0), ("", 0),
     ("99999999999999999999", 2**63 - 1), ("-99999999999999999999", -(2**63))],
)  # fmt: skip
def test_strtol(text: str, value: int) -> None:
    """--tw-leniency/--tw-suspicious are read with C's strtol: blanks, sign, digits, clamp."""
    assert strtol(text) == value


@pytest.mark.parametrize("distinct", [1, 300, 3000, 60_000])
def test_word_numbering_at_every_size(distinct: int) -> None:
    """Perfect hashing (few keys), open addressing (thousands), binary search (more)."""
    rng = np.random.default_rng(distinct)
    keys = rng.integers(0, 2**64, size=distinct, dtype=np.uint64)
    rows = keys[rng.integers(0, distinct, size=200_000)]
    codes, found = factorize_u64(rows)
    assert np.array_equal(found[codes], rows)
    assert np.array_equal(found, np.unique(rows))


def test_unique_inverse_matches_numpy() -> None:
    """The sort-based unique with inverse gives numpy's answer."""
    values = np.random.default_rng(3).integers(-50, 50, size=1000)
    distinct, inverse = unique_inverse(values)
    expected, expected_inverse = np.unique(values, return_inverse=True)
    assert np.array_equal(distinct, expected)
    assert np.array_equal(inverse, expected_inverse)
