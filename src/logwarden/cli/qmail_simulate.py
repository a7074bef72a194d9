"""``logwarden qmail simulate``: write a realistic qmail-send log of a busy host."""

from __future__ import annotations

import gzip
import os
import re
from typing import BinaryIO, cast

from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.qmail.simulate import Settings, simulate
from logwarden.qmail.when import parse_time

USAGE = """\
Usage: logwarden qmail simulate [OPTION]...
Write a made-up qmail-send log of a busy mail host: local and remote deliveries under
concurrency limits, retries on qmail's schedule, deferrals that end in bounces, double and
triple bounces, restarts that reuse delivery numbers, inode reuse, warnings and alerts.
The same seed gives the same log.

  -o, --output FILE      write to FILE (gzip-compressed if it ends in .gz); default stdout
      --style STYLE      multilog (@tai64n, the default), syslog (splogger in syslog lines,
                         long lines split), or unix (sec.usec)
      --seed N           random seed (default 1)
      --size SIZE        stop at about SIZE bytes (k, M, G suffixes: 1G)
      --messages N       stop after N messages (default 1000 when no limit is given)
      --days D           stop after D days of log
      --rate R           new messages per second on average (default 2)
      --start TIME       time of the first line (YYYY-MM-DD[ HH:MM[:SS]] or @SECONDS)
      --host NAME        host name in syslog lines (default mail)
      --concurrency L/R  concurrencylocal and concurrencyremote (default 10/20)
      --queuelifetime S  seconds before qmail gives up on a message (default 604800)
      --restart-hours H  mean hours between qmail-send restarts (default 6; 0: never)
  -h, --help             display this help and exit
"""

LONG = [
    LongOpt("output", Arg.REQUIRED, "o"),
    LongOpt("style", Arg.REQUIRED, "t"),
    LongOpt("seed", Arg.REQUIRED, "s"),
    LongOpt("size", Arg.REQUIRED, "z"),
    LongOpt("messages", Arg.REQUIRED, "m"),
    LongOpt("days", Arg.REQUIRED, "d"),
    LongOpt("rate", Arg.REQUIRED, "r"),
    LongOpt("start", Arg.REQUIRED, "S"),
    LongOpt("host", Arg.REQUIRED, "H"),
    LongOpt("concurrency", Arg.REQUIRED, "c"),
    LongOpt("queuelifetime", Arg.REQUIRED, "q"),
    LongOpt("restart-hours", Arg.REQUIRED, "R"),
    LongOpt("help", Arg.NONE, "h"),
]

_SIZE = re.compile(r"(\d+(?:\.\d+)?)([kKmMgG]?)[bB]?$")
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text: str) -> int:
    """``1G``, ``500M``, ``64k`` or a plain number of bytes."""
    m = _SIZE.match(text.strip())
    if m is None:
        raise UsageError(f"cannot read the size '{text}': use a number with k, M or G")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def _number(text: str, what: str, kind: type[int] | type[float] = int) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"{what} must be a number, not '{text}'") from None
    if value < 0:
        raise UsageError(f"{what} must not be negative")
    return value


def settings_from(options: list[tuple[str, str | None]]) -> tuple[Settings, str | None]:
    """The simulation settings and the output file the options ask for."""
    s = Settings()
    output = None
    for opt, value in options:
        v = value or ""
        if opt == "o":
            output = v
        elif opt == "t":
            if v not in ("multilog", "syslog", "unix"):
                raise UsageError(f"unknown style '{v}': multilog, syslog or unix")
            s.style = v
        elif opt == "s":
            s.seed = int(_number(v, "--seed"))
        elif opt == "z":
            s.max_bytes = parse_size(v)
        elif opt == "m":
            s.max_messages = int(_number(v, "--messages"))
        elif opt == "d":
            s.max_seconds = int(_number(v, "--days", float) * 86400)
        elif opt == "r":
            s.rate = _number(v, "--rate", float) or 0.001
        elif opt == "S":
            s.start = parse_time(v) // 1_000_000_000
        elif opt == "H":
            s.host = v
        elif opt == "c":
            m = re.fullmatch(r"(\d+)/(\d+)", v)
            if m is None or not int(m.group(1)) or not int(m.group(2)):
                raise UsageError(f"--concurrency wants LOCAL/REMOTE, e.g. 10/20, not '{v}'")
            s.local_limit, s.remote_limit = int(m.group(1)), int(m.group(2))
        elif opt == "q":
            s.queue_lifetime = int(_number(v, "--queuelifetime"))
        elif opt == "R":
            s.restart_hours = _number(v, "--restart-hours", float)
    if s.max_bytes is None and s.max_messages is None and s.max_seconds is None:
        s.max_messages = 1000
    return s, output


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "o:h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: ")) from None
    if any(opt == "h" for opt, _ in parsed.options):
        inv.stdout.write(USAGE.encode())
        return 0
    if parsed.operands:
        raise UsageError(f"unexpected operand '{parsed.operands[0]}'")
    settings, output = settings_from(parsed.options)
    if output is None or output == "-":
        _write_to(settings, inv.stdout)
        return 0
    directory = os.path.dirname(output)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(output, "wb") as raw:
        if output.endswith(".gz"):
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
                _write_to(settings, cast(BinaryIO, packed))
        else:
            _write_to(settings, raw)
    return 0


def _write_to(settings: Settings, stream: BinaryIO) -> None:
    def sink(data: bytes) -> None:
        stream.write(data)

    simulate(settings, sink)
