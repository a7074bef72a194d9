"""Bytes of the binary logs (utmp family, lastlog, pacct) and the checks all their readers share.

A plain file is mapped (``sources.files.read_file``), so a 400 MB wtmp costs no memory of its
own; a rotated file that logrotate compressed is decompressed whole (such files are small).
A record stamped more than a day after the file was last written cannot be true (the clock
of a machine does not run ahead of its own files): it is left out and counted, with its
offset, as a far-future time.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from logwarden.events.context import HostContext
from logwarden.sources import logset
from logwarden.sources.files import read_file

DAY_US = 86_400 * 1_000_000
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def load(path: str) -> bytes | mmap.mmap:
    """The whole (decompressed) content of ``path``. OSError as ``open`` raises it."""
    with open(path, "rb") as f:
        head = f.read(6)
    if head.startswith(_COMPRESSED):
        return logset.read_all([path])
    return read_file(path).data


def future_limit(path: str) -> int:
    """Microseconds since the epoch after which a record of ``path`` is in the future: a day
    after the file was last modified."""
    return int(os.stat(path).st_mtime * 1_000_000) + DAY_US


def drop_future(
    ctx: HostContext,
    path: str,
    time_us: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    limit: int,
    describe: Callable[[int], str] = lambda _t: "",
) -> npt.NDArray[np.bool_]:
    """Which rows to keep: those not stamped after ``limit``; the others are counted as a
    problem at the first one's offset."""
    future = time_us > limit
    if not future.any():
        return ~future
    first = int(np.argmax(future))
    count = int(np.count_nonzero(future))
    plural = "s" if count != 1 else ""
    ctx.problem(
        path,
        int(offsets[first]),
        f"left out {count} record{plural} stamped after the file was last written "
        f"(far-future time{describe(int(time_us[first]))})",
        count,
    )
    return ~future
