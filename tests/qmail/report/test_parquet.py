"""--parquet DIR: lines, deliveries and messages, partitioned by day, read back as tables
that agree with the report."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from logwarden.qmail.report.build import Reader
from logwarden.qmail.report.parquet import Exporter, scan
from logwarden.qmail.simulate import Settings, simulated_bytes

from support.reference import ours


def test_export_agrees_with_the_report(tmp_path: Path) -> None:
    """Row counts and sums read back from Parquet are the report's numbers."""
    log = simulated_bytes(Settings(seed=2, max_seconds=2 * 86400, rate=0.05, style="multilog"))
    reader = Reader(exporter=Exporter(str(tmp_path)))
    half = log.index(b"\n", len(log) // 2) + 1
    reader.add(log[:half])
    reader.add(log[half:])
    o = reader.report.overall
    lines = scan(str(tmp_path), "lines").collect()
    deliveries = scan(str(tmp_path), "deliveries").collect()
    messages = scan(str(tmp_path), "messages").collect()
    assert lines.height == log.count(b"\n")
    assert deliveries.height == o.deliveries
    assert messages.height == o.messages
    assert int(messages["bytes"].sum()) == o.mbytes
    assert (deliveries["result"] == "success").sum() == o.succ
    assert abs(float(deliveries["xdelay"].sum()) - o.xdelay) < 1e-3
    days = sorted(p.name for p in (tmp_path / "deliveries").iterdir())
    assert len(days) >= 2
    assert all(d.startswith("day=20") for d in days)
    assert set(lines["type"].unique()) <= {"status", "fatal", "serious", "message", "delivery",
                                           "warning", "other"}  # fmt: skip


def test_cli_option(tmp_path: Path) -> None:
    """logwarden qmail report --parquet DIR writes the three tables."""
    log = tmp_path / "current"
    log.write_bytes(simulated_bytes(Settings(seed=1, max_messages=300)))
    got = ours("qmail", ["report", "--parquet", str(tmp_path / "pq"), str(log)])
    assert got.status == 0, got.stderr
    for table in ("lines", "deliveries", "messages"):
        assert scan(str(tmp_path / "pq"), table).select(pl.len()).collect().item() > 0
