"""``logwarden install-links DIR``: the classic names as links to logwarden.

After ``logwarden install-links /usr/local/bin``, ``last``, ``ac``, ``who`` ... run logwarden,
which looks at the name it was run as. Existing files are left alone unless ``--force``.
"""

from __future__ import annotations

import os
import shutil
import sys

from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.cli.registry import TOOLS
from logwarden.errors import LogwardenError, UsageError

USAGE = """\
Usage: logwarden install-links [--force] [--tools NAME,...] DIR

Make DIR/NAME a symbolic link to the logwarden program for every classic tool
(or for the NAMEs given), so that the tools run under their usual names.

  -f, --force        replace files that are already there
  -t, --tools LIST   only these tools (comma-separated)
  -h, --help         show this help
"""

LONG = [LongOpt("force", Arg.NONE, "f"), LongOpt("tools", Arg.REQUIRED, "t"),
        LongOpt("help", Arg.NONE, "h")]  # fmt: skip


def _program() -> str:
    candidate = sys.argv[0] if sys.argv and os.path.basename(sys.argv[0]) == "logwarden" else None
    found = candidate or shutil.which("logwarden")
    if not found:
        raise LogwardenError("cannot find the logwarden program to link to")
    return os.path.abspath(found)


def main(inv: Invocation) -> int:
    try:
        parsed = getopt_long(inv.argv0, inv.args, "ft:h", LONG)
    except GetoptError as e:
        raise UsageError(str(e).removeprefix(f"{inv.argv0}: ")) from None
    force = False
    names = [name for name, tool in TOOLS.items() if tool.classic]
    for opt, value in parsed.options:
        if opt == "h":
            inv.stdout.write(USAGE.encode())
            return 0
        if opt == "f":
            force = True
        elif opt == "t" and value is not None:
            names = [n for n in value.split(",") if n]
            unknown = [n for n in names if n not in TOOLS or not TOOLS[n].classic]
            if unknown:
                raise UsageError(f"not a classic tool: {', '.join(unknown)}")
    if len(parsed.operands) != 1:
        raise UsageError("expected one directory (logwarden install-links --help)")
    directory = parsed.operands[0]
    target = _program()
    os.makedirs(directory, exist_ok=True)
    for name in names:
        link = os.path.join(directory, name)
        if os.path.lexists(link):
            if not force:
                inv.warn(f"{link} exists; left alone (--force replaces it)")
                continue
            os.unlink(link)
        os.symlink(target, link)
        inv.stdout.write(f"{link} -> {target}\n".encode())
    return 0
