"""dump-acct (GNU acct 6.6.4): every record's fields, and the format converter ``--raw``.

Text, one line per record (times in raw ticks, ids as numbers, the command's bytes as they
are)::

    %-16.16s|v%1d|%9.2f|%9.2f|%9.2f|%6lu|%6lu|%9.2f|%9.2f|%8d|%8d|SFCDX|%8d|%-8.8s|ctime

    comm, version, utime, stime, etime, uid, gid, mem, io, pid, ppid, flags,
    exit code >> 8, tty, start (ctime() with its newline)

``--raw`` re-emits each record in the version asked for (``--format``; by default its own)
and byte order (``--byteswap``: big-endian), converting as GNU's ``convert_acct_record_write``
does: versions without a stored AHZ get their times rescaled to 100 Hz, v0-v2 get their 16-bit
ids and comp_t/comp2_t elapsed times, v4 is written as v3 and unknown versions as v2 (with
one warning).
"""

from __future__ import annotations

import numpy as np

from logwarden.acct import fields
from logwarden.acct import numtext as text
from logwarden.acct.ttys import TtyNames, names_of
from logwarden.formats import acct

V4_WARNING = "WARNING: v4 file format not supported for writing. Using v3 file format instead."
UNKNOWN_WARNING = "WARNING: unknown file format requested. Using v2 file format instead."


def render(records: acct.Records, ttys: TtyNames) -> bytes:
    """The text lines of ``records``."""
    count = len(records)
    lines = text.Lines(count)
    lines.add(text.cstring(fields.command_matrix(records), 16, 16))
    lines.text(b"|v")
    lines.add(text.integers((records["version"] & 0x7F).astype(np.int64), 1))
    lines.text(b"|")
    for name in ("utime", "stime"):
        lines.add(text.hundredths(fields.comp(records, name) * 100, 9))
        lines.text(b"|")
    lines.add(text.formatted(records["etime"].astype(np.float64), "%9.2f"))
    lines.text(b"|")
    lines.add(text.integers(records["uid"].astype(np.int64), 6))
    lines.text(b"|")
    lines.add(text.integers(records["gid"].astype(np.int64), 6))
    lines.text(b"|")
    for name in ("mem", "io"):
        lines.add(text.hundredths(fields.comp(records, name) * 100, 9))
        lines.text(b"|")
    lines.add(text.integers(fields.signed32(records["pid"]), 8))
    lines.text(b"|")
    lines.add(text.integers(fields.signed32(records["ppid"]), 8))
    lines.text(b"|")
    lines.add(fields.flag_matrix(records))
    lines.text(b"|")
    lines.add(text.integers(records["exitcode"].astype(np.int64) >> 8, 8))
    lines.text(b"|")
    lines.add(text.cstring(text.strings_matrix(names_of(ttys, records["tty"])), 8, 8))
    lines.text(b"|")
    lines.add(fields.ctime_matrix(records["btime"].astype(np.int64)))
    return lines.finish()


class RawWriter:
    """``--raw``: records re-encoded; remembers whether GNU's one warning was given."""

    def __init__(self, version: int, big_endian: bool, ahz: int) -> None:
        self.version = version
        self.big_endian = big_endian
        self.ahz = ahz
        self.warned = False
        self.warnings: list[str] = []

    def _target(self, own: int) -> int:
        version = own if self.version < 0 else self.version
        if version in (0, 1, 2, 3):
            return version
        if not self.warned:
            self.warnings.append(V4_WARNING if version == 4 else UNKNOWN_WARNING)
            self.warned = True
        return 3 if version == 4 else 2

    def write(self, records: acct.Records) -> bytes:
        """The raw bytes of ``records``, in order."""
        own = (records["version"] & 0x7F).astype(np.int64)
        targets = np.array([self._target(v) for v in own.tolist()], dtype=np.int64)
        pieces: list[bytes] = []
        # Records keep their order; consecutive records of one target are encoded together.
        cuts = np.flatnonzero(np.diff(targets)) + 1
        for start, end in zip([0, *cuts.tolist()], [*cuts.tolist(), len(targets)], strict=True):
            if start == end:
                continue
            part = records.take(np.arange(start, end))
            pieces.append(self._encode(part, int(targets[start])))
        return b"".join(pieces)

    def _encode(self, records: acct.Records, version: int) -> bytes:
        columns = {k: np.array(v, copy=True) for k, v in records.columns.items()}
        if version == 0:
            for name in ("uid", "gid"):
                for value in columns[name][(columns[name] & 0xFFFF0000) != 0].tolist():
                    self.warnings.append(f"WARNING: {name} {value} truncated to {value & 0xFFFF}")
        rec_ahz = columns["ahz"].astype(np.float64)
        wanted = acct.AHZ if version in (1, 3) else self.ahz
        convert = columns["ahz"].astype(np.int64) != wanted
        if convert.any():
            with np.errstate(all="ignore"):
                factor = np.float64(wanted) / rec_ahz
            for name in ("utime", "stime"):
                scaled = factor * acct.comp_t_value(columns[name]).astype(np.float64)
                columns[name] = np.where(
                    convert, acct.double_to_comp_t(scaled), columns[name]
                ).astype(np.uint16)
            etime = (columns["etime"].astype(np.float64) * factor).astype(np.float32)
            columns["etime"] = np.where(convert, etime, columns["etime"]).astype(np.float32)
            columns["ahz"] = np.where(convert, acct.AHZ, columns["ahz"]).astype(np.uint16)
        return acct.encode(columns, version, self.big_endian)
