"""The sample host's process accounting: what every session ran, and what the daemons did.

Each login session runs its shell and a handful of its user's usual commands on its terminal;
cron and qmail run in the background without one. The intruder's session runs what such
sessions run: a look around, a download, a privilege escalation, and the wiper that zeroed the
session's wtmp records. Accounting outlives the wipe: the kernel wrote those records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from logwarden.formats import acct


@dataclass(frozen=True)
class Lived:
    """A session as it really happened: who, on which line, from when to when."""

    user: bytes
    uid: int
    line: bytes
    start: int
    end: int
    intruder: bool = False


# What each user tends to run, with (typical seconds of CPU, memory in KiB).
HABITS: dict[bytes, tuple[tuple[str, float, int], ...]] = {
    b"alice": (("tail", 0.01, 5400), ("grep", 0.05, 6100), ("vi", 0.30, 9800),
               ("qmail-qstat", 0.01, 4200), ("qmail-qread", 0.02, 4400), ("less", 0.02, 7000),
               ("sudo", 0.03, 11000), ("systemctl", 0.08, 14000)),
    b"bob": (("ls", 0.00, 4800), ("vi", 0.40, 9800), ("git", 0.35, 21000), ("make", 0.20, 8800),
             ("cc1", 2.80, 96000), ("as", 0.10, 18000), ("ld", 0.30, 42000)),
    b"carol": (("ls", 0.00, 4800), ("cat", 0.00, 4100), ("mutt", 0.60, 31000)),
    b"dave": (("ssh", 0.10, 12000), ("scp", 0.20, 12000), ("tmux", 0.50, 16000),
              ("vim", 0.60, 14000)),
    b"root": (("vi", 0.20, 9800), ("apt-get", 1.90, 88000), ("dpkg", 0.70, 34000),
              ("journalctl", 0.40, 26000)),
}  # fmt: skip

#: The intruder's half hour, in order: (command, seconds after login, CPU, KiB, flags).
INTRUSION = (
    ("id", 40, 0.00, 3800, 0),
    ("uname", 45, 0.00, 3900, 0),
    ("w", 60, 0.01, 5200, 0),
    ("wget", 180, 0.30, 18000, 0),
    ("tar", 240, 0.20, 9000, 0),
    ("pkexec", 300, 0.05, 8000, acct.ASU),
    ("zap2", 1500, 0.02, 4100, acct.ASU),
    ("rm", 1560, 0.00, 4000, acct.ASU),
)

SHELLS = {b"backup": "sh"}


def tty_number(line: bytes) -> int:
    """The old 16-bit device number the kernel stores (major * 256 + minor) for a line."""
    if line.startswith(b"pts/"):
        n = int(line[4:])
        return ((136 + n // 256) << 8) | (n % 256)
    if line.startswith(b"tty") and line[3:].isdigit():
        return (4 << 8) | int(line[3:])
    return 0


@dataclass
class _Process:
    comm: str
    uid: int
    gid: int
    tty: int
    start: int
    seconds: float
    cpu: float
    kib: int
    flags: int


def _session_processes(rng: random.Random, s: Lived) -> list[_Process]:
    tty = tty_number(s.line)
    gid = s.uid
    shell = SHELLS.get(s.user, "bash")
    out = [_Process(shell, s.uid, gid, tty, s.start + 1, s.end - s.start - 1, 0.3, 9800, 0)]
    if s.intruder:
        for comm, after, cpu, kib, flags in INTRUSION:
            uid = 0 if flags & acct.ASU and comm != "pkexec" else s.uid
            out.append(_Process(comm, uid, gid, tty, s.start + after, 2.0, cpu, kib, flags))
        return out
    habits = HABITS.get(s.user, ())
    length = max(s.end - s.start, 60)
    for _ in range(min(12, 1 + length // 900)):
        comm, cpu, kib = rng.choice(habits)
        begin = s.start + rng.randrange(5, length)
        seconds = min(rng.uniform(0.2, 600.0), s.end - begin)
        out.append(_Process(comm, s.uid, gid, tty, begin, max(seconds, 0.01), cpu, kib, 0))
    return out


def _daemon_processes(rng: random.Random, first: int, now: int) -> list[_Process]:
    out = []
    for hour in range(first - first % 3600 + 3600, now, 3600):
        out.append(_Process("cron", 0, 0, 0, hour + 1, 0.02, 0.0, 3300, acct.AFORK))
        out.append(_Process("run-parts", 0, 0, 0, hour + 1, 0.05, 0.01, 3600, 0))
        if hour % 86400 == 6 * 3600:
            out.append(_Process("logrotate", 0, 0, 0, hour + 1500, 0.9, 0.12, 9200, 0))
        for _ in range(rng.randrange(3, 9)):
            t = hour + rng.randrange(3600)
            out.append(_Process("qmail-remote", 75, 71, 0, t, rng.uniform(0.1, 4.0), 0.01, 5100, 0))
    return out


def pacct(sessions: list[Lived], first: int, now: int, seed: int) -> bytes:
    """The pacct of the sample host: version 3 records in the order processes ended."""
    rng = random.Random(seed)
    processes = _daemon_processes(rng, first, now)
    for s in sessions:
        processes += _session_processes(rng, s)
    processes = [p for p in processes if p.start + p.seconds <= now]
    processes.sort(key=lambda p: p.start + p.seconds)
    pid = 2000
    columns: dict[str, list[int | float | bytes]] = {name: [] for name, _ in acct.COLUMNS}
    for p in processes:
        pid += rng.randrange(1, 40)
        cpu_ticks = max(int(p.cpu * acct.AHZ * rng.uniform(0.5, 1.5)), 0)
        values: dict[str, int | float | bytes] = {
            "flag": p.flags,
            "version": 3,
            "tty": p.tty,
            "uid": p.uid,
            "gid": p.gid,
            "pid": pid,
            "ppid": pid - rng.randrange(1, 30),
            "btime": p.start,
            "etime": p.seconds * acct.AHZ,
            "utime": acct.encode_comp_t(cpu_ticks * 3 // 4),
            "stime": acct.encode_comp_t(cpu_ticks // 4),
            "mem": acct.encode_comp_t(p.kib),
            "minflt": acct.encode_comp_t(p.kib // 4),
            "comm": p.comm.encode(),
            "ahz": acct.AHZ,
        }
        for name, _ in acct.COLUMNS:
            columns[name].append(values.get(name, 0))
    arrays = {name: np.array(columns[name], dtype=kind) for name, kind in acct.COLUMNS}
    return acct.encode(arrays, 3, big_endian=False)
