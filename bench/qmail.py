"""Speed of reading qmail-send logs: logwarden against qmailanalog, logwatch and isoqlog.

Every command reads the same simulated log (issue 4's Speed section: 1.05 GB by default),
side by side in one table with ``wc -l`` as the physical reference: wall time (best of
``LOGWARDEN_BENCH_QMAIL_RUNS``, 3 by default), MB/s, peak memory (max RSS of the command
and its children), and the load averages before and after. Then whole-command times on a
small log.

The log is a busy host's (the simulator's default of two new messages a second, from
2026-11-08 00:00:00 UTC: three and a half days make 1.05 GB), written twice by ``logwarden qmail
simulate`` with the same seed: with splogger's ``sec.usec`` stamps and as multilog writes
it. This is the shape on which the issue measured C matchup at 190 MB/s. A far higher rate
under the same concurrency limits overloads the simulated queue, and C matchup, which finds
an open message by a linear search, then slows down by fifty times: such a log would flatter
logwarden and is not used. Reference programs:

- ``wc -l`` (coreutils);
- qmailanalog's C ``matchup`` and its awk ``zoverall``: qmailanalog is not packaged in
  Debian; build them from their sources outside the repository (the sources are not
  shipped here) and point ``QMAILANALOG_BIN`` at the directory holding ``matchup`` and
  ``zoverall`` (default /tmp/qa/bin). Rows are skipped when they are missing;
- logwatch (Debian ``logwatch``) as an administrator runs it: ``logwatch --service
  qmail-send --range All`` over a log directory whose ``qmail/current`` is the multilog
  log (logwatch strips the labels with its ``applytaidate`` and keeps the lines of the
  range: all of them). Its qmail-send filter prints senders above a threshold only, so
  that it really read every line is checked apart: the same two steps run by hand with
  the threshold at 0 must count one sender per ``info msg`` line;
- isoqlog (Debian ``isoqlog``) on the multilog log: it only reads the lines of the day it
  runs on, so it runs with its clock on the log's day. isoqlog 2.2.1 stores pointers
  in ``int`` when it sorts users (Data.c), so on a 64-bit machine it dies with SIGSEGV once
  it has read a day with mail in it; its row is the time until then (it had read and
  counted the whole log by that point), marked as such. Its clock is set to the last day
  of the log, so it reads every line and counts that day's. libfaketime is preloaded directly,
  as the tests do.

Usage: ``.venv/bin/python bench/qmail.py`` (``LOGWARDEN_BENCH_QMAIL_SIZE=200M`` for a
quicker run). The logs are kept in bench/out/ for the next run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
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
RUNS = int(os.environ.get("LOGWARDEN_BENCH_QMAIL_RUNS", "3"))
ENV = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
START = "2026-11-08"
LOGWATCH = "/usr/share/logwatch"
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def _cell(text: str) -> str:
    """A Markdown table cell (a pipe in a command would end the cell)."""
    return text.replace("|", "\\|")


def simulated(style: str) -> Path:
    """The simulated log in ``style`` (made once, then reused)."""
    path = OUT / f"qmail-{SIZE}-{START}-{style}.log"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        print(f"simulating {SIZE} of qmail-send log ({style}) ...", file=sys.stderr)
        tmp = path.with_suffix(".tmp")
        subprocess.run(
            [LOGWARDEN, "qmail", "simulate", "--seed", "4", "--size", SIZE, "--style", style,
             "--start", f"{START} 00:00:00", "-o", str(tmp)],
            check=True, env=ENV,
        )  # fmt: skip
        tmp.rename(path)
    return path


def run(shell: str, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status or -signal) of one run of ``shell``."""
    start = time.perf_counter()
    proc = subprocess.Popen(["/bin/sh", "-c", shell], env=env or ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def last_day(unix: Path) -> str:
    """The UTC day of the last line of a ``sec.usec`` log."""
    with open(unix, "rb") as f:
        f.seek(max(0, unix.stat().st_size - 4096))
        last = f.read().splitlines()[-1]
    return time.strftime("%Y-%m-%d", time.gmtime(int(last.split(b".")[0])))


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def logwatch_dir(tmp: str, multilog: Path) -> str:
    """A log directory as logwatch's qmail-send service reads it (qmail/current)."""
    qmail = Path(tmp) / "logwatch" / "qmail"
    qmail.mkdir(parents=True)
    (qmail / "current").symlink_to(multilog)
    return str(qmail.parent)


def logwatch_coverage(multilog: Path) -> str:
    """logwatch's two steps by hand, threshold 0: senders counted against info lines."""
    env = {**ENV, "PERL5LIB": f"{LOGWATCH}/lib", "LOGWATCH_DATE_RANGE": "all",
           "LOGWATCH_DETAIL_LEVEL": "10", "qmail_high_detail": "1", "threshold": "0"}  # fmt: skip
    shell = (f"perl {LOGWATCH}/scripts/shared/applytaidate < {multilog} | "
             f"perl {LOGWATCH}/scripts/services/qmail-send")  # fmt: skip
    out = subprocess.run(["/bin/sh", "-c", shell], env=env, capture_output=True, check=True)
    counted = 0
    section = False
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Emails from"):
            section = True
        elif section and not line.startswith("\t"):
            section = False
        elif section:
            m = re.search(r" - (\d+) Time\(s\)$", line)
            counted += int(m.group(1)) if m else 0
    infos = 0
    with open(multilog, "rb") as f:
        for line in f:
            infos += b" info msg " in line
    verdict = "every one" if counted == infos else "NOT every one"
    return f"logwatch's filter counted {counted} senders for {infos} info lines ({verdict})"


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
    rows: list[tuple[str, float, float, float, str]] = []
    notes: list[str] = []

    def measure(label: str, shell: str, size: float, env: dict[str, str] | None = None,
                crashes: bool = False) -> None:  # fmt: skip
        best: tuple[float, float, int] | None = None
        for _ in range(RUNS):
            got = run(shell, env)
            crashed = got[2] in (-signal.SIGSEGV, 128 + signal.SIGSEGV)
            if got[2] not in (0, 2) and not (crashes and crashed):
                raise SystemExit(f"failed ({got[2]}): {shell}")
            best = got if best is None or got[0] < best[0] else best
        assert best is not None
        wall, rss, status = best
        mark = " (killed by SIGSEGV)" if status in (-signal.SIGSEGV, 139) else ""
        rows.append((label + mark, wall, size / wall, rss, shell))
        print(f"  {label}: {wall:.2f} s{mark}", file=sys.stderr)

    print(f"log: {unix} ({mb:.0f} MB); {multilog} ({mb_multilog:.0f} MB)", file=sys.stderr)
    before = loadavg()
    measure("wc -l", f"wc -l < {unix} > /dev/null", mb)
    if (QA / "matchup").exists():
        measure("C matchup", f"{QA}/matchup < {unix} > /dev/null 5>/dev/null", mb)
        measure("C matchup | awk zoverall",
                f"{QA}/matchup < {unix} 5>/dev/null | {QA}/zoverall > /dev/null", mb)  # fmt: skip
    measure("logwarden matchup", f"{LOGWARDEN} matchup < {unix} > /dev/null 5>/dev/null", mb)
    measure("logwarden qmail report", f"{LOGWARDEN} qmail report {unix} > /dev/null", mb)
    measure("logwarden qmail report (multilog)",
            f"{LOGWARDEN} qmail report {multilog} > /dev/null", mb_multilog)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        if shutil.which("logwatch"):
            logdir = logwatch_dir(tmp, multilog)
            measure("logwatch --service qmail-send --range All (multilog)",
                    f"logwatch --service qmail-send --range All --detail High --output stdout"
                    f" --logdir {logdir} > /dev/null", mb_multilog)  # fmt: skip
            notes.append(logwatch_coverage(multilog))
        if shutil.which("isoqlog") and os.path.exists(FAKETIME):
            conf = isoqlog_config(tmp, multilog)
            # libfaketime preloaded (the faketime wrapper would hide the signal).
            measure("isoqlog (multilog, clock on the last day)",
                    f"LD_PRELOAD={FAKETIME} FAKETIME='@{last_day(unix)} 23:59:59' isoqlog -f {conf}"
                    " > /dev/null 2>&1", mb_multilog, crashes=True)  # fmt: skip
    after = loadavg()
    print()
    print(f"{mb:.0f} MB log ({unix.name}), {RUNS} runs of each, best shown; load averages "
          f"{before} before, {after} after")  # fmt: skip
    print()
    print("| command | seconds | MB/s | max RSS MB |")
    print("|---|---:|---:|---:|")
    for label, wall, rate, rss, _shell in rows:
        print(f"| {_cell(label)} | {wall:.2f} | {rate:.0f} | {rss:.0f} |")
    for note in notes:
        print(f"\n{note}")
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
