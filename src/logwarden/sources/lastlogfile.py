"""Opening a lastlog file: map it, find where its data is, detect its layout; and updating
records in place for ``lastlog -C``/``-S``.

A lastlog is sparse: a uid of 4294967294 puts a record 1.25 TB into the file, almost all of
it holes. Nothing here reads the holes: detection looks only at the byte ranges the file
system says hold data (``SEEK_DATA``/``SEEK_HOLE``), and a report gathers just the records
of the uids it needs from the mapping.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from logwarden.errors import InputError, UsageError
from logwarden.formats import lastlog
from logwarden.formats.utmp import SQLITE_MAGIC
from logwarden.sources.files import FileBytes, read_file

LAYOUT_CHOICES = ("auto", *lastlog.LAYOUTS)


def layout_named(name: str | None) -> lastlog.Layout | None:
    """The lastlog layout for a ``--layout`` value (None for automatic detection)."""
    if name is None or name == "auto":
        return None
    try:
        return lastlog.LAYOUTS[name]
    except KeyError:
        choices = ", ".join(LAYOUT_CHOICES)
        raise UsageError(f"unknown lastlog layout '{name}' (choose from {choices})") from None


def data_extents(path: str, size: int) -> list[tuple[int, int]] | None:
    """The byte ranges of ``path`` that hold data, or None when the file system cannot say
    (then every byte counts as data)."""
    if path == "-" or size == 0:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    extents: list[tuple[int, int]] = []
    try:
        position = 0
        while position < size:
            try:
                start = os.lseek(fd, position, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:  # nothing but a hole up to the end
                    break
                return None
            end = os.lseek(fd, start, os.SEEK_HOLE)
            extents.append((start, min(end, size)))
            position = end
    finally:
        os.close(fd)
    return extents


@dataclass
class LastlogFile:
    """A lastlog file and the layout it is read with."""

    path: str
    file: FileBytes
    layout: lastlog.Layout
    scores: list[lastlog.Score] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.file)

    def records_for(self, uids: Sequence[int] | npt.NDArray[np.int64]) -> lastlog.Records:
        """The records of ``uids``; those beyond the end read as never logged in."""
        return lastlog.at_uids(memoryview(self.file.data), self.layout, uids)


def open_lastlog(path: str, layout: lastlog.Layout | None = None) -> LastlogFile:
    """Read ``path`` as a lastlog. OSError propagates for the caller to word; a file that no
    layout explains is an InputError that says so."""
    file = read_file(path)
    if layout is not None:
        return LastlogFile(path, file, layout)
    data = memoryview(file.data)
    if data[:16] == SQLITE_MAGIC:
        raise InputError(path, "is an SQLite database (lastlog2?), not a lastlog file")
    scores = lastlog.detect(data, data_extents(path, len(file)))
    best = scores[0]
    if not best.fits:
        raise InputError(
            path,
            "not a lastlog file: no known record layout fits "
            f"(best: {best.layout.name}, {best.plausible:.0%} of {best.sampled} records with "
            "data plausible); --layout forces one",
        )
    return LastlogFile(path, file, best.layout, scores)


def update_records(path: str, writes: Sequence[tuple[int, bytes]]) -> None:
    """Write each ``(offset, record)`` into the existing file ``path`` in place, then fsync.

    In place, as shadow's ``lastlog`` and every login program do: a lastlog may be a huge
    sparse file that a copy-and-rename would fill in. Writing past the end extends the file
    and leaves a hole before the new record. Raises OSError as ``open`` does (a missing file
    is not created).
    """
    fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    try:
        for offset, record in writes:
            written = os.pwrite(fd, record, offset)
            if written != len(record):
                raise OSError(errno.EIO, os.strerror(errno.EIO), path)
        os.fsync(fd)
    finally:
        os.close(fd)
