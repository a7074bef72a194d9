"""qmailanalog's filters over matchup output: ``xqp``, ``xsender``, ``xrecipient``.

Each keeps the ``d`` and/or ``m`` lines whose field equals the argument, compared as awk
compares them: as numbers when both look like numbers (``xqp 0123`` matches qp 123), as
text otherwise, case and all (matchup has already lower-cased senders and recipients). The
output is the kept lines unchanged, so it can go on into any ``z`` report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from logwarden.qmail.awk import fields, looks_numeric, number


def awk_equal(field: bytes | None, value: bytes) -> bool:
    """awk's ``$n == value`` where ``value`` came from the command line; ``None`` is a field
    past the end of the line (empty text and the number 0 at once)."""
    numeric = looks_numeric(value)
    if field is None:
        return number(value) == 0 if numeric else value == b""
    if numeric and looks_numeric(field):
        return number(field) == number(value)
    return field == value


def _field(f: list[bytes], n: int) -> bytes | None:
    return f[n - 1] if len(f) >= n else None


def xqp(lines: Iterable[bytes], qp: bytes) -> Iterator[bytes]:
    """``d`` and ``m`` lines of the message(s) with this qp (field 9 in both)."""
    for line in lines:
        if line.startswith((b"d", b"m")) and awk_equal(_field(fields(line), 9), qp):
            yield line


def xsender(lines: Iterable[bytes], sender: bytes) -> Iterator[bytes]:
    """``d`` lines (field 7) and ``m`` lines (field 8) from ``<sender>``."""
    wanted = b"<" + sender + b">"
    for line in lines:
        if line.startswith(b"d"):
            if awk_equal(_field(fields(line), 7), wanted):
                yield line
        elif line.startswith(b"m") and awk_equal(_field(fields(line), 8), wanted):
            yield line


def xrecipient(lines: Iterable[bytes], recipient: bytes) -> Iterator[bytes]:
    """``d`` lines to ``chan.recip`` (field 8), e.g. ``remote.user@example.com``."""
    for line in lines:
        if line.startswith(b"d") and awk_equal(_field(fields(line), 8), recipient):
            yield line
