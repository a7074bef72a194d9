"""lastcomm's classic lines, byte for byte as GNU acct 6.6.4 prints them::

    "%-16.16s " comm, five flag columns (S F C D X),
    " %-8.8s %-8.8s %6.2f secs %-16.16s"                   user, tty, CPU seconds, start
    " %6.0fmin %6.0fmaj %4.0fswp %6.2f secs %-16.16s"      instead, with --show-paging
    " %d %d"                                               pid ppid, with --pid (v3 only)

CPU seconds are ``(utime + stime) / AHZ`` of the record; the start is the first 16 bytes of
``ctime()``. A command's unprintable bytes are shown as ``?`` unless ``--print-controls``.
"""

from __future__ import annotations

import numpy as np

from logwarden.acct import fields
from logwarden.acct import numtext as text
from logwarden.acct.lastcomm import Selected

#: Records laid out at a time: bounds the memory of a million-line listing.
BLOCK = 1 << 18


def render(
    selected: Selected, *, paging: bool = False, pids: bool = False, controls: bool = False
) -> list[bytes | memoryview]:
    """Every line of ``selected``, in pieces to write one after the other."""
    count = len(selected.records)
    parts: list[bytes | memoryview] = []
    for start in range(0, count, BLOCK):
        end = min(start + BLOCK, count)
        part = selected if count <= BLOCK else Selected(
            selected.records.slice(start, end), selected.users[start:end],
            selected.ttys[start:end], selected.comm[start:end],
        )  # fmt: skip
        parts.extend(_block(part, paging, pids, controls))
    return parts


def _block(
    selected: Selected, paging: bool, pids: bool, controls: bool
) -> list[bytes | memoryview]:
    rec = selected.records
    count = len(rec)
    lines = text.Lines(count)
    comm = fields.command_matrix(rec)
    if not controls:
        comm = fields.printable_commands(comm)
    lines.add(text.cstring(comm, 16, 16), solid=True)
    lines.text(b" ")
    lines.add(fields.flag_matrix(rec), solid=True)
    lines.text(b" ")
    if paging:
        lines.add(text.integers(fields.comp(rec, "minflt"), 6))
        lines.text(b"min ")
        lines.add(text.integers(fields.comp(rec, "majflt"), 6))
        lines.text(b"maj ")
        lines.add(text.integers(fields.comp(rec, "swaps"), 4))
        lines.text(b"swp ")
    else:
        lines.add(text.cstring(text.strings_matrix(selected.users), 8, 8), solid=True)
        lines.text(b" ")
        lines.add(text.cstring(text.strings_matrix(selected.ttys), 8, 8), solid=True)
        lines.text(b" ")
    ticks = fields.cpu_ticks(rec)
    if fields.all_ahz_100(rec):
        lines.add(text.hundredths(ticks, 6))
    else:
        lines.add(text.formatted(ticks / rec["ahz"].astype(np.float64), "%6.2f"))
    lines.text(b" secs ")
    lines.add(fields.ctime_matrix(rec["btime"].astype(np.int64))[:, :16], solid=True)
    if pids:
        v3 = (rec["version"] & 0x7F) == 3
        pid_text = np.zeros((count, 0), dtype=np.uint8)
        if v3.any():
            both = text.Lines(count)
            both.text(b" ")
            both.add(text.integers(fields.signed32(rec["pid"]), 0))
            both.text(b" ")
            both.add(text.integers(fields.signed32(rec["ppid"]), 0))
            pid_text = both.matrix()
            pid_text = np.where(v3[:, None], pid_text, 0).astype(np.uint8)
        lines.add(pid_text)
    return lines.pieces()
