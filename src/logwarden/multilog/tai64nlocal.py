"""``tai64nlocal``: turn the TAI64N labels at the start of lines into local time.

daemontools' rule, byte for byte: a line that starts with ``@`` has the lowercase hex digits
after the ``@`` read as a label (stopping at the first other byte, however many digits that
is), and replaced by ``YYYY-MM-DD HH:MM:SS.NNNNNNNNN`` in local time (``localtime``, so ``TZ``
applies); the byte that stopped the digits and the rest of the line follow unchanged. Other
lines pass through untouched. Input that ends inside a label's digits ends the output there.

Where daemontools crashes (a label so far from now that ``localtime`` cannot place it: a
line that is just ``@``, say), logwarden leaves the line as it is.

Most lines in a multilog file start with a 24-digit label followed by a space; those are
converted in bulk (numpy) a block at a time; any other line takes the exact path.
"""

from __future__ import annotations

import operator
import os
import time

import numpy as np
import numpy.typing as npt

from logwarden.formats.tai64 import TAI64_OFFSET, hex_digit_count, parse_digits, to_unix
from logwarden.multilog.tai64n import EXIT_IO, write_all
from logwarden.output.terminal import LineEscaper
from logwarden.timefmt import LocalTime

_ULONG = 1 << 64
#: Bytes read at a time: large enough to keep numpy busy, small enough to stay in cache.
BLOCK = 1 << 18
#: Hex value of each byte, 16 for a byte that is not a lowercase hex digit.
_DIGIT = np.full(256, 16, dtype=np.uint8)
_DIGIT[48:58] = np.arange(10)
_DIGIT[97:103] = np.arange(10, 16)
#: Unix seconds the bulk path handles (years 1000..9999 with a day to spare).
_FIRST = -30610137600
_LAST = 253402128000
_AT = 64
#: Bytes after the ``@`` that the bulk path looks at: 24 digits and the byte after them.
_WINDOW = 25
_REST = operator.itemgetter(slice(25, None))

START = 0
PASS = 1
LABEL = 2


def local_text(unix: int, nanos: int) -> bytes | None:
    """``YYYY-MM-DD HH:MM:SS.NNNNNNNNN`` as tai64nlocal prints it; None if out of range."""
    try:
        tm = time.localtime(unix)
    except (OverflowError, OSError, ValueError):
        return None
    year = tm.tm_year if tm.tm_year >= 0 else tm.tm_year + _ULONG
    return b"%d-%02d-%02d %02d:%02d:%02d.%09d" % (
        year,
        tm.tm_mon,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        nanos,
    )


def convert_line(line: bytes, complete: bool) -> bytes | None:
    """One line (without its newline) converted exactly; None to print nothing.

    ``complete`` is False for a last line without a newline, whose digits may run to the end
    of the input: then the reference stops without printing the label.
    """
    if line[:1] != b"@":
        return line
    parsed = parse_digits(line, 1)
    if parsed.end == len(line) and not complete:
        return None
    unix, nanos = to_unix(parsed.label)
    text = local_text(unix, nanos)
    if text is None:
        return line
    return text + line[parsed.end :]


class Converter:
    """tai64nlocal over a stream of blocks (lines may cross block boundaries)."""

    def __init__(self) -> None:
        self.local = LocalTime()
        self.state = START
        #: LABEL: the ``@`` and digits seen so far.
        self.pending = b""

    def feed(self, block: bytes) -> bytes:
        """The output for ``block``."""
        out: list[bytes] = []
        pos = 0
        if self.state == LABEL:
            digits = hex_digit_count(block, 0)
            if digits == len(block):
                self.pending += block
                return b""
            line_end = block.find(b"\n", digits)
            end = len(block) if line_end < 0 else line_end
            converted = convert_line(self.pending + block[:end], True)
            out.append(converted if converted is not None else b"")
            self.pending = b""
            if line_end < 0:
                self.state = PASS
                return b"".join(out)
            out.append(b"\n")
            pos = line_end + 1
            self.state = START
        elif self.state == PASS:
            line_end = block.find(b"\n")
            if line_end < 0:
                return block
            out.append(block[: line_end + 1])
            pos = line_end + 1
            self.state = START
        last = block.rfind(b"\n", pos)
        if last >= pos:
            out.append(self._lines(block[pos:last]))
            out.append(b"\n")
            pos = last + 1
        if pos < len(block):
            out.append(self._partial(block[pos:]))
        return b"".join(out)

    def _partial(self, tail: bytes) -> bytes:
        """A line's start with no newline yet: print what can be printed now."""
        if tail[:1] != b"@":
            self.state = PASS
            return tail
        if 1 + hex_digit_count(tail, 1) == len(tail):
            self.state = LABEL
            self.pending = tail
            return b""
        self.state = PASS
        converted = convert_line(tail, True)
        return converted if converted is not None else b""

    def finish(self) -> bytes:
        """End of input: a label cut off by the end prints nothing (daemontools exits)."""
        self.pending = b""
        self.state = START
        return b""

    def _lines(self, text: bytes) -> bytes:
        """Complete lines (joined by newlines, without the last newline), converted."""
        lines = text.split(b"\n")
        # A newline ends the last line, and padding lets every line start a 26-byte window.
        data = np.frombuffer(text + b"\n" + bytes(_WINDOW), dtype=np.uint8)
        ends = np.flatnonzero(data[: len(text) + 1] == 10)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        at = data[starts] == _AT
        if not at.any():
            return text
        bulk, dates = self._bulk(data, starts, ends, at)
        if len(bulk) == len(lines):
            return b"\n".join(map(operator.add, dates, map(_REST, lines)))
        for index, date in zip(bulk.tolist(), dates, strict=True):
            lines[index] = date + lines[index][25:]
        done = np.zeros(len(lines), dtype=bool)
        done[bulk] = True
        for index in np.flatnonzero(at & ~done).tolist():
            converted = convert_line(lines[index], True)
            lines[index] = converted if converted is not None else b""
        return b"\n".join(lines)

    def _bulk(
        self,
        data: npt.NDArray[np.uint8],
        starts: npt.NDArray[np.intp],
        ends: npt.NDArray[np.intp],
        at: npt.NDArray[np.bool_],
    ) -> tuple[npt.NDArray[np.intp], list[bytes]]:
        """Lines with the common label (``@`` + 24 digits, then a non-digit) and a date
        in years 1000..9999: their indexes and their 29-byte local times."""
        lines = np.flatnonzero(at & (ends - starts >= 25))
        if len(lines) == 0:
            return lines, []
        windows = np.lib.stride_tricks.as_strided(
            data, shape=(len(data) - _WINDOW + 1, _WINDOW), strides=(1, 1), writeable=False
        )
        window = windows[starts[lines] + 1]
        digits = _DIGIT[window]
        good = (digits[:, :24].max(axis=1) < 16) & (digits[:, 24] == 16)
        if not good.all():
            lines = lines[good]
            window = window[good]
        hex_text = np.ascontiguousarray(window[:, :24]).tobytes().decode("ascii")
        raw = np.frombuffer(bytes.fromhex(hex_text), dtype=_PACKED)
        unix = (raw["seconds"].astype(np.uint64) - np.uint64(TAI64_OFFSET)).view(np.int64)
        nanos = raw["nanos"].astype(np.int64)
        usable = (unix >= _FIRST) & (unix <= _LAST) & (nanos < 1_000_000_000)
        if not usable.all():
            lines = lines[usable]
            unix = unix[usable]
            nanos = nanos[usable]
        local = unix + self.local.offsets(unix)
        return lines, self._render(local, nanos)

    def _render(self, local: npt.NDArray[np.int64], nanos: npt.NDArray[np.int64]) -> list[bytes]:
        """29-byte ``YYYY-MM-DD HH:MM:SS.NNNNNNNNN`` for local seconds and nanoseconds."""
        text = np.empty((len(local), 29), dtype=np.uint8)
        seconds, where = np.unique(local, return_inverse=True)
        text[:, :20] = _seconds_text(seconds)[where]
        high, low = np.divmod(nanos, 100_000)
        text[:, 20:24] = _FOUR[high]
        text[:, 24] = low // 10_000 + 48
        text[:, 25:29] = _FOUR[low % 10_000]
        texts: list[bytes] = text.view("S29").ravel().tolist()
        return texts


def _seconds_text(local: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """``YYYY-MM-DD HH:MM:SS.`` (20 bytes) for each local time in seconds."""
    days, seconds = np.divmod(local, 86400)
    year, month, day = _civil(days)
    text = np.empty((len(local), 20), dtype=np.uint8)
    text[:, [4, 7]] = ord("-")
    text[:, 10] = ord(" ")
    text[:, [13, 16]] = ord(":")
    text[:, 19] = ord(".")
    text[:, 0:2] = _TWO[year // 100]
    text[:, 2:4] = _TWO[year % 100]
    text[:, 5:7] = _TWO[month]
    text[:, 8:10] = _TWO[day]
    text[:, 11:13] = _TWO[seconds // 3600]
    text[:, 14:16] = _TWO[seconds // 60 % 60]
    text[:, 17:19] = _TWO[seconds % 60]
    return text


def _digits_table(width: int) -> npt.NDArray[np.uint8]:
    """Row ``n`` holds ``n`` as ``width`` zero-padded ASCII digits."""
    return np.frombuffer(
        b"".join(b"%0*d" % (width, n) for n in range(10**width)), dtype=np.uint8
    ).reshape(10**width, width)


_TWO = _digits_table(2)
_FOUR = _digits_table(4)
_PACKED = np.dtype([("seconds", ">u8"), ("nanos", ">u4")])


def _civil(
    days: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def run(stdin: int, stdout: int, escaper: LineEscaper | None = None) -> int:
    """Convert ``stdin`` to ``stdout`` (escaped for a terminal by ``escaper``); the exit
    status."""
    converter = Converter()
    while True:
        try:
            block = os.read(stdin, BLOCK)
        except OSError:
            return EXIT_IO
        if not block:
            out = converter.finish()
            if escaper is not None:
                out = escaper.feed(out) + escaper.finish()
            return 0 if write_all(stdout, out) else EXIT_IO
        out = converter.feed(block)
        if not write_all(stdout, out if escaper is None else escaper.feed(out)):
            return EXIT_IO
