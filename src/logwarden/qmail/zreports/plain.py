"""qmailanalog's helper programs over matchup output, one function each.

Each takes matchup's output lines (without newlines) and returns the helper's lines. The awk
originals print their tables in the order of awk's hash tables, which nothing specifies;
these print them in the order each key was first seen. The ``z`` reports sort the lines, so
their output is the same either way.

matchup's layouts, as the awk fields: ``m``: $2 birth $3 done $4 bytes $5 nk $6 nd $7 nz
$8 sender $9 qp $10 uid; ``d``: $2 result $3 birth $4 dstart $5 ddone $6 bytes $7 sender
$8 chan.recip $9 qp $10 uid $11 reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from logwarden.qmail.awk import divide, f2, f6, fields, number, show
from logwarden.qmail.zreports.sortlike import sort_numeric


def _field(f: list[bytes], n: int) -> bytes:
    return f[n - 1] if len(f) >= n else b""


def _num(f: list[bytes], n: int) -> float:
    return number(f[n - 1]) if len(f) >= n else 0.0


def reasons(lines: Iterable[bytes], prefix: bytes) -> list[bytes]:
    """``deferrals`` (prefix ``d z``), ``failures`` (``d d``), ``successes`` (``d k``):
    ``count xdelay reason`` per reason."""
    count: dict[bytes, float] = {}
    xdelay: dict[bytes, float] = {}
    for line in lines:
        if not line.startswith(prefix):
            continue
        f = fields(line)
        reason = _field(f, 11)
        count[reason] = count.get(reason, 0.0) + 1
        xdelay[reason] = xdelay.get(reason, 0.0) + (_num(f, 5) - _num(f, 4))
    return [b"%s %s %s" % (show(count[r]), f2(xdelay[r]), r) for r in count]


@dataclass
class _Tries:
    xdelay: float = 0.0
    sbytes: float = 0.0
    succ: float = 0.0
    fail: float = 0.0
    temp: float = 0.0


def _by_destination(lines: Iterable[bytes], host_only: bool) -> list[bytes]:
    table: dict[bytes, _Tries] = {}
    for line in lines:
        if not line.startswith(b"d"):
            continue
        f = fields(line)
        key = _field(f, 8)
        if host_only:
            key = key.rsplit(b"@", 1)[-1]
        t = table.get(key)
        if t is None:
            t = table[key] = _Tries()
        t.xdelay += _num(f, 5) - _num(f, 4)
        result = _field(f, 2)
        if result == b"k":
            t.sbytes += _num(f, 6)
            t.succ += 1
        elif result == b"d":
            t.fail += 1
        elif result == b"z":
            t.temp += 1
    return [
        b"%s %s %s %s %s"
        % (show(t.sbytes), show(t.succ + t.fail), show(t.succ + t.fail + t.temp), f2(t.xdelay), k)
        for k, t in table.items()
    ]


def recipients(lines: Iterable[bytes]) -> list[bytes]:
    """``sbytes mess tries xdelay recipient`` per ``chan.recip``."""
    return _by_destination(lines, host_only=False)


def rhosts(lines: Iterable[bytes]) -> list[bytes]:
    """``sbytes mess tries xdelay host`` per host (after the last ``@``)."""
    return _by_destination(lines, host_only=True)


def rxdelay(recipient_lines: Iterable[bytes]) -> list[bytes]:
    """``avg tries recipient`` from ``recipients`` output, sorted by ``sort -n``."""
    out = []
    for line in recipient_lines:
        f = fields(line)
        tries = _num(f, 3)
        avg = divide(_num(f, 4), tries)  # a try count of 0 only comes from malformed input
        out.append(b"%s %s %s" % (f2(avg), _field(f, 3), _field(f, 5)))
    return sort_numeric(out)


@dataclass
class _Sent:
    messages: float = 0.0
    succ: float = 0.0
    fail: float = 0.0
    temp: float = 0.0
    mbytes: float = 0.0
    sbytes: float = 0.0
    rbytes: float = 0.0


def _by_origin(lines: Iterable[bytes], with_sender: bool) -> list[bytes]:
    table: dict[bytes, _Sent] = {}
    xdelay: dict[bytes, float] = {}
    for line in lines:
        if line.startswith(b"m"):
            f = fields(line)
            key = _field(f, 10) + b"/" + _field(f, 8) if with_sender else _field(f, 10)
            s = table.get(key)
            if s is None:
                s = table[key] = _Sent()
            size, nk, nd, nz = _num(f, 4), _num(f, 5), _num(f, 6), _num(f, 7)
            s.messages += 1
            s.succ += nk
            s.fail += nd
            s.temp += nz
            s.mbytes += size
            s.sbytes += size * nk
            s.rbytes += size * (nk + nd)
        if line.startswith(b"d"):
            f = fields(line)
            key = _field(f, 10) + b"/" + _field(f, 7) if with_sender else _field(f, 10)
            xdelay[key] = xdelay.get(key, 0.0) + (_num(f, 5) - _num(f, 4))
    return [
        b"%s %s %s %s %s %s %s %s"
        % (show(s.messages), show(s.mbytes), show(s.sbytes), show(s.rbytes),
           show(s.succ + s.fail), show(s.succ + s.fail + s.temp), f6(xdelay.get(k, 0.0)), k)
        for k, s in table.items()
    ]  # fmt: skip


def senders(lines: Iterable[bytes]) -> list[bytes]:
    """``mess bytes sbytes rbytes recips tries xdelay uid/<sender>`` per sender."""
    return _by_origin(lines, with_sender=True)


def suids(lines: Iterable[bytes]) -> list[bytes]:
    """The same per uid."""
    return _by_origin(lines, with_sender=False)


def ddist(lines: Iterable[bytes]) -> list[bytes]:
    """``doneby avg pct``: within how many seconds the first pct% of successful deliveries
    were done, and their average ddelay; faithful to the awk, quirks included (each distinct
    ddelay counts once in the average; the minimum per percentage is a string minimum)."""
    printed: Counter[bytes] = Counter()
    for line in lines:
        if line.startswith(b"d k"):
            f = fields(line)
            printed[show(_num(f, 5) - _num(f, 3))] += 1
    return ddist_counts(printed)


def ddist_counts(printed: Counter[bytes]) -> list[bytes]:
    """ddist from how often each ddelay was printed (awk prints ``$5 - $3`` with %.6g)."""
    total = sum(printed.values())
    if total == 0:
        return []
    # sort -n orders the printed values; a value's cumulative count is the position of its
    # last occurrence.
    cumulative: dict[bytes, int] = {}
    running = 0
    for word in sort_numeric(list(printed)):
        running += printed[word]
        cumulative[word] = running
    mindel: dict[int, bytes] = {}
    totdel = [0.0] * 101
    numdel = [0] * 101
    for d, cum in cumulative.items():
        p = int((cum * 100) / total)
        current = mindel.get(p)
        if current is None or d < current:
            mindel[p] = d
        totdel[p] += number(d)
        numdel[p] += 1
    out = []
    td = 0.0
    nd = 0
    for p in range(101):
        td += totdel[p]
        nd += numdel[p]
        low = mindel.get(p)
        # awk compares the string with 0 as strings: a negative ddelay never prints.
        if p >= 10 and nd > 0 and low is not None and low >= b"0":
            out.append(b"%s %s %d" % (f2(number(low)), f2(td / nd), p))
    return out
