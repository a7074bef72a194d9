"""``logwarden query --db FILE [--json|--csv] SQL``: SQL over the event store, read-only."""

from __future__ import annotations

import io

import duckdb
import polars as pl

from logwarden.cli.common import OUTPUT_OPTS, Extras, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import LogwardenError, UsageError
from logwarden.output.terminal import Sanitizer
from logwarden.store import duck

USAGE = """\
Usage: logwarden query --db FILE [--json|--csv] SQL
Run SQL over an event store (read-only: the store cannot be changed through it). The tables
are events, sessions, files, hosts, problems and runs (docs/store.md).

      --db FILE   the store
      --json      one JSON object per row
      --csv       CSV with a header row
  -h, --help      display this help and exit

Example:
  logwarden query --db host.duckdb \\
      "SELECT remote, count(*) FROM events WHERE kind = 'failed_login' GROUP BY 1 ORDER BY 2 DESC"
"""

LONG = [LongOpt("db", Arg.REQUIRED, "d"), LongOpt("help", Arg.NONE, "h"), *OUTPUT_OPTS]

#: Rows fetched at a time: a query over millions of events streams out.
FETCH = 65536


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: "), exit_code=2) from None
    extras = Extras()
    db = None
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "d":
            db = value
    if db is None:
        raise UsageError("--db FILE is required ('logwarden query --help')", exit_code=2)
    if len(parsed.operands) != 1:
        raise UsageError("one SQL statement, quoted as one argument", exit_code=2)
    con = duck.connect(db, read_only=True)
    try:
        try:
            relation = con.sql(parsed.operands[0])
            reader = relation.to_arrow_reader(FETCH) if relation is not None else None
        except duckdb.Error as e:
            raise LogwardenError(f"query failed: {str(e).strip().splitlines()[0]}") from None
        if reader is None:
            return 0
        out = Output(inv, extras.format)
        for batch in reader:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            out.write(frame)
        out.close()
    finally:
        con.close()
    return 0


class Output:
    """Result rows as JSON Lines or CSV as they come, or as one aligned table at the end."""

    def __init__(self, inv: Invocation, fmt: str) -> None:
        self.inv = inv
        self.fmt = fmt
        self.header = True
        self.held: list[pl.DataFrame] = []
        self.clean = sanitizer(inv)

    def write(self, frame: pl.DataFrame) -> None:
        if self.fmt == "json":
            if frame.height:
                text = frame.select(pl.struct(pl.all()).struct.json_encode().alias("j"))["j"]
                self.inv.stdout.write(("\n".join(text.to_list()) + "\n").encode())
        elif self.fmt == "csv":
            if frame.height or self.header:
                buffer = io.BytesIO()
                frame.write_csv(buffer, include_header=self.header)
                self.header = False
                self.inv.stdout.write(buffer.getvalue())
        else:
            self.held.append(frame)

    def close(self) -> None:
        if self.fmt == "text" and self.held:
            self.inv.stdout.write(table(pl.concat(self.held), self.clean))
        self.inv.stdout.flush()


def table(frame: pl.DataFrame, clean: Sanitizer) -> bytes:
    """Aligned columns under a header (values escaped on a terminal)."""
    if not frame.columns:
        return b""
    cells = [[str(c) for c in frame.columns]]
    cells += [["NULL" if v is None else str(v) for v in row] for row in frame.iter_rows()]
    shown = [[clean(c.encode("utf-8", "surrogateescape")) for c in row] for row in cells]
    widths = [max(len(row[i]) for row in shown) for i in range(len(frame.columns))]
    lines = [
        b"  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in shown
    ]
    return b"\n".join(lines) + b"\n"
