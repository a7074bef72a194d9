"""Differential routing: the same syslog.conf in rsyslog 8.2302 and in logwarden.

Every facility x severity goes to each daemon over its unix datagram socket (util-linux
logger for what it can send, raw datagrams for kern and invalid PRIs); then which file
received which message is compared. Here the reference is checked against logwarden's
compiled routing table; test_syslogd_diff.py runs the same traffic through logwarden syslogd.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.syslog.conf import compile_text
from logwarden.syslog.router import RoutingTable

from .harness import logger_lines, markers, rsyslogd, send_datagrams, skip_without_rsyslog
from .routing_cases import DISCARDS, SEED_TABLE_14, TRICKY, logger_traffic, raw_traffic

CASES = {"seed": SEED_TABLE_14, "tricky": TRICKY, "discards": DISCARDS}

pytestmark = pytest.mark.reference


def traffic() -> list[tuple[int, int, bytes]]:
    from_logger = logger_traffic()
    return from_logger + raw_traffic(len(from_logger))


def run_rsyslog(base: Path, body: str) -> dict[str, list[int]]:
    """Files written by rsyslogd for the whole traffic, as lists of message markers."""
    rules = body.replace("OUT", str(base / "out")).replace("*.info:mail.none", "*.info;mail.none")
    sent = traffic()
    from_logger = logger_traffic()
    with rsyslogd(base, rules) as daemon:
        logger_lines(
            daemon.socket, [line for _, _, line in from_logger], "--prio-prefix", "-t", "tst"
        )
        send_datagrams(daemon.socket, [data for _, _, data in sent[len(from_logger) :]])
        daemon.wait_for(len(sent))
    return {name: markers(data) for name, data in daemon.files().items()}


def predicted(body: str) -> dict[str, list[int]]:
    """What logwarden's routing table says each file receives."""
    config = compile_text(body.replace("OUT", "/out"))
    table = RoutingTable(config.rules)
    files: dict[str, list[int]] = {}
    for marker, (facility, severity, _) in enumerate(traffic(), start=1):
        for rule in table.targets(facility, severity):
            files.setdefault(Path(rule.action.target).name, []).append(marker)
    return files


@pytest.mark.parametrize("case", sorted(CASES))
def test_routing_table_matches_rsyslog(tmp_path: Path, case: str) -> None:
    """Each file rsyslog writes holds exactly the messages logwarden's table routes to it."""
    skip_without_rsyslog()
    assert run_rsyslog(tmp_path, CASES[case]) == predicted(CASES[case])
