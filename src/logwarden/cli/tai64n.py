"""``tai64n`` (daemontools 0.76): put a TAI64N timestamp in front of every line.

Like the reference, it takes no options and ignores its arguments.
"""

from __future__ import annotations

from logwarden.cli.main import Invocation
from logwarden.multilog.tai64n import run


def main(inv: Invocation) -> int:
    inv.stdout.flush()
    return run(0, inv.stdout.fileno())
