"""The queue's concurrency over time, from ``status: local l/L remote r/R`` lines.

qmail-send prints a status line after every start and end of a delivery: ``l`` local and
``r`` remote deliveries are in progress, out of at most ``L`` (control/concurrencylocal) and
``R`` (control/concurrencyremote). Between two status lines the numbers hold, so the time
spent at the limit is the sum of the gaps that start at a full line. The seed's advice: a
queue that fills up often needs a higher limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]

#: Share of the time at the limit from which raising it is advised.
BUSY_SHARE = 0.05
#: qmail's compile-time ceiling on either concurrency (conf-spawn, default 120).
SPAWN_LIMIT = 120


@dataclass
class Channel:
    """One side (local or remote) of the queue."""

    name: str
    #: The limit in force at the end of the log (the latest status line).
    limit: int
    peak: int
    #: Status lines at the limit, and seconds spent there (time-weighted).
    full_lines: int
    full_seconds: float
    #: Time-weighted mean of deliveries in progress.
    mean: float

    def full_share(self, span: float, lines: int) -> float:
        """Share of the time (of the lines when the log has no times) at the limit."""
        if span > 0:
            return self.full_seconds / span
        return self.full_lines / lines if lines else 0.0


@dataclass
class QueueStats:
    """What the status lines say about the queue."""

    lines: int
    span_seconds: float
    local: Channel
    remote: Channel
    advice: list[str] = field(default_factory=list)


def _channel(
    name: str, busy: I64, limit: I64, weights: npt.NDArray[np.float64], span: float
) -> Channel:
    full = busy >= limit
    return Channel(
        name=name,
        limit=int(limit[-1]),
        peak=int(busy.max()),
        full_lines=int(full.sum()),
        full_seconds=float(weights[full].sum()),
        mean=float((busy * weights).sum() / span) if span > 0 else float(busy.mean()),
    )


def analyse(t_ns: I64, local: I64, local_max: I64, remote: I64, remote_max: I64) -> QueueStats:
    """Statistics of status lines given as columns (``t_ns`` may be all -1: no times).

    Lines must be in log order. An empty input gives zero lines and no advice.
    """
    n = len(t_ns)
    if n == 0:
        empty = Channel("local", 0, 0, 0, 0.0, 0.0)
        return QueueStats(0, 0.0, empty, Channel("remote", 0, 0, 0, 0.0, 0.0))
    timed = bool((t_ns >= 0).all())
    if timed and n > 1:
        gaps = np.diff(t_ns).astype(np.float64) / 1e9
        # A clock going backwards (merged logs out of order) counts as no time at all.
        gaps = np.clip(gaps, 0.0, None)
        weights = np.append(gaps, 0.0)
        span = float(weights.sum())
    else:
        weights = np.zeros(n)
        span = 0.0
    stats = QueueStats(
        n,
        span,
        _channel("local", local, local_max, weights, span),
        _channel("remote", remote, remote_max, weights, span),
    )
    stats.advice = advise(stats)
    return stats


def advise(stats: QueueStats) -> list[str]:
    """The seed's advice, made concrete: which limit to raise, or that none needs it."""
    advice = []
    for channel, control in (
        (stats.local, "concurrencylocal"),
        (stats.remote, "concurrencyremote"),
    ):
        share = channel.full_share(stats.span_seconds, stats.lines)
        if channel.limit <= 0 or share < BUSY_SHARE:
            continue
        text = (
            f"{channel.name} deliveries were at their limit of {channel.limit} "
            f"{share:.0%} of the time: raise control/{control} and restart qmail-send "
            "(it reads the limit only when it starts)"
        )
        if channel.limit >= SPAWN_LIMIT:
            text += (
                f"; {channel.limit} is at qmail's compile-time ceiling (conf-spawn), so a "
                "higher limit needs qmail rebuilt with a larger conf-spawn"
            )
        if channel.name == "remote":
            text += "; if the remote hosts are slow rather than many, look at the deferrals too"
        advice.append(text + ".")
    if not advice and stats.lines:
        advice.append(
            "The queue never stayed at its concurrency limits for long: no change is needed."
        )
    return advice


@dataclass
class Series:
    """Status lines summarised per time bucket, for charts."""

    start_ns: I64
    local_peak: I64
    remote_peak: I64
    local_limit: I64
    remote_limit: I64


def series(
    t_ns: I64, local: I64, local_max: I64, remote: I64, remote_max: I64, bucket_ns: int
) -> Series:
    """Per ``bucket_ns`` interval: the peak in progress and the limit, for timed lines."""
    keep = t_ns >= 0
    t = t_ns[keep]
    if len(t) == 0:
        zero = np.zeros(0, dtype=np.int64)
        return Series(zero, zero, zero, zero, zero)
    buckets = t // bucket_ns
    starts, inverse = np.unique(buckets, return_inverse=True)

    def peak(values: I64) -> I64:
        out = np.zeros(len(starts), dtype=np.int64)
        np.maximum.at(out, inverse, values[keep])
        return out

    return Series(
        starts * bucket_ns,
        peak(local),
        peak(remote),
        peak(local_max),
        peak(remote_max),
    )
