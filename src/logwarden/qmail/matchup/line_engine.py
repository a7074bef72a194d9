"""qmailanalog's matchup: pair each delivery with its start and its message, line by line.

Input: qmail-send lines whose first field is a timestamp (kept as an opaque word). Output:

    m birth done bytes nk nd nz <sender> qp uid
    d r birth dstart ddone bytes <sender> chan.recip qp uid reason

one ``m`` line per message that ends (``end msg``) after its ``info msg`` was seen, one ``d``
line per delivery result whose ``starting delivery`` was seen (``r`` is ``k`` success, ``d``
failure, ``z`` deferral or report mangled), ``warning:``/``alert:`` lines copied, and every
other line that is not a status line printed after ``? ``. What is still open at the end
(messages, deliveries, the last line if it has no newline) is the *pending* state, written
in matchup's own input syntax so that the next chunk of log can start from it:

    <birth> info msg M: bytes B from <sender> qp Q uid U
    <birth> extra M nk nz nd
    <dstart> starting delivery D: msg M to chan recip
    <the unterminated last line>

This module is the exact, line-at-a-time engine: it follows matchup.c's field rules word for
word (fields split on space, tab and newline only; at most 20 looked at; numbers read as C's
``scan_ulong`` reads them, wrapping at 2**64; a missing field is empty). It is the reference
the column-wise engine (:mod:`logwarden.qmail.matchup.column_engine`) is tested against.

One deliberate difference: pending messages and deliveries come out in log order (the order
of the line that opened each), where matchup.c prints its internal table, whose order depends
on which entries were removed before. The set of lines is the same, and matchup reading
either file back produces the same output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_ULONG = 1 << 64
_DIGITS = re.compile(rb"\d*")
#: Bytes Python's split() treats as blanks but matchup.c does not.
_ODD_BLANKS = re.compile(rb"[\r\x0b\x0c]")
_C_BLANKS = re.compile(rb"[ \t\n]+")
_FIELDS = 20


def scan_ulong(word: bytes) -> int:
    """C's ``scan_ulong``: the leading digits as a number, modulo 2**64 (0 when none)."""
    m = _DIGITS.match(word)
    digits = m.group() if m is not None else b""
    if not digits:
        return 0
    if len(digits) < 20:
        return int(digits)
    return int(digits) % _ULONG


def c_fields(line: bytes) -> list[bytes]:
    """matchup.c's fields: words split on space, tab and newline, padded to 20 with empties."""
    if _ODD_BLANKS.search(line) is None:
        words = line.split()
    else:
        words = [w for w in _C_BLANKS.split(line) if w]
    if len(words) < _FIELDS:
        words.extend([b""] * (_FIELDS - len(words)))
    return words


@dataclass(slots=True)
class Message:
    """An open message: what its ``info msg`` line said and its delivery counts so far."""

    birth: bytes
    size: int
    sender: bytes
    qp: int
    uid: int
    nk: int = 0
    nd: int = 0
    nz: int = 0


@dataclass(slots=True)
class Delivery:
    """An open delivery: what its ``starting delivery`` line said."""

    msg: int
    start: bytes
    channel: bytes
    recipient: bytes


_RESULTS = ((b"succ", b"d k ", 0), (b"fail", b"d d ", 1), (b"defer", b"d z ", 2))


class Matchup:
    """matchup's state: open messages and deliveries. Feed lines; collect output lines."""

    def __init__(self) -> None:
        self.messages: dict[int, Message] = {}
        self.deliveries: dict[int, Delivery] = {}
        self._dispatch: dict[bytes, Callable[[list[bytes], bytes], bytes | None]] = {
            b"status:": _ignore,
            b"starting": self._starting,
            b"delivery": self._delivery,
            b"new": self._new,
            b"end": self._end,
            b"info": self._info,
            b"extra": self._extra,
            b"running": self._clear,
            b"exiting": self._clear,
            b"number": _ignore,
            b"local": _ignore,
            b"remote": _ignore,
            b"warning:": _copy,
            b"alert:": _copy,
        }

    def line(self, line: bytes) -> bytes | None:
        """Process one input line (without its newline); return its output line, if any
        (with its newline)."""
        f = c_fields(line)
        action = self._dispatch.get(f[1])
        if action is None:
            return b"? " + line + b"\n"
        return action(f, line)

    def feed(self, data: bytes) -> tuple[list[bytes], bytes]:
        """Process every complete line of ``data``; return the output lines and the
        unterminated rest (empty when ``data`` ends with a newline)."""
        cut = data.rfind(b"\n") + 1
        out = []
        if cut:
            line_out = self.line
            for line in data[: cut - 1].split(b"\n"):
                produced = line_out(line)
                if produced is not None:
                    out.append(produced)
        return out, data[cut:]

    def pending(self, partial: bytes = b"") -> bytes:
        """The pending state in matchup's input syntax, then ``partial`` as it is."""
        parts = []
        for m, msg in self.messages.items():
            parts.append(
                b"%s info msg %d: bytes %d from %s qp %d uid %d\n%s extra %d %d %d %d\n"
                % (msg.birth, m, msg.size, msg.sender, msg.qp, msg.uid, msg.birth, m,
                   msg.nk, msg.nz, msg.nd)
            )  # fmt: skip
        for d, dl in self.deliveries.items():
            parts.append(
                b"%s starting delivery %d: msg %d to %s %s\n"
                % (dl.start, d, dl.msg, dl.channel, dl.recipient)
            )
        parts.append(partial)
        return b"".join(parts)

    # The actions, one per word in field 2. Each gets the fields and the original line.

    def _starting(self, f: list[bytes], line: bytes) -> None:
        d = scan_ulong(f[3])
        # An open delivery with the same number is overwritten; it moves to the end so that
        # the pending state keeps log order.
        self.deliveries.pop(d, None)
        self.deliveries[d] = Delivery(scan_ulong(f[5]), f[0], f[7], f[8].lower())

    def _delivery(self, f: list[bytes], line: bytes) -> bytes | None:
        dl = self.deliveries.pop(scan_ulong(f[2]), None)
        if dl is None:
            return None
        msg = self.messages.get(dl.msg)
        word = f[3]
        result = b"?"
        reason = b""
        for prefix, label, counter in _RESULTS:
            if word.startswith(prefix):
                result, reason = label, f[4]
                if msg is not None:
                    _count(msg, counter)
                break
        else:
            if word.startswith(b"report"):
                result, reason = b"d z ", b"report_mangled"
                if msg is not None:
                    msg.nz += 1
        if msg is None:
            return b"%s%s %s %s 0 ? %s.%s ? ? %s\n" % (
                result, dl.start, dl.start, f[0], dl.channel, dl.recipient, reason)  # fmt: skip
        return b"%s%s %s %s %d %s %s.%s %d %d %s\n" % (
            result, msg.birth, dl.start, f[0], msg.size, msg.sender, dl.channel, dl.recipient,
            msg.qp, msg.uid, reason)  # fmt: skip

    def _new(self, f: list[bytes], line: bytes) -> None:
        # qmail reuses a message number (an inode) as soon as the file is gone: a new
        # message with an open number means the old one's end was not seen.
        self.messages.pop(scan_ulong(f[3]), None)

    def _end(self, f: list[bytes], line: bytes) -> bytes | None:
        m = scan_ulong(f[3])
        msg = self.messages.pop(m, None)
        if msg is None:
            return None
        return b"m %s %s %d %d %d %d %s %d %d\n" % (
            msg.birth, f[0], msg.size, msg.nk, msg.nd, msg.nz, msg.sender, msg.qp,
            msg.uid)  # fmt: skip

    def _info(self, f: list[bytes], line: bytes) -> None:
        m = scan_ulong(f[3])
        self.messages.pop(m, None)
        self.messages[m] = Message(
            f[0], scan_ulong(f[5]), f[7].lower(), scan_ulong(f[9]), scan_ulong(f[11])
        )

    def _extra(self, f: list[bytes], line: bytes) -> None:
        msg = self.messages.get(scan_ulong(f[2]))
        if msg is not None:
            msg.nk, msg.nz, msg.nd = scan_ulong(f[3]), scan_ulong(f[4]), scan_ulong(f[5])

    def _clear(self, f: list[bytes], line: bytes) -> None:
        # Old qmail's restart markers: every delivery in progress is gone.
        self.deliveries.clear()


def _count(msg: Message, counter: int) -> None:
    if counter == 0:
        msg.nk += 1
    elif counter == 1:
        msg.nd += 1
    else:
        msg.nz += 1


def _ignore(f: list[bytes], line: bytes) -> None:
    return None


def _copy(f: list[bytes], line: bytes) -> bytes:
    return line + b"\n"


def matchup(data: bytes) -> tuple[bytes, bytes]:
    """Run matchup over ``data``: (output, pending state)."""
    engine = Matchup()
    out, partial = engine.feed(data)
    return b"".join(out), engine.pending(partial)
