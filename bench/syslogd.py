"""rsyslogd against ``logwarden syslogd``: messages per second received and written to files.

Same configuration (three rules writing three files without syncing, traditional format), same
sender (a separate process sending as fast as it can), one daemon at a time, for the unix
datagram socket, UDP and TCP. A run ends when the catch-all file holds every message (unix,
TCP) or stops growing (UDP, which may drop: the loss is reported; ``udp@100000`` sends at
100,000 messages a second instead of as fast as possible). Target (issue 6): at least half
of rsyslog's rate, nothing lost over unix and TCP.

Run by hand: ``.venv/bin/python bench/syslogd.py [MESSAGES [TRANSPORT...]]`` (default 200,000
messages; transports unix, udp, udp@RATE, tcp).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {**os.environ, "TZ": "UTC", "LC_ALL": "C"}
RULES = """\
$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat
*.*\t-OUT/all
mail.*\t-OUT/mail
*.info;mail.none;authpriv.none\t-OUT/messages
"""
SENDER = r"""
import socket, sys
kind, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
msgs = [b"<%d>Nov 25 01:02:03 bench[4242]: message %d from the benchmark sender" % (
        (16 + i % 8) * 8 + i % 8 if i % 5 else 22, i) for i in range(count)]
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect(target)
    for m in msgs: s.send(m)
elif kind.startswith("udp"):
    import time
    rate = float(kind[4:] or 0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("127.0.0.1", int(target)))
    start = time.perf_counter()
    for i, m in enumerate(msgs):
        if rate and i % 200 == 0:
            ahead = start + i / rate - time.perf_counter()
            if ahead > 0: time.sleep(ahead)
        try: s.send(m)
        except ConnectionRefusedError: pass
else:
    s = socket.create_connection(("127.0.0.1", int(target)))
    for i in range(0, count, 512):
        s.sendall(b"".join(m + b"\n" for m in msgs[i:i + 512]))
    s.close()
"""


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except FileNotFoundError:
        return 0


def start_rsyslog(base: Path, udp: int, tcp: int) -> subprocess.Popen[bytes]:
    conf = base / "rsyslog.conf"
    conf.write_text(
        f'global(workDirectory="{base}")\n'
        'module(load="imuxsock" SysSock.Use="off")\n'
        f'input(type="imuxsock" Socket="{base}/log.sock" RateLimit.Interval="0")\n'
        'module(load="imudp")\n'
        f'input(type="imudp" address="127.0.0.1" port="{udp}")\n'
        'module(load="imtcp")\n'
        f'input(type="imtcp" address="127.0.0.1" port="{tcp}")\n'
        + RULES.replace("OUT", str(base / "out"))
    )
    return subprocess.Popen(["rsyslogd", "-n", "-f", str(conf), "-i", str(base / "pid")],
                            env=ENV, stderr=subprocess.DEVNULL)  # fmt: skip


def start_logwarden(base: Path, udp: int, tcp: int) -> subprocess.Popen[bytes]:
    conf = base / "syslog.conf"
    conf.write_text(RULES.replace("OUT", str(base / "out")))
    return subprocess.Popen(
        [sys.executable, "-m", "logwarden", "syslogd", "-n", "-f", str(conf), "-p",
         str(base / "log.sock"), "--udp", f"127.0.0.1:{udp}", "--tcp", f"127.0.0.1:{tcp}"],
        env=ENV, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def run_one(name: str, transport: str, count: int) -> tuple[float, int]:
    """(messages per second, messages lost) for one daemon and transport."""
    base = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    (base / "out").mkdir()
    udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    starter = start_rsyslog if name == "rsyslogd" else start_logwarden
    daemon = starter(base, udp, tcp)
    try:
        deadline = time.monotonic() + 20
        while not (base / "log.sock").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        target = str(base / "log.sock") if transport == "unix" else str(tcp)
        if transport.startswith("udp"):
            target = str(udp)
        catch_all = base / "out" / "all"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", SENDER, transport, target, str(count)], check=True)
        have, last, still, finished = 0, -1, 0, time.perf_counter()
        while have < count and still < 150:
            time.sleep(0.02)
            have = lines(catch_all)
            if have != last:
                finished, last, still = time.perf_counter(), have, 0
            else:
                still += 1
        elapsed = finished - started
        return have / elapsed, count - have
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    if shutil.which("rsyslogd") is None:
        sys.exit("rsyslogd is not installed (make reference-tools)")
    print(f"{count:,} messages per run, one sender process, 3 rules / 3 files")
    print(f"{'transport':<12}{'rsyslogd msg/s':>16}{'lost':>8}{'logwarden msg/s':>17}{'lost':>8}"
          f"{'ratio':>8}")  # fmt: skip
    for transport in sys.argv[2:] or ("unix", "udp", "udp@100000", "tcp"):
        rs_rate, rs_lost = run_one("rsyslogd", transport, count)
        lw_rate, lw_lost = run_one("logwarden", transport, count)
        print(f"{transport:<12}{rs_rate:>16,.0f}{rs_lost:>8}{lw_rate:>17,.0f}{lw_lost:>8}"
              f"{lw_rate / rs_rate:>8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
