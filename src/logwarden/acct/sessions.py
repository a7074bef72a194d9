"""Which commands each login session ran: wtmp's sessions (as ``last`` pairs them) joined with
pacct's records on the terminal and the time.

A session is a login on a line (``pts/3``, ``tty1``) from its login time to its logout (or to
the crash, shutdown or now that ended it, as ``last`` says). A command belongs to it when its
record's controlling terminal is that line and it started within the session. Terminal device
numbers are named as lastcomm names them (the live ``/dev``, or the static Linux table for
another host's files), so pseudo-terminals match by number: ``136,3`` is ``pts/3``.

Commands without a terminal (daemons, cron jobs) belong to no session. A line reused by a
later session is told apart by time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.acct import lastcomm
from logwarden.connect.last import analyse as analysis
from logwarden.connect.last import fields as last_fields
from logwarden.connect.last.run import FileRun
from logwarden.formats import acct
from logwarden.output.rows import text_of

#: Sessions with no end in wtmp: their commands are looked for up to now.
OPEN = ("still-logged-in", "gone")

STATUS = {
    analysis.NORMAL: "normal",
    analysis.CRASH: "crash",
    analysis.DOWN: "down",
    analysis.NOW: "still-logged-in",
    analysis.PHANTOM: "gone",
}


@dataclass(frozen=True)
class Session:
    """One login and the records of the commands it ran (in the order they started)."""

    user: bytes
    line: bytes
    host: bytes
    login: int
    end: int
    """The logout (or what ended the session); ``now`` for sessions still open."""
    status: str
    commands: npt.NDArray[np.intp]
    """Indexes into the pacct records."""


def sessions(run: FileRun, now: int) -> list[Session]:
    """The login sessions of a ``last`` run over wtmp, newest first (boots left out)."""
    if run.records is None or run.selection is None:
        return []
    listing = run.selection.listing
    own = np.flatnonzero((listing.label == analysis.OWN_LINE) & (listing.kind != analysis.REBOOT))
    part = analysis.Listing(
        listing.rec[own], listing.kind[own], listing.logout[own], listing.label[own],
        listing.runlevel[own], listing.unknown_rec, listing.unknown_type,
    )  # fmt: skip
    records = run.records
    users = last_fields.users(records, part.rec, None)
    lines = last_fields.ttys(records, part)
    hosts = last_fields.hosts(records, part.rec, 256)
    login = records.sec[part.rec]
    found = []
    for i in range(len(part.rec)):
        kind = int(part.kind[i])
        open_ = kind in (analysis.NOW, analysis.PHANTOM)
        end = now if open_ or part.logout[i] <= 0 else int(part.logout[i])
        found.append(
            Session(
                bytes(users[i]),
                bytes(lines[i]),
                bytes(hosts[i]),
                int(login[i]),
                end,
                STATUS.get(kind, "normal"),
                np.zeros(0, dtype=np.intp),
            )
        )
    return found


def attach(
    found: list[Session], tty_names: npt.NDArray[np.bytes_], start: npt.NDArray[np.int64]
) -> list[Session]:
    """Each session with the commands (record indexes) that ran on its line within it."""
    if not found or len(tty_names) == 0:
        return found
    names, codes = np.unique(tty_names, return_inverse=True)
    codes = codes.reshape(-1)
    order = np.lexsort((start, codes))  # by line, then start time (stable: file order)
    sorted_codes = codes[order]
    sorted_start = start[order]
    result = []
    for session in found:
        where = np.searchsorted(names, session.line)
        if where >= len(names) or names[where] != session.line:
            result.append(session)
            continue
        low, high = np.searchsorted(sorted_codes, [where, where + 1])
        times = sorted_start[low:high]
        first = low + np.searchsorted(times, session.login, side="left")
        last = low + np.searchsorted(times, session.end, side="right")
        chosen = order[first:last]
        result.append(
            Session(
                session.user,
                session.line,
                session.host,
                session.login,
                session.end,
                session.status,
                chosen,
            )
        )
    return result


def rows(
    found: list[Session], selected: lastcomm.Selected, iso: dict[int, str]
) -> Iterator[dict[str, object]]:
    """One mapping per session, its commands as lastcomm's JSON rows."""
    command_rows = [
        {k: text_of(v) if isinstance(v, bytes) else v for k, v in row.items()}
        for row in lastcomm.rows(selected)
    ]
    for session in found:
        yield {
            "user": session.user,
            "tty": session.line,
            "host": session.host,
            "login": iso[session.login],
            "logout": iso[session.end] if session.status not in OPEN else None,
            "status": session.status,
            "commands": [command_rows[i] for i in session.commands.tolist()],
        }


def pacct_start(records: acct.Records) -> npt.NDArray[np.int64]:
    """Each record's start time."""
    return records["btime"].astype(np.int64)
