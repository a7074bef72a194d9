"""Columns the accounting tools derive from decoded records: C-string commands, CPU ticks,
flag letters, start times as text."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from logwarden.acct import numtext
from logwarden.connect.last import clock
from logwarden.formats import acct

Matrix = npt.NDArray[np.uint8]
Ints = npt.NDArray[np.int64]

#: C's isprint() in the C locale (GNU acct never calls setlocale).
PRINTABLE = np.zeros(256, dtype=bool)
PRINTABLE[0x20:0x7F] = True


def command_matrix(records: acct.Records) -> Matrix:
    """``ac_comm`` as C strings: every byte after the first NUL zeroed, (n, 16)."""
    return numtext.clean_cstrings(records.comm_bytes)


def cstrings(values: npt.NDArray[np.bytes_]) -> npt.NDArray[np.bytes_]:
    """Fixed-size byte fields as C strings: everything from the first NUL on dropped."""
    values = np.ascontiguousarray(values)
    width = values.dtype.itemsize
    if len(values) == 0 or width == 0:
        return values
    raw = values.view(np.uint8).reshape(len(values), width)
    return np.ascontiguousarray(numtext.clean_cstrings(raw)).view(values.dtype).reshape(-1)


def commands(records: acct.Records) -> npt.NDArray[np.bytes_]:
    """``ac_comm`` as C strings (at most 16 bytes, nothing after a NUL)."""
    return np.ascontiguousarray(command_matrix(records)).view("S16").reshape(-1)


def printable_commands(matrix: Matrix) -> Matrix:
    """lastcomm's display: every unprintable byte before the NUL becomes ``?``."""
    bad = ~PRINTABLE[matrix] & (matrix != 0)
    if bad.any():
        matrix = np.where(bad, ord("?"), matrix).astype(np.uint8)
    return matrix


def comp(records: acct.Records, name: str) -> Ints:
    """A comp_t column expanded to integers."""
    return acct.comp_t_value(records[name])


def cpu_ticks(records: acct.Records) -> Ints:
    """``utime + stime`` in ticks (exact: both are integers below 2**34)."""
    return comp(records, "utime") + comp(records, "stime")


def all_ahz_100(records: acct.Records) -> bool:
    """True when every record counts in hundredths of a second (the fast, exact path)."""
    ahz = records["ahz"]
    return bool(len(ahz) == 0 or (ahz == acct.AHZ).all())


def flag_matrix(records: acct.Records) -> Matrix:
    """The five flag columns ``SFCDX`` (blank where a flag is clear)."""
    flags = np.asarray(records["flag"], dtype=np.uint8)
    out = np.full((len(flags), 5), 0x20, dtype=np.uint8)
    for col, (bit, letter) in enumerate(acct.FLAG_LETTERS):
        out[(flags & bit) != 0, col] = ord(letter)
    return out


def ctime_matrix(times: Ints) -> Matrix:
    """``ctime()`` of every time, 24 bytes without the newline, in the local zone."""
    times = np.asarray(times, dtype=np.int64)
    return clock.ctime(times, clock.utc_offsets(times))


def signed32(values: npt.NDArray[np.integer]) -> Ints:
    """A u32 column as C's ``%d`` shows it."""
    return np.asarray(values, dtype=np.uint32).view(np.int32).astype(np.int64)
