"""Where qmail-send's words start on a log line, and when the line was written.

qmail-send writes bare lines (``new msg 18995``); whatever logs them puts a stamp in front:

======== =====================================================================  ==============
style    example                                                                written by
======== =====================================================================  ==============
multilog ``@4000000038c3eeb027f41c7c new msg 93869``                            multilog t
unix     ``955436538.813320 new msg 18995``                                     splogger (the
                                                                                syslog prefix
                                                                                stripped),
                                                                                accustamp
syslog   ``Apr 11 02:02:18 mail qmail: 955436538.813320 new msg 18995``         syslogd +
                                                                                splogger
local    ``2003-09-27 11:22:07.039237500 starting delivery 3714: ...``          tai64nlocal
         (6 fraction digits: old daemontools' tailocal)
none     ``new msg 18995``                                                       (stamps cut)
======== =====================================================================  ==============

splogger cuts a line longer than 799 characters into pieces; every piece after the first
carries the first one's stamp followed by ``+`` instead of a space
(``955436538.813320+rest of the line``). :class:`Joiner` puts such pieces back together.

A line that fits none of these forms (another program's syslog line in the same maillog, a
wrapped piece of a long line) is ``foreign``: counted, never an error.

Everything here is pure: bytes in, values out. Local times (``local`` style) are turned into
Unix time by a :data:`LocalToUnix` function that the caller chooses (the ``TZ`` of the
process by default, as tai64nlocal used it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from logwarden.formats import tai64
from logwarden.qmail import patterns


class Style(StrEnum):
    """How a line is stamped."""

    MULTILOG = "multilog"
    UNIX = "unix"
    SYSLOG = "syslog"
    LOCAL = "local"
    NONE = "none"
    FOREIGN = "foreign"


#: (year, month, day, hour, minute, second) in local time -> Unix seconds.
LocalToUnix = Callable[[int, int, int, int, int, int], int]


def process_local_time(year: int, month: int, day: int, hour: int, minute: int, sec: int) -> int:
    """Local time in the process's ``TZ`` to Unix seconds, as ``mktime`` sees it.

    In the hour that repeats when clocks go back, the C library picks one of the two
    instants; tai64nlocal's output cannot say which was meant either.
    """
    return int(time.mktime((year, month, day, hour, minute, sec, 0, 0, -1)))


@dataclass(frozen=True, slots=True)
class Prefixed:
    """One log line split into its stamp and qmail-send's words."""

    style: Style
    #: The stamp as written (``@4000...``, ``955436538.813320``, ``2003-09-27 11:22:07.03``);
    #: for syslog lines, splogger's stamp inside the message when there is one.
    stamp: bytes
    #: Unix time in nanoseconds, when the line says it.
    unix_ns: int | None
    #: qmail-send's words (the whole line for foreign lines).
    text: bytes
    #: A splogger continuation piece (``stamp+text``): the rest of the previous line.
    continued: bool = False
    #: The syslog host (syslog style only).
    host: bytes = b""


_MULTILOG = re.compile(patterns.MULTILOG.encode())
_LOCAL = re.compile(patterns.LOCAL.encode())
_UNIX = re.compile(patterns.UNIX.encode())
_SYSLOG = re.compile(patterns.SYSLOG.encode())
_SENTENCE = re.compile(patterns.SENTENCE.encode())


def _unix_ns(seconds: bytes, fraction: bytes | None) -> int:
    ns = int(seconds) * 1_000_000_000
    if fraction:
        ns += int(fraction.ljust(9, b"0"))
    return ns


def split_line(line: bytes, local_to_unix: LocalToUnix = process_local_time) -> Prefixed:
    """Split ``line`` (without its newline) into stamp and words."""
    first = line[:1]
    if first == b"@":
        m = _MULTILOG.match(line)
        if m is not None:
            label = tai64.parse_digits(m.group(1), 0).label
            seconds, nanoseconds = tai64.to_unix(label)
            ns = seconds * 1_000_000_000 + nanoseconds
            return Prefixed(Style.MULTILOG, b"@" + m.group(1), ns, m.group(2))
    elif first.isdigit():
        m = _LOCAL.match(line)
        if m is not None:
            date, clock, fraction, text = m.groups()
            year, month, day = (int(x) for x in date.split(b"-"))
            hour, minute, sec = (int(x) for x in clock.split(b":"))
            seconds = local_to_unix(year, month, day, hour, minute, sec)
            ns = seconds * 1_000_000_000 + int((fraction or b"").ljust(9, b"0"))
            stamp = date + b" " + clock + (b"." + fraction if fraction is not None else b"")
            return Prefixed(Style.LOCAL, stamp, ns, text)
        m = _UNIX.match(line)
        if m is not None:
            stamp, seconds_text, fraction, sep, text = m.groups()
            ns = _unix_ns(seconds_text, fraction)
            return Prefixed(Style.UNIX, stamp, ns, text, continued=sep == b"+")
        m = _SYSLOG.match(line)
        if m is not None:
            return _syslog(m)
    elif first.isupper():
        m = _SYSLOG.match(line)
        if m is not None:
            return _syslog(m)
    if _SENTENCE.match(line) is not None:
        return Prefixed(Style.NONE, b"", None, line)
    # Another program's line (in a maillog), or a piece of a wrapped line.
    return Prefixed(Style.FOREIGN, b"", None, line)


def _syslog(m: re.Match[bytes]) -> Prefixed:
    host, stamp, seconds_text, fraction, sep, text = m.groups()
    ns = _unix_ns(seconds_text, fraction)
    return Prefixed(Style.SYSLOG, stamp, ns, text, continued=sep == b"+", host=host)


@dataclass(frozen=True, slots=True)
class Line:
    """A logical qmail-send line: continuation pieces re-joined, with where it came from."""

    #: 1-based number of the line's first piece in its source.
    number: int
    prefixed: Prefixed
    #: How many physical lines were joined into this one (1 for most).
    pieces: int = 1


class Joiner:
    """Puts long lines back together (and counts what it saw).

    - splogger's continuation piece (``stamp+text``) continues the line just before it when
      that line has the same stamp (and host); a piece with nothing to continue (the log
      starts in the middle of a long line) is kept as a line of its own: an orphan.
    - A line hard-wrapped by a mail client or an editor leaves pieces with no stamp and no
      space (qmail's free text has none); such a piece right after a stamped line is taken
      as the rest of that line: wrapped.
    """

    def __init__(self) -> None:
        self.joined = 0
        self.orphans = 0
        self.wrapped = 0

    def lines(self, raw: Iterable[tuple[int, Prefixed]]) -> Iterator[Line]:
        """Logical lines from ``(number, prefixed)`` pairs in file order."""
        held: Line | None = None
        for number, prefixed in raw:
            if held is not None and self._continues(held.prefixed, prefixed):
                whole = held.prefixed
                held = Line(
                    held.number,
                    Prefixed(
                        whole.style,
                        whole.stamp,
                        whole.unix_ns,
                        whole.text + prefixed.text,
                        host=whole.host,
                    ),
                    held.pieces + 1,
                )
                continue
            if prefixed.continued:
                self.orphans += 1
            if held is not None:
                yield held
            held = Line(number, prefixed)
        if held is not None:
            yield held

    def _continues(self, held: Prefixed, piece: Prefixed) -> bool:
        if piece.continued:
            if held.stamp == piece.stamp and held.host == piece.host:
                self.joined += 1
                return True
            return False
        if (
            piece.style is Style.FOREIGN
            and piece.text
            and b" " not in piece.text
            and held.stamp
            and held.style is not Style.FOREIGN
        ):
            self.wrapped += 1
            return True
        return False


def read_lines(
    data: bytes, local_to_unix: LocalToUnix = process_local_time, first_number: int = 1
) -> tuple[list[Line], Joiner]:
    """Every logical line of ``data`` (whole lines; a missing final newline is tolerated)."""
    if not data:
        return [], Joiner()
    body = data[:-1] if data.endswith(b"\n") else data
    joiner = Joiner()
    pairs = (
        (first_number + i, split_line(line, local_to_unix))
        for i, line in enumerate(body.split(b"\n"))
    )
    return list(joiner.lines(pairs)), joiner
