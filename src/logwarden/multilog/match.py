"""multilog's own patterns: ``*`` and literal bytes, matched against the whole line.

daemontools' rule (match.c, 0.76): a literal byte matches itself; a ``*`` that ends the
pattern matches everything that is left; any other ``*`` skips forward to the first
occurrence of the byte that follows it in the pattern, and that byte must occur. There is no
backtracking: ``*x`` stops at the *first* ``x``. So ``+* fatal: *`` selects a line whose
first space is followed by ``fatal: `` (with ``t``, the text right after the timestamp), and
``-hello`` deselects only a line that is exactly ``hello``.

The pattern is compiled once into a regular expression with the same meaning: ``*c`` becomes
``[^c]*+(?=c)`` (a run without ``c`` that must be followed by ``c``), a final ``*`` becomes
``.*``. A run of non-``c`` bytes can only end at the first ``c``, so the regular expression has
exactly one way to match, as the C loop has.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Tests a line (the first 1000 bytes multilog keeps, timestamp included).
Matcher = Callable[[bytes], bool]


def matches(pattern: bytes, line: bytes) -> bool:
    """The reference algorithm, byte for byte (used to check the compiled form)."""
    p = 0
    i = 0
    size = len(line)
    while True:
        if p == len(pattern):
            return i == size
        ch = pattern[p]
        p += 1
        if ch == 0x2A:  # '*'
            if p == len(pattern):
                return True
            wanted = pattern[p]
            found = line.find(bytes((wanted,)), i)
            if found < 0:
                return False
            i = found
            continue
        if i == size or line[i] != ch:
            return False
        i += 1


def to_regex(pattern: bytes) -> bytes:
    """The regular expression (for :func:`re.fullmatch`) equivalent to ``pattern``.

    The runs are possessive (``*+``): the C loop never gives a byte back, and neither need
    the regular expression engine, which saves it trying shorter runs on lines that fail.
    """
    parts: list[bytes] = []
    for index, ch in enumerate(pattern):
        if ch != 0x2A:
            parts.append(re.escape(bytes((ch,))))
        elif index == len(pattern) - 1:
            parts.append(b".*")
        else:
            follow = re.escape(bytes((pattern[index + 1],)))
            parts.append(b"[^" + follow + b"]*+(?=" + follow + b")")
    return b"".join(parts)


def compile_pattern(pattern: bytes) -> Matcher:
    """A fast matcher for ``pattern`` with the reference's meaning."""
    if b"*" not in pattern:
        return pattern.__eq__
    if pattern.endswith(b"*") and b"*" not in pattern[:-1]:
        return _prefix(pattern[:-1])
    compiled = re.compile(to_regex(pattern), re.DOTALL)
    fullmatch = compiled.fullmatch

    def match(line: bytes) -> bool:
        return fullmatch(line) is not None

    return match


def _prefix(prefix: bytes) -> Matcher:
    def match(line: bytes) -> bool:
        return line.startswith(prefix)

    return match
