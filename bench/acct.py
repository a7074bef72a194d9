"""GNU acct 6.6.4 (lastcomm, sa, dump-acct) against logwarden on a 1,000,000-record pacct.

Builds (deterministically, with numpy) a v3 pacct of 64 MB as a busy host writes it: a few
hundred commands with a long-tailed popularity (shells, coreutils, cron jobs, compilers), forks
without exec, setuid programs, a few killed and core-dumping processes, ttys from none (daemons)
to pts/0-40 and the consoles, user and system times from nothing to minutes (comp_t exponents
up to 3), memory from KiB to GiB, starts spread over 30 days. Then times each command side by
side (best of 5, output written to a file), prints both times and the ratio, and checks that
the outputs are identical. Also the same commands on a 100-record file (whole command).

Targets (issue 3): lastcomm and sa -u ratio <= 1.0; sa and sa -m within 2x; under 0.150 s on
the small file. Run by hand: ``.venv/bin/python bench/acct.py [RECORDS]``.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from logwarden.formats import acct

RUNS = 5
LOGWARDEN = str(Path(sys.executable).parent / "logwarden")
ENV = {**os.environ, "TZ": "UTC", "LC_ALL": "C"}
START = 1_704_067_200  # 2024-01-01 00:00:00 UTC
COMMANDS = [
    b"bash",
    b"sh",
    b"ls",
    b"cat",
    b"grep",
    b"sed",
    b"awk",
    b"cron",
    b"sshd",
    b"sudo",
    b"su",
    b"make",
    b"cc1",
    b"gcc",
    b"ld",
    b"as",
    b"python3",
    b"perl",
    b"git",
    b"ssh",
    b"scp",
    b"rsync",
    b"tar",
    b"gzip",
    b"find",
    b"xargs",
    b"sort",
    b"uniq",
    b"head",
    b"tail",
    b"vim",
    b"less",
    b"ps",
    b"top",
    b"qmail-send",
    b"qmail-smtpd",
    b"qmail-remote",
    b"qmail-local",
    b"splogger",
    b"multilog",
    b"tcpserver",
    b"run-parts",
    b"logrotate",
    b"systemd-tmpfile",
    b"a-very-long-command",
    b"apt-get",
    b"dpkg",
    b"http",
    b"kworker/0:1",
    b"date",
] + [b"tool%03d" % i for i in range(250)]


def comp_t(values: np.ndarray) -> np.ndarray:
    """The kernel's encode_comp_t, vectorised (exact for the values built here)."""
    values = values.astype(np.int64).copy()
    exponent = np.zeros(len(values), dtype=np.int64)
    rounding = np.zeros(len(values), dtype=bool)
    for _ in range(8):
        big = values > 0x1FFF
        if not big.any():
            break
        rounding = np.where(big, (values & 4) != 0, rounding)
        values = np.where(big, values >> 3, values)
        exponent += big
    values = values + rounding
    over = values > 0x1FFF
    values = np.where(over, values >> 3, values)
    exponent += over
    return ((exponent << 13) | values).astype(np.uint16)


def build_pacct(count: int, seed: int = 20240301) -> bytes:
    """``count`` v3 records of a plausible month on a busy host."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(COMMANDS) + 1) ** 1.1
    pick = rng.choice(len(COMMANDS), size=count, p=weights / weights.sum())
    comm = np.array(COMMANDS, dtype="S16")[pick]
    flag = np.zeros(count, dtype=np.uint8)
    flag[rng.random(count) < 0.08] |= acct.AFORK
    flag[rng.random(count) < 0.05] |= acct.ASU
    killed = rng.random(count) < 0.01
    flag[killed] |= acct.AXSIG
    flag[killed & (rng.random(count) < 0.2)] |= acct.ACORE
    uids = np.array([0, 0, 0, 1000, 1001, 1002, 33, 65534, 4242, 7001, 7002], dtype=np.uint32)
    uid = uids[rng.integers(0, len(uids), count)]
    ttys = np.array(
        [0] * 12 + [(4 << 8) | 1, (4 << 8) | 2, (5 << 8) | 1] + [(136 << 8) | n for n in range(41)],
        dtype=np.uint16,
    )
    tty = ttys[rng.integers(0, len(ttys), count)]
    btime = START + np.sort(rng.integers(0, 30 * 86400, count)).astype(np.uint32)
    ticks = rng.lognormal(1.0, 2.2, count).astype(np.int64)
    etime = (ticks * rng.integers(1, 20, count) + rng.integers(0, 300, count)).astype(np.float32)
    utime = comp_t(np.minimum(ticks, 2**22))
    stime = comp_t(np.minimum(ticks // 3, 2**22))
    mem = comp_t(rng.lognormal(9.5, 1.3, count).astype(np.int64))
    columns = {
        "flag": flag, "tty": tty, "exitcode": np.where(killed, 9, 0).astype(np.uint32),
        "uid": uid, "gid": uid, "pid": (np.arange(count) % 4_000_000 + 300).astype(np.uint32),
        "ppid": rng.integers(1, 5000, count).astype(np.uint32), "btime": btime,
        "etime": etime, "utime": utime, "stime": stime, "mem": mem,
        "io": np.zeros(count, dtype=np.uint16), "rw": np.zeros(count, dtype=np.uint16),
        "minflt": comp_t(rng.integers(50, 20000, count)),
        "majflt": comp_t((rng.random(count) < 0.05) * rng.integers(0, 50, count)),
        "swaps": np.zeros(count, dtype=np.uint16), "comm": comm,
    }  # fmt: skip
    return acct.encode(columns, 3, False)


def timed(argv: list[str], out: Path) -> float:
    """Best wall time of RUNS runs, stdout to ``out``."""
    best = float("inf")
    for _ in range(RUNS):
        with out.open("wb") as sink:
            start = time.perf_counter()
            subprocess.run(argv, stdout=sink, stderr=subprocess.DEVNULL, env=ENV, check=False)
            best = min(best, time.perf_counter() - start)
    return best


def compare(label: str, tool: str, args: list[str], workdir: Path) -> bool:
    """Time one command both ways; True when the outputs are identical."""
    ref_out, our_out = workdir / "ref.out", workdir / "ours.out"
    theirs = timed([tool, *args], ref_out)
    mine = timed([LOGWARDEN, tool, *args], our_out)
    same = filecmp.cmp(ref_out, our_out, shallow=False)
    print(f"{label:<30} {theirs:8.3f} s {mine:8.3f} s {mine / theirs:6.2f}   "
          f"{'identical' if same else 'OUTPUT DIFFERS'}")  # fmt: skip
    return same


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        big, small = workdir / "pacct", workdir / "pacct100"
        started = time.perf_counter()
        data = build_pacct(count)
        big.write_bytes(data)
        small.write_bytes(data[: 100 * acct.RECORD_SIZE])
        print(f"built {count} records ({len(data) / 1e6:.0f} MB) "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        print(f"{'command (best of 5)':<30} {'GNU acct':>10} {'logwarden':>10} {'ratio':>6}")
        ok = True
        for label, tool, args in [
            ("lastcomm -f F", "lastcomm", ["-f", str(big)]),
            ("sa -u F", "sa", ["-i", "-u", str(big)]),
            ("sa F", "sa", ["-i", str(big)]),
            ("sa -m F", "sa", ["-i", "-m", str(big)]),
            ("lastcomm -f F100", "lastcomm", ["-f", str(small)]),
            ("sa -u F100", "sa", ["-i", "-u", str(small)]),
            ("sa F100", "sa", ["-i", str(small)]),
            ("sa -m F100", "sa", ["-i", "-m", str(small)]),
            ("dump-acct F100", "dump-acct", [str(small)]),
        ]:
            ok &= compare(label, tool, args, workdir)
        print("targets: lastcomm, sa -u ratio <= 1.0; sa, sa -m <= 2.0; F100 under 0.150 s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
