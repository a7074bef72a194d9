"""``logwarden demo [--dir DIR]``: build the sample host's logs and read them back.

Each step prints the command it runs (as a person would type it, with the classic tool names)
and then that command's real output, so the demo doubles as a tour of the tools.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation, run
from logwarden.demo.host import INTRUDER, SampleHost, build
from logwarden.errors import UsageError

USAGE = """\
Usage: logwarden demo [--dir DIR]

Build a sample mail host's logs under DIR (default ./demo-host): three weeks of wtmp with
boots, a crash and a shutdown, ssh and console sessions, a btmp with a password-guessing
burst, utmp, lastlog, passwd and group; then show what logwarden reads from them.
"""


def _steps(host: SampleHost) -> list[tuple[str, list[str]]]:
    w, b, u = str(host.wtmp), str(host.btmp), str(host.utmp)
    pw, ll = str(host.passwd), str(host.lastlog)
    return [
        ("Who is on the host now (its utmp):", ["who", "-H", u]),
        ("The latest sessions, with the host's own passwd deciding who still exists:",
         ["last", "-n", "12", "--passwd", pw, "-f", w]),
        ("When the machine went up and down (a crash 12 days ago, an upgrade 6 days ago):",
         ["last", "-x", "-f", w, "reboot", "shutdown"]),
        (f"Failed logins: the burst from {INTRUDER} three nights ago:",
         ["lastb", "-n", "8", "-f", b]),
        ("Connect time per user:", ["ac", "-p", "-f", w]),
        ("Day by day:", ["ac", "-d", "-f", w]),
        ("Each user's most recent login, from lastlog:", ["lastlog", "--file", ll, "--passwd", pw]),
        ("And what does not add up: wtmp, btmp, lastlog and pacct checked against each other:",
         ["wtmp", "check", "--lastlog", ll, "--pacct", str(host.pacct), "--passwd", pw, w, b]),
        ("What ran that night: process accounting keeps what the wiper took from wtmp:",
         ["lastcomm", "--passwd", pw, "--since", _local(host.intrusion - 900),
          "--until", _local(host.intrusion + 3600), "-f", str(host.pacct)]),
        ("Each login session with the commands it ran (root's console sessions):",
         ["sessions", "--commands", "-u", "root", "--passwd", pw, "-w", w, "-a", str(host.pacct)]),
        ("The mail server's qmail-send log: a day of it, simulated as multilog writes it:",
         ["qmail", "simulate", "--seed", "7", "--days", "1", "--rate", "0.1",
          "--start", f"@{host.now - 86400}", "-o", str(host.qmail_log)]),
        ("What qmail-send complained about, grouped and explained (the seed's tables 16-19):",
         ["qmail", "alerts", str(host.qmail_log)]),
        ("The whole log in one pass: zoverall's numbers, tops, delays, queue, alerts:",
         ["qmail", "report", "--top", "5", str(host.qmail_log)]),
        ("The same report as one self-contained HTML page with charts:",
         ["qmail", "report", "-o", str(host.qmail_html), str(host.qmail_log)]),
        ("Every report also speaks JSON (and CSV):",
         ["last", "--json", "-n", "2", "--passwd", pw, "-f", w]),
    ]  # fmt: skip


def _local(t: int) -> str:
    """``t`` as the tools take a time on the command line, in local time."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _shown(argv: list[str], root: Path) -> str:
    text = shlex.join(argv)
    return text.replace(str(root) + "/", "")


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "h", [LongOpt("dir", Arg.REQUIRED, "d"),
                                                       LongOpt("help", Arg.NONE, "h")])  # fmt: skip
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: ")) from None
    directory = "demo-host"
    for opt, value in parsed.options:
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "d" and value is not None:
            directory = value
    root = Path(directory).resolve()
    host = build(root, int(time.time()))
    out = inv.stdout
    out.write(f"Sample host written to {root}\n".encode())
    status = 0
    for title, argv in _steps(host):
        out.write(f"\n# {title}\n$ {_shown(argv, root)}\n".encode())
        out.flush()
        code = run(["logwarden", *argv], out, inv.stderr)
        out.flush()
        # wtmp check exits 1 when it finds something, which here is the point of the story;
        # qmail alerts exits 2 for the same reason.
        if (
            code not in (0, 1, 2)
            or (code == 1 and argv[0] != "wtmp")
            or (code == 2 and argv[:2] != ["qmail", "alerts"])
        ):
            status = 1
    out.write(
        f"\nThe files are in {root}; run any of the commands above on them, "
        "or `logwarden --help` for every tool.\n".encode()
    )
    return status
