"""``tai64nlocal`` (daemontools 0.76): turn TAI64N timestamps into local time.

Like the reference, it takes no options and ignores its arguments; ``TZ`` picks the zone.
"""

from __future__ import annotations

from logwarden.cli.main import Invocation
from logwarden.multilog.tai64nlocal import run
from logwarden.output.terminal import EscapingWriter

#: Its output is log text as it came in: escaped when it goes to a terminal (cli.main).
COPIES_LOG_TEXT = True


def main(inv: Invocation) -> int:
    out = inv.stdout
    escaper = out.escaper if isinstance(out, EscapingWriter) else None
    out.flush()
    return run(0, out.fileno(), escaper)
