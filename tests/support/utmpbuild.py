"""Building utmp/wtmp/btmp files for tests, independently of logwarden's own codec.

Two ways, both real: ``utmpdump -r`` (util-linux) turns the text form into a native binary
file, and :func:`pack` writes any layout and byte order with ``struct`` (what utmpdump cannot
express: other layouts, spaces and control bytes in fields, IPv4-mapped addresses).
"""

from __future__ import annotations

import ipaddress
import struct
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime

EMPTY, RUN_LVL, BOOT_TIME, NEW_TIME, OLD_TIME = 0, 1, 2, 3, 4
INIT_PROCESS, LOGIN_PROCESS, USER_PROCESS, DEAD_PROCESS, ACCOUNTING = 5, 6, 7, 8, 9

# struct formats per layout, fields in this order:
# type, pid, line, id, user, host, term, exit, session, sec, usec, addr(16 bytes)
FORMATS = {
    "384": "hxxi32s4s32s256shhiIi16s20x",
    "400": "hxxi32s4s32s256shhqqq16s20x4x",
    "382": "hi32s4s32s256shhiIi16s20x",
}


@dataclass
class Rec:
    """One record, fields as utmpdump shows them."""

    type: int
    sec: int
    user: bytes = b""
    line: bytes = b""
    host: bytes = b""
    pid: int = 0
    id: bytes = b""
    addr: str | bytes = b""
    usec: int = 0
    term: int = 0
    exit: int = 0
    session: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def addr_bytes(self) -> bytes:
        if isinstance(self.addr, bytes):
            return self.addr.ljust(16, b"\0")
        ip = ipaddress.ip_address(self.addr)
        return ip.packed.ljust(16, b"\0")


def pack(records: list[Rec], layout: str = "384", order: str = "<") -> bytes:
    """The binary file of ``records`` in ``layout`` ("384", "400", "382") and byte order."""
    fmt = order + FORMATS[layout]
    out = bytearray()
    for r in records:
        out += struct.pack(
            fmt, r.type, r.pid, r.line, r.id, r.user, r.host, r.term, r.exit, r.session,
            r.sec, r.usec, r.addr_bytes(),
        )  # fmt: skip
    return bytes(out)


def at(text: str) -> int:
    """Epoch seconds of an ISO time written in UTC: ``at("2024-03-01 09:00")``."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def dump_line(r: Rec) -> str:
    """The utmpdump text of one record (fields may not contain spaces)."""
    stamp = datetime.fromtimestamp(r.sec, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    addr = r.addr if isinstance(r.addr, str) and r.addr else "0.0.0.0"
    return (
        f"[{r.type}] [{r.pid:05d}] [{r.id.decode():<4.4}] [{r.user.decode():<8}] "
        f"[{r.line.decode():<12}] [{r.host.decode():<20}] [{addr:<15}] "
        f"[{stamp},{r.usec:06d}+00:00]"
    )


def utmpdump_restore(text: str) -> bytes:
    """Binary records from utmpdump text, made by util-linux ``utmpdump -r``."""
    proc = subprocess.run(["utmpdump", "-r"], input=text.encode(), capture_output=True, check=True)
    return proc.stdout
