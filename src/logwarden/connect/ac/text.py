"""GNU ``ac``'s text, byte for byte: statistics lines, ``--debug`` lines, the fatal line.

Formats (ac.c, do_statistics and friends)::

    per user    "%s%-32.32s %8.2f\\n"   prefix "\\t" ("\\t\\t" with -y), hours
    total       "%stotal %11.2f\\n"      without -d, same prefix
    day total   "%s\\ttotal %11.2f\\n"   with -d; label "Mar  1" ("Mar  1 2024" with -y),
                                        "Today" ("Today\\t" with -y) for the final block

Per-user lines of zero seconds, and day totals of zero, are printed only with ``-z``; the
grand total without ``-d`` always is.
"""

from __future__ import annotations

from collections.abc import Iterable

from logwarden.connect.ac.clock import MONTHS
from logwarden.connect.ac.model import AcOptions, Block, Fatal, Item
from logwarden.output.terminal import Sanitizer, keep

NAME_LEN = 32
TTY_LEN = 32
HOST_LEN = 256
_RULE = b"-" * 75


def _hours(seconds: int) -> float:
    return seconds / 3600.0


def _name_field(name: bytes, clean: Sanitizer) -> bytes:
    return clean(name[:NAME_LEN]).ljust(NAME_LEN)


def day_label(block: Block, options: AcOptions) -> bytes:
    """The label in front of a ``-d`` total line."""
    if block.kind == "final":
        return b"Today\t" if options.year else b"Today"
    day = block.day
    month = MONTHS[day.month - 1].encode()
    if options.year:
        return b"%s %2d %4d" % (month, day.mday, day.year)
    return b"%s %2d" % (month, day.mday)


def render_block(block: Block, options: AcOptions, clean: Sanitizer = keep) -> bytes:
    """The lines GNU ac prints for one statistics block."""
    prefix = b"\t\t" if options.year else b"\t"
    out = []
    if block.rows is not None:
        for name, seconds in block.rows:
            if seconds != 0 or options.zeros:
                out.append(b"%s%s %8.2f\n" % (prefix, _name_field(name, clean), _hours(seconds)))
    hours = _hours(block.total)
    if options.daily:
        if hours != 0.0 or options.zeros:
            out.append(b"%s\ttotal %11.2f\n" % (day_label(block, options), hours))
    else:
        out.append(b"%stotal %11.2f\n" % (prefix, hours))
    return b"".join(out)


def _clean_diagnostic(text: bytes, clean: Sanitizer) -> bytes:
    # Tabs and newlines are the layout of GNU's diagnostics; what lies between them may come
    # from the log and is escaped for a terminal.
    lines = text.split(b"\n")
    return b"\n".join(b"\t".join(clean(part) for part in line.split(b"\t")) for line in lines)


def render(items: Iterable[Item], options: AcOptions, clean: Sanitizer = keep) -> bytes:
    """Everything GNU ac prints on standard output for these items, in order."""
    out = []
    for item in items:
        if isinstance(item, Block):
            out.append(render_block(item, options, clean))
        elif clean is keep:
            out.append(item)
        else:
            out.append(_clean_diagnostic(item, clean))
    return b"".join(out)


def fatal_line(fatal: Fatal, clean: Sanitizer = keep) -> bytes:
    """The standard-output half of GNU ac's stop on a negative amount."""
    return b"%s: problem: update user %s (for %s) with %d seconds?!\n" % (
        clean(fatal.where),
        clean(fatal.user[:NAME_LEN]),
        fatal.label.encode(),
        fatal.seconds,
    )


FATAL_MESSAGE = "Possible overflow of time_t!  Can't continue."


# -- --debug ----------------------------------------------------------------------------


def _id_field(raw: bytes) -> bytes:
    """``ut_id`` as print_utmp_record shows it: unprintable bytes as ``?``, NUL ends it."""
    out = bytearray()
    for i, byte in enumerate(raw[:4].ljust(4, b"\0")):
        if byte == 0:
            out += b" " * (4 - i)
            break
        out.append(byte if 0x20 <= byte < 0x7F else ord("?"))
    return bytes(out)


def debug_record(
    user: bytes,
    line: bytes,
    kind: int,
    raw_id: bytes,
    pid: int,
    host: bytes,
    stamp: bytes,
    *,
    munged: bool = False,
) -> bytes:
    """``CURRENT REC: ...`` (with the rule above it) or `` MUNGED REC: ...``."""
    head = b" MUNGED REC: " if munged else _RULE + b"\nCURRENT REC: "
    return b"%s%-32.32s|%-32.32s|%d|%s|%5d|%-256.256s|%s\n" % (
        head,
        user[:NAME_LEN],
        line[:TTY_LEN],
        kind,
        _id_field(raw_id),
        pid,
        host[:HOST_LEN],
        stamp,
    )


def debug_credit(name: bytes, seconds: int, label: str) -> bytes:
    """The line ``--debug`` prints for every amount credited to a user."""
    return b"\t\t\t\t\t%32.2f %-32.32s (%s)\n" % (_hours(seconds), name[:NAME_LEN], label.encode())


def debug_login(line: bytes, name: bytes, stamp: bytes) -> bytes:
    """One line of the login table that ``--debug`` dumps after every record."""
    return b"**\t%-32.32s %-32.32s %s\n" % (line[:TTY_LEN], name[:NAME_LEN], stamp)
