"""The line formats rsyslog builds in, written from a parsed message.

- RSYSLOG_TraditionalFileFormat: ``Nov 25 01:03:35 vm rep: same message`` (logwarden's default
  for files, as sysklogd wrote them);
- RSYSLOG_FileFormat: the same with an RFC 3339 timestamp (``2026-11-25T01:03:35.945513+00:00``);
- RSYSLOG_TraditionalForwardFormat: ``<14>Nov 25 01:03:36 vm tag[77]: text`` (forwarding's
  default; the tag cut to 32 characters);
- RSYSLOG_ForwardFormat: the same with an RFC 3339 timestamp;
- RSYSLOG_SyslogProtocol23Format: ``<14>1 TIMESTAMP HOST APP PROCID MSGID SD MSG``.

The forward formats end without a newline (a file written with them runs on, as rsyslog's
does); the file formats and protocol 23 end with one.

In the traditional forms a space is put between TAG and MSG unless MSG starts with one.
"""

from __future__ import annotations

from collections.abc import Callable

from logwarden.syslog.message import Message, Stamp

_MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
           b"Nov", b"Dec")  # fmt: skip

Formatter = Callable[[Message], bytes]


class _StampCache:
    """Rendered timestamps, reused while messages share a second."""

    def __init__(self, render: Callable[[Stamp], bytes]) -> None:
        self._render = render
        self._cache: dict[Stamp, bytes] = {}

    def __call__(self, stamp: Stamp) -> bytes:
        text = self._cache.get(stamp)
        if text is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            text = self._cache[stamp] = self._render(stamp)
        return text


def _traditional(stamp: Stamp) -> bytes:
    return b"%s %2d %02d:%02d:%02d" % (
        _MONTHS[stamp[1] - 1],
        stamp[2],
        stamp[3],
        stamp[4],
        stamp[5],
    )


def _rfc3339(stamp: Stamp) -> bytes:
    offset = stamp[7]
    if offset is None:
        zone = b"Z"
    else:
        sign = b"-" if offset < 0 else b"+"
        zone = b"%s%02d:%02d" % (sign, abs(offset) // 3600, abs(offset) // 60 % 60)
    return b"%04d-%02d-%02dT%02d:%02d:%02d%s%s" % (*stamp[:6], stamp[6], zone)


traditional_time = _StampCache(_traditional)
rfc3339_time = _StampCache(_rfc3339)


def _body(message: Message, tag: bytes) -> bytes:
    msg = message.msg
    if msg[:1] == b" ":
        return tag + msg
    return tag + b" " + msg


def traditional_file(message: Message) -> bytes:
    """``%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%`` and a newline."""
    return (
        traditional_time(message.stamp) + b" " + message.hostname + b" "
        + _body(message, message.tag) + b"\n"
    )  # fmt: skip


def file_format(message: Message) -> bytes:
    """RSYSLOG_FileFormat: as the traditional one with an RFC 3339 timestamp."""
    return (
        rfc3339_time(message.stamp) + b" " + message.hostname + b" "
        + _body(message, message.tag) + b"\n"
    )  # fmt: skip


def traditional_forward(message: Message) -> bytes:
    """``<PRI>Mmm dd hh:mm:ss HOST TAG MSG`` with the tag cut to 32 bytes, no newline."""
    return (
        b"<" + message.pri_text + b">" + traditional_time(message.stamp) + b" "
        + message.hostname + b" " + _body(message, message.tag[:32])
    )  # fmt: skip


def forward_format(message: Message) -> bytes:
    """``<PRI>RFC3339 HOST TAG MSG`` with the tag cut to 32 bytes, no newline."""
    return (
        b"<" + message.pri_text + b">" + rfc3339_time(message.stamp) + b" "
        + message.hostname + b" " + _body(message, message.tag[:32])
    )  # fmt: skip


def protocol23(message: Message) -> bytes:
    """RFC 5424: ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`` and a newline."""
    return b"<%s>1 %s %s %s %s %s %s %s\n" % (
        message.pri_text, rfc3339_time(message.stamp), message.hostname or b"-",
        message.app_name, message.procid, message.msgid, message.structured_data, message.msg,
    )  # fmt: skip


FORMATTERS: dict[str, Formatter] = {
    "RSYSLOG_TraditionalFileFormat": traditional_file,
    "RSYSLOG_FileFormat": file_format,
    "RSYSLOG_TraditionalForwardFormat": traditional_forward,
    "RSYSLOG_ForwardFormat": forward_format,
    "RSYSLOG_SyslogProtocol23Format": protocol23,
}
