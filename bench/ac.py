"""GNU ``ac`` against ``logwarden ac`` on a realistic 1,000,000-record wtmp (384 MB).

Builds, deterministically with ``struct``, about three years of a busy shell server: 300
users (some with names longer than eight bytes), ssh sessions on the lowest free pts/N with
durations from seconds to days, console logins on tty1-6 after getty's LOGIN record, weekly
clean reboots (sessions logged out, run level 6, shutdown record, boot, run level 3), crashes
(a boot with sessions left open, which ac does not credit), and a few records written a
second or two out of order, as concurrent writers do. Then, with the clock frozen (faketime)
a week after the last record, times ``ac -p``, ``ac`` and ``ac -d`` for both programs (best
of 5, output to a file), prints the times, the ratios and peak memory, and checks that the
outputs are byte-identical.

Target (issue 2 / the ac brief): ``logwarden ac -p`` within 2x of GNU ``ac -p``, memory
bounded (the file is mapped, never copied into Python objects).
Run by hand: ``.venv/bin/python bench/ac.py [RECORDS]``.
"""

from __future__ import annotations

import heapq
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RECORD = struct.Struct("<hxxi32s4s32s256shhiIi16s20x")
RUNS = 5
LOGWARDEN = str(Path(sys.executable).parent / "logwarden")
START = 1_640_995_200  # 2022-01-01 00:00:00 UTC
BOOT, RUN_LVL, INIT_PROCESS, LOGIN_PROCESS, USER_PROCESS, DEAD_PROCESS = 2, 1, 5, 6, 7, 8
COMMANDS = (["-p"], [], ["-d"])
#: A file with steps back of a second or two read with no leniency: every step is a time
#: warp, which only the record-by-record state machine handles (timed once, for the record).
FALLBACK = ["-p", "--tw-leniency", "0"]


def _users(rng: random.Random) -> list[bytes]:
    first = ["anna", "ben", "carla", "dmitri", "eve", "farid", "grace", "hiro", "ines", "jon"]
    last = ["smith", "nguyen", "garcia", "muller", "rossi", "kowalski", "tanaka", "okafor"]
    names = [b"root", b"deploy", b"backup", b"ci-runner"]
    while len(names) < 300:
        if rng.random() < 0.4:
            name = f"{rng.choice(first)}.{rng.choice(last)}{rng.randrange(100)}"
        else:
            name = f"{rng.choice(first)}{rng.randrange(1000)}"
        if name.encode() not in names:
            names.append(name.encode())
    return names


class _Wtmp:
    """Records appended in time order to a preallocated buffer."""

    def __init__(self, count: int) -> None:
        self.buf = bytearray(RECORD.size * count)
        self.count = 0
        self.capacity = count

    def add(self, kind: int, when: int, user: bytes = b"", line: bytes = b"",
            host: bytes = b"", pid: int = 0, ident: bytes = b"") -> None:  # fmt: skip
        if self.count < self.capacity:
            RECORD.pack_into(self.buf, self.count * RECORD.size, kind, pid, line, ident,
                             user, host, 0, 0, 0, when, 0, bytes(16))  # fmt: skip
            self.count += 1


def build_wtmp(count: int, seed: int = 20240301) -> bytes:
    """``count`` records of a plausible three-year wtmp of a busy server."""
    rng = random.Random(seed)
    users = _users(rng)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(users))]
    out = _Wtmp(count)
    now = START
    pid = 1000
    while out.count < count:
        out.add(BOOT, now, b"reboot", b"~", b"6.1.0-18-amd64", ident=b"~~")
        out.add(RUN_LVL, now + 2, b"runlevel", b"~", b"6.1.0-18-amd64",
                pid=ord("3") + 256 * ord("N"), ident=b"~~")  # fmt: skip
        for n in range(1, 7):
            out.add(LOGIN_PROCESS, now + 3, b"LOGIN", b"tty%d" % n, pid=500 + n, ident=b"%d" % n)
        uptime_end = now + rng.randint(3 * 86400, 12 * 86400)
        crash = rng.random() < 0.15
        open_ttys: list[tuple[int, int, bytes, int]] = []  # (logout time, seq, tty, pid)
        free_pts: list[int] = []
        next_pts = 0
        t = now + 60
        seq = 0
        while t < uptime_end and out.count < count:
            # Log out everyone due before the next login.
            while open_ttys and open_ttys[0][0] <= t:
                when, _, tty, upid = heapq.heappop(open_ttys)
                out.add(DEAD_PROCESS, when, b"", tty, pid=upid, ident=tty[-4:])
                if tty.startswith(b"pts/"):
                    heapq.heappush(free_pts, int(tty[4:]))
            user = rng.choices(users, weights)[0]
            pid += 1
            if rng.random() < 0.03:
                tty = b"tty%d" % rng.randint(1, 6)
                if any(o[2] == tty for o in open_ttys):
                    t += rng.randint(1, 120)
                    continue
            else:
                tty = b"pts/%d" % (heapq.heappop(free_pts) if free_pts else next_pts)
                next_pts += tty == b"pts/%d" % next_pts
            stamp = t - (rng.randint(1, 2) if rng.random() < 0.002 else 0)
            host = b"10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
            out.add(USER_PROCESS, stamp, user, tty, host, pid=pid, ident=tty[-4:])
            length = int(rng.lognormvariate(7.0, 1.6)) + 1
            if rng.random() < 0.01:
                length = rng.randint(86400, 9 * 86400)
            seq += 1
            heapq.heappush(open_ttys, (t + length, seq, tty, pid))
            t += int(rng.expovariate(1 / 140)) + 1
        if not crash:
            down = max(t, uptime_end)
            while open_ttys and out.count < count:
                when, _, tty, upid = heapq.heappop(open_ttys)
                out.add(DEAD_PROCESS, min(when, down), b"", tty, pid=upid, ident=tty[-4:])
            out.add(RUN_LVL, down + 1, b"runlevel", b"~", b"6.1.0-18-amd64",
                    pid=ord("6") + 256 * ord("3"), ident=b"~~")  # fmt: skip
            out.add(RUN_LVL, down + 2, b"shutdown", b"~", b"6.1.0-18-amd64", ident=b"~~")
            now = down + rng.randint(60, 600)
        else:
            now = max(t, uptime_end) + rng.randint(60, 3600)
    return bytes(out.buf[: out.count * RECORD.size])


def frozen(at: int) -> list[str]:
    """faketime's prefix that freezes the clock at ``at`` (UTC)."""
    return ["faketime", "-f", datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S")]


def timed(
    argv: list[str], out_path: Path, env: dict[str, str], runs: int = RUNS
) -> tuple[float, int]:
    """Best wall time of ``runs`` runs (stdout to a file) and the command's peak RSS (KB).

    The peak is measured by /usr/bin/time: a child started from this (large) process would
    report this process's pages as its own.
    """
    best = float("inf")
    peak = 0
    report = out_path.with_suffix(".rss")
    for _ in range(runs):
        with open(out_path, "wb") as sink:
            start = time.perf_counter()
            measured = ["/usr/bin/time", "-o", str(report), "-f", "%M", *argv]
            subprocess.run(measured, stdout=sink, stderr=subprocess.DEVNULL, env=env, check=False)
            best = min(best, time.perf_counter() - start)
        peak = max(peak, int(report.read_text().split()[-1]))
    return best, peak


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        wtmp = Path(tmp) / "wtmp"
        started = time.perf_counter()
        data = build_wtmp(count)
        wtmp.write_bytes(data)
        size = len(data)
        last = struct.unpack_from("<I", data, size - RECORD.size + 340)[0]
        del data  # a forked child starts with the parent's pages: keep them few
        print(f"built {size // RECORD.size:,} records ({size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        env = {**os.environ, "TZ": "UTC", "LC_ALL": "C"}
        clock = frozen(last + 7 * 86400)
        failed = False
        print(f"{'command':<28} {'GNU ac':>9} {'logwarden':>10} {'ratio':>7}  identical")
        for args in [*COMMANDS, FALLBACK]:
            runs = 1 if args is FALLBACK else RUNS
            ref_out, our_out = Path(tmp) / "ref.out", Path(tmp) / "our.out"
            ref, _ = timed([*clock, "ac", *args, "-f", str(wtmp)], ref_out, env, runs)
            ours, peak = timed([*clock, LOGWARDEN, "ac", *args, "-f", str(wtmp)], our_out, env,
                               runs)  # fmt: skip
            same = ref_out.read_bytes() == our_out.read_bytes()
            failed |= not same
            label = " ".join(["ac", *args])
            print(f"{label:<28} {ref:>8.3f}s {ours:>9.3f}s {ours / ref:>6.2f}x  {same}  "
                  f"peak RSS {peak / 1024:.0f} MB")  # fmt: skip
        print("(RSS counts the pages of the mapped file, shared with the page cache: "
              f"{size / 2**20:.0f} MB of it)")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
