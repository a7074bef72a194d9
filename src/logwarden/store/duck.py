"""The store: one DuckDB file with the events of every host ingested, and what ingest knows.

Tables (docs/store.md describes every column):

``events``    one row per event (:mod:`logwarden.events.schema`)
``sessions``  login sessions, with what each one did (``timeline --sessions`` fills it)
``files``     every log file ingest has read: its identity and how far it was read
``hosts``     each host: its root, its time zone (the tzfile's bytes), when it was ingested
``problems``  what was wrong with the files (damaged records, junk lines, ...)
``runs``      each ingest: when, which host, how many events (and, for a Parquet dataset,
              how many of its parts were committed)

The file is opened only for as long as a command runs (DuckDB locks it against other
writers while it is open: no daemon holds it). A batch of events and the position it brings
its file to are committed in one transaction, so an ingest killed at any point resumes where
its last commit left off and never loads an event twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from logwarden.errors import LogwardenError
from logwarden.events import schema
from logwarden.events.source import Position

#: Bumped when a table changes; a store of another version is refused with a clear message.
VERSION = 1

_TABLES = (
    schema.ddl("events"),
    """CREATE TABLE IF NOT EXISTS files (
        file_id BIGINT PRIMARY KEY, host VARCHAR, path VARCHAR, source_kind VARCHAR,
        dev UBIGINT, inode UBIGINT, size BIGINT, head_len INTEGER, head_hash VARCHAR,
        "offset" BIGINT, record BIGINT, carry VARCHAR, first_read TIMESTAMPTZ,
        last_read TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS hosts (
        host VARCHAR PRIMARY KEY, root VARCHAR, zone_name VARCHAR, zone_data BLOB,
        first_ingest TIMESTAMPTZ, last_ingest TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS problems (
        run BIGINT, host VARCHAR, path VARCHAR, "offset" BIGINT, message VARCHAR,
        count BIGINT)""",
    """CREATE TABLE IF NOT EXISTS runs (
        run BIGINT PRIMARY KEY, host VARCHAR, started TIMESTAMPTZ, finished TIMESTAMPTZ,
        files BIGINT, events BIGINT, parquet_parts BIGINT)""",
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
)


@dataclass
class FileRow:
    """One row of ``files``."""

    file_id: int
    host: str
    path: str
    source_kind: str
    dev: int
    inode: int
    size: int
    head_len: int
    head_hash: str
    position: Position


def connect(path: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store at ``path`` (created unless ``read_only``); a clear error otherwise."""
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as e:
        raise LogwardenError(f"{path}: cannot open the store: {_first_line(e)}") from None
    except duckdb.Error as e:
        raise LogwardenError(f"{path}: not a logwarden store: {_first_line(e)}") from None
    if read_only:
        _check_version(con, path)
        return con
    for ddl in _TABLES:
        con.execute(ddl)
    con.execute("INSERT OR IGNORE INTO meta VALUES ('version', ?)", [str(VERSION)])
    _check_version(con, path)
    return con


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _check_version(con: duckdb.DuckDBPyConnection, path: str) -> None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchall()
        row = rows[0] if rows else None
    except duckdb.Error:
        raise LogwardenError(f"{path}: not a logwarden store (no meta table)") from None
    if row is None or row[0] != str(VERSION):
        found = row[0] if row else "none"
        raise LogwardenError(f"{path}: a logwarden store of version {found}, not {VERSION}")


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    """An open store for one ingest run."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    # ---------------------------------------------------------------- runs and hosts

    def start_run(self, host: str) -> int:
        run = int(self.con.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchall()[0][0])
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, NULL, 0, 0, 0)", [run, host, now()])
        return run

    def finish_run(self, run: int, files: int, events: int) -> None:
        self.con.execute(
            "UPDATE runs SET finished = ?, files = ?, events = ? WHERE run = ?",
            [now(), files, events, run],
        )

    def set_host(self, host: str, root: str, zone_name: str, zone_data: bytes | None) -> None:
        stamp = now()
        self.con.execute(
            """INSERT INTO hosts VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (host) DO UPDATE SET root = excluded.root,
               zone_name = excluded.zone_name, zone_data = excluded.zone_data,
               last_ingest = excluded.last_ingest""",
            [host, root, zone_name, zone_data, stamp, stamp],
        )

    def add_problems(
        self, run: int, host: str, problems: list[tuple[str, int | None, str, int]]
    ) -> None:
        if problems:
            self.con.executemany(
                "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run, host, path, offset, message, count)
                    for path, offset, message, count in problems
                ],
            )

    def committed_parts(self) -> dict[int, int]:
        """Parquet parts each run committed."""
        rows = self.con.execute("SELECT run, parquet_parts FROM runs").fetchall()
        return {int(run): int(parts or 0) for run, parts in rows}

    # ---------------------------------------------------------------- files

    def files(self, host: str) -> list[FileRow]:
        rows = self.con.execute(
            """SELECT file_id, host, path, source_kind, dev, inode, size, head_len, head_hash,
                      "offset", record, carry FROM files WHERE host = ? ORDER BY file_id""",
            [host],
        ).fetchall()
        return [
            FileRow(
                r[0],
                r[1],
                r[2],
                r[3],
                int(r[4]),
                int(r[5]),
                r[6],
                r[7],
                r[8],
                Position(r[9], r[10], json.loads(r[11]) if r[11] else {}),
            )
            for r in rows
        ]

    def new_file_id(self) -> int:
        return int(
            self.con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM files").fetchall()[0][0]
        )

    def save_file(self, row: FileRow, *, new: bool) -> None:
        values: list[Any] = [
            row.host, row.path, row.source_kind, row.dev, row.inode, row.size, row.head_len,
            row.head_hash, row.position.offset, row.position.record,
            json.dumps(row.position.carry), now(),
        ]  # fmt: skip
        if new:
            self.con.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [row.file_id, *values[:-1], values[-1], values[-1]],
            )
        else:
            self.con.execute(
                """UPDATE files SET host = ?, path = ?, source_kind = ?, dev = ?, inode = ?,
                   size = ?, head_len = ?, head_hash = ?, "offset" = ?, record = ?, carry = ?,
                   last_read = ? WHERE file_id = ?""",
                [*values, row.file_id],
            )

    # ---------------------------------------------------------------- events

    def commit(self, events: pl.DataFrame, row: FileRow, *, new: bool, run: int,
               parquet_parts: int | None = None) -> None:  # fmt: skip
        """Events and their file's new position (and the run's count of Parquet parts
        written), in one transaction."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            if events.height:
                self.con.register("_batch", events.select(schema.NAMES))
                try:
                    self.con.execute("INSERT INTO events SELECT * FROM _batch")
                finally:
                    self.con.unregister("_batch")
            self.save_file(row, new=new)
            if parquet_parts is not None:
                self.con.execute(
                    "UPDATE runs SET parquet_parts = ? WHERE run = ?", [parquet_parts, run]
                )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
