"""Tamper evidence across wtmp and process accounting: commands on a terminal nobody was
logged in on.

A log wiper can zero a session's wtmp records, but the kernel wrote a pacct record for every
command that session ran, with its controlling terminal and its start time. A command on
``pts/3`` at a time when wtmp shows no session on ``pts/3`` is what a removed login leaves.
It has innocent causes too: terminal multiplexers (screen, tmux) and ``script`` open
pseudo-terminals without writing wtmp, so the finding is a warning, grouped per terminal and
stretch of time, naming the users and the first commands so a person can tell which it is.

Only commands that started while the wtmp was being written are judged (from its first
record to its last); before and after, the wtmp cannot say who was on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.connect.tamper.records import WARNING, Finding, span, stamp, text
from logwarden.formats.acct import RECORD_SIZE

#: Seconds a command may start before its session's login record or after its logout
#: record: sshd writes the record around the shell's start, and a logout is written as the
#: last processes end.
GRACE = 60
#: Commands on one terminal further apart than this make separate findings.
GAP = 3600
#: How many command names a finding quotes.
QUOTED = 8


@dataclass(frozen=True)
class Interval:
    """A session on a line, from login to logout (``end`` None: still open at the end)."""

    line: bytes
    login: int
    end: int | None


@dataclass(frozen=True)
class Commands:
    """The pacct records to judge, as columns (record order)."""

    offsets: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    line: npt.NDArray[np.bytes_]
    """The controlling terminal's name (``pts/3``), empty for none."""
    user: npt.NDArray[np.bytes_]
    comm: npt.NDArray[np.bytes_]


def _covered(commands: Commands, sessions: Sequence[Interval]) -> npt.NDArray[np.bool_]:
    """Which commands started within a session on their own line."""
    covered = np.zeros(len(commands.start), dtype=bool)
    by_line: dict[bytes, list[Interval]] = {}
    for session in sessions:
        by_line.setdefault(session.line, []).append(session)
    for line, intervals in by_line.items():
        on_line = np.flatnonzero(commands.line == line)
        if len(on_line) == 0:
            continue
        start = commands.start[on_line]
        inside = np.zeros(len(on_line), dtype=bool)
        for s in intervals:
            high = np.iinfo(np.int64).max if s.end is None else s.end + GRACE
            inside |= (start >= s.login - GRACE) & (start <= high)
        covered[on_line] = inside
    return covered


def unlogged_commands(
    pacct_path: str,
    commands: Commands,
    sessions: Sequence[Interval],
    wtmp_span: tuple[int, int],
) -> list[Finding]:
    """Commands on terminals with no session in the wtmp at their time, one finding per
    terminal and stretch of time."""
    first, last = wtmp_span
    on_a_terminal = (commands.line != b"") & (commands.line != b"__")
    judged = on_a_terminal & (commands.start >= first) & (commands.start <= last)
    suspect = np.flatnonzero(judged & ~_covered(commands, sessions))
    if len(suspect) == 0:
        return []
    order = suspect[np.lexsort((commands.start[suspect], commands.line[suspect]))]
    findings = []
    group: list[int] = []
    for index in order.tolist():
        if group and (
            commands.line[index] != commands.line[group[-1]]
            or commands.start[index] - commands.start[group[-1]] > GAP
        ):
            findings.append(_finding(pacct_path, commands, group))
            group = []
        group.append(index)
    findings.append(_finding(pacct_path, commands, group))
    return findings


def _finding(path: str, commands: Commands, group: list[int]) -> Finding:
    head = min(group, key=lambda i: int(commands.offsets[i]))
    start, end = int(commands.start[group[0]]), int(commands.start[group[-1]])
    users = sorted({text(bytes(commands.user[i])) for i in group})
    names = [text(bytes(commands.comm[i])) for i in group[:QUOTED]]
    more = ", ..." if len(group) > QUOTED else ""
    plural = "s" if len(group) != 1 else ""
    line = text(bytes(commands.line[head]))
    detail = (
        f"{len(group)} command{plural} on {line} from {stamp(start)} "
        f"for {span(end - start)} by {', '.join(users)} ({', '.join(names)}{more}), "
        "but the wtmp has no session on that line then: a login record was removed, or a "
        "terminal was opened without one (screen, tmux, script)"
    )
    offset = int(commands.offsets[head])
    return Finding(path, offset, offset // RECORD_SIZE, "unlogged-commands", WARNING, detail)
