"""The classic text of ``w``: procps-ng 4.0.2's header and columns, byte for byte."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from logwarden.connect.w.sessions import Session
from logwarden.timefmt import DAYS, MONTHS


@dataclass(frozen=True)
class Layout:
    """The columns ``w`` shows and their widths."""

    long: bool = True
    show_from: bool = True
    ip: bool = False
    old_style: bool = False
    userlen: int = 8
    fromlen: int = 16
    maxcmd: int = 80
    hertz: int = 100
    #: A file from another host: only USER, TTY, FROM and LOGIN@ can be shown.
    foreign: bool = False


def uptime_line(
    now: int, uptime: float | None, users: int, load: tuple[float, float, float]
) -> bytes:
    """`` 01:01:32 up  1:27,  4 users,  load average: 1.11, 0.76, 0.34`` (empty without
    /proc/uptime)."""
    if uptime is None:
        return b"\n"
    tm = time.localtime(now)
    seconds = int(uptime)
    days, hours, minutes = seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60
    out = b" %02d:%02d:%02d up " % (tm.tm_hour, tm.tm_min, tm.tm_sec)
    if days:
        out += b"%d %s, " % (days, b"days" if days > 1 else b"day")
    out += b"%2d:%02d, " % (hours, minutes) if hours else b"%d min, " % minutes
    word = b"users" if users > 1 else b"user"
    one, five, fifteen = load
    out += b"%2d %s,  load average: %.2f, %.2f, %.2f\n" % (users, word, one, five, fifteen)
    return out


def heading(layout: Layout) -> bytes:
    """The column titles."""
    out = b"USER".ljust(layout.userlen) + b" TTY      "
    if layout.show_from:
        out += b"FROM".ljust(layout.fromlen - 1)
    if layout.foreign:
        return (out + (b"  LOGIN@" if layout.long else b"")).rstrip(b" ") + b"\n"
    if layout.long:
        return out + b"  LOGIN@   IDLE   JCPU   PCPU WHAT\n"
    return out + b"   IDLE WHAT\n"


def interval(seconds: int, centis: int, old_style: bool) -> bytes:
    """procps' 7-character interval: ``12days``, `` 1:02m``, `` 3:05 ``, `` 4.50s``."""
    if seconds < 0:
        return b"   ?   "
    if seconds >= 48 * 3600:
        return b" %2ddays" % (seconds // 86400)
    if old_style:
        if seconds >= 3600:
            return b" %2d:%02d " % (seconds // 3600, seconds // 60 % 60)
        if seconds > 60:
            return b" %2d:%02dm" % (seconds // 60, seconds % 60)
        return b"       "
    if seconds >= 3600:
        return b" %2d:%02dm" % (seconds // 3600, seconds // 60 % 60)
    if seconds > 60:
        return b" %2d:%02d " % (seconds // 60, seconds % 60)
    return b" %2d.%02ds" % (seconds, centis)


def login_time(login: int, now: int) -> bytes:
    """LOGIN@: ``22:59  `` today or within 12 hours, ``Sun10  `` within a week,
    ``17Nov26`` before (the day of the year decides "today", as in procps)."""
    then = time.localtime(login)
    if now - login > 12 * 3600 and then.tm_yday != time.localtime(now).tm_yday:
        if now - login > 6 * 86400:
            month = MONTHS[then.tm_mon - 1]
            return b" %02d%3s%02d" % (then.tm_mday, month, (then.tm_year - 1900) % 100)
        return b" %3s%02d  " % (DAYS[then.tm_wday], then.tm_hour)
    return b" %02d:%02d  " % (then.tm_hour, then.tm_min)


def _printable(byte: int) -> bool:
    return 0x20 <= byte <= 0x7E


def host_field(host: bytes, width: int) -> bytes:
    """procps' ``print_host``: the host up to the first unprintable byte or space (shown as
    '-'), '-' when empty, padded to ``width``."""
    out = bytearray()
    for byte in host[: min(len(host), width, 256)]:
        if _printable(byte) and byte != 0x20:
            out.append(byte)
        else:
            out.append(0x2D)
            break
    if not out:
        out.append(0x2D)
    return bytes(out).ljust(width)


def _tail_field(host: bytes, start: int, room: int) -> bytes:
    # Print host[start:] while printable and not a space, within room; a '-' for what stops it.
    length = min(256 - start, room)
    out = bytearray()
    i = start
    while length > 0 and i < len(host) and _printable(host[i]) and host[i] != 0x20:
        out.append(host[i])
        length -= 1
        i += 1
    if length > 0 and i < len(host):
        out.append(0x2D)
    return bytes(out)


def display_or_interface(host: bytes, room: int) -> bytes:
    """procps' ``print_display_or_interface``: after an address shown by ``-i``, the X
    display (``:0``) or IPv6 interface (``%eth0``) part of the host, padded to ``room``."""
    if room <= 0:
        return b""
    n = len(host)
    colon = 0
    while colon < n and host[colon] != 0x3A and _printable(host[colon]):
        colon += 1
    shown = b""
    if colon < n and host[colon] == 0x3A:
        second = colon + 1
        while second < n and host[second] != 0x3A and _printable(host[second]):
            second += 1
        if second >= n or host[second] != 0x3A:
            shown = _tail_field(host, colon, room)
        else:
            percent = second
            while percent < n and host[percent] != 0x25 and _printable(host[percent]):
                percent += 1
            if percent < n and host[percent] == 0x25:
                shown = _tail_field(host, percent, room)
    return shown.ljust(room)


def address(addr: bytes, width: int) -> bytes:
    """The ``-i`` address text: IPv4 (also for IPv4-mapped) or IPv6, cut to ``width``; empty
    for no address or an IPv4 text too long for the field."""
    if addr[:8] == bytes(8) and addr[8:12] == b"\0\0\xff\xff":
        addr = addr[12:16] + bytes(12)
    if addr[4:] != bytes(12):
        return socket.inet_ntop(socket.AF_INET6, addr).encode()[:width]
    if addr[:4] == bytes(4):
        return b""
    text = socket.inet_ntop(socket.AF_INET, addr[:4]).encode()
    return text if len(text) <= width else b""


def from_field(session: Session, layout: Layout) -> bytes:
    """The FROM column: the host, or with ``-i`` the address and display."""
    host = session.entry.host
    if layout.ip:
        shown = address(session.entry.addr, layout.fromlen)
        if shown:
            return shown + display_or_interface(host, layout.fromlen - len(shown))
    return host_field(host, layout.fromlen)


def row(session: Session, layout: Layout, now: int, clean: Callable[[bytes], bytes]) -> bytes:
    """One session's line."""
    entry = session.entry
    out = clean(entry.user[: layout.userlen]).ljust(layout.userlen + 1)
    out += clean(entry.line[:8]).ljust(9)
    if layout.show_from:
        out += from_field(session, layout)
    if layout.long:
        out += login_time(entry.sec, now)
    if layout.foreign:
        return out.rstrip(b" ") + b"\n"
    if session.idle is None:
        out += b" ?xdm? "
    else:
        out += interval(session.idle, 0, layout.old_style)
    if layout.long:
        out += _cpu(session.jcpu or 0, layout)
        out += _cpu(session.pcpu, layout) if session.pcpu else b"   ?   "
    return out + b" " + (session.what or b"-")[: layout.maxcmd] + b"\n"


def _cpu(ticks: int, layout: Layout) -> bytes:
    centis = int((ticks % layout.hertz) * (100.0 / layout.hertz))
    return interval(ticks // layout.hertz, centis, layout.old_style)
