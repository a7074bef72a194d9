"""``logwarden qmail alerts [OPTION]... [LOG]...``: what is wrong with qmail, explained.

Exit status 0: no fatal or serious problem; 2: at least one (so that cron can mail it);
1: the logs could not be read or the options were wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from logwarden.cli.common import OUTPUT_OPTS, Extras, rows_out, sanitizer
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.progress import progress
from logwarden.qmail import alerts as alerts_mod
from logwarden.qmail.grammar import Category, Kind
from logwarden.qmail.queue import QueueStats, analyse
from logwarden.qmail.scan import Tally, Typed, scan
from logwarden.qmail.when import iso_time, parse_time, show_time
from logwarden.sources.logset import chunks, expand, total_size

USAGE = """\
Usage: logwarden qmail alerts [OPTION]... [LOG]...
List qmail-send's fatal and serious problems and its warnings, grouped, counted and
explained (the seed's tables 16 to 19), with the queue's concurrency advice.
LOG is a file (plain, gzip, bzip2 or xz), a multilog directory or - for standard input
(the default); rotated sets are read oldest first.

      --since TIME   only lines from TIME on (YYYY-MM-DD[ HH:MM[:SS]], @SECONDS, today,
                     yesterday; local time)
      --until TIME   only lines before TIME
      --json         one JSON object per problem
      --csv          the same as CSV
  -h, --help         display this help and exit

Exit status: 0 no fatal or serious problem, 2 at least one, 1 trouble.
"""

LONG = [
    LongOpt("since", Arg.REQUIRED, "S"),
    LongOpt("until", Arg.REQUIRED, "U"),
    LongOpt("help", Arg.NONE, "h"),
    *OUTPUT_OPTS,
]

#: Exit status when a fatal or serious problem was found.
EXIT_PROBLEMS = 2


def _window(typed: Iterator[Typed], since: int | None, until: int | None) -> Iterator[Typed]:
    for t in typed:
        ns = t.prefixed.unix_ns
        if ns is not None:
            if since is not None and ns < since:
                continue
            if until is not None and ns >= until:
                continue
        yield t


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: ")) from None
    extras = Extras()
    since = until = None
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "S" and value is not None:
            since = parse_time(value)
        elif opt == "U" and value is not None:
            until = parse_time(value)
    paths = expand(parsed.operands or ["-"])
    tally = Tally()
    found: list[tuple[int, int | None, object]] = []
    status_rows: list[tuple[int, int, int, int, int]] = []
    with progress("reading qmail logs", total_size(paths), inv.stdout) as advance:
        for t in _window(scan(chunks(paths, advance=advance), tally), since, until):
            event = t.event
            if event.kind is Kind.ALERT or event.kind is Kind.WARNING:
                found.append((t.number, t.prefixed.unix_ns, event))
            elif event.kind is Kind.STATUS and event.local is not None:
                ns = t.prefixed.unix_ns
                status_rows.append(
                    (
                        -1 if ns is None else ns,
                        event.local,
                        event.local_max or 0,
                        event.remote or 0,
                        event.remote_max or 0,
                    )
                )
    grouped = alerts_mod.collect(found)  # type: ignore[arg-type]
    queue = _queue(status_rows)
    if extras.rows:
        out = rows_out(inv, extras, alerts_mod.FIELDS)
        for row in alerts_mod.rows(grouped, iso_time):
            out.write(row)
        out.close()
    else:
        clean = sanitizer(inv)
        inv.stdout.write(alerts_mod.render(grouped, show_time, clean))
        inv.stdout.write(_queue_text(queue))
        inv.stdout.write(_input_text(tally))
    worst = alerts_mod.worst(grouped)
    return EXIT_PROBLEMS if worst in (Category.FATAL, Category.SERIOUS) else 0


def _queue(rows: list[tuple[int, int, int, int, int]]) -> QueueStats:
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return analyse(empty, empty, empty, empty, empty)
    cols = np.array(rows, dtype=np.int64).T
    return analyse(cols[0], cols[1], cols[2], cols[3], cols[4])


def _queue_text(q: QueueStats) -> bytes:
    if not q.lines:
        return b""
    lines = [b"", b"Queue (%d status lines):" % q.lines]
    for ch in (q.local, q.remote):
        share = ch.full_share(q.span_seconds, q.lines)
        lines.append(
            b"  %-6s peak %d of %d, at the limit %.1f%% of the time"
            % (ch.name.encode(), ch.peak, ch.limit, 100 * share)
        )
    lines.extend(b"  " + a.encode() for a in q.advice)
    return b"\n".join(lines) + b"\n"


def _input_text(tally: Tally) -> bytes:
    odd = []
    if tally.foreign:
        odd.append(b"%d foreign lines" % tally.foreign)
    if tally.joined:
        odd.append(b"%d splogger pieces re-joined" % tally.joined)
    if tally.wrapped:
        odd.append(b"%d wrapped pieces re-joined" % tally.wrapped)
    if tally.orphans:
        odd.append(b"%d continuation pieces without their line" % tally.orphans)
    if tally.truncated:
        odd.append(b"%d delivery reports cut short" % tally.truncated)
    if tally.partial:
        odd.append(b"%d files ending without a newline" % tally.partial)
    head = b"\nInput: %d lines, %s to %s" % (
        tally.lines,
        show_time(tally.first_ns).encode(),
        show_time(tally.last_ns).encode(),
    )
    return head + (b"; " + b", ".join(odd) if odd else b"") + b"\n"
