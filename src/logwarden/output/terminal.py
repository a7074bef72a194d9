"""Escaping what a log says before it reaches a terminal.

A user name or host in wtmp is whatever the writer put there, escape sequences included: an
intruder can hide a login by writing ``\\x1b[2K`` into a field. When the output is a terminal,
every control character (C0, DEL, and C1 in UTF-8) and every byte that is not valid UTF-8 is
shown as a visible escape, as GNU ls does; when the output is a pipe or a file, the bytes stay
those of the reference tool, so that scripts and the differential tests see the same thing.
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
