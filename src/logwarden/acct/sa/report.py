"""sa's outputs from its tables: the command summary (with ``***other`` and ``**junk**``),
the user/group summary, and the ``-s`` summary files (``-u`` is :mod:`sa_perrecord`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from logwarden.acct.fields import PRINTABLE
from logwarden.acct.sa.tables import Table, key_comm, key_fork
from logwarden.acct.sa.text import Row, Style, ZeroCalls, sorted_rows, stats_rows, stats_text
from logwarden.formats import savacct as summary

Ask = Callable[[bytes], bool]


@dataclass
class Listing:
    """The rows of a command summary, in print order: (name shown, forked, stats)."""

    rows: list[tuple[bytes, bool, Row]]


def _non_printable(comm: bytes) -> bool:
    return any(not PRINTABLE[b] for b in comm)


def _add(into: Row, row: Row) -> None:
    for name, value in row.items():
        if name == "calls":
            into[name] = (int(into[name]) + int(value)) & ((1 << 64) - 1)
        else:
            into[name] = float(np.float64(into[name]) + np.float64(value))


def _empty() -> Row:
    return {name: (0 if name == "calls" else 0.0) for name in summary.STAT_FIELDS}


def command_listing(
    table: Table,
    totals: Row,
    style: Style,
    *,
    all_names: bool,
    threshold: int,
    ask: Ask,
) -> Listing | None:
    """The command summary rows, or None when no command is left to print (GNU then prints
    nothing at all, not even the totals). ``ask`` answers ``Junk `NAME'?`` for rows with at
    most ``threshold`` calls (GNU's -v)."""
    rows = stats_rows(table.stats)
    kept: list[int] = []
    other, junk = _empty(), _empty()
    other_fork = junk_fork = 0
    in_other = in_junk = 0
    for index, key in enumerate(table.keys):
        if all_names:
            kept.append(index)
            continue
        calls = int(rows[index]["calls"])
        comm = key_comm(key)
        if threshold and calls <= threshold and ask(key.split(b"\0", 1)[0]):
            in_junk += 1
            _add(junk, rows[index])
            junk_fork |= key_fork(key)
        elif calls == 1 or _non_printable(comm):
            in_other += 1
            _add(other, rows[index])
            other_fork |= key_fork(key)
        else:
            kept.append(index)
    if not kept:
        return None
    entries: list[tuple[bytes, bool, Row]] = []
    if in_other:
        entries.append((b"***other", other_fork != 0, other))
    if in_junk:
        entries.append((b"**junk**", junk_fork != 0, junk))
    for index in kept:
        key = table.keys[index]
        entries.append((key_comm(key), key_fork(key) != 0, rows[index]))
    order = sorted_rows(style, [row for _, _, row in entries])
    return Listing([(b"", False, totals)] + [entries[i] for i in order])


def command_text(listing: Listing, style: Style, totals: Row) -> bytes:
    """The command summary's lines."""
    out: list[bytes] = []
    for name, forked, row in listing.rows:
        try:
            line = stats_text(style, row, totals).encode()
        except ZeroCalls:
            raise ZeroCalls(b"".join(out)) from None
        if name:
            line += b"   " + name[:16] + (b"*" if forked else b"")
        out.append(line + b"\n")
    return b"".join(out)


def user_listing(table: Table, totals: Row, style: Style) -> list[tuple[bytes, Row]]:
    """The user (or group) summary rows: totals first, then sorted."""
    rows = stats_rows(table.stats)
    order = sorted_rows(style, rows)
    return [(b"", totals)] + [(table.keys[i], rows[i]) for i in order]


def user_text(listing: list[tuple[bytes, Row]], style: Style, totals: Row) -> bytes:
    """The user summary's lines: ``%-32.32s `` name, then the statistics."""
    out: list[bytes] = []
    for name, row in listing:
        prefix = name[:32].ljust(32) + b" "
        try:
            out.append(prefix + stats_text(style, row, totals).encode() + b"\n")
        except ZeroCalls:
            raise ZeroCalls(b"".join(out) + prefix) from None
    return b"".join(out)


def write_summary_file(path: str, data: bytes) -> None:
    """Write ``path`` as GNU sa does (``PATH~`` then renamed over it), made durable: the
    temporary file is synced before the rename and the directory after it.

    Raises OSError with the name GNU names: ``PATH~`` when it cannot be written."""
    temporary = path + "~"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temporary, path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # the data is in place; a directory we cannot open cannot be synced
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def savacct_bytes(table: Table) -> bytes:
    """The command table as savacct records, in table order."""
    comm = np.array([k[:16] for k in table.keys] or [b""], dtype="S16")[: len(table.keys)]
    fork = np.array([key_fork(k) for k in table.keys], dtype=np.int16)
    return summary.write_savacct(comm, fork, table.stats.columns)


def usracct_bytes(table: Table) -> bytes:
    """The user table as usracct records, in table order."""
    names = np.array(table.keys or [b""], dtype="S32")[: len(table.keys)]
    return summary.write_usracct(names, table.stats.columns)
