"""Terminal names for ``ac_tty`` device numbers, as GNU acct finds them (``dev_hash.c``).

pacct stores the controlling terminal as the old 16-bit device number, ``major << 8 | minor``
(0: none, shown ``__``). GNU acct names it from the *live* ``/dev`` of the machine reading the
file: every character device directly in ``/dev`` (``stat`` follows symbolic links; when
several names share a number the one read last wins), then ``/dev/pty`` and ``/dev/ptym``,
then the 2048 pseudo-terminals ``pts/0`` .. ``pts/2047`` computed from majors 136-143; a number
not found is shown ``[major,minor]``.

A file copied from another host names its terminals by that host's devices, which the live
``/dev`` here need not have: :class:`StaticTtys` names the Linux numbers that are the same on
every machine (virtual consoles, serial ports, ``console``, pseudo-terminals) instead.
"""

from __future__ import annotations

import os
import stat
from typing import Protocol

import numpy as np
import numpy.typing as npt

from logwarden.acct.codes import distinct_codes

NO_TTY = b"__"
PTS_MAJOR = 136
PTS_COUNT = 2048
_PTS_PER_MAJOR = 256


class TtyNames(Protocol):
    """Names for device numbers."""

    def name(self, dev: int) -> bytes: ...


def unknown(dev: int) -> bytes:
    """GNU's ``[major,minor]`` for a number it has no name for."""
    return b"[%d,%d]" % ((dev & 0xFF00) >> 8, dev & 0xFF)


def _pts() -> dict[int, bytes]:
    return {
        ((PTS_MAJOR + i // _PTS_PER_MAJOR) << 8) + i % _PTS_PER_MAJOR: b"pts/%d" % i
        for i in range(PTS_COUNT)
    }


class LiveTtys:
    """This machine's ``/dev``, read once on first use, in GNU's order."""

    def __init__(self, root: str = "/dev") -> None:
        self._root = root
        self._table: dict[int, bytes] | None = None

    def _scan(self, directory: str) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        try:
            entries = os.listdir(os.fsencode(directory))  # readdir order, as GNU walks it
        except OSError:
            return found  # GNU skips a missing directory silently
        for entry in entries:
            try:
                info = os.stat(os.path.join(os.fsencode(directory), entry))
            except OSError:
                continue
            if stat.S_ISCHR(info.st_mode):
                found[info.st_rdev] = entry
        return found

    def table(self) -> dict[int, bytes]:
        """Device number -> name, as GNU builds it."""
        if self._table is None:
            table: dict[int, bytes] = {}
            for sub in ("", "/pty", "/ptym"):
                table.update(self._scan(self._root + sub))
            if os.path.isdir(self._root + "/pts"):
                table.update(_pts())
            self._table = table
        return self._table

    def name(self, dev: int) -> bytes:
        if dev == 0:
            return NO_TTY
        return self.table().get(dev) or unknown(dev)


class StaticTtys:
    """The device numbers every Linux machine gives the same names."""

    def __init__(self) -> None:
        table = {(4 << 8) | n: b"tty%d" % n for n in range(64)}
        table.update({(4 << 8) | n: b"ttyS%d" % (n - 64) for n in range(64, 256)})
        table.update({(5 << 8): b"tty", (5 << 8) | 1: b"console", (5 << 8) | 2: b"ptmx"})
        table.update(_pts())
        self._table = table

    def name(self, dev: int) -> bytes:
        if dev == 0:
            return NO_TTY
        return self._table.get(dev) or unknown(dev)


def names_of(ttys: TtyNames, devs: npt.NDArray[np.integer]) -> npt.NDArray[np.bytes_]:
    """The name of every element of ``devs`` (looked up once per distinct number)."""
    distinct, inverse = distinct_codes(devs)
    table = np.array([ttys.name(d) for d in distinct.tolist()] or [b""], dtype=np.bytes_)
    named: npt.NDArray[np.bytes_] = table[inverse]
    return named


def devices_for(choice: str | None, foreign: bool) -> TtyNames:
    """``--devices live|static``; without it, static for another host's files (``--passwd``)."""
    if choice is None:
        choice = "static" if foreign else "live"
    if choice == "live":
        return LiveTtys()
    if choice == "static":
        return StaticTtys()
    raise ValueError(choice)
