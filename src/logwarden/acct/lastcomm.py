"""lastcomm's selection: which records GNU acct 6.6.4 prints, given its words and lists.

Without ``--strict-match`` a record is printed when any list matches: a positional word
equal to its user name, tty name or command; or a ``--user``/``--tty``/``--command`` item
equal to that field. Commands are compared as C strings of at most 16 bytes, so a longer
word never matches. With ``--strict-match`` every list must match, and each positional word
must equal the user name *and* the tty name *and* begin with the command (GNU's ``strcmp ||
strcmp || strncmp`` test): in practice positional words then select nothing.

The library also offers the rows for ``--json``/``--csv`` and a ``--since``/``--until`` window
on the start time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from logwarden.acct import fields
from logwarden.acct.ttys import TtyNames, names_of
from logwarden.connect.last import clock
from logwarden.formats import acct

Bools = npt.NDArray[np.bool_]
Strings = npt.NDArray[np.bytes_]


@dataclass
class Filters:
    """What the command line asked to see (each list keeps its distinct items)."""

    words: list[bytes] = field(default_factory=list)
    users: list[bytes] = field(default_factory=list)
    ttys: list[bytes] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)
    strict: bool = False
    since: int | None = None
    until: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.words or self.users or self.ttys or self.commands)


def _member(values: Strings, items: list[bytes]) -> Bools:
    if not items:
        return np.zeros(len(values), dtype=bool)
    found: Bools = np.isin(values, np.array(items, dtype=np.bytes_))
    return found


def _begins_with(word: bytes, comm: Strings) -> Bools:
    """``strncmp(word, comm, strlen(comm)) == 0``: comm is a prefix of word."""
    prefixes = np.array([word[:n] for n in range(17)], dtype=np.bytes_)
    lengths = np.char.str_len(comm)
    found: Bools = prefixes[lengths] == comm
    return found


@dataclass(frozen=True)
class Selected:
    """The printed records with the names lastcomm shows for them."""

    records: acct.Records
    users: Strings
    ttys: Strings
    comm: Strings


def select(records: acct.Records, users: Strings, ttys: Strings, filters: Filters) -> Selected:
    """The records lastcomm prints (``users``/``ttys`` are the names of every record)."""
    comm = fields.commands(records)
    keep = np.ones(len(records), dtype=bool)
    if filters.any:
        if filters.strict:
            for word in dict.fromkeys(filters.words):
                keep &= (users == word) & (ttys == word) & _begins_with(word, comm)
            if filters.ttys:
                keep &= ttys == filters.ttys[0]
            if filters.users:
                keep &= users == filters.users[0]
            if filters.commands:
                keep &= comm == filters.commands[0]
        else:
            keep = (
                _member(users, filters.words + filters.users)
                | _member(ttys, filters.words + filters.ttys)
                | _member(comm, filters.words + filters.commands)
            )
    if filters.since is not None:
        keep &= records["btime"].astype(np.int64) >= filters.since
    if filters.until is not None:
        keep &= records["btime"].astype(np.int64) <= filters.until
    if keep.all():
        return Selected(records, users, ttys, comm)
    rows = np.flatnonzero(keep)
    return Selected(records.take(rows), users[rows], ttys[rows], comm[rows])


def names(records: acct.Records, user_names: Strings, ttys: TtyNames) -> tuple[Strings, Strings]:
    """(user names, tty names) of every record."""
    return user_names, names_of(ttys, records["tty"])


ROW_FIELDS = (
    "command", "flags", "user", "uid", "gid", "tty", "cpu", "user_time", "system_time",
    "elapsed", "start", "end", "exit_status", "signal", "core_dumped", "memory_kb",
    "minor_faults", "major_faults", "swaps", "io", "pid", "ppid", "version",
)  # fmt: skip


def rows(selected: Selected) -> Iterator[dict[str, object]]:
    """One mapping per printed record: numbers as numbers, times in ISO 8601 with the local
    offset (``end`` = start + elapsed), ``pid``/``ppid`` null where the version has none."""
    rec = selected.records
    count = len(rec)
    ahz = rec["ahz"].astype(np.float64)
    utime = fields.comp(rec, "utime") / ahz
    stime = fields.comp(rec, "stime") / ahz
    elapsed = rec["etime"].astype(np.float64) / ahz
    start = rec["btime"].astype(np.int64)
    end = start + np.floor(np.nan_to_num(elapsed, posinf=0, neginf=0)).astype(np.int64)
    both = np.concatenate([start, end])
    stamps = clock.iso(both, clock.utc_offsets(both))
    flags = acct.flags_text(rec["flag"])
    version = (rec["version"] & 0x7F).astype(np.int64)
    exitcode = rec["exitcode"].astype(np.int64)
    mem = fields.comp(rec, "mem")
    pid = rec["pid"].astype(np.int64)
    ppid = rec["ppid"].astype(np.int64)
    columns = [
        selected.comm.tolist(), flags, selected.users.tolist(), rec["uid"].tolist(),
        rec["gid"].tolist(), selected.ttys.tolist(), (utime + stime).tolist(), utime.tolist(),
        stime.tolist(), elapsed.tolist(),
    ]  # fmt: skip
    tty_dev = rec["tty"].tolist()
    minflt = fields.comp(rec, "minflt").tolist()
    majflt = fields.comp(rec, "majflt").tolist()
    swaps = fields.comp(rec, "swaps").tolist()
    io = fields.comp(rec, "io").tolist()
    for i in range(count):
        status = int(exitcode[i])
        has_pid = int(version[i]) in (3, 4)
        yield {
            "command": columns[0][i],
            "flags": flags[i],
            "user": columns[2][i],
            "uid": columns[3][i],
            "gid": columns[4][i],
            "tty": columns[5][i] if tty_dev[i] else None,
            "cpu": round(columns[6][i], 6),
            "user_time": round(columns[7][i], 6),
            "system_time": round(columns[8][i], 6),
            "elapsed": round(columns[9][i], 6),
            "start": stamps[i].tobytes().decode(),
            "end": stamps[count + i].tobytes().decode(),
            "exit_status": status >> 8 if status & 0x7F == 0 else None,
            "signal": status & 0x7F or None,
            "core_dumped": bool(status & 0x80),
            "memory_kb": int(mem[i]),
            "minor_faults": minflt[i],
            "major_faults": majflt[i],
            "swaps": swaps[i],
            "io": io[i],
            "pid": int(pid[i]) if has_pid else None,
            "ppid": int(ppid[i]) if has_pid else None,
            "version": int(version[i]),
        }
