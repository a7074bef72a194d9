"""Whole-command time of every connect-time tool on a small (100-record) file.

Target (issue 2): any tool's whole command under 150 ms on a 100-record file; the reference
tool's time is shown beside it. Run by hand: ``.venv/bin/python bench/small.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from logwarden.demo.host import build
from logwarden.formats import utmp

RUNS = 15
TARGET = 0.150
LOGWARDEN = [str(Path(sys.executable).parent / "logwarden")]


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Best wall time of RUNS runs of ``argv`` (output to /dev/null)."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        host = build(Path(tmp) / "host", int(time.time()))
        wtmp = Path(tmp) / "wtmp100"
        records = utmp.decode(host.wtmp.read_bytes(), utmp.LAYOUTS[utmp.NATIVE]).records
        wtmp.write_bytes(utmp.encode(records.entries()[:100], utmp.LAYOUTS[utmp.NATIVE]))
        env = {**os.environ, "TZ": "UTC", "LC_ALL": "C"}
        cases = [
            (["who", str(wtmp)], ["who", str(wtmp)]),
            (["users", str(wtmp)], ["users", str(wtmp)]),
            (["last", "-f", str(wtmp)], ["last", "-f", str(wtmp)]),
            (["lastb", "-f", str(host.btmp)], ["lastb", "-f", str(host.btmp)]),
            (["ac", "-p", "-f", str(wtmp)], ["ac", "-p", "-f", str(wtmp)]),
            (["w"], ["w"]),
            (
                ["lastlog", "--file", str(host.lastlog), "--passwd", str(host.passwd)],
                None,
            ),
            (["wtmp", "check", str(wtmp)], None),
        ]
        print(f"{'command':<36} {'reference':>10} {'logwarden':>10}  target < 150 ms")
        for ours, ref in cases:
            mine = timed(LOGWARDEN + ours, env)
            theirs = f"{timed(ref, env) * 1000:8.1f}ms" if ref else f"{'-':>10}"
            ok = "ok" if mine < TARGET else "SLOW"
            label = ours[0] if ours[0] != "wtmp" else "wtmp check"
            print(f"{label:<36} {theirs} {mine * 1000:>8.1f}ms  {ok}")


if __name__ == "__main__":
    main()
