"""Building a host's root directory for tests: its logs, passwd, group and time zone.

The time zone file is written here (a TZif of one fixed offset), so that a test never depends
on the time zone database of the machine running it, nor on its clock.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from datetime import datetime
from pathlib import Path

PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alias:x:70:70:qmail alias:/var/qmail/alias:/usr/sbin/nologin
qmailr:x:75:71:qmail remote:/var/qmail:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash
bob:x:1001:1001:Bob:/home/bob:/bin/bash
"""
GROUP = "root:x:0:\nalice:x:1000:\nbob:x:1001:\n"


def tzif(hours: int, abbreviation: str) -> bytes:
    """A TZif (version 2) file of one fixed offset from UTC, with its POSIX TZ footer."""
    abbr = abbreviation.encode() + b"\0"

    def block() -> bytes:
        header = b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, len(abbr))
        return header + struct.pack(">lBB", hours * 3600, 0, 0) + abbr

    sign = "-" if hours >= 0 else "+"  # POSIX TZ offsets count west
    return block() + block() + f"\n{abbreviation}{sign}{abs(hours)}\n".encode()


class HostRoot:
    """A host root under a temporary directory."""

    def __init__(self, path: Path, *, hours: int = 0, zone: str = "UTC", hostname: str = "mail"):
        self.path = path
        self.write("etc/passwd", PASSWD.encode())
        self.write("etc/group", GROUP.encode())
        self.write("etc/hostname", hostname.encode() + b"\n")
        self.write("etc/localtime", tzif(hours, zone))

    def file(self, rel: str) -> Path:
        return self.path / rel

    def write(self, rel: str, data: bytes, mtime: str | None = None) -> Path:
        """Write ``data`` to ``ROOT/rel``; ``mtime`` (ISO, with zone) sets its time."""
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if mtime is not None:
            touch(path, mtime)
        return path

    def append(self, rel: str, data: bytes, mtime: str | None = None) -> Path:
        path = self.path / rel
        with open(path, "ab") as f:
            f.write(data)
        if mtime is not None:
            touch(path, mtime)
        return path


def touch(path: Path, mtime: str) -> None:
    stamp = datetime.fromisoformat(mtime).timestamp()
    os.utime(path, (stamp, stamp))


def logwarden(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``logwarden ARGS`` as a real process (TZ=UTC, C locale)."""
    environment = {**os.environ, "TZ": "UTC", "LC_ALL": "C", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "logwarden", *args], capture_output=True, env=environment,
        check=False, timeout=300,
    )  # fmt: skip
