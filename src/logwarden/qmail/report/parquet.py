"""Export of parsed lines and matched deliveries and messages to Parquet, one directory per
table and per day (``lines/day=2026-11-25/part-00000.parquet``): the layout (Hive-style
partitions, zstd) that polars, DuckDB and Spark all read as one table.

Tables and columns:

- ``lines``: ``ln`` (line number in the input), ``time`` (UTC, null when the line has no
  stamp), ``style``, ``type`` (the seed's six types or other), ``text``;
- ``deliveries`` (matchup's d lines): ``ln``, ``result`` (success, failure, deferral),
  ``birth``, ``start``, ``done`` (UTC), ``ddelay``, ``xdelay`` (seconds), ``bytes``,
  ``sender``, ``channel``, ``recipient``, ``qp``, ``uid``, ``reason``, ``known`` (whether
  the message's info line was seen; if not, birth is the start and bytes, sender, qp and uid
  are null);
- ``messages`` (matchup's m lines): ``ln``, ``birth``, ``done``, ``qtime``, ``bytes``,
  ``nk``, ``nd``, ``nz``, ``sender``, ``qp``, ``uid``.
"""

from __future__ import annotations

import os

import polars as pl

from logwarden.qmail.lines import Style

_STYLES = [str(s) for s in Style]


def _time(column: str) -> pl.Expr:
    seconds = pl.col(column).cast(pl.Float64, strict=False)
    return (seconds * 1e6).round().cast(pl.Int64).cast(pl.Datetime("us", "UTC"))


class Exporter:
    """Writes each chunk's rows as new part files under ``root``."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.part = 0
        for table in ("lines", "deliveries", "messages"):
            os.makedirs(os.path.join(root, table), exist_ok=True)

    def write(self, lines: pl.DataFrame, d: pl.DataFrame, m: pl.DataFrame) -> None:
        """One chunk: ``lines`` (ln, style, ns, text, type) and matchup's d and m rows."""
        rows = lines.select(
            "ln",
            pl.col("ns").cast(pl.Datetime("ns", "UTC")).alias("time"),
            pl.col("style").replace_strict(
                list(range(len(_STYLES))), _STYLES, return_dtype=pl.String
            ),
            pl.col("type"),
            "text",
        )
        known = pl.col("known")
        deliveries = d.select(
            "ln",
            pl.col("prefix")
            .replace_strict({"d k ": "success", "d d ": "failure", "d z ": "deferral"})
            .alias("result"),
            pl.when(known).then(_time("birth")).otherwise(_time("dstart")).alias("birth"),
            _time("dstart").alias("start"),
            _time("ddone").alias("done"),
            (
                pl.col("ddone").cast(pl.Float64, strict=False)
                - pl.when(known).then("birth").otherwise("dstart").cast(pl.Float64, strict=False)
            ).alias("ddelay"),
            (
                pl.col("ddone").cast(pl.Float64, strict=False)
                - pl.col("dstart").cast(pl.Float64, strict=False)
            ).alias("xdelay"),
            pl.when(known).then("bytes").alias("bytes"),
            pl.when(known).then("sender").alias("sender"),
            pl.col("chan").alias("channel"),
            pl.col("recip").alias("recipient"),
            pl.when(known).then("qp").alias("qp"),
            pl.when(known).then("uid").alias("uid"),
            "reason",
            "known",
        )
        messages = m.select(
            "ln",
            _time("birth").alias("birth"),
            _time("done").alias("done"),
            (pl.col("done").cast(pl.Float64, strict=False)
             - pl.col("birth").cast(pl.Float64, strict=False)).alias("qtime"),
            "bytes", "nk", "nd", "nz", "sender", "qp", "uid",
        )  # fmt: skip
        for table, frame, when in (
            ("lines", rows, "time"),
            ("deliveries", deliveries, "done"),
            ("messages", messages, "done"),
        ):
            self._partitioned(table, frame, when)
        self.part += 1

    def _partitioned(self, table: str, frame: pl.DataFrame, when: str) -> None:
        if frame.height == 0:
            return
        day = pl.col(when).dt.date().cast(pl.String).fill_null("unknown").alias("day")
        for (value,), part in frame.with_columns(day).partition_by("day", as_dict=True).items():
            directory = os.path.join(self.root, table, f"day={value}")
            os.makedirs(directory, exist_ok=True)
            path = os.path.join(directory, f"part-{self.part:05d}.parquet")
            part.drop("day").write_parquet(path, compression="zstd")


def scan(root: str, table: str) -> pl.LazyFrame:
    """A table written by :class:`Exporter`, as one lazy frame (with its ``day`` column)."""
    return pl.scan_parquet(os.path.join(root, table, "**", "*.parquet"), hive_partitioning=True)
