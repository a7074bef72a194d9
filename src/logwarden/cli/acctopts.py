"""What the GNU acct tools' command lines share: C's strtol, the version line, the options
logwarden adds (--json/--csv, --passwd/--group, --devices), and the usage blocks naming them.
"""

from __future__ import annotations

from logwarden import __version__
from logwarden.cli.common import GROUP, OUTPUT_OPTS, PASSWD
from logwarden.cli.getopt import Arg, LongOpt
from logwarden.cnum import strtoll

DEVICES = LongOpt("devices", Arg.REQUIRED, "--devices")
#: logwarden's additions every accounting report takes.
ADDITIONS = [*OUTPUT_OPTS, PASSWD, GROUP, DEVICES]

EXTRA_USAGE = """\
logwarden additions:
       [--json] [--csv] [--passwd <file>] [--group <file>] [--devices live|static]
"""


def strtol(text: str) -> int:
    """C ``strtol(text, NULL, 10)`` on a 64-bit machine: 0 when there are no digits."""
    return strtoll(text).value


def c_int(value: int) -> int:
    """A C long stored into an ``int`` (the low 32 bits, signed)."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def version_line(prog: str) -> bytes:
    """What ``--version`` prints (GNU: ``PROG: GNU Accounting Utilities (release 6.6.4)``)."""
    return f"{prog}: logwarden {__version__} (GNU Accounting Utilities 6.6.4)\n".encode()


def pacct_location() -> str:
    """GNU's closing usage line for accton, lastcomm and dump-acct."""
    return "\nThe system's default process accounting file is /var/log/account/pacct.\n"
