"""What every tool's command line shares: the options logwarden adds to the classic ones,
and how the output is chosen and written.

The classic options are each tool's own (declared in the reference program's order so that
glibc's messages come out the same). The additions are long options only, so they never take
a letter the reference might give a meaning later:

  --json            JSON Lines: one object per row (or one object for a summary)
  --csv             CSV with a header row (row-shaped reports)
  --passwd FILE     resolve user names and ids with another host's passwd file
  --group FILE      ... and its group file
  --layout NAME     read utmp-family files as this record layout instead of detecting it
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from logwarden.cli.getopt import Arg, LongOpt
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.output.rows import RowWriter, row_writer
from logwarden.output.terminal import Sanitizer, sanitizer_for
from logwarden.sources.accounts import Accounts, accounts_for

JSON = LongOpt("json", Arg.NONE, "--json")
CSV = LongOpt("csv", Arg.NONE, "--csv")
PASSWD = LongOpt("passwd", Arg.REQUIRED, "--passwd")
GROUP = LongOpt("group", Arg.REQUIRED, "--group")
LAYOUT = LongOpt("layout", Arg.REQUIRED, "--layout")

#: The additions every report takes.
OUTPUT_OPTS = (JSON, CSV)


@dataclass
class Extras:
    """What the logwarden-only options asked for."""

    format: str = "text"
    passwd: str | None = None
    group: str | None = None
    layout: str | None = None

    def take(self, opt: str, value: str | None) -> bool:
        """Record ``opt`` if it is one of ours; False if the tool must handle it."""
        if opt in ("--json", "--csv"):
            wanted = opt[2:]
            if self.format not in ("text", wanted):
                raise UsageError("--json and --csv cannot be combined")
            self.format = wanted
        elif opt == "--passwd":
            self.passwd = value
        elif opt == "--group":
            self.group = value
        elif opt == "--layout":
            self.layout = value
        else:
            return False
        return True

    def accounts(self) -> Accounts:
        return accounts_for(self.passwd, self.group)

    @property
    def rows(self) -> bool:
        return self.format != "text"


def rows_out(inv: Invocation, extras: Extras, fields: Sequence[str]) -> RowWriter:
    """The JSON Lines or CSV writer the options chose, on the tool's stdout."""
    return row_writer(extras.format, inv.stdout, fields)


def sanitizer(inv: Invocation) -> Sanitizer:
    """Escape log text for a terminal, keep it as the reference prints it otherwise."""
    return sanitizer_for(inv.stdout)
