"""A log file found under a host root, where reading it starts, and what a reader gives back.

A reader takes a file and a :class:`Position` (where the previous ingest stopped: nothing
for a new file) and yields :class:`Batch` es: events, and the position just after them. The
store commits each batch together with its position, so an ingest stopped at any point
resumes after the last batch it committed, and no event is loaded twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

#: Which reader reads a file.
FAMILIES = ("utmp", "lastlog", "pacct", "text")


@dataclass(frozen=True)
class Found:
    """One file of the host and how to read it."""

    #: Where it is on this machine.
    path: str
    #: What it holds (``source_kind`` of its events): wtmp, btmp, utmp, lastlog, pacct,
    #: syslog, sulog, sudo, apache_access, apache_error, qmail.
    source_kind: str
    family: str
    #: Its rotation set (the live file's path) and its place in it: 0 for the live file,
    #: 1 for the newest rotated one, and so on back in time.
    group: str = ""
    rank: int = 0


@dataclass
class Position:
    """How far a file has been read: bytes (of its decompressed content), records or lines
    before that point, and what its reader carries on to the next part (JSON-able)."""

    offset: int = 0
    record: int = 0
    carry: dict[str, Any] = field(default_factory=dict)


@dataclass
class Batch:
    """Events read from a file, and the position just after them."""

    events: pl.DataFrame
    end: Position
