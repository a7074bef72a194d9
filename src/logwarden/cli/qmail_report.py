"""``logwarden qmail report [OPTION]... [LOG]...``: every statistic of the logs in one pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from logwarden.cli.common import OUTPUT_OPTS, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.progress import progress
from logwarden.qmail.report.build import Filters, Reader, read
from logwarden.qmail.report.parquet import Exporter
from logwarden.qmail.report.tables import tables
from logwarden.qmail.report.text import render
from logwarden.qmail.when import parse_time
from logwarden.sources.logset import chunks, expand, plain_file, pread_chunks, total_size

USAGE = """\
Usage: logwarden qmail report [OPTION]... [LOG]...
Read qmail-send logs (any stamp style, plain or compressed, rotated sets, multilog
directories; standard input by default) in one pass and report: the overall numbers of
matchup | zoverall, lines by type, top senders, recipients, hosts, deferral and failure
reasons, the delivery delay distribution, queue concurrency with advice, and alerts.

      --since TIME       only lines from TIME on (YYYY-MM-DD[ HH:MM[:SS]], @SECONDS,
                         today, yesterday; local time)
      --until TIME       only lines before TIME
      --sender ADDRESS   only mail from ADDRESS (lower case; '' for bounces)
      --recipient ADDR   only deliveries to ADDR (user@host or local.user@host) and the
                         messages they belong to
      --top N            rows in each top table (default 10; 0: all)
  -o, --output FILE      write a self-contained HTML report to FILE
      --parquet DIR      also export parsed lines, deliveries and messages to Parquet
                         files under DIR, partitioned by day
      --json             one JSON object per table row, with a "table" field
      --csv              the rows of one table as CSV (see --table)
      --table NAME       the table for --csv: overall, types, senders, recipients, hosts,
                         deferrals, failures, ddist, queue, alerts (default overall)
  -h, --help             display this help and exit
"""

LONG = [
    LongOpt("since", Arg.REQUIRED, "S"),
    LongOpt("until", Arg.REQUIRED, "U"),
    LongOpt("sender", Arg.REQUIRED, "f"),
    LongOpt("recipient", Arg.REQUIRED, "r"),
    LongOpt("top", Arg.REQUIRED, "n"),
    LongOpt("output", Arg.REQUIRED, "o"),
    LongOpt("parquet", Arg.REQUIRED, "P"),
    LongOpt("table", Arg.REQUIRED, "t"),
    LongOpt("help", Arg.NONE, "h"),
    *OUTPUT_OPTS,
]


def whole_lines(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """Re-cut chunks at line ends, holding back the last whole line of each: a split line's
    pieces (splogger's ``+`` lines, wrapped lines) follow their line, so they never land in
    another chunk than the line. A last line without a newline gets one."""
    held = b""
    for data in pieces:
        data = held + data
        end = data.rfind(b"\n")
        if end < 0:
            held = data
            continue
        cut = data.rfind(b"\n", 0, end) + 1
        held = data[cut:]
        if cut:
            yield data[:cut]
    if held:
        yield held if held.endswith(b"\n") else held + b"\n"


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "o:h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: ")) from None
    extras = Extras()
    filters = Filters()
    top, html, parquet, table = 10, None, None, "overall"
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        v = value or ""
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "S":
            filters.since_ns = parse_time(v)
        elif opt == "U":
            filters.until_ns = parse_time(v)
        elif opt == "f":
            filters.sender = v.lower()
        elif opt == "r":
            filters.recipient = v.lower()
        elif opt == "n":
            if not v.isdigit():
                raise UsageError(f"--top wants a number, not '{v}'")
            top = int(v)
        elif opt == "o":
            html = v
        elif opt == "P":
            parquet = v
        elif opt == "t":
            table = v
    paths = expand(parsed.operands or ["-"])
    reader = Reader(filters, exporter=Exporter(parquet) if parquet is not None else None)
    with progress("reading qmail logs", total_size(paths), inv.stdout) as advance:
        read(reader, (data for f in _per_file(paths, advance) for data in f))
    report = reader.report
    if html is not None:
        from logwarden.qmail.report.html import write_html

        write_html(report, html, top)
    every = tables(report, top)
    if extras.format == "json":
        out = rows_out(inv, extras, ())
        for name, rows in every.items():
            for row in rows.rows:
                out.write({"table": name, **dict(zip(rows.fields, row, strict=True))})
        out.close()
    elif extras.format == "csv":
        if table not in every:
            raise UsageError(f"unknown table '{table}': {', '.join(every)}")
        chosen = every[table]
        out = rows_out(inv, extras, chosen.fields)
        for row in chosen.rows:
            out.write(dict(zip(chosen.fields, row, strict=True)))
        out.close()
    elif html is None:
        inv.stdout.write(render(report, sanitizer(inv), top))
    return 0


#: Bytes per chunk: a few chunks are in memory at once (read ahead, paired, summed), each
#: several times over as columns, so this keeps the report well under 1 GB.
REPORT_CHUNK = 16 << 20


def _ended(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, the last one given a newline if it has none (as :func:`whole_lines`)."""
    for data in pieces:
        yield data if data.endswith(b"\n") else data + b"\n"


def _per_file(paths: list[str], advance: Callable[[int], None]) -> Iterator[Iterator[bytes]]:
    for path in paths:
        if path != "-":
            with open(path, "rb") as f:
                if plain_file(f.fileno()):
                    # Iterated before the file is closed: the caller takes all of a file's
                    # chunks before asking for the next file.
                    yield _ended(pread_chunks(f.fileno(), REPORT_CHUNK, True, advance))
                    continue
        yield whole_lines(c.data for c in chunks([path], size=REPORT_CHUNK, advance=advance))
