"""Reading a test host root into events, in process, the way ingest does."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from logwarden.events.context import Problem
from logwarden.store import duck
from logwarden.store.load import load_root
from logwarden.timeline.select import Filters, batches


def memory_store() -> duckdb.DuckDBPyConnection:
    """An empty store held in memory."""
    con = duckdb.connect(":memory:")
    for ddl in duck._TABLES:
        con.execute(ddl)
    con.execute("INSERT INTO meta VALUES ('version', ?)", [str(duck.VERSION)])
    return con


def events_of(
    root: Path, con: duckdb.DuckDBPyConnection | None = None, **options: str
) -> tuple[pl.DataFrame, list[Problem]]:
    """Every event of ``root`` in timeline order (after ingesting it into ``con``, a fresh
    store by default), and the problems this ingest found."""
    con = con if con is not None else memory_store()
    loaded = load_root(con, str(root), **options)  # type: ignore[arg-type]
    frames = list(batches(con, Filters()))
    frame = pl.concat(frames) if frames else pl.DataFrame()
    return frame, loaded.outcome.problems
