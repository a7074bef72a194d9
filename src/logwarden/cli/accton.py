"""``accton on|off|FILE`` (GNU acct 6.6.4): turn process accounting on or off.

As GNU does, the message is printed before the call's result is known; a failure is then
reported as ``accton: <error>`` and the exit status is the errno (EPERM 1, ENOENT 2,
EACCES 13, ENOSYS 38 on a kernel built without accounting...).
"""

from __future__ import annotations

import os

from logwarden.acct.accton import DEFAULT_FILE, acct
from logwarden.cli.acctopts import version_line
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation

LONG = [LongOpt("version", Arg.NONE, "V"), LongOpt("help", Arg.NONE, "h")]

HELP = """\

          Turns process accounting on or off, or changes the file where this
          info is saved.

          OPTIONS:
          -h, --help       Show help and exit
          -V, --version    Show version and exit

          ARGUMENTS:
          on               Activate process accounting and use default file
          off              Deactivate process accounting
          ACCOUNTING_FILE  Activate (if not active) and save information in
          this file

          The system's default process accounting file is '{file}'.

          Report bugs to <bug-acct@gnu.org>
"""


def _usage(prog: str) -> bytes:
    return f"Usage: {prog} [OPTION] on|off|ACCOUNTING_FILE\n".encode()


def _try(prog: str) -> bytes:
    return f"Try '{prog} --help' for more information.\n".encode()


def main(inv: Invocation) -> int:
    prog = inv.argv0
    try:
        parsed = getopt_long(prog, inv.args, "hV", LONG)
    except GetoptError as e:
        for opt, _ in e.options:
            if opt in ("h", "V"):
                return _informational(inv, opt)
        inv.stderr.write(f"{e}\n")
        inv.stdout.write(_usage(prog) + _try(prog))
        return 1
    for opt, _ in parsed.options:
        return _informational(inv, opt)
    if len(parsed.operands) != 1:
        problem = "too many arguments" if parsed.operands else "no arguments"
        inv.stdout.write(f"{prog}: {problem}\n".encode() + _usage(prog) + _try(prog))
        return 1
    target = parsed.operands[0]
    if target.lower() == "on":
        error = acct(DEFAULT_FILE)
        message = f"Turning on process accounting, file set to the default '{DEFAULT_FILE}'.\n"
    elif target.lower() == "off":
        error = acct(None)
        message = "Turning off process accounting.\n"
    else:
        error = acct(target)
        message = f"Turning on process accounting, file set to '{target}'.\n"
    inv.stdout.write(message.encode("utf-8", "surrogateescape"))
    if error:
        # GNU's stdout reaches a pipe only at exit, after perror's line.
        inv.stderr.write(f"accton: {os.strerror(error)}\n")
        return error
    return 0


def _informational(inv: Invocation, opt: str) -> int:
    if opt == "V":
        inv.stdout.write(version_line(inv.argv0))
    else:
        inv.stdout.write(_usage(inv.argv0) + HELP.format(file=DEFAULT_FILE).encode())
    return 0
