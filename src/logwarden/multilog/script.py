"""multilog's script: each argument is an action, applied in order to every line.

As daemontools 0.76 reads them (by the first character of each argument only):

==============  ===========================================================================
``t``           timestamp every line (``@`` + TAI64N + space); only as the *first* argument
``-pattern``    deselect the line if it is selected and matches
``+pattern``    select the line if it is deselected and matches
``e``           if selected, copy the line to stderr (200 bytes, then ``...``)
``=file``       if selected, overwrite ``file`` with the line (1000 bytes, padded with
                newlines to 1001)
``sSIZE``       largest ``current`` for the directories that follow (4096..16777215,
                default 99999)
``nNUM``        how many log files the directories that follow keep (at least 2,
                default 10)
``!processor``  run ``processor`` on every finished file of the directories that follow
``./dir``       (any argument starting with ``.`` or ``/``) append selected lines to
                the log directory ``dir``
==============  ===========================================================================

Anything else (including an empty argument, or ``t`` anywhere but first) is ignored, as the
reference ignores it. Numbers are read as ``scan_ulong`` reads them: the leading digits, with
no digits meaning 0, and C's unsigned wrap-around.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import IntEnum

from logwarden.multilog.match import Matcher, compile_pattern

DEFAULT_SIZE = 99999
DEFAULT_COUNT = 10
MIN_SIZE = 4096
MAX_SIZE = 16777215
MIN_COUNT = 2
_ULONG = (1 << 64) - 1


class Kind(IntEnum):
    """What an action does to a line."""

    SELECT = 1
    DESELECT = 2
    STDERR = 3
    STATUS = 4
    DIRECTORY = 5


@dataclass(frozen=True)
class Action:
    """One line action: ``index`` numbers the status file or directory it names."""

    kind: Kind
    matcher: Matcher | None = None
    index: int = 0
    #: The pattern itself (``+``/``-``).
    pattern: bytes = b""


@dataclass(frozen=True)
class DirSpec:
    """A log directory and the settings in force where the script names it."""

    path: str
    size: int
    count: int
    processor: str | None


@dataclass(frozen=True)
class Script:
    """A compiled script: the per-line actions, the directories, the status files."""

    timestamp: bool
    actions: tuple[Action, ...]
    dirs: tuple[DirSpec, ...]
    status_files: tuple[str, ...]

    @property
    def every_line_everywhere(self) -> bool:
        """True when no action looks at lines: every line goes to every directory."""
        return all(action.kind == Kind.DIRECTORY for action in self.actions)


def scan_ulong(text: str) -> int:
    """daemontools' ``scan_ulong``: leading decimal digits, 0 if none, modulo 2**64."""
    value = 0
    for ch in text:
        if not "0" <= ch <= "9":
            break
        value = (value * 10 + ord(ch) - 48) & _ULONG
    return value


def compile_script(args: list[str]) -> Script:
    """Compile multilog's arguments (as the reference reads them)."""
    timestamp = bool(args) and args[0].startswith("t")
    size = DEFAULT_SIZE
    count = DEFAULT_COUNT
    processor: str | None = None
    actions: list[Action] = []
    dirs: list[DirSpec] = []
    status: list[str] = []
    for arg in args:
        head = arg[:1]
        if head == "s":
            size = min(max(scan_ulong(arg[1:]), MIN_SIZE), MAX_SIZE)
        elif head == "n":
            count = max(scan_ulong(arg[1:]), MIN_COUNT)
        elif head == "!":
            processor = arg[1:]
        elif head in (".", "/"):
            actions.append(Action(Kind.DIRECTORY, index=len(dirs)))
            dirs.append(DirSpec(arg, size, count, processor))
        elif head in ("+", "-"):
            kind = Kind.SELECT if head == "+" else Kind.DESELECT
            pattern = os.fsencode(arg[1:])
            actions.append(Action(kind, compile_pattern(pattern), pattern=pattern))
        elif head == "e":
            actions.append(Action(Kind.STDERR))
        elif head == "=":
            actions.append(Action(Kind.STATUS, index=len(status)))
            status.append(arg[1:])
    return Script(timestamp, tuple(actions), tuple(dirs), tuple(status))
