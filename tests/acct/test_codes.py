"""Numbering records without sorting them: integer codes, hashed command keys, fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.acct import codes
from logwarden.acct.sa import keys as sa_keys


def _first_seen(values: list[int]) -> tuple[list[int], list[int]]:
    """Numbers in order of first appearance, and where each number was first seen."""
    number: dict[int, int] = {}
    first: list[int] = []
    for index, value in enumerate(values):
        if value not in number:
            number[value] = len(number)
            first.append(index)
    return [number[v] for v in values], first


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 9)), min_size=1, max_size=40),
    st.lists(st.integers(0, 39), min_size=1, max_size=400),
    st.integers(1, 64),
)
def test_numbering_follows_first_appearance(pool: list[int], picks: list[int], chunk: int) -> None:
    """Chunk by chunk, values get 0, 1, 2... in the order they first appear; the numbering
    gives up only on values it cannot tell apart by their top bits (it is made for hashes)."""
    values = np.array([pool[p % len(pool)] for p in picks], dtype=np.uint64)
    numbering = codes.Numbering()
    got: list[int] = []
    for start in range(0, len(values), chunk):
        numbers = numbering.number(values[start : start + chunk], start)
        if numbers is None:
            top = {v >> (64 - codes.Numbering.MAX_BITS) for v in set(values.tolist())}
            assert len(top) < len(set(values.tolist()))
            return
        got.extend(numbers.tolist())
    expected, first = _first_seen(values.tolist())
    assert got == expected
    assert numbering.first == first


def test_numbering_gives_up_on_too_many_values() -> None:
    """Past the slot table's size the numbering says so instead of growing without bound."""
    rng = np.random.default_rng(1)
    values = rng.integers(0, 2**63, size=5000, dtype=np.uint64)
    assert codes.Numbering().number(values, 0) is None


def test_distinct_codes_as_unique() -> None:
    """Small spans by a dense table, large ones by sorting: np.unique's answer either way."""
    for values in (np.array([5, 3, 5, 9, 3], np.uint32), np.array([0, 2**32 - 1, 7, 0], np.uint32)):
        distinct, inverse = codes.distinct_codes(values)
        expected, expected_inverse = np.unique(values.astype(np.int64), return_inverse=True)
        assert distinct.tolist() == expected.tolist()
        assert inverse.tolist() == expected_inverse.reshape(-1).tolist()


def _python_groups(comm: list[bytes], fork: list[int]) -> tuple[list[int], list[int], list[bytes]]:
    """Groups by GNU's key, numbered in order of first use, the slow plain way."""
    keys = [sa_keys.command_key(c.split(b"\0", 1)[0], f) for c, f in zip(comm, fork, strict=True)]
    number: dict[bytes, int] = {}
    first: list[int] = []
    for index, key in enumerate(keys):
        if key not in number:
            number[key] = len(number)
            first.append(index)
    return [number[k] for k in keys], first, list(number)


def _canonical(groups: sa_keys.Groups) -> tuple[list[int], list[int], list[bytes]]:
    """A numbering relabelled in order of first use (group numbers are only labels)."""
    order = np.argsort(groups.first, kind="stable")
    relabel = np.empty(len(order), dtype=np.intp)
    relabel[order] = np.arange(len(order))
    return (
        relabel[groups.codes].tolist(),
        groups.first[order].tolist(),
        [groups.keys[i] for i in order.tolist()],
    )


commands = st.lists(
    st.tuples(
        st.sampled_from([b"bash", b"bash\0x", b"ls", b"\xffz", b"", b"\0junk", b"a" * 16]),
        st.sampled_from([0, 1, 1, 0xFFFF, -1]),
    ),
    min_size=1,
    max_size=300,
)


@pytest.mark.parametrize("sorted_fallback", [False, True])
@settings(max_examples=40, deadline=None)
@given(records=commands)
def test_command_groups_are_gnus_keys(
    sorted_fallback: bool, records: list[tuple[bytes, int]]
) -> None:
    """Records are grouped by (C string, fork as a short), whether numbered by hash (in
    chunks of 7) or by sorting."""
    comm = np.array([c for c, _ in records], dtype="S16")
    fork = np.array([f for _, f in records], dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sa_keys, "CHUNK", 7)
        if sorted_fallback:
            patch.setattr(sa_keys, "_numbered", lambda *_: None)
        got = _canonical(sa_keys.command_groups(comm, fork))
    assert got == _python_groups([c for c, _ in records], [f for _, f in records])
