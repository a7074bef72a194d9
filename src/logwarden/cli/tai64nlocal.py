"""``tai64nlocal`` (daemontools 0.76): turn TAI64N timestamps into local time.

Like the reference, it takes no options and ignores its arguments; ``TZ`` picks the zone.
"""

from __future__ import annotations

from logwarden.cli.main import Invocation
from logwarden.multilog.tai64nlocal import run


def main(inv: Invocation) -> int:
    inv.stdout.flush()
    return run(0, inv.stdout.fileno())
