"""Text logs as they lie on disk: one file, a rotated set, a multilog directory, compressed
or not, or standard input; read in large chunks that end at a line boundary.

Order matters to anything that pairs lines (matchup) or draws them over time, so a set is
read oldest first:

- a multilog directory: its finished files ``@<tai64n>.s`` / ``.u`` in name order (the name
  is the time the file was finished), then ``current``;
- logrotate's siblings given together (``maillog maillog.1 maillog.2.gz``, in any order):
  dated ones (``maillog-20261124``) oldest first, then numbered ones highest number first,
  then the live file.

gzip, bzip2 and xz files are recognised by their first bytes, whatever their names.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

#: Bytes read at a time: large enough for column-wise parsing to pay off, small enough to
#: keep memory bounded whatever the size of the log.
CHUNK = 64 << 20

_ROTATED = re.compile(r"^(?P<base>.*?)(?:\.(?P<num>\d+)|-(?P<date>\d{8,10}))(?:\.(?:gz|bz2|xz))?$")


@dataclass(frozen=True)
class Chunk:
    """Whole lines from one file (the last may lack its newline at the end of a file)."""

    path: str
    data: bytes
    #: 1-based number, in its file, of the chunk's first line.
    first_line: int


def expand(operands: list[str]) -> list[str]:
    """The files to read, oldest first: directories become their multilog files, rotated
    siblings are put in order; ``-`` is standard input."""
    files: list[str] = []
    for operand in operands:
        if operand != "-" and os.path.isdir(operand):
            files.extend(_multilog_files(operand))
        else:
            files.append(operand)
    return _order_rotated(files)


def _multilog_files(directory: str) -> list[str]:
    names = sorted(
        n for n in os.listdir(directory) if n.startswith("@") and n.endswith((".s", ".u"))
    )
    if os.path.exists(os.path.join(directory, "current")):
        names.append("current")
    return [os.path.join(directory, n) for n in names]


def _rotation_key(path: str) -> tuple[str, tuple[int, int]]:
    m = _ROTATED.match(path)
    if m is None:
        return path, (2, 0)
    if m.group("date") is not None:
        return m.group("base"), (0, int(m.group("date")))
    return m.group("base"), (1, -int(m.group("num")))


def _order_rotated(files: list[str]) -> list[str]:
    keys = [_rotation_key(f) for f in files]
    bases = {k[0] for k in keys}
    # A file counts as a set's live file only when some sibling names it as their base.
    grouped = [
        (base if base in bases else f, rank if base in bases else (2, 0), i)
        for i, (f, (base, rank)) in enumerate(zip(files, keys, strict=True))
    ]
    first_seen: dict[str, int] = {}
    for base, _rank, i in grouped:
        first_seen.setdefault(base, i)
    order = sorted(grouped, key=lambda g: (first_seen[g[0]], g[1], g[2]))
    return [files[i] for _b, _r, i in order]


def _open(path: str) -> tuple[BinaryIO, BinaryIO, int]:
    """(decompressed stream, raw file, raw size) for ``path``."""
    if path == "-":
        raw: BinaryIO = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    else:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the pair
    try:
        st = os.fstat(raw.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, os.strerror(21), path)
        size = st.st_size if stat.S_ISREG(st.st_mode) else 0
        head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
        # The decompressors are closed with the raw file by the caller (see _file_chunks).
        if head.startswith(b"\x1f\x8b"):
            return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb")), raw, size
        if head.startswith(b"BZh"):
            return cast(BinaryIO, bz2.BZ2File(raw, mode="rb")), raw, size
        if head.startswith(b"\xfd7zXZ\x00"):
            return cast(BinaryIO, lzma.LZMAFile(raw, mode="rb")), raw, size
        return raw, raw, size
    except BaseException:
        raw.close()
        raise


def total_size(paths: list[str]) -> int:
    """Bytes on disk of the regular files among ``paths`` (for progress)."""
    total = 0
    for path in paths:
        if path != "-":
            try:
                total += os.stat(path).st_size
            except OSError:
                continue
    return total


def chunks(
    paths: list[str], size: int = CHUNK, advance: Callable[[int], None] | None = None
) -> Iterator[Chunk]:
    """Chunks of whole lines from each file in turn; ``advance(n)`` is told of every ``n``
    bytes read from disk (once per chunk, never per line)."""
    for path in paths:
        yield from _file_chunks(path, size, advance)


def _file_chunks(path: str, size: int, advance: Callable[[int], None] | None) -> Iterator[Chunk]:
    stream, raw, _ = _open(path)
    with raw, stream:
        carry = b""
        line = 1
        consumed = 0
        while True:
            block = stream.read(size)
            if advance is not None and raw is not stream:
                where = raw.tell()
                advance(where - consumed)
                consumed = where
            elif advance is not None:
                advance(len(block))
            if not block:
                if carry:
                    yield Chunk(path, carry, line)
                return
            data = carry + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            whole, carry = data[:cut], data[cut:]
            yield Chunk(path, whole, line)
            line += whole.count(b"\n")


def read_all(paths: list[str]) -> bytes:
    """Every file's bytes, decompressed and concatenated (for small inputs and tests)."""
    return b"".join(c.data for c in chunks(paths))


#: The first bytes of the compressed forms :func:`chunks` reads.
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def plain_file(fd: int) -> bool:
    """Whether ``fd`` is a regular file whose bytes from its current offset are not
    compressed (so that :func:`pread_chunks` can read it)."""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        head = os.pread(fd, 6, os.lseek(fd, 0, os.SEEK_CUR))
    except OSError:
        return False
    return not head.startswith(_COMPRESSED)


#: How far back from the end of a chunk line ends are looked for at first.
_PROBE = 64 << 10


def pread_chunks(
    fd: int,
    size: int,
    hold_last_line: bool = False,
    advance: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The rest of the regular file open on ``fd`` (see :func:`plain_file`), in chunks of
    about ``size`` bytes that end at a line end, each read once by the kernel straight
    into its bytes (reading blocks and cutting them at line ends copies every byte three or
    four times more, with the GIL held). With ``hold_last_line``, a chunk also leaves its
    last whole line to the next one (so that pieces of a split line, which follow it, stay
    with it). The last chunk is whatever is left, with or without a final newline."""
    start = os.lseek(fd, 0, os.SEEK_CUR)
    end_of_file = os.fstat(fd).st_size
    while start < end_of_file:
        cut = _cut(fd, start, start + size, end_of_file, hold_last_line)
        data = os.pread(fd, cut - start, start)
        if not data:
            return
        start += len(data)
        if advance is not None:
            advance(len(data))
        yield data
    os.lseek(fd, start, os.SEEK_SET)


def _cut(fd: int, start: int, end: int, end_of_file: int, hold_last_line: bool) -> int:
    """Where a chunk starting at ``start`` ends: after the last line end before ``end`` (or
    the one before that), or at the end of the file."""
    if end >= end_of_file:
        return end_of_file
    probe = _PROBE
    while True:
        low = max(start, end - probe)
        window = os.pread(fd, end - low, low)
        last = window.rfind(b"\n")
        if hold_last_line and last >= 0:
            last = window.rfind(b"\n", 0, last)
        if last >= 0:
            return low + last + 1
        if low == start:
            # No line end in reach: the chunk takes a longer stretch.
            longer = min(end + (end - start), end_of_file)
            return _cut(fd, start, longer, end_of_file, hold_last_line)
        probe *= 4
