"""The simulator: deterministic, every style reads back the same, and matchup's invariants
hold on what it writes (restarts, inode reuse, retries, bounces and all)."""

from __future__ import annotations

import gzip
import itertools
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.qmail.lines import read_lines
from logwarden.qmail.matchup.line_engine import matchup
from logwarden.qmail.simulate import Settings, simulated_bytes

from support.reference import ours

BUSY = {"restart_hours": 0.1, "trouble_minutes": 0.3, "rate": 5.0}


@cache
def busy_log(seed: int = 7, style: str = "unix", size: int = 600_000) -> bytes:
    """A small log in the bare sec.usec style (seed 8, 3 MB, has a triple bounce)."""
    return simulated_bytes(Settings(seed=seed, max_bytes=size, style=style, **BUSY))


def test_same_seed_same_log() -> None:
    """A seed fixes the log byte for byte; another seed gives another log."""
    assert busy_log(3) == simulated_bytes(Settings(seed=3, max_bytes=600_000, **BUSY, style="unix"))
    assert busy_log(3) != busy_log(4)


def test_everything_happens() -> None:
    """The busy log has restarts, bounces, deferrals, full queues, alerts and warnings."""
    text = busy_log(8, size=3_000_000)
    for needle in (b"status: exiting", b"exitasap", b"bounce msg", b"triple bounce",
                   b": deferral: ", b": failure: ", b"report mangled", b"warning: ",
                   b"alert: ", b"remote 20/20", b"from <#@[]>", b"from <>"):  # fmt: skip
        assert needle in text, needle
    # Delivery numbers start again at 1 after a restart.
    assert text.count(b"starting delivery 1: ") >= 2


@pytest.mark.parametrize("style", ["multilog", "syslog"])
def test_styles_carry_the_same_events(style: str) -> None:
    """multilog and syslog renderings read back to the same words and times."""

    def log(style: str) -> bytes:
        return simulated_bytes(Settings(seed=5, max_messages=3000, style=style, **BUSY))

    plain, _ = read_lines(log("unix"))
    other, _ = read_lines(log(style))
    assert [x.prefixed.text for x in other] == [x.prefixed.text for x in plain]
    assert [x.prefixed.unix_ns // 1000 for x in other] == [
        x.prefixed.unix_ns // 1000 for x in plain]  # fmt: skip


def test_syslog_style_splits_long_lines() -> None:
    """A line over 799 characters is split into splogger's + pieces, and joined back."""
    s = Settings(seed=2, max_messages=4000, style="syslog")
    data = simulated_bytes(s)
    _lines, joiner = read_lines(data)
    assert all(len(x) < 900 for x in data.split(b"\n"))
    assert joiner.joined > 0


def matchup_invariants(out: bytes) -> None:
    """d lines start after their message is born; m lines count their d lines."""
    per_message: Counter[tuple[bytes, bytes, bytes]] = Counter()
    for line in out.split(b"\n"):
        f = line.split()
        if f[:1] == [b"d"] and f[6] != b"?":
            assert float(f[2]) <= float(f[3]) <= float(f[4])
            per_message[(f[2], f[6], f[8])] += 1
        elif f[:1] == [b"m"]:
            nk, nd, nz = int(f[4]), int(f[5]), int(f[6])
            assert per_message[(f[1], f[7], f[8])] == nk + nd + nz
            assert float(f[1]) <= float(f[2])


@pytest.mark.parametrize("seed", [1, 7, 11])
def test_matchup_invariants_hold(seed: int) -> None:
    """Every d line's message is born before it starts; nk+nd+nz are its attempts."""
    out, _ = matchup(busy_log(seed))
    assert out.count(b"\nm ") > 100
    matchup_invariants(out)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=5))
def test_chunked_matchup_equals_one_run(fractions: list[float]) -> None:
    """Cut anywhere (mid-line too), carrying fd 5's pending state, the output is the same."""
    data = busy_log(11)
    cuts = sorted({0, *(int(f * len(data)) for f in fractions), len(data)})
    whole, _ = matchup(data)
    pieces, pending = [], b""
    for start, end in itertools.pairwise(cuts):
        out, pending = matchup(pending + data[start:end])
        pieces.append(out)
    assert b"".join(pieces) == whole


def test_cli_writes_gzip(tmp_path: Path) -> None:
    """-o FILE.gz writes a compressed log that alerts reads directly."""
    target = tmp_path / "current.gz"
    got = ours("qmail", ["simulate", "--messages", "200", "--seed", "3", "-o", str(target)])
    assert got.status == 0, got.stderr
    assert gzip.decompress(target.read_bytes()).startswith(b"@4000")
    alerts = ours("qmail", ["alerts", str(target)])
    assert alerts.status in (0, 2)
    assert b"Queue (" in alerts.stdout


def test_cli_rejects_bad_options() -> None:
    """A bad style or size is one line on stderr."""
    got = ours("qmail", ["simulate", "--style", "xml"])
    assert got.status == 1
    assert got.stderr == b"qmail: simulate: unknown style 'xml': multilog, syslog or unix\n"
