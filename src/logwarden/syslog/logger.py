"""util-linux 2.38 ``logger``: the same headers, the same bytes on the wire.

Headers (regenerated for every line read from stdin, once for a message given as arguments):

- local socket (the default): ``<PRI>Mmm dd hh:mm:ss TAG[PID]: `` (no hostname);
- ``--rfc3164``: ``<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: `` (HOST cut at the first dot);
- ``--rfc5424`` (the default with ``-n``): ``<PRI>1 TIME HOST TAG PROCID MSGID SD ``, TIME with
  microseconds and a ``+hh:mm`` offset, SD the timeQuality element unless left out.

Over a stream (TCP, or a unix stream socket) a message ends with LF unless ``--octet-count``
frames it; a datagram carries it alone, without terminator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pwd
import socket
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from logwarden.syslog.names import LOGGER_FACILITIES, LOGGER_PRIORITIES

TYPE_UDP, TYPE_TCP = 2, 4
ALL_TYPES = TYPE_UDP | TYPE_TCP
DEVLOG = "/dev/log"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class LoggerError(Exception):
    """A failure logger reports as ``logger: MESSAGE`` and exits 1 on."""


def _decode(name: str, table: dict[str, int]) -> int:
    if not name:
        return -1
    if name[0].isdigit():
        if not name.isdigit():
            return -1
        number = int(name)
        return number if number in table.values() else -1
    return table.get(name.lower(), -1)


def pencode(text: str) -> int:
    """``-p`` as logger reads it: ``facility.level`` or ``level``; kern becomes user."""
    if "." in text:
        fac_text, _, text = text.partition(".")
        facility = _decode(fac_text, LOGGER_FACILITIES)
        if facility < 0:
            raise LoggerError(f"unknown facility name: {fac_text}")
    else:
        facility = 1 << 3
    level = _decode(text, LOGGER_PRIORITIES)
    if level < 0:
        raise LoggerError(f"unknown priority name: {text}")
    if facility == 0:
        facility = 1 << 3  # kern is forbidden
    return (level & 7) | (facility & 0x3F8)


def login_name() -> str:
    """getlogin(), else the effective user's name, else ``<someone>``."""
    try:
        name = os.getlogin()
        if name:
            return name
    except OSError:
        pass
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return "<someone>"


def _ntp_synced() -> tuple[bool, int]:
    """(clock synchronised, maxerror) from glibc's ntp_gettime(), as logger asks."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False, 0
    libc = ctypes.CDLL(libc_name, use_errno=True)
    buffer = ctypes.create_string_buffer(128)
    state = libc.ntp_gettime(buffer)
    maxerror = struct.unpack_from("=l", buffer.raw, 16)[0]
    return state == 0, maxerror


@dataclass
class StructuredData:
    """One SD element: its ID and ``name="value"`` parameters."""

    id: str
    params: list[str] = field(default_factory=list)

    def render(self) -> str:
        return f"[{self.id} {' '.join(self.params)}]" if self.params else ""


def valid_sd_id(text: str) -> bool:
    """An SD-ID logger accepts: timeQuality/origin/meta, or ``name@digits[.digits...]``."""
    if "@" not in text:
        return text in ("timeQuality", "origin", "meta")
    name, _, number = text.partition("@")
    if not name or not number:
        return False
    if not all(part.isdigit() for part in number.split(".")):
        return False
    return not any(c in '[="@' or c in " \t" or ord(c) < 32 or ord(c) == 127 for c in name)


def valid_sd_param(text: str) -> bool:
    """``name="value"`` with nothing after the closing quote."""
    eq = text.find("=")
    q1 = text.find('"')
    q2 = text.find('"', q1 + 1) if q1 >= 0 else -1
    if eq < 0 or q1 < 0 or q2 < 0:
        return False
    return 0 < eq < q1 and eq + 1 == q1 and q1 < q2 and q2 + 1 == len(text)


@dataclass
class Settings:
    """What the command line asked for."""

    pri: int = (1 << 3) | 5
    pid: int = 0
    tag: str | None = None
    msgid: str | None = None
    unix_socket: str | None = None
    server: str | None = None
    port: str | None = None
    socket_type: int = ALL_TYPES
    max_size: int = 1024
    header: str | None = None  # "rfc3164", "rfc5424" or None for the default
    rfc5424_time: bool = True
    rfc5424_tq: bool = True
    rfc5424_host: bool = True
    prio_prefix: bool = False
    stderr: bool = False
    skip_empty: bool = False
    octet_count: bool = False
    no_act: bool = False
    socket_errors: bool = False
    user_sd: list[StructuredData] = field(default_factory=list)


def rfc3164_time(now: float) -> str:
    tm = time.localtime(now)
    return (
        f"{_MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
    )


def rfc5424_time(now: float) -> str:
    seconds = int(now)
    tm = time.localtime(seconds)
    usec = round((now - seconds) * 1e6) % 1000000
    offset = tm.tm_gmtoff
    sign = "-" if offset < 0 else "+"
    zone = f"{sign}{abs(offset) // 3600:02d}:{abs(offset) // 60 % 60:02d}"
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + f".{usec:06d}{zone}"


class Header:
    """Builds the header the settings ask for, from the clock at the moment of building."""

    def __init__(self, settings: Settings, tag: str, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.tag = tag
        self.clock = clock
        # RFC 5424 is the default for a remote server, the local header for a socket.
        self.kind = settings.header or ("rfc5424" if settings.server is not None else "local")

    def build(self) -> str:
        s = self.settings
        pid = f"[{s.pid}]" if s.pid else ""
        if self.kind == "local":
            return f"<{s.pri}>{rfc3164_time(self.clock())} {self.tag[:200]}{pid}: "
        if self.kind == "rfc3164":
            host = socket.gethostname().split(".", 1)[0] or "-"
            return f"<{s.pri}>{rfc3164_time(self.clock())} {host} {self.tag[:200]}{pid}: "
        return self._rfc5424()

    def _rfc5424(self) -> str:
        s = self.settings
        stamp = rfc5424_time(self.clock()) if s.rfc5424_time else "-"
        host = "-"
        if s.rfc5424_host:
            host = socket.gethostname() or "-"
            if len(host) > 255:
                raise LoggerError(f"hostname '{host}' is too long")
        if len(self.tag) > 48:
            raise LoggerError(f"tag '{self.tag}' is too long")
        procid = str(s.pid) if s.pid else "-"
        elements = ""
        if s.rfc5424_tq and not any(sd.id == "timeQuality" for sd in s.user_sd):
            synced, maxerror = _ntp_synced()
            params = ['tzKnown="1"']
            params += ['isSynced="1"', f'syncAccuracy="{maxerror}"'] if synced else ['isSynced="0"']
            elements = StructuredData("timeQuality", params).render()
        elements += "".join(sd.render() for sd in s.user_sd)
        return f"<{s.pri}>1 {stamp} {host} {self.tag} {procid} {s.msgid or '-'} {elements or '-'} "


def command_line_messages(args: list[bytes], max_size: int) -> Iterator[bytes]:
    """The arguments joined by spaces, cut where the next one would pass ``max_size``.

    As logger does: the joining space is not counted when deciding to cut, and an argument
    longer than ``max_size`` goes alone, truncated.
    """
    buf = b""
    for arg in args:
        if buf and max_size - 1 < len(buf) + len(arg):
            yield buf
            buf = b""
        if len(arg) > max_size:
            yield arg[:max_size]
            continue
        buf = buf + b" " + arg if buf else arg
    if buf:
        yield buf


def stdin_messages(
    read: Callable[[], bytes], settings: Settings, header: Header
) -> Iterator[tuple[str, bytes]]:
    """(header, message) for each line ``read`` gives (b"" at the end), as logger reads stdin.

    Lines longer than ``-S`` bytes are cut into several messages. With
    ``--prio-prefix`` a line may start with ``<PRI>``: a valid one sets the priority for it and
    the lines after it; an invalid one stays in the text and the default priority is used.
    """
    hdr = header.build()
    has_header = True
    default = last = settings.pri
    # 2.38 gives each line the whole -S size; the header does not count against it.
    room = settings.max_size
    data = b""
    pos = 0

    def getc() -> int:
        nonlocal pos, data
        if pos >= len(data):
            data, pos = read(), 0
            if not data:
                return -1
        pos += 1
        return data[pos - 1]

    c = getc()
    while c != -1:
        buf = bytearray()
        if settings.prio_prefix and c == 0x3C:
            pri = 0
            buf.append(c)
            while True:
                c = getc()
                if not (48 <= c <= 57 and pri <= 191):
                    break
                buf.append(c)
                pri = pri * 10 + c - 48
            if c not in (-1, 10):
                buf.append(c)
            if c == 0x3E and pri <= 191:
                buf.clear()
                # A bare severity takes the facility of -p (or user).
                settings.pri = pri | (default & 0x3F8) if pri < 8 else pri
            else:
                settings.pri = default
            if settings.pri != last:
                has_header = False
                last = settings.pri
            if c not in (-1, 10):
                c = getc()
        while c not in (-1, 10) and len(buf) < room:
            buf.append(c)
            c = getc()
        if buf or not settings.skip_empty:
            if not has_header:
                hdr = header.build()
            yield hdr, bytes(buf)
            has_header = False
        if c == 10:
            c = getc()


def _errno_text(e: OSError) -> str:
    return e.strerror or str(e)


class Transport:
    """The connection logger writes to: a unix socket (datagram, else stream) or UDP/TCP."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sock: socket.socket | None = None
        self.type = settings.socket_type

    def open(self) -> None:
        s = self.settings
        if s.server is not None:
            self.sock = self._inet(s.server, s.port)
        else:
            self.sock = self._unix(s.unix_socket or DEVLOG)

    def _unix(self, path: str) -> socket.socket | None:
        if len(path.encode()) >= 108:
            raise LoggerError(f"openlog {path}: pathname too long")
        last: OSError | None = None
        for kind, flag in ((socket.SOCK_DGRAM, TYPE_UDP), (socket.SOCK_STREAM, TYPE_TCP)):
            if not self.settings.socket_type & flag:
                continue
            sock = socket.socket(socket.AF_UNIX, kind)
            try:
                sock.connect(path)
            except OSError as e:
                sock.close()
                last = e
                continue
            self.type = flag
            return sock
        if self.settings.socket_errors:
            reason = _errno_text(last) if last else "Protocol not supported"
            raise LoggerError(f"socket {path}: {reason}")
        return None

    def _inet(self, server: str, port: str | None) -> socket.socket:
        service = port
        for kind, flag, default in ((socket.SOCK_DGRAM, TYPE_UDP, "syslog"),
                                    (socket.SOCK_STREAM, TYPE_TCP, "syslog-conn")):  # fmt: skip
            if not self.settings.socket_type & flag:
                continue
            service = port if port is not None else default
            try:
                infos = socket.getaddrinfo(server, service, socket.AF_UNSPEC, kind)
            except socket.gaierror as e:
                raise LoggerError(
                    f"failed to resolve name {server} port {service}: {e.strerror}"
                ) from None
            family, socktype, proto, _, address = infos[0]
            try:
                sock = socket.socket(family, socktype, proto)
            except OSError:
                continue
            try:
                sock.connect(address)
            except OSError:
                sock.close()
                continue
            self.type = flag
            return sock
        raise LoggerError(f"failed to connect to {server} port {service}")

    def frame(self, hdr: str, message: bytes) -> bytes:
        """The bytes one message goes out as."""
        body = hdr.encode() + message
        if self.settings.octet_count:
            body = b"%d " % len(body) + body
        if self.type == TYPE_TCP and not self.settings.octet_count:
            body += b"\n"
        return body

    def send(self, hdr: str, message: bytes, warn: Callable[[str], None]) -> None:
        """Send one message; on failure reconnect once and try again, as logger does."""
        s = self.settings
        if not s.no_act:
            if self.sock is None:
                self._reopen()
            if self.sock is not None:
                data = self.frame(hdr, message)
                try:
                    self._sendmsg(data)
                except OSError:
                    self._reopen()
                    try:
                        if self.sock is None:
                            raise OSError(0, "not connected")
                        self._sendmsg(data)
                    except OSError as e:
                        warn(f"send message failed: {_errno_text(e)}")

    def _sendmsg(self, data: bytes) -> None:
        assert self.sock is not None
        s = self.settings
        ancillary = []
        if (
            s.pid
            and s.server is None
            and s.pid != os.getpid()
            and os.geteuid() == 0
            and _alive(s.pid)
        ):
            # As root, logger vouches for the --id it was given in the credentials.
            creds = struct.pack("iII", s.pid, os.getuid(), os.getgid())
            ancillary.append((socket.SOL_SOCKET, socket.SCM_CREDENTIALS, creds))
        self.sock.sendmsg([data], ancillary, socket.MSG_NOSIGNAL)

    def _reopen(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        try:
            self.open()
        except LoggerError:
            self.sock = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
