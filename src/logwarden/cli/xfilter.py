"""``xqp QP``, ``xsender ADDRESS``, ``xrecipient CHAN.ADDRESS``: matchup lines of one
message, sender or recipient (standard input to standard output)."""

from __future__ import annotations

import sys

from logwarden.cli.main import Invocation
from logwarden.qmail import xfilters

FILTERS = {
    "xqp": (xfilters.xqp, "QP", "the d and m lines of the message(s) queued with this qp"),
    "xsender": (xfilters.xsender, "ADDRESS", "the d and m lines of mail from <ADDRESS>"),
    "xrecipient": (
        xfilters.xrecipient,
        "CHAN.ADDRESS",
        "the d lines to this recipient (local.user@host or remote.user@host)",
    ),
}


#: Its output is log text as it came in: escaped when it goes to a terminal (cli.main).
COPIES_LOG_TEXT = True


def main(inv: Invocation) -> int:
    select, operand, about = FILTERS[inv.name]
    if inv.args and inv.args[0] in ("-h", "--help"):
        inv.stdout.write(f"Usage: {inv.name} {operand} <matchup-output\nPrint {about}.\n".encode())
        return 0
    # The shell scripts use "$1" as it is: no argument compares with the empty string.
    wanted = inv.args[0].encode("utf-8", "surrogateescape") if inv.args else b""
    data = sys.stdin.buffer.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    inv.stdout.write(b"".join(line + b"\n" for line in select(lines, wanted)))
    return 0
