"""qmailanalog's reports and helpers over matchup output, one program per name: zoverall,
zddist, zdeferrals, zfailures, zsuccesses, zrecipients, zrhosts, zrxdelay, zsenders,
zsendmail, zsuids; ddist, deferrals, failures, successes, recipients, rhosts, rxdelay,
senders, suids; and columnt.

They read standard input (logwarden also takes files as operands) and print to standard
output, as the shell scripts do.
"""

from __future__ import annotations

import sys

from logwarden.cli.main import Invocation
from logwarden.qmail.zreports import z
from logwarden.qmail.zreports.columnt import columnt
from logwarden.sources.logset import read_all

NAMES = ("zoverall", "zsendmail", *z.REPORTS, *z.PLAIN, "columnt")


def _usage(name: str) -> str:
    if name == "columnt":
        return "Usage: columnt <text\nLine words up in right-aligned columns.\n"
    if name in z.PLAIN:
        source = "recipients output" if name == "rxdelay" else "matchup output"
        return f"Usage: {name} <{source.replace(' ', '-')}\nPrint {name}'s rows from {source}.\n"
    return f"Usage: {name} <matchup-output\nPrint qmailanalog's {name} report.\n"


#: Its output is log text as it came in: escaped when it goes to a terminal (cli.main).
COPIES_LOG_TEXT = True


def main(inv: Invocation) -> int:
    name = inv.name
    if inv.args and inv.args[0] in ("-h", "--help"):
        inv.stdout.write(_usage(name).encode())
        return 0
    data = read_all(inv.args) if inv.args else sys.stdin.buffer.read()
    if name == "columnt":
        inv.stdout.write(columnt(data))
        return 0
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if name in z.PLAIN:
        inv.stdout.write(b"".join(line + b"\n" for line in z.PLAIN[name](lines)))
    else:
        inv.stdout.write(z.render(name, lines))
    return 0
