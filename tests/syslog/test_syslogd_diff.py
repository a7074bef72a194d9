"""Differential routing through the daemons: rsyslog 8.2302 and logwarden syslogd.

The same syslog.conf (the seed's table 14, the spec's tricky selectors, discards) runs in
both; every facility x severity is sent to each, over the unix socket (util-linux logger
and raw datagrams) and over UDP (logger -n and raw datagrams). Then, file by file, the same
messages must have arrived, and each line must read the same once its timestamp is cut off
(both write RSYSLOG_TraditionalFileFormat here).
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from .harness import (
    Daemon,
    free_port,
    logger_lines,
    logwarden_syslogd,
    markers,
    rsyslogd,
    send_datagrams,
    skip_without_rsyslog,
)
from .routing_cases import DISCARDS, SEED_TABLE_14, TRICKY, logger_traffic, raw_traffic
from support.reference import BASE_ENV, need

pytestmark = pytest.mark.reference

CASES = {"seed": SEED_TABLE_14, "tricky": TRICKY, "discards": DISCARDS}
TRADITIONAL = "$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat\n"
STAMP = 16  # "Nov 25 01:02:03 "


def send_all(daemon: Daemon, transport: str) -> int:
    """Send the whole traffic; return how many messages were sent."""
    from_logger = logger_traffic()
    raw = raw_traffic(len(from_logger))
    lines = [line for _, _, line in from_logger]
    datagrams = [data for _, _, data in raw]
    if transport == "unix":
        logger_lines(daemon.socket, lines, "--prio-prefix", "-t", "tst")
        send_datagrams(daemon.socket, datagrams)
    else:
        # In slices, each taken in before the next is sent: a burst could overflow a UDP
        # receive buffer on a loaded machine, and a lost datagram is not what is tested here.
        port = daemon.extra["udp"]
        for start in range(0, len(lines), 40):
            subprocess.run(
                [need("logger"), "-n", "127.0.0.1", "-P", str(port), "-d", "--rfc3164",
                 "--prio-prefix", "-t", "tst"],
                input=b"".join(line + b"\n" for line in lines[start : start + 40]),
                check=True, env=BASE_ENV, timeout=30,
            )  # fmt: skip
            daemon.wait_for(min(start + 40, len(lines)))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for data in datagrams:
                s.sendto(data, ("127.0.0.1", port))
    return len(lines) + len(datagrams)


def collect(daemon: Daemon, count: int) -> dict[str, bytes]:
    daemon.wait_for(count)
    daemon.stop()
    return daemon.files()


def without_stamps(data: bytes) -> list[bytes]:
    return [line[STAMP:] for line in data.splitlines()]


@pytest.mark.parametrize("transport", ["unix", "udp"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_files_same_lines(tmp_path: Path, case: str, transport: str) -> None:
    """Every file gets the same messages in the same order, and the same text."""
    skip_without_rsyslog()
    body = TRADITIONAL + CASES[case]
    rs_base, lw_base = tmp_path / "rsyslog", tmp_path / "logwarden"
    rs_rules = body.replace("OUT", str(rs_base / "out")).replace("*.info:mail", "*.info;mail")
    udp_rs, udp_lw = free_port(), free_port()
    with rsyslogd(rs_base, TRADITIONAL + rs_rules.removeprefix(TRADITIONAL), udp_port=udp_rs) as rs:
        rs.extra["udp"] = udp_rs
        expected = collect(rs, send_all(rs, transport))
    lw_rules = body.replace("OUT", str(lw_base / "out"))
    with logwarden_syslogd(lw_base, lw_rules, ["--udp", f"127.0.0.1:{udp_lw}"]) as lw:
        lw.extra["udp"] = udp_lw
        got = collect(lw, send_all(lw, transport))
    assert {name: markers(data) for name, data in got.items()} == {
        name: markers(data) for name, data in expected.items()
    }
    first_raw = len(logger_traffic()) + 8  # after the kern datagrams come the invalid PRIs
    for name, data in expected.items():
        keep = [
            line
            for line in without_stamps(data)
            if transport == "udp" or not markers(line) or markers(line)[0] <= first_raw
        ]
        mine = [
            line
            for line in without_stamps(got[name])
            if transport == "udp" or not markers(line) or markers(line)[0] <= first_raw
        ]
        assert mine == keep, name
