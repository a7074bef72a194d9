"""The in-flight record: what a killed multilog had written but not yet taken from its pipe.

When multilog reads from a pipe, logwarden does not take input out of the pipe until the
lines made from it are in ``current``: it copies the pipe's contents (``tee``), writes, and
only then consumes what it wrote. A ``kill -9`` at any moment therefore leaves every unwritten
line in the pipe for the next multilog (the supervisor holds the pipe open across restarts).

One window remains: lines written to ``current`` but not yet consumed would be written a
second time by the next multilog. Before writing, logwarden records in the directory's
``inflight`` file which bytes of ``current`` belong to input still in the pipe (the file's
inode, the offset where they start, and a digest of that input); after consuming, it marks the
record done. On start, a record that is not done and whose digest matches the pipe's head
means the input was never consumed: ``current`` is cut back to the recorded offset, and the
input is written again from the pipe, once.

The record is one fixed-size line rewritten in place, so it never needs new disk space after
it is created. The file is removed when multilog exits cleanly, which leaves the directory as
daemontools' multilog leaves it.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

NAME = "inflight"
RECORD_SIZE = 128
_VERSION = b"logwarden-inflight 1"


@dataclass(frozen=True)
class Record:
    """Bytes of ``current`` (inode ``inode``) from ``offset`` on come from unconsumed input."""

    inode: int
    offset: int
    length: int
    digest: str


def digest(data: bytes) -> str:
    """The digest that, with its length, identifies unconsumed input (CRC-32: it only has
    to tell the bytes that were at the pipe's head from the ones that came after them)."""
    return f"{zlib.crc32(data):08x}"


def encode_writing(record: Record) -> bytes:
    """The on-disk line for a write in progress."""
    line = b"%s writing %d %d %d %s" % (
        _VERSION,
        record.inode,
        record.offset,
        record.length,
        record.digest.encode("ascii"),
    )
    return line.ljust(RECORD_SIZE - 1) + b"\n"


def encode_done() -> bytes:
    """The on-disk line once the input is consumed."""
    return (_VERSION + b" done").ljust(RECORD_SIZE - 1) + b"\n"


def decode(data: bytes) -> Record | None:
    """The write in progress that ``data`` records, or None (done, empty or unreadable)."""
    fields = data.split()
    if len(fields) != 7 or b" ".join(fields[:2]) != _VERSION or fields[2] != b"writing":
        return None
    try:
        inode, offset, length = (int(value) for value in fields[3:6])
        return Record(inode, offset, length, fields[6].decode("ascii"))
    except ValueError:
        return None


class Inflight:
    """The ``inflight`` file of one log directory."""

    def __init__(self, directory_fd: int) -> None:
        self.directory_fd = directory_fd
        self.fd = -1
        #: True while the record says "writing" for the current stretch of input.
        self.open_write = False

    def read(self) -> Record | None:
        """The record a previous multilog left, if it says a write was in progress."""
        try:
            fd = os.open(NAME, os.O_RDONLY, dir_fd=self.directory_fd)
        except FileNotFoundError:
            return None
        try:
            return decode(os.pread(fd, RECORD_SIZE, 0))
        finally:
            os.close(fd)

    def writing(self, record: Record) -> None:
        """Record a write about to happen (raises OSError, e.g. on a full disk)."""
        if self.fd < 0:
            self.fd = os.open(NAME, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=self.directory_fd)
        _pwrite_all(self.fd, encode_writing(record))
        self.open_write = True

    def done(self) -> None:
        """Record that the input of the last write has been consumed."""
        if self.open_write:
            _pwrite_all(self.fd, encode_done())
            self.open_write = False

    def remove(self) -> None:
        """Remove the file (clean exit)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        try:
            os.unlink(NAME, dir_fd=self.directory_fd)
        except FileNotFoundError:
            return


def _pwrite_all(fd: int, data: bytes) -> None:
    done = 0
    while done < len(data):
        done += os.pwrite(fd, data[done:], done)
