"""``logwarden qmail alerts|report|simulate ...``: reading qmail-send's logs.

Each subcommand lives in its own module (``cli/qmail_*.py``); this one dispatches.
"""

from __future__ import annotations

import importlib

from logwarden.cli.main import Invocation
from logwarden.errors import LogwardenError, UsageError

SUBCOMMANDS = {
    "alerts": ("logwarden.cli.qmail_alerts", "fatal and serious problems and warnings, explained"),
    "report": ("logwarden.cli.qmail_report", "the whole log in one pass: statistics, tops, charts"),
    "simulate": ("logwarden.cli.qmail_simulate", "write a realistic qmail-send log of a busy host"),
}

USAGE = "Usage: logwarden qmail SUBCOMMAND [OPTION]... [LOG]...\n\nSubcommands:\n" + "".join(
    f"  {name:<9} {summary}\n" for name, (_, summary) in SUBCOMMANDS.items()
)


def main(inv: Invocation) -> int:
    if not inv.args or inv.args[0] in ("-h", "--help"):
        (inv.stdout.write(USAGE.encode()) if inv.args else inv.stderr.write(USAGE))
        return 0 if inv.args else 1
    name = inv.args[0]
    if name not in SUBCOMMANDS:
        raise UsageError(f"unknown subcommand '{name}'; 'logwarden qmail --help' lists them")
    module = importlib.import_module(SUBCOMMANDS[name][0])
    sub = Invocation(
        f"{inv.name} {name}", f"{inv.argv0} {name}", inv.args[1:], inv.stdout, inv.stderr
    )
    try:
        status: int = module.main(sub)
    except LogwardenError as e:
        # Say which subcommand complained: "qmail: simulate: unknown style ...".
        e.args = (f"{name}: {e}",)
        raise
    return status
