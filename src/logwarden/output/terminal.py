"""Escaping what a log says before it reaches a terminal.

A user name or host in wtmp is whatever the writer put there, escape sequences included: an
intruder can hide a login by writing ``\\x1b[2K`` into a field. When the output is a terminal,
every control character (C0, DEL, and C1 in UTF-8) and every byte that is not valid UTF-8 is
shown as a visible escape, as GNU ls does; when the output is a pipe or a file, the bytes stay
those of the reference tool, so that scripts and the differential tests see the same thing.

Filters that copy log text through (matchup, the qmailanalog reports, tai64n...) escape their
whole output the same way on a terminal (:class:`EscapingWriter`), keeping newlines and tabs.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from typing import BinaryIO

#: Turns one field's bytes into what may be shown.
Sanitizer = Callable[[bytes], bytes]

_C0_DEL = re.compile(rb"[\x00-\x1f\x7f]")
_NAMED = {0x07: b"\\a", 0x08: b"\\b", 0x09: b"\\t", 0x0A: b"\\n", 0x0B: b"\\v", 0x0C: b"\\f",
          0x0D: b"\\r", 0x1B: b"\\e"}  # fmt: skip


def _escape_byte(value: int) -> bytes:
    return _NAMED.get(value) or b"\\x%02x" % value


def escape_controls(field: bytes) -> bytes:
    """Return ``field`` with control characters and invalid UTF-8 made visible."""
    if field.isascii():
        if _C0_DEL.search(field) is None:
            return field
        return _C0_DEL.sub(lambda m: _escape_byte(m.group()[0]), field)
    text = field.decode("utf-8", "surrogateescape")
    out = bytearray()
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not valid UTF-8
            out += b"\\x%02x" % (code - 0xDC00)
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out += _escape_byte(code) if code < 0x80 else b"\\u%04x" % code
        else:
            out += ch.encode("utf-8")
    return bytes(out)


def keep(field: bytes) -> bytes:
    """The identity sanitizer, for pipes and files."""
    return field


def is_terminal(stream: BinaryIO) -> bool:
    """True when ``stream`` is a terminal (and so needs escaping)."""
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def is_pipe(stream: BinaryIO) -> bool:
    """True when ``stream`` is a pipe or socket: somebody else's program reads it."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def sanitizer_for(stream: BinaryIO) -> Sanitizer:
    """Escape for a terminal, keep the reference's bytes otherwise."""
    return escape_controls if is_terminal(stream) else keep


def escape_text(text: bytes) -> bytes:
    """:func:`escape_controls` for lines of text: newlines and tabs stay as they are."""
    if text.isascii() and _C0_DEL.search(text.replace(b"\n", b"").replace(b"\t", b"")) is None:
        return text
    return b"\n".join(
        b"\t".join(escape_controls(part) for part in line.split(b"\t"))
        for line in text.split(b"\n")
    )


class LineEscaper:
    """:func:`escape_text` over a stream given in pieces. Text after the last newline is
    held until more comes, so a UTF-8 character split between two pieces stays whole."""

    def __init__(self) -> None:
        self._held = b""

    def feed(self, data: bytes) -> bytes:
        """The escaped form of every line that ``data`` completes."""
        data = self._held + data
        cut = data.rfind(b"\n") + 1
        self._held = data[cut:]
        return escape_text(data[:cut])

    def finish(self) -> bytes:
        """The escaped form of what is held (a last line without its newline)."""
        held, self._held = self._held, b""
        return escape_text(held)


class EscapingWriter:
    """A binary stream's ``write``, ``flush`` and ``fileno`` that escape the text for a
    terminal on its way (a tool writing to descriptor ``fileno()`` itself must use
    :attr:`escaper`)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.escaper = LineEscaper()

    def write(self, data: bytes) -> int:
        self.stream.write(self.escaper.feed(bytes(data)))
        return len(data)

    def flush(self) -> None:
        self.stream.write(self.escaper.finish())
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()
