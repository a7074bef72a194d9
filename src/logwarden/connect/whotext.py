"""The classic text of ``who``: coreutils 9.1's column layout, byte for byte.

Every line is built as coreutils' ``print_line`` builds it (``%-8s`` name, optional mesg
state, ``%-12s`` line, the time, then idle, pid, comment and exit as the options ask) and loses
its trailing spaces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from logwarden.connect.who import WhoOptions, WhoRow
from logwarden.timefmt import LocalTime

#: ``hard_locale(LC_TIME)`` picks the ISO form; the C/POSIX locale the traditional one.
ISO_FORMAT = ("%Y-%m-%d %H:%M", 16)
C_FORMAT = ("%b %e %H:%M", 12)


def _line(
    options: WhoOptions,
    name: bytes,
    mesg: bytes,
    line: bytes,
    time_text: bytes,
    idle: bytes,
    pid: bytes,
    comment: bytes,
    exit_text: bytes,
) -> bytes:
    width = ISO_FORMAT[1] if options.iso_time else C_FORMAT[1]
    parts = [name.ljust(8)]
    if options.mesg:
        parts.append(b" " + mesg)
    parts.append(b" " + line.ljust(12))
    parts.append(b" " + time_text.ljust(width))
    if options.idle and not options.short:
        parts.append(b" " + idle.ljust(6))
    if not options.short:
        parts.append(b" " + pid.rjust(10))
    parts.append(b" " + comment.ljust(8))
    if options.exit:
        parts.append(b" " + exit_text.ljust(12))
    return b"".join(parts).rstrip(b" ") + b"\n"


def heading(options: WhoOptions) -> bytes:
    """The ``-H`` line: the titles of the columns in use."""
    return _line(options, b"NAME", b" ", b"LINE", b"TIME", b"IDLE", b"PID", b"COMMENT", b"EXIT")


def render(
    rows: Sequence[WhoRow],
    options: WhoOptions,
    clock: LocalTime,
    clean: Callable[[bytes], bytes],
) -> bytes:
    """The lines for ``rows``; ``clean`` escapes what the log says before it is shown."""
    fmt = ISO_FORMAT[0] if options.iso_time else C_FORMAT[0]
    out = [heading(options)] if options.heading else []
    for row in rows:
        out.append(
            _line(
                options,
                clean(row.name),
                row.mesg,
                clean(row.line),
                clock.strftime(fmt, row.entry.sec),
                row.idle,
                row.pid,
                clean(row.comment),
                row.exit,
            )
        )
    return b"".join(out)


def render_count(names: Sequence[bytes], clean: Callable[[bytes], bytes]) -> bytes:
    """``who -q``: the names on one line, then ``# users=N``."""
    return b" ".join(clean(n) for n in names) + b"\n# users=%d\n" % len(names)
