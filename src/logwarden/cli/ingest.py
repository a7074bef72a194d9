"""``logwarden ingest --root DIR [--host NAME] [--tz ZONE] --db FILE | --parquet DIR``: a host
root's logs into the event store, reading only what is new since the last ingest."""

from __future__ import annotations

import json
import os

from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.progress import progress
from logwarden.store import duck
from logwarden.store.ingest import total_bytes
from logwarden.store.load import PARQUET_STATE, load_root

USAGE = """\
Usage: logwarden ingest --root DIR [--host NAME] [--tz ZONE] --db FILE
       logwarden ingest --root DIR [--host NAME] [--tz ZONE] --parquet DIR [--db FILE]
Load every log found under a host's root directory (utmp, wtmp, btmp, lastlog, pacct,
syslog files, sulog, sudo's log, Apache's logs, qmail's multilog and syslog lines; their
rotations, compressed or not) into an event store. Run it again later: only what was
appended since is read, rotated files are recognised, no event is loaded twice.

      --root DIR      the host's root (/ for this machine, or a copy of another host's)
      --host NAME     the host's name in the store (default: ROOT/etc/hostname)
      --tz ZONE       the host's time zone (default: ROOT/etc/localtime)
      --db FILE       the DuckDB store (created if need be)
      --parquet DIR   also (or only) write the events as a Parquet dataset partitioned
                      by host and day
      --json          the summary as one JSON object
  -h, --help          display this help and exit

Problems found in the files (damaged records, junk lines, unreadable files) are reported on
standard error and kept in the store's problems table; they never stop the ingest.
Exit status: 0 loaded (problems or not), 1 the store or root could not be used, 2 usage.
"""

LONG = [
    LongOpt("root", Arg.REQUIRED, "r"),
    LongOpt("host", Arg.REQUIRED, "H"),
    LongOpt("tz", Arg.REQUIRED, "z"),
    LongOpt("db", Arg.REQUIRED, "d"),
    LongOpt("parquet", Arg.REQUIRED, "p"),
    LongOpt("json", Arg.NONE, "j"),
    LongOpt("help", Arg.NONE, "h"),
]


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: "), exit_code=2) from None
    root = host = tz = db = parquet = None
    as_json = False
    for opt, value in parsed.options:
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "r":
            root = value
        elif opt == "H":
            host = value
        elif opt == "z":
            tz = value
        elif opt == "d":
            db = value
        elif opt == "p":
            parquet = value
        elif opt == "j":
            as_json = True
    if parsed.operands:
        raise UsageError(f"unexpected argument '{parsed.operands[0]}'", exit_code=2)
    if root is None:
        raise UsageError("--root DIR is required ('logwarden ingest --help')", exit_code=2)
    if db is None and parquet is None:
        raise UsageError("where to? --db FILE or --parquet DIR", exit_code=2)
    state = db if db is not None else os.path.join(parquet or ".", PARQUET_STATE)
    if parquet is not None:
        os.makedirs(parquet, exist_ok=True)
    con = duck.connect(state)
    try:
        with progress(f"ingesting {root}", total_bytes(root), inv.stdout) as advance:
            loaded = load_root(con, root, host=host, tz=tz, parquet=parquet,
                               to_table=db is not None, advance=advance)  # fmt: skip
    finally:
        con.close()
    for note in loaded.notes:
        inv.warn(note)
    for problem in loaded.outcome.problems:
        inv.warn(str(problem))
    outcome = loaded.outcome
    if as_json:
        summary = {
            "host": loaded.host,
            "files": outcome.files,
            "events": outcome.events,
            "problems": [
                {"path": p.shown, "offset": p.offset, "message": p.message, "count": p.count}
                for p in outcome.problems
            ],
        }
        inv.stdout.write(json.dumps(summary).encode() + b"\n")
    else:
        plural = "s" if len(outcome.problems) != 1 else ""
        inv.stdout.write(
            f"{loaded.host}: {outcome.events} new events from {outcome.files} files"
            f" ({len(outcome.problems)} problem{plural})\n".encode()
        )
    return 0
