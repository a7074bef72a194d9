"""Times on the command line (``--since``/``--until``) and in reports.

A time is written as ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS]`` (or with a ``T``), in the local
time zone (``TZ``), or as Unix seconds (``@1054189746`` or a bare number with 9+ digits);
``today`` and ``yesterday`` mean the start of those days.
"""

from __future__ import annotations

import re
import time

from logwarden.errors import UsageError

_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?)?$")
_EPOCH = re.compile(r"@?(\d{9,12})(?:\.(\d{1,9}))?$")


def parse_time(text: str, now: float | None = None) -> int:
    """Unix nanoseconds of ``text``; a UsageError names what is accepted."""
    text = text.strip()
    if text in ("today", "yesterday"):
        t = time.localtime(time.time() if now is None else now)
        start = time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))
        if text == "yesterday":
            y = time.localtime(start - 12 * 3600)
            start = time.mktime((y.tm_year, y.tm_mon, y.tm_mday, 0, 0, 0, 0, 0, -1))
        return int(start) * 1_000_000_000
    m = _EPOCH.match(text)
    if m is not None:
        fraction = (m.group(2) or "").ljust(9, "0")
        return int(m.group(1)) * 1_000_000_000 + int(fraction)
    m = _DATE.match(text)
    if m is not None:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hour, minute, sec = (int(g) if g else 0 for g in m.groups()[3:6])
        return int(time.mktime((year, month, day, hour, minute, sec, 0, 0, -1))) * 1_000_000_000
    raise UsageError(
        f"cannot read the time '{text}': use YYYY-MM-DD[ HH:MM[:SS]], @SECONDS, today or yesterday"
    )


def show_time(ns: int | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in local time (``-`` for an unknown time)."""
    if ns is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ns // 1_000_000_000))


def iso_time(ns: int | None) -> str | None:
    """ISO 8601 with the local offset, for JSON and CSV (None for an unknown time)."""
    if ns is None:
        return None
    seconds, rest = divmod(ns, 1_000_000_000)
    t = time.localtime(seconds)
    offset = t.tm_gmtoff
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", t)
    return f"{stamp}.{rest // 1000:06d}{sign}{hours:02d}:{minutes:02d}"
