"""Load: 100,000 messages from a second process over the unix socket and over TCP, none
lost; over UDP the loss rate at several sending rates is reported (UDP may drop)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .harness import free_port, logwarden_syslogd

SENDER = Path(__file__).with_name("sender.py")
COUNT = 100_000


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def wait_settled(path: Path, expected: int, timeout: float = 60) -> int:
    """Lines in ``path`` once it has ``expected`` or has stopped growing."""
    deadline = time.monotonic() + timeout
    last, still = -1, 0
    while time.monotonic() < deadline:
        have = count_lines(path)
        if have >= expected:
            return have
        still = still + 1 if have == last else 0
        if still > 20:
            return have
        last = have
        time.sleep(0.05)
    return count_lines(path)


@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_nothing_lost(tmp_path: Path, transport: str) -> None:
    """Every one of 100,000 messages is in the file, in order, exactly once."""
    port = free_port(socket.SOCK_STREAM)
    with logwarden_syslogd(tmp_path, "", ["--tcp", f"127.0.0.1:{port}"]) as daemon:
        target = str(daemon.socket) if transport == "unix" else str(port)
        started = time.perf_counter()
        subprocess.run([sys.executable, str(SENDER), transport, target, str(COUNT)], check=True,
                       timeout=120)  # fmt: skip
        daemon.wait_for(COUNT, timeout=120)
        elapsed = time.perf_counter() - started
        assert daemon.stop() == 0
    lines = (daemon.out / "ALL").read_bytes().splitlines()
    assert len(lines) == COUNT
    numbers = [int(line.split(b"message ")[1].split()[0]) for line in lines]
    assert numbers == list(range(COUNT))
    print(f"\n{transport}: {COUNT} messages in {elapsed:.2f} s, {COUNT / elapsed:,.0f}/s, 0 lost")


def test_udp_loss_rate_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """UDP at 20k/s, 50k/s and unlimited: the share that arrived (no assertion on loss)."""
    count = 30_000
    report = []
    for rate in (20_000, 50_000, 0):
        base = tmp_path / f"rate{rate}"
        port = free_port()
        with logwarden_syslogd(base, "", ["--udp", f"127.0.0.1:{port}"]) as daemon:
            subprocess.run([sys.executable, str(SENDER), "udp", str(port), str(count), str(rate)],
                           check=True, timeout=120)  # fmt: skip
            arrived = wait_settled(daemon.out / "ALL", count)
        lost = count - arrived
        report.append(
            f"{rate or 'unlimited'}/s: {lost} of {count} lost ({100 * lost / count:.2f}%)"
        )
        assert arrived <= count
    with capsys.disabled():
        print("\nUDP loss: " + "; ".join(report))
