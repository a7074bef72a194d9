"""GNU sa's summary files: ``savacct`` (per command) and ``usracct`` (per user), read and
written byte-compatibly with GNU acct 6.6.4 on x86-64.

Both hold ``struct stats``: a 64-bit call count and eight doubles, already in GNU sa's units
(seconds for the times and the I/O, "k" for memory as sa computes it)::

    uint64 num_calls; double user_time, sys_time, elapsed_time, mem_usage, disk_io,
                      minor_faults, major_faults, swap_count;          (72 bytes)

``savacct`` record (96 bytes): ``char comm[16]; short fork_flag;`` 6 bytes of alignment
padding (GNU writes whatever its stack held there; logwarden writes zeros and never reads
them), then the stats at offset 24. ``usracct`` record (104 bytes): ``char name[32];`` then the
stats. Records come in GNU's hash-table order. GNU writes the machine's native order; these
are the little-endian files of x86 hosts.

References: GNU acct 6.6.4 ``sa.c`` (struct stats, struct savacct, struct usracct,
write_savacct_file, parse_savacct_entries); ../shared/spec/unix-tools.md section 5.7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

STAT_FIELDS = (
    "calls",
    "user",
    "sys",
    "elapsed",
    "mem",
    "io",
    "minflt",
    "majflt",
    "swaps",
)
_STATS = [("calls", "<u8"), *((name, "<f8") for name in STAT_FIELDS[1:])]

SAVACCT = np.dtype(
    {
        "names": ["comm", "fork", *STAT_FIELDS],
        "formats": ["S16", "<i2", *(kind for _, kind in _STATS)],
        "offsets": [0, 16, *range(24, 24 + 8 * len(_STATS), 8)],
        "itemsize": 96,
    }
)
USRACCT = np.dtype(
    {
        "names": ["name", *STAT_FIELDS],
        "formats": ["S32", *(kind for _, kind in _STATS)],
        "offsets": [0, *range(32, 32 + 8 * len(_STATS), 8)],
        "itemsize": 104,
    }
)
#: The padding bytes of a savacct record that GNU leaves uninitialised.
SAVACCT_PADDING = range(18, 24)


@dataclass(frozen=True)
class Summary:
    """The records of one summary file and how many bytes at its end were not a record."""

    records: npt.NDArray[np.void]
    trailing: int


def _read(data: bytes | memoryview, dtype: np.dtype[np.void]) -> Summary:
    count = len(data) // dtype.itemsize
    records = np.frombuffer(data, dtype=dtype, count=count)
    return Summary(records, len(data) - count * dtype.itemsize)


def read_savacct(data: bytes | memoryview) -> Summary:
    """savacct records (a partial record at the end is left out, as GNU's fread loop does)."""
    return _read(data, SAVACCT)


def read_usracct(data: bytes | memoryview) -> Summary:
    """usracct records."""
    return _read(data, USRACCT)


def _stats_into(out: npt.NDArray[np.void], stats: dict[str, npt.NDArray[np.generic]]) -> None:
    for name in STAT_FIELDS:
        out[name] = stats[name]


def write_savacct(
    comm: npt.NDArray[np.bytes_],
    fork: npt.NDArray[np.integer],
    stats: dict[str, npt.NDArray[np.generic]],
) -> bytes:
    """savacct bytes: one record per command, in the order given (padding zeroed)."""
    out = np.zeros(len(comm), dtype=SAVACCT)
    out["comm"] = comm
    out["fork"] = fork
    _stats_into(out, stats)
    return out.tobytes()


def write_usracct(
    names: npt.NDArray[np.bytes_], stats: dict[str, npt.NDArray[np.generic]]
) -> bytes:
    """usracct bytes: one record per user, names cut to 32 bytes (strncpy: no NUL if full)."""
    out = np.zeros(len(names), dtype=USRACCT)
    out["name"] = names
    _stats_into(out, stats)
    return out.tobytes()
