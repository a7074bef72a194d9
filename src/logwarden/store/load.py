"""Loading a host root into a store: what ``ingest`` does, and what ``timeline --root`` does
into a store held in memory."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from logwarden.errors import LogwardenError
from logwarden.events.context import open_host
from logwarden.events.zone import HostZone, from_file, named
from logwarden.store import duck
from logwarden.store.ingest import Ingest, Outcome
from logwarden.store.parquet import ParquetSink, remove_uncommitted

#: Where a Parquet dataset written without ``--db`` keeps what ingest knows of the files.
PARQUET_STATE = "_logwarden_state.duckdb"


@dataclass
class Loaded:
    """One host loaded: its name, what the ingest did, notes (its zone, ...)."""

    host: str
    outcome: Outcome
    notes: list[str]


def load_root(
    con: duckdb.DuckDBPyConnection,
    root: str,
    *,
    host: str | None = None,
    tz: str | None = None,
    parquet: str | None = None,
    to_table: bool = True,
    advance: Callable[[int], None] = lambda _n: None,
) -> Loaded:
    """Ingest the logs under ``root`` into the store open on ``con`` (and a Parquet dataset)."""
    if not os.path.isdir(root):
        raise LogwardenError(f"{root}: not a directory (--root takes a host's root directory)")
    zone = named(tz) if tz is not None else None
    ctx = open_host(os.path.abspath(root), host, zone)
    store = duck.Store(con)
    run = store.start_run(ctx.host)
    sink = None
    if parquet is not None:
        remove_uncommitted(parquet, store.committed_parts())
        sink = ParquetSink(parquet, run)
    store.set_host(ctx.host, ctx.root, ctx.zone.name, ctx.zone.data)
    outcome = Ingest(ctx, store, run, sink, to_table, advance).run_all()
    store.add_problems(
        run,
        ctx.host,
        [(p.shown, p.offset, p.message, p.count) for p in outcome.problems],
    )
    store.finish_run(run, outcome.files, outcome.events)
    return Loaded(ctx.host, outcome, list(ctx.notes))


def zones(con: duckdb.DuckDBPyConnection) -> dict[str, HostZone]:
    """Each host's zone as ingest recorded it."""
    out: dict[str, HostZone] = {}
    for host, name, data in con.execute("SELECT host, zone_name, zone_data FROM hosts").fetchall():
        if data:
            import io
            from zoneinfo import ZoneInfo

            out[host] = HostZone(
                ZoneInfo.from_file(io.BytesIO(bytes(data)), key=name), name, bytes(data)
            )
        elif name:
            try:
                out[host] = named(name)
            except LogwardenError:
                continue
    return out


__all__ = ["PARQUET_STATE", "Loaded", "from_file", "load_root", "zones"]
