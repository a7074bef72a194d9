"""``multilog script...`` (daemontools 0.76): log lines into automatically rotated directories.

multilog takes no options: every argument is an action of its script (see
``logwarden.multilog.script``), so logwarden adds none either.
"""

from __future__ import annotations

from logwarden.cli.main import Invocation
from logwarden.multilog.djb import EXIT_FATAL, Complaints, Fatal
from logwarden.multilog.engine import Multilog
from logwarden.multilog.script import compile_script


def main(inv: Invocation) -> int:
    complaints = Complaints("multilog", inv.stderr)
    try:
        return Multilog(compile_script(inv.args), complaints).run()
    except Fatal as e:
        complaints.say(e.text)
        return EXIT_FATAL
