"""Real login sessions for ``w`` tests, and a private /run to hold their utmp.

A session is a process on a new pseudo-terminal, made that terminal's session leader and
foreground process group, exactly as login or sshd leaves a shell. Its pid and ``pts/N`` line
go into a utmp file built by the test, so ``w`` finds real JCPU, PCPU and WHAT.

``w`` reads only /var/run/utmp. The tests never touch this machine's: both ``w`` and
logwarden run inside one private mount namespace (``unshare -m``) whose /run is a fresh tmpfs
holding the test's utmp, one right after the other.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.reference import BASE_ENV, Run, is_root, libfaketime


@dataclass
class PtySession:
    """A process that has a pseudo-terminal as its controlling terminal."""

    pid: int
    master: int
    slave: int
    device: str
    """``/dev/pts/N``."""

    @property
    def line(self) -> bytes:
        """The utmp line: the device without ``/dev/``."""
        return self.device.removeprefix("/dev/").encode()

    def stop(self) -> None:
        """Kill every process of the session (background jobs have their own process groups)
        and close the terminal."""
        for pid in session_members(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        for fd in (self.master, self.slave):
            os.close(fd)


def session_members(sid: int) -> list[int]:
    """The pids of the processes in session ``sid``."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 3 and int(fields[3]) == sid:
            members.append(int(name))
    return members


def spawn(command: str) -> PtySession:
    """Run ``sh -c command`` as the leader of a new session on a new pseudo-terminal."""
    master, slave = os.openpty()
    device = os.ttyname(slave)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child execs at once
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.execv("/bin/sh", ["sh", "-c", command])
        finally:
            os._exit(127)
    return PtySession(pid, master, slave, device)


def namespaces_usable() -> str | None:
    """Why private mount namespaces cannot be used here, or None when they can."""
    if not is_root():
        return "needs root for a private mount namespace"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /run"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"unshare -m cannot mount a private /run: {probe.stderr.decode().strip()}"
    return None


def skip_without_namespaces() -> None:
    """Skip the test, saying why, when private namespaces are not available."""
    reason = namespaces_usable()
    if reason is not None:
        pytest.skip(reason)


def _env_words(env: Mapping[str, str]) -> str:
    return " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())


def run_with_utmp(
    utmp: bytes | None,
    commands: Sequence[Sequence[str]],
    *,
    at: str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str = "/dev/null",
) -> list[Run]:
    """Run each command, back to back, in one private mount namespace whose /run/utmp holds
    ``utmp`` (no utmp at all when None), under a clock frozen at ``at`` (faketime's
    "YYYY-MM-DD hh:mm:ss", in the zone of ``env``), standard input read from ``stdin``.
    """
    merged = dict(BASE_ENV)
    merged.update(env or {})
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        script = ["set -e", "mount -t tmpfs tmpfs /run"]
        if utmp is not None:
            (work / "utmp").write_bytes(utmp)
            script.append(f"cp {shlex.quote(str(work / 'utmp'))} /run/utmp")
        script.append("set +e")
        clock = ""
        if at:
            # libfaketime preloaded directly: the faketime wrapper's semaphore lives in /dev/shm
            # and collides now and then when many tests run at once.
            clock = f"LD_PRELOAD={shlex.quote(libfaketime())} FAKETIME={shlex.quote(at)} "
        for i, argv in enumerate(commands):
            out = shlex.quote(str(work / f"{i}.out"))
            err = shlex.quote(str(work / f"{i}.err"))
            status = shlex.quote(str(work / f"{i}.status"))
            words = " ".join(shlex.quote(a) for a in argv)
            script.append(
                f"env -i {_env_words(merged)} {clock}{words} >{out} 2>{err} <{shlex.quote(stdin)}; "
                f"echo $? >{status}"
            )
        subprocess.run(["unshare", "-m", "sh", "-c", "\n".join(script)], check=True, timeout=120)
        return [
            Run(
                tuple(argv),
                (work / f"{i}.out").read_bytes(),
                (work / f"{i}.err").read_bytes(),
                int((work / f"{i}.status").read_text()),
            )
            for i, argv in enumerate(commands)
        ]


def ours_argv(tool: str, args: Sequence[str]) -> list[str]:
    """The command line that runs logwarden's ``tool``."""
    return [sys.executable, "-m", "logwarden", tool, *args]
