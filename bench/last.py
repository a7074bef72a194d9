"""util-linux ``last`` against ``logwarden last`` on a realistic 1,000,000-record wtmp.

Builds (deterministically, with ``struct``) a wtmp of about 384 MB: boots with their run-level
records, ssh sessions on the lowest free pts/N from IPv4, IPv6 and named hosts, console logins
on tty1-6 after getty's LOGIN record, clean shutdowns (run level 0 + shutdown record, most
sessions logged out first) and crashes (sessions left open), some sessions still open at the
end. Then times each command (best of 5, output written to a file so that both programs really
write it), prints both times and the ratio, and checks that the outputs are identical.

Targets (issue 2): ratio <= 1.0 on the 1M-record file; whole command under 150 ms on a
100-record file. Run by hand: ``.venv/bin/python bench/last.py [RECORDS]``.
"""

from __future__ import annotations

import filecmp
import heapq
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECORD = struct.Struct("<hxxi32s4s32s256shhiIi16s20x")
RUNS = 5
LOGWARDEN = str(Path(sys.executable).parent / "logwarden")
ENV = {**os.environ, "TZ": "UTC", "LC_ALL": "C"}
GNU_TIME = "/usr/bin/time"
START = 1_640_995_200  # 2022-01-01 00:00:00 UTC
USERS = [f"user{i:02d}".encode() for i in range(40)] + [b"root", b"deploy", b"backup", b"alice"]
KERNELS = [b"6.1.0-%d-amd64" % k for k in range(10, 30)]

BOOT, RUN_LVL, LOGIN_PROCESS, USER_PROCESS, DEAD_PROCESS = 2, 1, 6, 7, 8


def _host(rng: random.Random) -> tuple[bytes, bytes]:
    """A remote host as sshd records it: (ut_host text, ut_addr_v6 bytes)."""
    pick = rng.random()
    if pick < 0.7:
        ip = bytes([rng.choice((10, 192, 203)), rng.randrange(256), rng.randrange(256),
                    rng.randrange(1, 255)])  # fmt: skip
        return ".".join(str(b) for b in ip).encode(), ip + bytes(12)
    if pick < 0.85:
        words = [0x2001, 0x0DB8, rng.randrange(65536), 0, 0, 0, rng.randrange(65536), 1]
        text = f"2001:db8:{words[2]:x}::{words[6]:x}:1"
        return text.encode(), struct.pack(">8H", *words)
    name = b"client%d.example.net" % rng.randrange(500)
    ip = bytes([198, 51, 100, rng.randrange(1, 255)])
    return name, ip + bytes(12)


class _Writer:
    """Records appended in time order to a bytearray."""

    def __init__(self, count: int) -> None:
        self.buf = bytearray(RECORD.size * count)
        self.count = 0

    def add(self, rtype: int, when: int, user: bytes = b"", line: bytes = b"", host: bytes = b"",
            pid: int = 0, ident: bytes = b"", addr: bytes = bytes(16)) -> None:  # fmt: skip
        if self.count * RECORD.size >= len(self.buf):
            return
        RECORD.pack_into(self.buf, self.count * RECORD.size, rtype, pid, line, ident, user,
                         host, 0, 0, 0, when, 0, addr)  # fmt: skip
        self.count += 1


def build_wtmp(count: int, seed: int = 20240301) -> bytes:
    """``count`` records of a plausible multi-year wtmp."""
    rng = random.Random(seed)
    out = _Writer(count)
    now = START
    pid = 1000
    while out.count < count:
        kernel = rng.choice(KERNELS)
        out.add(BOOT, now, b"reboot", b"~", kernel, ident=b"~~")
        out.add(RUN_LVL, now + 5, b"runlevel", b"~", kernel, pid=ord("5") + 256 * ord("N"),
                ident=b"~~")  # fmt: skip
        now += 20
        uptime_records = rng.randrange(500, 6000)
        free_pts: list[int] = []
        next_pts = 0
        open_: list[tuple[int, int, bytes, int, bytes]] = []  # (logout, seq, line, pid, id)
        seq = 0
        last_record = out.count + uptime_records
        while out.count < min(count - 4, last_record):
            now += rng.randrange(1, 400)
            while open_ and open_[0][0] <= now and out.count < count - 4:
                end, _, line, dpid, ident = heapq.heappop(open_)
                out.add(DEAD_PROCESS, end, b"", line, pid=dpid, ident=ident)
                if line.startswith(b"pts/"):
                    heapq.heappush(free_pts, int(line[4:]))
            pid += rng.randrange(1, 50)
            if rng.random() < 0.93:
                number = heapq.heappop(free_pts) if free_pts else next_pts
                if number == next_pts:
                    next_pts += 1
                line = b"pts/%d" % number
                ident = b"ts/%d" % number if number < 10 else b"s/%d" % number
                host, addr = _host(rng)
            else:
                tty = b"tty%d" % rng.randrange(1, 7)
                if any(o[2] == tty for o in open_):
                    continue
                line, ident, host, addr = tty, tty[-4:], b"", bytes(16)
                out.add(LOGIN_PROCESS, now, b"LOGIN", line, pid=pid, ident=ident)
            user = rng.choice(USERS)
            out.add(USER_PROCESS, now, user, line, host, pid=pid, ident=ident, addr=addr)
            length = int(rng.lognormvariate(7.0, 1.6)) + 1  # median ~18 minutes, long tail
            seq += 1
            heapq.heappush(open_, (now + length, seq, line, pid, ident))
        if out.count >= count - 4:
            break
        now += rng.randrange(60, 3600)
        if rng.random() < 0.8:  # clean shutdown: most sessions end first
            for end, _, line, dpid, ident in sorted(open_):
                if rng.random() < 0.8:
                    out.add(DEAD_PROCESS, min(end, now), b"", line, pid=dpid, ident=ident)
            out.add(RUN_LVL, now, b"runlevel", b"~", kernel, pid=ord("0") + 256 * ord("5"),
                    ident=b"~~")  # fmt: skip
            out.add(RUN_LVL, now + 1, b"shutdown", b"~", kernel, ident=b"~~")
        now += rng.randrange(30, 600)  # a crash simply leaves the open sessions behind
    return bytes(out.buf[: out.count * RECORD.size])


def timed(argv: list[str], out: Path) -> tuple[float, int]:
    """Best wall time of RUNS runs (stdout to ``out``) and the peak RSS in KiB.

    The peak comes from GNU time when it is installed (a program started by this big
    Python process would inherit its high-water mark); -1 otherwise.
    """
    best = float("inf")
    for _ in range(RUNS):
        with out.open("wb") as sink:
            start = time.perf_counter()
            subprocess.run(argv, stdout=sink, stderr=subprocess.DEVNULL, env=ENV, check=False)
            best = min(best, time.perf_counter() - start)
    rss = -1
    if os.path.exists(GNU_TIME):
        with out.open("wb") as sink:
            probe = subprocess.run(
                [GNU_TIME, "-f", "%M", *argv], stdout=sink, stderr=subprocess.PIPE, env=ENV,
                check=False,
            )  # fmt: skip
        rss = int(probe.stderr.split()[-1])
    return best, rss


def compare(label: str, args: list[str], workdir: Path) -> bool:
    """Time one command both ways; True when the outputs are identical."""
    ref_out, our_out = workdir / "ref.out", workdir / "ours.out"
    theirs, ref_rss = timed(["last", *args], ref_out)
    mine, our_rss = timed([LOGWARDEN, "last", *args], our_out)
    same = filecmp.cmp(ref_out, our_out, shallow=False)
    print(f"{label:<28} {theirs:8.3f} s {mine:8.3f} s {mine / theirs:6.2f}   "
          f"{ref_rss // 1024:5d} MiB {our_rss // 1024:5d} MiB  "
          f"{'identical' if same else 'OUTPUT DIFFERS'}")  # fmt: skip
    return same


def main() -> int:
    if sys.argv[1:2] == ["--build"]:
        # Built in a child process: a parent that once held 400 MB would pass its peak
        # memory on to every program it starts (ru_maxrss survives exec).
        data = build_wtmp(int(sys.argv[3]))
        Path(sys.argv[2]).write_bytes(data)
        Path(sys.argv[2] + "100").write_bytes(data[: 100 * RECORD.size])
        return 0
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        big = workdir / "wtmp"
        small = workdir / "wtmp100"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(big), str(count)], check=True)
        size = big.stat().st_size
        print(f"built {size // RECORD.size} records ({size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        print(f"{'command (best of 5)':<28} {'util-linux':>10} {'logwarden':>10} {'ratio':>6}   "
              f"{'max RSS':>9} {'':>9}")  # fmt: skip
        ok = True
        for label, args in [
            ("last -f F", ["-f", str(big)]),
            ("last -x -f F", ["-x", "-f", str(big)]),
            ("last -F -f F", ["-F", "-f", str(big)]),
            ("last -n 10 -f F", ["-n", "10", "-f", str(big)]),
            ("last -f F100 (100 records)", ["-f", str(small)]),
        ]:
            ok &= compare(label, args, workdir)
        print("target: ratio <= 1.0 on the 1M-record file; under 0.150 s on 100 records")
        print("max RSS includes the mapped file's pages (shared page cache, not private memory)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
