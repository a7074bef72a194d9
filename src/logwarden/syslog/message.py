"""Syslog messages: what arrives on a socket, parsed the way rsyslog 8.2302 parses it.

Order of work, as in rsyslog: the raw bytes are sanitized first (one trailing NUL and one
trailing LF dropped; every other control character, tab included, written as ``#`` and three
octal digits: ESC becomes ``#033``), then the PRI is read, then the header by RFC 5424 if the
message says ``1`` after the PRI and parses as such, else by RFC 3164.

PRI: ``<`` then up to three digits (leading zeros allowed) then ``>``, at most 191. Without a
``<`` the message gets user.notice (13); a PRI that is malformed or too big makes the message
"invalid": facility slot 24 (printed ``invld``), severity debug, and nothing after it is
parsed, the whole sanitized text is its MSG.

RFC 3164 header: an optional timestamp (RFC 3339, or ``Mmm dd hh:mm:ss``), then, for messages
from the network only, a hostname if the next word looks like one (letters, digits, ``.``,
``_``, ``-``, ending in a letter or digit, followed by a space), then the TAG: everything up
to the first ``:`` (kept) or space. MSG is the rest, leading space included.

Local messages (the unix socket) carry no hostname; their timestamp is read past and replaced
by the time of reception, as rsyslog's imuxsock does by default.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from logwarden.syslog.names import DEFAULT_PRI, INVALID_FACILITY, MAX_PRI

#: A timestamp as rsyslog keeps it: broken-down time in the sender's own zone.
#: (year, month, day, hour, minute, second, fraction text like b".003" or b"", offset east
#: of UTC in seconds, or None for ``Z``).
Stamp = tuple[int, int, int, int, int, int, bytes, int | None]

LEGACY, RFC5424 = 0, 1

_CONTROL = re.compile(rb"[\x00-\x1f]")
_MONTH_NAMES = (b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct",
                b"nov", b"dec")  # fmt: skip
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_RFC3164_TIME = re.compile(rb"([A-Za-z]{3}) ( ?\d{1,2}) (\d\d):(\d\d):(\d\d)(?= |$)")
_RFC3339_TIME = re.compile(
    rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)(?= |$)"
)
_HOSTNAME = re.compile(rb"[A-Za-z0-9._-]+")
_PROGRAM_END = re.compile(rb"[\[:/]")
_PROCID = re.compile(rb"\[([^\]]*)\]")
#: rsyslog's TAG: up to 510 bytes that are not ':' or space, then the ':' if there is one.
_TAG = re.compile(rb"[^: ]{0,510}:?")


def _escape(match: re.Match[bytes]) -> bytes:
    return b"#%03o" % match.group()[0]


def sanitize(raw: bytes) -> bytes:
    """rsyslog's reception sanitizer: trailing NUL and LF dropped, control bytes as ``#ooo``."""
    if raw.endswith(b"\x00"):
        raw = raw[:-1]
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if _CONTROL.search(raw) is None:
        return raw
    return _CONTROL.sub(_escape, raw)


def parse_pri(data: bytes) -> tuple[int, int]:
    """(PRI, offset after it); PRI -1 for an invalid one (offset 0), 13 when there is none."""
    if not data.startswith(b"<"):
        return DEFAULT_PRI, 0
    pri = 0
    pos = 1
    n = len(data)
    # rsyslog stops taking digits once the value is past 191, so <1999> fails on the 4th.
    while pos < n and 48 <= data[pos] <= 57 and pri <= MAX_PRI:
        pri = pri * 10 + data[pos] - 48
        pos += 1
    if pos >= n or data[pos] != 0x3E or pri > MAX_PRI:
        return -1, 0
    return pri, pos + 1


@dataclass(slots=True)
class Message:
    """One parsed message. Text fields are bytes, as received (after sanitizing)."""

    facility: int
    severity: int
    #: False for an unreadable PRI (facility slot 24, printed ``invld``).
    pri_valid: bool
    stamp: Stamp
    hostname: bytes
    #: RFC 3164 TAG, colon included (``su:``, ``app[123]:``); for RFC 5424, APP-NAME[PROCID].
    tag: bytes
    #: APP-NAME and PROCID as given (RFC 5424), or None: then read from the TAG when asked.
    app: bytes | None
    proc: bytes | None
    msgid: bytes
    structured_data: bytes
    msg: bytes
    raw: bytes
    protocol: int = LEGACY

    @property
    def pri(self) -> int:
        return self.facility * 8 + self.severity

    @property
    def app_name(self) -> bytes:
        """APP-NAME: RFC 5424's field, or the program part of an RFC 3164 TAG."""
        if self.app is None:
            self.app, self.proc = program_and_pid(self.tag)
        return self.app

    @property
    def procid(self) -> bytes:
        """PROCID: RFC 5424's field, or the number in an RFC 3164 TAG's brackets."""
        if self.proc is None:
            self.app, self.proc = program_and_pid(self.tag)
        return self.proc

    @property
    def pri_text(self) -> bytes:
        """The PRI as rsyslog prints it: a number, or ``invld``."""
        return b"%d" % self.pri if self.pri_valid else b"invld"


class Clock:
    """Reception times as stamps, in the local zone, computed once per second."""

    def __init__(self) -> None:
        time.tzset()
        self._second = -1
        self._base: tuple[int, int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0, 0)

    def stamp(self, t: float) -> Stamp:
        """The local-time stamp of epoch ``t`` with microseconds, as rsyslog stamps arrivals."""
        second = int(t)
        if second != self._second:
            tm = time.localtime(second)
            self._base = (tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                          tm.tm_gmtoff)  # fmt: skip
            self._second = second
        y, mo, d, h, mi, s, off = self._base
        return (y, mo, d, h, mi, s, b".%06d" % int((t - second) * 1e6), off)


def _year_for(month: int, now: Stamp) -> int:
    """The year of a timestamp without one: this year, or the neighbour across New Year."""
    if month == 12 and now[1] == 1:
        return now[0] - 1
    if month == 1 and now[1] == 12:
        return now[0] + 1
    return now[0]


_OFFSETS: dict[tuple[int, int, int, int, int], int] = {}


def _local_offset(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    """The local zone's offset at that wall-clock time (zones change offset on the minute)."""
    key = (year, month, day, hour, minute)
    offset = _OFFSETS.get(key)
    if offset is None:
        tm = time.localtime(time.mktime((year, month, day, hour, minute, second, 0, 0, -1)))
        offset = tm.tm_gmtoff
        if len(_OFFSETS) > 4096:
            _OFFSETS.clear()
        _OFFSETS[key] = offset
    return offset


def _after(data: bytes, end: int) -> int:
    """The position after a timestamp ending at ``end`` and the space that follows it."""
    return end + 1 if end < len(data) else end


def parse_rfc3339(data: bytes, pos: int) -> tuple[Stamp, int] | None:
    """``YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm)`` at ``pos``, followed by a space or the end."""
    m = _RFC3339_TIME.match(data, pos)
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s <= 60):
        return None
    zone = m.group(8)
    offset = None
    if zone != b"Z":
        sign = -1 if zone[:1] == b"-" else 1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return (y, mo, d, h, mi, s, m.group(7) or b"", offset), _after(data, m.end())


def _rfc3164_fields(data: bytes, pos: int) -> tuple[int, int, int, int, int, int] | None:
    """(month, day, hour, minute, second, end) of ``Mmm dd hh:mm:ss`` at ``pos``, if valid."""
    m = _RFC3164_TIME.match(data, pos)
    if m is None:
        return None
    month = _MONTHS.get(m.group(1).lower(), 0)
    day, h, mi, s = int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))
    if not month or not 1 <= day <= 31 or h > 23 or mi > 59 or s > 60:
        return None
    return month, day, h, mi, s, m.end()


def parse_rfc3164(data: bytes, pos: int, now: Stamp) -> tuple[Stamp, int] | None:
    """``Mmm dd hh:mm:ss`` at ``pos`` in local time, the year inferred from ``now``."""
    fields = _rfc3164_fields(data, pos)
    if fields is None:
        return None
    month, day, h, mi, s, end = fields
    year = _year_for(month, now)
    try:
        offset = _local_offset(year, month, day, h, mi, s)
    except (OverflowError, ValueError):
        offset = now[7] or 0
    return (year, month, day, h, mi, s, b"", offset), _after(data, end)


def _skip_timestamp(data: bytes, pos: int) -> int:
    """Where the text after a valid timestamp at ``pos`` starts, or -1 (local messages,
    whose timestamp is checked and passed over but not used)."""
    if pos < len(data) and 48 <= data[pos] <= 57:
        found = parse_rfc3339(data, pos)
        return found[1] if found else -1
    fields = _rfc3164_fields(data, pos)
    return -1 if fields is None else _after(data, fields[5])


def parse_timestamp(data: bytes, pos: int, now: Stamp) -> tuple[Stamp, int] | None:
    """An RFC 3339 or RFC 3164 timestamp at ``pos``: (stamp, position after it and its space)."""
    if pos < len(data) and 48 <= data[pos] <= 57:
        return parse_rfc3339(data, pos)
    return parse_rfc3164(data, pos, now)


def _hostname_at(data: bytes, pos: int) -> tuple[bytes, int] | None:
    m = _HOSTNAME.match(data, pos)
    if m is None:
        return None
    end = m.end()
    if end == len(data):
        return m.group(), end
    last = data[end - 1]
    if data[end] == 0x20 and (48 <= last <= 57 or 65 <= last <= 90 or 97 <= last <= 122):
        return m.group(), end + 1
    return None


def program_and_pid(tag: bytes) -> tuple[bytes, bytes]:
    """APP-NAME and PROCID of an RFC 3164 TAG (``sshd[42]:`` gives sshd and 42)."""
    if not tag:
        return b"-", b"-"
    end = _PROGRAM_END.search(tag)
    program = tag[: end.start()] if end else tag
    pid = _PROCID.search(tag)
    return program or b"-", pid.group(1) if pid and pid.group(1) else b"-"


def _field(data: bytes, pos: int) -> tuple[bytes, int]:
    """A header field up to the next space (or the end); the space is eaten."""
    space = data.find(b" ", pos)
    if space < 0:
        return data[pos:], len(data)
    return data[pos:space], space + 1


def _structured_data(data: bytes, pos: int) -> tuple[bytes, int]:
    """STRUCTURED-DATA at ``pos`` as rsyslog takes it: ``-``, or from ``[`` to the first
    ``]`` followed by a space (``\\]`` does not end it). Anything else is not SD: ``-`` and
    the position unchanged. A ``[`` never closed takes all but the last byte."""
    n = len(data)
    if pos >= n or data[pos] not in b"[-":
        return b"-", pos
    if data[pos] == 0x2D:
        end = pos + 1
        return b"-", end + 1 if data.startswith(b" ", end) else end
    cursor = pos
    while True:
        if n - cursor < 2:
            if cursor < n and data[cursor] == 0x5D:
                cursor += 1
            break
        if data[cursor] == 0x5C and data[cursor + 1] == 0x5D:
            cursor += 2
        elif data[cursor] == 0x5D and data[cursor + 1] == 0x20:
            return data[pos : cursor + 1], cursor + 2
        else:
            cursor += 1
    sd = data[pos:cursor]
    return sd, cursor + 1 if data.startswith(b" ", cursor) else cursor


def _parse_5424(
    data: bytes, pos: int, facility: int, severity: int, now: Stamp, host: bytes, raw: bytes,
    local: bool,
) -> Message:  # fmt: skip
    """The header after ``<PRI>1 `` as rsyslog's pmrfc5424 reads it.

    Once a message says version 1 it is RFC 5424, however broken: fields are taken up to the
    next space each; a timestamp that is neither ``-`` nor RFC 3339 stops the header there
    and the rest is MSG.
    """
    stamp = now
    hostname, app_name, procid, msgid, sd, tag = host, b"-", b"-", b"-", b"-", b""
    if data.startswith(b"- ", pos):
        parsed: tuple[Stamp, int] | None = (now, pos + 2)
    else:
        parsed = parse_rfc3339(data, pos)
    if parsed is not None:
        found_stamp, pos = parsed
        if not local:
            stamp = found_stamp
        hostname, pos = _field(data, pos)
        app_name, pos = _field(data, pos)
        procid, pos = _field(data, pos)
        msgid, pos = _field(data, pos)
        sd, pos = _structured_data(data, pos)
        tag = app_name if procid == b"-" else app_name + b"[" + procid + b"]"
    return Message(facility, severity, True, stamp, hostname, tag, app_name, procid, msgid, sd,
                   data[pos:], raw, RFC5424)  # fmt: skip


def parse(raw: bytes, now: Stamp, host: bytes, *, local: bool) -> Message:
    """Parse ``raw`` as received at ``now`` from ``host`` (the local hostname for ``local``).

    ``local`` is the unix socket: no hostname in the message, its timestamp ignored.
    """
    data = sanitize(raw)
    pri, pos = parse_pri(data)
    if pri < 0:
        return Message(INVALID_FACILITY, 7, False, now, host, b"", b"-", b"-", b"-", b"-",
                       data, raw)  # fmt: skip
    facility, severity = pri >> 3, pri & 7
    if data.startswith(b"1 ", pos):
        return _parse_5424(data, pos + 2, facility, severity, now, host, raw, local)
    stamp = now
    if local:
        after = _skip_timestamp(data, pos)
        if after < 0 and data.startswith(b" ", pos):
            after = _skip_timestamp(data, pos + 1)
        if after >= 0:
            pos = after
        hostname = host
    else:
        found = parse_timestamp(data, pos, now)
        if found is None and data.startswith(b" ", pos):
            found = parse_timestamp(data, pos + 1, now)
        if found is not None:
            stamp, pos = found
        hostname = host
        if pos < len(data):
            named = _hostname_at(data, pos)
            if named is not None:
                hostname, pos = named
    tag_match = _TAG.match(data, pos)
    end = tag_match.end() if tag_match else pos
    return Message(facility, severity, True, stamp, hostname, data[pos:end], None, None, b"-",
                   b"-", data[end:], raw)  # fmt: skip
