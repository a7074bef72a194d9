"""``zoverall`` (the basic statistics) and ``zsendmail`` (sendmail-style lines)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from logwarden.qmail.awk import divide, f6, fields, less, number, show


def _num(f: list[bytes], n: int) -> float:
    return number(f[n - 1]) if len(f) >= n else 0.0


def _text(f: list[bytes], n: int) -> bytes:
    return f[n - 1] if len(f) >= n else b""


@dataclass
class Overall:
    """The sums zoverall keeps, in awk's order of addition (so the doubles agree)."""

    messages: float = 0.0
    recips: float = 0.0
    tries: float = 0.0
    mbytes: float = 0.0
    rbytes: float = 0.0
    qtime: float = 0.0
    deliveries: float = 0.0
    succ: float = 0.0
    fail: float = 0.0
    ddelay: float = 0.0
    xdelay: float = 0.0
    #: The earliest and latest times, as the fields were written (awk keeps the text).
    first: bytes = b""
    last: bytes = b""
    seen: bool = False

    def add(self, line: bytes) -> None:
        """Account one line of matchup output."""
        if line.startswith(b"m"):
            f = fields(line)
            self.messages += 1
            size, nk, nd, nz = _num(f, 4), _num(f, 5), _num(f, 6), _num(f, 7)
            self.mbytes += size
            self.rbytes += size * nk
            self.qtime += _num(f, 3) - _num(f, 2)
            self.recips += nk + nd
            self.tries += nk + nd + nz
            self._span(_text(f, 2), _text(f, 3))
        elif line.startswith(b"d"):
            f = fields(line)
            done = _num(f, 5)
            if line.startswith(b"d k"):
                self.succ += 1
                self.ddelay += done - _num(f, 3)
            elif line.startswith(b"d d"):
                self.fail += 1
            self.deliveries += 1
            self.xdelay += done - _num(f, 4)
            self._span(_text(f, 3), _text(f, 5))

    def _span(self, begin: bytes, end: bytes) -> None:
        if not self.seen or less(begin, self.first):
            self.first = begin
        if not self.seen or less(self.last, end):
            self.last = end
        self.seen = True

    def lines(self) -> list[bytes]:
        """zoverall's numbers, label by label."""
        out = [b"Completed messages: " + show(self.messages)]
        if self.messages:
            out += [
                b"Recipients for completed messages: " + show(self.recips),
                b"Total delivery attempts for completed messages: " + show(self.tries),
                b"Average delivery attempts per completed message: "
                + show(self.tries / self.messages),
                b"Bytes in completed messages: " + show(self.mbytes),
                b"Bytes weighted by success: " + show(self.rbytes),
                b"Average message qtime (s): " + show(self.qtime / self.messages),
            ]
        out += [b"", b"Total delivery attempts: " + show(self.deliveries)]
        if self.deliveries:
            out += [
                b"  success: " + show(self.succ),
                b"  failure: " + show(self.fail),
                b"  deferral: " + show(self.deliveries - self.succ - self.fail),
                b"Total ddelay (s): " + f6(self.ddelay),
            ]
            if self.succ:
                out.append(b"Average ddelay per success (s): " + f6(self.ddelay / self.succ))
            out += [
                b"Total xdelay (s): " + f6(self.xdelay),
                b"Average xdelay per delivery attempt (s): " + f6(self.xdelay / self.deliveries),
            ]
            if less(self.first, self.last):
                span = number(self.last) - number(self.first)
                out += [
                    b"Time span (days): " + show(span / 86400),
                    # Fields that are not numbers compare as text, so the span may be 0.
                    b"Average concurrency: " + show(divide(self.xdelay, span)),
                ]
        return out


def overall(lines: Iterable[bytes]) -> Overall:
    """zoverall's sums over matchup output lines."""
    sums = Overall()
    for line in lines:
        sums.add(line)
    return sums


def sendmail(lines: Iterable[bytes]) -> list[bytes]:
    """zsendmail: ``d`` and ``m`` lines as sendmail-style log lines, others unchanged."""
    out = []
    for line in lines:
        if line.startswith(b"d"):
            f = fields(line) + [b""] * 11
            stat = b"stat=Sent" if f[1] == b"k" else b"stat=Failed" if f[1] == b"d" else (
                b"stat=Deferred")  # fmt: skip
            ddelay = f6(number(f[4]) - number(f[2]))
            xdelay = f6(number(f[4]) - number(f[3]))
            out.append(
                b"%s qp %s: to=%s, uid=%s, ddelay=%s, xdelay=%s, %s (%s)"
                % (f[4], f[8], f[7], f[9], ddelay, xdelay, stat, f[10])
            )
        elif line.startswith(b"m"):
            f = fields(line) + [b""] * 10
            qtime = f6(number(f[2]) - number(f[1]))
            nrcpts = show(number(f[4]) + number(f[5]))
            out.append(
                b"%s qp %s: from=%s, uid=%s, size=%s, nrcpts=%s, deferrals=%s, qtime=%s"
                % (f[2], f[8], f[7], f[9], f[3], nrcpts, f[6], qtime)
            )
        else:
            out.append(line)
    return out
