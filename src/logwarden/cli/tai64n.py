"""``tai64n`` (daemontools 0.76): put a TAI64N timestamp in front of every line.

Like the reference, it takes no options and ignores its arguments.
"""

from __future__ import annotations

from logwarden.cli.main import Invocation
from logwarden.multilog.tai64n import run
from logwarden.output.terminal import EscapingWriter

#: Its output is log text as it came in: escaped when it goes to a terminal (cli.main).
COPIES_LOG_TEXT = True


def main(inv: Invocation) -> int:
    out = inv.stdout
    escaper = out.escaper if isinstance(out, EscapingWriter) else None
    out.flush()
    return run(0, out.fileno(), escaper)
