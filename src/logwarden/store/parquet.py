"""Events as a Parquet dataset partitioned by host and day: the form a fleet shares.

``DIR/host=NAME/day=YYYY-MM-DD/part-RRRRRR-SSSSSS.parquet`` (zstd), the day being the UTC
date of the events, ``R`` the ingest run and ``S`` the part's number in it. DuckDB, polars and
Spark read the directory as one table with ``host`` and ``day`` columns (hive partitioning).

Each part is written under a temporary name, synced, renamed into place, and the directory
synced; then the run's count of committed parts is stored in the same transaction as the
files' positions. A part beyond that count (an ingest killed between the rename and the
commit) is removed by the next ingest, so the dataset never holds an event twice.
"""

from __future__ import annotations

import os
import re
from datetime import date

import polars as pl

from logwarden.events import schema

_PART = re.compile(r"^part-(\d{6,})-(\d{6,})\.parquet$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def partition_name(host: str) -> str:
    """A host name as a directory name (anything but letters, digits, ``.``, ``_`` and
    ``-`` written ``%XX``)."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), host)


class ParquetSink:
    """Writes one run's batches into the dataset at ``directory``."""

    def __init__(self, directory: str, run: int) -> None:
        self.directory = directory
        self.run = run
        self.parts = 0
        os.makedirs(directory, exist_ok=True)

    def write(self, events: pl.DataFrame) -> int:
        """Write ``events`` as one part per (host, day); the run's part count after it."""
        if events.height == 0:
            return self.parts
        days = events.with_columns(pl.col("time").dt.date().alias("_day"))
        for (host, day), part in days.partition_by(["host", "_day"], as_dict=True).items():
            assert isinstance(day, date)
            self._write_part(str(host), day, part.drop("_day").select(schema.NAMES))
        return self.parts

    def _write_part(self, host: str, day: date, part: pl.DataFrame) -> None:
        where = os.path.join(
            self.directory, f"host={partition_name(host)}", f"day={day.isoformat()}"
        )
        os.makedirs(where, exist_ok=True)
        self.parts += 1
        name = f"part-{self.run:06d}-{self.parts:06d}.parquet"
        final = os.path.join(where, name)
        temporary = os.path.join(where, f".{name}.tmp")
        # host and day are the partition's names, as hive partitioning gives them back.
        part.drop("host").write_parquet(temporary, compression="zstd", statistics=True)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, final)
        _fsync_dir(where)


def remove_uncommitted(directory: str, committed: dict[int, int]) -> int:
    """Remove parts (and temporary files) no committed run accounts for; how many."""
    removed = 0
    if not os.path.isdir(directory):
        return 0
    for where, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(where, name)
            if name.startswith(".part-") and name.endswith(".tmp"):
                os.unlink(path)
                removed += 1
                continue
            m = _PART.match(name)
            if m is None:
                continue
            run, part = int(m.group(1)), int(m.group(2))
            if part > committed.get(run, 0):
                os.unlink(path)
                removed += 1
    return removed
