"""Speed of reading qmail-send logs: logwarden against qmailanalog, logwatch and isoqlog.

One run of each command on one simulated log (issue 4's Speed section: 1.05 GB by
default), side by side in one table with ``wc -l`` as the physical reference: wall time,
MB/s, peak memory (max RSS of the command and its children). Then whole-command times on
a small log.

Reference programs:

- ``wc -l`` (coreutils);
- qmailanalog's C ``matchup`` and its awk ``zoverall``: qmailanalog is not packaged in
  Debian; build them from their sources outside the repository (the sources are not
  shipped here) and point ``QMAILANALOG_BIN`` at the directory holding ``matchup`` and
  ``zoverall`` (default /tmp/qa/bin). Rows are skipped when they are missing;
- logwatch's qmail-send filter (Debian ``logwatch``), run directly on the log;
- isoqlog (Debian ``isoqlog``) on the same log in multilog form.

Usage: ``.venv/bin/python bench/qmail.py`` (``LOGWARDEN_BENCH_QMAIL_SIZE=200M`` for a
quicker run). The logs are kept in bench/out/ for the next run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
LOGWARDEN = str(BIN / "logwarden")
QA = Path(os.environ.get("QMAILANALOG_BIN", "/tmp/qa/bin"))
SIZE = os.environ.get("LOGWARDEN_BENCH_QMAIL_SIZE", "1.05G")
ENV = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
LOGWATCH = "/usr/share/logwatch/scripts/services/qmail-send"


def _cell(text: str) -> str:
    """A Markdown table cell (a pipe in a command would end the cell)."""
    return text.replace("|", "\\|")


def simulated(style: str) -> Path:
    """The simulated log in ``style`` (made once, then reused)."""
    path = OUT / f"qmail-{SIZE}-{style}.log"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        print(f"simulating {SIZE} of qmail-send log ({style}) ...", file=sys.stderr)
        tmp = path.with_suffix(".tmp")
        subprocess.run(
            [LOGWARDEN, "qmail", "simulate", "--seed", "4", "--size", SIZE, "--style", style,
             "--start", f"@{int(time.time()) - 4 * 86400}", "-o", str(tmp)],
            check=True, env=ENV,
        )  # fmt: skip
        tmp.rename(path)
    return path


def run(shell: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run of ``shell`` (via /bin/sh)."""
    start = time.perf_counter()
    proc = subprocess.Popen(["/bin/sh", "-c", shell], env=env or ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"failed ({status}): {shell}")
    return wall, usage.ru_maxrss / 1024


def isoqlog_config(tmp: str, multilog: Path) -> str:
    directory = Path(tmp) / "logdir"
    directory.mkdir()
    (directory / "current").symlink_to(multilog)
    (Path(tmp) / "domains").write_text("example.com\n")
    (Path(tmp) / "out").mkdir()
    conf = Path(tmp) / "isoqlog.conf"
    conf.write_text(
        f'logtype = "qmail-multilog"\nlogstore = "{directory}"\n'
        f'domainsfile = "{tmp}/domains"\noutputdir = "{tmp}/out"\n'
        'htmldir = "/usr/share/isoqlog/htmltemp"\n'
        'langfile = "/usr/share/isoqlog/lang/english"\nhostname = "mail"\n'
        "maxsender = 100\nmaxreceiver = 100\nmaxtotal = 100\nmaxbyte = 100\n"
    )
    return str(conf)


def main() -> None:
    unix = simulated("unix")
    multilog = simulated("multilog")
    mb = unix.stat().st_size / 1e6
    mb_multilog = multilog.stat().st_size / 1e6
    rows: list[tuple[str, str, float, float, float]] = []

    def measure(label: str, shell: str, size: float, env: dict[str, str] | None = None) -> None:
        wall, rss = run(shell, env)
        rows.append((label, shell.replace(str(OUT) + "/", ""), wall, size / wall, rss))
        print(f"  {label}: {wall:.2f} s", file=sys.stderr)

    print(f"log: {unix} ({mb:.0f} MB); {multilog} ({mb_multilog:.0f} MB)", file=sys.stderr)
    measure("wc -l", f"wc -l < {unix} > /dev/null", mb)
    if (QA / "matchup").exists():
        measure("C matchup", f"{QA}/matchup < {unix} > /dev/null 5>/dev/null", mb)
        measure("C matchup | awk zoverall",
                f"{QA}/matchup < {unix} 5>/dev/null | {QA}/zoverall > /dev/null", mb)  # fmt: skip
    measure("logwarden matchup", f"{LOGWARDEN} matchup < {unix} > /dev/null 5>/dev/null", mb)
    measure("logwarden qmail report", f"{LOGWARDEN} qmail report {unix} > /dev/null", mb)
    measure("logwarden qmail report (multilog)",
            f"{LOGWARDEN} qmail report {multilog} > /dev/null", mb_multilog)  # fmt: skip
    if os.path.exists(LOGWATCH):
        env = {**ENV, "LOGWATCH_DETAIL_LEVEL": "10", "qmail_high_detail": "1", "threshold": "10"}
        measure("logwatch qmail-send filter", f"perl {LOGWATCH} < {unix} > /dev/null", mb, env)
    if shutil.which("isoqlog"):
        with tempfile.TemporaryDirectory() as tmp:
            conf = isoqlog_config(tmp, multilog)
            measure("isoqlog (multilog)", f"isoqlog -f {conf} > /dev/null", mb_multilog)
    print()
    print(f"| command | seconds | MB/s | max RSS MB |  ({mb:.0f} MB log, one run each)")
    print("|---|---:|---:|---:|")
    for label, _shell, wall, rate, rss in rows:
        print(f"| {_cell(label)} | {wall:.2f} | {rate:.0f} | {rss:.0f} |")
    small()


def small() -> None:
    """Whole-command time (best of 5) on a small log of 1000 messages."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "current"
        subprocess.run([LOGWARDEN, "qmail", "simulate", "--messages", "1000", "--style", "unix",
                        "-o", str(log)], check=True, env=ENV)  # fmt: skip
        cases = [
            ("logwarden qmail report", f"{LOGWARDEN} qmail report {log} > /dev/null"),
            ("logwarden qmail alerts", f"{LOGWARDEN} qmail alerts {log} > /dev/null"),
            ("logwarden matchup", f"{LOGWARDEN} matchup < {log} > /dev/null 5>/dev/null"),
            ("logwarden matchup | logwarden zoverall",
             f"{LOGWARDEN} matchup < {log} 5>/dev/null | {LOGWARDEN} zoverall > /dev/null"),
        ]  # fmt: skip
        if (QA / "matchup").exists():
            pipeline = f"{QA}/matchup < {log} 5>/dev/null | {QA}/zoverall > /dev/null"
            cases.append(("C matchup | awk zoverall", pipeline))  # fmt: skip
        size = log.stat().st_size / 1e6
        print()
        print(f"| small log ({size:.1f} MB, 1000 messages) | best of 5, ms |")
        print("|---|---:|")
        for label, shell in cases:
            best = min(run(shell)[0] for _ in range(5))
            print(f"| {_cell(label)} | {best * 1000:.0f} |")


if __name__ == "__main__":
    main()
