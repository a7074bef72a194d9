"""Events from syslog files and the program logs the seed names, line by line.

This is the reference path: each line goes through the parser ``syslog grep`` uses
(:mod:`logwarden.syslog.proglogs`), with the host's zone and the year found as
:mod:`logwarden.events.years` says. :mod:`logwarden.events.syslogcols` does the same work on
whole columns for big files, and tests hold the two equal line for line.

Both give *base* columns (time, the line's own host, program, pid, user, tty, remote,
message, fields); what a syslog line means (an sshd login, a sudo command, a qmail delivery)
is decided after, on the columns, by :mod:`logwarden.events.typing`, the same for both paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import numpy.typing as npt
import polars as pl

from logwarden.events.lines import LineChunk
from logwarden.events.years import YearWalk
from logwarden.events.zone import HostZone
from logwarden.syslog import proglogs
from logwarden.syslog.proglogs import Entry

#: The base columns every text reader gives, before typing.
BASE = pl.Schema(
    {
        "time": pl.Int64(),  # microseconds since the epoch, UTC
        "offset": pl.Int64(),
        "record": pl.Int64(),
        "year_guessed": pl.Boolean(),
        "hostname": pl.String(),
        "program": pl.String(),
        "pid": pl.Int64(),
        "user": pl.String(),
        "tty": pl.String(),
        "remote": pl.String(),
        "message": pl.String(),
        "kind": pl.String(),
        "fields": pl.String(),
    }
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def local_fn(zone: HostZone) -> proglogs.LocalFn:
    """proglogs' local-time function for the host's zone."""

    def local(y: int, mo: int, d: int, h: int, mi: int, s: int, frac: float = 0.0) -> datetime:
        t = zone.utc(y, mo, d, h, mi, s)
        offset = zone.offset(t)
        return datetime.fromtimestamp(t, timezone(timedelta(seconds=offset))) + timedelta(
            microseconds=int(frac * 1e6)
        )

    return local


def months(kind: str, lines: Iterable[bytes]) -> npt.NDArray[np.int64]:
    """The month of every stamped line (0 for the others), as the line parsers see it."""
    return np.array([proglogs._month_of(kind, line) for line in lines], dtype=np.int64)


def _micros(when: datetime) -> int:
    return (when - _EPOCH) // _US


def _pid(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) < 19 else None


_KIND = {"access": "http_request", "error": "http_error", "sudo": "sudo", "syslog": "syslog"}


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _row(entry: Entry, offset: int, kind: str, guessed: bool) -> dict[str, object]:
    fields = dict(entry.fields)
    tty: str | None = None
    remote: str | None = None
    user = entry.user
    event_kind = _KIND.get(kind, kind)
    hostname = entry.host
    if kind == "sulog":
        tty = _str(fields.get("tty"))
        event_kind = "su" if fields.get("success") else "su_failed"
    elif kind == "sudo":
        tty = _str(fields.get("tty"))
    elif kind == "access":
        remote, hostname = entry.host, None
    elif kind == "error":
        remote = _str(fields.get("client"))
    return {
        "time": _micros(entry.time) if entry.time is not None else None,
        "offset": offset,
        "record": entry.line,
        "year_guessed": guessed,
        "hostname": hostname,
        "program": entry.program,
        "pid": _pid(entry.pid),
        "user": user,
        "tty": tty,
        "remote": remote,
        "message": entry.message,
        "kind": event_kind,
        "fields": json.dumps(fields, ensure_ascii=False, separators=(",", ":")),
    }


def _guessed(kind: str, entry: Entry) -> bool:
    """Whether the entry's year was inferred (its stamp has none)."""
    if entry.time is None:
        return False
    if kind == "sudo":
        m = proglogs._SUDO.match(entry.raw.replace(b"\n    ", b" "))
        return m is None or m.group(6) is None
    if kind == "syslog":
        return proglogs._SYSLOG_3339.match(entry.raw) is None
    return True


def base_rows(
    kind: str,
    path: str,
    chunk: LineChunk,
    walk: YearWalk,
    zone: HostZone,
) -> pl.DataFrame:
    """Base columns of the lines of ``chunk`` (a file of ``kind``), line by line."""
    starts = chunk.line_starts()
    ends = np.append(starts[1:], len(chunk.data))
    offsets = dict[int, int]()
    numbered = []
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        line = chunk.data[a:b].rstrip(b"\n").rstrip(b"\r")
        number = chunk.first_line + i
        offsets[number] = chunk.offset + a
        numbered.append((number, line))
    local = local_fn(zone)
    guessing = kind in proglogs.YEARLESS
    entries: Iterator[Entry]
    if kind == "sudo":
        entries = proglogs.sudo_entries(path, numbered, walk.next, local)
    else:
        entries = (
            proglogs.parse(kind, path, number, line, walk.next, local)
            for number, line in numbered
            if line
        )
    rows = []
    for entry in entries:
        rows.append(_row(entry, offsets[entry.line], kind, guessing and _guessed(kind, entry)))
    return pl.DataFrame(rows, schema=BASE, orient="row") if rows else pl.DataFrame(schema=BASE)
