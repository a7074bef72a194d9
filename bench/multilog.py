"""daemontools' multilog, tai64n and tai64nlocal against logwarden's, side by side.

Builds 1,000,000 qmail-send-like lines (about 100 MB: deliveries, status lines, new/end
msg), then times, best of RUNS runs each:

* ``multilog t s1000000 n20 DIR`` with stdin from the file and through a pipe (``cat |``),
  including the fsync of every finished file (about 130 rotations);
* ``tai64n < lines > /dev/null``;
* ``tai64nlocal < stamped > /dev/null`` on tai64n's output.

It checks that both multilogs left the same file sizes, that logwarden's directory holds
exactly the input, and that both tai64nlocal outputs are identical.

Target (issue 5): each logwarden tool at least as fast as daemontools' on this input.
Run by hand: ``.venv/bin/python bench/multilog.py [LINES]``; ``BENCH_DIR=/dev/shm`` runs it
on a tmpfs, where an fsync costs nothing and only the programs' own work is timed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
LOGWARDEN = str(Path(sys.executable).parent / "logwarden")
SCRIPT = ["t", "s1000000", "n20"]


def build_lines(count: int, seed: int = 5) -> bytes:
    """``count`` lines in the shape of qmail-send's log."""
    rng = random.Random(seed)
    out = []
    msg = 18995
    for n in range(count):
        kind = rng.random()
        if kind < 0.35:
            out.append(
                b"delivery %d: success: did_0+0+1/qp_%d/ to <user%d@example.org>\n"
                % (n, rng.randrange(99999), n % 977)
            )
        elif kind < 0.6:
            out.append(
                b"status: local %d/10 remote %d/20\n" % (rng.randrange(11), rng.randrange(21))
            )
        elif kind < 0.8:
            msg += 1
            out.append(
                b"info msg %d: bytes %d from <sender%d@example.com> qp %d uid 82\n"
                % (msg, rng.randrange(100, 90000), n % 311, rng.randrange(99999))
            )
        else:
            out.append(
                b"starting delivery %d: msg %d to remote rcpt%d@example.net\n" % (n, msg, n % 53)
            )
    return b"".join(out)


def paired(ref_command: str, our_command: str, cwd: Path, reset: str = "") -> tuple[float, float]:
    """Best wall times of RUNS runs of each shell command, run alternately (so that a burst
    of load on the machine hits both alike); ``reset`` (a directory) is removed first."""
    times: dict[str, list[float]] = {ref_command: [], our_command: []}
    for _ in range(RUNS):
        for command in (ref_command, our_command):
            if reset:
                shutil.rmtree(cwd / reset, ignore_errors=True)
            start = time.perf_counter()
            subprocess.run(command, shell=True, cwd=cwd, check=True)
            times[command].append(time.perf_counter() - start)
    return min(times[ref_command]), min(times[our_command])


def sizes(directory: Path) -> list[int]:
    """Sizes of the finished files (oldest first) and of ``current``."""
    names = sorted(p.name for p in directory.iterdir() if p.name.startswith("@"))
    return [(directory / name).stat().st_size for name in [*names, "current"]]


def logged(directory: Path) -> bytes:
    names = sorted(p.name for p in directory.iterdir() if p.name.startswith("@"))
    return b"".join((directory / n).read_bytes() for n in [*names, "current"])


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        where = Path(tmp)
        data = build_lines(count)
        (where / "lines").write_bytes(data)
        subprocess.run("tai64n < lines > stamped", shell=True, cwd=where, check=True)
        script = " ".join(SCRIPT)
        rows = []
        for label, before, after in (("file", "", " < lines"), ("pipe", "cat lines | ", "")):
            ref, ours = paired(
                f"{before}multilog {script} ./d{after}",
                f"{before}{LOGWARDEN} multilog {script} ./d{after}",
                where,
                reset="d",
            )
            rows.append((f"multilog {script} DIR ({label})", ref, ours))
        for program, name in (("multilog", "ref"), (f"{LOGWARDEN} multilog", "ours")):
            subprocess.run(
                f"{program} {script} ./{name} < lines", shell=True, cwd=where, check=True
            )
        # From a file, daemontools' files end at fixed places: logwarden's end there too.
        assert sizes(where / "ref") == sizes(where / "ours"), "files end elsewhere"
        keep_all = f"{LOGWARDEN} multilog t s1000000 n100000 ./whole < lines"
        subprocess.run(keep_all, shell=True, cwd=where, check=True)
        whole = logged(where / "whole")
        assert b"\n".join(line[26:] for line in whole.split(b"\n")) == data, "lines lost"
        for tool, source in (("tai64n", "lines"), ("tai64nlocal", "stamped")):
            ref, ours = paired(
                f"{tool} < {source} > /dev/null",
                f"{LOGWARDEN} {tool} < {source} > /dev/null",
                where,
            )
            rows.append((tool, ref, ours))
        subprocess.run("tai64nlocal < stamped > local.ref", shell=True, cwd=where, check=True)
        mine = f"{LOGWARDEN} tai64nlocal < stamped > local.ours"
        subprocess.run(mine, shell=True, cwd=where, check=True)
        assert (where / "local.ref").read_bytes() == (where / "local.ours").read_bytes()
        print(f"{count:,} lines, {len(data) / 1e6:.0f} MB in {where}; best of {RUNS}, alternating")
        print(f"{'command':<42} {'daemontools':>12} {'logwarden':>10} {'ratio':>6}")
        for name, ref, ours in rows:
            verdict = "ok" if ours <= ref else "SLOWER"
            print(f"{name:<42} {ref:>11.3f}s {ours:>9.3f}s {ours / ref:>6.2f}  {verdict}")


if __name__ == "__main__":
    main()
