"""qmailanalog's ``columnt``: line words up in columns.

Every word is right-aligned to the widest word of its column and followed by two spaces,
except the words in the last column of the widest line, which are printed as they are (so
that a free-text last column, a reason or an address, is not padded). Words are separated by
spaces and tabs; a line with no words stays empty; a missing final newline is supplied.
"""

from __future__ import annotations

import re

_WORDS = re.compile(rb"[^ \t\n]+")


def columnt(data: bytes) -> bytes:
    """The columns of ``data`` (all of it: widths depend on every line)."""
    if not data:
        return b""
    if not data.endswith(b"\n"):
        data += b"\n"
    rows = [_WORDS.findall(line) for line in data[:-1].split(b"\n")]
    last = max((len(r) for r in rows), default=0) - 1
    widths = [0] * max(last + 1, 0)
    for row in rows:
        for i, word in enumerate(row):
            if len(word) > widths[i]:
                widths[i] = len(word)
    out = []
    for row in rows:
        parts = []
        for i, word in enumerate(row):
            if i < last:
                parts.append(word.rjust(widths[i]) + b"  ")
            else:
                parts.append(word)
        out.append(b"".join(parts))
    return b"\n".join(out) + b"\n"
