"""Tamper evidence in utmp-family files: the classic marks that log wipers and hand edits leave.

Each check is sound on an untouched file written by login programs and init, and names what it
saw with the byte offset of the record it saw it in:

``zeroed``        runs of records that are all zero bytes: wipers such as zap overwrite the
                  records they want gone with zeros (no writer ever appends such a record).
``damaged``       runs of records that no utmp writer makes (types outside 0..9, times outside
                  1980..2106, text after a field's padding, and in a wtmp or btmp an EMPTY
                  record that holds data, as an edited type leaves): hand edits, or every
                  record after bytes cut out of the middle of the file, all shifted.
``partial``       bytes at the end that are not a whole record: a truncated or cut file.
``time-order``    a record stamped earlier than the one before it by more than the leniency:
                  a reordered or inserted record (a sysvinit OLD_TIME/NEW_TIME clock-change
                  pair is legitimate and not reported).
``no-boot``       logins after a shutdown with no boot record between them (a removed boot
                  record), or, as information only, logins before the file's first boot
                  (normal for a rotated wtmp, which starts mid-uptime).
``orphan-logout`` a logout on a line where no login, getty or init process was running (after
                  a boot record, so that the state of every line is known): the login record
                  was removed.

Which checks apply depends on the file's kind: a wtmp gets them all; a btmp (failed logins,
appended in time order, with no boots or logouts) only the record-level ones and time order;
a utmp (the current state, whose slots are rewritten in place) only the record-level ones.

Severities: ``alert`` (a strong sign of tampering), ``warning`` (a sign worth a look: it has
innocent causes too, such as a clock reset at boot or a crash mid-write), ``info`` (what the
reader knows about the file, such as its layout; never counted as a finding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from logwarden.formats import utmp

ALERT = "alert"
WARNING = "warning"
INFO = "info"

#: Seconds a record may be stamped before the previous one without being reported, as GNU
#: ac's --tw-leniency: writers on one host can race by a second or so.
LENIENCY = 60

KINDS = ("wtmp", "btmp", "utmp")


@dataclass(frozen=True, order=True)
class Finding:
    """One thing found, at a byte offset of a file (``record``: the record's index there)."""

    file: str
    offset: int
    record: int | None
    kind: str
    severity: str
    detail: str

    @property
    def counts(self) -> bool:
        """Whether this is a sign of tampering (info lines are not)."""
        return self.severity != INFO

    def row(self) -> dict[str, object]:
        return {
            "file": self.file,
            "offset": self.offset,
            "record": self.record,
            "kind": self.kind,
            "severity": self.severity,
            "detail": self.detail,
        }


def kind_of(path: str) -> str:
    """The kind a file's name says it is: ``btmp*``, ``utmp*`` (current state), else wtmp."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.startswith("btmp"):
        return "btmp"
    if name.startswith("utmp") or name == "utmpx":
        return "utmp"
    return "wtmp"


def stamp(t: int) -> str:
    """A time as ISO 8601 UTC, the same whatever the reader's zone."""
    try:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{t} (out of range)"


def span(seconds: int) -> str:
    """A duration as ``3d 2h 5m 7s``, largest units first, zero units left out."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts)


def text(value: bytes) -> str:
    """A field for a detail line (sanitised again at output)."""
    return value.decode("utf-8", "backslashreplace")


def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[first, last]`` index pairs of the runs of True in ``mask``."""
    if not mask.any():
        return []
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def layout_finding(path: str, scores: Sequence[utmp.Score] | None, layout: utmp.Layout) -> Finding:
    """How the file was read: its layout and how sure detection is."""
    if not scores:
        detail = f"{layout.name} ({layout.description}), as --layout says"
    else:
        best = scores[0]
        detail = f"{layout.name}: {best.plausible:.0%} of {best.sampled} sampled records plausible"
        if len(scores) > 1:
            runner = scores[1]
            detail += f" (next best: {runner.layout.name}, {runner.plausible:.0%})"
    return Finding(path, 0, None, "layout", INFO, detail)


def record_findings(
    path: str, records: utmp.Records, kind: str, trailing: int
) -> tuple[list[Finding], npt.NDArray[np.bool_]]:
    """The record-level checks; also returns which records are sound (for the others)."""
    size = records.layout.size
    n = len(records)
    found: list[Finding] = []
    matrix = records.raw.view(np.uint8).reshape(n, size) if n else np.zeros((0, size), np.uint8)
    zero = np.asarray(~matrix.any(axis=1), dtype=np.bool_)
    for first, last in runs(zero):
        count = last - first + 1
        found.append(
            Finding(
                path, first * size, first, "zeroed", ALERT,
                f"{count} record{'s' if count != 1 else ''} of zero bytes (offsets "
                f"{first * size}..{(last + 1) * size - 1}): what log wipers leave where "
                "they erase records",
            )
        )  # fmt: skip
    sound = utmp.plausible(records) & ~zero
    if kind != "utmp":
        # wtmp and btmp writers append only real records: an EMPTY one holding data had its
        # type edited (or is a shifted record that happens to read as type 0).
        sound &= records.type != utmp.EMPTY
    for first, last in runs(~sound & ~zero):
        count = last - first + 1
        entry = records.entry(first)
        if count == 1 and entry.type == utmp.EMPTY:
            what = (
                f"an EMPTY (type 0) record that still holds data (user '{text(entry.user)}', "
                f"line '{text(entry.line)}'), in a {kind}, where writers append only real "
                "records: its type was edited"
            )
        else:
            what = (
                f"{count} record{'s' if count != 1 else ''} no utmp writer makes (offsets "
                f"{first * size}..{(last + 1) * size - 1}; the first has type {entry.type}, "
                f"time {entry.sec}): edited by hand, or shifted by bytes cut out before them"
            )
        found.append(Finding(path, first * size, first, "damaged", WARNING, what))
    if trailing:
        offset = n * size
        found.append(
            Finding(
                path, offset, n, "partial", WARNING,
                f"{trailing} byte{'s' if trailing != 1 else ''} at the end are not a whole "
                f"{size}-byte record: the file was truncated, or bytes were cut out of it",
            )
        )  # fmt: skip
    return found, sound


def time_order(
    path: str, records: utmp.Records, sound: npt.NDArray[np.bool_], leniency: int
) -> list[Finding]:
    """Records stamped earlier than the sound record before them, beyond ``leniency``."""
    index = np.flatnonzero(sound & (records.sec != 0))
    if len(index) < 2:
        return []
    sec = records.sec[index]
    types = records.type[index]
    back = sec[1:] < sec[:-1] - leniency
    # An OLD_TIME record followed by NEW_TIME is the clock being set: legitimate.
    back &= ~((types[:-1] == utmp.OLD_TIME) & (types[1:] == utmp.NEW_TIME))
    size = records.layout.size
    found = []
    for k in np.flatnonzero(back).tolist():
        before, here = int(index[k]), int(index[k + 1])
        t0, t1 = int(sec[k]), int(sec[k + 1])
        note = ""
        if int(types[k + 1]) == utmp.BOOT_TIME:
            note = " (a boot record: the clock may have been reset at boot)"
        found.append(
            Finding(
                path, here * size, here, "time-order", WARNING,
                f"stamped {stamp(t1)}, {span(t0 - t1)} before the record at offset "
                f"{before * size} ({stamp(t0)}): reordered or inserted{note}",
            )
        )  # fmt: skip
    return found


def sessions(path: str, records: utmp.Records, sound: npt.NDArray[np.bool_]) -> list[Finding]:
    """Logins and logouts against boots and shutdowns, in file order (wtmp only)."""
    size = records.layout.size
    rows = np.flatnonzero(sound).tolist()
    types = records.type[sound].tolist()
    users = records.cstrings("user", np.asarray(rows, dtype=np.intp)).tolist() if rows else []
    lines = records.cstrings("line", np.asarray(rows, dtype=np.intp)).tolist() if rows else []
    secs = records.sec[sound].tolist()
    found: list[Finding] = []
    boot: int | None = None  # index of the last boot record
    shutdown: int | None = None  # index of a shutdown not yet followed by a boot
    reported_down = False
    open_lines: set[bytes] = set()  # lines with a login, getty or init process running
    before_boot: list[int] = []
    for i, kind, user, line, sec in zip(rows, types, users, lines, secs, strict=True):
        if kind == utmp.BOOT_TIME:
            boot, shutdown, reported_down = i, None, False
            open_lines.clear()
        elif kind == utmp.RUN_LVL and user == b"shutdown":
            shutdown = i
        elif kind == utmp.USER_PROCESS and user:
            open_lines.add(line)
            if boot is None and shutdown is None:
                before_boot.append(i)
            elif shutdown is not None and not reported_down:
                reported_down = True
                found.append(
                    Finding(
                        path, i * size, i, "no-boot", ALERT,
                        f"login of {text(user)} on {text(line)} at {stamp(sec)} after the "
                        f"shutdown at offset {shutdown * size} with no boot record between: "
                        "a boot record was removed (or the shutdown record forged)",
                    )
                )  # fmt: skip
        elif kind in (utmp.LOGIN_PROCESS, utmp.INIT_PROCESS):
            open_lines.add(line)
        elif kind == utmp.DEAD_PROCESS and line:
            if boot is not None and line not in open_lines:
                found.append(
                    Finding(
                        path, i * size, i, "orphan-logout", WARNING,
                        f"logout on {text(line)} at {stamp(sec)}, but no login, getty or init "
                        f"process was running on that line (since the boot at offset "
                        f"{boot * size}): its login record was removed",
                    )
                )  # fmt: skip
            open_lines.discard(line)
    if before_boot:
        first = before_boot[0]
        count = len(before_boot)
        found.append(
            Finding(
                path, first * size, first, "no-boot", INFO,
                f"{count} login{'s' if count != 1 else ''} before the file's first boot "
                "record: it begins mid-uptime (normal after rotation; otherwise its "
                "beginning was cut)",
            )
        )  # fmt: skip
    return found


def check_records(
    path: str,
    records: utmp.Records,
    *,
    kind: str,
    trailing: int = 0,
    leniency: int = LENIENCY,
) -> list[Finding]:
    """Every check that applies to a file of ``kind``, on all its whole records."""
    found, sound = record_findings(path, records, kind, trailing)
    if kind in ("wtmp", "btmp"):
        found += time_order(path, records, sound, leniency)
    if kind == "wtmp":
        found += sessions(path, records, sound)
    return found


def newest_logins(records: utmp.Records) -> dict[bytes, tuple[int, int]]:
    """Each user's newest login in a wtmp: ``name -> (time, offset)``."""
    sound = utmp.plausible(records) & (records.type == utmp.USER_PROCESS)
    rows = np.flatnonzero(sound)
    newest: dict[bytes, tuple[int, int]] = {}
    if not len(rows):
        return newest
    names = records.cstrings("user", rows).tolist()
    secs = records.sec[rows].tolist()
    offsets = records.offsets[rows].tolist()
    for name, sec, offset in zip(names, secs, offsets, strict=True):
        if name and (name not in newest or sec >= newest[name][0]):
            newest[name] = (sec, offset)
    return newest


def time_span(records: utmp.Records) -> tuple[int, int] | None:
    """The first and last time stamped on a sound record, or None if there is none."""
    sec = records.sec[utmp.plausible(records) & (records.sec != 0)]
    if not len(sec):
        return None
    return int(sec.min()), int(sec.max())
