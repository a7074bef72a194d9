"""Tamper evidence across lastlog and wtmp: a login program writes both at the same moment, so
a lastlog entry newer than every wtmp login of its user means one of the two was edited
(typically the wtmp record was wiped and the lastlog forgotten, or the lastlog was forged).

Only entries inside the time the wtmp covers are compared: an older entry may belong to a
login in a wtmp that has since been rotated away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logwarden.connect.lastlog import SET_LINE
from logwarden.connect.tamper.records import ALERT, INFO, WARNING, Finding, runs, span, stamp, text
from logwarden.formats import lastlog
from logwarden.sources.accounts import Accounts
from logwarden.sources.lastlogfile import LastlogFile


@dataclass(frozen=True)
class WtmpLogins:
    """What the wtmp files say: each user's newest login and the span of time they cover."""

    newest: dict[bytes, tuple[int, str, int]]
    """``name -> (time, file, offset)`` of the user's newest login."""
    start: int
    end: int


def merge_logins(
    per_file: Sequence[tuple[str, dict[bytes, tuple[int, int]], int, int]],
) -> WtmpLogins | None:
    """One view of several wtmp files: ``(path, newest logins, first time, last time)``."""
    if not per_file:
        return None
    newest: dict[bytes, tuple[int, str, int]] = {}
    for path, logins, _, _ in per_file:
        for name, (sec, offset) in logins.items():
            if name not in newest or sec > newest[name][0]:
                newest[name] = (sec, path, offset)
    return WtmpLogins(newest, min(p[2] for p in per_file), max(p[3] for p in per_file))


def layout_finding(source: LastlogFile) -> Finding:
    """How the lastlog was read: its layout and how sure detection is."""
    layout = source.layout
    if not source.scores:
        detail = f"{layout.name} ({layout.description}), as --layout says"
    else:
        best = source.scores[0]
        detail = (
            f"{layout.name}: {best.plausible:.0%} of {best.sampled} records with data plausible"
        )
        if len(source.scores) > 1:
            runner = source.scores[1]
            detail += f" (next best: {runner.layout.name}, {runner.plausible:.0%})"
    return Finding(source.path, 0, None, "layout", INFO, detail)


def file_findings(source: LastlogFile, uids: Sequence[int]) -> list[Finding]:
    """A partial record at the end, and accounts' records no login program writes."""
    found = [layout_finding(source)]
    size = source.layout.size
    trailing = source.size % size
    if trailing:
        whole = source.size // size
        found.append(
            Finding(
                source.path, whole * size, whole, "partial", WARNING,
                f"{trailing} byte{'s' if trailing != 1 else ''} at the end are not a whole "
                f"{size}-byte record: the file was truncated or written to by hand",
            )
        )  # fmt: skip
    unique = np.unique(np.asarray(uids, dtype=np.int64))
    records = source.records_for(unique)
    bad = ~lastlog.plausible(records)
    for first, last in runs(bad):
        uid = int(unique[first])
        count = last - first + 1
        found.append(
            Finding(
                source.path, uid * size, uid, "damaged", WARNING,
                f"the record{'s' if count != 1 else ''} of {count} account"
                f"{'s' if count != 1 else ''} from uid {uid} no login program writes (time "
                f"{int(records.time[first])}): edited by hand",
            )
        )  # fmt: skip
    return found


def newer_than_wtmp(
    source: LastlogFile,
    accounts: Accounts,
    wtmp: WtmpLogins,
    leniency: int,
) -> list[Finding]:
    """Lastlog entries newer than any wtmp login of the account (any name it goes by)."""
    names_of: dict[int, list[bytes]] = {}
    for user in accounts.users():
        if user.name[:1] not in (b"+", b"-"):
            names_of.setdefault(user.uid, []).append(user.name)
    if not names_of:
        return []
    uids = sorted(names_of)
    found = []
    for entry in source.records_for(uids).entries():
        if entry.time == 0 or entry.time < wtmp.start - leniency:
            continue
        names = names_of[entry.uid]
        logins = [wtmp.newest[n] for n in names if n in wtmp.newest]
        newest = max(logins, default=None)
        if newest is not None and entry.time <= newest[0] + leniency:
            continue
        who = text(names[0]) + (f" (also {', '.join(map(text, names[1:]))})" if names[1:] else "")
        said = (
            f"lastlog says {who} (uid {entry.uid}) logged in at {stamp(entry.time)} on "
            f"{text(entry.line)} from {text(entry.host) or '-'}"
        )
        if newest is None:
            seen = (
                f"the wtmp ({stamp(wtmp.start)} to {stamp(wtmp.end)}) has no login of "
                f"{text(names[0])}"
            )
        else:
            seen = (
                f"the newest wtmp login is {span(entry.time - newest[0])} older "
                f"({stamp(newest[0])}, {newest[1]} offset {newest[2]})"
            )
        why = "the wtmp record of that login was removed, or the lastlog entry was edited"
        if entry.line == SET_LINE:
            why = "the entry looks set by 'lastlog -S' (line 'lastlog')"
        found.append(
            Finding(
                source.path, entry.offset, entry.uid, "lastlog-newer", ALERT,
                f"{said}, but {seen}: {why}",
            )
        )  # fmt: skip
    return found
