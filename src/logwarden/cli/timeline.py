"""``logwarden timeline``: every event of a host in time order, from the store or a root."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import duckdb

from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.events.zone import UTC_ZONE, HostZone, named
from logwarden.output.terminal import is_terminal
from logwarden.progress import progress
from logwarden.store import duck
from logwarden.store.ingest import total_bytes
from logwarden.store.load import load_root, zones
from logwarden.timeline import render
from logwarden.timeline.select import Filters, batches

USAGE = """\
Usage: logwarden timeline [--db FILE | --root DIR] [OPTION]...
Every event of a host in time order: logins and logouts, failed logins, boots, commands,
su and sudo, syslog lines, mail, web requests. From an event store (--db), or read straight
from a host's root directory (--root, default /).

      --db FILE          read the events from this store (logwarden ingest)
      --root DIR         read the logs under this root (default /)
      --host NAME        only this host's events (with --root: the host's name)
      --tz ZONE          the host's time zone (with --root; default ROOT/etc/localtime)
      --since TIME       events at or after TIME (YYYY-MM-DD[ HH:MM[:SS]][+hh:mm|Z]; local
                         time of the host without a zone)
      --until TIME       events before TIME
      --user NAME        only events of this user (repeatable)
      --kind KIND        only events of this kind (repeatable, or a comma list; KIND* for
                         every kind that starts so: mail_*)
      --grep REGEX       only events whose message matches REGEX
      --utc              show times in UTC instead of the host's local time
      --format FORMAT    text (default), jsonl (Timesketch's fields included) or csv
      --json, --csv      the same as --format jsonl, --format csv
  -h, --help             display this help and exit

In text, a * after the time marks a year that was inferred (the stamp had none).
Exit status: 0 events shown, 1 none matched, 2 usage or unreadable store.
"""

LONG = [
    LongOpt("db", Arg.REQUIRED, "d"),
    LongOpt("root", Arg.REQUIRED, "r"),
    LongOpt("host", Arg.REQUIRED, "H"),
    LongOpt("tz", Arg.REQUIRED, "z"),
    LongOpt("since", Arg.REQUIRED, "S"),
    LongOpt("until", Arg.REQUIRED, "U"),
    LongOpt("user", Arg.REQUIRED, "u"),
    LongOpt("kind", Arg.REQUIRED, "k"),
    LongOpt("grep", Arg.REQUIRED, "g"),
    LongOpt("utc", Arg.NONE, "utc"),
    LongOpt("format", Arg.REQUIRED, "f"),
    LongOpt("json", Arg.NONE, "json"),
    LongOpt("csv", Arg.NONE, "csv"),
    LongOpt("help", Arg.NONE, "h"),
]

_WHEN = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?(Z|[+-]\d\d:?\d\d)?$")


def parse_time(text: str, zone: HostZone) -> datetime:
    """``YYYY-MM-DD[ HH:MM[:SS]][zone]``; without a zone, the host's local time."""
    m = _WHEN.match(text.strip())
    if m is None:
        raise UsageError(f"cannot read the time {text!r}: use YYYY-MM-DD[ HH:MM[:SS]]", exit_code=2)
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    h, mi, s = (int(g) if g else 0 for g in (m.group(4), m.group(5), m.group(6)))
    try:
        if m.group(7) is None:
            return datetime.fromtimestamp(zone.utc(y, mo, d, h, mi, s), UTC)
        zone_text = m.group(7)
        offset = 0
        if zone_text != "Z":
            digits = zone_text[1:].replace(":", "")
            offset = (int(digits[:2]) * 60 + int(digits[2:])) * (-1 if zone_text[0] == "-" else 1)
        local = datetime(y, mo, d, h, mi, s, tzinfo=UTC) - timedelta(minutes=offset)
        return local
    except ValueError as e:
        raise UsageError(f"cannot read the time {text!r}: {e}", exit_code=2) from None


class _Options:
    def __init__(self) -> None:
        self.db: str | None = None
        self.root: str | None = None
        self.host: str | None = None
        self.tz: str | None = None
        self.since: str | None = None
        self.until: str | None = None
        self.format = "text"
        self.utc = False
        self.filters = Filters()


def _parse(inv: Invocation) -> _Options | None:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: "), exit_code=2) from None
    o = _Options()
    for opt, value in parsed.options:
        arg = value or ""
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return None
        if opt == "d":
            o.db = arg
        elif opt == "r":
            o.root = arg
        elif opt == "H":
            o.host = arg
        elif opt == "z":
            o.tz = arg
        elif opt == "S":
            o.since = arg
        elif opt == "U":
            o.until = arg
        elif opt == "u":
            o.filters.users.append(arg)
        elif opt == "k":
            o.filters.kinds.extend(k.strip() for k in arg.split(",") if k.strip())
        elif opt == "g":
            o.filters.grep = arg
        elif opt == "utc":
            o.utc = True
        elif opt in ("f", "json", "csv"):
            wanted = {"json": "jsonl", "csv": "csv"}.get(opt, arg)
            if wanted not in render.FORMATS:
                raise UsageError(f"--format {arg!r}: text, jsonl or csv", exit_code=2)
            o.format = wanted
    if parsed.operands:
        raise UsageError(f"unexpected argument '{parsed.operands[0]}'", exit_code=2)
    if o.db is not None and o.root is not None:
        raise UsageError("--db and --root cannot be combined", exit_code=2)
    return o


def main(inv: Invocation) -> int:
    options = _parse(inv)
    if options is None:
        return 0
    if options.db is not None:
        if not os.path.exists(options.db):
            raise UsageError(
                f"{options.db}: no such store (logwarden ingest makes one)", exit_code=2
            )
        con = duck.connect(options.db, read_only=True)
        if options.host is not None:
            options.filters.hosts.append(options.host)
    else:
        con = duckdb.connect(":memory:")
        for ddl in duck._TABLES:
            con.execute(ddl)
        con.execute("INSERT INTO meta VALUES ('version', ?)", [str(duck.VERSION)])
        root = options.root or "/"
        with progress(f"reading {root}", total_bytes(root), inv.stdout) as advance:
            loaded = load_root(con, root, host=options.host, tz=options.tz, advance=advance)
        for note in loaded.notes:
            inv.warn(note)
        for problem in loaded.outcome.problems:
            inv.warn(str(problem))
    try:
        return _show(inv, con, options)
    finally:
        con.close()


def _show(inv: Invocation, con: duckdb.DuckDBPyConnection, options: _Options) -> int:
    host_zones = zones(con)
    if options.tz is not None:
        forced = named(options.tz)
        host_zones = dict.fromkeys(host_zones, forced)
    zone_for_times = UTC_ZONE
    if options.tz is not None:
        zone_for_times = named(options.tz)
    elif len(host_zones) == 1:
        zone_for_times = next(iter(host_zones.values()))
    if options.since is not None:
        options.filters.since = parse_time(options.since, zone_for_times)
    if options.until is not None:
        options.filters.until = parse_time(options.until, zone_for_times)
    if options.utc:
        host_zones = dict.fromkeys(host_zones, UTC_ZONE)
    renderer: render.Renderer
    if options.format == "jsonl":
        renderer = render.JsonLines(inv.stdout)
    elif options.format == "csv":
        renderer = render.Csv(inv.stdout)
    else:
        renderer = render.Text(inv.stdout, host_zones, terminal=is_terminal(inv.stdout),
                               show_host=len(host_zones) > 1)  # fmt: skip
    shown = 0
    for frame in batches(con, options.filters):
        renderer.write(frame)
        shown += frame.height
    renderer.close()
    return 0 if shown else 1
