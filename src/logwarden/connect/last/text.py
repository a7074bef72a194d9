"""The classic text of ``last``: byte for byte what util-linux 2.38.1 prints.

util-linux formats each line with one ``snprintf``::

    "%-8.*s %-12.12s %-16.*s %-*.*s %-*.*s %s\\n"   user tty host login logout length
    "%-8.*s %-12.12s %-*.*s %-*.*s %-12.12s %s\\n"  -a: host last, never cut
    "%-8.*s %-12.12s %-*.*s %-*.*s %s\\n"           -R: no host

then strips trailing whitespace and prints the line through ``fputs_careful`` (see
last_careful). Here a block of lines is laid out in one byte matrix (fixed-width fields are
column slices; -w's variable widths shift each row), trimmed, joined and escaped in a handful
of numpy passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logwarden.connect.last import analyse as analysis
from logwarden.connect.last import clock, fields, munge
from logwarden.connect.last.careful import careful, multibyte_locale
from logwarden.connect.last.selection import Selection
from logwarden.formats import utmp

# --time-format values, in util-linux's order (``> SHORT`` means full or iso).
NOTIME = 0
SHORT = 1
FULL = 2
ISO = 3
TIME_FORMATS = {"notime": NOTIME, "short": SHORT, "full": FULL, "iso": ISO}

#: (login width, logout width) per time format.
WIDTHS = {NOTIME: (0, 0), SHORT: (16, 7), FULL: (24, 26), ISO: (25, 27)}

#: Lines laid out per block: bounds the memory a million-line listing needs.
BLOCK = 1 << 16

Matrix = npt.NDArray[np.uint8]
Ints = npt.NDArray[np.int64]
Strings = npt.NDArray[np.bytes_]

_SPACE = 32
_C_SPACE = np.zeros(256, dtype=bool)
_C_SPACE[[9, 10, 11, 12, 13, 32]] = True


@dataclass(frozen=True)
class TextOptions:
    """The options that shape a line."""

    time_format: int = SHORT
    show_host: bool = True
    host_last: bool = False
    full_names: bool = False
    dns: bool = False
    ip: bool = False


def time_text(fmt: int, t: Ints, offsets: Ints) -> Matrix:
    """Login-column text of times ``t`` in format ``fmt`` (short = full ctime, cut later)."""
    if fmt == ISO:
        return clock.iso(t, offsets)
    if fmt == NOTIME:
        return np.zeros((len(t), 0), dtype=np.uint8)
    return clock.ctime(t, offsets)


def begins(name: bytes, when: int, fmt: int) -> bytes:
    """The closing ``\\nwtmp begins Fri Mar  1 08:00:00 2024\\n`` (nothing with notime)."""
    if fmt == NOTIME:
        return b""
    t = np.array([when], dtype=np.int64)
    stamp: bytes = time_text(fmt, t, clock.utc_offsets(t))[0].tobytes()
    return b"\n" + name + b" begins " + stamp + b"\n"


Clean = Callable[[bytes], bytes]


def render(
    records: utmp.Records,
    selection: Selection,
    options: TextOptions,
    now: int,
    columns: munge.Columns | None = None,
    clean: Clean | None = None,
) -> Iterator[bytes]:
    """The lines of ``selection``, in blocks of bytes ready to write."""
    listing = selection.listing
    multibyte = multibyte_locale()
    for start in range(0, len(listing), BLOCK):
        rows = np.arange(start, min(start + BLOCK, len(listing)))
        yield _block(records, selection, rows, options, now, columns, clean, multibyte)


def _block(
    records: utmp.Records,
    selection: Selection,
    rows: npt.NDArray[np.intp],
    options: TextOptions,
    now: int,
    columns: munge.Columns | None,
    clean: Clean | None,
    multibyte: bool,
) -> bytes:
    listing = selection.listing
    part = analysis.Listing(
        listing.rec[rows], listing.kind[rows], listing.logout[rows], listing.label[rows],
        listing.runlevel[rows], listing.unknown_rec, listing.unknown_type,
    )  # fmt: skip
    rec, kind, logout = part.rec, part.kind, part.logout
    login = records.raw["sec"][rec].astype(np.int64) if columns is None else columns.sec[rec]
    in_len = WIDTHS[options.time_format][0]
    name_len = 32 if options.full_names else 8
    host_len = 256 if options.full_names else 16

    def text(values: Strings) -> Matrix:
        if clean is not None:
            values = _cleaned(values, clean)
        return np.ascontiguousarray(values)[:, None].view(np.uint8)

    users = text(fields.users(records, rec, selection.cut[rows], name_len, columns))
    ttys = text(fields.ttys(records, part, 12, columns))
    hosts: Matrix | None = None
    if options.show_host:
        if options.dns or options.ip:
            hosts = text(fields.addresses(records, rec, numeric=options.ip))
        else:
            width = 255 if options.host_last else host_len
            hosts = text(fields.hosts(records, rec, width, columns))

    running = logout == now
    offsets = clock.utc_offsets(np.concatenate([login, logout]))
    login_text = time_text(options.time_format, login, offsets[: len(rows)])[:, :in_len]
    logout_text = _logout_column(options.time_format, logout, offsets[len(rows) :], kind, running)
    length_text = _length_column(options.time_format, login, logout, kind, running)

    line = _Line(len(rows))
    line.add_text(users, 8, name_len)
    line.add_text(ttys, 12, 12)
    if hosts is not None and not options.host_last:
        line.add_text(hosts, 16, host_len)
    # Every login text ends in a digit: trimming never reaches back beyond it.
    line.add(login_text, solid=in_len > 0)
    line.add(logout_text)
    if hosts is not None and options.host_last:
        line.add(length_text[:, :12])
        line.add_text(hosts, 0, 256)
    else:
        line.add(length_text)
    data = line.finish()
    if line.unusual_text:
        data = careful(data, multibyte)
    return data


def _cleaned(values: Strings, clean: Clean) -> Strings:
    """Terminal escapes applied to each distinct value."""
    distinct, inverse = np.unique(values, return_inverse=True)
    table: Strings = np.array([clean(v) for v in distinct.tolist()] or [b""], dtype=bytes)
    return table[inverse.reshape(-1)]


def _special(text: bytes, width: int) -> Matrix:
    row = np.full(width, _SPACE, dtype=np.uint8)
    cut = text[:width]
    row[: len(cut)] = np.frombuffer(cut, dtype=np.uint8)
    return row


def _logout_column(
    fmt: int,
    logout: Ints,
    offsets: Ints,
    kind: npt.NDArray[np.int8],
    running: npt.NDArray[np.bool_],
) -> Matrix:
    """``- 10:15`` / ``- crash`` / ``  still``...: exactly the logout width."""
    width = WIDTHS[fmt][1]
    out = np.full((len(logout), width), _SPACE, dtype=np.uint8)
    if width == 0:
        return out
    out[:, 0] = ord("-")
    body = clock.hhmm(logout, offsets) if fmt == SHORT else time_text(fmt, logout, offsets)
    out[:, 2 : 2 + body.shape[1]] = body
    wide = fmt > SHORT
    rules = [
        (running, b"  still running" if wide else b"  still"),
        (kind == analysis.CRASH, b"- crash"),
        (kind == analysis.DOWN, b"- down "),
        (kind == analysis.NOW, b"  still logged in" if wide else b"  still"),
        (kind == analysis.PHANTOM, b"  gone - no logout" if wide else b"   gone"),
        (kind == analysis.TIMECHANGE, b""),
    ]
    for where, text in rules:
        if where.any():
            out[where] = _special(text, width)
    return out


_LENGTH_WIDTH = 16  # "(-49710+23:59)" is the longest a 32-bit time difference gives


def _length_column(
    fmt: int, login: Ints, logout: Ints, kind: npt.NDArray[np.int8], running: npt.NDArray[np.bool_]
) -> Matrix:
    """The session length: `` (01:15)``, ``(2+02:05)``, ``running``, ``- no logout``..."""
    secs = logout - login
    out = np.full((len(secs), _LENGTH_WIDTH), _SPACE, dtype=np.uint8)
    hours = secs // 3600 % 24
    minutes = secs // 60 % 60
    # " (hh:mm)" everywhere first (most sessions last less than a day), then the others.
    out[:, 1] = ord("(")
    out[:, 2:4] = clock.TWO_DIGITS[hours]
    out[:, 4] = ord(":")
    out[:, 5:7] = clock.TWO_DIGITS[minutes]
    out[:, 7] = ord(")")
    days = secs // 86400
    for digits in range(1, 6):  # (D+hh:mm) for 1 to 99999 days
        rows = np.flatnonzero((days >= 10 ** (digits - 1)) & (days < 10**digits))
        if len(rows) == 0:
            continue
        block = np.full((len(rows), _LENGTH_WIDTH), _SPACE, dtype=np.uint8)
        block[:, 0] = ord("(")
        clock.write_digits(block, 1, days[rows], digits)
        block[:, digits + 1] = ord("+")
        block[:, digits + 2 : digits + 4] = clock.TWO_DIGITS[hours[rows]]
        block[:, digits + 4] = ord(":")
        block[:, digits + 5 : digits + 7] = clock.TWO_DIGITS[minutes[rows]]
        block[:, digits + 7] = ord(")")
        out[rows] = block
    # Negative lengths (clock changes) and absurd ones: C's truncating arithmetic, per line.
    odd = np.flatnonzero((secs < 0) | (days >= 100_000))
    for row, value in zip(odd.tolist(), secs[odd].tolist(), strict=True):
        out[row] = _special(duration(value), _LENGTH_WIDTH)
    wide = fmt > SHORT
    rules = [
        (running, b"" if wide else b"running"),
        (kind == analysis.NOW, b"" if wide else b"logged in"),
        (kind == analysis.PHANTOM, {NOTIME: b"no logout", SHORT: b"- no logout"}.get(fmt, b"")),
        (kind == analysis.TIMECHANGE, b""),
    ]
    for where, text in rules:
        if where.any():
            out[where] = _special(text, _LENGTH_WIDTH)
    return out


def duration(secs: int) -> bytes:
    """util-linux's length text for ``secs`` (C's truncating division; odd signs kept)."""
    minutes = _c_rem(_c_div(secs, 60), 60)
    hours = _c_rem(_c_div(secs, 3600), 24)
    days = _c_div(secs, 86400)
    if days:
        return b"(%d+%02d:%02d)" % (days, abs(hours), abs(minutes))
    if hours:
        return b" (%02d:%02d)" % (hours, abs(minutes))
    if secs >= 0:
        return b" (%02d:%02d)" % (hours, minutes)
    return b" (-00:%02d)" % abs(minutes)


def _c_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _c_rem(a: int, b: int) -> int:
    return a - b * _c_div(a, b)


class _Line:
    """Lines under construction: fields separated by one space, in a space-filled matrix."""

    def __init__(self, count: int) -> None:
        self._parts: list[tuple[Matrix, Ints | None, bool, bool]] = []
        self._count = count
        self.unusual_text = False

    def add(self, matrix: Matrix, lengths: Ints | None = None, solid: bool = False) -> None:
        """Append a field: ``lengths`` when rows differ in width; ``solid`` when every row's
        last byte is not blank (so trimming never reaches into it)."""
        self._parts.append((matrix, lengths, solid, False))

    def add_text(self, matrix: Matrix, width: int, precision: int) -> None:
        """Append C strings (NUL-padded rows) as ``%-width.precision s``."""
        size = matrix.shape[1]
        if size > precision:
            matrix = matrix[:, :precision]
            size = precision
        if size < width:
            padded = np.zeros((len(matrix), width), dtype=np.uint8)
            padded[:, :size] = matrix
            self._parts.append((padded, None, False, True))
            return
        lengths = None
        if size > width:
            lengths = np.maximum(np.count_nonzero(matrix, axis=1), width).astype(np.int64)
            if (lengths == size).all():
                lengths = None
        self._parts.append((matrix, lengths, False, True))

    def finish(self) -> bytes:
        """Every line, trailing whitespace stripped, newline-terminated, joined.

        Sets ``unusual_text`` when a text field holds a byte outside printable ASCII (the
        lines then need fputs_careful's escaping).
        """
        count = self._count
        if count == 0:
            return b""
        capacity = sum(m.shape[1] for m, _, _, _ in self._parts) + len(self._parts)
        buf = np.full((count, capacity + 1), _SPACE, dtype=np.uint8)
        fixed = 0
        floor = 0  # trimming stops here (a solid field ends at or after it in every row)
        pos: Ints | None = None  # per-row positions once a field has varied
        for i, (matrix, lengths, solid, text) in enumerate(self._parts):
            width = matrix.shape[1]
            if text and width:
                matrix = matrix | ((matrix == 0).view(np.uint8) << 5)  # NUL padding -> blank
                if matrix.min() < 0x20 or matrix.max() > 0x7E:
                    self.unusual_text = True
            if pos is None:
                buf[:, fixed : fixed + width] = matrix
                if lengths is None:
                    fixed += width
                    if solid and width:
                        floor = fixed
                else:
                    pos = fixed + lengths
            else:
                _place(buf, matrix, pos)
                pos = pos + (width if lengths is None else lengths)
                if solid and width:
                    floor = int(pos.min())
            if i + 1 < len(self._parts):
                if pos is None:
                    fixed += 1
                else:
                    pos = pos + 1
        if pos is None:
            return _trimmed(buf, None, fixed, floor)
        return _trimmed(buf, pos, int(pos.max()), floor)


def _place(buf: Matrix, matrix: Matrix, pos: Ints) -> None:
    """Write row r of ``matrix`` into row r of ``buf`` from column ``pos[r]``."""
    starts, counts = np.unique(pos, return_counts=True)
    width = matrix.shape[1]
    if len(starts) <= 32:
        # Few distinct positions (names and hosts of a few lengths): a slice per position.
        order = np.argsort(pos, kind="stable")
        begin = 0
        for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
            rows = order[begin : begin + count]
            buf[rows, start : start + width] = matrix[rows]
            begin += count
        return
    flat = (np.arange(len(buf)) * buf.shape[1] + pos)[:, None] + np.arange(width)
    buf.reshape(-1)[flat] = matrix


def _trimmed(buf: Matrix, ends: Ints | None, end: int, floor: int) -> bytes:
    """Rows cut at ``ends`` (all at ``end`` when None; ``end`` is the largest), trailing C
    whitespace removed (util-linux's trim_trailing_spaces, whose loop also drops a lone
    first character), newline added. Columns before ``floor`` end in a non-blank byte."""
    count, capacity = buf.shape
    region = buf[:, floor:end]
    if (region < 0x20).any():
        solid = ~_C_SPACE[region]
    else:
        solid = region != _SPACE
    if ends is not None:
        solid &= np.arange(floor, end) < ends[:, None]
    found = solid.any(axis=1)
    last = end - np.argmax(solid[:, ::-1], axis=1)
    last[~found] = floor
    if floor == 0:
        last[last == 1] = 0
    buf[np.arange(count), last] = ord("\n")
    keep = np.ones((count, capacity), dtype=bool)
    keep[:, floor:] = np.arange(floor, capacity) <= last[:, None]
    return buf[keep].tobytes()
