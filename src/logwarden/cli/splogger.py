"""``splogger [tag [facility]]`` (qmail 1.03): send qmail's log lines to syslog.

splogger reads no options: its arguments are the tag and the facility number. logwarden
adds one, which must come first: ``--socket PATH`` sends to PATH instead of ``/dev/log``
(a syslog daemon of one's own, a chroot, a test). ``--help`` shows the usage.
"""

from __future__ import annotations

import os

from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.qmail.splogger import Splitter, openlog_arguments
from logwarden.qmail.syslogclient import DEFAULT_PATH, SyslogClient

USAGE = """\
Usage: splogger [--socket PATH] [TAG [FACILITY]]

Send each line of standard input to syslog (facility mail, tag splogger, unless given),
as qmail's splogger does: a seconds.microseconds stamp on every message, priority alert or
warning for lines starting with "alert:" or "warning:", unprintable bytes as "?", blank
lines skipped, long lines cut into 799-character pieces marked "+".

  FACILITY        a number: 2 mail (default), 3 daemon, 16-23 local0-local7 ...
  --socket PATH   send to the syslog socket PATH instead of /dev/log
  --help          show this help
"""

#: Bytes read at a time.
BLOCK = 1 << 16


def _socket_option(args: list[str]) -> tuple[str, list[str]]:
    """The socket path and the remaining (classic) arguments."""
    if args and args[0] == "--socket":
        if len(args) < 2:
            raise UsageError("option '--socket' requires an argument")
        return args[1], args[2:]
    if args and args[0].startswith("--socket="):
        return args[0].removeprefix("--socket="), args[1:]
    return DEFAULT_PATH, args


def main(inv: Invocation) -> int:
    if inv.args[:1] == ["--help"]:
        inv.stdout.write(USAGE.encode())
        return 0
    path, rest = _socket_option(inv.args)
    tag, facility = openlog_arguments([os.fsencode(arg) for arg in rest])
    client = SyslogClient(tag, facility, path, warn=inv.warn)
    splitter = Splitter()
    try:
        while True:
            try:
                block = os.read(0, BLOCK)
            except OSError as e:
                # splogger ends quietly on a read error; say why, then do the same.
                inv.warn(f"unable to read standard input: {e.strerror}")
                return 0
            if not block:
                break
            for priority, message in splitter.feed(block):
                client.send(priority, message)
        for priority, message in splitter.finish():
            client.send(priority, message)
    finally:
        client.close()
    return 0
