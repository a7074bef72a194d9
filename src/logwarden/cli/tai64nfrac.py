"""``tai64nfrac``: multilog's @tai64n labels to ``seconds.nanoseconds`` (stdin to stdout)."""

from __future__ import annotations

import sys

from logwarden.cli.main import Invocation
from logwarden.qmail.tai64nfrac import tai64nfrac

USAGE = """\
Usage: tai64nfrac <log >converted
Replace the @tai64n label at the start of each line with Unix seconds and nanoseconds
(952364710.670309500), the form qmailanalog's matchup and reports subtract.
Lines without a label pass through unchanged.
"""

CHUNK = 16 << 20


#: Its output is log text as it came in: escaped when it goes to a terminal (cli.main).
COPIES_LOG_TEXT = True


def main(inv: Invocation) -> int:
    if inv.args and inv.args[0] in ("-h", "--help"):
        inv.stdout.write(USAGE.encode())
        return 0
    stdin = sys.stdin.buffer
    carry = b""
    while block := stdin.read(CHUNK):
        data = carry + block
        cut = data.rfind(b"\n") + 1
        inv.stdout.write(tai64nfrac(data[:cut]))
        carry = data[cut:]
    inv.stdout.write(tai64nfrac(carry))
    return 0
