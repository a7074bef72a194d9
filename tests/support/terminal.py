"""Running a tool with its standard output on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Mapping, Sequence


def on_terminal(
    args: Sequence[str],
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    stderr: bool = False,
    cwd: str | None = None,
) -> tuple[int, bytes]:
    """(exit status, what reached the terminal) of ``logwarden ARGS`` with stdout (or with
    ``stderr``, stderr instead) on a new pseudo-terminal; the terminal's CR LF line endings
    are read back as LF."""
    master, slave = pty.openpty()
    environment = {**os.environ, "TZ": "UTC", "LC_ALL": "C", **(env or {})}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "logwarden", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL if stderr else slave,
            stderr=slave if stderr else subprocess.DEVNULL,
            env=environment,
            cwd=cwd,
        )
    finally:
        os.close(slave)
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    try:
        shown = drain(master)
    finally:
        os.close(master)
    return proc.wait(), shown.replace(b"\r\n", b"\n")


def drain(master: int) -> bytes:
    """All a pseudo-terminal shows until every writer has closed its other side."""
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed, the program has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
