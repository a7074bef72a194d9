"""The report's two readers agree, and its column shortcuts (ddist, top tables) give what the
plain computations give."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from logwarden.qmail.report.build import Delays, Filters, Reader, Report, Table
from logwarden.qmail.report.chunk import _fast_form, lines_of
from logwarden.qmail.report.tables import tables
from logwarden.qmail.simulate import Settings, simulated_bytes
from logwarden.qmail.zreports.plain import ddist_counts


def report_of(data: bytes, filters: Filters, pieces: int) -> Report:
    from logwarden.cli.qmail_report import whole_lines

    size = max(1, len(data) // pieces)
    reader = Reader(filters)
    for chunk in whole_lines(iter([data[i : i + size] for i in range(0, len(data), size)])):
        reader.add(chunk)
    return reader.report


def summary(r: Report) -> dict[str, object]:
    """Everything a report shows, as plain values."""
    return {
        "overall": r.overall.lines(),
        "tables": {name: (rows.fields, list(rows.rows)) for name, rows in tables(r, 0).items()},
        "timeline": sorted(r.timeline.items()),
        "queue": r.queue(),
        "minutes": sorted(r.status.minutes.items()),
        "categories": sorted(r.categories.items()),
        "styles": sorted(r.counts.styles.items()),
        "counts": (r.lines, r.foreign, r.truncated, r.first_ns, r.last_ns, r.open_messages,
                   r.open_deliveries),
    }  # fmt: skip


@pytest.mark.parametrize("style", ["unix", "multilog"])
@pytest.mark.parametrize("pieces", [1, 5])
def test_fast_reader_equals_the_general_one(style: str, pieces: int) -> None:
    """A log all in splogger's or multilog's form takes the fast path; the same log read
    through the general line parser (which a --since before the log forces) gives the same
    report, table for table."""
    raw = simulated_bytes(Settings(seed=9, max_messages=2500, style=style, rate=5.0,
                                   restart_hours=0.2, trouble_minutes=1.0))  # fmt: skip
    assert _fast_form(lines_of(raw)) is not None
    fast = summary(report_of(raw, Filters(), pieces))
    general = summary(report_of(raw, Filters(since_ns=1), pieces))
    assert fast == general
    assert fast["styles"] == [(style, raw.count(b"\n"))]


def test_ddist_on_columns_equals_the_awk_emulation() -> None:
    """zddist from counted values equals ddist_counts on the printed words: whole numbers,
    %.6g words with exponents (which sort -n reads as small numbers), negatives, ties."""
    rng = np.random.default_rng(1)
    samples = [
        rng.exponential(500, 4000),
        np.round(rng.exponential(50, 3000), 2),
        rng.choice(
            [
                0.0,
                1.0,
                2.5,
                1e6 + 0.5,
                2e6 + 0.25,
                -3.5,
                1234567.0,
                3e9,
                1e-5,
                0.00012345678,
                12345.25,
            ],
            2000,
        ),
        np.floor(rng.exponential(100, 3000)),
        rng.exponential(2e6, 3000),
    ]
    for values in samples:
        delays = Delays()
        for part in np.array_split(values, 3):
            v, c = np.unique(part, return_counts=True)
            delays.add(v, c)
        printed = Counter({word.encode(): n for word, n in delays.printed.items()})
        assert delays.ddist() == ddist_counts(printed)


def test_table_top_orders_as_sorted() -> None:
    """Top rows: the largest value first, ties by key, as sorting the sums would."""
    rng = np.random.default_rng(2)
    table = Table()
    import polars as pl

    for _ in range(12):
        keys = [f"k{int(x)}" for x in rng.integers(0, 300, 200)]
        table.add(pl.DataFrame({"key": keys, "a": rng.integers(0, 5, 200),
                                "b": rng.integers(0, 3, 200)}))  # fmt: skip
    sums = table.sums
    for order in (0, 1):
        want = sorted(sums.items(), key=lambda kv: (-kv[1][order], kv[0]))
        assert table.top(0, order) == want
        assert table.top(7, order) == want[:7]
    key = next(iter(sums))
    assert table.get(key) == sums[key]
    assert table.get("absent") is None
