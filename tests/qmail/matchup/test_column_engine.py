"""The column-wise matchup equals the line engine: same output, same open state, however
the log is cut, and whichever engine takes which chunk."""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.qmail.matchup.column_engine import feed, plain_enough
from logwarden.qmail.matchup.line_engine import Matchup, matchup
from logwarden.qmail.simulate import Settings, simulated_bytes

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@cache
def log(seed: int) -> bytes:
    """A busy simulated log: restarts, reused numbers, bounces, alerts."""
    return simulated_bytes(
        Settings(seed=seed, max_bytes=800_000, style="unix", restart_hours=0.1,
                 trouble_minutes=0.3, rate=5.0)
    )  # fmt: skip


def run_columns(data: bytes, cuts: list[int]) -> tuple[bytes, bytes]:
    engine = Matchup()
    out = []
    bounds = sorted({0, *cuts, len(data)})
    carry = b""
    for start, end in itertools.pairwise(bounds):
        block = carry + data[start:end]
        cut = block.rfind(b"\n") + 1
        out.append(feed(engine, block[:cut]))
        carry = block[cut:]
    return b"".join(out), engine.pending(carry)


def same_pending(a: bytes, b: bytes) -> bool:
    return sorted(a.split(b"\n")) == sorted(b.split(b"\n"))


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.in")))
def test_samples(name: str) -> None:
    """Every real sample gives the C matchup's output through the column engine."""
    data = (GOLDEN / f"{name}.in").read_bytes()
    out, pending = run_columns(data, [])
    assert out == (GOLDEN / f"{name}.matchup").read_bytes()
    assert same_pending(pending, (GOLDEN / f"{name}.pending").read_bytes())


@pytest.mark.parametrize("seed", [1, 7, 11])
def test_simulated_logs(seed: int) -> None:
    """On busy simulated logs the two engines agree line for line."""
    data = log(seed)
    want, want_pending = matchup(data)
    got, got_pending = run_columns(data, [len(data) // 3, 2 * len(data) // 3])
    assert got == want
    assert same_pending(got_pending, want_pending)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=800_000), max_size=4), st.booleans())
def test_any_cut_and_any_engine_mix(cuts: list[int], dirty: bool) -> None:
    """Cut anywhere; with a tab in the middle chunk the line engine takes that chunk."""
    data = log(3)
    if dirty:
        middle = data.index(b"\n", len(data) // 2) + 1
        data = data[:middle] + b"1795000000.5\tnew\tmsg\t1\n" + data[middle:]
    want, want_pending = matchup(data)
    got, got_pending = run_columns(data, cuts)
    assert got == want
    assert same_pending(got_pending, want_pending)


def test_plain_enough() -> None:
    """Tabs, double spaces and edge spaces send a chunk to the line engine."""
    assert plain_enough(b"1 new msg 5\n")
    for dirty in (b"1\tnew\n", b"1  new\n", b" 1 new\n", b"1 new \n", b"1 new\r\n"):
        assert not plain_enough(dirty)
