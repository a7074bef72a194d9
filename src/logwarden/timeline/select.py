"""Which events a timeline shows: the filters, as SQL over the store's ``events`` table.

Every value from the command line is a query parameter, never part of the SQL text. The
same query runs on a store file (``--db``) and on the in-memory store a ``--root`` is read
into, so a timeline read straight from a root and one read back from its store are the same
rows in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from logwarden.errors import UsageError
from logwarden.events import schema

#: Events in time order; ties (one second of pacct, a burst of syslog lines) in the order of
#: their files and offsets, so the order is the same on every run.
ORDER = 'ORDER BY time, host, source, "offset"'


@dataclass
class Filters:
    """What the command line asked for (empty lists: no filter)."""

    since: datetime | None = None
    until: datetime | None = None
    users: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    grep: str | None = None

    def where(self) -> tuple[str, list[object]]:
        """The WHERE clause (``TRUE`` for none) and its parameters."""
        terms: list[str] = []
        params: list[object] = []
        if self.since is not None:
            terms.append("time >= ?")
            params.append(self.since)
        if self.until is not None:
            terms.append("time < ?")
            params.append(self.until)
        for column, values in (("user", self.users), ("host", self.hosts)):
            if values:
                terms.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
                params.extend(values)
        if self.kinds:
            ors = []
            for kind in self.kinds:
                if kind.endswith("*"):
                    ors.append("starts_with(kind, ?)")
                    params.append(kind[:-1])
                else:
                    ors.append("kind = ?")
                    params.append(kind)
            terms.append("(" + " OR ".join(ors) + ")")
        if self.grep is not None:
            terms.append("regexp_matches(message, ?)")
            params.append(self.grep)
        return (" AND ".join(terms) if terms else "TRUE"), params


def query(filters: Filters) -> tuple[str, list[object]]:
    """The SELECT of the filtered events, in timeline order."""
    where, params = filters.where()
    columns = ", ".join(f'"{name}"' for name in schema.NAMES)
    return f"SELECT {columns} FROM events WHERE {where} {ORDER}", params


def batches(
    con: duckdb.DuckDBPyConnection, filters: Filters, size: int = 65536
) -> Iterator[pl.DataFrame]:
    """The filtered events in timeline order, ``size`` at a time (memory stays bounded
    whatever the size of the store)."""
    sql, params = query(filters)
    try:
        reader = con.sql(sql, params=params).to_arrow_reader(size)
    except duckdb.Error as e:
        message = str(e).strip().splitlines()[0]
        raise UsageError(f"cannot select the events: {message}") from None
    for record_batch in reader:
        frame = pl.from_arrow(record_batch)
        assert isinstance(frame, pl.DataFrame)
        yield frame.with_columns(pl.col("time").dt.convert_time_zone("UTC"))
