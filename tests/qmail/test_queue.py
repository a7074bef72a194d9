"""Queue concurrency from status lines, and the seed's advice."""

from __future__ import annotations

import numpy as np

from logwarden.qmail.queue import analyse, series


def cols(rows: list[tuple[int, int, int, int, int]]) -> list[np.ndarray]:
    return list(np.array(rows, dtype=np.int64).T)


def test_time_at_the_limit_is_weighted_by_gaps() -> None:
    """A remote side full for 30 of 40 seconds is full 75% of the time, and advice follows."""
    s = 10**9
    stats = analyse(*cols([(0, 0, 10, 20, 20), (30 * s, 0, 10, 5, 20), (40 * s, 0, 10, 0, 20)]))
    assert stats.span_seconds == 40.0
    assert stats.remote.full_seconds == 30.0
    assert stats.remote.peak == 20
    assert stats.local.peak == 0
    assert any("concurrencyremote" in a for a in stats.advice)
    assert not any("concurrencylocal" in a for a in stats.advice)


def test_quiet_queue_needs_nothing() -> None:
    """A queue that never fills gets the all-clear."""
    stats = analyse(*cols([(0, 1, 10, 1, 20), (10**9, 0, 10, 0, 20)]))
    assert stats.advice == [
        "The queue never stayed at its concurrency limits for long: no change is needed."
    ]


def test_the_spawn_ceiling_is_named() -> None:
    """At conf-spawn's 120 the advice says that a rebuild is needed."""
    stats = analyse(*cols([(0, 120, 120, 0, 20), (10**9, 120, 120, 0, 20)]))
    assert "conf-spawn" in stats.advice[0]


def test_untimed_lines_count_lines() -> None:
    """Without times the share is the share of status lines."""
    stats = analyse(*cols([(-1, 10, 10, 0, 20), (-1, 0, 10, 0, 20)]))
    assert stats.local.full_share(stats.span_seconds, stats.lines) == 0.5


def test_series_takes_peaks_per_bucket() -> None:
    """Charts get the peak per interval."""
    s = 10**9
    got = series(*cols([(0, 1, 10, 2, 20), (5 * s, 3, 10, 1, 20), (61 * s, 0, 10, 7, 20)]), 60 * s)
    assert got.start_ns.tolist() == [0, 60 * s]
    assert got.local_peak.tolist() == [3, 0]
    assert got.remote_peak.tolist() == [2, 7]


def test_chunked_status_equals_analyse() -> None:
    """The report's chunk-by-chunk fold gives analyse()'s numbers on all the lines."""
    from logwarden.qmail.report.build import Status

    rng = np.random.default_rng(5)
    n = 500
    t = np.cumsum(rng.integers(0, 3 * 10**9, n))
    local = rng.integers(0, 11, n)
    remote = rng.integers(0, 21, n)
    cols = np.stack([t, local, np.full(n, 10), remote, np.full(n, 20)], axis=1)
    folded = Status()
    for part in np.array_split(cols, 7):
        folded.add(part)
    want = analyse(t, local, np.full(n, 10), remote, np.full(n, 20))
    got = folded.stats()
    assert got.lines == want.lines
    assert abs(got.span_seconds - want.span_seconds) < 1e-6
    for a, b in ((got.local, want.local), (got.remote, want.remote)):
        assert (a.limit, a.peak, a.full_lines) == (b.limit, b.peak, b.full_lines)
        assert abs(a.full_seconds - b.full_seconds) < 1e-6
        assert abs(a.mean - b.mean) < 1e-9
    assert got.advice == want.advice
